//! End to end: `dyad token` and `dyad serve` as a curator would use them: make a home, create a
//! token, serve, write an act over HTTP with the token, and find it in the history.

use std::process::{Command, Output};

use super::support::{self, serve_with, Server};

fn dyad(home: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dyad"))
        .arg("--home")
        .arg(home)
        .args(args)
        .output()
        .expect("dyad runs")
}

fn ok(home: &std::path::Path, args: &[&str]) -> String {
    let out = dyad(home, args);
    assert!(
        out.status.success(),
        "dyad {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// One HTTP/1.1 request; returns the status code and body.
fn http(addr: &str, request: &str) -> (u16, String) {
    support::http(addr, request).expect("an answer")
}

#[test]
fn a_curator_token_writes_through_the_server_into_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let init = Command::new(env!("CARGO_BIN_EXE_dyad"))
        .arg("init")
        .arg(&home)
        .output()
        .unwrap();
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let token = ok(&home, &["token", "create", "alice"]).trim().to_string();
    assert!(token.starts_with("dyad_"), "{token}");
    let again = dyad(&home, &["token", "create", "alice"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dyad"));
    cmd.arg("--home").arg(&home);
    let server = serve_with(cmd);
    let addr = server.addr.clone();

    let (status, body) = http(
        &addr,
        "GET /api/stance?authority=AFG-IEA&on=2023-04-18&format=csv HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("KAZ,Kazakhstan,3,"), "{body}");

    // A test act (example.org is reserved for examples; the act is no claim about the world).
    let csv = "date,actor,counterpart,act,detail,source_url\n\
               2023-06-01,KAZ,AFG-IEA,other,Test act from the CLI test,https://example.org/t\n";
    let post = |token: &str| {
        http(
            &addr,
            &format!(
                "POST /api/acts?reason=cli%20test HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
                 Authorization: Bearer {token}\r\nContent-Type: text/csv\r\nContent-Length: {}\r\n\r\n{csv}",
                csv.len()
            ),
        )
    };
    let (status, body) = post(&token);
    assert_eq!(status, 200, "{body}");
    let history = ok(
        &home,
        &["history", "KAZ/AFG-IEA/2023-06-01/other", "--format", "csv"],
    );
    assert!(
        history.contains("alice") && history.contains("cli test"),
        "{history}"
    );

    assert!(ok(&home, &["token", "list", "--format", "csv"]).contains("alice,"));
    ok(&home, &["token", "revoke", "alice"]);
    let (status, body) = post(&token);
    assert_eq!(status, 403, "{body}");
}

#[test]
fn tokens_need_a_home() {
    let out = Command::new(env!("CARGO_BIN_EXE_dyad"))
        .args(["token", "list"])
        .env_remove("DYAD_HOME")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("dyad init DIR"));
}

/// `dyad serve` on the bundled data (no home), stopped when the test ends, and its address.
fn serve_bundled() -> (Server, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dyad"));
    cmd.env_remove("DYAD_HOME");
    let server = serve_with(cmd);
    let addr = server.addr.clone();
    (server, addr)
}

/// The CLI's answer on the bundled data.
fn cli(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_dyad"))
        .args(args)
        .env_remove("DYAD_HOME")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "dyad {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn keys(v: &serde_json::Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .map(String::as_str)
        .collect();
    k.sort_unstable();
    k
}

#[test]
fn the_cli_and_the_api_give_the_same_answers() {
    let (_server, addr) = serve_bundled();
    let get = |target: &str| {
        let (status, body) = http(
            &addr,
            &format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        );
        assert_eq!(status, 200, "{target}: {body}");
        body
    };

    // A stance has one shape: the same keys from `dyad status` and `/api/stance`.
    let status: serde_json::Value = serde_json::from_str(&cli(&[
        "status",
        "AFG-IEA",
        "--on",
        "2023-04-18",
        "--format",
        "json",
    ]))
    .unwrap();
    let api: serde_json::Value =
        serde_json::from_str(&get("/api/stance?authority=AFG-IEA&on=2023-04-18")).unwrap();
    assert_eq!(keys(&status), keys(&api));
    assert_eq!(
        keys(&status),
        ["authority", "ended", "known_on", "on", "stances"]
    );
    let (cli_stances, api_stances) = (
        status["stances"].as_array().unwrap(),
        api["stances"].as_array().unwrap(),
    );
    assert!(cli_stances.len() > 10, "{status}");
    assert_eq!(cli_stances.len(), api_stances.len());
    for (c, a) in cli_stances.iter().zip(api_stances) {
        assert_eq!(keys(c), keys(a), "{}", c["actor"]);
        assert_eq!(
            keys(c),
            [
                "actor",
                "actor_name",
                "counted",
                "designation",
                "envoys",
                "level",
                "level_acts",
                "level_name",
                "level_uncertain",
                "mission",
                "recognition",
                "sources"
            ]
        );
        assert_eq!(keys(&c["sources"][0]), keys(&a["sources"][0]));
    }
    // Not only the keys: the whole answer, and its CSV.
    assert_eq!(status, api);

    // Every answer both surfaces give is the same document, and the same CSV.
    for (args, target) in [
        (
            &[
                "compare",
                "AFG-IEA",
                "--on",
                "2023-04-18",
                "KAZ",
                "CHN",
                "ATA",
            ][..],
            "/api/compare?authority=AFG-IEA&on=2023-04-18&actors=KAZ,CHN,ATA",
        ),
        (
            &["status", "AFG-IEA", "--on", "2023-04-18"][..],
            "/api/stance?authority=AFG-IEA&on=2023-04-18",
        ),
        (
            &["contest", "VEN", "--on", "2019-03-01"][..],
            "/api/contest?state=VEN&on=2019-03-01",
        ),
        (
            &["why", "KAZ", "AFG-IEA", "--on", "2023-04-18"][..],
            "/api/why?actor=KAZ&authority=AFG-IEA&on=2023-04-18",
        ),
        (
            &["why", "USA", "VEN-GUAIDO", "--on", "2023-02-01"][..],
            "/api/why?actor=USA&authority=VEN-GUAIDO&on=2023-02-01",
        ),
        (
            &["timeline", "RUS", "AFG-IEA"][..],
            "/api/timeline?actor=RUS&authority=AFG-IEA",
        ),
        (
            &[
                "diff",
                "AFG-IEA",
                "--from",
                "2023-01-01",
                "--to",
                "2025-12-31",
            ][..],
            "/api/diff?authority=AFG-IEA&from=2023-01-01&to=2025-12-31",
        ),
        (
            &["history", "KAZ/AFG-IEA/2023-04-17/envoy_accepted"][..],
            "/api/history?id=KAZ/AFG-IEA/2023-04-17/envoy_accepted",
        ),
        (
            &["trade", "series", "KAZ", "AFG", "--years", "2017-2024"][..],
            "/api/trade/series?a=KAZ&b=AFG&years=2017-2024",
        ),
    ] {
        let json = cli(&[args, &["--format", "json"]].concat());
        let cli_value: serde_json::Value = serde_json::from_str(&json).unwrap();
        let api_value: serde_json::Value = serde_json::from_str(&get(target)).unwrap();
        assert_eq!(cli_value, api_value, "dyad {args:?} against {target}");
        let csv = cli(&[args, &["--format", "csv"]].concat());
        assert_eq!(csv, get(&format!("{target}&format=csv")), "{args:?} as CSV");
    }
}
