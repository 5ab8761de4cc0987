//! The mirror answer from the fast path: what an exporter said it sold an importer against what
//! the importer said it bought (Comtrade), by year, with BACI's reconciled value beside them;
//! the same answer as `TradeDb::mirror_sql`.

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Float64Array, Int32Array, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Field, Schema};

use super::{Local, TradeDb, Years};
use crate::error::Result;
use crate::fastpath::{PairQuery, PairRow};

/// The sums of one reading thread: Comtrade's declared exports (`true`) and imports by (year,
/// is export, product level), and BACI's by year.
#[derive(Debug, Default)]
struct Sums {
    declared: BTreeMap<(i32, bool, i32), f64>,
    baci: BTreeMap<i32, f64>,
}

/// A year of the mirror answer: year, exports as reported, imports as the partner reported,
/// and BACI's reconciled value if the store has one.
type MirrorRow = (i32, f64, f64, Option<f64>);

impl Sums {
    /// Adds a row of `exporter` → `importer`: the exporter's own declaration of exports, the
    /// importer's of imports, or a BACI row. The reader passes annual rows only; BACI's are all
    /// annual, so the SQL's BACI sum, which does not ask, sums the same rows.
    fn add(&mut self, r: &PairRow<'_>, exporter: &str, importer: &str) {
        match r.source {
            "comtrade" => {
                let export = match r.flow {
                    "X" if r.reporter == exporter => true,
                    "M" if r.reporter == importer => false,
                    _ => return,
                };
                *self
                    .declared
                    .entry((r.year, export, r.product_level))
                    .or_default() += r.value_usd;
            }
            "baci" => *self.baci.entry(r.year).or_default() += r.value_usd,
            _ => {}
        }
    }

    fn merge(&mut self, other: Sums) {
        for (k, v) in other.declared {
            *self.declared.entry(k).or_default() += v;
        }
        for (k, v) in other.baci {
            *self.baci.entry(k).or_default() += v;
        }
    }
}

impl TradeDb {
    /// Exporter-reported exports against importer-reported imports (Comtrade), by year where
    /// both exist: `year, exports_reported, imports_reported, ratio, gap, baci`, the ratio
    /// imports/exports and the gap imports − exports (imports are CIF, exports FOB, so a ratio
    /// a little above 1 is expected), with BACI's reconciled value beside them (null where BACI
    /// has no row). Each declaration is summed at its lowest product level. Answered by the fast
    /// path (see [`crate::fastpath`]); the same answer as [`TradeDb::mirror_sql`].
    pub async fn mirror(
        &self,
        exporter: &str,
        importer: &str,
        years: Option<Years>,
    ) -> Result<Vec<RecordBatch>> {
        let (e, i) = (self.country(exporter)?, self.country(importer)?);
        match self.fast(move |l| l.mirror(&e, &i, years)).await? {
            Some(answer) => Ok(answer),
            None => self.mirror_sql(exporter, importer, years).await,
        }
    }
}

impl Local {
    /// The mirror answer from the fast path, for resolved codes (`None`: it cannot read the
    /// store).
    fn mirror(&self, e: &str, i: &str, years: Option<Years>) -> Result<Option<Vec<RecordBatch>>> {
        let Some(index) = self.summed_index(false)? else {
            return Ok(None);
        };
        let q = PairQuery {
            exporter: e,
            importer: i,
            years: years.map(|y| y.from..=y.to),
            source: None,
            fold: Some(0),
        };
        let parts = index.scan(&q, Sums::default, |s, r| s.add(r, e, i), |s| s)?;
        let mut sums = Sums::default();
        for part in parts {
            sums.merge(part);
        }
        // The lowest level of each (year, flow) comes first in key order.
        let mut lowest: BTreeMap<(i32, bool), f64> = BTreeMap::new();
        for ((year, export, _), v) in sums.declared {
            lowest.entry((year, export)).or_insert(v);
        }
        let rows: Vec<MirrorRow> = lowest
            .iter()
            .filter(|((_, export), _)| *export)
            .filter_map(|(&(year, _), &x)| {
                let m = *lowest.get(&(year, false))?;
                Some((year, x, m, sums.baci.get(&year).copied()))
            })
            .collect();
        if rows.is_empty() {
            // As the SQL path: no batch at all when nothing matches.
            return Ok(Some(Vec::new()));
        }
        let float = |f: &dyn Fn(&MirrorRow) -> f64| -> ArrayRef {
            Arc::new(Float64Array::from_iter_values(rows.iter().map(f)))
        };
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int32Array::from_iter_values(rows.iter().map(|r| r.0))),
            float(&|r| r.1),
            float(&|r| r.2),
            float(&|r| r.2 / r.1),
            float(&|r| r.2 - r.1),
            Arc::new(rows.iter().map(|r| r.3).collect::<Float64Array>()),
        ];
        let f = |name: &str| Field::new(name, DataType::Float64, true);
        let schema = Schema::new(vec![
            Field::new("year", DataType::Int32, false),
            f("exports_reported"),
            f("imports_reported"),
            f("ratio"),
            f("gap"),
            f("baci"),
        ]);
        Ok(Some(vec![RecordBatch::try_new(Arc::new(schema), columns)?]))
    }
}
