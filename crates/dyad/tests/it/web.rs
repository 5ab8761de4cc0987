//! End to end: `dyad token` and `dyad serve` as a curator would use them: make a home, create a
//! token, serve, write an act over HTTP with the token, and find it in the history.

use std::process::{Command, Output};

use super::support::{self, serve_with};

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
