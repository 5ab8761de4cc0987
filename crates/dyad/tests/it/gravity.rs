//! End-to-end: `dyad gravity` on a CSV, in every output format, and its errors.

use std::io::Write;
use std::process::Command;

/// The binary, on the bundled ledger whatever the caller's environment says (`--politics`
/// reads the ledger).
fn dyad() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dyad"));
    c.env_remove("DYAD_HOME");
    c
}

/// Runs dyad expecting success; returns its standard output.
fn run_ok(args: &[&str]) -> Vec<u8> {
    let out = dyad().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs dyad expecting a failure; returns its standard error.
fn run_err(args: &[&str]) -> String {
    let out = dyad().args(args).output().unwrap();
    assert!(!out.status.success(), "{args:?} succeeded");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn first_estimate(json: &[u8]) -> f64 {
    let v: serde_json::Value = serde_json::from_slice(json).unwrap();
    v["coefficients"][0]["estimate"]
        .as_f64()
        .unwrap_or_else(|| panic!("{v}"))
}

fn small_csv() -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    writeln!(f, "exp,imp,year,value,dist").unwrap();
    let mut k = 0u32;
    for e in 0..5 {
        for i in 0..5 {
            if e == i {
                continue;
            }
            for y in 0..3 {
                k += 1;
                let dist = 100.0 + 50.0 * ((e * 3 + i * 7) % 11) as f64;
                let v = ((1000.0 / dist) * (1.0 + (k % 5) as f64)).round();
                writeln!(f, "E{e},I{i},{y},{v},{dist}").unwrap();
            }
        }
    }
    f
}

#[test]
fn json_csv_and_table_outputs() {
    let f = small_csv();
    let stdout = run_ok(&[
        "gravity",
        f.path().to_str().unwrap(),
        "--formula",
        "value ~ log(dist) | exp + imp + year",
        "--format",
        "json",
    ]);
    let j: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(j["model"], "poisson");
    assert_eq!(j["coefficients"][0]["term"], "log(dist)");
    assert_eq!(j["n_obs"], 60);
    assert_eq!(j["vcov_type"], "Clustered (exp)");
    let b = j["coefficients"][0]["estimate"].as_f64().unwrap();
    assert!(b < 0.0 && b > -3.0, "{b}");

    let stdout = run_ok(&[
        "gravity",
        f.path().to_str().unwrap(),
        "-f",
        "log(value) ~ log(dist) | exp + imp",
        "--model",
        "ols",
        "--vcov",
        "hetero",
        "--format",
        "csv",
    ]);
    let text = String::from_utf8(stdout).unwrap();
    assert!(
        text.starts_with("term,estimate,std_error,t_value,p_value"),
        "{text}"
    );
    assert!(text.contains("log(dist),"), "{text}");

    let stdout = run_ok(&[
        "gravity",
        f.path().to_str().unwrap(),
        "-f",
        "value ~ log(dist) | exp^year + imp^year",
        "--format",
        "table",
        "--vcov",
        "cluster:exp+imp",
    ]);
    let text = String::from_utf8(stdout).unwrap();
    assert!(
        text.contains("2-way (exp & imp)") && text.contains("log(dist)"),
        "{text}"
    );
}

/// A CSV that comes through a pipe (read whole, as it cannot be read again from its start)
/// gives the same output as the same CSV in a file (read a block at a time).
#[cfg(unix)]
#[test]
fn csv_through_a_pipe_equals_the_file() {
    let f = small_csv();
    let args = |input: &str| -> Vec<String> {
        [
            "gravity",
            input,
            "--formula",
            "value ~ log(dist) | exp + imp + year",
            "--format",
            "csv",
        ]
        .map(String::from)
        .to_vec()
    };
    let from_file = run_ok(
        &args(f.path().to_str().unwrap())
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    let out = dyad()
        .args(args("/dev/stdin"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            let bytes = std::fs::read(f.path())?;
            child.stdin.take().unwrap().write_all(&bytes)?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!from_file.is_empty());
    assert_eq!(out.stdout, from_file);
}

#[test]
fn clear_errors() {
    let f = small_csv();
    let run = |formula: &str| run_err(&["gravity", f.path().to_str().unwrap(), "-f", formula]);
    assert!(run("value ~ log(dist) | nope").contains("unknown column `nope`"));
    assert!(run("value ~ ").contains("bad formula"));
    assert!(run("value ~ log(dist) | exp^imp").contains("collinear with the fixed effects"));
}

/// The same published fixest result from a Parquet copy of fixest's `trade` data (read from
/// `../shared`, never copied into the repository): `fepois(Euros ~ log(dist_km) | Origin +
/// Destination + Product + Year)` gives −1.52787 with SE 0.115678 clustered by Origin.
#[test]
fn parquet_input_reproduces_fixest() {
    use std::sync::Arc;

    use dyad_trade::datafusion::arrow::array::{
        ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray,
    };
    use dyad_trade::datafusion::parquet::arrow::ArrowWriter;

    // fixest's trade data lives beside the repository (GPL-3), never in it.
    let Some(csv_path) = dyad_testkit::shared_file("data/gravity/fixest_trade.csv") else {
        return;
    };
    let file = std::fs::File::open(csv_path).unwrap();
    let mut r = csv::Reader::from_reader(file);
    let (mut dest, mut orig, mut prod, mut year, mut dist, mut euros) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for rec in r.records() {
        let rec = rec.unwrap();
        dest.push(rec[0].to_string());
        orig.push(rec[1].to_string());
        prod.push(rec[2].parse::<i64>().unwrap());
        year.push(rec[3].parse::<i64>().unwrap());
        dist.push(rec[4].parse::<f64>().unwrap());
        euros.push(rec[5].parse::<f64>().unwrap());
    }
    let batch = RecordBatch::try_from_iter([
        ("Destination", Arc::new(StringArray::from(dest)) as ArrayRef),
        ("Origin", Arc::new(StringArray::from(orig)) as ArrayRef),
        ("Product", Arc::new(Int64Array::from(prod)) as ArrayRef),
        ("Year", Arc::new(Int64Array::from(year)) as ArrayRef),
        ("dist_km", Arc::new(Float64Array::from(dist)) as ArrayRef),
        ("Euros", Arc::new(Float64Array::from(euros)) as ArrayRef),
    ])
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trade.parquet");
    let mut w =
        ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();

    let stdout = run_ok(&[
        "gravity",
        path.to_str().unwrap(),
        "--formula",
        "Euros ~ log(dist_km) | Origin + Destination + Product + Year",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    let text = v.to_string();
    let coef = v["coefficients"][0]["estimate"]
        .as_f64()
        .unwrap_or_else(|| panic!("{text}"));
    let se = v["coefficients"][0]["std_error"]
        .as_f64()
        .unwrap_or_else(|| panic!("{text}"));
    assert!((coef - (-1.52787)).abs() < 5e-6, "{coef}");
    assert!((se - 0.115678).abs() < 5e-7, "{se}");
}

/// Kazakhstan→Afghanistan quadruples from 2022 to 2023 while France→Afghanistan doubles; only
/// Kazakhstan received the Taliban's envoys in between (17 April 2023, per the bundled acts'
/// sources). With exporter and year fixed effects PPML gives exp(β) = (400/100)/(100/50): β = ln 2.
const DID_ROWS: [(&str, &str, &str, f64); 6] = [
    ("KAZ", "AFG", "2021", 100.0),
    ("KAZ", "AFG", "2022", 100.0),
    ("KAZ", "AFG", "2023", 400.0),
    ("FRA", "AFG", "2021", 50.0),
    ("FRA", "AFG", "2022", 50.0),
    ("FRA", "AFG", "2023", 100.0),
];

fn did_csv() -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    writeln!(f, "exporter,importer,year,value").unwrap();
    for (e, i, y, v) in DID_ROWS {
        writeln!(f, "{e},{i},{y},{v}").unwrap();
    }
    f
}

#[test]
fn politics_adds_sourced_variables_to_a_panel() {
    let f = did_csv();
    let out = run_ok(&["politics", f.path().to_str().unwrap()]);
    let mut rdr = csv::Reader::from_reader(out.as_slice());
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 6);
    let kaz_2022 = &rows[1];
    let kaz_2023 = &rows[2];
    assert_eq!(&kaz_2023[col("exp_authority")], "AFG-IEA");
    assert_eq!(&kaz_2022[col("exp_hosts_envoys")], "0");
    assert_eq!(&kaz_2023[col("exp_hosts_envoys")], "1");
    assert_eq!(&kaz_2023[col("exp_recognises")], "0");
    assert!(kaz_2023[col("exp_acts")].contains("KAZ/AFG-IEA/2023-04-17/envoy_accepted"));
    // France has no act toward the Emirate: zeros and no level.
    assert_eq!(&rows[5][col("exp_hosts_envoys")], "0");
    assert_eq!(&rows[5][col("exp_level")], "");

    let err = run_err(&[
        "politics",
        f.path().to_str().unwrap(),
        "--keys",
        "exp,imp,year",
    ]);
    assert!(err.contains("no column `exp`"), "{err}");
}

#[test]
fn gravity_with_political_variables_from_the_ledger() {
    let f = did_csv();
    let path = f.path().to_str().unwrap();
    let formula = "value ~ exp_hosts_envoys | exporter + year";
    let out = run_ok(&[
        "gravity",
        path,
        "--politics",
        "--formula",
        formula,
        "--format",
        "json",
    ]);
    let b = first_estimate(&out);
    assert!((b - 2f64.ln()).abs() < 1e-9, "{b}");
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["politics"]["rows_exp_covered"], 6);

    // Without --politics the variable is not in the file: the error says how to get it.
    let err = run_err(&["gravity", path, "--formula", formula]);
    assert!(err.contains("add --politics"), "{err}");
}

#[test]
fn gravity_on_the_trade_store_with_politics() {
    // The same panel as a BACI release (values in thousand USD), ingested into a home.
    let fixtures = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../dyad-trade/tests/fixtures/baci_release"
    );
    let home = tempfile::tempdir().unwrap();
    let rel = home.path().join("release");
    std::fs::create_dir(&rel).unwrap();
    for name in [
        "country_codes_V202201.csv",
        "product_codes_HS17_V202201.csv",
    ] {
        std::fs::copy(format!("{fixtures}/{name}"), rel.join(name)).unwrap();
    }
    let numeric = |c: &str| match c {
        "KAZ" => 398,
        "FRA" => 251,
        "AFG" => 4,
        _ => unreachable!(),
    };
    for year in ["2021", "2022", "2023"] {
        let mut f =
            std::fs::File::create(rel.join(format!("BACI_HS17_Y{year}_V202201.csv"))).unwrap();
        writeln!(f, "t,i,j,k,v,q").unwrap();
        for (e, i, y, v) in DID_ROWS.iter().filter(|r| r.2 == year) {
            writeln!(f, "{y},{},{},110100,{v},NA", numeric(e), numeric(i)).unwrap();
        }
    }
    let h = home.path().to_str().unwrap();
    run_ok(&["--home", h, "init", h]);
    run_ok(&["--home", h, "trade", "ingest", rel.to_str().unwrap()]);
    let out = run_ok(&[
        "--home",
        h,
        "gravity",
        "--sql",
        "SELECT exporter, importer, year, sum(value_usd) AS value FROM flows WHERE source = 'baci' GROUP BY exporter, importer, year",
        "--politics",
        "--formula",
        "value ~ exp_hosts_envoys | exporter + year",
        "--format",
        "json",
    ]);
    let b = first_estimate(&out);
    assert!((b - 2f64.ln()).abs() < 1e-9, "{b}");
}

#[test]
fn politics_reads_area_codes_both_sides_and_authority_periods() {
    let mut f = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    // BACI/Comtrade area codes (842 United States, 4 Afghanistan, 490 "Other Asia, nes" =
    // Taiwan, per FORMATS.md), the importer's side, the day Kabul fell, a month-dated act, a
    // missing time.
    write!(
        f,
        "exporter,importer,year,value\n842,4,2023,1\n4,490,2023,1\nAFG,KAZ,2023,1\nKAZ,AFG,2021-08-14,1\nKAZ,AFG,2021-08-15,1\nKGZ,AFG,2021-08-20,1\nKGZ,AFG,2021-08,1\nKAZ,AFG,NA,1\n"
    )
    .unwrap();
    let out_path = f.path().with_extension("out.csv");
    let out = dyad()
        .args(["politics", f.path().to_str().unwrap(), "-o"])
        .arg(&out_path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let notes = String::from_utf8_lossy(&out.stderr);
    // AFG-IRA's first act in the bundled file is dated 2021-08-20.
    assert!(
        notes.contains(
            "1 rows toward AFG-IRA are dated before the ledger's first act toward it (2021-08-20)"
        ),
        "{notes}"
    );
    let text = std::fs::read_to_string(&out_path).unwrap();
    std::fs::remove_file(&out_path).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let cell = |row: usize, name: &str| -> String {
        let c = headers.iter().position(|h| h == name).unwrap();
        rows[row][c].to_string()
    };
    // 842 is the United States: its acts toward the Emirate are cited.
    assert_eq!(cell(0, "exp_authority"), "AFG-IEA");
    assert!(cell(0, "exp_acts").contains("USA/AFG-IEA/2022-03-12/envoy_rejected"));
    // 490 is Taiwan, governed by the Republic of China.
    assert_eq!(cell(1, "exp_authority"), "TWN-ROC");
    assert_eq!(cell(1, "imp_authority"), "AFG-IEA");
    // The importer's side: Kazakhstan hosts the Emirate's envoys (17 April 2023).
    assert_eq!(cell(2, "imp_authority"), "AFG-IEA");
    assert_eq!(cell(2, "imp_hosts_envoys"), "1");
    assert_eq!(cell(2, "exp_authority"), "");
    // The Islamic Republic governs until Kabul fell on 15 August 2021.
    assert_eq!(cell(3, "exp_authority"), "AFG-IRA");
    assert_eq!(cell(4, "exp_authority"), "AFG-IEA");
    // Kyrgyzstan's embassy "kept working" in August 2021 (month only): inside the month the
    // mission is uncertain and not yet counted; at the month's end it is open.
    assert_eq!(cell(5, "exp_mission"), "0");
    assert_eq!(cell(5, "exp_uncertain"), "mission");
    assert_eq!(cell(6, "exp_mission"), "1");
    // A missing time gives empty cells, not an error.
    assert_eq!(cell(7, "exp_authority"), "");
    assert_eq!(cell(7, "exp_hosts_envoys"), "");
}

#[test]
fn politics_keys_are_given_with_an_equals_sign() {
    let mut f = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    writeln!(f, "o,d,t,v").unwrap();
    for (e, i, y, v) in DID_ROWS {
        writeln!(f, "{e},{i},{y},{v}").unwrap();
    }
    let path = f.path().to_str().unwrap();
    let out = run_ok(&[
        "gravity",
        "--politics=o,d,t",
        path,
        "--formula",
        "v ~ exp_hosts_envoys | o + t",
        "--format",
        "json",
    ]);
    let b = first_estimate(&out);
    assert!((b - 2f64.ln()).abs() < 1e-9, "{b}");
}
