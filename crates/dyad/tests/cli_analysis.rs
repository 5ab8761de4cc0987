//! End-to-end tests of the analysis commands and briefs on the bundled data.
//!
//! Expected figures come from the bundled reported-figures file and its sources: Kazakh official
//! turnover USD 474.3M (2021) and 987.9M (2022) via Kazinform; Kazakh imports from Afghanistan
//! USD 9.1M (2022, Astana Times) and 20M (2023, Interfax).

use std::path::PathBuf;
use std::process::{Command, Output};

fn dyad(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dyad"))
        .args(args)
        .env_remove("DYAD_HOME")
        .output()
        .expect("dyad runs")
}

fn ok(args: &[&str]) -> String {
    let out = dyad(args);
    assert!(
        out.status.success(),
        "dyad {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

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
    assert!(dir.join("kaz-trade.svg").exists() && dir.join("kaz-trade.png").exists());
    // Every table row that shows a dollar figure cites a source.
    for line in text
        .lines()
        .filter(|l| l.starts_with('|') && l.contains("USD "))
    {
        assert!(line.contains("](#source-"), "row without a source: {line}");
    }
}

/// Renders the HTML brief in headless Chromium: the page must parse into its sections and
/// charts, and its screenshot is kept as a test artifact.
#[test]
fn brief_renders_in_a_real_browser() {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let Some(chromium) = chromium else {
        if std::env::var("DYAD_SKIP_BROWSER").as_deref() == Ok("1") {
            eprintln!("skipping: no chromium and DYAD_SKIP_BROWSER=1");
            return;
        }
        panic!(
            "chromium is not installed (apt-get install chromium); set DYAD_SKIP_BROWSER=1 to skip"
        );
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
    let dom = Command::new(chromium)
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
        10,
        "sections in the rendered DOM"
    );
    assert!(
        dom.contains("<svg") && dom.contains("<polyline"),
        "the trade chart did not render as SVG"
    );
    assert!(dom.contains("href=\"https://eurasianet.org/kazakhstan-accredits-taliban-envoys-without-recognizing-government\""));
    let png = dir.join("brief.png");
    let _ = std::fs::remove_file(&png);
    let shot = Command::new(chromium)
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
