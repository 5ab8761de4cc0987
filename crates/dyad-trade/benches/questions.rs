//! Times `TradeDb`'s answers warm, in one process, as users' long-lived processes (`dyad serve`)
//! meet them: one untimed call, then RUNS timed calls of the same question.
//!
//! ```text
//! cargo bench -p dyad-trade --bench questions -- HOME RUNS QUESTION ARGS...
//!   series A B | series-sql A B
//!   mirror E I | mirror-sql E I
//!   partners C export|import FROM TO SOURCE | partners-sql ...
//!   partner-series C export|import | partner-series-sql ...   (BACI)
//!   products E I LEVEL | products-sql E I LEVEL
//! ```
//!
//! Prints `rows=N runs=RUNS p50_ms=… p90_ms=… min_ms=… first_ms=…` (the format of `dyad …
//! --repeat`, and the untimed first call: it reads the footers, and the pair totals of the
//! files it needs), for `bench/trade/questions.sh`. The `-sql` forms answer through DataFusion (the reference).

use std::future::Future;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;

use dyad_core::Registry;
use dyad_trade::datafusion::arrow::array::RecordBatch;
use dyad_trade::{Declarer, Direction, Result, TradeDb, Years};

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if let Err(e) = run(&args) {
        eprintln!("questions: {e}");
        std::process::exit(1);
    }
}

/// Awaits one answer on a runtime made once, as the CLI's `main` awaits its command (the fast
/// path on the calling thread, as the CLI runs it).
fn wait<F: Future>(f: F) -> F::Output {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .build()
                .expect("a runtime")
        })
        .block_on(f)
}

fn run(args: &[String]) -> std::result::Result<(), String> {
    let usage = "usage: questions HOME RUNS QUESTION ARGS...";
    let (home, runs, question, rest) = match args {
        [home, runs, question, rest @ ..] => (home, runs, question.as_str(), rest),
        _ => return Err(usage.into()),
    };
    let runs: usize = runs
        .parse()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("RUNS `{runs}`: a number of runs, at least 1; {usage}"))?;
    let db =
        TradeDb::open(Some(Path::new(home)), &Registry::bundled()).map_err(|e| e.to_string())?;
    let arg = |k: usize| -> std::result::Result<&str, String> {
        rest.get(k)
            .map(String::as_str)
            .ok_or_else(|| usage.to_string())
    };
    let int = |k: usize| -> std::result::Result<i32, String> {
        arg(k)?
            .parse()
            .map_err(|_| format!("`{}` is not a number", rest[k]))
    };
    let direction = |text: &str| match text {
        "export" => Ok(Direction::Export),
        "import" => Ok(Direction::Import),
        other => Err(format!("direction `{other}`: export or import")),
    };
    let ask: Box<dyn Fn() -> Result<Vec<RecordBatch>>> = match question {
        "series" | "series-sql" => {
            let (a, b) = (arg(0)?.to_string(), arg(1)?.to_string());
            if question == "series" {
                Box::new(move || wait(db.series(&a, &b, None)))
            } else {
                Box::new(move || wait(db.series_sql(&a, &b, None)))
            }
        }
        "mirror" | "mirror-sql" => {
            let (e, i) = (arg(0)?.to_string(), arg(1)?.to_string());
            if question == "mirror" {
                Box::new(move || wait(db.mirror(&e, &i, None)))
            } else {
                Box::new(move || wait(db.mirror_sql(&e, &i, None)))
            }
        }
        "partner-series" | "partner-series-sql" => {
            let c = arg(0)?.to_string();
            let direction = direction(arg(1)?)?;
            if question == "partner-series" {
                Box::new(move || wait(db.partner_series(&c, direction, Declarer::Baci)))
            } else {
                Box::new(move || wait(db.partner_series_sql(&c, direction, Declarer::Baci)))
            }
        }
        "partners" | "partners-sql" => {
            let c = arg(0)?.to_string();
            let direction = direction(arg(1)?)?;
            let years = Years {
                from: int(2)?,
                to: int(3)?,
            };
            let source = arg(4)?.to_string();
            if question == "partners" {
                Box::new(move || wait(db.partners(&c, direction, years, 10, &source)))
            } else {
                Box::new(move || wait(db.partners_sql(&c, direction, years, 10, &source)))
            }
        }
        "products" | "products-sql" => {
            let (e, i) = (arg(0)?.to_string(), arg(1)?.to_string());
            let level: u8 = arg(2)?
                .parse()
                .map_err(|_| "LEVEL: 2, 4 or 6".to_string())?;
            if question == "products" {
                Box::new(move || wait(db.products_by_year(&e, &i, None, level, "baci")))
            } else {
                Box::new(move || wait(db.products_by_year_sql(&e, &i, None, level, "baci")))
            }
        }
        other => return Err(format!("unknown question `{other}`: {usage}")),
    };
    let rows = |b: &[RecordBatch]| b.iter().map(RecordBatch::num_rows).sum::<usize>();
    let t = Instant::now();
    let n = rows(&ask().map_err(|e| e.to_string())?);
    let first = t.elapsed().as_secs_f64() * 1000.0;
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let got = ask().map_err(|e| e.to_string())?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(&got);
    }
    ms.sort_by(f64::total_cmp);
    let pct = |p: f64| ms[((ms.len() - 1) as f64 * p).round() as usize];
    println!(
        "rows={n} runs={runs} p50_ms={:.3} p90_ms={:.3} min_ms={:.3} first_ms={first:.3}",
        pct(0.5),
        pct(0.9),
        ms[0]
    );
    Ok(())
}
