//! `dyad check FILE...`: validate acts files, compare their `level` column with dyad's fold, and
//! warn about rows without a `source_date`.
//!
//! Errors (a row that cannot be read) fail the command; warnings go to stderr, each labelled
//! `warning`, and leave the exit code alone: a missing source date is often the honest answer
//! (the page shows none), so it must not block a file, only be visible.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use dyad_core::acts_csv::parse_acts;
use dyad_view::analysis::{CheckView, LevelDifference};

use crate::context::LedgerArgs;
use crate::output::{self, Format};

/// Arguments of `dyad check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Acts CSV files to check.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Output format (default: table on a terminal, CSV otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// Runs `dyad check`.
pub fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    // The home's registry knows any authorities imported there.
    let ledger = ledger_args.open()?;
    let registry = ledger.registry();
    let mut view = CheckView::default();
    let mut checked = 0;
    for path in &args.files {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        let rows = parse_acts(&name, &bytes, registry)?;
        let acts: Vec<_> = rows.iter().map(|r| r.act.clone()).collect();
        let mut undated = 0;
        for row in rows.iter().filter(|r| r.act.source_date.is_none()) {
            undated += 1;
            eprintln!(
                "{name}:{}: warning: source_date: empty for `{}` (give the page's publication date if it shows one)",
                row.line, row.act.id
            );
        }
        for row in &rows {
            let Some(file_level) = row.act.level else {
                continue;
            };
            checked += 1;
            let authority = registry.authority(&row.act.authority).expect("validated");
            let stance = dyad_core::fold(&row.act.actor, authority, &acts, row.act.date.end());
            if stance.level != file_level {
                view.differences.push(LevelDifference {
                    file: name.clone(),
                    line: row.line,
                    id: row.act.id.clone(),
                    actor: row.act.actor.clone(),
                    authority: row.act.authority.clone(),
                    date: row.act.date.to_string(),
                    act: row.act.kind.to_string(),
                    file_level,
                    dyad_level: stance.level,
                    dyad_acts: stance.level_acts().to_vec(),
                });
            }
        }
        eprintln!(
            "{name}: {} acts, all valid; {undated} without a source_date (warnings)",
            rows.len()
        );
    }
    eprintln!(
        "{checked} levels checked; {} differ from dyad's fold",
        view.differences.len()
    );
    output::write(&view, Format::resolve(args.format), out)
}
