//! The fast path (`products`, `products_by_year`, `series`, `mirror`, `partners`) against
//! DataFusion SQL (`products_sql`, `products_by_year_sql`, `series_sql`, `mirror_sql`,
//! `partners_sql`): the same rows, on fixtures with hand-computed values and on generated stores large enough to have many
//! pages and several row groups per file.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use dyad_core::Registry;
use dyad_trade::datafusion::arrow::array::RecordBatch;
use dyad_trade::datafusion::arrow::util::display::array_value_to_string;
use dyad_trade::generate::{generate, Spec};
use dyad_trade::ingest::{ingest, Quiet};
use dyad_trade::store::Store;
use dyad_trade::{Declarer, Direction, Years};

use crate::Db;
use proptest::prelude::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Column names and types, then every row as text.
fn table(batches: &[RecordBatch]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header = Vec::new();
    if let Some(b) = batches.first() {
        header = b
            .schema()
            .fields()
            .iter()
            .map(|f| format!("{}:{}", f.name(), f.data_type()))
            .collect();
    }
    let mut rows = Vec::new();
    for b in batches {
        for r in 0..b.num_rows() {
            rows.push(
                b.columns()
                    .iter()
                    .map(|c| array_value_to_string(c, r).unwrap())
                    .collect(),
            );
        }
    }
    (header, rows)
}

/// Asserts that the fast path and SQL answer alike, and returns the rows.
fn same(
    db: &Db,
    e: &str,
    i: &str,
    years: Option<Years>,
    level: u8,
    source: &str,
) -> Vec<Vec<String>> {
    let fast = table(&db.products_by_year(e, i, years, level, source).unwrap());
    let sql = table(&db.products_by_year_sql(e, i, years, level, source).unwrap());
    assert_eq!(fast.1, sql.1, "{e}->{i} {years:?} level {level} {source}");
    if !sql.1.is_empty() {
        assert_eq!(fast.0, sql.0, "column names and types");
    }
    if let Some(y) = years.filter(|y| y.from == y.to) {
        let fast = table(&db.products(e, i, y.from, level, source).unwrap());
        let sql = table(&db.products_sql(e, i, y.from, level, source).unwrap());
        assert_eq!(fast.1, sql.1, "{e}->{i} {} level {level} {source}", y.from);
        if !sql.1.is_empty() {
            assert_eq!(fast.0, sql.0);
        }
    }
    fast.1
}

/// Asserts that `series` and `series_sql` answer alike, and returns the rows. SQL orders by
/// year, source, exporter, flow, reporter and source URL, which leaves rows that differ in
/// classification alone in any order: the rows are compared in that order's keys, then as sets.
fn same_series(db: &Db, a: &str, b: &str, years: Option<Years>) -> Vec<Vec<String>> {
    let fast = table(&db.series(a, b, years).unwrap());
    let sql = table(&db.series_sql(a, b, years).unwrap());
    if !sql.1.is_empty() {
        assert_eq!(fast.0, sql.0, "column names and types");
    }
    // year, exporter, flow, source, reporter, source_url
    let keys = |rows: &[Vec<String>]| -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| [0, 1, 3, 5, 7, 8].iter().map(|&k| r[k].clone()).collect())
            .collect()
    };
    assert_eq!(keys(&fast.1), keys(&sql.1), "{a}-{b} {years:?}: order");
    let (mut f, mut s) = (fast.1.clone(), sql.1);
    f.sort();
    s.sort();
    assert_eq!(f, s, "{a}-{b} {years:?}");
    fast.1
}

/// Asserts that `mirror` and `mirror_sql` answer alike (ordered by year, one row a year), and
/// returns the rows.
fn same_mirror(db: &Db, e: &str, i: &str, years: Option<Years>) -> Vec<Vec<String>> {
    let fast = table(&db.mirror(e, i, years).unwrap());
    let sql = table(&db.mirror_sql(e, i, years).unwrap());
    assert_eq!(fast.1, sql.1, "{e}->{i} {years:?}");
    if !sql.1.is_empty() {
        assert_eq!(fast.0, sql.0, "column names and types");
    }
    fast.1
}

/// Asserts that `partners` and `partners_sql` answer alike, and returns the rows.
fn same_partners(
    db: &Db,
    c: &str,
    direction: Direction,
    years: Years,
    top: usize,
    source: &str,
) -> Vec<Vec<String>> {
    let fast = table(&db.partners(c, direction, years, top, source).unwrap());
    let sql = table(&db.partners_sql(c, direction, years, top, source).unwrap());
    assert_eq!(
        fast.1, sql.1,
        "{c} {direction:?} {years:?} top {top} {source}"
    );
    if !sql.1.is_empty() {
        assert_eq!(fast.0, sql.0, "column names and types");
    }
    fast.1
}

/// Asserts that `partner_series` and `partner_series_sql` answer alike, and returns the rows.
fn same_partner_series(db: &Db, c: &str, d: Direction, who: Declarer) -> Vec<Vec<String>> {
    let fast = table(&db.partner_series(c, d, who).unwrap());
    let sql = table(&db.partner_series_sql(c, d, who).unwrap());
    assert_eq!(fast.1, sql.1, "{c} {d:?} {who:?}");
    if !sql.1.is_empty() {
        assert_eq!(fast.0, sql.0, "column names and types");
    }
    fast.1
}

/// A Comtrade file with the same flow (KAZ exports to AFG, 2023) at 2, 4 and 6 digits and as a
/// total, so that only the lowest level at or above the one asked for may be summed.
fn comtrade_levels(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(fixture("comtrade_api.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    // The KAZ -> AFG export of 110100 at 6 digits.
    let template: Vec<&str> = lines.nth(1).unwrap().split(',').collect();
    assert_eq!((template[20], template[22]), ("110100", "6"));
    let mut out = format!("{header}\n");
    for (code, level, value) in [
        ("TOTAL", "0", "5000"),
        ("11", "2", "1000.5"),
        ("10", "2", "250.25"),
        ("1101", "4", "600.5"),
        ("1001", "4", "200"),
        ("110100", "6", "500"),
        ("100199", "6", "150.25"),
    ] {
        let mut row = template.clone();
        row[20] = code;
        row[22] = level;
        row[42] = value;
        row[43] = value;
        out.push_str(&row.join(","));
        out.push('\n');
    }
    let path = dir.join("comtrade_levels.csv");
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn fixtures_answer_alike_with_hand_computed_values() {
    let home = tempfile::tempdir().unwrap();
    let levels = comtrade_levels(home.path());
    ingest(
        home.path(),
        &[fixture("baci_release.zip"), levels],
        None,
        &Registry::bundled(),
        &Quiet,
    )
    .unwrap();
    let db = Db::open(Some(home.path()), &Registry::bundled()).unwrap();

    // BACI 2022, KAZ -> AFG: 110100 is 41,235,127 USD and 100199 is 9,876,500 (thousands in the
    // file); by chapter 11 and 10, shares of 51,111,627.
    let rows = same(&db, "KAZ", "AFG", None, 2, "baci");
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][..2], ["2022", "11"]);
    assert_eq!(rows[0][3], "41235127.0");
    assert_eq!(rows[1][1], "10");
    assert_eq!(rows[1][3], "9876500.0");
    let share: f64 = rows[0][4].parse().unwrap();
    assert_eq!(share, 41_235_127.0 / 51_111_627.0);
    // Names at 6 digits come from the release's dictionary.
    let rows = same(&db, "KAZ", "AFG", Some(Years::single(2022)), 6, "baci");
    assert_eq!(rows[0][1..3], ["110100", "Wheat or meslin flour"]);

    // Comtrade: at 2 digits only the 2-digit rows (1000.5 + 250.25 = 1250.75), never the 4-
    // and 6-digit rows or the total.
    let rows = same(&db, "KAZ", "AFG", None, 2, "comtrade");
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[1].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(got, [("11", "1000.5"), ("10", "250.25")]);
    let share: f64 = rows[0][4].parse().unwrap();
    assert_eq!(share, 1000.5 / 1250.75);
    assert_eq!(rows[0][5..], ["H6", "KAZ"]);
    let rows = same(&db, "KAZ", "AFG", None, 4, "comtrade");
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[1].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(got, [("1101", "600.5"), ("1001", "200.0")]);
    let rows = same(&db, "KAZ", "AFG", None, 6, "comtrade");
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r[1].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(got, [("110100", "500.0"), ("100199", "150.25")]);

    // Pairs and years with nothing: no rows either way.
    assert!(same(&db, "AFG", "KAZ", None, 2, "comtrade").is_empty());
    assert!(same(
        &db,
        "KAZ",
        "AFG",
        Some(Years {
            from: 1995,
            to: 2000
        }),
        2,
        "baci"
    )
    .is_empty());
    assert!(same(&db, "FRA", "DEU", None, 6, "baci").is_empty());
    // An area with no country (697) is never a pair member; Taiwan (490) is.
    assert_eq!(same(&db, "TWN", "USA", None, 4, "baci").len(), 1);
    // The bundled reported figures are totals: no product rows, in either path.
    assert!(same(&db, "KAZ", "AFG", None, 2, "reported").is_empty());
}

#[test]
fn series_and_mirror_on_fixtures_answer_alike_with_hand_computed_values() {
    let home = tempfile::tempdir().unwrap();
    let levels = comtrade_levels(home.path());
    // The Comtrade fixture moved to 2022, the year of the BACI fixture, so that the mirror has
    // BACI's value beside the declarations.
    let api = std::fs::read_to_string(fixture("comtrade_api.csv"))
        .unwrap()
        .replace("C,A,20230101,2023,52,2023,", "C,A,20220101,2022,52,2022,");
    let api_path = home.path().join("comtrade_2022.csv");
    std::fs::write(&api_path, api).unwrap();
    ingest(
        home.path(),
        &[fixture("baci_release.zip"), levels, api_path],
        None,
        &Registry::bundled(),
        &Quiet,
    )
    .unwrap();
    let db = Db::open(Some(home.path()), &Registry::bundled()).unwrap();

    // KAZ and AFG: BACI 2022 KAZ -> AFG is 41,235,127 + 9,876,500 = 51,111,627 USD; Comtrade
    // 2022 KAZ's export declaration is its TOTAL row (512,345,678.9), AFG's import declaration
    // 530,000,000; Comtrade 2023 (the levels file) is its TOTAL, 5,000, never its 2-, 4- or
    // 6-digit rows.
    let rows = same_series(&db, "KAZ", "AFG", None);
    // KAZ -> AFG (AFG -> KAZ has rows of its own).
    let pick = |year: &str, source: &str, reporter: &str| -> Vec<&str> {
        rows.iter()
            .filter(|r| r[0] == year && r[1] == "KAZ" && r[5] == source && r[7] == reporter)
            .map(|r| r[4].as_str())
            .collect()
    };
    assert_eq!(pick("2022", "baci", "baci"), ["51111627.0"]);
    assert_eq!(pick("2022", "comtrade", "KAZ"), ["512345678.9"]);
    assert_eq!(pick("2022", "comtrade", "AFG"), ["530000000.0"]);
    assert_eq!(pick("2023", "comtrade", "KAZ"), ["5000.0"]);
    // Either order of the countries: the same rows.
    let mut back = same_series(&db, "AFG", "KAZ", None);
    let mut there = rows.clone();
    back.sort();
    there.sort();
    assert_eq!(back, there);
    // The bundled reported figures (turnover and declared flows with their URLs) are in the
    // series of both paths.
    let reported = same_series(&db, "AFG", "PAK", None);
    assert!(reported
        .iter()
        .any(|r| r[5] == "reported" && !r[8].is_empty()));

    // Mirror 2022: 512,345,678.9 declared exported, 530,000,000 declared imported, BACI's
    // 51,111,627 beside them; 2023 has no import declaration, so no row.
    let m = same_mirror(&db, "KAZ", "AFG", None);
    assert_eq!(m.len(), 1);
    assert_eq!(
        m[0][..3],
        ["2022", "512345678.9", "530000000.0"].map(String::from)
    );
    assert_eq!(m[0][5], "51111627.0");
    let ratio: f64 = m[0][3].parse().unwrap();
    assert_eq!(ratio, 530_000_000.0 / 512_345_678.9);
    assert!(same_mirror(&db, "AFG", "KAZ", None).is_empty());

    // Partners 2022: KAZ's BACI exports to AFG are the 51,111,627 above; its own Comtrade
    // declaration is its TOTAL (512,345,678.9), not the 110100 row beside it; AFG declares
    // imports from KAZ of 530,000,000, all of its declared imports: share 1.
    let y2022 = Years::single(2022);
    let p = same_partners(&db, "KAZ", Direction::Export, y2022, 10, "baci");
    let afg = p.iter().find(|r| r[0] == "AFG").unwrap();
    assert_eq!(afg[1..3], ["Afghanistan", "51111627.0"]);
    let p = same_partners(&db, "KAZ", Direction::Export, y2022, 10, "comtrade");
    assert_eq!(
        p[0][..3],
        ["AFG", "Afghanistan", "512345678.9"].map(String::from)
    );
    let p = same_partners(&db, "AFG", Direction::Import, y2022, 10, "comtrade");
    assert_eq!(
        p,
        [["KAZ", "Kazakhstan", "530000000.0", "1.0"]
            .map(String::from)
            .to_vec()]
    );
    // KAZ's own import declaration: dried grapes from AFG, 3,456,789.1 (AFG's declaration of
    // exports to KAZ, none here, would not count).
    let p = same_partners(&db, "KAZ", Direction::Import, y2022, 10, "comtrade");
    assert_eq!(
        p,
        [["AFG", "Afghanistan", "3456789.1", "1.0"]
            .map(String::from)
            .to_vec()]
    );
    assert!(same_partners(&db, "KAZ", Direction::Export, y2022, 0, "baci").is_empty());

    // Nothing: countries with no flows, years outside the store, a country with itself.
    assert!(same_series(&db, "FRA", "DEU", None).is_empty());
    let old = Some(Years {
        from: 1995,
        to: 2000,
    });
    assert!(same_series(&db, "KAZ", "AFG", old).is_empty());
    assert!(same_mirror(&db, "KAZ", "AFG", old).is_empty());
    assert!(same_series(&db, "KAZ", "KAZ", None).is_empty());
    assert!(same_mirror(&db, "FRA", "DEU", None).is_empty());
    let old = Years {
        from: 1995,
        to: 2000,
    };
    assert!(same_partners(&db, "KAZ", Direction::Export, old, 10, "baci").is_empty());
    assert!(same_partners(&db, "FRA", Direction::Import, y2022, 10, "baci").is_empty());
    let y2023 = same_series(&db, "KAZ", "AFG", Some(Years::single(2023)));
    assert!(y2023.iter().all(|r| r[0] == "2023"));
    assert_eq!(y2023.iter().filter(|r| r[5] == "comtrade").count(), 1);

    // Partner series: KAZ's exports to AFG by year, as BACI has them (2022: 51,111,627), as KAZ
    // declared them (2022: its TOTAL row; 2023: its TOTAL, 5,000, the lowest level), and AFG's
    // imports from KAZ as AFG declared them (2022: 530,000,000).
    let to_afg = |rows: Vec<Vec<String>>| -> Vec<(String, String)> {
        rows.into_iter()
            .filter(|r| r[0] == "AFG")
            .map(|r| (r[1].clone(), r[2].clone()))
            .collect()
    };
    let s = |a: &str, b: &str| (a.to_string(), b.to_string());
    let baci = same_partner_series(&db, "KAZ", Direction::Export, Declarer::Baci);
    assert_eq!(to_afg(baci), [s("2022", "51111627.0")]);
    let declared = same_partner_series(&db, "KAZ", Direction::Export, Declarer::Exporter);
    assert_eq!(
        to_afg(declared),
        [s("2022", "512345678.9"), s("2023", "5000.0")]
    );
    let afg = same_partner_series(&db, "AFG", Direction::Import, Declarer::Importer);
    assert_eq!(
        afg,
        [["KAZ", "2022", "530000000.0"].map(String::from).to_vec()]
    );
    // AFG's imports as KAZ declared its exports are not AFG's declarations.
    assert!(
        same_partner_series(&db, "AFG", Direction::Import, Declarer::Exporter)
            .iter()
            .all(|r| r[0] != "KAZ" || r[2] != "530000000.0")
    );
    assert!(same_partner_series(&db, "FRA", Direction::Export, Declarer::Baci).is_empty());

    // A store written before pair totals existed (its manifest lists none, or lists them for
    // some flow files only), and one whose totals cannot be read: the same answers, from the
    // flows where there are no totals.
    let answers = |db: &Db| {
        (
            same_series(db, "KAZ", "AFG", None),
            same_mirror(db, "KAZ", "AFG", None),
            same_partners(db, "KAZ", Direction::Export, y2022, 10, "baci"),
            same_partners(db, "AFG", Direction::Import, y2022, 10, "comtrade"),
            same_partner_series(db, "KAZ", Direction::Export, Declarer::Exporter),
            same_partner_series(db, "AFG", Direction::Import, Declarer::Importer),
        )
    };
    // `pair_totals` is `flows`' annual rows summed over products, whatever the store has.
    let same_pair_totals = |db: &Db| {
        let keys = "exporter, importer, exporter_code, importer_code, year, source, \
                    classification, reporter, flow, source_url, product_level";
        let order = "ORDER BY exporter, importer, exporter_code, importer_code, year, source, \
                     classification, reporter, flow, source_url, product_level";
        let from_table = table(
            &db.sql(&format!("SELECT * FROM pair_totals {order}"))
                .unwrap(),
        );
        let from_flows = table(
            &db.sql(&format!(
                "SELECT {keys}, sum(value_usd) AS value_usd FROM flows WHERE month IS NULL \
                 GROUP BY {keys} {order}"
            ))
            .unwrap(),
        );
        assert_eq!(from_table, from_flows);
        assert!(!from_table.1.is_empty());
        from_table.1
    };
    let totals_rows = same_pair_totals(&db);
    // BACI 2022 KAZ -> AFG, 41,235,127 + 9,876,500 USD at 6 digits, is one row.
    assert!(totals_rows.iter().any(|r| r[..2] == ["KAZ", "AFG"]
        && r[4] == "2022"
        && r[5] == "baci"
        && r[11] == "51111627.0"));
    let with_totals = answers(&db);
    let store = Store::new(home.path());
    let written = store.manifest().unwrap();
    assert!(written.total_files().count() > 0);
    let reopen_with = |manifest: &dyad_trade::store::Manifest| {
        std::fs::write(
            store.root().join("manifest.json"),
            serde_json::to_vec(manifest).unwrap(),
        )
        .unwrap();
        Db::open(Some(home.path()), &Registry::bundled()).unwrap()
    };
    // Totals for some flow files only (an old store added to): the others stand for
    // themselves.
    let mut mixed = written.clone();
    mixed
        .units
        .values_mut()
        .find(|u| !u.totals.is_empty())
        .unwrap()
        .totals
        .clear();
    assert!(mixed.total_files().count() > 0);
    let mixed_db = reopen_with(&mixed);
    assert_eq!(answers(&mixed_db), with_totals);
    assert_eq!(same_pair_totals(&mixed_db), totals_rows);
    // None at all.
    let mut old = written.clone();
    for unit in old.units.values_mut() {
        unit.totals.clear();
    }
    assert_eq!(answers(&reopen_with(&old)), with_totals);
    // A totals file lost (a damaged store): the questions answer from the flows.
    let lost = written.total_files().next().unwrap().to_string();
    std::fs::remove_file(store.root().join(lost)).unwrap();
    assert_eq!(answers(&reopen_with(&written)), with_totals);
}

#[test]
fn series_and_mirror_without_a_store_answer_alike() {
    // The bundled reported figures alone.
    let db = Db::open(None, &Registry::bundled()).unwrap();
    let count = |sql: &str| table(&db.sql(sql).unwrap()).1[0][0].clone();
    // Their pair totals: the reported figures are one row a key already.
    assert_eq!(
        count("SELECT count(*) FROM pair_totals"),
        count(
            "SELECT count(*) FROM (SELECT DISTINCT exporter, importer, exporter_code, \
             importer_code, year, source, classification, reporter, flow, source_url, \
             product_level FROM flows WHERE month IS NULL)"
        )
    );
    assert!(!same_series(&db, "AFG", "PAK", None).is_empty());
    same_series(&db, "AFG", "IRN", Some(Years::single(2020)));
    assert!(same_mirror(&db, "AFG", "PAK", None).is_empty());
}

#[test]
fn a_level_other_than_2_4_6_is_refused() {
    let db = Db::open(None, &Registry::bundled()).unwrap();
    assert!(db.products_by_year("KAZ", "AFG", None, 3, "baci").is_err());
    assert!(db.products("KAZ", "AFG", 2022, 5, "baci").is_err());
}

/// A generated release: 3 years of 30,000 rows (about 30 pages a file), plus the Comtrade
/// fixture, so that sources and classifications mix.
static GENERATED: LazyLock<(tempfile::TempDir, Db, Vec<String>)> = LazyLock::new(|| {
    let dir = tempfile::tempdir().unwrap();
    let rel = dir.path().join("release");
    let spec = Spec {
        rows_per_year: 30_000,
        first_year: 2019,
        last_year: 2021,
        products: 400,
        seed: 5,
    };
    generate(&rel, &spec).unwrap();
    let home = dir.path().join("home");
    ingest(
        &home,
        &[rel, fixture("comtrade_api.csv")],
        None,
        &Registry::bundled(),
        &Quiet,
    )
    .unwrap();
    let db = Db::open(Some(&home), &Registry::bundled()).unwrap();
    let countries = table(
        &db.sql("SELECT DISTINCT exporter FROM flows WHERE exporter IS NOT NULL ORDER BY exporter")
            .unwrap(),
    )
    .1
    .into_iter()
    .map(|r| r[0].clone())
    .collect();
    (dir, db, countries)
});

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any pair (present or not), level, source and years: the fast path is the SQL.
    #[test]
    fn generated_store_answers_alike(
        e in 0usize..1000,
        i in 0usize..1000,
        level in prop::sample::select(vec![2u8, 4, 6]),
        source in prop::sample::select(vec!["baci", "comtrade"]),
        years in prop::option::of((2017i32..2023, 0i32..3)),
    ) {
        let (_, db, countries) = &*GENERATED;
        let (e, i) = (&countries[e % countries.len()], &countries[i % countries.len()]);
        let years = years.map(|(from, n)| Years { from, to: from + n });
        same(db, e, i, years, level, source);
    }

    /// Any pair (present or not) and years: series and mirror are the SQL.
    #[test]
    fn generated_store_series_and_mirror_answer_alike(
        e in 0usize..1000,
        i in 0usize..1000,
        years in prop::option::of((2017i32..2025, 0i32..3)),
    ) {
        let (_, db, countries) = &*GENERATED;
        let (e, i) = (&countries[e % countries.len()], &countries[i % countries.len()]);
        let years = years.map(|(from, n)| Years { from, to: from + n });
        same_series(db, e, i, years);
        same_mirror(db, e, i, years);
    }

    /// Any country (trading or not), direction, years, top and source: partners are the SQL.
    #[test]
    fn generated_store_partners_answer_alike(
        c in 0usize..1000,
        export in any::<bool>(),
        from in 2017i32..2025,
        n in 0i32..3,
        top in 0usize..300,
        source in prop::sample::select(vec!["baci", "comtrade", "reported"]),
    ) {
        let (_, db, countries) = &*GENERATED;
        let c = &countries[c % countries.len()];
        let direction = if export { Direction::Export } else { Direction::Import };
        same_partners(db, c, direction, Years { from, to: from + n }, top, source);
    }

    /// Any country, direction and declarer: the partner series is the SQL.
    #[test]
    fn generated_store_partner_series_answer_alike(
        c in 0usize..1000,
        export in any::<bool>(),
        who in prop::sample::select(vec![Declarer::Baci, Declarer::Importer, Declarer::Exporter]),
    ) {
        let (_, db, countries) = &*GENERATED;
        let c = &countries[c % countries.len()];
        let direction = if export { Direction::Export } else { Direction::Import };
        same_partner_series(db, c, direction, who);
    }
}

#[test]
fn the_fast_path_answers_alike_on_the_blocking_pool() {
    // A server runs the fast path on tokio's blocking pool: the same answers as on the
    // caller's task, on a store large enough to read on two threads there too.
    let (dir, inline, countries) = &*GENERATED;
    let home = dir.path().join("home");
    let pooled = Db(dyad_trade::TradeDb::open(Some(&home), &Registry::bundled())
        .unwrap()
        .offload_fast_path());
    let mut rows = 0;
    for (a, b) in countries.iter().zip(countries.iter().skip(1)).take(6) {
        let series = table(&pooled.series(a, b, None).unwrap());
        assert_eq!(
            series,
            table(&inline.series(a, b, None).unwrap()),
            "{a} {b}"
        );
        let products = table(&pooled.products_by_year(a, b, None, 4, "baci").unwrap());
        let want = table(&inline.products_by_year(a, b, None, 4, "baci").unwrap());
        assert_eq!(products, want, "{a} {b}");
        let mirror = table(&pooled.mirror(a, b, None).unwrap());
        assert_eq!(
            mirror,
            table(&inline.mirror(a, b, None).unwrap()),
            "{a} {b}"
        );
        let years = Years {
            from: 2019,
            to: 2021,
        };
        let partners = table(
            &pooled
                .partners(a, Direction::Import, years, 5, "baci")
                .unwrap(),
        );
        let want = table(
            &inline
                .partners(a, Direction::Import, years, 5, "baci")
                .unwrap(),
        );
        assert_eq!(partners, want, "{a}");
        rows += series.1.len() + products.1.len() + partners.1.len();
    }
    assert!(rows > 0, "the pairs compared had no rows at all");
}

#[test]
fn the_heaviest_generated_pairs_answer_alike() {
    let (_, db, _) = &*GENERATED;
    // The pairs with the most rows span several pages of a file.
    let (_, top) = table(
        &db.sql(
            "SELECT exporter, importer FROM flows WHERE exporter IS NOT NULL AND \
             importer IS NOT NULL GROUP BY exporter, importer ORDER BY count(*) DESC, \
             exporter, importer LIMIT 5",
        )
        .unwrap(),
    );
    for pair in top {
        for level in [2, 4, 6] {
            assert!(!same(db, &pair[0], &pair[1], None, level, "baci").is_empty());
        }
        assert!(!same_series(db, &pair[0], &pair[1], None).is_empty());
    }
    // KAZ -> AFG has Comtrade declarations of 2023 beside BACI's generated years: no BACI value
    // beside them.
    let m = same_mirror(db, "KAZ", "AFG", None);
    assert_eq!(m.len(), 1);
    assert_eq!((m[0][0].as_str(), m[0][5].as_str()), ("2023", ""));
    // KAZ -> AFG has Comtrade rows from the fixture: H6 110100 (301,234,567 USD) at 6 digits,
    // named from the file's cmdDesc.
    let rows = same(db, "KAZ", "AFG", None, 6, "comtrade");
    assert_eq!(
        rows[0][..4],
        ["2023", "110100", "Wheat or meslin flour", "301234567.0"]
    );
}

#[test]
fn a_file_of_several_row_groups_answers_alike() {
    // 300,000 rows in one file: two row groups (262,144 + 37,856), whose constant columns are
    // each encoded once for their size.
    let dir = tempfile::tempdir().unwrap();
    let rel = dir.path().join("release");
    let spec = Spec {
        rows_per_year: 300_000,
        first_year: 2020,
        last_year: 2020,
        products: 300,
        seed: 9,
    };
    let written = generate(&rel, &spec).unwrap();
    let home = dir.path().join("home");
    ingest(&home, &[rel], None, &Registry::bundled(), &Quiet).unwrap();
    let db = Db::open(Some(&home), &Registry::bundled()).unwrap();
    let (_, rows) = table(
        &db.sql(
            "SELECT count(*), count(DISTINCT source), min(source), min(classification), \
             min(release), min(year), count(month), min(unit), min(reporter), min(flow), \
             min(product_level), max(product_level), count(note) FROM flows \
             WHERE source = 'baci'",
        )
        .unwrap(),
    );
    assert_eq!(
        rows[0],
        [
            written[0].1.to_string().as_str(),
            "1",
            "baci",
            "HS17",
            "V000000",
            "2020",
            "0",
            "t",
            "baci",
            "X",
            "6",
            "6",
            "0"
        ]
    );
    let (_, top) = table(
        &db.sql(
            "SELECT exporter, importer FROM flows WHERE exporter IS NOT NULL AND \
             importer IS NOT NULL GROUP BY exporter, importer ORDER BY count(*) DESC, \
             exporter, importer LIMIT 3",
        )
        .unwrap(),
    );
    for pair in top {
        assert!(!same(&db, &pair[0], &pair[1], None, 2, "baci").is_empty());
        assert!(!same_series(&db, &pair[0], &pair[1], None).is_empty());
    }
}

/// Pages are 1,024 rows and files are sorted by exporter, importer and product (ISO3 codes), so a
/// release written by hand puts pairs across page boundaries in known places, in each year:
/// AFG->ALB (700 rows) and AFG->ARG (324) fill page 0, whose exporter alone is proven by its
/// statistics; AFG->DZA (5,000 rows) starts on a page boundary, fills three pages whose
/// statistics prove the pair (neither exporter nor importer is read there) and ends inside a
/// page it shares with AFG->area 697 (no country: a null importer) and ALB->AFG (3,000 rows,
/// starting and ending inside pages); area 697->AFG (a null exporter) comes last.
#[test]
fn pairs_across_page_boundaries_answer_alike() {
    let dir = tempfile::tempdir().unwrap();
    let rel = dir.path().join("release");
    let spec = Spec {
        rows_per_year: 10,
        first_year: 2020,
        last_year: 2021,
        products: 5000,
        seed: 3,
    };
    // The dictionaries of a generated release; its year files are replaced.
    let written = generate(&rel, &spec).unwrap();
    let codes = dyad_trade::generate::product_codes(5000);
    let mut x: u64 = 1;
    for ((path, _), year) in written.iter().zip(2020..) {
        let mut text = String::from("t,i,j,k,v,q\n");
        for (i, j, n, from) in [
            (4, 8, 700, 0),
            (4, 32, 324, 7),
            (4, 12, 5000, 0),
            (4, 697, 50, 3),
            (8, 4, 3000, 11),
            (697, 4, 100, 5),
        ] {
            for p in 0..n {
                x = x
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let v = (x >> 44) as f64 / 1000.0;
                let code = &codes[(from + p * 7) % codes.len()];
                text.push_str(&format!("{year},{i},{j},{code},{v:.3},1.5\n"));
            }
        }
        std::fs::write(path, text).unwrap();
    }
    let home = dir.path().join("home");
    ingest(&home, &[rel], None, &Registry::bundled(), &Quiet).unwrap();
    let db = Db::open(Some(&home), &Registry::bundled()).unwrap();
    let (_, counts) = table(
        &db.sql(
            "SELECT exporter, importer, count(*) FROM flows WHERE year = 2020 \
             AND source = 'baci' GROUP BY exporter, importer ORDER BY exporter, importer",
        )
        .unwrap(),
    );
    let want: Vec<Vec<String>> = [
        ("AFG", "ALB", "700"),
        ("AFG", "ARG", "324"),
        ("AFG", "DZA", "5000"),
        ("AFG", "", "50"),
        ("ALB", "AFG", "3000"),
        ("", "AFG", "100"),
    ]
    .iter()
    .map(|(e, i, n)| vec![e.to_string(), i.to_string(), n.to_string()])
    .collect();
    assert_eq!(counts, want);
    let years = [
        None,
        Some(Years {
            from: 2021,
            to: 2021,
        }),
    ];
    for e in ["AFG", "ALB", "ARG", "DZA"] {
        for i in ["AFG", "ALB", "ARG", "DZA"] {
            for level in [2, 4, 6] {
                for y in years {
                    same(&db, e, i, y, level, "baci");
                }
            }
            for y in years {
                same_series(&db, e, i, y);
                same_mirror(&db, e, i, y);
            }
        }
    }
    // Partners in 2020: AFG's exports to area 697 (no country: a null importer, 50 rows) are a
    // row of their own, named from the area table.
    for c in ["AFG", "ALB", "ARG", "DZA", "ZWE"] {
        for direction in [Direction::Export, Direction::Import] {
            same_partners(&db, c, direction, Years::single(2020), 10, "baci");
        }
    }
    let p = same_partners(
        &db,
        "AFG",
        Direction::Export,
        Years::single(2020),
        10,
        "baci",
    );
    let partners: Vec<&str> = p.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(partners, ["DZA", "ALB", "ARG", "area 697"]);

    // Every product of AFG->DZA at 6 digits, in both years.
    assert_eq!(same(&db, "AFG", "DZA", None, 6, "baci").len(), 10_000);
    assert_eq!(same(&db, "AFG", "ALB", None, 6, "baci").len(), 1_400);
    assert_eq!(same(&db, "ALB", "AFG", None, 6, "baci").len(), 6_000);
}
