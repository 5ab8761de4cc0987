//! `dyad sql "SELECT ..."`: read-only SQL over the trade tables (`flows`, `products`,
//! `countries`, `areas`).

use std::io::Write;

use anyhow::Result;

use crate::context::LedgerArgs;

/// Arguments of `dyad sql`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// One query; statements that change anything are refused.
    pub query: String,
    #[command(flatten)]
    pub output: super::trade::OutputArgs,
}

/// Runs `dyad sql`.
pub fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let db = super::trade::open(ledger_args)?;
    let batches = db.sql(&args.query)?;
    super::trade::write(&batches, &args.output, out)
}
