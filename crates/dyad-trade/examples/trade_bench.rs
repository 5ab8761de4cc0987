//! Benchmark helper for `bench/trade/run.sh`: times one query over a home's trade store in this
//! process, after one untimed run (so "warm": file metadata cached, pages in the OS cache).
//!
//! `trade_bench HOME EXPORTER IMPORTER RUNS` prints `rows=N p50_ms=.. p90_ms=.. min_ms=..`.

use std::time::Instant;

use dyad_core::Registry;
use dyad_trade::TradeDb;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 5 {
        eprintln!("usage: trade_bench HOME EXPORTER IMPORTER RUNS");
        std::process::exit(2);
    }
    let runs: usize = args[4].parse().expect("RUNS is a number");
    let db = TradeDb::open(Some(std::path::Path::new(&args[1])), &Registry::bundled())
        .expect("store opens");
    // "exporter -> importer, all years, by HS2": the same SQL the DuckDB side runs.
    let sql = format!(
        "SELECT year, substr(product, 1, 2) AS hs2, sum(value_usd) AS value_usd FROM flows \
         WHERE exporter = '{}' AND importer = '{}' GROUP BY year, substr(product, 1, 2) \
         ORDER BY year, hs2",
        args[2], args[3]
    );
    let rows: usize = db
        .sql(&sql)
        .expect("query runs")
        .iter()
        .map(|b| b.num_rows())
        .sum();
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let n: usize = db
            .sql(&sql)
            .expect("query runs")
            .iter()
            .map(|b| b.num_rows())
            .sum();
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(n, rows);
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    println!(
        "rows={rows} p50_ms={:.3} p90_ms={:.3} min_ms={:.3}",
        pct(0.5),
        pct(0.9),
        times[0]
    );
}
