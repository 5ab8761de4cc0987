//! `dyad check-claims [FILE]`: judge stated claims against trade figures and the ledger.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::context::LedgerArgs;
use crate::output::{Format, Table};

/// Arguments of `dyad check-claims`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A claims file (TOML); without one, the bundled Kazakhstan–Afghanistan claims.
    pub file: Option<PathBuf>,
    /// Output format (default: table on a terminal, CSV otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// Runs `dyad check-claims`.
pub fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let ledger = ledger_args.open()?;
    let (name, text) = match &args.file {
        Some(p) => (
            p.display().to_string(),
            std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?,
        ),
        None => (
            dyad_brief::claims::BUNDLED_NAME.to_string(),
            dyad_brief::claims::BUNDLED.to_string(),
        ),
    };
    let file = dyad_brief::claims::load(&name, &text, ledger.registry())?;
    let db = super::trade::open(ledger_args)?;
    let acts = ledger.acts(None, None, ledger_args.known_on)?;
    let results = dyad_brief::claims::check(&file, &db, &acts, ledger.registry());
    let format = Format::resolve(args.format);
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut *out, &results)?;
        writeln!(out)?;
        return Ok(());
    }
    let mut t = Table::new([
        "claim", "verdict", "evidence", "observed", "agrees", "sources",
    ]);
    for r in results {
        if r.evidence.is_empty() {
            t.push([
                r.id.clone(),
                r.verdict.as_str().to_string(),
                "no figure bears on it".into(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
        for e in &r.evidence {
            t.push([
                r.id.clone(),
                r.verdict.as_str().to_string(),
                e.label.clone(),
                e.observed.clone(),
                if e.agrees { "yes" } else { "no" }.to_string(),
                e.sources.join(" "),
            ]);
        }
    }
    t.write(format, out)
}
