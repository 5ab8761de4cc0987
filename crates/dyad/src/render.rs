//! Shared rendering of stances, so `status`, `compare` and `diff` print them alike.

use std::io::Write;

use anyhow::Result;
use dyad_core::stance::Stance;
use dyad_core::{Act, Registry};
use serde_json::{json, Value};

use crate::output::{Format, Table};

/// The acts a stance cites (every dimension, and pending ones), with their sources.
pub fn sources(stance: &Stance, acts: &[Act]) -> Vec<Value> {
    let cited = stance.cited();
    acts.iter()
        .filter(|a| cited.contains(a.id.as_str()))
        .map(|a| json!({"id": a.id, "date": a.date, "act": a.kind, "detail": a.detail, "source_url": a.source_url}))
        .collect()
}

/// A stance as JSON: its dimensions, names, and the sources it cites.
pub fn stance_json(stance: &Stance, acts: &[Act], registry: &Registry) -> Value {
    let mut v = serde_json::to_value(stance).expect("stances serialise");
    let obj = v.as_object_mut().expect("a stance is an object");
    obj.insert("actor_name".into(), json!(registry.name_of(&stance.actor)));
    obj.insert("level_name".into(), json!(stance.level_name()));
    obj.insert("level_acts".into(), json!(stance.level_acts()));
    obj.insert("sources".into(), Value::Array(sources(stance, acts)));
    v
}

/// What every surface says of an authority asked about after its end: that it had ended, and
/// from when.
pub fn ended_note(authority: &dyad_core::Authority, until: time::Date, on: time::Date) -> String {
    format!(
        "note: {} ({}) had ended by {}: its last day was {} ({}); what is shown is what its acts \
         left behind, not a current stance",
        authority.id,
        authority.name,
        dyad_core::date::format_day(on),
        dyad_core::date::format_day(until),
        authority.period()
    )
}

/// Prints the ended note on standard error when `on` is after the authority's end.
pub fn warn_if_ended(authority: &dyad_core::Authority, on: time::Date) {
    if let Some(until) = authority.ended_by(on) {
        eprintln!("{}", ended_note(authority, until, on));
    }
}

/// Prints stances as a table, CSV, or JSON with sources.
pub fn write_stances(
    stances: &[Stance],
    acts: &[Act],
    registry: &Registry,
    format: Format,
    out: &mut dyn Write,
) -> Result<()> {
    if format == Format::Json {
        let list: Vec<Value> = stances
            .iter()
            .map(|s| stance_json(s, acts, registry))
            .collect();
        serde_json::to_writer_pretty(&mut *out, &list)?;
        writeln!(out)?;
        return Ok(());
    }
    let mut table = Table::new(dyad_core::stance::STANCE_COLUMNS);
    for s in stances {
        table.push(s.row(registry));
    }
    table.write(format, out)
}
