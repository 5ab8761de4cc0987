//! End-to-end tests of `dyad trade ...` and `dyad sql`, running the real binary on the fixtures
//! of `crates/dyad-trade/tests/fixtures/` (golden values worked out by hand from their rows).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dyad(home: Option<&Path>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dyad"));
    c.args(args).env_remove("DYAD_HOME");
    if let Some(h) = home {
        c.arg("--home").arg(h);
    }
    c.output().expect("dyad runs")
}

fn ok(home: Option<&Path>, args: &[&str]) -> String {
    let out = dyad(home, args);
    assert!(
        out.status.success(),
        "dyad {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The rows of a trade answer in JSON (the document `/api/trade/...` answers with).
fn json(home: Option<&Path>, args: &[&str]) -> Vec<serde_json::Value> {
    serde_json::from_str::<serde_json::Value>(&ok(home, args)).expect("valid JSON")["rows"]
        .as_array()
        .unwrap()
        .clone()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../dyad-trade/tests/fixtures")
        .join(name)
}

#[test]
fn series_kaz_afg_answers_from_the_bundled_figures() {
    let rows = json(
        None,
        &[
            "trade",
            "series",
            "KAZ",
            "AFG",
            "--years",
            "2022-2022",
            "--format",
            "json",
        ],
    );
    // afghanistan_partner_trade_reported.csv, 2022: KAZ-AFG turnover 987,900,000 (Kazinform)
    // and AFG->KAZ import 9,100,000 (Astana Times).
    let find = |flow: &str| {
        rows.iter()
            .find(|r| r["flow"] == flow)
            .unwrap_or_else(|| panic!("{flow} in {rows:?}"))
    };
    // Numbers are JSON numbers: a year an integer, a value a number.
    assert_eq!(find("T")["value_usd"].as_f64(), Some(987_900_000.0));
    assert_eq!(find("M")["value_usd"].as_f64(), Some(9_100_000.0));
    assert_eq!(find("M")["exporter"], "AFG");
    for r in &rows {
        assert!(r["year"].is_i64(), "{r}");
        assert_eq!(r["year"], 2022);
        assert!(r["value_usd"].is_f64(), "{r}");
    }
    assert_eq!(rows.len(), 2);

    // The document around the rows is `/api/trade/series`'s: the pair as resolved, the years,
    // and how many rows the store holds (none without a home: the bundled figures only).
    let doc: serde_json::Value = serde_json::from_str(&ok(
        None,
        &[
            "trade", "series", "kaz", "4", "--years", "2022", "--format", "json",
        ],
    ))
    .unwrap();
    assert_eq!((&doc["a"], &doc["b"]), (&"KAZ".into(), &"AFG".into()));
    assert_eq!(doc["years"], "2022");
    assert_eq!(doc["store_rows"], 0);
    assert_eq!(doc["rows"].as_array().unwrap(), &rows);
}

#[test]
fn ingest_then_query_every_command() {
    let home = tempfile::tempdir().unwrap();
    let h = Some(home.path());
    let out = ok(
        h,
        &[
            "trade",
            "ingest",
            fixture("baci_release.zip").to_str().unwrap(),
            fixture("comtrade_api.csv").to_str().unwrap(),
        ],
    );
    assert!(out.contains("added baci/HS17/2022: 6 rows"), "{out}");
    assert!(out.contains("skipped 2 Comtrade rows"), "{out}");
    // Again: the same units are replaced, not doubled.
    let out = ok(
        h,
        &["trade", "ingest", fixture("baci_release").to_str().unwrap()],
    );
    assert!(out.contains("replaced baci/HS17/2022: 6 rows"), "{out}");

    let p = json(
        h,
        &[
            "trade", "products", "KAZ", "AFG", "--year", "2022", "--level", "4", "--format", "json",
        ],
    );
    // 110100 (41,235,127 USD) and 100199 (9,876,500 USD) at 4 digits: 1101 then 1001.
    assert_eq!(p[0]["product"], "1101");
    assert_eq!(p[0]["value_usd"].as_f64(), Some(41_235_127.0));
    assert_eq!(p[1]["product"], "1001");
    assert_eq!(p[1]["value_usd"].as_f64(), Some(9_876_500.0));
    // Every year by HS2 (the fixture has 2022 only), with the same figures, through the fast path
    // and through SQL alike; `--repeat` prints its timings to standard error.
    let args = [
        "trade", "products", "KAZ", "AFG", "--level", "2", "--format", "csv",
    ];
    let fast = ok(h, &args);
    assert_eq!(
        fast.lines().take(3).collect::<Vec<_>>(),
        [
            "year,product,name,value_usd,share,classification,reporter",
            "2022,11,,41235127,0.806766080837145,HS17,baci",
            "2022,10,,9876500,0.19323391916285507,HS17,baci",
        ]
    );
    assert_eq!(ok(h, &[&args[..], &["--sql"]].concat()), fast);
    let timed = dyad(h, &[&args[..], &["--repeat", "3"]].concat());
    assert!(timed.status.success());
    assert_eq!(String::from_utf8(timed.stdout).unwrap(), fast);
    assert!(String::from_utf8(timed.stderr)
        .unwrap()
        .starts_with("runs=3 p50_ms="));

    let csv = ok(
        h,
        &[
            "trade",
            "partners",
            "KAZ",
            "--flow",
            "export",
            "--years",
            "2022-2022",
            "--format",
            "csv",
        ],
    );
    assert_eq!(csv.lines().next(), Some("partner,name,value_usd,share"));
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .starts_with("AFG,Afghanistan,51111627,1"),
        "{csv}"
    );

    let m = json(h, &["trade", "mirror", "KAZ", "AFG", "--format", "json"]);
    assert_eq!(m[0]["exports_reported"].as_f64(), Some(512_345_678.9));
    assert_eq!(m[0]["imports_reported"].as_f64(), Some(530_000_000.0));
    assert_eq!(m[0]["year"], 2023);

    let s = ok(
        h,
        &[
            "sql",
            "SELECT count(*) AS n FROM flows WHERE source = 'baci'",
            "--format",
            "csv",
        ],
    );
    assert_eq!(s, "n\n6\n");
    let bad = dyad(h, &["sql", "DROP TABLE flows"]);
    assert!(!bad.status.success());

    let out_file = home.path().join("series.parquet");
    ok(
        h,
        &[
            "trade",
            "series",
            "KAZ",
            "AFG",
            "--format",
            "parquet",
            "--out",
            out_file.to_str().unwrap(),
        ],
    );
    let bytes = std::fs::read(&out_file).unwrap();
    assert_eq!(&bytes[..4], b"PAR1");
}

/// A saved Comtrade API response (`fixtures/comtrade_api.json`: the records of
/// `comtrade_api.csv` as the API writes them) answers as the CSV does.
#[test]
fn a_comtrade_api_response_is_ingested_and_queried() {
    let dir = tempfile::tempdir().unwrap();
    let json_home = dir.path().join("json");
    let out = ok(
        Some(&json_home),
        &[
            "trade",
            "ingest",
            fixture("comtrade_api.json").to_str().unwrap(),
        ],
    );
    // The World partner row and the mode-of-transport breakdown are skipped; KAZ declares 3
    // flows and AFG 1.
    assert!(out.contains("added comtrade/KAZ/2023/A: 3 rows"), "{out}");
    assert!(out.contains("added comtrade/AFG/2023/A: 1 rows"), "{out}");
    assert!(out.contains("skipped 2 Comtrade rows"), "{out}");
    let h = Some(json_home.as_path());
    // KAZ's TOTAL export declaration, 512,345,678.9 USD, against AFG's import declaration of
    // 530,000,000 USD.
    let m = json(h, &["trade", "mirror", "KAZ", "AFG", "--format", "json"]);
    assert_eq!(m.len(), 1);
    // Numbers are JSON numbers (they were strings before the one view layer).
    assert_eq!(m[0]["year"], 2023);
    assert_eq!(m[0]["exports_reported"].as_f64(), Some(512_345_678.9));
    assert_eq!(m[0]["imports_reported"].as_f64(), Some(530_000_000.0));
    let partners = [
        "trade",
        "partners",
        "KAZ",
        "--flow",
        "export",
        "--years",
        "2023-2023",
        "--source",
        "comtrade",
        "--format",
        "csv",
    ];
    let p = ok(h, &partners);
    assert!(
        p.lines()
            .nth(1)
            .unwrap()
            .starts_with("AFG,Afghanistan,512345678.9,1"),
        "{p}"
    );
    let products = [
        "trade", "products", "KAZ", "AFG", "--year", "2023", "--source", "comtrade", "--format",
        "csv",
    ];
    let from_json = ok(h, &products);

    // The same records from the CSV: the same answers.
    let csv_home = dir.path().join("csv");
    ok(
        Some(&csv_home),
        &[
            "trade",
            "ingest",
            fixture("comtrade_api.csv").to_str().unwrap(),
        ],
    );
    let c = Some(csv_home.as_path());
    assert_eq!(ok(c, &products), from_json);
    assert_eq!(ok(c, &partners), p);
    assert_eq!(
        json(c, &["trade", "mirror", "KAZ", "AFG", "--format", "json"]),
        m
    );

    // A bad value in the last record (a string where the value goes): named by record and
    // field, and the store is as it was.
    let manifest = std::fs::read(json_home.join("trade/manifest.json")).unwrap();
    let bad = dir.path().join("bad.json");
    let text = std::fs::read_to_string(fixture("comtrade_api.json")).unwrap();
    std::fs::write(
        &bad,
        text.replacen(
            "\"primaryValue\": 530000000.0",
            "\"primaryValue\": \"n/a\"",
            1,
        ),
    )
    .unwrap();
    let out = dyad(h, &["trade", "ingest", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.json:294:13: data[5].primaryValue: `n/a` is not a value in US dollars"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(json_home.join("trade/manifest.json")).unwrap(),
        manifest
    );
}

#[test]
fn a_bad_file_fails_with_its_line_and_changes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let h = Some(home.path());
    ok(
        h,
        &["trade", "ingest", fixture("baci_release").to_str().unwrap()],
    );
    let manifest = std::fs::read(home.path().join("trade/manifest.json")).unwrap();
    let out = dyad(
        h,
        &[
            "trade",
            "ingest",
            fixture("comtrade_mixed.csv").to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("comtrade_mixed.csv:3:18"), "{err}");
    assert_eq!(
        std::fs::read(home.path().join("trade/manifest.json")).unwrap(),
        manifest
    );
}

#[test]
fn generate_writes_a_readable_release() {
    let dir = tempfile::tempdir().unwrap();
    let rel = dir.path().join("rel");
    let out = ok(
        None,
        &[
            "trade",
            "generate",
            rel.to_str().unwrap(),
            "--rows",
            "20000",
            "--years",
            "2020-2021",
        ],
    );
    assert_eq!(out.lines().count(), 2, "{out}");
    let home = dir.path().join("home");
    let out = ok(Some(&home), &["trade", "ingest", rel.to_str().unwrap()]);
    assert!(
        out.contains("baci/HS17/2020") && out.contains("baci/HS17/2021"),
        "{out}"
    );
    // The generator is deterministic: the same seed writes the same bytes.
    let again = dir.path().join("again");
    ok(
        None,
        &[
            "trade",
            "generate",
            again.to_str().unwrap(),
            "--rows",
            "20000",
            "--years",
            "2020-2021",
        ],
    );
    let a = std::fs::read(rel.join("BACI_HS17_Y2021_V000000.csv")).unwrap();
    let b = std::fs::read(again.join("BACI_HS17_Y2021_V000000.csv")).unwrap();
    assert_eq!(a, b);
}

fn count(home: &Path) -> u64 {
    ok(
        Some(home),
        &[
            "sql",
            "SELECT count(*) AS n FROM flows WHERE source = 'baci'",
            "--format",
            "csv",
        ],
    )
    .lines()
    .nth(1)
    .unwrap()
    .parse()
    .unwrap()
}

#[test]
fn a_killed_ingest_leaves_the_previous_store() {
    let dir = tempfile::tempdir().unwrap();
    let rel = dir.path().join("rel");
    ok(
        None,
        &[
            "trade",
            "generate",
            rel.to_str().unwrap(),
            "--rows",
            "200000",
            "--years",
            "2001-2004",
        ],
    );
    let home = dir.path().join("home");
    ok(
        Some(&home),
        &["trade", "ingest", fixture("baci_release").to_str().unwrap()],
    );
    assert_eq!(count(&home), 6);
    let mut seen = Vec::new();
    for delay_ms in [50, 300, 1000] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dyad"))
            .args([
                "--home",
                home.to_str().unwrap(),
                "trade",
                "ingest",
                rel.to_str().unwrap(),
            ])
            .env_remove("DYAD_HOME")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        seen.push(count(&home));
    }
    // The next ingest clears what a killed one left and keeps only listed files.
    ok(Some(&home), &["trade", "ingest", rel.to_str().unwrap()]);
    let full = count(&home);
    assert!(full > 6);
    // Whatever the moment of each kill, the store was the old one or the whole new one.
    for n in seen {
        assert!(n == 6 || n == full, "half an ingest is visible: {n} rows");
    }
    let manifest = std::fs::read_to_string(home.join("trade/manifest.json")).unwrap();
    let mut files = Vec::new();
    collect(&home.join("trade/flows"), &mut files);
    collect(&home.join("trade/products"), &mut files);
    for f in &files {
        let rel = f
            .strip_prefix(home.join("trade"))
            .unwrap()
            .to_string_lossy()
            .to_string();
        assert!(manifest.contains(&rel), "{rel} is not in the manifest");
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn migrate_writes_the_pair_totals_an_old_store_lacks() {
    let home = tempfile::tempdir().unwrap();
    let h = Some(home.path());
    ok(
        h,
        &[
            "trade",
            "ingest",
            fixture("baci_release.zip").to_str().unwrap(),
        ],
    );
    let partners = |h| {
        ok(
            h,
            &[
                "trade",
                "partners",
                "KAZ",
                "--years",
                "2022-2022",
                "--format",
                "csv",
            ],
        )
    };
    let before = partners(h);
    // BACI 2022: KAZ's exports to AFG, 41,235,127 + 9,876,500 USD.
    assert!(before.contains("AFG,Afghanistan,51111627"), "{before}");
    // As a store written before pair totals: the manifest lists none.
    let manifest = home.path().join("trade/manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    let mut removed = 0;
    for unit in m["units"].as_object_mut().unwrap().values_mut() {
        removed += usize::from(unit.as_object_mut().unwrap().remove("totals").is_some());
    }
    assert_eq!(removed, 1);
    std::fs::write(&manifest, serde_json::to_vec(&m).unwrap()).unwrap();
    // Read row by row: the same answer, and reading writes nothing.
    assert_eq!(partners(h), before);
    let unchanged = std::fs::read(&manifest).unwrap();
    assert_eq!(unchanged, serde_json::to_vec(&m).unwrap());
    let out = ok(h, &["migrate"]);
    assert!(out.contains("wrote pair totals for 1 flow file "), "{out}");
    // A home with a trade store and no ledger gets no ledger.
    assert!(!home.path().join("ledger.sqlite").exists());
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    for u in m["units"].as_object().unwrap().values() {
        let flows = u["flows"].as_array().unwrap().len();
        let totals = u
            .get("totals")
            .and_then(|t| t.as_object())
            .map_or(0, |t| t.len());
        assert_eq!(flows, totals, "{u}");
    }
    assert_eq!(partners(h), before);
    let again = ok(h, &["migrate"]);
    assert!(again.contains("has its pair totals already"), "{again}");
}
