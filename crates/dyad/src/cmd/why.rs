//! `dyad why ACTOR AUTHORITY [--on DATE]`: each dimension with the acts, dates and sources behind it.

use std::io::Write;

use anyhow::Result;
use dyad_core::stance::Dimension;
use time::Date;

use crate::context::{self, LedgerArgs};
use crate::output::{Format, Table};

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
    if format == Format::Json {
        let v = crate::render::stance_json(&stance, &acts, ledger.registry());
        serde_json::to_writer_pretty(&mut *out, &v)?;
        writeln!(out)?;
        return Ok(());
    }
    let mut table = Table::new([
        "dimension",
        "value",
        "status",
        "act_id",
        "date",
        "act",
        "source_url",
    ]);
    fn rows<T: Copy + PartialEq>(
        table: &mut Table,
        acts: &[dyad_core::Act],
        name: &str,
        dim: &Dimension<T>,
        value: &str,
    ) {
        if dim.acts.is_empty() && dim.pending.is_empty() {
            table.push([name, value, "no act", "", "", "", ""]);
        }
        for (ids, status) in [
            (&dim.acts, "counted"),
            (&dim.pending, "pending (inside its date's period)"),
        ] {
            for id in ids {
                if let Some(a) = context::find(acts, id) {
                    table.push([
                        name.to_string(),
                        value.to_string(),
                        status.to_string(),
                        a.id.clone(),
                        a.date.to_string(),
                        a.kind.to_string(),
                        a.source_url.clone(),
                    ]);
                }
            }
        }
    }
    rows(
        &mut table,
        &acts,
        "recognition",
        &stance.recognition,
        stance.recognition.value.as_str(),
    );
    rows(
        &mut table,
        &acts,
        "envoys",
        &stance.envoys,
        stance.envoys.value.as_str(),
    );
    rows(
        &mut table,
        &acts,
        "mission",
        &stance.mission,
        stance.mission.value.as_str(),
    );
    rows(
        &mut table,
        &acts,
        "designation",
        &stance.designation,
        stance.designation.value.as_str(),
    );
    if format == Format::Table {
        writeln!(
            out,
            "{} ({}) toward {} on {}: level {}{} ({})\n",
            ledger.registry().name_of(&args.actor),
            args.actor,
            authority.id,
            dyad_core::date::format_day(on),
            stance.level,
            if stance.level_uncertain { "?" } else { "" },
            stance.level_name()
        )?;
    }
    table.write(format, out)
}
