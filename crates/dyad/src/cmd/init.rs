//! `dyad init DIR`: make a home directory with a ledger.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use dyad_ledger::Ledger;

/// Arguments of `dyad init`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory to create (or an empty one to use).
    pub dir: PathBuf,
    /// Start with no acts instead of the bundled Afghanistan dataset.
    #[arg(long)]
    pub empty: bool,
}

/// Runs `dyad init`.
pub fn run(args: Args, out: &mut dyn Write) -> Result<()> {
    let path = Ledger::init(&args.dir, args.empty)?;
    writeln!(out, "created {}", path.display())?;
    writeln!(
        out,
        "use it with --home {} or DYAD_HOME={}",
        args.dir.display(),
        args.dir.display()
    )?;
    Ok(())
}
