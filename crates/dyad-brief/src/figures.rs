//! Trade figures with their provenance, read from the trade store (or the bundled reported
//! figures) for the analyses: pair figures, annual series, and the figure source for claims.

use std::collections::BTreeMap;

use dyad_analysis::claims::{Claim, ClaimsFile, Figure, FigureSource, Measure};
use dyad_analysis::series::{Period, Series};
use dyad_trade::datafusion::arrow::array::{
    Array, Float64Array, Int64Array, RecordBatch, StringArray,
};
use dyad_trade::datafusion::arrow::compute::cast;
use dyad_trade::datafusion::arrow::datatypes::DataType;
use dyad_trade::{Declarer, Direction, TradeDb};
use serde::Serialize;

use crate::BriefError;

/// One trade figure between two countries, as a source gives it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairFigure {
    /// Calendar year (start year for fiscal years; see `reporter`).
    pub year: i32,
    /// Exporting country.
    pub exporter: String,
    /// Importing country.
    pub importer: String,
    /// `X` export, `M` import, `T` turnover (both ways), `RX`/`RM` re-exports/imports.
    pub flow: String,
    /// Value in USD.
    pub value_usd: f64,
    /// `baci`, `comtrade` or `reported`.
    pub source: String,
    /// Who reported it.
    pub reporter: String,
    /// Where it is published, for reported figures.
    pub source_url: Option<String>,
}

impl PairFigure {
    /// A label naming where the figure comes from, for tables and sources lists.
    pub fn provenance(&self) -> String {
        match self.source.as_str() {
            "baci" => "CEPII BACI (reconciled mirror flows)".to_string(),
            "comtrade" => format!("UN Comtrade, reported by {}", self.reporter),
            _ => self.reporter.clone(),
        }
    }
}

/// A cell of a query result, as the analyses need it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Missing.
    Null,
    /// A number (integers and floats alike).
    Num(f64),
    /// Text.
    Text(String),
}

impl Cell {
    fn num(&self) -> Option<f64> {
        match self {
            Cell::Num(v) => Some(*v),
            _ => None,
        }
    }
    fn text(&self) -> Option<&str> {
        match self {
            Cell::Text(s) => Some(s),
            _ => None,
        }
    }
}

/// Query results as rows of named cells.
pub fn rows(batches: &[RecordBatch]) -> Result<Vec<BTreeMap<String, Cell>>, BriefError> {
    let mut out = Vec::new();
    for b in batches {
        let schema = b.schema();
        let mut cols: Vec<(String, Vec<Cell>)> = Vec::new();
        for (field, col) in schema.fields().iter().zip(b.columns()) {
            let cells: Vec<Cell> = match col.data_type() {
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Boolean => {
                    let c = cast(col, &DataType::Utf8)?;
                    let a = c
                        .as_any()
                        .downcast_ref::<StringArray>()
                        .expect("cast to Utf8");
                    (0..a.len())
                        .map(|i| {
                            if a.is_null(i) {
                                Cell::Null
                            } else {
                                Cell::Text(a.value(i).to_string())
                            }
                        })
                        .collect()
                }
                DataType::Float32 | DataType::Float64 | DataType::Decimal128(..) => {
                    let c = cast(col, &DataType::Float64)?;
                    let a = c
                        .as_any()
                        .downcast_ref::<Float64Array>()
                        .expect("cast to Float64");
                    (0..a.len())
                        .map(|i| {
                            if a.is_null(i) {
                                Cell::Null
                            } else {
                                Cell::Num(a.value(i))
                            }
                        })
                        .collect()
                }
                _ => {
                    let c = cast(col, &DataType::Int64)?;
                    let a = c
                        .as_any()
                        .downcast_ref::<Int64Array>()
                        .expect("cast to Int64");
                    (0..a.len())
                        .map(|i| {
                            if a.is_null(i) {
                                Cell::Null
                            } else {
                                Cell::Num(a.value(i) as f64)
                            }
                        })
                        .collect()
                }
            };
            cols.push((field.name().clone(), cells));
        }
        for r in 0..b.num_rows() {
            out.push(
                cols.iter()
                    .map(|(n, c)| (n.clone(), c[r].clone()))
                    .collect(),
            );
        }
    }
    Ok(out)
}

/// Every annual figure between two countries, both directions, from every source.
pub async fn pair_figures(db: &TradeDb, a: &str, b: &str) -> Result<Vec<PairFigure>, BriefError> {
    let batches = db.series(a, b, None).await?;
    let mut out = Vec::new();
    for r in rows(&batches)? {
        let text = |k: &str| r.get(k).and_then(Cell::text).map(str::to_string);
        let (Some(year), Some(value), Some(exporter), Some(importer)) = (
            r.get("year").and_then(Cell::num),
            r.get("value_usd").and_then(Cell::num),
            text("exporter"),
            text("importer"),
        ) else {
            continue;
        };
        out.push(PairFigure {
            year: year as i32,
            exporter,
            importer,
            flow: text("flow").unwrap_or_default(),
            value_usd: value,
            source: text("source").unwrap_or_default(),
            reporter: text("reporter").unwrap_or_default(),
            source_url: text("source_url"),
        });
    }
    Ok(out)
}

/// Exports, imports and one of the figures, for a (year, source, reporter).
type DirectionSums = (Option<f64>, Option<f64>, PairFigure);

/// Figures for claims, from the trade store and the bundled reported figures: every figure of
/// each pair a claims file names, read before the claims are judged (judging is synchronous,
/// reading the store is not).
#[derive(Debug, Default)]
pub struct StoreFigures {
    /// [`pair_figures`] by (exporter, importer) as the claims write them; a pair whose figures
    /// could not be read (an unknown code) has none.
    pub pairs: BTreeMap<(String, String), Vec<PairFigure>>,
}

impl StoreFigures {
    /// Reads the figures of every pair that a numeric claim of `file` names.
    pub async fn read(db: &TradeDb, file: &ClaimsFile) -> StoreFigures {
        let mut out = StoreFigures::default();
        for claim in &file.claims {
            let (Claim::Ratio {
                exporter, importer, ..
            }
            | Claim::Level {
                exporter, importer, ..
            }) = claim
            else {
                continue;
            };
            let key = (exporter.clone(), importer.clone());
            if let std::collections::btree_map::Entry::Vacant(slot) = out.pairs.entry(key) {
                // A pair whose figures cannot be read has none, as when each claim read them.
                slot.insert(
                    pair_figures(db, exporter, importer)
                        .await
                        .unwrap_or_default(),
                );
            }
        }
        out
    }
}

impl FigureSource for StoreFigures {
    fn figures(&self, exporter: &str, importer: &str, measure: Measure) -> Vec<Figure> {
        let Some(all) = self
            .pairs
            .get(&(exporter.to_string(), importer.to_string()))
        else {
            return Vec::new();
        };
        let fig = |f: &PairFigure, value: f64, label: String| Figure {
            period: Period::Year(f.year),
            value,
            reporter: label,
            source_url: f.source_url.clone(),
        };
        match measure {
            Measure::Flow => all
                .iter()
                .filter(|f| {
                    f.exporter == exporter
                        && f.importer == importer
                        && matches!(f.flow.as_str(), "X" | "M")
                })
                .map(|f| fig(f, f.value_usd, f.provenance()))
                .collect(),
            Measure::Turnover => {
                let mut out: Vec<Figure> = all
                    .iter()
                    .filter(|f| f.flow == "T")
                    .map(|f| fig(f, f.value_usd, f.provenance()))
                    .collect();
                // Both directions from one source and reporter add up to a turnover.
                let mut sums: BTreeMap<(i32, String, String), DirectionSums> = BTreeMap::new();
                for f in all
                    .iter()
                    .filter(|f| f.source != "reported" && matches!(f.flow.as_str(), "X" | "M"))
                {
                    let e = sums
                        .entry((f.year, f.source.clone(), f.reporter.clone()))
                        .or_insert((None, None, f.clone()));
                    if f.exporter == exporter {
                        e.0 = Some(e.0.unwrap_or(0.0) + f.value_usd);
                    } else {
                        e.1 = Some(e.1.unwrap_or(0.0) + f.value_usd);
                    }
                }
                for (_, (x, m, f)) in sums {
                    if let (Some(x), Some(m)) = (x, m) {
                        out.push(fig(
                            &f,
                            x + m,
                            format!("{} (both directions)", f.provenance()),
                        ));
                    }
                }
                out
            }
        }
    }
}

/// Which figures make the exports series of a study or chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesSource {
    /// BACI's reconciled flows.
    Baci,
    /// Comtrade, as reported by the importer (imports, CIF).
    ComtradeImporter,
    /// Comtrade, as reported by the exporter (exports, FOB).
    ComtradeExporter,
}

impl SeriesSource {
    /// Parses `baci`, `comtrade` (= importer-reported) or `comtrade-exporter`.
    pub fn parse(text: &str) -> Option<SeriesSource> {
        match text {
            "baci" => Some(SeriesSource::Baci),
            "comtrade" | "comtrade-importer" => Some(SeriesSource::ComtradeImporter),
            "comtrade-exporter" => Some(SeriesSource::ComtradeExporter),
            _ => None,
        }
    }

    /// The label shown with results.
    pub fn label(self) -> &'static str {
        match self {
            SeriesSource::Baci => "CEPII BACI",
            SeriesSource::ComtradeImporter => "UN Comtrade, importer-reported imports",
            SeriesSource::ComtradeExporter => "UN Comtrade, exporter-reported exports",
        }
    }
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Annual (or monthly) export values into `importer` from every exporter (or, with
/// `by_importer`, from `exporter` to every importer), as one series per partner.
///
/// Annual series come from [`TradeDb::partner_series`] (the fast path, from the store's pair
/// totals); monthly ones are SQL over `flows` (the fast path reads annual rows only).
pub async fn partner_series(
    db: &TradeDb,
    fixed: &str,
    by_importer: bool,
    source: SeriesSource,
    monthly: bool,
) -> Result<BTreeMap<String, Series>, BriefError> {
    let batches = if monthly {
        monthly_partner_series(db, fixed, by_importer, source).await?
    } else {
        let direction = if by_importer {
            Direction::Export
        } else {
            Direction::Import
        };
        let declarer = match source {
            SeriesSource::Baci => Declarer::Baci,
            SeriesSource::ComtradeImporter => Declarer::Importer,
            SeriesSource::ComtradeExporter => Declarer::Exporter,
        };
        db.partner_series(fixed, direction, declarer).await?
    };
    let mut out: BTreeMap<String, Series> = BTreeMap::new();
    for r in rows(&batches)? {
        let (Some(partner), Some(year), Some(v)) = (
            r.get("partner").and_then(Cell::text),
            r.get("year").and_then(Cell::num),
            r.get("value_usd").and_then(Cell::num),
        ) else {
            continue;
        };
        let p = match r.get("month").and_then(Cell::num) {
            Some(month) if monthly => Period::Month(year as i32, month as u8),
            _ => Period::Year(year as i32),
        };
        out.entry(partner.to_string())
            .or_default()
            .points
            .insert(p, v);
    }
    Ok(out)
}

/// [`partner_series`] by month: `partner, year, month, value_usd`.
async fn monthly_partner_series(
    db: &TradeDb,
    fixed: &str,
    by_importer: bool,
    source: SeriesSource,
) -> Result<Vec<RecordBatch>, BriefError> {
    let fixed = quote(&db.country(fixed)?);
    let (fixed_col, partner_col) = if by_importer {
        ("exporter", "importer")
    } else {
        ("importer", "exporter")
    };
    let who = match source {
        SeriesSource::Baci => "source = 'baci'".to_string(),
        SeriesSource::ComtradeImporter => {
            "source = 'comtrade' AND flow = 'M' AND reporter = importer".to_string()
        }
        SeriesSource::ComtradeExporter => {
            "source = 'comtrade' AND flow = 'X' AND reporter = exporter".to_string()
        }
    };
    Ok(db
        .sql(&format!(
            "WITH g AS (
               SELECT {partner_col} AS partner, year, month, product_level,
                      sum(value_usd) AS value_usd
               FROM flows
               WHERE {fixed_col} = {fixed} AND {partner_col} IS NOT NULL AND {who}
                 AND month IS NOT NULL
               GROUP BY {partner_col}, year, month, product_level),
             m AS (SELECT *, min(product_level) OVER (PARTITION BY partner, year, month) AS lowest FROM g)
             SELECT partner, year, month, value_usd FROM m WHERE product_level = lowest"
        ))
        .await?)
}
