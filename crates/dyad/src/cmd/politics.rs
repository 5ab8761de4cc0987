//! `dyad politics FILE`: a trade panel with the ledger's political variables added.
//!
//! Streams a CSV panel and writes it back with, for each side, the governing authority of the
//! partner's country, the variables of `dyad_analysis::politics` and the ids of the acts behind
//! them, so the panel can go to any estimator (fixest, pyfixest, Stata) with its sources.

use std::collections::HashMap;
use std::io::Write;

use anyhow::{Context, Result};
use dyad_analysis::politics::{Keys, Politics, SideVars, MEASURES, SIDES};

use crate::context::LedgerArgs;

/// Arguments of `dyad politics`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Panel CSV with a header row and exporter, importer and time columns.
    pub file: std::path::PathBuf,
    /// The exporter, importer and time columns. Time is a year (answered as of `--year-day`),
    /// a month `YYYY-MM` (its last day) or a day `YYYY-MM-DD`.
    #[arg(
        long,
        value_name = "EXPORTER,IMPORTER,TIME",
        default_value = "exporter,importer,year"
    )]
    pub keys: Keys,
    /// The day of the year a bare year stands for (MM-DD).
    #[arg(long, value_name = "MM-DD", default_value = "12-31", value_parser = super::gravity::parse_month_day)]
    pub year_day: (time::Month, u8),
}

/// The columns added after the panel's own, in order.
pub fn added_columns() -> Vec<String> {
    let mut cols = Vec::new();
    for (side, _) in SIDES {
        cols.push(format!("{side}_authority"));
        cols.extend(MEASURES.iter().map(|(m, _)| format!("{side}_{m}")));
        cols.push(format!("{side}_uncertain"));
        cols.push(format!("{side}_acts"));
    }
    cols
}

/// Runs `dyad politics`.
pub fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let ledger = ledger_args.open()?;
    let acts = ledger.acts(None, None, ledger_args.known_on)?;
    let (month, day) = args.year_day;
    let politics = Politics::new(ledger.registry(), &acts).with_year_day(month, day);
    let path = &args.file;
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(std::io::BufReader::with_capacity(1 << 20, file));
    let headers = rdr
        .headers()
        .with_context(|| format!("reading the header of {}", path.display()))?
        .clone();
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .with_context(|| {
                let known: Vec<&str> = headers.iter().collect();
                format!(
                    "{}: no column `{name}`; the file has: {} (set --keys EXPORTER,IMPORTER,TIME)",
                    path.display(),
                    known.join(", ")
                )
            })
    };
    let (ei, ii, ti) = (
        find(&args.keys.exporter)?,
        find(&args.keys.importer)?,
        find(&args.keys.time)?,
    );
    // Written to a buffer first: a bad row further down must not leave half a panel behind.
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = headers.iter().map(str::to_string).collect();
    header.extend(added_columns());
    w.write_record(&header)?;
    let mut cache: HashMap<(String, String, String), Vec<String>> = HashMap::new();
    let mut known_any = false;
    let mut record = csv::StringRecord::new();
    loop {
        let more = rdr
            .read_record(&mut record)
            .with_context(|| format!("reading {}", path.display()))?;
        if !more {
            break;
        }
        let line = record.position().map_or(0, |p| p.line());
        let key = (
            record[ei].trim().to_string(),
            record[ii].trim().to_string(),
            record[ti].trim().to_string(),
        );
        let extra = match cache.get(&key) {
            Some(v) => v,
            None => {
                let (e, i, t) = &key;
                let day = politics.day_of(t).with_context(|| {
                    format!(
                        "{}:{line}: column `{}`: `{t}` is not a year or a date (expected YYYY, YYYY-MM or YYYY-MM-DD)",
                        path.display(),
                        args.keys.time
                    )
                })?;
                let (ec, ic) = (politics.country(e), politics.country(i));
                known_any |= ec.is_some() || ic.is_some();
                let sides = politics.pair(ec.as_deref(), ic.as_deref(), day);
                cache.entry(key.clone()).or_insert_with(|| cells(&sides))
            }
        };
        w.write_record(record.iter().chain(extra.iter().map(String::as_str)))?;
    }
    if !known_any && !cache.is_empty() {
        anyhow::bail!(
            "{}: none of the codes in `{}` and `{}` is a known country; dyad expects ISO alpha-3 codes (KAZ) or ISO numeric / M49 codes (398)",
            path.display(),
            args.keys.exporter,
            args.keys.importer
        );
    }
    out.write_all(&w.into_inner().context("writing CSV")?)?;
    Ok(())
}

/// The added cells of one row: per side, authority, values (missing level empty), uncertain
/// dimensions, act ids.
fn cells(sides: &[SideVars; 2]) -> Vec<String> {
    let mut out = Vec::new();
    for s in sides {
        out.push(s.authority.clone().unwrap_or_default());
        out.extend(s.values.iter().map(|v| {
            if v.is_nan() {
                String::new()
            } else {
                format!("{v}")
            }
        }));
        out.push(s.uncertain.clone());
        out.push(s.acts.join(" "));
    }
    out
}
