//! `dyad politics FILE`: a trade panel with the ledger's political variables added.
//!
//! Reads a CSV panel row by row and writes it back with, for each side, the governing authority
//! of the partner's country, the variables of `dyad_analysis::politics`, the dimensions an act
//! dated around the day may change, and the ids of the acts behind the values, so the panel can
//! go to any estimator (fixest, pyfixest, Stata) with its sources.

use std::collections::HashMap;
use std::io::Write;
use std::rc::Rc;

use anyhow::{Context, Result};
use dyad_analysis::politics::{self, Coverage, Keys, Politics, SideVars, MEASURES, SIDES};

use crate::context::LedgerArgs;

/// Arguments of `dyad politics`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Panel CSV with a header row and exporter, importer and time columns.
    pub file: std::path::PathBuf,
    /// The exporter, importer and time columns. Time is a year (answered as of
    /// `--politics-day`), a month `YYYY-MM` (its last day) or a day `YYYY-MM-DD`.
    #[arg(
        long,
        value_name = "EXPORTER,IMPORTER,TIME",
        default_value = "exporter,importer,year"
    )]
    pub keys: Keys,
    /// The day of the year a bare year stands for (MM-DD).
    #[arg(long, value_name = "MM-DD", default_value = "12-31", value_parser = super::gravity::parse_month_day)]
    pub politics_day: (time::Month, u8),
    /// Write to this file (replaced only once the whole panel is written) instead of standard
    /// output.
    #[arg(long, short = 'o')]
    pub output: Option<std::path::PathBuf>,
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

/// Cells added per side: authority, the measures, uncertain, acts.
const SIDE_CELLS: usize = MEASURES.len() + 3;

/// Runs `dyad politics`.
pub fn run(args: Args, ledger_args: &LedgerArgs, out: &mut dyn Write) -> Result<()> {
    let ledger = ledger_args.open()?;
    let acts = ledger.acts(None, None, ledger_args.known_on)?;
    let (month, day) = args.politics_day;
    let registry = ledger.registry();
    let areas = dyad_trade::codes::AreaCodes::new(registry);
    let politics = Politics::new(registry, &acts)
        .with_year_day(month, day)
        .with_resolver(Box::new(move |c| {
            dyad_trade::codes::resolve_country(registry, &areas, c).ok()
        }));
    match &args.output {
        None => write_panel(&args, &politics, out),
        Some(path) => {
            // Written beside the target and renamed: a bad row never leaves half a panel.
            let dir = path.parent().filter(|p| !p.as_os_str().is_empty());
            let mut tmp = tempfile::NamedTempFile::new_in(dir.unwrap_or(".".as_ref()))
                .with_context(|| format!("creating a file beside {}", path.display()))?;
            write_panel(
                &args,
                &politics,
                &mut std::io::BufWriter::new(tmp.as_file_mut()),
            )?;
            tmp.persist(path)
                .with_context(|| format!("writing {}", path.display()))?;
            Ok(())
        }
    }
}

fn write_panel(args: &Args, politics: &Politics<'_>, out: &mut dyn Write) -> Result<()> {
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
    let keys = &args.keys;
    let (ei, ii, ti) = (
        find(&keys.exporter)?,
        find(&keys.importer)?,
        find(&keys.time)?,
    );
    let mut w = csv::Writer::from_writer(out);
    let mut header: Vec<String> = headers.iter().map(str::to_string).collect();
    header.extend(added_columns());
    w.write_record(&header)?;

    let mut countries: HashMap<String, Option<String>> = HashMap::new();
    // Stances per (actor, government, day): a panel has few of them, however many rows.
    let mut sides: HashMap<(String, String, time::Date), Rc<Vec<String>>> = HashMap::new();
    let none: Rc<Vec<String>> = Rc::new(side_cells(&SideVars::none()));
    let missing: Vec<String> = vec![String::new(); SIDE_CELLS];
    let mut coverage = Coverage::default();
    let mut known_any = false;
    let mut record = csv::StringRecord::new();
    while rdr
        .read_record(&mut record)
        .with_context(|| format!("reading {}", path.display()))?
    {
        let line = record.position().map_or(0, |p| p.line());
        let (e, i, t) = (&record[ei], &record[ii], &record[ti]);
        if [e, i, t].iter().any(|k| politics::is_missing(k)) {
            coverage.rows += 1;
            let row = record
                .iter()
                .chain(missing.iter().chain(&missing).map(String::as_str));
            w.write_record(row)?;
            continue;
        }
        let day = politics.day_of(t).with_context(|| {
            format!(
                "{}:{line}: column `{}`: `{}` is not a year or a date (expected YYYY, YYYY-MM or YYYY-MM-DD)",
                path.display(),
                keys.time,
                t.trim()
            )
        })?;
        let mut resolve = |code: &str| -> Option<String> {
            countries
                .entry(code.to_string())
                .or_insert_with(|| politics.country(code))
                .clone()
        };
        let (ec, ic) = (resolve(e), resolve(i));
        known_any |= ec.is_some() || ic.is_some();
        // The exporter faces the importer's government, and the other way round.
        let faced = [
            ic.as_deref().and_then(|c| politics.governing(c, day)),
            ec.as_deref().and_then(|c| politics.governing(c, day)),
        ];
        coverage.count(politics, faced.map(|a| a.map(|a| a.id.as_str())), day);
        let actors = [ec.as_deref(), ic.as_deref()];
        let partners = [ic.as_deref(), ec.as_deref()];
        let mut cells: [Rc<Vec<String>>; 2] = [none.clone(), none.clone()];
        for side in 0..2 {
            cells[side] = match (actors[side], faced[side]) {
                (Some(actor), Some(auth)) => sides
                    .entry((actor.to_string(), auth.id.clone(), day))
                    .or_insert_with(|| {
                        let partner = partners[side].expect("a governed partner is known");
                        Rc::new(side_cells(&politics.side(actor, partner, day)))
                    })
                    .clone(),
                // An unknown actor still faces a government: name it, values 0.
                (None, Some(auth)) => Rc::new(side_cells(&SideVars {
                    authority: Some(auth.id.clone()),
                    ..SideVars::none()
                })),
                (_, None) => none.clone(),
            };
        }
        w.write_record(
            record
                .iter()
                .chain(cells[0].iter().chain(cells[1].iter()).map(String::as_str)),
        )?;
    }
    if !known_any && coverage.rows > 0 {
        anyhow::bail!(
            "{}: none of the codes in `{}` and `{}` is a known country; dyad expects ISO alpha-3 codes (KAZ) or numeric area codes as in BACI and Comtrade (398, 842)",
            path.display(),
            keys.exporter,
            keys.importer
        );
    }
    w.flush()?;
    coverage.unknown_codes = countries
        .into_iter()
        .filter(|(_, v)| v.is_none())
        .map(|(k, _)| k)
        .collect();
    coverage.unknown_codes.sort();
    for note in coverage.notes() {
        eprintln!("note: {note}");
    }
    Ok(())
}

/// The added cells of one side: authority, values (a missing level empty), uncertain
/// dimensions, act ids.
fn side_cells(s: &SideVars) -> Vec<String> {
    let mut out = Vec::with_capacity(SIDE_CELLS);
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
    out
}
