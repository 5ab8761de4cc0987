//! Fuzzing on stable Rust: every trade reader a user can feed (BACI flow lines, flow files,
//! country and product dictionaries, a zipped release through `ingest`, Comtrade CSV, JSON
//! responses and gzip, reported figures), fed mutated fixtures and the corpus under
//! `tests/corpus/`.
//! Every input must give rows or errors located in the input (file, a line inside it), never a
//! panic. `DYAD_FUZZ_CASES=N` raises the number of cases per target.

use dyad_testkit::fuzz;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use dyad_core::{InputErrors, Registry};
use dyad_trade::baci::{self, Areas};
use dyad_trade::codes::AreaCodes;
use dyad_trade::comtrade::{self, ComtradeRows};
use dyad_trade::ingest::{ingest, Quiet};
use dyad_trade::{reported, TradeError};
use proptest::prelude::*;

fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(Registry::bundled)
}

fn area_codes() -> &'static AreaCodes {
    static A: OnceLock<AreaCodes> = OnceLock::new();
    A.get_or_init(|| AreaCodes::new(registry()))
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap()
}

const COUNTRIES: &str = "baci_release/country_codes_V202201.csv";
const PRODUCTS: &str = "baci_release/product_codes_HS17_V202201.csv";
const FLOWS: &str = "baci_release/BACI_HS17_Y2022_V202201.csv";

/// The fixture release's dictionaries, parsed once.
fn dictionaries() -> &'static (Areas, baci::Products) {
    static D: OnceLock<(Areas, baci::Products)> = OnceLock::new();
    D.get_or_init(|| {
        let dict =
            baci::parse_countries("c.csv", &read(COUNTRIES), area_codes(), registry()).unwrap();
        let products = baci::parse_products("p.csv", &read(PRODUCTS)).unwrap();
        (Areas::new(&dict), products)
    })
}

/// Errors are located inside the input: the file's name, a line from 1 to one past the last,
/// and a message.
fn located(file: &str, input: &[u8], e: &InputErrors) -> Result<(), String> {
    if e.0.is_empty() {
        return Err("an error without any problem in it".into());
    }
    // "No rows" is reported on the line after the header, which may be one past the end.
    let lines = input.iter().filter(|&&b| b == b'\n').count() as u64 + 2;
    for err in &e.0 {
        if err.line < 1 || err.line > lines || err.message.is_empty() || err.file != file {
            return Err(format!("unlocated (file has {lines} lines): {err}"));
        }
    }
    Ok(())
}

fn trade_located(file: &str, input: &[u8], e: &TradeError) -> Result<(), String> {
    match e {
        TradeError::Input(errors) => located(file, input, errors),
        other => Err(format!("not an input error: {other}")),
    }
}

fn baci_line(input: &[u8]) -> Result<(), String> {
    match baci::parse_line(input) {
        Ok(_) => Ok(()),
        // Column 0 is the line as a whole (a wrong number of columns), 1-6 a field.
        Err(e) if e.column <= 6 && !e.message.is_empty() => Ok(()),
        Err(e) => Err(format!("bad error {e:?}")),
    }
}

fn baci_flows(input: &[u8]) -> Result<(), String> {
    let (areas, products) = dictionaries();
    let mut reader = input;
    match baci::read_flows("flows.csv", &mut reader, 2022, areas, products, &|_| {}) {
        Ok(_) => Ok(()),
        Err(e) => trade_located("flows.csv", input, &e),
    }
}

fn baci_countries(input: &[u8]) -> Result<(), String> {
    match baci::parse_countries("c.csv", input, area_codes(), registry()) {
        Ok(_) => Ok(()),
        Err(e) => located("c.csv", input, &e),
    }
}

fn baci_products(input: &[u8]) -> Result<(), String> {
    match baci::parse_products("p.csv", input) {
        Ok(_) => Ok(()),
        Err(e) => located("p.csv", input, &e),
    }
}

fn comtrade_csv(input: &[u8]) -> Result<(), String> {
    let mut rows = ComtradeRows::default();
    match comtrade::read_bytes("ct.csv", input, area_codes(), &mut rows) {
        Ok(()) => Ok(()),
        Err(e) => trade_located("ct.csv", input, &e),
    }
}

fn comtrade_json(input: &[u8]) -> Result<(), String> {
    let mut rows = ComtradeRows::default();
    match comtrade::read_json("ct.json", input, area_codes(), &mut rows) {
        Ok(()) => Ok(()),
        Err(e) => trade_located("ct.json", input, &e),
    }
}

/// A gzipped Comtrade bulk file, written to disk and read by path as `ingest` reads it.
fn comtrade_gzip(input: &[u8]) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bulk.txt.gz");
    std::fs::write(&path, input).unwrap();
    let mut rows = ComtradeRows::default();
    match comtrade::read_path(&path, area_codes(), &mut rows) {
        Ok(()) => Ok(()),
        Err(TradeError::Input(errors)) => {
            let label = path.display().to_string();
            // Lines are counted in the decompressed text, so only the file and a line ≥ 1
            // can be checked here.
            match errors
                .0
                .iter()
                .find(|e| e.file != label || e.line < 1 || e.message.is_empty())
            {
                Some(e) => Err(format!("unlocated: {e}")),
                None => Ok(()),
            }
        }
        Err(other) => Err(format!("not an input error: {other}")),
    }
}

fn reported_figures(input: &[u8]) -> Result<(), String> {
    match reported::parse("r.csv", input, registry()) {
        Ok(_) => Ok(()),
        Err(e) => located("r.csv", input, &e),
    }
}

/// A whole zipped release through `ingest` into a fresh home: rows stored, or an error that
/// names the zip (a damaged archive) or is located in one of its members; never a panic.
fn release_zip(input: &[u8]) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("BACI_HS17_V202201.zip");
    std::fs::write(&zip, input).unwrap();
    match ingest(
        dir.path(),
        std::slice::from_ref(&zip),
        None,
        registry(),
        &Quiet,
    ) {
        Ok(_) => Ok(()),
        Err(TradeError::Input(errors)) => {
            match errors.0.iter().find(|e| e.line < 1 || e.message.is_empty()) {
                Some(e) => Err(format!("unlocated: {e}")),
                None => Ok(()),
            }
        }
        Err(e) => {
            let text = e.to_string();
            (text.contains("BACI_HS17_V202201.zip") && text.len() > 30)
                .then_some(())
                .ok_or_else(|| format!("error does not name the archive: {text}"))
        }
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(bytes), &mut out).unwrap();
    out
}

fn comtrade_seeds() -> Vec<Vec<u8>> {
    vec![
        read("comtrade_api.csv"),
        read("comtrade_mixed.csv"),
        gunzip(&read("comtrade_bulk.txt.gz")),
    ]
}

/// The API response fixture as saved (pretty), as the API sends it (one line), as a bare array
/// of records, and with the second record in another HS revision (a rule error).
fn comtrade_json_seeds() -> Vec<Vec<u8>> {
    let pretty = read("comtrade_api.json");
    let value: serde_json::Value = serde_json::from_slice(&pretty).unwrap();
    let mut mixed = value.clone();
    mixed["data"][1]["classificationCode"] = "H5".into();
    vec![
        serde_json::to_vec(&value).unwrap(),
        serde_json::to_vec_pretty(&value["data"]).unwrap(),
        serde_json::to_vec_pretty(&mixed).unwrap(),
        pretty,
    ]
}

fn flow_lines() -> Vec<Vec<u8>> {
    String::from_utf8(read(FLOWS))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.as_bytes().to_vec())
        .collect()
}

type Target = fn(&[u8]) -> Result<(), String>;

const TARGETS: &[(&str, Target)] = &[
    ("baci_line", baci_line),
    ("baci_flows", baci_flows),
    ("baci_countries", baci_countries),
    ("baci_products", baci_products),
    ("comtrade_csv", comtrade_csv),
    ("comtrade_json", comtrade_json),
    ("comtrade_gzip", comtrade_gzip),
    ("reported", reported_figures),
    ("release_zip", release_zip),
];

#[test]
fn the_corpus_replays_cleanly() {
    for (target, check) in TARGETS {
        for (name, bytes) in fuzz::corpus(env!("CARGO_MANIFEST_DIR"), target) {
            check(&bytes).unwrap_or_else(|e| panic!("corpus {target}/{name}: {e}"));
        }
    }
}

proptest! {
    #![proptest_config(fuzz::config(1000))]

    #[test]
    fn baci_line_mutations(input in prop_oneof![
        fuzz::mutated(flow_lines()),
        prop::collection::vec(any::<u8>(), 0..64),
    ]) {
        baci_line(&input).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn baci_flow_file_mutations(input in fuzz::mutated(vec![read(FLOWS)])) {
        baci_flows(&input).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn baci_country_dictionary_mutations(input in fuzz::mutated(vec![
        read(COUNTRIES),
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/data/baci_country_codes_V202201.csv")).unwrap(),
    ])) {
        baci_countries(&input).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn baci_product_dictionary_mutations(input in fuzz::mutated(vec![read(PRODUCTS)])) {
        baci_products(&input).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn comtrade_csv_mutations(input in fuzz::mutated(comtrade_seeds())) {
        comtrade_csv(&input).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn comtrade_json_mutations(input in fuzz::mutated(comtrade_json_seeds())) {
        comtrade_json(&input).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn reported_figure_mutations(input in fuzz::mutated(vec![
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/data/afghanistan_partner_trade_reported.csv")).unwrap(),
    ])) {
        reported_figures(&input).map_err(TestCaseError::fail)?;
    }
}

proptest! {
    // These go through files on disk (and `ingest` writes a store), so fewer cases.
    #![proptest_config(fuzz::config(200))]

    /// Damaged archives (mutated gzip bytes) and intact archives of mutated text, CSV or JSON.
    #[test]
    fn comtrade_gzip_mutations(input in prop_oneof![
        fuzz::mutated(vec![read("comtrade_bulk.txt.gz"), read("comtrade_truncated.txt.gz")]),
        fuzz::mutated(comtrade_seeds()).prop_map(|t| gzip(&t)),
        fuzz::mutated(comtrade_json_seeds()).prop_map(|t| gzip(&t)),
    ]) {
        comtrade_gzip(&input).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn release_zip_mutations(input in fuzz::mutated(vec![read("baci_release.zip")])) {
        release_zip(&input).map_err(TestCaseError::fail)?;
    }
}
