//! Readers, store and queries on hand-written fixtures that follow FORMATS.md.
//!
//! Golden values are worked out by hand from the fixture rows (BACI `v` is thousands of USD) and
//! from the bundled reported-figures file, never taken from the program's output.

use std::path::{Path, PathBuf};

use dyad_core::Registry;
use dyad_trade::baci::{self, parse_countries, parse_line};
use dyad_trade::codes::AreaCodes;
use dyad_trade::datafusion::arrow::array::RecordBatch;
use dyad_trade::datafusion::arrow::util::display::array_value_to_string;
use dyad_trade::ingest::{ingest, Quiet};
use dyad_trade::store::Store;
use dyad_trade::{Source, TradeError, Years};

use crate::Db;
use proptest::prelude::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Rows of query results as text, with their headers.
fn rows(batches: &[RecordBatch]) -> Vec<Vec<(String, String)>> {
    let mut out = Vec::new();
    for b in batches {
        for r in 0..b.num_rows() {
            out.push(
                b.schema()
                    .fields()
                    .iter()
                    .zip(b.columns())
                    .map(|(f, c)| (f.name().clone(), array_value_to_string(c, r).unwrap()))
                    .collect(),
            );
        }
    }
    out
}

fn get<'a>(row: &'a [(String, String)], name: &str) -> &'a str {
    &row.iter().find(|(n, _)| n == name).unwrap().1
}

fn ingest_ok(home: &Path, paths: &[PathBuf], source: Option<Source>) {
    ingest(home, paths, source, &Registry::bundled(), &Quiet).unwrap();
}

fn ingest_err(home: &Path, paths: &[PathBuf]) -> String {
    ingest(home, paths, None, &Registry::bundled(), &Quiet)
        .unwrap_err()
        .to_string()
}

fn one(db: &Db, sql: &str) -> String {
    let r = rows(&db.sql(sql).unwrap());
    assert_eq!(r.len(), 1, "{sql}: {r:?}");
    r[0][0].1.clone()
}

#[test]
fn baci_release_folder_and_zip_give_the_hand_computed_values() {
    for input in ["baci_release", "baci_release.zip"] {
        let home = tempfile::tempdir().unwrap();
        ingest_ok(home.path(), &[fixture(input)], None);
        let db = Db::open(Some(home.path()), &Registry::bundled()).unwrap();
        // 41235.127 + 9876.5 thousand USD = 41,235,127 + 9,876,500 = 51,111,627 USD.
        assert_eq!(
            one(&db, "SELECT sum(value_usd) FROM flows WHERE source = 'baci' AND exporter = 'KAZ' AND importer = 'AFG'"),
            "51111627.0"
        );
        // The padded row: 842 -> USA, 699 -> IND, `10632` -> `010632`, 0.052 thousand = 52 USD,
        // quantity NA.
        let r = rows(&db.sql("SELECT exporter, importer, product, value_usd, quantity, exporter_code FROM flows WHERE source = 'baci' AND exporter = 'USA'").unwrap());
        assert_eq!(r.len(), 1);
        assert_eq!(get(&r[0], "importer"), "IND");
        assert_eq!(get(&r[0], "product"), "010632");
        assert_eq!(get(&r[0], "value_usd"), "52.0");
        assert_eq!(get(&r[0], "quantity"), "");
        assert_eq!(get(&r[0], "exporter_code"), "842");
        // 490 "Other Asia, nes" is stored as Taiwan and flagged; 697 "Europe EFTA, nes" has no
        // country.
        assert_eq!(
            one(&db, "SELECT exporter FROM flows WHERE other_asia"),
            "TWN"
        );
        assert_eq!(
            one(&db, "SELECT count(*) FROM flows WHERE source = 'baci' AND exporter IS NULL AND exporter_code = 697"),
            "1"
        );
        assert_eq!(
            one(&db, "SELECT count(*) FROM flows WHERE source = 'baci'"),
            "6"
        );
        // Product names come from the release's dictionary.
        let p = rows(&db.products("KAZ", "AFG", 2022, 6, "baci").unwrap());
        assert_eq!(get(&p[0], "product"), "110100");
        assert_eq!(get(&p[0], "name"), "Wheat or meslin flour");
        let p2 = rows(&db.products("KAZ", "AFG", 2022, 2, "baci").unwrap());
        let codes: Vec<&str> = p2.iter().map(|r| get(r, "product")).collect();
        assert_eq!(codes, ["11", "10"]);
    }
}

#[test]
fn reingesting_a_release_replaces_it() {
    let home = tempfile::tempdir().unwrap();
    ingest_ok(home.path(), &[fixture("baci_release")], None);
    ingest_ok(home.path(), &[fixture("baci_release.zip")], None);
    let db = Db::open(Some(home.path()), &Registry::bundled()).unwrap();
    assert_eq!(
        one(&db, "SELECT count(*) FROM flows WHERE source = 'baci'"),
        "6"
    );
    // Only the files the manifest lists are left on disk.
    let m = Store::new(home.path()).manifest().unwrap();
    let listed = m.flow_files().count() + m.product_files().count() + m.total_files().count();
    // Every flow file has its totals, in two orders.
    assert_eq!(m.total_files().count(), 2 * m.flow_files().count());
    let mut on_disk = 0;
    for top in ["flows", "products", "totals"] {
        on_disk += count_files(&home.path().join("trade").join(top));
    }
    assert_eq!(listed, on_disk);
}

/// Every row of a Parquet file, as text.
fn parquet_rows(path: &Path) -> Vec<String> {
    use dyad_trade::datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path).unwrap())
        .unwrap()
        .build()
        .unwrap();
    let mut out = Vec::new();
    for b in reader {
        let b = b.unwrap();
        for r in 0..b.num_rows() {
            let cells: Vec<String> = b
                .columns()
                .iter()
                .map(|c| array_value_to_string(c, r).unwrap())
                .collect();
            out.push(cells.join(","));
        }
    }
    out
}

#[test]
fn missing_pair_totals_are_written_as_ingest_writes_them() {
    let home = tempfile::tempdir().unwrap();
    ingest_ok(
        home.path(),
        &[fixture("baci_release.zip"), fixture("comtrade_api.csv")],
        None,
    );
    let store = Store::new(home.path());
    let written = store.manifest().unwrap();
    let totals_of = |m: &dyad_trade::store::Manifest| -> Vec<Vec<String>> {
        m.flow_files_with_totals()
            .flat_map(|(_, t)| {
                let t = t.expect("totals");
                [&t.by_exporter, &t.by_importer].map(|f| parquet_rows(&store.root().join(f)))
            })
            .collect()
    };
    let at_ingest = totals_of(&written);
    // BACI's KAZ -> AFG 2022: 41,235,127 + 9,876,500 at 6 digits, the product summed away.
    assert!(
        at_ingest
            .iter()
            .flatten()
            .any(|r| r.starts_with("baci,HS17,,2022,,KAZ,AFG,398,4,,6,51111627.0,")),
        "{at_ingest:?}"
    );
    // As a store written before totals: none listed, none on disk.
    let mut old = written.clone();
    for u in old.units.values_mut() {
        u.totals.clear();
    }
    std::fs::write(
        store.root().join("manifest.json"),
        serde_json::to_vec(&old).unwrap(),
    )
    .unwrap();
    std::fs::remove_dir_all(store.root().join("totals")).unwrap();
    let n = store.add_missing_totals().unwrap();
    assert_eq!(n, written.flow_files().count());
    let migrated = store.manifest().unwrap();
    assert_eq!(totals_of(&migrated), at_ingest);
    // The flow files are the same ones, still there; nothing else is on disk.
    assert_eq!(
        migrated.flow_files().collect::<Vec<_>>(),
        written.flow_files().collect::<Vec<_>>()
    );
    let listed = migrated.flow_files().count()
        + migrated.product_files().count()
        + migrated.total_files().count();
    let mut on_disk = 0;
    for top in ["flows", "products", "totals"] {
        on_disk += count_files(&home.path().join("trade").join(top));
    }
    assert_eq!(listed, on_disk);
    // Again: nothing to do, nothing written.
    assert_eq!(store.add_missing_totals().unwrap(), 0);
    assert_eq!(store.manifest().unwrap(), migrated);

    // A flow file that cannot be read: the error names it, and nothing changes.
    std::fs::write(
        store.root().join("manifest.json"),
        serde_json::to_vec(&old).unwrap(),
    )
    .unwrap();
    std::fs::remove_dir_all(store.root().join("totals")).unwrap();
    let broken = old.flow_files().next().unwrap().to_string();
    std::fs::write(store.root().join(&broken), b"not parquet").unwrap();
    let err = store.add_missing_totals().unwrap_err().to_string();
    assert!(err.contains(&broken), "{err}");
    assert_eq!(store.manifest().unwrap(), old);
    assert!(
        !store.root().join("totals").exists() || count_files(&store.root().join("totals")) == 0
    );
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                count_files(&e.path())
            } else {
                1
            }
        })
        .sum()
}

#[test]
fn the_real_v202201_dictionary_resolves_every_code() {
    let reg = Registry::bundled();
    let areas = AreaCodes::new(&reg);
    let bytes = std::fs::read(fixture("baci_release/country_codes_V202201.csv")).unwrap();
    // BOM, CRLF, mis-encoded names: none of it matters, codes are matched.
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let dict = parse_countries("cc.csv", &bytes, &areas, &reg).unwrap();
    // A header and 238 areas (the last line has no line end).
    assert_eq!(dict.len(), 238);
    let find = |c: u16| dict.iter().find(|a| a.code == c).unwrap();
    assert_eq!(find(842).iso3.as_deref(), Some("USA"));
    assert_eq!(find(381).iso3.as_deref(), Some("ITA"));
    assert_eq!(find(58).iso3.as_deref(), Some("BEL"));
    assert!(find(490).other_asia);
    assert_eq!(find(849).iso3, None);
}

/// A quoted name across two lines: the bad row after it is reported on its own line, not on
/// "record index + 2" (found by `fuzz_readers.rs`).
#[test]
fn dictionary_errors_name_the_line_after_a_multi_line_field() {
    let reg = Registry::bundled();
    let areas = AreaCodes::new(&reg);
    let text = "country_code,country_name,country_iso2,country_iso3\n4,\"Afghan\nistan\",AF,AFG\nxx,Kazakhstan,KZ,KAZ\n";
    let e = parse_countries("cc.csv", text.as_bytes(), &areas, &reg).unwrap_err();
    assert!(e.to_string().contains("cc.csv:4:1: country_code"), "{e}");
}

#[test]
fn the_new_dictionary_layout_is_read_too() {
    let reg = Registry::bundled();
    let areas = AreaCodes::new(&reg);
    let text = "country_code,country_name,country_iso2,country_iso3\r\n4,Afghanistan,AF,AFG\r\n398,Kazakhstan,KZ,KAZ\r\n699,India,IN,IND\r\n490,\"Other Asia, nes\",,\r\n";
    let dict = parse_countries("new.csv", text.as_bytes(), &areas, &reg).unwrap();
    let isos: Vec<_> = dict.iter().map(|a| a.iso3.as_deref()).collect();
    assert_eq!(isos, [Some("AFG"), Some("KAZ"), Some("IND"), Some("TWN")]);
    let e = parse_countries("new.csv", b"code,name\n4,x\n", &areas, &reg).unwrap_err();
    assert!(e.to_string().contains("new.csv:1:0"), "{e}");
    let e = parse_countries(
        "new.csv",
        b"country_code,country_name,country_iso2,country_iso3\n4,A,AF,AFG\n998,Nowhere,QQ,QQQ\n",
        &areas,
        &reg,
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("new.csv:3:1: country_code: area code 998"),
        "{e}"
    );
}

/// A release folder with the real dictionary, the fixture products and these flow lines.
fn release_with(dir: &Path, flows: &str) -> PathBuf {
    let rel = dir.join("rel");
    std::fs::create_dir_all(&rel).unwrap();
    for f in [
        "country_codes_V202201.csv",
        "product_codes_HS17_V202201.csv",
    ] {
        std::fs::copy(fixture("baci_release").join(f), rel.join(f)).unwrap();
    }
    std::fs::write(rel.join("BACI_HS17_Y2022_V202201.csv"), flows).unwrap();
    rel
}

#[test]
fn bad_baci_input_names_file_and_line_and_changes_nothing() {
    let home = tempfile::tempdir().unwrap();
    ingest_ok(home.path(), &[fixture("baci_release")], None);
    let before = Store::new(home.path()).manifest().unwrap();
    let cases = [
        (
            "t,i,j,k,v,q\n2022,398,4,110100,1.0,2\n2022,398,4,110100,abc,2\n",
            ":3:5: v: `abc`",
        ),
        (
            "t,i,j,k,v,q\n2022,398,999,110100,1.0,2\n",
            ":2:3: j: area code 999 is not in",
        ),
        (
            "t,i,j,k,v,q\n2022,398,4,110100,1.0\n",
            ":2:0: expected 6 columns",
        ),
        (
            "year,i,j,k,v,q\n2022,398,4,110100,1.0,2\n",
            ":1:0: unexpected header",
        ),
        (
            "t,i,j,k,v,q\n2021,398,4,110100,1.0,2\n",
            ":2:1: t: year 2021 in a file named for 2022",
        ),
        // 271019 is not in this release's HS17 dictionary: a file from another revision.
        (
            "t,i,j,k,v,q\n2022,398,4,271019,1.0,2\n",
            ":2:4: k: product `271019`",
        ),
        ("t,i,j,k,v,q\n", ":2:0: the file has no rows"),
        (
            "",
            ":1:0: the file is empty: expected the header `t,i,j,k,v,q`",
        ),
    ];
    for (flows, want) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let rel = release_with(tmp.path(), flows);
        let e = ingest_err(home.path(), &[rel]);
        assert!(
            e.contains("BACI_HS17_Y2022_V202201.csv") && e.contains(want),
            "{want}: {e}"
        );
        assert_eq!(Store::new(home.path()).manifest().unwrap(), before);
    }
    let db = Db::open(Some(home.path()), &Registry::bundled()).unwrap();
    assert_eq!(
        one(&db, "SELECT count(*) FROM flows WHERE source = 'baci'"),
        "6"
    );
}

/// A release as CEPII names recent ones (`V202401b`, see `baci/release.rs`), zipped with its
/// files in a sub-folder as the downloads are, with the recent dictionary layout
/// (FORMATS.md 1.2) and the example flow rows of FORMATS.md 1.1.
#[test]
fn a_lettered_release_zip_with_the_new_dictionary_layout() {
    let tmp = tempfile::tempdir().unwrap();
    let zip_path = tmp.path().join("BACI_HS17_V202401b.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    let members = [
        (
            "BACI_HS17_V202401b/BACI_HS17_Y2022_V202401b.csv",
            "t,i,j,k,v,q\n2022,398,4,110100,41235.127,152340.500\n2022,398,4,100199,9876.5,34000.25\n2022,4,398,080620,112.304,NA\n".to_string(),
        ),
        (
            "BACI_HS17_V202401b/country_codes_V202401b.csv",
            "country_code,country_name,country_iso2,country_iso3\n4,Afghanistan,AF,AFG\n398,Kazakhstan,KZ,KAZ\n699,India,IN,IND\n".to_string(),
        ),
        (
            "BACI_HS17_V202401b/product_codes_HS17_V202401b.csv",
            std::fs::read_to_string(fixture("baci_release/product_codes_HS17_V202201.csv")).unwrap(),
        ),
        ("BACI_HS17_V202401b/Readme.txt", "not read".to_string()),
    ];
    for (name, text) in members {
        zip.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut zip, text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    let home = tempfile::tempdir().unwrap();
    ingest_ok(home.path(), std::slice::from_ref(&zip_path), None);
    let db = Db::open(Some(home.path()), &Registry::bundled()).unwrap();
    // 41235.127 + 9876.5 thousand USD = 51,111,627 USD, stored under the lettered release.
    assert_eq!(
        one(&db, "SELECT sum(value_usd) FROM flows WHERE source = 'baci' AND exporter = 'KAZ' AND importer = 'AFG' AND release = 'V202401b'"),
        "51111627.0"
    );
    assert_eq!(
        one(&db, "SELECT count(*) FROM flows WHERE source = 'baci'"),
        "3"
    );
    // The same release's flow file read alone, beside its dictionaries in a folder.
    let dir = tmp.path().join("BACI_HS22_V202501");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("BACI_HS22_Y2022_V202501.csv"),
        "t,i,j,k,v,q\n2022,4,398,080620,112.304,NA\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("country_codes_V202501.csv"),
        "country_code,country_name,country_iso2,country_iso3\n4,Afghanistan,AF,AFG\n398,Kazakhstan,KZ,KAZ\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("product_codes_HS22_V202501.csv"),
        "code,description\n080620,\"Grapes: dried\"\n",
    )
    .unwrap();
    ingest_ok(
        home.path(),
        &[dir.join("BACI_HS22_Y2022_V202501.csv")],
        None,
    );
    let db = Db::open(Some(home.path()), &Registry::bundled()).unwrap();
    // 112.304 thousand USD.
    assert_eq!(
        one(
            &db,
            "SELECT value_usd FROM flows WHERE classification = 'HS22' AND release = 'V202501'"
        ),
        "112304.0"
    );
    // A lettered release is a release of its own: never mixed with the one it corrects.
    std::fs::write(
        dir.join("BACI_HS22_Y2023_V202501b.csv"),
        "t,i,j,k,v,q\n2023,4,398,080620,1.0,NA\n",
    )
    .unwrap();
    let e = ingest_err(home.path(), &[dir]);
    assert!(
        e.contains("files from 2 releases: V202501 (") && e.contains("V202501b ("),
        "{e}"
    );
}

#[test]
fn two_releases_in_one_folder_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let rel = release_with(tmp.path(), "t,i,j,k,v,q\n2022,398,4,110100,1.0,2\n");
    std::fs::write(
        rel.join("BACI_HS17_Y2021_V202301.csv"),
        "t,i,j,k,v,q\n2021,398,4,110100,1.0,2\n",
    )
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let e = ingest_err(home.path(), &[rel]);
    assert!(e.contains("files from 2 releases"), "{e}");
    assert!(!home.path().join("trade/manifest.json").exists());
}

#[test]
fn comtrade_api_csv_and_bulk_gz() {
    let home = tempfile::tempdir().unwrap();
    ingest_ok(
        home.path(),
        &[fixture("comtrade_api.csv"), fixture("comtrade_bulk.txt.gz")],
        None,
    );
    let db = Db::open(Some(home.path()), &Registry::bundled()).unwrap();
    // World partner and the mode-of-transport breakdown are skipped: 4 + 2 rows remain.
    assert_eq!(
        one(&db, "SELECT count(*) FROM flows WHERE source = 'comtrade'"),
        "6"
    );
    // Mirror 2023: KAZ declares exports of 512,345,678.9 (its TOTAL row, not the 110100 row
    // beside it), AFG declares imports of 530,000,000: gap 17,654,321.1.
    let m = rows(&db.mirror("KAZ", "AFG", None).unwrap());
    assert_eq!(m.len(), 1);
    assert_eq!(get(&m[0], "year"), "2023");
    assert_eq!(get(&m[0], "exports_reported"), "512345678.9");
    assert_eq!(get(&m[0], "imports_reported"), "530000000.0");
    let gap: f64 = get(&m[0], "gap").parse().unwrap();
    assert!((gap - 17_654_321.1).abs() < 1e-6, "{gap}");
    let ratio: f64 = get(&m[0], "ratio").parse().unwrap();
    assert!((ratio - 530_000_000.0 / 512_345_678.9).abs() < 1e-12);
    // Bulk file: reporter 842 is the USA; its imports from 490 are Taiwan's, flagged.
    assert_eq!(
        one(
            &db,
            "SELECT exporter FROM flows WHERE source = 'comtrade' AND other_asia"
        ),
        "TWN"
    );
    assert_eq!(
        one(&db, "SELECT importer || ' ' || flow || ' ' || classification FROM flows WHERE reporter = 'USA' AND flow = 'X'"),
        "IND X H5"
    );
    // Partners of KAZ's own export declarations in 2023: AFG only, share 1.
    let p = rows(
        &db.partners(
            "KAZ",
            dyad_trade::Direction::Export,
            Years {
                from: 2023,
                to: 2023,
            },
            5,
            "comtrade",
        )
        .unwrap(),
    );
    assert_eq!(p.len(), 1);
    assert_eq!(get(&p[0], "partner"), "AFG");
    assert_eq!(get(&p[0], "share"), "1.0");
}

#[test]
fn bad_comtrade_input_is_located() {
    let home = tempfile::tempdir().unwrap();
    let e = ingest_err(home.path(), &[fixture("comtrade_truncated.txt.gz")]);
    assert!(
        e.contains("comtrade_truncated.txt.gz:") && e.contains("truncated"),
        "{e}"
    );
    let e = ingest_err(home.path(), &[fixture("comtrade_mixed.csv")]);
    assert!(
        e.contains("comtrade_mixed.csv:3:18: classificationCode: mixed HS revisions for KAZ 2023: H5 here, H6 on line 2"),
        "{e}"
    );
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture("comtrade_api.csv")).unwrap();
    // Partner 998 is not an area dyad knows.
    let bad = text.replacen(",4,AFG,Afghanistan,", ",998,,,", 1);
    let p = tmp.path().join("api.csv");
    std::fs::write(&p, bad).unwrap();
    let e = ingest_err(home.path(), std::slice::from_ref(&p));
    assert!(
        e.contains("api.csv:2:12: partnerCode: unknown area code 998"),
        "{e}"
    );
    std::fs::write(&p, text.replacen("primaryValue", "value", 1)).unwrap();
    let e = ingest_err(home.path(), &[p]);
    assert!(e.contains("missing column primaryValue"), "{e}");
    assert!(!home.path().join("trade/manifest.json").exists());
}

#[test]
fn bundled_reported_figures_answer_without_a_home() {
    let db = Db::open(None, &Registry::bundled()).unwrap();
    let s = rows(
        &db.series(
            "KAZ",
            "AFG",
            Some(Years {
                from: 2023,
                to: 2023,
            }),
        )
        .unwrap(),
    );
    // afghanistan_partner_trade_reported.csv: 2023,KAZ,AFG,export,547000000 (Interfax).
    let export = s
        .iter()
        .find(|r| get(r, "flow") == "X" && get(r, "exporter") == "KAZ")
        .unwrap();
    assert_eq!(get(export, "value_usd"), "547000000.0");
    assert_eq!(
        get(export, "source_url"),
        "https://interfax.com/newsroom/top-stories/106897/"
    );
    // ... and two turnover figures for 2023 from two reporters, kept apart.
    let turnovers: Vec<&str> = s
        .iter()
        .filter(|r| get(r, "flow") == "T")
        .map(|r| get(r, "value_usd"))
        .collect();
    assert_eq!(turnovers.len(), 2);
    assert!(turnovers.contains(&"567500000.0") && turnovers.contains(&"545200000.0"));
}

#[test]
fn sql_is_read_only() {
    let db = Db::open(None, &Registry::bundled()).unwrap();
    for q in [
        "CREATE TABLE x AS SELECT 1",
        "INSERT INTO flows SELECT * FROM flows",
        "SET datafusion.execution.batch_size = 1",
    ] {
        assert!(matches!(db.sql(q), Err(TradeError::Query(_))), "{q}");
    }
}

proptest! {
    /// Any line written the way BACI (or a tool that padded or quoted it) writes one parses back
    /// to the same values.
    #[test]
    fn baci_lines_round_trip(
        t in 1995i32..2030, i in 0u16..1000, j in 0u16..1000, k in 0u32..1_000_000,
        milli in 0u64..10_000_000_000_000, tons in proptest::option::of(0u64..1_000_000_000),
        pad in 0usize..12, quote in any::<bool>(), five in any::<bool>(),
    ) {
        let v = format!("{}.{:03}", milli / 1000, milli % 1000);
        let q = tons.map_or("NA".to_string(), |t| format!("{}.{:03}", t / 1000, t % 1000));
        let wrap = |s: &str| {
            let s = format!("{}{s}", " ".repeat(pad));
            if quote { format!("\"{s}\"") } else { s }
        };
        let code = format!("{k:06}");
        let kf = if five && code.starts_with('0') { code[1..].to_string() } else { code.clone() };
        let line = format!("{t},{i},{j},{kf},{},{}", wrap(&v), wrap(&q));
        let l = parse_line(line.as_bytes()).unwrap();
        prop_assert_eq!((l.t, l.i, l.j), (t, i, j));
        prop_assert_eq!(&l.k, code.as_bytes());
        prop_assert_eq!(l.value_usd, milli as f64);
        prop_assert_eq!(l.tons, tons.map(|t| t as f64 / 1000.0));
    }

    /// Arbitrary bytes never panic the parser, and a failure always names a column 0..=6.
    #[test]
    fn baci_parser_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
        if let Err(e) = parse_line(&bytes) {
            prop_assert!(e.column <= 6);
        }
    }
}

#[test]
fn normalise_product_codes() {
    assert_eq!(baci::normalise_product(b"10632"), Some(*b"010632"));
    assert_eq!(baci::normalise_product(b"9999AA"), Some(*b"9999AA"));
    assert_eq!(baci::normalise_product(b"1063"), None);
}
