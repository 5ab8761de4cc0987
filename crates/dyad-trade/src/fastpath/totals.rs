//! A flow file's pair totals ([`crate::totals`]) in memory: read whole on first use (a BACI
//! year's file is ~50,000 rows), indexed by exporter and by importer, and handed out as the
//! same rows the file's own scan would give a query that sums over products (`PairRow`s with
//! `fold: Some(0)`, `SideRow`s).
//!
//! Why whole and in memory: an importer's totals, like its flows, are spread over every
//! exporter's block, so reading them by page from a file sorted by exporter is a page per
//! exporter; in memory both sides are a slice (~30 bytes a total: ~45 MB for 25 years of 238
//! areas, held by a server once asked about those years).

use std::fs::File;
use std::path::Path;

use datafusion::arrow::array::{Array, AsArray, Int32Array, StringArray};
use datafusion::arrow::datatypes::{Float64Type, Int32Type};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::filter::{PairQuery, PairRow, SideQuery, SideRow, Unsupported};
use crate::error::{io, Result, TradeError};
use crate::totals::TOTALS_SCHEMA;

/// What a total is summed by besides the pair: one entry per distinct combination in a file.
#[derive(Debug, PartialEq)]
struct Group {
    year: i32,
    source: Box<str>,
    classification: Box<str>,
    reporter: Box<str>,
    flow: Box<str>,
    source_url: Option<Box<str>>,
    product_level: i32,
}

/// One total: the pair as indexes into [`FileTotals::countries`], their codes, its group.
#[derive(Debug, Clone, Copy)]
struct Total {
    exporter: u32,
    importer: u32,
    exporter_code: Option<i32>,
    importer_code: Option<i32>,
    group: u32,
    value_usd: f64,
}

/// One file's totals, sorted by exporter then importer, with the order by importer beside.
#[derive(Debug)]
pub(super) struct FileTotals {
    /// Every country name in the file, sorted (an area without a country, `None`, first).
    countries: Vec<Option<Box<str>>>,
    groups: Vec<Group>,
    totals: Vec<Total>,
    /// Positions in `totals`, sorted by importer then exporter.
    by_importer: Vec<u32>,
}

impl FileTotals {
    /// Reads a totals file whole (`Ok(Err(Unsupported))`: not of [`TOTALS_SCHEMA`]; the flow
    /// file is then scanned row by row).
    pub(super) fn load(path: &Path) -> Result<Result<FileTotals, Unsupported>> {
        let error =
            |e: &dyn std::fmt::Display| TradeError::Other(format!("{}: {e}", path.display()));
        let file = File::open(path).map_err(io(path))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| error(&e))?;
        let same = builder.schema().fields().len() == TOTALS_SCHEMA.fields().len()
            && TOTALS_SCHEMA.fields().iter().all(|f| {
                builder
                    .schema()
                    .field_with_name(f.name())
                    .is_ok_and(|g| g.data_type() == f.data_type())
            });
        if !same {
            return Ok(Err(Unsupported));
        }
        let reader = builder
            .with_batch_size(65536)
            .build()
            .map_err(|e| error(&e))?;
        let mut countries: Vec<Option<Box<str>>> = Vec::new();
        let mut country_ids: std::collections::HashMap<Option<Box<str>>, u32> =
            std::collections::HashMap::new();
        let mut groups: Vec<Group> = Vec::new();
        let mut totals: Vec<Total> = Vec::new();
        for batch in reader {
            let batch = batch.map_err(|e| error(&e))?;
            let text = |k: usize| -> Result<&StringArray> {
                batch
                    .column(k)
                    .as_string_opt::<i32>()
                    .ok_or_else(|| error(&"not text"))
            };
            let int = |k: usize| -> Result<&Int32Array> {
                batch
                    .column(k)
                    .as_primitive_opt::<Int32Type>()
                    .ok_or_else(|| error(&"not Int32"))
            };
            let index = |name: &str| TOTALS_SCHEMA.index_of(name).expect("a totals column");
            let (exporter, importer) = (text(index("exporter"))?, text(index("importer"))?);
            let (exporter_code, importer_code) =
                (int(index("exporter_code"))?, int(index("importer_code"))?);
            let (year, level) = (int(index("year"))?, int(index("product_level"))?);
            let (source, classification, reporter, flow, url) = (
                text(index("source"))?,
                text(index("classification"))?,
                text(index("reporter"))?,
                text(index("flow"))?,
                text(index("source_url"))?,
            );
            let value = batch
                .column(index("value_usd"))
                .as_primitive_opt::<Float64Type>()
                .ok_or_else(|| error(&"value_usd is not Float64"))?;
            fn opt_text(a: &StringArray, i: usize) -> Option<&str> {
                a.is_valid(i).then(|| a.value(i))
            }
            let opt_int = |a: &Int32Array, i: usize| a.is_valid(i).then(|| a.value(i));
            let mut id = |name: Option<&str>| -> u32 {
                let key = name.map(Box::from);
                if let Some(&id) = country_ids.get(&key) {
                    return id;
                }
                let id = countries.len() as u32;
                countries.push(key.clone());
                country_ids.insert(key, id);
                id
            };
            for i in 0..batch.num_rows() {
                if year.is_null(i) || level.is_null(i) || value.is_null(i) {
                    return Err(error(&format!(
                        "a total without a year, level or value (row {i})"
                    )));
                }
                let group = Group {
                    year: year.value(i),
                    source: opt_text(source, i).unwrap_or("").into(),
                    classification: opt_text(classification, i).unwrap_or("").into(),
                    reporter: opt_text(reporter, i).unwrap_or("").into(),
                    flow: opt_text(flow, i).unwrap_or("").into(),
                    source_url: opt_text(url, i).map(Box::from),
                    product_level: level.value(i),
                };
                // A file's groups are few (one for a BACI year) and come in runs.
                let g = match groups.iter().rposition(|x| *x == group) {
                    Some(g) => g,
                    None => {
                        groups.push(group);
                        groups.len() - 1
                    }
                };
                totals.push(Total {
                    exporter: id(opt_text(exporter, i)),
                    importer: id(opt_text(importer, i)),
                    exporter_code: opt_int(exporter_code, i),
                    importer_code: opt_int(importer_code, i),
                    group: g as u32,
                    value_usd: value.value(i),
                });
            }
        }
        // Ids in name order, so that a name is found by bisection and sorting by id is sorting
        // by name.
        let mut order: Vec<u32> = (0..countries.len() as u32).collect();
        order.sort_by(|&a, &b| countries[a as usize].cmp(&countries[b as usize]));
        let mut rank = vec![0u32; countries.len()];
        for (r, &id) in order.iter().enumerate() {
            rank[id as usize] = r as u32;
        }
        let countries: Vec<Option<Box<str>>> = order
            .iter()
            .map(|&id| countries[id as usize].clone())
            .collect();
        for t in &mut totals {
            t.exporter = rank[t.exporter as usize];
            t.importer = rank[t.importer as usize];
        }
        // A stable sort keeps a pair's totals in the file's order.
        totals.sort_by_key(|t| (t.exporter, t.importer));
        let mut by_importer: Vec<u32> = (0..totals.len() as u32).collect();
        by_importer.sort_by_key(|&k| {
            let t = &totals[k as usize];
            (t.importer, t.exporter)
        });
        Ok(Ok(FileTotals {
            countries,
            groups,
            totals,
            by_importer,
        }))
    }

    /// The id of a country named in this file.
    fn id(&self, name: &str) -> Option<u32> {
        self.countries
            .binary_search_by(|c| c.as_deref().cmp(&Some(name)))
            .ok()
            .map(|i| i as u32)
    }

    /// The range of `totals` whose exporter is `e`.
    fn exporter_range(&self, e: u32) -> std::ops::Range<usize> {
        self.totals.partition_point(|t| t.exporter < e)
            ..self.totals.partition_point(|t| t.exporter <= e)
    }

    /// Passes every total of the pair that `q` accepts, as the row a scan of the file would
    /// give with `fold: Some(0)` (the product cut to nothing).
    pub(super) fn pair(&self, q: &PairQuery<'_>, f: &mut dyn FnMut(&PairRow<'_>)) {
        let (Some(e), Some(i)) = (self.id(q.exporter), self.id(q.importer)) else {
            return;
        };
        let of_e = &self.totals[self.exporter_range(e)];
        let from = of_e.partition_point(|t| t.importer < i);
        let to = of_e.partition_point(|t| t.importer <= i);
        for t in &of_e[from..to] {
            let g = &self.groups[t.group as usize];
            let row = PairRow {
                source: &g.source,
                classification: &g.classification,
                year: g.year,
                month: None,
                product: "",
                product_level: g.product_level,
                value_usd: t.value_usd,
                reporter: &g.reporter,
                flow: &g.flow,
                source_url: g.source_url.as_deref(),
            };
            if q.accepts(&row) {
                f(&row);
            }
        }
    }

    /// Passes every total on the country's side of `q`, as the side's scan of the file would.
    pub(super) fn side(&self, q: &SideQuery<'_>, f: &mut dyn FnMut(&SideRow<'_>)) {
        let Some(c) = self.id(q.country) else {
            return;
        };
        let mut pass = |t: &Total| {
            let g = &self.groups[t.group as usize];
            if &*g.source != q.source || !q.years.contains(&g.year) {
                return;
            }
            let (partner, partner_code) = if q.exporter {
                (t.importer, t.importer_code)
            } else {
                (t.exporter, t.exporter_code)
            };
            f(&SideRow {
                year: g.year,
                partner: self.countries[partner as usize].as_deref(),
                partner_code,
                product_level: g.product_level,
                value_usd: t.value_usd,
                reporter: &g.reporter,
                flow: &g.flow,
            });
        };
        if q.exporter {
            self.totals[self.exporter_range(c)]
                .iter()
                .for_each(&mut pass);
        } else {
            let from = self
                .by_importer
                .partition_point(|&k| self.totals[k as usize].importer < c);
            let to = self
                .by_importer
                .partition_point(|&k| self.totals[k as usize].importer <= c);
            for &k in &self.by_importer[from..to] {
                pass(&self.totals[k as usize]);
            }
        }
    }
}
