//! Crash safety, repeated: the real binary is killed with SIGKILL at random moments of `dyad
//! import`, `dyad trade ingest` and a curator write through `dyad serve`, and after every kill
//! the home must open, hold every earlier act or flow exactly once, and answer as before (or as
//! after the interrupted step, if it had finished: never a mix). Reads against a server while
//! imports and ingests run must get the old or the new answer, never a 500.
//!
//! Sizes are small so that CI runs this in well under a minute; the environment raises them:
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `DYAD_CRASH_KILLS` | 20 | kills per target |
//! | `DYAD_CRASH_SEED` | 16 | seed of the kill delays |
//! | `DYAD_CRASH_ACTS` | 5000 | acts per killed import |
//! | `DYAD_CRASH_ROWS` | 20000 | BACI rows per year per killed ingest (two years) |
//!
//! Each test prints how many kills landed while the process was still running (the ones that
//! test anything) next to the total; `bench/reliability/crash.sh` runs them at a larger size.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::support::{get, http, serve_with, Server};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// SplitMix64: the kill delays only need to be spread and reproducible from a seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A delay uniform in `0..=max`.
    fn delay(&mut self, max: Duration) -> Duration {
        let micros = max.as_micros().max(1) as u64;
        Duration::from_micros(self.next() % (micros + 1))
    }
}

fn rng(salt: u64) -> Rng {
    Rng(env_or("DYAD_CRASH_SEED", 16) ^ salt)
}

fn dyad(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dyad"));
    c.arg("--home").arg(home).env_remove("DYAD_HOME");
    c
}

fn ok(out: Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn run(home: &Path, args: &[&str]) -> String {
    ok(
        dyad(home).args(args).output().expect("dyad runs"),
        &format!("dyad {args:?}"),
    )
}

fn init(dir: &Path) -> PathBuf {
    let home = dir.join("home");
    ok(
        Command::new(env!("CARGO_BIN_EXE_dyad"))
            .arg("init")
            .arg(&home)
            .output()
            .unwrap(),
        "dyad init",
    );
    home
}

/// Runs `cmd` and sends it SIGKILL after `delay` unless it has ended; true if it was killed.
fn kill_after(mut cmd: Command, delay: Duration) -> bool {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("dyad starts");
    let end = Instant::now() + delay;
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        let now = Instant::now();
        if now >= end {
            break;
        }
        std::thread::sleep((end - now).min(Duration::from_millis(2)));
    }
    // `Child::kill` is SIGKILL on Unix: no handler, no cleanup, as in a power cut.
    let _ = child.kill();
    let status = child.wait().unwrap();
    status.code().is_none()
}

/// How long `cmd` takes when left alone.
fn timed(mut cmd: Command) -> Duration {
    let t = Instant::now();
    ok(cmd.output().unwrap(), "an uninterrupted run");
    t.elapsed()
}

/// An acts file of `n` acts with ids `crash-{batch}-{i}`, spread over many actors so that the
/// stance table changes when the file is imported.
fn acts_file(batch: u64, n: u64, actors: &[&str]) -> (String, BTreeSet<String>) {
    let mut csv = String::from("id,date,actor,authority,act,level,detail,source_url,source_date\n");
    let mut ids = BTreeSet::new();
    for i in 0..n {
        let id = format!("crash-{batch}-{i}");
        csv.push_str(&format!(
            "{id},2022-{:02}-{:02},{},AFG-IEA,other,,Crash test act {batch}/{i},https://example.org/crash/{batch}/{i},\n",
            1 + i % 12,
            1 + i % 28,
            actors[(i as usize + batch as usize) % actors.len()],
        ));
        ids.insert(id);
    }
    (csv, ids)
}

/// Ids of every current act in the home, from `dyad export`; fails on a duplicate.
fn exported_ids(home: &Path) -> BTreeSet<String> {
    let csv = run(home, &["export"]);
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let mut ids = BTreeSet::new();
    for rec in r.records() {
        let id = rec.unwrap()[0].to_string();
        assert!(ids.insert(id.clone()), "act {id} is in the ledger twice");
    }
    ids
}

fn stance(home: &Path) -> String {
    run(
        home,
        &["status", "AFG-IEA", "--on", "2025-06-01", "--format", "csv"],
    )
}

/// Actor codes dyad knows, for generated acts (a few dozen are enough).
fn actors() -> Vec<&'static str> {
    vec![
        "USA", "KAZ", "RUS", "CHN", "PAK", "IND", "FRA", "DEU", "GBR", "JPN", "BRA", "ARG", "CAN",
        "MEX", "NOR", "SWE", "FIN", "POL", "ITA", "ESP", "PRT", "NLD", "BEL", "AUT", "CHE", "TUR",
        "EGY", "NGA", "ZAF", "KEN", "IDN", "MYS", "THA", "VNM", "KOR", "AUS", "NZL", "CHL", "PER",
        "COL",
    ]
}

#[test]
fn import_killed_at_random_moments_leaves_the_ledger_whole() {
    let kills = env_or("DYAD_CRASH_KILLS", 20);
    let n = env_or("DYAD_CRASH_ACTS", 5_000);
    let dir = tempfile::tempdir().unwrap();
    let home = init(dir.path());
    let actors = actors();
    let mut rng = rng(1);

    // One import left alone sets the scale of the delays.
    let (csv, ids) = acts_file(0, n, &actors);
    let file = dir.path().join("acts-0.csv");
    std::fs::write(&file, &csv).unwrap();
    let mut cmd = dyad(&home);
    cmd.args(["import", "--by", "crash", "--reason", "warm-up"])
        .arg(&file);
    let took = timed(cmd);
    let mut expected = exported_ids(&home);
    assert!(ids.is_subset(&expected));
    let mut answer = stance(&home);

    let (mut landed, mut applied) = (0, 0);
    for k in 1..=kills {
        let (csv, ids) = acts_file(k, n, &actors);
        let file = dir.path().join(format!("acts-{k}.csv"));
        std::fs::write(&file, &csv).unwrap();
        let mut cmd = dyad(&home);
        cmd.args(["import", "--by", "crash", "--reason", "killed"])
            .arg(&file);
        let killed = kill_after(cmd, rng.delay(took.mul_f64(1.2)));
        landed += u64::from(killed);

        let now = exported_ids(&home);
        let with_new: BTreeSet<String> = expected.union(&ids).cloned().collect();
        if now == with_new {
            applied += 1;
            expected = with_new;
            answer = stance(&home);
        } else {
            assert_eq!(
                now.len(),
                expected.len(),
                "kill {k}: neither the old ledger nor the old one plus the file ({} of {} new acts present)",
                now.intersection(&ids).count(),
                ids.len()
            );
            assert_eq!(now, expected, "kill {k}: acts changed");
            assert_eq!(stance(&home), answer, "kill {k}: the stance table changed");
        }
        // Other commands still work on the home: the history of an act imported before the
        // kills, and a check of the ledger's own export.
        run(&home, &["history", "crash-0-0"]);
        let export = dir.path().join("export.csv");
        std::fs::write(&export, run(&home, &["export"])).unwrap();
        run(&home, &["check", export.to_str().unwrap()]);
    }
    println!(
        "import: {kills} kills of a {n}-act import ({} ms alone), {landed} while it ran, {applied} found applied, the rest found not applied; ledger whole after each",
        took.as_millis()
    );
}

/// Per-year row counts and value sums of the BACI rows (asserting no flow key occurs twice),
/// and two answers read from the pair totals: a country's partners and a pair's series.
fn store_answer(home: &Path) -> String {
    let sums = run(
        home,
        &[
            "sql",
            "SELECT year, count(*) AS n, sum(value_usd) AS v FROM flows WHERE source = 'baci' GROUP BY year ORDER BY year",
            "--format",
            "csv",
        ],
    );
    let twice = run(
        home,
        &[
            "sql",
            "SELECT count(*) AS twice FROM (SELECT exporter_code, importer_code, product, year FROM flows WHERE source = 'baci' GROUP BY 1, 2, 3, 4 HAVING count(*) > 1)",
            "--format",
            "csv",
        ],
    );
    assert_eq!(twice.trim(), "twice\n0", "a flow is stored twice");
    // The answers read from the pair totals (written beside the flows by the same ingest) are
    // of the same release as the flows.
    let partners = run(
        home,
        &[
            "trade",
            "partners",
            "USA",
            "--flow",
            "import",
            "--years",
            "2020-2021",
            "--top",
            "500",
            "--format",
            "csv",
        ],
    );
    let series = run(home, &["trade", "series", "USA", "CHN", "--format", "csv"]);
    format!("{sums}{partners}{series}")
}

/// Two generated releases of the same years with different rows (seeds 1 and 2).
fn releases(dir: &Path, rows: u64) -> [PathBuf; 2] {
    [1, 2].map(|seed| {
        let out = dir.join(format!("baci-{seed}"));
        ok(
            Command::new(env!("CARGO_BIN_EXE_dyad"))
                .args(["trade", "generate"])
                .arg(&out)
                .args(["--rows", &rows.to_string(), "--years", "2020-2021"])
                .args(["--products", "500", "--seed", &seed.to_string()])
                .output()
                .unwrap(),
            "dyad trade generate",
        );
        out
    })
}

fn ingest_cmd(home: &Path, release: &Path) -> Command {
    let mut c = dyad(home);
    c.args(["trade", "ingest"]).arg(release);
    c
}

#[test]
fn trade_ingest_killed_at_random_moments_leaves_the_store_whole() {
    let kills = env_or("DYAD_CRASH_KILLS", 20);
    let rows = env_or("DYAD_CRASH_ROWS", 20_000);
    let dir = tempfile::tempdir().unwrap();
    let home = init(dir.path());
    let release = releases(dir.path(), rows);
    let mut rng = rng(2);

    // Each release left alone once: its answer, and the scale of the delays.
    let took = timed(ingest_cmd(&home, &release[1]));
    let answer_b = store_answer(&home);
    let took = took.max(timed(ingest_cmd(&home, &release[0])));
    let answer_a = store_answer(&home);
    assert_ne!(answer_a, answer_b);
    let answers = [answer_a, answer_b];
    let mut current = 0;

    let (mut landed, mut applied) = (0, 0);
    for k in 0..kills {
        let target = 1 - current;
        let killed = kill_after(
            ingest_cmd(&home, &release[target]),
            rng.delay(took.mul_f64(1.2)),
        );
        landed += u64::from(killed);
        let now = store_answer(&home);
        if now == answers[target] {
            applied += 1;
            current = target;
        } else {
            assert_eq!(
                now, answers[current],
                "kill {k}: the store is neither the old nor the new release"
            );
        }
        // The one-dyad fast path reads the files themselves: it must answer too.
        run(
            &home,
            &[
                "trade", "products", "KAZ", "AFG", "--level", "2", "--format", "csv",
            ],
        );
    }
    println!(
        "trade ingest: {kills} kills of a {}-row ingest ({} ms alone), {landed} while it ran, {applied} found applied, the rest found not applied; store whole after each",
        2 * rows,
        took.as_millis()
    );
}

fn serve(home: &Path) -> Server {
    let mut cmd = dyad(home);
    cmd.stderr(Stdio::null());
    serve_with(cmd)
}

#[test]
fn a_server_killed_during_curator_writes_keeps_every_acknowledged_write_whole() {
    let kills = env_or("DYAD_CRASH_KILLS", 20);
    let per_write = 200;
    let dir = tempfile::tempdir().unwrap();
    let home = init(dir.path());
    let token = run(&home, &["token", "create", "crash"]).trim().to_string();
    let actors = actors();
    let mut rng = rng(3);
    let mut batch = 0u64;
    let mut batches: HashMap<u64, BTreeSet<String>> = HashMap::new();
    let mut acknowledged = BTreeSet::new();
    let (mut in_flight, mut unacked_applied, mut writes) = (0, 0, 0);

    for k in 0..kills {
        let server = serve(&home);
        let stop = Arc::new(AtomicBool::new(false));
        // Writes go one after another, as a curator's client sends them; the thread reports the
        // batches the server acknowledged and the one it was sending when the server died.
        let first = batch;
        let writer = {
            let (addr, token, stop, actors) = (
                server.addr.clone(),
                token.clone(),
                stop.clone(),
                actors.clone(),
            );
            std::thread::spawn(move || {
                let mut acked = Vec::new();
                let mut b = first;
                while !stop.load(Ordering::Relaxed) {
                    let (csv, _) = acts_file(1000 + b, per_write, &actors);
                    let req = format!(
                        "POST /api/acts?reason=crash HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
                         Authorization: Bearer {token}\r\nContent-Type: text/csv\r\nContent-Length: {}\r\n\r\n{csv}",
                        csv.len()
                    );
                    b += 1;
                    match http(&addr, &req) {
                        Some((200, _)) => acked.push(b - 1),
                        Some((status, body)) => panic!("write answered {status}: {body}"),
                        None => break,
                    }
                }
                (acked, b)
            })
        };
        std::thread::sleep(rng.delay(Duration::from_millis(400)));
        drop(server);
        stop.store(true, Ordering::Relaxed);
        let (acked, sent) = writer.join().unwrap();
        writes += acked.len();
        for b in first..sent {
            batches.insert(b, acts_file(1000 + b, per_write, &actors).1);
        }
        // The last batch sent without an answer was in flight when the server died.
        let cut = (first..sent).find(|b| !acked.contains(b));
        in_flight += u64::from(cut.is_some());
        acknowledged.extend(acked);
        batch = sent;

        // Every acknowledged batch is whole; any other batch is whole or absent.
        let ids = exported_ids(&home);
        for (b, want) in &batches {
            let present = want.intersection(&ids).count();
            if acknowledged.contains(b) {
                assert_eq!(
                    present,
                    want.len(),
                    "kill {k}: acknowledged batch {b} lost acts"
                );
            } else {
                assert!(
                    present == 0 || present == want.len(),
                    "kill {k}: batch {b} is half written ({present} of {})",
                    want.len()
                );
            }
        }
        if let Some(b) = cut {
            unacked_applied += u64::from(batches[&b].is_subset(&ids));
        }
    }
    // The home still serves and takes writes after the last kill.
    let server = serve(&home);
    let (status, body) = get(&server.addr, "/api/stance?authority=AFG-IEA&on=2025-06-01").unwrap();
    assert_eq!(status, 200, "{body}");
    println!(
        "curator writes: {kills} server kills, {in_flight} with a write in flight ({unacked_applied} of those found applied, the rest absent), {writes} writes of {per_write} acts acknowledged, every one whole after each kill"
    );
}

#[test]
fn reads_during_imports_and_ingests_see_the_old_or_the_new_home() {
    let rounds = env_or("DYAD_CRASH_KILLS", 20).div_ceil(4).max(2);
    let rows = env_or("DYAD_CRASH_ROWS", 20_000);
    let dir = tempfile::tempdir().unwrap();
    let home = init(dir.path());
    let release = releases(dir.path(), rows);
    let actors = actors();
    // `known_on` today reads the ledger file itself (not the server's snapshot), so it sees an
    // import from another process as soon as it commits.
    let today = time::OffsetDateTime::now_utc().date();
    let acts_path = format!("/api/acts?authority=AFG-IEA&known_on={today}&format=csv");
    // A pair the generated releases trade a lot (Nicaragua to Timor-Leste, seeds 1 and 2).
    let trade_path = "/api/trade/products?exporter=NIC&importer=TLS&year=2021&level=2&format=csv";

    ok(ingest_cmd(&home, &release[1]).output().unwrap(), "ingest");
    let server = serve(&home);
    let read = |path: &str| {
        let (status, body) = get(&server.addr, path).expect("the server answers");
        assert_eq!(status, 200, "{path}: {body}");
        body
    };
    // Each release's answer, read once the store is settled.
    let mut trades = [String::new(), read(trade_path)];
    ok(ingest_cmd(&home, &release[0]).output().unwrap(), "ingest");
    trades[0] = read(trade_path);
    assert_ne!(trades[0], trades[1]);

    let mut reads = 0;
    let mut current = 0;
    for r in 0..rounds {
        // An import runs while reads loop: each answer is the ledger before it or after it.
        let (csv, _) = acts_file(5000 + r, 5000, &actors);
        let file = dir.path().join(format!("reads-{r}.csv"));
        std::fs::write(&file, csv).unwrap();
        let before = read(&acts_path);
        let mut import = dyad(&home)
            .args(["import", "--by", "reads", "--reason", "reads"])
            .arg(&file)
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let mut seen = Vec::new();
        while import.try_wait().unwrap().is_none() {
            seen.push(read(&acts_path));
        }
        assert!(import.wait().unwrap().success());
        let after = read(&acts_path);
        assert_ne!(before, after, "round {r}: the import changed nothing");
        reads += seen.len();
        for (i, s) in seen.iter().enumerate() {
            assert!(
                *s == before || *s == after,
                "round {r}, read {i} during the import: neither the old nor the new ledger"
            );
        }

        // An ingest runs while reads loop: each answer is the old release's or the new one's.
        let target = 1 - current;
        let mut ingest = ingest_cmd(&home, &release[target])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        while ingest.try_wait().unwrap().is_none() {
            let now = read(trade_path);
            reads += 1;
            assert!(
                now == trades[current] || now == trades[target],
                "round {r}: a trade answer that is neither release: {now}"
            );
        }
        assert!(ingest.wait().unwrap().success());
        assert_eq!(
            read(trade_path),
            trades[target],
            "round {r}: the new release is not served"
        );
        current = target;
    }
    println!(
        "reads during writes: {rounds} imports and {rounds} ingests, {reads} reads while they ran, all 200 and each the old or the new answer"
    );
}
