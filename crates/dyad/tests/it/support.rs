//! What several modules need: `dyad` run with arguments, a `dyad serve` process on a loopback
//! port and raw HTTP/1.1 requests to it (plain `TcpStream`s, so that tests can also send what no
//! client library would: malformed requests, slow or oversized bodies).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// A running `dyad serve`, killed when dropped.
pub struct Server {
    child: Child,
    /// `host:port` it listens on.
    pub addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `dyad --home HOME serve` on a free loopback port (standard error discarded) and
/// waits for the line announcing its address.
pub fn serve(home: &Path) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dyad"));
    cmd.arg("--home").arg(home).stderr(Stdio::null());
    serve_with(cmd)
}

/// Starts `CMD serve --addr 127.0.0.1:0`, `CMD` being a `dyad` command with its global options
/// and standard error already chosen, and waits for the line announcing the address.
pub fn serve_with(mut cmd: Command) -> Server {
    let mut child = cmd
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("dyad serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    Server { child, addr }
}

/// Sends raw bytes and reads the whole answer: its status code and text (head and body), or
/// `None` when the connection failed or closed without an answer (the server was killed, or
/// refused garbage by closing).
pub fn raw(addr: &str, bytes: &[u8]) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(30))).ok()?;
    let _ = s.write_all(bytes);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text.get(9..12)?.parse().ok()?;
    Some((status, text))
}

/// One HTTP/1.1 request; its status code and body, or `None` as for [`raw`].
pub fn http(addr: &str, request: &str) -> Option<(u16, String)> {
    let (status, text) = raw(addr, request.as_bytes())?;
    let body = text.split_once("\r\n\r\n")?.1.to_string();
    Some((status, body))
}

/// One GET; its status code and body, or `None` as for [`raw`].
pub fn get(addr: &str, path: &str) -> Option<(u16, String)> {
    http(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
    )
}

/// Runs `dyad ARGS`, the environment's `DYAD_HOME` left out so that only the arguments choose
/// the home.
pub fn dyad(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dyad"))
        .args(args)
        .env_remove("DYAD_HOME")
        .output()
        .expect("dyad runs")
}

/// Runs `dyad ARGS` and returns its standard output; fails the test with the standard error
/// when dyad fails.
pub fn ok(args: &[&str]) -> String {
    let out = dyad(args);
    assert!(
        out.status.success(),
        "dyad {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
