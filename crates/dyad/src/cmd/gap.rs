//! `dyad gap EXPORTER IMPORTER`: exporter-reported against importer-reported trade, year by year.

use std::io::Write;

use anyhow::{bail, Result};
use dyad_analysis::mirror::mirror;
use dyad_brief::figures::{partner_series, SeriesSource};

use crate::context::LedgerArgs;
use crate::output::{self, Format};

/// Arguments of `dyad gap`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Exporting country (ISO3).
    pub exporter: String,
    /// Importing country (ISO3).
    pub importer: String,
    /// Output format (default: table on a terminal, CSV otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// Runs `dyad gap`.
pub fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let db = super::trade::open(ledger_args)?;
    let (e, i) = (db.country(&args.exporter)?, db.country(&args.importer)?);
    let x = partner_series(&db, &e, true, SeriesSource::ComtradeExporter, false)?
        .remove(&i)
        .unwrap_or_default();
    let m = partner_series(&db, &i, false, SeriesSource::ComtradeImporter, false)?
        .remove(&e)
        .unwrap_or_default();
    let rows = mirror(&x, &m);
    if rows.is_empty() {
        bail!("no UN Comtrade figures from either {e} or {i} for this flow; ingest Comtrade files of both reporters with `dyad trade ingest`");
    }
    let format = Format::resolve(args.format);
    if format != Format::Json {
        eprintln!(
            "imports are valued CIF and exports FOB, so a ratio a little above 1 is expected"
        );
    }
    output::write(&dyad_view::analysis::GapView { rows: &rows }, format, out)
}
