//! `dyad trade mirror EXPORTER IMPORTER`: what each side declared, where both did.

use std::io::Write;

use anyhow::Result;
use dyad_view::trade::{years_text, MirrorView, MIRROR_COLUMNS};

use crate::context::LedgerArgs;

/// Arguments of `dyad trade mirror`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Exporter (ISO alpha-3).
    pub exporter: String,
    /// Importer (ISO alpha-3).
    pub importer: String,
    /// Years, e.g. 2017-2024 (default: all).
    #[arg(long, value_parser = super::parse_years)]
    pub years: Option<dyad_trade::Years>,
    #[command(flatten)]
    pub output: super::OutputArgs,
    #[command(flatten)]
    pub cluster: crate::cmd::cluster::ClusterArgs,
}

/// Runs `dyad trade mirror`.
pub async fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let db = super::open_on(ledger_args, &args.cluster)?;
    let (exporter, importer) = (db.country(&args.exporter)?, db.country(&args.importer)?);
    let batches = db.mirror(&exporter, &importer, args.years).await?;
    let view = MirrorView {
        exporter,
        importer,
        years: years_text(args.years),
        store_rows: db.store_rows(),
        rows: super::rows(&batches, &MIRROR_COLUMNS)?,
    };
    super::write(&view, &batches, &args.output, out)
}
