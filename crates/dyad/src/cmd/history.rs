//! `dyad history ID`: every recorded version of an act, with who, when and why.

use std::io::Write;

use anyhow::Result;
use dyad_view::ledger::HistoryView;

use crate::context::LedgerArgs;
use crate::output::{self, Format};

/// Arguments of `dyad history`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Act id, as shown by `status`, `why` or `timeline`.
    pub id: String,
    /// Output format (default: table on a terminal, CSV otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// Runs `dyad history`.
pub fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let ledger = ledger_args.open()?;
    let versions = ledger.history(&args.id)?;
    if versions.is_empty() {
        anyhow::bail!("no act with id `{}`", args.id);
    }
    let view = HistoryView {
        id: &args.id,
        versions: &versions,
    };
    output::write(&view, Format::resolve(args.format), out)
}
