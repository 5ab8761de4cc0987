//! `dyad timeline ACTOR AUTHORITY`: every act of the pair, with dyad's level after each.

use std::io::Write;

use anyhow::Result;
use dyad_view::ledger::TimelineView;

use crate::context::{self, LedgerArgs};
use crate::output::{self, Format};

/// Arguments of `dyad timeline`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Acting state, e.g. RUS.
    pub actor: String,
    /// Authority, e.g. AFG-IEA.
    pub authority: String,
    /// Output format (default: table on a terminal, CSV otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// Runs `dyad timeline`.
pub fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let ledger = ledger_args.open()?;
    let authority = context::authority(&ledger, &args.authority)?;
    context::actor(&ledger, &args.actor)?;
    let acts = ledger.acts(Some(&authority.id), Some(&args.actor), ledger_args.known_on)?;
    if acts.is_empty() {
        eprintln!(
            "no acts of {} toward {} in the ledger",
            args.actor, authority.id
        );
    }
    let view = TimelineView::new(
        ledger.registry(),
        &args.actor,
        authority,
        &acts,
        ledger_args.known_on,
    );
    output::write(&view, Format::resolve(args.format), out)
}
