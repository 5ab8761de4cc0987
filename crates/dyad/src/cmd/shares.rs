//! `dyad shares COUNTRY --flow import|export --years A-B`: whose share of a country's trade rose or fell.

use std::io::Write;

use anyhow::{bail, Result};
use dyad_analysis::series::Period;
use dyad_brief::figures::{partner_series, SeriesSource};

use crate::context::LedgerArgs;
use crate::output::{self, Format};

/// Arguments of `dyad shares`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The country (ISO3).
    pub country: String,
    /// `import` (its suppliers) or `export` (its markets).
    #[arg(long, default_value = "import")]
    pub flow: String,
    /// First and last year, `A-B`.
    #[arg(long, value_parser = super::trade::parse_years)]
    pub years: dyad_trade::Years,
    /// How many partners to list.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Figures: `baci`, `comtrade` (importer-reported) or `comtrade-exporter`.
    #[arg(long, default_value = "baci")]
    pub source: String,
    /// Output format (default: table on a terminal, CSV otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// Runs `dyad shares`.
pub fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let by_importer = match args.flow.as_str() {
        "import" => false,
        "export" => true,
        other => bail!("--flow {other}: expected import or export"),
    };
    let Some(source) = SeriesSource::parse(&args.source) else {
        bail!(
            "--source {}: expected baci, comtrade or comtrade-exporter",
            args.source
        );
    };
    let db = super::trade::open(ledger_args)?;
    let series = partner_series(&db, &args.country, by_importer, source, false)?;
    let (first, last) = (Period::Year(args.years.from), Period::Year(args.years.to));
    let flows: Vec<(String, Period, f64)> = series
        .iter()
        .flat_map(|(p, s)| s.points.iter().map(move |(per, v)| (p.clone(), *per, *v)))
        .filter(|f| f.1 == first || f.1 == last)
        .collect();
    if flows.is_empty() {
        bail!(
            "no {} figures for {}'s {}s in {} or {}; ingest BACI or Comtrade files with `dyad trade ingest`",
            source.label(),
            args.country,
            args.flow,
            args.years.from,
            args.years.to
        );
    }
    let registry = dyad_core::Registry::bundled();
    let rows = dyad_analysis::shares::shares(&flows, first, last, args.top);
    let view =
        dyad_view::analysis::SharesView::new(&rows, &registry, args.years.from, args.years.to);
    let format = Format::resolve(args.format);
    if format != Format::Json {
        eprintln!(
            "source: {}; shares of the total over all partners in the store",
            source.label()
        );
    }
    output::write(&view, format, out)
}
