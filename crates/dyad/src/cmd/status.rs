//! `dyad status AUTHORITY [--on DATE]`: one row per actor with its stance on the day.

use std::io::Write;

use anyhow::Result;
use dyad_view::ledger::{ActIndex, StancesView};
use time::Date;

use crate::context::{self, LedgerArgs};
use crate::output::{self, Format};

/// Arguments of `dyad status`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Authority, e.g. AFG-IEA.
    pub authority: String,
    /// The day to answer for (YYYY-MM-DD; default today).
    #[arg(long, value_parser = context::parse_day)]
    pub on: Option<Date>,
    /// Output format (default: table on a terminal, CSV otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// Runs `dyad status`.
pub fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let ledger = ledger_args.open()?;
    let authority = context::authority(&ledger, &args.authority)?;
    let on = args.on.unwrap_or_else(context::today);
    let acts = ledger.acts(Some(&authority.id), None, ledger_args.known_on)?;
    let stances = dyad_core::fold_all(authority, &acts, on);
    crate::render::warn_if_ended(authority, on);
    let index = ActIndex::new(&acts);
    let view = StancesView::new(
        ledger.registry(),
        authority,
        on,
        ledger_args.known_on,
        &stances,
        &index,
    );
    output::write(&view, Format::resolve(args.format), out)
}
