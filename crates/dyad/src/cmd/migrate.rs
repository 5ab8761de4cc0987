//! `dyad migrate`: upgrade a home to what this dyad writes: its ledger to the current schema,
//! and its trade store's flow files to having pair totals beside them.
//!
//! Commands that only read never migrate a home (an old ledger is read as it is, or from a copy
//! upgraded in memory; an old trade store is read row by row where it lacks totals); commands
//! that write migrate the ledger first. This one only migrates.

use std::io::Write;

use anyhow::{Context, Result};
use dyad_ledger::{Ledger, LEDGER_FILE};
use dyad_trade::store::Store;

use crate::context::LedgerArgs;

/// Arguments of `dyad migrate` (the home comes from --home or DYAD_HOME).
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `dyad migrate`.
pub fn run(_args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let Some(home) = &ledger_args.home else {
        anyhow::bail!("migrate needs a home: pass --home DIR or set DYAD_HOME");
    };
    let path = home.join(LEDGER_FILE);
    let store = Store::new(home);
    let has_store = store.root().join("manifest.json").exists();
    // A home with only a trade store (a benchmark's, say) is not given a ledger it never had.
    if path.exists() || !has_store {
        let done = Ledger::migrate(home)
            .with_context(|| format!("migrating the ledger in {}", home.display()))?;
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
    }
    if has_store {
        let added = store
            .add_missing_totals()
            .with_context(|| format!("adding pair totals to {}", store.root().display()))?;
        if added == 0 {
            writeln!(
                out,
                "{}: every flow file has its pair totals already",
                store.root().display()
            )?;
        } else {
            let files = if added == 1 { "file" } else { "files" };
            writeln!(
                out,
                "{}: wrote pair totals for {added} flow {files} (partners and series now read them)",
                store.root().display()
            )?;
        }
    }
    Ok(())
}
