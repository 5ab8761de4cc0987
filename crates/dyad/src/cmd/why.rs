//! `dyad why ACTOR AUTHORITY [--on DATE]`: each dimension with the acts, dates and sources behind it.

use std::io::Write;

use anyhow::Result;
use dyad_view::ledger::{ActIndex, WhyView};
use time::Date;

use crate::context::{self, LedgerArgs};
use crate::output::{self, Format};

/// Arguments of `dyad why`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Acting state, e.g. KAZ.
    pub actor: String,
    /// Authority, e.g. AFG-IEA.
    pub authority: String,
    /// The day to answer for (YYYY-MM-DD; default today).
    #[arg(long, value_parser = context::parse_day)]
    pub on: Option<Date>,
    /// Output format (default: table on a terminal, CSV otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// Runs `dyad why`.
pub fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let ledger = ledger_args.open()?;
    let authority = context::authority(&ledger, &args.authority)?;
    context::actor(&ledger, &args.actor)?;
    let on = args.on.unwrap_or_else(context::today);
    let acts = ledger.acts(Some(&authority.id), Some(&args.actor), ledger_args.known_on)?;
    let stance = dyad_core::fold(&args.actor, authority, &acts, on);
    crate::render::warn_if_ended(authority, on);
    let format = Format::resolve(args.format);
    let index = ActIndex::new(&acts);
    let view = WhyView::new(
        &stance,
        ledger.registry(),
        authority,
        ledger_args.known_on,
        &index,
    );
    if format == Format::Table {
        writeln!(out, "{}\n", view.headline())?;
    }
    output::write(&view, format, out)
}
