//! The answers from the fast path's one-sided reader (from the store's pair totals where it has
//! them): a country's partners over some years, with values and shares of its total, largest
//! first (the same answer as `TradeDb::partners_sql`); and a country's trade with each partner
//! by year (`TradeDb::partner_series`, as `TradeDb::partner_series_sql`), which briefs, event
//! studies and `dyad shares` compare partners with.

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, Float64Array, Int32Array, RecordBatch, StringArray, StringViewArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema};

use super::{Declarer, Direction, Local, TradeDb, Years};
use crate::error::Result;
use crate::fastpath::{SideQuery, SideRow};

/// A partner as the store has it: its ISO3 (none for an area with no country) and its code.
type Partner = (Option<String>, Option<i32>);

impl TradeDb {
    /// A country's partners over some years: `partner, name, value_usd, share` (share of the
    /// country's total with all partners), largest first, at most `top`. Each (year, partner)
    /// is summed at its lowest product level; areas with no country are one row, named after
    /// the highest of their codes. For BACI every row counts (all of its rows are reconciled
    /// exports); for other sources only the country's own declarations of the chosen flow.
    /// Answered by the fast path (see [`crate::fastpath`]); the same answer as
    /// [`TradeDb::partners_sql`].
    pub async fn partners(
        &self,
        country: &str,
        direction: Direction,
        years: Years,
        top: usize,
        source: &str,
    ) -> Result<Vec<RecordBatch>> {
        let c = self.country(country)?;
        let s = source.to_string();
        match self
            .fast(move |l| l.partners(&c, direction, years, top, &s))
            .await?
        {
            Some(answer) => Ok(answer),
            None => {
                self.partners_sql(country, direction, years, top, source)
                    .await
            }
        }
    }

    /// A country's trade with each partner, by year: `partner, year, value_usd`, ordered by
    /// partner and year; annual rows of the `declarer`'s declarations, each (partner, year) at
    /// its lowest product level, areas without a country left out. `Direction::Export`: the
    /// country's exports by destination; `Import`: its imports by origin. Answered by the fast
    /// path; the same answer as [`TradeDb::partner_series_sql`].
    pub async fn partner_series(
        &self,
        country: &str,
        direction: Direction,
        declarer: Declarer,
    ) -> Result<Vec<RecordBatch>> {
        let c = self.country(country)?;
        match self
            .fast(move |l| l.partner_series(&c, direction, declarer))
            .await?
        {
            Some(answer) => Ok(answer),
            None => self.partner_series_sql(country, direction, declarer).await,
        }
    }
}

impl Local {
    /// The partner series from the fast path, for a resolved code (`None`: it cannot read the
    /// store).
    fn partner_series(
        &self,
        c: &str,
        direction: Direction,
        declarer: Declarer,
    ) -> Result<Option<Vec<RecordBatch>>> {
        let exporter = direction == Direction::Export;
        let Some(index) = self.summed_index(!exporter)? else {
            return Ok(None);
        };
        let q = SideQuery {
            country: c,
            exporter,
            years: i32::MIN..=i32::MAX,
            source: match declarer {
                Declarer::Baci => "baci",
                Declarer::Importer | Declarer::Exporter => "comtrade",
            },
        };
        // By (partner, year, level): a (partner, year)'s lowest level comes first.
        let mut sums: BTreeMap<(String, i32, i32), f64> = BTreeMap::new();
        let mut add = |r: &SideRow<'_>| {
            let Some(partner) = r.partner else {
                return;
            };
            let (e, i) = if exporter { (c, partner) } else { (partner, c) };
            let declared = match declarer {
                Declarer::Baci => true,
                Declarer::Importer => r.flow == "M" && r.reporter == i,
                Declarer::Exporter => r.flow == "X" && r.reporter == e,
            };
            if declared {
                *sums
                    .entry((partner.to_string(), r.year, r.product_level))
                    .or_default() += r.value_usd;
            }
        };
        if index.scan_side(&q, &mut add)?.is_err() {
            return Ok(None);
        }
        let mut rows: Vec<(String, i32, f64)> = Vec::new();
        for ((partner, year, _), v) in sums {
            if !matches!(rows.last(), Some((p, y, _)) if *p == partner && *y == year) {
                rows.push((partner, year, v));
            }
        }
        if rows.is_empty() {
            // As the SQL path: no batch at all when nothing matches.
            return Ok(Some(Vec::new()));
        }
        let columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| &r.0))),
            Arc::new(Int32Array::from_iter_values(rows.iter().map(|r| r.1))),
            Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.2))),
        ];
        let schema = Schema::new(vec![
            Field::new("partner", DataType::Utf8, true),
            Field::new("year", DataType::Int32, false),
            Field::new("value_usd", DataType::Float64, true),
        ]);
        Ok(Some(vec![RecordBatch::try_new(Arc::new(schema), columns)?]))
    }

    /// The partners answer from the fast path, for a resolved code (`None`: it cannot read the
    /// store).
    fn partners(
        &self,
        c: &str,
        direction: Direction,
        years: Years,
        top: usize,
        source: &str,
    ) -> Result<Option<Vec<RecordBatch>>> {
        let Some(index) = self.summed_index(direction == Direction::Import)? else {
            return Ok(None);
        };
        let q = SideQuery {
            country: c,
            exporter: direction == Direction::Export,
            years: years.from..=years.to,
            source,
        };
        let flow = match direction {
            Direction::Export => "X",
            Direction::Import => "M",
        };
        let own_declarations = source != "baci";
        // By (year, partner, level): a (year, partner)'s lowest level comes first.
        let mut sums: BTreeMap<(i32, Partner, i32), f64> = BTreeMap::new();
        let mut add = |r: &SideRow<'_>| {
            if own_declarations && (r.reporter != c || r.flow != flow) {
                return;
            }
            let partner = (r.partner.map(str::to_string), r.partner_code);
            *sums.entry((r.year, partner, r.product_level)).or_default() += r.value_usd;
        };
        if index.scan_side(&q, &mut add)?.is_err() {
            return Ok(None);
        }
        // Each (year, partner) at its lowest level, summed over the years by partner and code.
        let mut by_code: BTreeMap<&Partner, f64> = BTreeMap::new();
        let mut last: Option<(i32, &Partner)> = None;
        for ((year, partner, _), v) in &sums {
            if last == Some((*year, partner)) {
                continue;
            }
            last = Some((*year, partner));
            *by_code.entry(partner).or_default() += v;
        }
        // Then by partner: the highest code (a null code below any), the sum over codes.
        let mut by_partner: BTreeMap<Option<&str>, (Option<i32>, f64)> = BTreeMap::new();
        for ((partner, code), v) in by_code {
            let e = by_partner.entry(partner.as_deref()).or_insert((None, 0.0));
            e.0 = e.0.max(*code);
            e.1 += v;
        }
        let total: f64 = by_partner.values().map(|(_, v)| v).sum();
        let mut rows: Vec<(Option<String>, Option<String>, f64)> = by_partner
            .into_iter()
            .map(|(partner, (code, v))| {
                let name = match partner {
                    Some(p) => self.registry.state(p).map(|s| s.name.clone()),
                    None => code
                        .and_then(|c| u16::try_from(c).ok())
                        .and_then(|c| self.areas.get(c))
                        .map(|a| a.name.clone()),
                };
                let label = match partner {
                    Some(p) => Some(p.to_string()),
                    None => code.map(|c| format!("area {c}")),
                };
                (label, name, v)
            })
            .collect();
        // Largest first, then by partner (a null partner last, as SQL sorts nulls).
        rows.sort_by(|a, b| {
            b.2.total_cmp(&a.2).then_with(|| match (&a.0, &b.0) {
                (Some(x), Some(y)) => x.cmp(y),
                (x, y) => y.is_some().cmp(&x.is_some()),
            })
        });
        rows.truncate(top);
        if rows.is_empty() {
            // As the SQL path: no batch at all when nothing matches.
            return Ok(Some(Vec::new()));
        }
        let columns: Vec<ArrayRef> = vec![
            // A string view, as DataFusion's `coalesce` of a text and a concatenation gives it.
            Arc::new(
                rows.iter()
                    .map(|r| r.0.as_deref())
                    .collect::<StringViewArray>(),
            ),
            Arc::new(rows.iter().map(|r| r.1.as_deref()).collect::<StringArray>()),
            Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.2))),
            Arc::new(Float64Array::from_iter_values(
                rows.iter().map(|r| r.2 / total),
            )),
        ];
        let schema = Schema::new(vec![
            Field::new("partner", DataType::Utf8View, true),
            Field::new("name", DataType::Utf8, true),
            Field::new("value_usd", DataType::Float64, true),
            Field::new("share", DataType::Float64, true),
        ]);
        Ok(Some(vec![RecordBatch::try_new(Arc::new(schema), columns)?]))
    }
}
