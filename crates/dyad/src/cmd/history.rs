//! `dyad history ID`: every recorded version of an act, with who, when and why.

use std::io::Write;

use anyhow::Result;

use crate::context::LedgerArgs;
use crate::output::{Format, Table};

/// Arguments of `dyad history`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Act id, as shown by `status`, `why` or `timeline`.
    pub id: String,
    /// Output format (default: table on a terminal, CSV otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// Runs `dyad history`.
pub fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let ledger = ledger_args.open()?;
    let versions = ledger.history(&args.id)?;
    if versions.is_empty() {
        anyhow::bail!("no act with id `{}`", args.id);
    }
    let format = Format::resolve(args.format);
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut *out, &versions)?;
        writeln!(out)?;
        return Ok(());
    }
    let mut table = Table::new([
        "version",
        "recorded_at",
        "recorded_by",
        "reason",
        "superseded_at",
        "date",
        "act",
        "level",
        "detail",
        "source_url",
    ]);
    for v in versions {
        table.push([
            v.version.to_string(),
            v.recorded_at,
            v.recorded_by,
            v.reason,
            v.superseded_at.unwrap_or_default(),
            v.act.date.to_string(),
            v.act.kind.to_string(),
            v.act.level.map(|l| l.to_string()).unwrap_or_default(),
            v.act.detail,
            v.act.source_url,
        ]);
    }
    table.write(format, out)
}
