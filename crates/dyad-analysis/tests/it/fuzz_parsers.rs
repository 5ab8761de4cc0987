//! Fuzzing on stable Rust: the claims TOML reader, the gravity formula parser and the gravity
//! CSV reader, fed mutated valid inputs and the corpus under `tests/corpus/`. Every input must
//! parse or give an error that says where: a line (TOML and CSV), the claim's id, or the formula
//! and what is wrong with it; never a panic. The fast CSV reader (whole input in memory, cut
//! into chunks read in parallel) must give exactly the streaming reader's frame or error on
//! every input. `DYAD_FUZZ_CASES=N` raises the cases per target.

use dyad_testkit::fuzz;

use std::sync::OnceLock;

use dyad_analysis::claims::{parse_claims, ClaimsError};
use dyad_analysis::gravity::{parse_formula, Frame, GravityError};
use dyad_core::Registry;
use proptest::prelude::*;

fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(Registry::bundled)
}

/// The number `N` in the first `line N` (or the csv crate's `line: N`) of a message, if any.
fn line_in(message: &str) -> Option<u64> {
    let rest = &message[message.find("line")? + 4..];
    let rest = rest.trim_start_matches(':').trim_start();
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn claims_target(input: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(input);
    let lines = text.matches('\n').count() as u64 + 1;
    match parse_claims("claims.toml", &text, registry()) {
        Ok(_) => Ok(()),
        Err(ClaimsError::Parse { message, .. }) => match line_in(&message) {
            Some(l) if (1..=lines).contains(&l) => Ok(()),
            _ => Err(format!(
                "parse error without a line inside the file: {message}"
            )),
        },
        Err(ClaimsError::Invalid { id, message, .. }) => {
            // A claim is named by its id; an empty id would leave the message unplaced.
            if id.trim().is_empty() || message.is_empty() {
                Err(format!("invalid claim without an id: `{id}`: {message}"))
            } else {
                Ok(())
            }
        }
    }
}

fn formula_target(input: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(input);
    match parse_formula(&text) {
        Ok(_) => Ok(()),
        Err(GravityError::Formula { formula, reason }) if formula == text && !reason.is_empty() => {
            Ok(())
        }
        Err(e) => Err(format!("error that does not name the formula: {e}")),
    }
}

fn frame_target(input: &[u8]) -> Result<(), String> {
    let lines = input.iter().filter(|&&b| b == b'\n').count() as u64 + 2;
    match Frame::read_csv(input, &["trade", "dist"], &["exporter", "importer", "year"]) {
        Ok(_) => Ok(()),
        Err(GravityError::UnknownColumn { .. }) => Ok(()),
        Err(GravityError::Csv(message)) => match line_in(&message) {
            Some(l) if (1..=lines).contains(&l) => Ok(()),
            _ => Err(format!(
                "CSV error without a line inside the file: {message}"
            )),
        },
        Err(e) => Err(format!("unexpected error: {e}")),
    }
}

fn claims_seeds() -> Vec<Vec<u8>> {
    vec![include_bytes!("../../../dyad-brief/data/claims_kaz_afg.toml").to_vec()]
}

fn formula_seeds() -> Vec<Vec<u8>> {
    [
        "trade ~ log(dist) + contig + rta | exporter^year + importer^year",
        "log(trade) ~ log(dist) + lang:colony | exporter + importer",
        "y ~ x1 + `odd name` | `fe one`^year",
        "trade ~ recognises_ab + hosts_envoys_ab + 1",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect()
}

fn frame_seeds() -> Vec<Vec<u8>> {
    vec![b"exporter,importer,year,trade,dist\nKAZ,AFG,2021,474000000,1400.5\nAFG,KAZ,2021,NA,1400.5\n\"UZB\",\"AFG\",2022,1e9,\n"
        .to_vec()]
}

/// Columns the CSV targets read.
const NUM: [&str; 2] = ["trade", "dist"];
const FAC: [&str; 3] = ["exporter", "importer", "year"];

/// The same frame, column by column (numbers bit for bit, NaN included), or a description of
/// the first difference.
fn same_frame(a: &Frame, b: &Frame, num: &[&str], fac: &[&str]) -> Result<(), String> {
    if a.nrows() != b.nrows() || a.names() != b.names() {
        return Err(format!(
            "rows {} vs {}, names {:?} vs {:?}",
            a.nrows(),
            b.nrows(),
            a.names(),
            b.names()
        ));
    }
    for n in num {
        let (x, y) = (a.numeric(n).unwrap(), b.numeric(n).unwrap());
        if let Some(i) = (0..x.len()).find(|&i| x[i].to_bits() != y[i].to_bits()) {
            return Err(format!("column {n}, row {i}: {} vs {}", x[i], y[i]));
        }
        if x.len() != y.len() {
            return Err(format!("column {n}: {} vs {} values", x.len(), y.len()));
        }
    }
    for n in fac {
        let (x, y) = (a.factor(n).unwrap(), b.factor(n).unwrap());
        if x.codes != y.codes || x.levels != y.levels {
            return Err(format!(
                "factor {n}: codes/levels differ ({:?} vs {:?})",
                x.levels, y.levels
            ));
        }
    }
    Ok(())
}

/// The fast reader, on one and on three threads, against the streaming reader.
fn fast_target(input: &[u8]) -> Result<(), String> {
    let reference = Frame::read_csv(input, &NUM, &FAC);
    for threads in [1, 3] {
        let fast = Frame::read_csv_bytes(input, &NUM, &FAC, threads);
        match (&reference, &fast) {
            (Ok(a), Ok(b)) => {
                same_frame(a, b, &NUM, &FAC).map_err(|e| format!("{threads} threads: {e}"))?
            }
            (Err(a), Err(b)) if a.to_string() == b.to_string() => {}
            (a, b) => {
                return Err(format!(
                    "{threads} threads: streaming {:?}, fast {:?}",
                    a.as_ref().map(Frame::nrows).map_err(ToString::to_string),
                    b.as_ref().map(Frame::nrows).map_err(ToString::to_string)
                ))
            }
        }
    }
    Ok(())
}

/// Plain CSV (no quotes) in the shapes the fast reader takes: several chunks' worth of rows,
/// CRLF line ends, empty lines, a BOM, missing values, spaces, long and eight-byte labels,
/// numbers the word-at-a-time parser reads and ones it leaves to the standard parser.
fn fast_seeds() -> Vec<Vec<u8>> {
    let mut rows = String::from("exporter,importer,year,trade,dist\n");
    for k in 0..40u32 {
        let e = ["KAZ", "AFG", "UZB", "Kyrgyzstan", "ABCDEFGH", "7"][k as usize % 6];
        let i = ["AFG", "KAZ", "842", "04", ""][k as usize % 5];
        let trade = match k % 7 {
            0 => "0".to_string(),
            1 => format!("{}", 474_000_000 + k),
            2 => "NA".to_string(),
            3 => format!("{}.5", k),
            4 => format!(" {k} "),
            5 => "-3".to_string(),
            _ => format!("{:08}", k * 1234567),
        };
        rows.push_str(&format!(
            "{e},{i},{},{trade},{}\n",
            2000 + k % 3,
            1400.5 + f64::from(k)
        ));
    }
    let crlf = rows.replace('\n', "\r\n");
    let gaps = rows.replace("\nKAZ", "\n\nKAZ");
    let bom = format!("\u{feff}{rows}");
    let no_end = rows.trim_end().to_string();
    [rows, crlf, gaps, bom, no_end]
        .into_iter()
        .map(String::into_bytes)
        .collect()
}

type Target = fn(&[u8]) -> Result<(), String>;

const TARGETS: &[(&str, Target)] = &[
    ("claims_toml", claims_target),
    ("formula", formula_target),
    ("gravity_csv", frame_target),
    ("gravity_csv_fast", fast_target),
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
    #![proptest_config(fuzz::config(2000))]

    #[test]
    fn claims_toml_mutations(input in fuzz::mutated(claims_seeds())) {
        claims_target(&input).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn formula_mutations(input in prop_oneof![
        fuzz::mutated(formula_seeds()),
        "[a-z~|+^:()`0-9 *-]{0,40}".prop_map(String::into_bytes),
    ]) {
        formula_target(&input).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn gravity_csv_mutations(input in fuzz::mutated(frame_seeds())) {
        frame_target(&input).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn fast_csv_reader_matches_the_streaming_one(input in fuzz::mutated(fast_seeds())) {
        fast_target(&input).map_err(TestCaseError::fail)?;
    }
}

#[test]
fn fast_csv_seeds_read_the_same() {
    for seed in fast_seeds() {
        fast_target(&seed).unwrap();
        let frame = Frame::read_csv_bytes(&seed, &NUM, &FAC, 2).unwrap();
        assert_eq!(frame.nrows(), 40);
    }
}

/// A bad number on the row after a quoted field spanning two lines is reported on its own
/// line (4), not as "row count + 2" (3).
#[test]
fn a_bad_number_is_located_after_a_multi_line_field() {
    let input =
        b"exporter,importer,year,trade,dist\n\"KAZ\nstan\",AFG,2021,474,1\nAFG,KAZ,2021,x,1\n";
    let e = Frame::read_csv(&input[..], &["trade"], &["exporter"]).unwrap_err();
    assert!(e.to_string().contains("line 4, column `trade`"), "{e}");
}
