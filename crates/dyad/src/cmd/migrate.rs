//! `dyad migrate`: upgrade a home's ledger to the schema this dyad writes.
//!
//! Commands that only read never migrate a home (an old one is read as it is, or from a copy
//! upgraded in memory); commands that write migrate it first. This one only migrates.

use std::io::Write;

use anyhow::{Context, Result};
use dyad_ledger::{Ledger, LEDGER_FILE};

use crate::context::LedgerArgs;

/// Arguments of `dyad migrate` (the home comes from --home or DYAD_HOME).
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `dyad migrate`.
pub fn run(_args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let Some(home) = &ledger_args.home else {
        anyhow::bail!("migrate needs a home: pass --home DIR or set DYAD_HOME");
    };
    let done = Ledger::migrate(home)
        .with_context(|| format!("migrating the ledger in {}", home.display()))?;
    let path = home.join(LEDGER_FILE);
    if done.from == done.to {
        writeln!(
            out,
            "{} is at schema version {} already",
            path.display(),
            done.to
        )?;
    } else {
        writeln!(
            out,
            "migrated {} from schema version {} to {}",
            path.display(),
            done.from,
            done.to
        )?;
    }
    Ok(())
}
