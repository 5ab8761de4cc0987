//! `dyad diff AUTHORITY --from D1 --to D2`: who moved between two days, and how.

use std::io::Write;

use anyhow::Result;
use dyad_view::ledger::DiffView;
use time::Date;

use crate::context::{self, LedgerArgs};
use crate::output::{self, Format};

/// Arguments of `dyad diff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Authority, e.g. AFG-IEA.
    pub authority: String,
    /// The earlier day (YYYY-MM-DD).
    #[arg(long, value_parser = context::parse_day)]
    pub from: Date,
    /// The later day (YYYY-MM-DD).
    #[arg(long, value_parser = context::parse_day)]
    pub to: Date,
    /// Output format (default: table on a terminal, CSV otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// Runs `dyad diff`.
pub fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let ledger = ledger_args.open()?;
    let authority = context::authority(&ledger, &args.authority)?;
    let acts = ledger.acts(Some(&authority.id), None, ledger_args.known_on)?;
    let view = DiffView::new(
        ledger.registry(),
        authority,
        &acts,
        args.from,
        args.to,
        ledger_args.known_on,
    );
    output::write(&view, Format::resolve(args.format), out)
}
