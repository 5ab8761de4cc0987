//! `dyad timeline ACTOR AUTHORITY`: every act of the pair, with dyad's level after each.

use std::io::Write;

use anyhow::Result;

use crate::context::{self, LedgerArgs};
use crate::output::{Format, Table};

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
    let mut table = Table::new([
        "date",
        "precision",
        "act",
        "level_after",
        "id",
        "detail",
        "source_url",
    ]);
    for act in &acts {
        // The level once the act counts: at the end of its date's period.
        let after = dyad_core::fold(&args.actor, authority, &acts, act.date.end());
        table.push([
            act.date.to_string(),
            act.date.precision().as_str().to_string(),
            act.kind.to_string(),
            after.level.to_string(),
            act.id.clone(),
            act.detail.clone(),
            act.source_url.clone(),
        ]);
    }
    if acts.is_empty() {
        eprintln!(
            "no acts of {} toward {} in the ledger",
            args.actor, authority.id
        );
    }
    table.write(Format::resolve(args.format), out)
}
