//! `dyad trade ingest`: reads BACI releases, Comtrade files and reported figures into the store,
//! all or nothing.

use std::path::{Path, PathBuf};

use dyad_core::Registry;

use crate::baci::{self, Areas, Release};
use crate::codes::AreaCodes;
use crate::comtrade::{self, ComtradeRows};
use crate::error::{io, Result, TradeError};
use crate::flow::Source;
use crate::reported;
use crate::store::{BaciYear, Store};

/// Reports progress of a long ingest (a progress bar on a terminal; nothing otherwise).
pub trait Progress: Sync {
    /// A new file starts, of `total` bytes (0 if unknown).
    fn start(&self, label: &str, total: u64);
    /// `bytes` more were read.
    fn advance(&self, bytes: u64);
}

/// Progress that shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quiet;

impl Progress for Quiet {
    fn start(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
}

/// What an ingest stored.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// `(unit key, rows, replaced an earlier ingest)`.
    pub units: Vec<(String, u64, bool)>,
    /// Comtrade rows skipped by its filters (World partner, breakdowns, services).
    pub skipped: u64,
}

/// Which reader a path needs, from `--source` or from the path itself.
pub fn detect(path: &Path, asked: Option<Source>) -> Result<Source> {
    if let Some(s) = asked {
        return Ok(s);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if path.is_dir()
        || name.to_ascii_lowercase().ends_with(".zip")
        || baci::parse_name(&name).is_some()
    {
        return Ok(Source::Baci);
    }
    // Bulk files and gzipped responses; saved API responses (`.json`).
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".gz") || lower.ends_with(".json") {
        return Ok(Source::Comtrade);
    }
    let mut head = vec![0u8; 4096];
    let n = {
        use std::io::Read;
        let mut f = std::fs::File::open(path).map_err(io(path))?;
        f.read(&mut head).map_err(io(path))?
    };
    let text = String::from_utf8_lossy(&head[..n]);
    let first = text.lines().next().unwrap_or("");
    if first.contains("reporterCode") || comtrade::is_json(&head[..n]) {
        Ok(Source::Comtrade)
    } else if first.contains("exporter") && first.contains("source_url") {
        Ok(Source::Reported)
    } else {
        Err(TradeError::Other(format!(
            "{}:1: cannot tell the format from the name or the header; give --source \
             baci|comtrade|reported",
            path.display()
        )))
    }
}

/// Reads every path and stores it under `home`, or changes nothing.
pub fn ingest(
    home: &Path,
    paths: &[PathBuf],
    source: Option<Source>,
    registry: &Registry,
    progress: &dyn Progress,
) -> Result<Report> {
    let areas = AreaCodes::new(registry);
    let store = Store::new(home);
    let mut ing = store.begin()?;
    let before = store.manifest()?;
    let mut comtrade_rows = ComtradeRows::default();
    let mut comtrade_origin = Vec::new();
    for path in paths {
        let origin = path.display().to_string();
        match detect(path, source)? {
            Source::Baci => {
                let release = Release::find(path)?;
                ingest_baci(&mut ing, &release, &origin, &areas, registry, progress)?;
            }
            Source::Comtrade => {
                progress.start(&origin, 0);
                comtrade::read_path(path, &areas, &mut comtrade_rows)?;
                comtrade_origin.push(origin);
            }
            Source::Reported => {
                let bytes = std::fs::read(path).map_err(io(path))?;
                let flows = reported::parse(&origin, &bytes, registry)?;
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let key = reported::unit_key(&name);
                if ing.has_unit(&key) {
                    return Err(TradeError::Other(format!(
                        "{origin}: a second file named {name} in one ingest"
                    )));
                }
                ing.add_flows(&key, &origin, flows)?;
            }
        }
    }
    let origin = comtrade_origin.join(", ");
    for (key, flows) in std::mem::take(&mut comtrade_rows.units) {
        let classification = flows[0].classification.clone();
        ing.add_flows(&key, &origin, flows)?;
        let names: Vec<(String, String)> = comtrade_rows
            .products
            .iter()
            .filter(|((c, _), _)| *c == classification)
            .map(|((_, code), d)| (code.clone(), d.clone()))
            .collect();
        if !names.is_empty() {
            ing.add_products(&key, &origin, &classification, &names)?;
        }
    }
    let manifest = ing.commit()?;
    let mut report = Report {
        skipped: comtrade_rows.skipped,
        ..Report::default()
    };
    for (key, unit) in &manifest.units {
        let fresh = before.units.get(key) != Some(unit);
        if fresh {
            report
                .units
                .push((key.clone(), unit.rows, before.units.contains_key(key)));
        }
    }
    Ok(report)
}

fn ingest_baci(
    ing: &mut crate::store::Ingest,
    release: &Release,
    origin: &str,
    areas: &AreaCodes,
    registry: &Registry,
    progress: &dyn Progress,
) -> Result<()> {
    let c = &release.container;
    let dict_label = c.label(&release.countries);
    let dict = baci::parse_countries(
        &dict_label,
        &c.read_all(&release.countries)?,
        areas,
        registry,
    )?;
    let ranked = Areas::new(&dict);
    let mut classes: Vec<&str> = release
        .flows
        .iter()
        .map(|f| f.classification.as_str())
        .collect();
    classes.dedup();
    for class in classes {
        let pname = &release.products[class];
        let plabel = c.label(pname);
        let products = baci::parse_products(&plabel, &c.read_all(pname)?)?;
        for f in release.flows.iter().filter(|f| f.classification == class) {
            let key = format!("baci/{class}/{}", f.year);
            if ing.has_unit(&key) {
                return Err(TradeError::Other(format!(
                    "{}: a second file for {class} {} in one ingest",
                    c.label(&f.name),
                    f.year
                )));
            }
            let label = c.label(&f.name);
            progress.start(&label, c.size(&f.name).unwrap_or(0));
            let rows = c.read(&f.name, |r| {
                baci::read_flows(&label, r, f.year, &ranked, &products, &|n| {
                    progress.advance(n)
                })
            })?;
            let year = BaciYear {
                classification: class,
                release: &release.release,
                year: f.year,
                areas: &ranked,
                products: &products,
            };
            ing.add_baci_year(&key, origin, &year, rows.parts)?;
        }
        ing.add_products(
            &format!("baci/{class}/products"),
            origin,
            class,
            &products.codes,
        )?;
    }
    Ok(())
}
