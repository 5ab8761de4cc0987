//! `dyad contest STATE [--on DATE]`: every actor's stance toward each rival government of a
//! state, side by side, with how many actors recognise each.

use std::io::Write;

use anyhow::{Context as _, Result};
use dyad_view::ledger::{ActIndex, ContestView};
use time::Date;

use crate::context::{self, LedgerArgs};
use crate::output::{self, Format};

/// Arguments of `dyad contest`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The contested state, e.g. VEN, AFG or CHN.
    pub state: String,
    /// The day to answer for (YYYY-MM-DD; default today).
    #[arg(long, value_parser = context::parse_day)]
    pub on: Option<Date>,
    /// Output format (default: table on a terminal, CSV otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// Runs `dyad contest`.
pub fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let ledger = ledger_args.open()?;
    let registry = ledger.registry();
    let state = args.state.to_ascii_uppercase();
    context::actor(&ledger, &state)?;
    let on = args.on.unwrap_or_else(context::today);
    let claimants = registry.claimants(&state);
    if claimants.is_empty() {
        anyhow::bail!(
            "no authority claims {state}; known authorities: {}",
            registry
                .authorities()
                .map(|a| format!("{} ({})", a.id, a.state))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut acts = Vec::new();
    for a in &claimants {
        acts.extend(ledger.acts(Some(&a.id), None, ledger_args.known_on)?);
    }
    let contest = dyad_core::contest::contest(registry, &state, &acts, on).with_context(|| {
        format!(
            "no authority claiming {state} had begun by {on}: {}",
            claimants
                .iter()
                .map(|a| format!("{} from {}", a.id, a.from))
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    let format = Format::resolve(args.format);
    for side in &contest.sides {
        if let Some(until) = side.ended {
            eprintln!("{}", crate::render::ended_note(&side.authority, until, on));
        }
    }
    let index = ActIndex::new(&acts);
    let view = ContestView::new(&contest, registry, ledger_args.known_on, &index);
    output::write(&view, format, out)?;
    if format == Format::Table {
        writeln!(out)?;
        for line in view.summary() {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}
