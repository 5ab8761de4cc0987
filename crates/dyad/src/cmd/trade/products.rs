//! `dyad trade products EXPORTER IMPORTER [--year Y | --years A-B] --level 2|4|6`: the product
//! mix, with names; for several years, one block per year.

use std::io::Write;

use anyhow::Result;
use dyad_view::trade::{
    years_text, ProductsByYearView, ProductsView, PRODUCTS_BY_YEAR_COLUMNS, PRODUCTS_COLUMNS,
};

use crate::context::LedgerArgs;

/// Arguments of `dyad trade products`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Exporter (ISO alpha-3).
    pub exporter: String,
    /// Importer (ISO alpha-3).
    pub importer: String,
    /// One year (the answer has no year column).
    #[arg(long, conflicts_with = "years")]
    pub year: Option<i32>,
    /// Several years, e.g. 2000-2024, with a year column; with neither --year nor --years, all
    /// years.
    #[arg(long, value_parser = super::parse_years)]
    pub years: Option<dyad_trade::Years>,
    /// HS digits: 2 (chapters), 4 (headings) or 6 (subheadings).
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u8).range(2..=6))]
    pub level: u8,
    /// Source of the figures: baci or comtrade.
    #[arg(long, default_value = "baci", value_parser = ["baci", "comtrade"])]
    pub source: String,
    /// Time the query: run it once untimed, then this many times in the same process, and print
    /// the median, 90th percentile and fastest run (ms) to standard error.
    #[arg(long)]
    pub repeat: Option<usize>,
    /// Answer through DataFusion SQL instead of the one-dyad fast path (the same answer; for
    /// comparison).
    #[arg(long, hide = true)]
    pub sql: bool,
    #[command(flatten)]
    pub output: super::OutputArgs,
    #[command(flatten)]
    pub cluster: crate::cmd::cluster::ClusterArgs,
}

/// Runs `dyad trade products`.
pub async fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let db = super::open_on(ledger_args, &args.cluster)?;
    let (exporter, importer) = (db.country(&args.exporter)?, db.country(&args.importer)?);
    let (e, i, level, source) = (&exporter, &importer, args.level, &args.source);
    let (db, years) = (&db, args.years);
    let (year, sql) = (args.year, args.sql);
    let query = move || async move {
        match (year, sql) {
            (Some(y), false) => db.products(e, i, y, level, source).await,
            (Some(y), true) => db.products_sql(e, i, y, level, source).await,
            (None, false) => db.products_by_year(e, i, years, level, source).await,
            (None, true) => db.products_by_year_sql(e, i, years, level, source).await,
        }
    };
    let batches = query().await?;
    if let Some(n) = args.repeat {
        super::repeat(n, move || async move { query().await.map(drop) }).await?;
    }
    let store_rows = db.store_rows();
    match args.year {
        Some(year) => {
            let view = ProductsView {
                exporter: exporter.clone(),
                importer: importer.clone(),
                year,
                level,
                source: source.clone(),
                store_rows,
                rows: super::rows(&batches, &PRODUCTS_COLUMNS)?,
            };
            super::write(&view, &batches, &args.output, out)
        }
        None => {
            let view = ProductsByYearView {
                exporter: exporter.clone(),
                importer: importer.clone(),
                years: years_text(args.years),
                level,
                source: source.clone(),
                store_rows,
                rows: super::rows(&batches, &PRODUCTS_BY_YEAR_COLUMNS)?,
            };
            super::write(&view, &batches, &args.output, out)
        }
    }
}
