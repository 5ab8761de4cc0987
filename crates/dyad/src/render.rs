//! Shared rendering of stances, so `status`, `compare` and `diff` print them alike.

use std::io::Write;

use anyhow::Result;
use dyad_core::stance::Stance;
use dyad_core::{Act, Registry};
use serde_json::{json, Value};

use crate::output::{Format, Table};

/// Columns of a stance table.
pub const STANCE_HEADERS: [&str; 11] = [
    "actor",
    "name",
    "level",
    "level_name",
    "recognition",
    "envoys",
    "mission",
    "designation",
    "uncertain",
    "acts",
    "pending",
];

/// One row of a stance table.
pub fn stance_row(stance: &Stance, registry: &Registry) -> Vec<String> {
    vec![
        stance.actor.clone(),
        registry.name_of(&stance.actor).to_string(),
        format!(
            "{}{}",
            stance.level,
            if stance.level_uncertain { "?" } else { "" }
        ),
        stance.level_name().to_string(),
        stance.recognition.value.as_str().to_string(),
        stance.envoys.value.as_str().to_string(),
        stance.mission.value.as_str().to_string(),
        stance.designation.value.as_str().to_string(),
        stance.uncertain_dimensions(),
        stance.level_acts().join(" "),
        stance.pending().collect::<Vec<_>>().join(" "),
    ]
}

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
    let mut table = Table::new(STANCE_HEADERS);
    for s in stances {
        table.push(stance_row(s, registry));
    }
    table.write(format, out)
}
