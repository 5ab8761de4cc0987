//! `dyad sql "SELECT ..."`: read-only SQL over the trade tables (`flows`, `pair_totals`,
//! `products`, `countries`, `areas`).

use std::io::Write;

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
    #[command(flatten)]
    pub cluster: super::cluster::ClusterArgs,
}

/// Runs `dyad sql`.
pub async fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let db = super::trade::open_on(ledger_args, &args.cluster)?;
    let batches = db.sql(&args.query).await?;
    if let Some(n) = args.repeat {
        let (db, query) = (&db, &args.query);
        super::trade::repeat(n, move || async move { db.sql(query).await.map(drop) }).await?;
    }
    let view = dyad_view::trade::SqlView {
        rows: dyad_view::trade::Rows::new(&batches, None)?,
    };
    super::trade::write(&view, &batches, &args.output, out)
}
