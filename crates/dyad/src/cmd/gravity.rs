//! `dyad gravity`: placeholder until the estimator lands.

use std::io::Write;

use anyhow::Result;

/// Arguments of `dyad gravity`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input CSV file.
    pub file: std::path::PathBuf,
}

/// Runs `dyad gravity`.
pub fn run(_args: Args, _out: &mut dyn Write) -> Result<()> {
    anyhow::bail!("not yet built")
}
