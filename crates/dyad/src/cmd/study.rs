//! `dyad study EXPORTER IMPORTER --event DATE|ACT_ID`: how trade moved around an act, against peers.

use std::io::Write;

use anyhow::{bail, Result};
use dyad_brief::figures::SeriesSource;
use dyad_brief::study::{self, Peers, StudyRequest};

use crate::context::LedgerArgs;
use crate::output::{self, Format};

/// Arguments of `dyad study`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Exporting country (ISO3).
    pub exporter: String,
    /// Importing country (ISO3).
    pub importer: String,
    /// The event: a day (YYYY-MM-DD) or an act id from the ledger.
    #[arg(long)]
    pub event: String,
    /// Periods (years, or months with --monthly) in each window before and after the event.
    #[arg(long, default_value_t = 2)]
    pub window: usize,
    /// `auto` (the closest by pre-event level) or a comma-separated list of countries.
    #[arg(long, default_value = "auto")]
    pub peers: String,
    /// How many peers `auto` picks.
    #[arg(long, default_value_t = 8)]
    pub k: usize,
    /// Compare with the exporter's other markets instead of the importer's other suppliers.
    #[arg(long)]
    pub exporter_markets: bool,
    /// Figures: `baci`, `comtrade` (importer-reported imports) or `comtrade-exporter`.
    #[arg(long, default_value = "baci")]
    pub source: String,
    /// Use monthly figures.
    #[arg(long)]
    pub monthly: bool,
    /// Output format (default: table on a terminal, CSV otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

/// Runs `dyad study`.
pub fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let Some(source) = SeriesSource::parse(&args.source) else {
        bail!(
            "--source {}: expected baci, comtrade or comtrade-exporter",
            args.source
        );
    };
    if args.window == 0 {
        bail!("--window must be at least 1");
    }
    let ledger = ledger_args.open()?;
    let acts = ledger.acts(None, None, ledger_args.known_on)?;
    let db = super::trade::open(ledger_args)?;
    let peers = if args.peers == "auto" {
        Peers::Auto {
            k: args.k,
            exporter_markets: args.exporter_markets,
        }
    } else {
        Peers::List {
            codes: args
                .peers
                .split(',')
                .map(|s| s.trim().to_string())
                .collect(),
            exporter_markets: args.exporter_markets,
        }
    };
    let req = StudyRequest {
        exporter: args.exporter,
        importer: args.importer,
        event: args.event,
        window: args.window,
        peers,
        source,
        monthly: args.monthly,
    };
    let s = study::run(&db, &acts, &req)?;
    let view = dyad_view::analysis::StudyView { study: &s };
    output::write(&view, Format::resolve(args.format), out)
}
