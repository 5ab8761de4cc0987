//! The series answer from the fast path: both directions of trade between two countries, by
//! year, source, classification, reporter, flow and source URL, each group at its lowest product
//! level; the same answer as `TradeDb::series_sql`.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Float64Array, Int32Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};

use super::{Local, TradeDb, Years};
use crate::error::Result;
use crate::fastpath::{PairQuery, PairRow};

/// A series sum's key. The order of the fields is the sort used to group: every field but
/// `level` is the group whose lowest level is kept, so a group's levels are next to each other,
/// lowest first.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    year: i32,
    source: String,
    classification: String,
    reporter: String,
    flow: String,
    /// Whether the row is from the first country to the second.
    forward: bool,
    source_url: Option<String>,
    level: i32,
}

impl Key {
    fn of(r: &PairRow<'_>, forward: bool) -> Key {
        Key {
            year: r.year,
            source: r.source.to_string(),
            classification: r.classification.to_string(),
            reporter: r.reporter.to_string(),
            flow: r.flow.to_string(),
            forward,
            source_url: r.source_url.map(str::to_string),
            level: r.product_level,
        }
    }

    /// Whether `r` has this key: compared before a key is built, since rows of one key come in
    /// runs.
    fn is(&self, r: &PairRow<'_>, forward: bool) -> bool {
        self.year == r.year
            && self.level == r.product_level
            && self.forward == forward
            && self.flow == r.flow
            && self.reporter == r.reporter
            && self.classification == r.classification
            && self.source == r.source
            && self.source_url.as_deref() == r.source_url
    }

    fn same_group(&self, other: &Key) -> bool {
        Key {
            level: other.level,
            ..self.clone()
        } == *other
    }
}

impl TradeDb {
    /// Both directions of trade between two countries, by year, source and reporter:
    /// `year, exporter, importer, flow, value_usd, source, classification, reporter,
    /// source_url`, ordered by year, source, exporter, flow, reporter and source URL (then
    /// classification). Each group of rows that differ only in product level is summed at its
    /// lowest level, so a total and its parts are never added up. Answered by the fast path
    /// (see [`crate::fastpath`]); the same answer as [`TradeDb::series_sql`].
    pub async fn series(&self, a: &str, b: &str, years: Option<Years>) -> Result<Vec<RecordBatch>> {
        let (ca, cb) = (self.country(a)?, self.country(b)?);
        match self.fast(move |l| l.series(&ca, &cb, years)).await? {
            Some(answer) => Ok(answer),
            None => self.series_sql(a, b, years).await,
        }
    }
}

impl Local {
    /// The series answer from the fast path, for resolved codes (`None`: it cannot read the
    /// store).
    fn series(&self, ca: &str, cb: &str, years: Option<Years>) -> Result<Option<Vec<RecordBatch>>> {
        let Some(index) = self.summed_index(false)? else {
            return Ok(None);
        };
        let (ca, cb) = (ca.to_string(), cb.to_string());
        let mut sums: Vec<(Key, f64)> = Vec::new();
        // One pass per direction; the same pair twice when a country is asked with itself.
        let mut directions = vec![(ca.as_str(), cb.as_str(), true)];
        if ca != cb {
            directions.push((cb.as_str(), ca.as_str(), false));
        }
        for (e, i, forward) in directions {
            let q = PairQuery {
                exporter: e,
                importer: i,
                years: years.map(|y| y.from..=y.to),
                source: None,
                fold: Some(0),
            };
            let parts = index.scan(
                &q,
                Vec::<(Key, f64)>::new,
                |acc, r| match acc.last_mut() {
                    Some((k, sum)) if k.is(r, forward) => *sum += r.value_usd,
                    _ => acc.push((Key::of(r, forward), r.value_usd)),
                },
                |acc| acc,
            )?;
            sums.extend(parts.into_iter().flatten());
        }
        // Equal keys added up in the order they came (a stable sort), each group's lowest level
        // kept.
        sums.sort_by(|x, y| x.0.cmp(&y.0));
        let mut kept: Vec<(Key, f64)> = Vec::new();
        for (k, v) in sums {
            match kept.last_mut() {
                Some((last, sum)) if *last == k => *sum += v,
                Some((last, _)) if last.same_group(&k) => {}
                _ => kept.push((k, v)),
            }
        }
        if kept.is_empty() {
            // As the SQL path: no batch at all when nothing matches.
            return Ok(Some(Vec::new()));
        }
        // SQL's order; a null source URL sorts last, as there.
        kept.sort_by(|(x, _), (y, _)| {
            let exporter = |k: &Key| if k.forward { &ca } else { &cb };
            (x.year, &x.source, exporter(x), &x.flow, &x.reporter)
                .cmp(&(y.year, &y.source, exporter(y), &y.flow, &y.reporter))
                .then_with(|| match (&x.source_url, &y.source_url) {
                    (Some(p), Some(q)) => p.cmp(q),
                    (p, q) => q.is_some().cmp(&p.is_some()),
                })
                .then_with(|| x.classification.cmp(&y.classification))
        });
        let text = |f: fn(&Key) -> &str| -> ArrayRef {
            Arc::new(StringArray::from_iter_values(
                kept.iter().map(|(k, _)| f(k)),
            ))
        };
        let side = |first: bool| -> ArrayRef {
            Arc::new(StringArray::from_iter_values(kept.iter().map(|(k, _)| {
                if k.forward == first {
                    ca.as_str()
                } else {
                    cb.as_str()
                }
            })))
        };
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int32Array::from_iter_values(
                kept.iter().map(|(k, _)| k.year),
            )),
            side(true),
            side(false),
            text(|k| &k.flow),
            Arc::new(Float64Array::from_iter_values(kept.iter().map(|(_, v)| *v))),
            text(|k| &k.source),
            text(|k| &k.classification),
            text(|k| &k.reporter),
            Arc::new(
                kept.iter()
                    .map(|(k, _)| k.source_url.as_deref())
                    .collect::<StringArray>(),
            ),
        ];
        let s = |name: &str, nullable| Field::new(name, DataType::Utf8, nullable);
        let schema = Schema::new(vec![
            Field::new("year", DataType::Int32, false),
            s("exporter", true),
            s("importer", true),
            s("flow", false),
            Field::new("value_usd", DataType::Float64, true),
            s("source", false),
            s("classification", false),
            s("reporter", false),
            s("source_url", true),
        ]);
        Ok(Some(vec![RecordBatch::try_new(Arc::new(schema), columns)?]))
    }
}
