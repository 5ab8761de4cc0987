//! End-to-end tests of the analysis commands and briefs on the bundled data.
//!
//! Expected figures come from the bundled reported-figures file and its sources: Kazakh official
//! turnover USD 474.3M (2021) and 987.9M (2022) via Kazinform; Kazakh imports from Afghanistan
//! USD 9.1M (2022, Astana Times) and 20M (2023, Interfax).

use std::path::PathBuf;
use std::process::Command;

use super::support::{dyad, ok};

#[test]
fn bundled_claims_are_judged_from_their_sources() {
    let v: serde_json::Value =
        serde_json::from_str(&ok(&["check-claims", "--format", "json"])).unwrap();
    let claim = |id: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };

    let turnover = claim("turnover-doubled");
    assert_eq!(turnover["verdict"], "supported");
    let ratio: f64 = turnover["evidence"][0]["observed"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((ratio - 987.9 / 474.3).abs() < 1e-3, "{ratio}");
    assert!(turnover["evidence"][0]["sources"][0]
        .as_str()
        .unwrap()
        .contains("inform.kz"));

    let imports = claim("imports-about-4m");
    assert_eq!(imports["verdict"], "contradicted");
    let observed: Vec<&str> = imports["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["observed"].as_str().unwrap())
        .collect();
    assert_eq!(observed, ["USD 9.1M", "USD 20.0M"]);

    // The bundled figures have no Kazakh export figure for 2021 or 2022.
    assert_eq!(
        claim("exports-nearly-doubled")["verdict"],
        "not_enough_data"
    );

    assert_eq!(claim("kaz-envoys-not-recognition")["verdict"], "supported");
    // Russia, Turkmenistan and Pakistan had accepted envoys by then; the ledger has no act
    // showing Taliban envoys in Beijing before late 2023, so China disagrees.
    let others = claim("others-likewise");
    assert_eq!(others["verdict"], "mixed");
    let disagree: Vec<&str> = others["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["agrees"] == false)
        .map(|e| e["label"].as_str().unwrap())
        .collect();
    assert_eq!(disagree, ["CHN on 2023-04-17"]);
}

#[test]
fn bad_claims_files_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("c.toml");
    std::fs::write(&p, "[[claim]]\nid = \"x\"\nkind = \"ratio\"\n").unwrap();
    let out = dyad(&["check-claims", p.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("c.toml: ") && err.contains("missing field"),
        "{err}"
    );
}

#[test]
fn studies_without_data_say_so() {
    let out = dyad(&[
        "study",
        "KAZ",
        "AFG",
        "--event",
        "KAZ/AFG-IEA/2023-04-17/envoy_accepted",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not enough data") && err.contains("dyad trade ingest"),
        "{err}"
    );
    let out = dyad(&["study", "KAZ", "AFG", "--event", "NOT/AN/ACT"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("neither a day"));
    let out = dyad(&["gap", "KAZ", "AFG"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no UN Comtrade figures"));
}

fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn brief_has_every_section_and_source() {
    let dir = artifacts();
    let md = dir.join("kaz.md");
    ok(&[
        "brief",
        "KAZ",
        "AFG-IEA",
        "--on",
        "2026-01-13",
        "--out",
        md.to_str().unwrap(),
        "--png",
    ]);
    let text = std::fs::read_to_string(&md).unwrap();
    for heading in [
        "## Stance on 2026-01-13",
        "## Stance over time",
        "## Timeline",
        "## Peers on the key dates",
        "## Trade between Kazakhstan and Afghanistan",
        "## What KAZ sells to AFG",
        "## Who supplies Afghanistan",
        "## Event study",
        "## Mirror gap",
        "## Claims checked",
        "## Sources",
    ] {
        assert!(text.contains(heading), "missing {heading}");
    }
    // Gaps are shown as gaps.
    assert!(text.contains("**Data gap.**"));
    // The 2022 turnover, with its source listed.
    assert!(text.contains("USD 987.9M"));
    assert!(text.contains(
        "https://www.inform.kz/en/afghan-business-delegation-arrives-in-astana_a4096663/amp"
    ));
    // At least two charts: the stance over time and the trade by year.
    for chart in ["stance", "trade"] {
        assert!(
            text.contains(&format!("](kaz-{chart}.svg)")),
            "no {chart} chart"
        );
        assert!(
            dir.join(format!("kaz-{chart}.svg")).exists()
                && dir.join(format!("kaz-{chart}.png")).exists()
        );
    }
    // Every step of the stance chart names its act and cites the act's source: Kazakhstan's
    // envoys step of 17 Apr 2023 (eurasianet.org).
    let step = text
        .lines()
        .find(|l| l.contains("KAZ/AFG-IEA/2023-04-17/envoy_accepted") && l.contains("2 → 3"))
        .expect("the envoys step in the stance chart's table");
    assert!(step.contains("](#source-"), "{step}");
    // Every table row that shows a dollar figure cites a source.
    for line in text
        .lines()
        .filter(|l| l.starts_with('|') && l.contains("USD "))
    {
        assert!(line.contains("](#source-"), "row without a source: {line}");
    }
}

#[test]
fn a_brief_on_a_rival_government_that_ended() {
    // The interim government of Venezuela ended on 5 Jan 2023: a brief after that says so, and
    // still charts the US stance, which recognised it from 23 Jan 2019 (huffingtonpost.com).
    let md = ok(&["brief", "USA", "VEN-GUAIDO", "--on", "2023-02-10"]);
    assert!(
        md.contains("had ended by 2023-02-10: its last day was 2023-01-05"),
        "{md}"
    );
    assert!(md.contains("## Stance over time"));
    assert!(md.contains("USA/VEN-GUAIDO/2019-01-23/recognition"));
}

/// Renders the HTML brief in headless Chromium: the page must parse into its sections and
/// charts, and its screenshot is kept as a test artifact.
#[test]
fn brief_renders_in_a_real_browser() {
    let Some(chromium) = dyad_testkit::chromium() else {
        return;
    };
    let dir = artifacts();
    let html = dir.join("kaz.html");
    ok(&[
        "brief",
        "KAZ",
        "AFG-IEA",
        "--on",
        "2026-01-13",
        "--out",
        html.to_str().unwrap(),
    ]);
    let profile = tempfile::tempdir().unwrap();
    let flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];
    let url = format!("file://{}", html.display());
    let user_dir = format!("--user-data-dir={}", profile.path().display());
    let dom = Command::new(&chromium)
        .args(flags)
        .arg(&user_dir)
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert_eq!(
        dom.matches("<section>").count(),
        11,
        "sections in the rendered DOM"
    );
    assert!(
        dom.matches("<svg").count() >= 2,
        "the stance and trade charts did not both render"
    );
    assert!(
        dom.contains("<svg") && dom.contains("<polyline"),
        "the trade chart did not render as SVG"
    );
    assert!(dom.contains("href=\"https://eurasianet.org/kazakhstan-accredits-taliban-envoys-without-recognizing-government\""));
    let png = dir.join("brief.png");
    let _ = std::fs::remove_file(&png);
    let shot = Command::new(&chromium)
        .args(flags)
        .arg(&user_dir)
        .arg("--window-size=1200,4000")
        .arg(format!("--screenshot={}", png.display()))
        .arg(&url)
        .output()
        .unwrap();
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert_eq!(&bytes[..4], b"\x89PNG");
    assert!(
        bytes.len() > 50_000,
        "screenshot suspiciously small: {} bytes",
        bytes.len()
    );
    eprintln!("brief screenshot: {}", png.display());
}

/// Writes a small BACI release (HS17, V202201, with the real V202201 country dictionary) where
/// Kazakhstan's exports to Afghanistan double from 2022 while four other suppliers stay flat.
fn doubling_release(dir: &std::path::Path) {
    let fixtures = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../dyad-trade/tests/fixtures/baci_release"
    );
    std::fs::create_dir_all(dir).unwrap();
    std::fs::copy(
        format!("{fixtures}/country_codes_V202201.csv"),
        dir.join("country_codes_V202201.csv"),
    )
    .unwrap();
    std::fs::write(
        dir.join("product_codes_HS17_V202201.csv"),
        "code,description\n110100,Wheat or meslin flour\n",
    )
    .unwrap();
    // Thousands of USD: KAZ 100 up to 2020, 150 in 2021, 200 from 2022; the others constant.
    let suppliers = [(860, 50.0), (795, 80.0), (586, 300.0), (364, 120.0)];
    for year in 2017..=2024 {
        let kaz = match year {
            ..=2020 => 100.0,
            2021 => 150.0,
            _ => 200.0,
        };
        let mut text = format!("t,i,j,k,v,q\n{year},398,4,110100,{kaz},NA\n");
        for (code, v) in suppliers {
            text.push_str(&format!("{year},{code},4,110100,{v},NA\n"));
        }
        std::fs::write(dir.join(format!("BACI_HS17_Y{year}_V202201.csv")), text).unwrap();
    }
}

#[test]
fn study_and_shares_on_an_ingested_release() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let h = home.to_str().unwrap();
    let release = tmp.path().join("release");
    doubling_release(&release);
    ok(&["init", h, "--empty"]);
    ok(&["--home", h, "trade", "ingest", release.to_str().unwrap()]);

    // Event in 2021: pre 2019–2020 at 100, post 2022–2023 at 200, peers flat. The effect is
    // ln 2; each of the 4 peers as a placebo has effect 0, and no earlier date fits before 2017,
    // so p = (1 + 0) / (1 + 4).
    let v: serde_json::Value = serde_json::from_str(&ok(&[
        "--home",
        h,
        "study",
        "KAZ",
        "AFG",
        "--event",
        "2021-08-15",
        "--format",
        "json",
    ]))
    .unwrap();
    let r = &v["result"];
    assert!(
        (r["effect"].as_f64().unwrap() - 2f64.ln()).abs() < 1e-9,
        "{r}"
    );
    assert!(r["peer_change"].as_f64().unwrap().abs() < 1e-12);
    assert_eq!(r["p_value"].as_f64().unwrap(), 0.2);
    assert_eq!(r["peers_used"].as_array().unwrap().len(), 4);

    // Shares of Afghanistan's imports: KAZ 100 of 650 in 2017, 200 of 750 in 2024.
    let s: serde_json::Value = serde_json::from_str(&ok(&[
        "--home",
        h,
        "shares",
        "AFG",
        "--flow",
        "import",
        "--years",
        "2017-2024",
        "--format",
        "json",
    ]))
    .unwrap();
    let kaz = s
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["partner"] == "KAZ")
        .unwrap();
    assert!((kaz["first_share"].as_f64().unwrap() - 100.0 / 650.0).abs() < 1e-12);
    assert!((kaz["last_share"].as_f64().unwrap() - 200.0 / 750.0).abs() < 1e-12);
    assert!(
        (kaz["change_pp"].as_f64().unwrap() - 100.0 * (200.0 / 750.0 - 100.0 / 650.0)).abs() < 1e-9
    );

    // The brief now has a product mix and partner shares instead of gaps.
    let md = ok(&["--home", h, "brief", "KAZ", "AFG-IEA", "--on", "2026-01-13"]);
    // HS chapter 11 (the release names only the 6-digit code), all of KAZ's exports in 2024.
    assert!(md.contains("| 11 | USD 200,000 | 100.0% |"), "{md}");
    assert!(
        md.contains("Who supplies Afghanistan") && md.contains("share 2017"),
        "{md}"
    );
}
