//! In-process timing of a large import and of one authority's stances, for `bench/ledger`.
//!
//! Usage: `ledger_bench DATA_DIR HOME_DIR AUTHORITY DAY [RUNS]`, where DATA_DIR holds the
//! generator's `authorities.csv` and `acts.csv` and HOME_DIR does not exist yet.

use std::path::PathBuf;
use std::time::Instant;

use dyad_ledger::{InputFile, Ledger, Provenance};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, data, home, authority, day, rest @ ..] = args.as_slice() else {
        eprintln!("usage: ledger_bench DATA_DIR HOME_DIR AUTHORITY DAY [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = rest
        .first()
        .map_or(50, |r| r.parse().expect("RUNS is a number"));
    let (data, home) = (PathBuf::from(data), PathBuf::from(home));
    Ledger::init(&home, true).expect("init");
    let mut ledger = Ledger::open(&home).expect("open");
    let files = [
        InputFile::read(&data.join("authorities.csv")).expect("authorities.csv"),
        InputFile::read(&data.join("acts.csv")).expect("acts.csv"),
    ];
    let prov = Provenance {
        by: "bench".into(),
        reason: "bench".into(),
    };
    if std::env::var("PARSE_ONLY").is_ok() {
        let mut reg = ledger.registry().clone();
        for a in
            dyad_core::codes::parse_authorities("a", &files[0].bytes, &reg).expect("authorities")
        {
            reg.add_authority(a);
        }
        let t = Instant::now();
        let rows =
            dyad_core::acts_csv::parse_acts("acts.csv", &files[1].bytes, &reg).expect("parse");
        println!(
            "parse_only rows={} s={:.3}",
            rows.len(),
            t.elapsed().as_secs_f64()
        );
        return;
    }
    let t = Instant::now();
    let report = ledger.import(&files, &prov).expect("import");
    let import_s = t.elapsed().as_secs_f64();
    println!(
        "import_acts={} import_s={import_s:.3} acts_per_s={:.0}",
        report.added,
        report.added as f64 / import_s
    );
    drop(ledger);

    let day = dyad_core::date::parse_day(day).expect("DAY is YYYY-MM-DD");
    let ledger = Ledger::open(&home).expect("open");
    let auth = ledger
        .registry()
        .authority(authority)
        .expect("authority")
        .clone();
    let mut times = Vec::new();
    let mut n = 0;
    for _ in 0..runs + 3 {
        let t = Instant::now();
        let acts = ledger.acts(Some(authority), None, None).expect("acts");
        let stances = dyad_core::fold_all(&auth, &acts, day);
        times.push(t.elapsed().as_secs_f64() * 1e3);
        n = stances.len();
    }
    let mut warm = times.split_off(3);
    warm.sort_by(f64::total_cmp);
    let pct = |p: f64| warm[((warm.len() - 1) as f64 * p).round() as usize];
    println!(
        "status_actors={n} status_ms_p50={:.2} status_ms_p95={:.2} status_ms_min={:.2}",
        pct(0.5),
        pct(0.95),
        warm[0]
    );
}
