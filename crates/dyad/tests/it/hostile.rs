//! Hostile HTTP against the real `dyad serve` on loopback: oversized bodies, slow clients,
//! malformed requests, a flood of bad tokens, path traversal and markup in the data. After
//! each, the server must still answer an ordinary request, and no answer may be a 500.

use std::io::Write;
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};

use super::support::{self, raw, serve, serve_with};

fn get(addr: &str, path: &str) -> (u16, String) {
    support::get(addr, path).expect("an answer")
}

/// The server still answers an ordinary read.
fn still_up(addr: &str, after: &str) {
    let (status, body) = get(
        addr,
        "/api/stance?authority=AFG-IEA&on=2023-04-18&format=csv",
    );
    assert_eq!(status, 200, "after {after}: {body}");
    assert!(body.contains("KAZ,Kazakhstan,3,"), "after {after}");
}

fn home_with_token(dir: &Path) -> (std::path::PathBuf, String) {
    let home = dir.join("home");
    let ok = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_dyad"))
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    ok(&["init", home.to_str().unwrap()]);
    let token = ok(&["--home", home.to_str().unwrap(), "token", "create", "alice"]);
    (home, token.trim().to_string())
}

#[test]
fn hostile_requests_get_4xx_and_the_server_keeps_answering() {
    let dir = tempfile::tempdir().unwrap();
    let (home, token) = home_with_token(dir.path());
    let server = serve(&home);
    let addr = server.addr.as_str();

    // An oversized body: refused with 413 before it is read whole.
    let big = vec![b'a'; 3 * 1024 * 1024];
    let mut req = format!(
        "POST /api/acts?reason=big HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Type: text/csv\r\nContent-Length: {}\r\n\r\n",
        big.len()
    )
    .into_bytes();
    req.extend(&big);
    if let Some((status, text)) = raw(addr, &req) {
        assert_eq!(status, 413, "{text}");
    }
    still_up(addr, "an oversized body");

    // Slow clients: connections that send half a request and wait do not block others.
    let slow: Vec<TcpStream> = (0..50)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(b"GET /api/states HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                .unwrap();
            s
        })
        .collect();
    still_up(addr, "50 slow clients");
    drop(slow);

    // Malformed HTTP: an answer of 400 (or a closed connection), never a crash.
    let malformed: [&[u8]; 8] = [
        b"GARBAGE\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
        b"\0\0\0\0\xff\xfe\r\n\r\n",
        b"GET /api/stance?authority=%ZZ%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"POST /api/acts HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: text/csv\r\n\r\nzz\r\n",
    ];
    for m in malformed {
        if let Some((status, text)) = raw(addr, m) {
            assert!(
                (400..500).contains(&status),
                "{:?}: {text}",
                String::from_utf8_lossy(m)
            );
        }
    }
    let long_header = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Long: {}\r\nConnection: close\r\n\r\n",
        "a".repeat(1 << 20)
    );
    if let Some((status, text)) = raw(addr, long_header.as_bytes()) {
        assert!(
            (400..500).contains(&status),
            "{}",
            &text[..text.len().min(200)]
        );
    }
    still_up(addr, "malformed requests");

    // A flood of bad tokens: each is 403 (or 401 for a malformed header), and the real token
    // still writes afterwards.
    for i in 0..300 {
        let bad = match i % 3 {
            0 => format!("Bearer dyad_{i:064x}"),
            1 => format!("Bearer {}", "x".repeat(i)),
            _ => format!("Basic {i}"),
        };
        let (status, text) = raw(
            addr,
            format!(
                "POST /api/acts?reason=flood HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: {bad}\r\nContent-Type: text/csv\r\nContent-Length: 1\r\n\r\nx"
            )
            .as_bytes(),
        )
        .expect("an answer");
        assert!(status == 401 || status == 403, "{bad}: {text}");
    }
    let csv = "date,actor,counterpart,act,detail,source_url\n2023-06-01,KAZ,AFG-IEA,other,\"<script>alert(1)</script>\",\"https://example.org/t?\"\"><script>\"\n";
    let (status, text) = raw(
        addr,
        format!(
            "POST /api/acts?reason=ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Type: text/csv\r\nContent-Length: {}\r\n\r\n{csv}",
            csv.len()
        )
        .as_bytes(),
    )
    .unwrap();
    assert_eq!(status, 200, "{text}");
    still_up(addr, "a flood of bad tokens");

    // Path traversal: no route reads files, so these are 404s (or 400s), never a file.
    for path in [
        "/static/../../../../etc/passwd",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/static/..%2f..%2f..%2fetc%2fpasswd",
        "/assets/../../etc/passwd",
        "/pair/..%2F..%2Fetc/passwd",
        "/brief/%2e%2e/AFG-IEA",
        "/api/history?id=../../../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "//etc/passwd",
    ] {
        let (status, body) = get(addr, path);
        assert!((400..500).contains(&status), "{path}: {status}");
        assert!(!body.contains("root:"), "{path} served a file");
    }
    still_up(addr, "path traversal");

    // The hostile act written above is shown as text on its pages and in its brief.
    for path in [
        "/pair/KAZ/AFG-IEA?on=2023-07-01",
        "/brief/KAZ/AFG-IEA?on=2023-07-01",
    ] {
        let (status, body) = get(addr, path);
        assert_eq!(status, 200, "{path}");
        assert!(
            !body.contains("<script>alert"),
            "{path}: markup from the data ran"
        );
        assert_eq!(
            body.matches("<script").count(),
            1,
            "{path}: only the page's own script"
        );
    }
}

#[test]
fn javascript_urls_never_enter_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let (home, token) = home_with_token(dir.path());
    let server = serve(&home);
    for url in [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html;<script>alert(1)</script>",
        "//evil.example/x",
        "https:///x",
    ] {
        let csv = format!(
            "date,actor,counterpart,act,detail,source_url\n2023-06-01,KAZ,AFG-IEA,other,x,{url}\n"
        );
        let (status, text) = raw(
            &server.addr,
            format!(
                "POST /api/acts?reason=js HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Type: text/csv\r\nContent-Length: {}\r\n\r\n{csv}",
                csv.len()
            )
            .as_bytes(),
        )
        .unwrap();
        assert_eq!(status, 422, "{url}: {text}");
        assert!(text.contains("source_url"), "{url}: {text}");
    }
}

#[test]
fn the_bundled_server_takes_no_writes_even_with_a_token() {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dyad"));
    cmd.env_remove("DYAD_HOME").stderr(Stdio::null());
    let server = serve_with(cmd);
    let csv = "date,actor,counterpart,act,detail,source_url\n2023-06-01,KAZ,AFG-IEA,other,x,https://example.org/\n";
    let (status, text) = raw(
        &server.addr,
        format!(
            "POST /api/acts?reason=x HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer dyad_{}\r\nContent-Type: text/csv\r\nContent-Length: {}\r\n\r\n{csv}",
            "0".repeat(64),
            csv.len()
        )
        .as_bytes(),
    )
    .unwrap();
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("takes no writes"), "{text}");
}

/// Runs `dyad` and returns its standard output, failing with its standard error.
fn run_ok(args: &[&std::ffi::OsStr]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_dyad"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "dyad {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn requests_are_logged_and_a_fault_is_logged_but_not_sent() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let release = dir.path().join("baci");
    let os = |s: &'static str| std::ffi::OsStr::new(s);
    run_ok(&[os("init"), home.as_os_str()]);
    run_ok(&[
        os("trade"),
        os("generate"),
        release.as_os_str(),
        os("--rows"),
        os("2000"),
        os("--years"),
        os("2022-2022"),
        os("--seed"),
        os("1"),
    ]);
    run_ok(&[
        os("--home"),
        home.as_os_str(),
        os("trade"),
        os("ingest"),
        release.as_os_str(),
    ]);
    // A fault of the store, not of the request: every flow file it lists is garbage now.
    let mut broken = Vec::new();
    for entry in walk(&home.join("trade")) {
        if entry.extension().is_some_and(|e| e == "parquet") {
            std::fs::write(&entry, b"not parquet at all").unwrap();
            broken.push(entry);
        }
    }
    assert!(!broken.is_empty());

    let log = dir.path().join("serve.log");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dyad"));
    cmd.arg("--home")
        .arg(&home)
        .env("DYAD_LOG", "info")
        .stderr(std::fs::File::create(&log).unwrap());
    let server = serve_with(cmd);

    still_up(&server.addr, "start");
    let (status, body) = get(&server.addr, "/api/trade/series?a=KAZ&b=AFG&years=2022");
    assert_eq!(status, 500, "{body}");
    // The answer names an incident, never the home's files or the engine's words.
    let home_text = home.to_str().unwrap();
    assert!(body.contains("internal error "), "{body}");
    assert!(!body.contains(home_text), "{body}");
    assert!(!body.to_lowercase().contains("parquet"), "{body}");
    let incident: String = body
        .split("internal error ")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    assert!(!incident.is_empty(), "{body}");
    // Pages redact the same way.
    let (status, page) = get(&server.addr, "/pair/KAZ/AFG-IEA?on=2023-04-18");
    assert!(status == 200 || status == 500, "{status}");
    assert!(!page.contains(home_text));
    drop(server);

    let log = std::fs::read_to_string(&log).unwrap();
    // One line per request, with its target and status.
    assert!(
        log.lines().any(|l| l.contains("target=/api/stance?authority=AFG-IEA")
            && l.contains("status=200")),
        "{log}"
    );
    assert!(
        log.lines()
            .any(|l| l.contains("target=/api/trade/series") && l.contains("status=500")),
        "{log}"
    );
    // The fault's details, under the number the client was given.
    let fault = log
        .lines()
        .find(|l| l.contains(&format!("incident={incident}")))
        .unwrap_or_else(|| panic!("no incident {incident} in {log}"));
    assert!(fault.contains("ERROR"), "{fault}");
    assert!(fault.contains("trade"), "{fault}");
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
