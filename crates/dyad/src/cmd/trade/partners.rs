//! `dyad trade partners COUNTRY --flow export|import --years A-B --top N`: values and shares.

use std::io::Write;

use anyhow::Result;
use dyad_trade::Direction;
use dyad_view::trade::{years_text, PartnersView, PARTNERS_COLUMNS};

use crate::context::LedgerArgs;

/// Arguments of `dyad trade partners`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The country (ISO alpha-3).
    pub country: String,
    /// Its exports (by destination) or its imports (by origin).
    #[arg(long, value_parser = ["export", "import"], default_value = "export")]
    pub flow: String,
    /// Years, e.g. 2019-2023.
    #[arg(long, value_parser = super::parse_years)]
    pub years: dyad_trade::Years,
    /// How many partners to list.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Source of the figures: baci or comtrade (the country's own declarations).
    #[arg(long, default_value = "baci", value_parser = ["baci", "comtrade"])]
    pub source: String,
    #[command(flatten)]
    pub output: super::OutputArgs,
    #[command(flatten)]
    pub cluster: crate::cmd::cluster::ClusterArgs,
}

/// Runs `dyad trade partners`.
pub async fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let db = super::open_on(ledger_args, &args.cluster)?;
    let direction = if args.flow == "export" {
        Direction::Export
    } else {
        Direction::Import
    };
    let country = db.country(&args.country)?;
    let batches = db
        .partners(&country, direction, args.years, args.top, &args.source)
        .await?;
    let view = PartnersView {
        country,
        flow: args.flow.clone(),
        years: years_text(Some(args.years)).expect("some"),
        top: args.top,
        source: args.source.clone(),
        store_rows: db.store_rows(),
        rows: super::rows(&batches, &PARTNERS_COLUMNS)?,
    };
    super::write(&view, &batches, &args.output, out)
}
