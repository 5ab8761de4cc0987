//! `dyad diff AUTHORITY --from D1 --to D2`: who moved between two days, and how.

use std::io::Write;

use anyhow::Result;
use dyad_core::stance::changes;
use time::Date;

use crate::context::{self, LedgerArgs};
use crate::output::{Format, Table};

/// Arguments of `dyad diff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Authority, e.g. AFG-IEA.
    pub authority: String,
    /// The earlier day (YYYY-MM-DD).
    #[arg(long, value_parser = context::parse_day)]
    pub from: Date,
    /// The later day (YYYY-MM-DD).
    #[arg(long, value_parser = context::parse_day)]
    pub to: Date,
    /// Output format (default: table on a terminal, CSV otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// Runs `dyad diff`.
pub fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    if args.from > args.to {
        anyhow::bail!("--from must not be later than --to");
    }
    let ledger = ledger_args.open()?;
    let authority = context::authority(&ledger, &args.authority)?;
    let acts = ledger.acts(Some(&authority.id), None, ledger_args.known_on)?;
    let before = dyad_core::fold_all(authority, &acts, args.from);
    let after = dyad_core::fold_all(authority, &acts, args.to);
    let mut table = Table::new(["actor", "name", "dimension", "from", "to", "acts"]);
    for s in &after {
        let old = before.iter().find(|b| b.actor == s.actor);
        let moved: Vec<&str> = acts
            .iter()
            .filter(|a| a.actor == s.actor && a.date.end() > args.from && a.date.end() <= args.to)
            .map(|a| a.id.as_str())
            .collect();
        for c in changes(old, s) {
            table.push([
                s.actor.clone(),
                ledger.registry().name_of(&s.actor).to_string(),
                c.dimension.to_string(),
                c.from,
                c.to,
                moved.join(" "),
            ]);
        }
    }
    table.write(Format::resolve(args.format), out)
}
