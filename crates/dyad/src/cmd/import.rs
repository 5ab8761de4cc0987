//! `dyad import FILE...`: add acts and authorities to the home's ledger, all or nothing.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use dyad_ledger::{InputFile, Provenance};

use crate::context::LedgerArgs;

/// Arguments of `dyad import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// CSV files of acts (`date,actor,counterpart,act,...`) or authorities (`id,state,name,from,...`).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Who is recording these acts (default: $USER).
    #[arg(long)]
    pub by: Option<String>,
    /// Why (kept with every new version; say what a correction fixes).
    #[arg(long)]
    pub reason: Option<String>,
}

/// Runs `dyad import`.
pub fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    if ledger_args.home.is_none() {
        anyhow::bail!(
            "import needs a home: run `dyad init DIR`, then pass --home DIR or set DYAD_HOME"
        );
    }
    let mut ledger = ledger_args.open()?;
    let files = args
        .files
        .iter()
        .map(|p| InputFile::read(p).map_err(anyhow::Error::from))
        .collect::<Result<Vec<_>>>()?;
    let names: Vec<String> = args.files.iter().map(|p| p.display().to_string()).collect();
    let prov = Provenance {
        by: args
            .by
            .unwrap_or_else(|| std::env::var("USER").unwrap_or_else(|_| "unknown".into())),
        reason: args
            .reason
            .unwrap_or_else(|| format!("import {}", names.join(" "))),
    };
    let report = ledger.import(&files, &prov).context("import failed")?;
    writeln!(
        out,
        "imported {}: {} acts added, {} corrected (new version), {} unchanged, {} authorities",
        names.join(" "),
        report.added,
        report.corrected,
        report.unchanged,
        report.authorities
    )?;
    Ok(())
}
