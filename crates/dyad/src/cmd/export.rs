//! `dyad export`: the ledger's acts as CSV, in the format `import` reads.

use std::io::Write;

use anyhow::Result;

use crate::context::LedgerArgs;

/// Arguments of `dyad export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only acts toward this authority.
    #[arg(long)]
    pub authority: Option<String>,
    /// Only acts of this actor.
    #[arg(long)]
    pub actor: Option<String>,
}

/// Runs `dyad export`.
pub fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let ledger = ledger_args.open()?;
    let acts = ledger.acts(
        args.authority.as_deref(),
        args.actor.as_deref(),
        ledger_args.known_on,
    )?;
    dyad_core::acts_csv::write_acts(out, &acts)?;
    Ok(())
}
