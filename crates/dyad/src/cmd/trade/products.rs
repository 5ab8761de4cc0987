//! `dyad trade products EXPORTER IMPORTER --year Y --level 2|4|6`: the product mix, with names.

use std::io::Write;

use anyhow::Result;

use crate::context::LedgerArgs;

/// Arguments of `dyad trade products`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Exporter (ISO alpha-3).
    pub exporter: String,
    /// Importer (ISO alpha-3).
    pub importer: String,
    /// The year.
    #[arg(long)]
    pub year: i32,
    /// HS digits: 2 (chapters), 4 (headings) or 6 (subheadings).
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u8).range(2..=6))]
    pub level: u8,
    /// Source of the figures: baci or comtrade.
    #[arg(long, default_value = "baci", value_parser = ["baci", "comtrade"])]
    pub source: String,
    #[command(flatten)]
    pub output: super::OutputArgs,
}

/// Runs `dyad trade products`.
pub fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let db = super::open(ledger_args)?;
    let batches = db.products(
        &args.exporter,
        &args.importer,
        args.year,
        args.level,
        &args.source,
    )?;
    super::write(&batches, &args.output, out)
}
