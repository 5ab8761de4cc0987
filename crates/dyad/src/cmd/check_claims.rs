//! `dyad check-claims [FILE]`: judge stated claims against trade figures and the ledger.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use dyad_view::analysis::ClaimsView;

use crate::context::LedgerArgs;
use crate::output::{self, Format};

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
    let view = ClaimsView { claims: &results };
    output::write(&view, Format::resolve(args.format), out)
}
