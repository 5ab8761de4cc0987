//! `dyad contest STATE [--on DATE]`: every actor's stance toward each rival government of a
//! state, side by side, with how many actors recognise each.

use std::io::Write;

use anyhow::{Context as _, Result};
use dyad_core::contest::Contest;
use dyad_core::Act;
use serde_json::{json, Map, Value};
use time::Date;

use crate::context::{self, LedgerArgs};
use crate::output::{Format, Table};

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
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut *out, &contest_json(&contest, &acts, registry))?;
        writeln!(out)?;
        return Ok(());
    }
    for side in &contest.sides {
        if let Some(until) = side.ended {
            eprintln!("{}", crate::render::ended_note(&side.authority, until, on));
        }
    }
    contest_table(&contest, registry).write(format, out)?;
    if format == Format::Table {
        writeln!(out)?;
        for line in summary(&contest) {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

/// The contest as one row per actor: for each side its level, dimensions and the acts behind
/// the level (empty cells where the actor has no act toward that side).
pub fn contest_table(contest: &Contest, registry: &dyad_core::Registry) -> Table {
    let mut table = Table::new(contest.columns());
    for row in &contest.rows {
        table.push(contest.cells(row, registry));
    }
    table
}

/// One line per side: how many actors recognise it, receive its envoys, keep a mission.
pub fn summary(contest: &Contest) -> Vec<String> {
    let mut lines: Vec<String> = contest
        .sides
        .iter()
        .map(|s| {
            let ended = s
                .ended
                .map(|u| format!(" (ended {})", dyad_core::date::format_day(u)))
                .unwrap_or_default();
            format!(
                "{}{ended}: recognised by {} of {} actors with acts; envoys received by {}; own mission open in {}",
                s.authority.id, s.recognised_by, s.actors, s.envoys_received_by, s.missions_open
            )
        })
        .collect();
    if contest.recognise_several > 0 {
        lines.push(format!(
            "{} actors recognise more than one side",
            contest.recognise_several
        ));
    }
    lines
}

/// The contest as JSON: the sides with their counts, and per actor its stance toward each side
/// (as `dyad why --format json`, with sources) or null.
pub fn contest_json(contest: &Contest, acts: &[Act], registry: &dyad_core::Registry) -> Value {
    let sides: Vec<Value> = contest
        .sides
        .iter()
        .map(|s| {
            json!({
                "authority": s.authority.id,
                "name": s.authority.name,
                "from": s.authority.from,
                "until": s.authority.until,
                "ended": s.ended,
                "in_exile": s.in_exile,
                "actors": s.actors,
                "recognised_by": s.recognised_by,
                "envoys_received_by": s.envoys_received_by,
                "missions_open": s.missions_open,
            })
        })
        .collect();
    let rows: Vec<Value> = contest
        .rows
        .iter()
        .map(|r| {
            let mut stances = Map::new();
            for (side, stance) in contest.sides.iter().zip(&r.stances) {
                stances.insert(
                    side.authority.id.clone(),
                    stance.as_ref().map_or(Value::Null, |s| {
                        crate::render::stance_json(s, acts, registry)
                    }),
                );
            }
            json!({"actor": r.actor, "name": registry.name_of(&r.actor), "stances": stances})
        })
        .collect();
    json!({
        "state": contest.state,
        "on": contest.on,
        "sides": sides,
        "recognise_several": contest.recognise_several,
        "actors": rows,
    })
}
