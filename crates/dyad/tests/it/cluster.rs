//! `--cluster` end to end: a Ballista scheduler and two executors started as separate `dyad
//! cluster` processes on loopback, a generated store plus Comtrade fixtures ingested into a home,
//! and every answer on the cluster compared byte for byte with the embedded engine's. Then the
//! failures a user meets: no scheduler, no executor, a cluster that does not answer in time, and
//! an executor killed while a query runs on it.
//!
//! Every process started here is killed by its id when its guard is dropped.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{get, serve_with};

fn dyad() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dyad"));
    c.env_remove("DYAD_HOME")
        .env_remove("DYAD_CLUSTER")
        .env_remove("DYAD_CLUSTER_TIMEOUT")
        .env_remove("DYAD_LOG");
    c
}

fn run(home: &Path, args: &[&str]) -> Output {
    dyad()
        .arg("--home")
        .arg(home)
        .args(args)
        .output()
        .expect("dyad runs")
}

fn ok(home: &Path, args: &[&str]) -> String {
    let out = run(home, args);
    assert!(
        out.status.success(),
        "dyad {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process killed (by its id) and reaped when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Proc {
    fn signal(&self, sig: &str) {
        let status = Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(self.0.id().to_string())
            .status()
            .unwrap();
        assert!(status.success(), "kill -{sig}");
    }
}

/// A scheduler and its executors on loopback.
struct Cluster {
    port: u16,
    scheduler: Proc,
    executors: Vec<Proc>,
}

impl Cluster {
    fn start(executors: usize) -> Cluster {
        let port = free_port();
        let bind = format!("127.0.0.1:{port}");
        let scheduler = Proc(
            dyad()
                // Lost executors are noticed after 6 s, so that the failure tests are quick.
                .args([
                    "cluster",
                    "scheduler",
                    "--bind",
                    &bind,
                    "--executor-timeout",
                    "6",
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let mut cluster = Cluster {
            port,
            scheduler,
            executors: Vec::new(),
        };
        for _ in 0..executors {
            cluster.add_executor();
        }
        cluster.wait_for(executors);
        cluster
    }

    fn add_executor(&mut self) {
        let (flight, grpc) = (free_port(), free_port());
        let child = dyad()
            .args(["cluster", "executor", "--scheduler"])
            .arg(format!("127.0.0.1:{}", self.port))
            .args(["--bind-port", &flight.to_string()])
            .args(["--grpc-port", &grpc.to_string()])
            .args(["--vcores", "2"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.executors.push(Proc(child));
    }

    fn url(&self) -> String {
        format!("df://127.0.0.1:{}", self.port)
    }

    /// The scheduler's readiness probe, as the client asks it.
    fn readyz(&self) -> Option<String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
        write!(
            s,
            "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .ok()?;
        let mut answer = String::new();
        s.read_to_string(&mut answer).ok()?;
        Some(answer)
    }

    /// Waits until `n` executors are registered (at most a minute).
    fn wait_for(&self, n: usize) {
        let start = Instant::now();
        let want = format!("ready: {n} executors registered");
        loop {
            match self.readyz() {
                Some(a) if n == 0 && a.contains("executors registered") => return,
                Some(a) if a.contains(&want) => return,
                _ if start.elapsed() > Duration::from_secs(60) => {
                    panic!(
                        "the cluster did not have {n} executors within 60 s: {:?}",
                        self.readyz()
                    )
                }
                _ => std::thread::sleep(Duration::from_millis(200)),
            }
        }
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../dyad-trade/tests/fixtures")
        .join(name)
}

/// A home with a generated BACI store (3 years of about 20,000 rows) and the Comtrade fixture
/// (KAZ and AFG each declaring their side of the same flows, for the mirror query).
fn home() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let gen = home.path().join("gen");
    let gen_s = gen.to_str().unwrap();
    let h = home.path();
    // A ledger too, which `dyad serve` needs.
    ok(h, &["init", h.to_str().unwrap()]);
    ok(
        h,
        &[
            "trade",
            "generate",
            gen_s,
            "--rows",
            "20000",
            "--years",
            "2019-2021",
            "--seed",
            "11",
        ],
    );
    ok(h, &["trade", "ingest", gen_s]);
    ok(
        h,
        &[
            "trade",
            "ingest",
            fixture("comtrade_api.csv").to_str().unwrap(),
        ],
    );
    home
}

/// Runs `args` embedded and on `cluster`, and checks both give the same bytes; returns them.
fn same(h: &Path, cluster: &Cluster, args: &[&str]) -> String {
    let embedded = ok(h, args);
    let url = cluster.url();
    let mut on_cluster = args.to_vec();
    on_cluster.extend(["--cluster", url.as_str()]);
    let distributed = ok(h, &on_cluster);
    assert_eq!(distributed, embedded, "dyad {args:?} on the cluster");
    assert!(
        embedded.lines().count() > 1,
        "dyad {args:?} answered no rows: {embedded}"
    );
    embedded
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

#[test]
fn the_cluster_answers_exactly_as_the_embedded_engine() {
    let home = home();
    let h = home.path();
    let cluster = Cluster::start(2);

    // A grouped sum over every row: one row per year of the generated store, plus the Comtrade
    // fixture's and the bundled figures' years.
    let by_year = same(
        h,
        &cluster,
        &[
            "sql",
            "SELECT year, source, count(*) AS n, sum(value_usd) AS v FROM flows \
             GROUP BY year, source ORDER BY year, source",
            "--format",
            "csv",
        ],
    );
    let baci_years: Vec<_> = csv_rows(&by_year)
        .into_iter()
        .filter(|r| r[1] == "baci")
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(baci_years, ["2019", "2020", "2021"]);
    // The pair totals (their files and the bundled figures' totals) on the cluster too.
    same(
        h,
        &cluster,
        &[
            "sql",
            "SELECT year, source, count(*) AS n, sum(value_usd) AS v FROM pair_totals \
             GROUP BY year, source ORDER BY year, source",
            "--format",
            "csv",
        ],
    );

    // The pair with the most rows, for the by-HS2 question.
    let pair = csv_rows(&ok(
        h,
        &[
            "sql",
            "SELECT exporter, importer FROM flows WHERE source = 'baci' \
             GROUP BY exporter, importer ORDER BY count(*) DESC, exporter, importer LIMIT 1",
            "--format",
            "csv",
        ],
    ))
    .remove(0);
    let (e, i) = (pair[0].as_str(), pair[1].as_str());
    let hs2 = format!(
        "SELECT year, substr(product, 1, 2) AS hs2, sum(value_usd) AS v, count(*) AS n \
         FROM flows WHERE exporter = '{e}' AND importer = '{i}' AND source = 'baci' \
         GROUP BY year, substr(product, 1, 2) ORDER BY year, hs2"
    );
    same(h, &cluster, &["sql", &hs2, "--format", "csv"]);
    // The same question as users ask it: embedded, the one-dyad fast path answers; on the
    // cluster, SQL. With names from `products` (a listing table).
    same(
        h,
        &cluster,
        &["trade", "products", e, i, "--level", "2", "--format", "csv"],
    );
    same(
        h,
        &cluster,
        &[
            "trade", "products", e, i, "--year", "2020", "--level", "4", "--format", "csv",
        ],
    );

    // Partner shares, with the names from `countries` (an in-memory table that travels in the
    // plan) and a window over the whole answer.
    let shares = format!(
        "WITH p AS (SELECT importer, sum(value_usd) AS v FROM flows \
                    WHERE exporter = '{e}' AND source = 'baci' GROUP BY importer) \
         SELECT p.importer, c.name, p.v, p.v / sum(p.v) OVER () AS share \
         FROM p LEFT JOIN countries c ON c.code = p.importer ORDER BY p.v DESC, p.importer"
    );
    same(h, &cluster, &["sql", &shares, "--format", "csv"]);
    same(
        h,
        &cluster,
        &[
            "trade",
            "partners",
            e,
            "--flow",
            "export",
            "--years",
            "2019-2021",
            "--top",
            "10",
            "--format",
            "csv",
        ],
    );

    // The mirror query: each side's declarations of the same flows, joined by year.
    let mirror = "WITH x AS (SELECT year, sum(value_usd) AS v FROM flows \
                    WHERE source = 'comtrade' AND reporter = exporter AND flow = 'X' \
                      AND exporter = 'KAZ' AND importer = 'AFG' GROUP BY year), \
                   m AS (SELECT year, sum(value_usd) AS v FROM flows \
                    WHERE source = 'comtrade' AND reporter = importer AND flow = 'M' \
                      AND exporter = 'KAZ' AND importer = 'AFG' GROUP BY year) \
                  SELECT x.year, x.v AS exports, m.v AS imports, m.v / x.v AS ratio \
                  FROM x JOIN m ON m.year = x.year ORDER BY x.year";
    same(h, &cluster, &["sql", mirror, "--format", "csv"]);
    let m = same(
        h,
        &cluster,
        &["trade", "mirror", "KAZ", "AFG", "--format", "csv"],
    );
    // comtrade_api.csv: KAZ declares 512,345,678.9 of exports to AFG, AFG 530,000,000 of imports.
    assert!(m.contains("512345678.9,530000000"), "{m}");

    // Both directions with the bundled reported figures, which the store has no copy of: an
    // in-memory table in a union with the store.
    same(
        h,
        &cluster,
        &["trade", "series", "KAZ", "AFG", "--format", "csv"],
    );
    // Area names come from `areas`, the other in-memory table.
    same(
        h,
        &cluster,
        &[
            "sql",
            "SELECT a.kind, count(*) AS n FROM flows f JOIN areas a ON a.code = f.exporter_code \
             GROUP BY a.kind ORDER BY a.kind",
            "--format",
            "csv",
        ],
    );

    // A gravity fit on rows read from the cluster: the same rows give the same estimates.
    let gravity = [
        "gravity",
        "--sql",
        "SELECT exporter, importer, year, sum(value_usd) AS value, \
         CAST(year - 2019 AS DOUBLE) AS t FROM flows WHERE source = 'baci' \
         GROUP BY exporter, importer, year ORDER BY exporter, importer, year",
        "--formula",
        "value ~ t | exporter + importer",
        "--format",
        "csv",
    ];
    same(h, &cluster, &gravity);
}

#[test]
fn serve_answers_trade_from_the_cluster_as_from_its_own_tables() {
    let home = home();
    let cluster = Cluster::start(2);
    let serve = |cluster: Option<&str>| {
        let mut cmd = dyad();
        cmd.arg("--home").arg(home.path()).stderr(Stdio::null());
        if let Some(url) = cluster {
            cmd.env("DYAD_CLUSTER", url);
        }
        serve_with(cmd)
    };
    let embedded = serve(None);
    let distributed = serve(Some(&cluster.url()));
    for path in [
        "/api/trade/series?a=KAZ&b=AFG&format=csv",
        "/api/trade/mirror?exporter=KAZ&importer=AFG&format=csv",
        "/api/trade/partners?country=AFG&flow=import&years=2019-2021&top=5&format=csv",
        "/api/trade/products?exporter=KAZ&importer=AFG&year=2023&level=2&source=comtrade&format=csv",
    ] {
        let (sa, body_a) = get(&embedded.addr, path).expect("an answer");
        let (sb, body_b) = get(&distributed.addr, path).expect("an answer");
        assert_eq!((sa, sb), (200, 200), "{path}: {body_a} / {body_b}");
        assert_eq!(body_b, body_a, "{path}");
        assert!(body_a.lines().count() > 1, "{path}: no rows: {body_a}");
    }
}

fn failed(out: &Output) -> String {
    assert!(!out.status.success(), "expected a failure");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn no_scheduler_and_no_executor_are_reported_at_once_with_what_to_start() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let port = free_port();
    let url = format!("df://127.0.0.1:{port}");
    let start = Instant::now();
    let e = failed(&run(h, &["sql", "SELECT 1 AS one", "--cluster", &url]));
    assert!(
        e.contains(&format!("cannot reach the Ballista scheduler at {url}"))
            && e.contains(&format!("dyad cluster scheduler --bind 127.0.0.1:{port}")),
        "{e}"
    );
    // The environment variable names the cluster as well as the flag.
    let out = dyad()
        .arg("--home")
        .arg(h)
        .args(["trade", "series", "KAZ", "AFG"])
        .env("DYAD_CLUSTER", &url)
        .output()
        .unwrap();
    assert!(failed(&out).contains("cannot reach"));
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );

    let e = failed(&run(
        h,
        &["sql", "SELECT 1", "--cluster", "http://127.0.0.1:1"],
    ));
    assert!(e.contains("expected df://HOST:PORT"), "{e}");

    let lonely = Cluster::start(0);
    let e = failed(&run(
        h,
        &["trade", "series", "KAZ", "AFG", "--cluster", &lonely.url()],
    ));
    assert!(
        e.contains("has no executor registered")
            && e.contains(&format!(
                "dyad cluster executor --scheduler 127.0.0.1:{}",
                lonely.port
            )),
        "{e}"
    );
    drop(lonely.scheduler);
}

#[test]
fn a_cluster_that_does_not_answer_in_time_is_reported_with_the_timeout_and_the_job_cancelled() {
    let home = home();
    let h = home.path();
    let mut cluster = Cluster::start(2);
    let query = "SELECT year, count(*) AS n FROM flows GROUP BY year ORDER BY year";
    let expected = ok(h, &["sql", query, "--format", "csv"]);
    // Frozen executors take tasks and never finish them.
    for e in &cluster.executors {
        e.signal("STOP");
    }
    let start = Instant::now();
    let e = failed(&run(
        h,
        &[
            "sql",
            query,
            "--cluster",
            &cluster.url(),
            "--cluster-timeout",
            "10",
        ],
    ));
    let took = start.elapsed();
    // The job is cancelled if the scheduler had accepted it by then; with both executors frozen
    // Ballista may not have told the client its job id yet, and the message says so.
    assert!(
        e.contains(&format!(
            "the cluster at {} gave no answer within 10 s (--cluster-timeout)",
            cluster.url()
        )) && (e.contains("was cancelled") || e.contains("no job had been accepted")),
        "{e}"
    );
    assert!(took < Duration::from_secs(40), "{took:?}");
    // Frozen longer than --executor-timeout, the executors were taken for lost and do not come
    // back (Ballista 55 does not let a lost executor register again): new ones are started, and
    // the cluster answers the next query.
    let frozen = std::mem::take(&mut cluster.executors);
    for e in &frozen {
        e.signal("CONT");
    }
    drop(frozen);
    cluster.add_executor();
    cluster.add_executor();
    cluster.wait_for(2);
    let again = ok(
        h,
        &["sql", query, "--format", "csv", "--cluster", &cluster.url()],
    );
    assert_eq!(again, expected);
}

#[test]
fn an_executor_killed_during_a_query_is_replaced_by_the_other() {
    let home = home();
    let h = home.path();
    let mut cluster = Cluster::start(2);
    let query = "SELECT exporter, count(*) AS n, sum(value_usd) AS v FROM flows \
                 GROUP BY exporter ORDER BY exporter";
    let expected = ok(h, &["sql", query, "--format", "csv"]);
    // Both executors are frozen, so the query's tasks are handed to them and wait; then one
    // dies and the other resumes.
    for e in &cluster.executors {
        e.signal("STOP");
    }
    let client = Proc(
        dyad()
            .arg("--home")
            .arg(h)
            .args(["sql", query, "--format", "csv", "--cluster", &cluster.url()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    std::thread::sleep(Duration::from_secs(2));
    let start = Instant::now();
    let dead = cluster.executors.remove(0);
    dead.signal("KILL");
    cluster.executors[0].signal("CONT");
    let mut client = client;
    let out = wait_output(&mut client.0, Duration::from_secs(120));
    let took = start.elapsed();
    assert!(
        out.status.success(),
        "the query failed after {took:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
    drop(dead);
}

/// The output of a child, or a panic if it has not ended within `limit`.
fn wait_output(child: &mut Child, limit: Duration) -> Output {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stdout = Vec::new();
            let mut stderr = Vec::new();
            child
                .stdout
                .take()
                .unwrap()
                .read_to_end(&mut stdout)
                .unwrap();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_end(&mut stderr)
                .unwrap();
            return Output {
                status,
                stdout,
                stderr,
            };
        }
        assert!(start.elapsed() < limit, "no answer within {limit:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}
