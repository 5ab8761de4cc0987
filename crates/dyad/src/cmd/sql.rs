//! `dyad sql "SELECT ..."`: read-only SQL over the trade tables (`flows`, `products`,
//! `countries`, `areas`).

use std::io::Write;
use std::time::Instant;

use anyhow::Result;

use crate::context::LedgerArgs;

/// Arguments of `dyad sql`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// One query; statements that change anything are refused.
    pub query: String,
    /// Time the query: run it once untimed, then this many times in the same process, and print
    /// the median, 90th percentile and fastest run (ms) to standard error.
    #[arg(long)]
    pub repeat: Option<usize>,
    #[command(flatten)]
    pub output: super::trade::OutputArgs,
}

/// Runs `dyad sql`.
pub fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let db = super::trade::open(ledger_args)?;
    let batches = db.sql(&args.query)?;
    if let Some(n) = args.repeat.filter(|&n| n > 0) {
        let mut ms = Vec::with_capacity(n);
        for _ in 0..n {
            let t = Instant::now();
            db.sql(&args.query)?;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        ms.sort_by(f64::total_cmp);
        let at = |p: f64| ms[((n - 1) as f64 * p).round() as usize];
        eprintln!(
            "runs={n} p50_ms={:.3} p90_ms={:.3} min_ms={:.3}",
            at(0.5),
            at(0.9),
            ms[0]
        );
    }
    super::trade::write(&batches, &args.output, out)
}
