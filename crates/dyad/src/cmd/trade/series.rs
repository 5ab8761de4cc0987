//! `dyad trade series EXPORTER IMPORTER [--years A-B]`: both directions, per source and reporter.

use std::io::Write;

use anyhow::Result;
use dyad_view::trade::{years_text, SeriesView, SERIES_COLUMNS};

use crate::context::LedgerArgs;

/// Arguments of `dyad trade series`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// One country (ISO alpha-3, e.g. KAZ).
    pub a: String,
    /// The other country.
    pub b: String,
    /// Years, e.g. 2017-2024 (default: all).
    #[arg(long, value_parser = super::parse_years)]
    pub years: Option<dyad_trade::Years>,
    #[command(flatten)]
    pub output: super::OutputArgs,
    #[command(flatten)]
    pub cluster: crate::cmd::cluster::ClusterArgs,
}

/// Runs `dyad trade series`.
pub async fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let db = super::open_on(ledger_args, &args.cluster)?;
    let (a, b) = (db.country(&args.a)?, db.country(&args.b)?);
    let batches = db.series(&a, &b, args.years).await?;
    let view = SeriesView {
        a,
        b,
        years: years_text(args.years),
        store_rows: db.store_rows(),
        rows: super::rows(&batches, &SERIES_COLUMNS)?,
    };
    super::write(&view, &batches, &args.output, out)
}
