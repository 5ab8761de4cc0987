//! `dyad trade ingest PATH... [--source baci|comtrade|reported]`: into the home's store, all or
//! nothing, with a progress bar on a terminal.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::{Context as _, Result};
use dyad_trade::ingest::{Progress, Quiet};
use dyad_trade::Source;
use indicatif::{ProgressBar, ProgressStyle};

use crate::context::LedgerArgs;

/// Arguments of `dyad trade ingest`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// BACI release folders or zips (or single BACI_*.csv files beside their dictionaries),
    /// Comtrade CSV or .txt.gz bulk files or saved API responses (.json, .json.gz),
    /// reported-figures CSV files.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The format of every path (default: told from each name or header).
    #[arg(long, value_parser = ["baci", "comtrade", "reported"])]
    pub source: Option<String>,
}

/// A progress bar over the bytes of the file being read.
struct Bar(Mutex<Option<ProgressBar>>);

impl Progress for Bar {
    fn start(&self, label: &str, total: u64) {
        let mut slot = self.0.lock().expect("not poisoned");
        if let Some(old) = slot.take() {
            old.finish_and_clear();
        }
        let bar = ProgressBar::new(total);
        bar.set_style(
            ProgressStyle::with_template("{msg} {wide_bar} {bytes}/{total_bytes} {bytes_per_sec}")
                .expect("valid template"),
        );
        let name = label.rsplit(['/', ':']).next().unwrap_or(label).to_string();
        bar.set_message(name);
        *slot = Some(bar);
    }
    fn advance(&self, bytes: u64) {
        if let Some(b) = self.0.lock().expect("not poisoned").as_ref() {
            b.inc(bytes);
        }
    }
}

/// Runs `dyad trade ingest`.
pub fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let home = ledger_args
        .home
        .as_deref()
        .context("ingest needs a home: give --home DIR or set DYAD_HOME (see `dyad init`)")?;
    let source = args.source.as_deref().and_then(Source::parse);
    let registry = dyad_core::Registry::bundled();
    let report = if std::io::stderr().is_terminal() {
        let bar = Bar(Mutex::new(None));
        let r = dyad_trade::ingest::ingest(home, &args.paths, source, &registry, &bar);
        if let Some(b) = bar.0.lock().expect("not poisoned").take() {
            b.finish_and_clear();
        }
        r
    } else {
        dyad_trade::ingest::ingest(home, &args.paths, source, &registry, &Quiet)
    }
    .context("ingest failed")?;
    let mut total = 0;
    for (key, rows, replaced) in &report.units {
        total += rows;
        let verb = if *replaced { "replaced" } else { "added" };
        if *rows == 0 {
            // A unit of product names only (e.g. `baci/HS17/products`).
            writeln!(out, "{verb} {key}")?;
        } else {
            writeln!(out, "{verb} {key}: {rows} rows")?;
        }
    }
    if report.skipped > 0 {
        writeln!(
            out,
            "skipped {} Comtrade rows (World partner, sub-breakdowns, services or other flows)",
            report.skipped
        )?;
    }
    writeln!(
        out,
        "{total} rows stored in {}",
        home.join("trade").display()
    )?;
    Ok(())
}
