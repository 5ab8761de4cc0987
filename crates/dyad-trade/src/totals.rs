//! Pair totals: every flow file's annual rows summed over products, written beside it at ingest.
//!
//! A country's partners, or a pair's series, only ever sum values over products; the rows they
//! sum are many (a heavy country is on a tenth of a BACI year's rows, and an importer's rows are
//! spread over every exporter's block of a file sorted by exporter). Summed once, at ingest, by
//! everything those questions group or filter by (the pair and their codes, year, source,
//! classification, reporter, flow, source URL and product level), a BACI year of 2M–10M rows
//! has at most one total per pair of areas (56,406 a year in the 2M-row benchmark store).
//!
//! Totals are flows: rows of the `flows` table's schema whose `product` is empty (summed away;
//! `product_level` stays the level summed, so a group's lowest level is still found) and whose
//! quantity, unit, release and notes are null. So the fast path reads them as it reads flow
//! files (pages found from their statistics; a BACI file's decoded page by page, others through
//! the Arrow reader), and needs nothing new. Each flow file gets two
//! totals files: one sorted by exporter (a pair's totals, a country's exports: a page or two)
//! and one sorted by importer (a country's imports: a page or two, where in a file sorted by
//! exporter they are a page in every exporter's block). The manifest lists them per flow file
//! (`Unit::totals`), so they are replaced, and removed, with it; a store written before totals
//! existed has none (`dyad migrate` writes them), and its questions read the flow files.
//!
//! A total adds its rows' values in the file's order (in a file sorted by pair, a key's rows are
//! one run). Answers then add totals where a scan would add rows: the same sums for whole
//! dollars (BACI's values), and for values with cents the same up to the last bits of a double,
//! as any two orders of addition (SQL's own order is unspecified).

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Float64Array, Int32Array, RecordBatch, StringArray,
};
use datafusion::arrow::datatypes::{Float64Type, Int32Type};

use crate::error::{Result, TradeError};
use crate::flow::FLOW_SCHEMA;

/// What a total is summed by: the `flows` columns a total keeps (the `pair_totals` table has
/// these and `value_usd`).
pub const KEY_COLUMNS: [&str; 11] = [
    "exporter",
    "importer",
    "exporter_code",
    "importer_code",
    "year",
    "source",
    "classification",
    "reporter",
    "flow",
    "source_url",
    "product_level",
];

/// What a total is summed by, in the order totals are sorted (as flows are: exporter, then
/// importer, areas without a country after every country).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    exporter: (bool, Option<String>),
    importer: (bool, Option<String>),
    exporter_code: Option<i32>,
    importer_code: Option<i32>,
    year: i32,
    source: String,
    classification: String,
    reporter: String,
    flow: String,
    source_url: Option<String>,
    product_level: i32,
}

/// Totals being summed, from batches of flows (the `flows` table's columns).
#[derive(Debug, Default)]
pub struct PairTotals {
    sums: BTreeMap<Key, f64>,
    /// The run of rows being summed (carried from one batch to the next, so that a run is
    /// summed in the file's order however the file is cut into batches).
    run: Option<(Key, f64)>,
}

/// A flow batch's columns that totals read.
struct Columns<'a> {
    exporter: &'a StringArray,
    importer: &'a StringArray,
    exporter_code: &'a Int32Array,
    importer_code: &'a Int32Array,
    year: &'a Int32Array,
    month: &'a Int32Array,
    source: &'a StringArray,
    classification: &'a StringArray,
    reporter: &'a StringArray,
    flow: &'a StringArray,
    source_url: &'a StringArray,
    product_level: &'a Int32Array,
    value_usd: &'a Float64Array,
}

impl<'a> Columns<'a> {
    fn of(b: &'a RecordBatch) -> Result<Columns<'a>> {
        let column = |name: &str| {
            b.column_by_name(name)
                .ok_or_else(|| TradeError::Other(format!("flows: no column {name}")))
        };
        let text = |name: &str| {
            column(name)?
                .as_string_opt::<i32>()
                .ok_or_else(|| TradeError::Other(format!("flows: {name} is not text")))
        };
        let int = |name: &str| {
            column(name)?
                .as_primitive_opt::<Int32Type>()
                .ok_or_else(|| TradeError::Other(format!("flows: {name} is not Int32")))
        };
        Ok(Columns {
            exporter: text("exporter")?,
            importer: text("importer")?,
            exporter_code: int("exporter_code")?,
            importer_code: int("importer_code")?,
            year: int("year")?,
            month: int("month")?,
            source: text("source")?,
            classification: text("classification")?,
            reporter: text("reporter")?,
            flow: text("flow")?,
            source_url: text("source_url")?,
            product_level: int("product_level")?,
            value_usd: column("value_usd")?
                .as_primitive_opt::<Float64Type>()
                .ok_or_else(|| TradeError::Other("flows: value_usd is not Float64".into()))?,
        })
    }

    fn text(a: &'a StringArray, i: usize) -> Option<&'a str> {
        a.is_valid(i).then(|| a.value(i))
    }

    fn int(a: &Int32Array, i: usize) -> Option<i32> {
        a.is_valid(i).then(|| a.value(i))
    }

    /// Whether row `i` has key `k` (compared before a key is built: rows of a key come in runs).
    fn is(&self, i: usize, k: &Key) -> bool {
        let t = Columns::text;
        k.exporter.1.as_deref() == t(self.exporter, i)
            && k.importer.1.as_deref() == t(self.importer, i)
            && k.exporter_code == Columns::int(self.exporter_code, i)
            && k.importer_code == Columns::int(self.importer_code, i)
            && k.year == self.year.value(i)
            && k.product_level == self.product_level.value(i)
            && k.reporter == self.reporter.value(i)
            && k.flow == self.flow.value(i)
            && k.source == self.source.value(i)
            && k.classification == self.classification.value(i)
            && k.source_url.as_deref() == t(self.source_url, i)
    }

    fn key(&self, i: usize) -> Key {
        let t = |a: &StringArray| Columns::text(a, i).map(str::to_string);
        let country = |a: &StringArray| (a.is_null(i), t(a));
        Key {
            exporter: country(self.exporter),
            importer: country(self.importer),
            exporter_code: Columns::int(self.exporter_code, i),
            importer_code: Columns::int(self.importer_code, i),
            year: self.year.value(i),
            source: self.source.value(i).to_string(),
            classification: self.classification.value(i).to_string(),
            reporter: self.reporter.value(i).to_string(),
            flow: self.flow.value(i).to_string(),
            source_url: t(self.source_url),
            product_level: self.product_level.value(i),
        }
    }
}

impl PairTotals {
    /// Adds the annual rows of a batch of flows (monthly rows are not summed: the questions
    /// answered from totals are annual).
    pub fn add(&mut self, batch: &RecordBatch) -> Result<()> {
        let c = Columns::of(batch)?;
        for i in 0..batch.num_rows() {
            if c.month.is_valid(i) || c.year.is_null(i) || c.value_usd.is_null(i) {
                continue;
            }
            let v = c.value_usd.value(i);
            match &mut self.run {
                Some((k, sum)) if c.is(i, k) => *sum += v,
                _ => {
                    if let Some((k, sum)) = self.run.replace((c.key(i), v)) {
                        *self.sums.entry(k).or_default() += sum;
                    }
                }
            }
        }
        Ok(())
    }

    /// Adds the run being summed to its total.
    fn end_run(&mut self) {
        if let Some((k, sum)) = self.run.take() {
            *self.sums.entry(k).or_default() += sum;
        }
    }

    /// Adds one row (for writers that hold rows rather than batches, as the BACI writer).
    pub(crate) fn add_row(&mut self, key: TotalKey<'_>, value_usd: f64) {
        self.end_run();
        let country = |c: Option<&str>| (c.is_none(), c.map(str::to_string));
        let k = Key {
            exporter: country(key.exporter),
            importer: country(key.importer),
            exporter_code: key.exporter_code,
            importer_code: key.importer_code,
            year: key.year,
            source: key.source.to_string(),
            classification: key.classification.to_string(),
            reporter: key.reporter.to_string(),
            flow: key.flow.to_string(),
            source_url: key.source_url.map(str::to_string),
            product_level: key.product_level,
        };
        *self.sums.entry(k).or_default() += value_usd;
    }

    /// The totals as flows ([`FLOW_SCHEMA`]): sorted by exporter then importer, and sorted by
    /// importer then exporter (areas without a country after every country, as flows are).
    pub fn into_batches(mut self) -> Totals {
        self.end_run();
        let mut rows: Vec<(Key, f64)> = self.sums.into_iter().collect();
        let by_exporter = batch(&rows);
        // Stable: a pair's totals keep their order.
        rows.sort_by(|(a, _), (b, _)| (&a.importer, &a.exporter).cmp(&(&b.importer, &b.exporter)));
        Totals {
            by_exporter,
            by_importer: batch(&rows),
        }
    }
}

/// A flow file's totals, in the two orders they are written in.
#[derive(Debug)]
pub struct Totals {
    /// Sorted by exporter, importer, then the rest of the key.
    pub by_exporter: RecordBatch,
    /// Sorted by importer, exporter, then the rest of the key.
    pub by_importer: RecordBatch,
}

/// Totals as a batch of flows.
fn batch(rows: &[(Key, f64)]) -> RecordBatch {
    let s = |f: &dyn Fn(&Key) -> Option<&str>| -> ArrayRef {
        Arc::new(rows.iter().map(|(k, _)| f(k)).collect::<StringArray>())
    };
    let i = |f: &dyn Fn(&Key) -> Option<i32>| -> ArrayRef {
        Arc::new(rows.iter().map(|(k, _)| f(k)).collect::<Int32Array>())
    };
    let columns: Vec<ArrayRef> = FLOW_SCHEMA
        .fields()
        .iter()
        .map(|field| match field.name().as_str() {
            "source" => s(&|k| Some(&k.source)),
            "classification" => s(&|k| Some(&k.classification)),
            "year" => i(&|k| Some(k.year)),
            "month" => i(&|_| None),
            "exporter" => s(&|k| k.exporter.1.as_deref()),
            "importer" => s(&|k| k.importer.1.as_deref()),
            "exporter_code" => i(&|k| k.exporter_code),
            "importer_code" => i(&|k| k.importer_code),
            "product" => s(&|_| Some("")),
            "product_level" => i(&|k| Some(k.product_level)),
            "value_usd" => Arc::new(Float64Array::from_iter_values(rows.iter().map(|(_, v)| *v))),
            "quantity" => Arc::new(rows.iter().map(|_| None).collect::<Float64Array>()),
            "reporter" => s(&|k| Some(&k.reporter)),
            "flow" => s(&|k| Some(&k.flow)),
            "other_asia" => Arc::new(BooleanArray::from(vec![false; rows.len()])),
            "source_url" => s(&|k| k.source_url.as_deref()),
            // release, unit, note, source_date
            _ => Arc::new(StringArray::new_null(rows.len())),
        })
        .collect();
    RecordBatch::try_new(FLOW_SCHEMA.clone(), columns).expect("columns match FLOW_SCHEMA")
}

/// A total's key, borrowed (see [`PairTotals::add_row`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct TotalKey<'a> {
    pub exporter: Option<&'a str>,
    pub importer: Option<&'a str>,
    pub exporter_code: Option<i32>,
    pub importer_code: Option<i32>,
    pub year: i32,
    pub source: &'a str,
    pub classification: &'a str,
    pub reporter: &'a str,
    pub flow: &'a str,
    pub source_url: Option<&'a str>,
    pub product_level: i32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::{flows_to_batch, test_flow, Flow};
    use datafusion::arrow::util::display::array_value_to_string;

    fn flow(e: Option<&str>, i: &str, product: &str, level: i32, v: f64) -> Flow {
        Flow {
            exporter_code: Some(398),
            importer_code: Some(4),
            product_level: level,
            value_usd: v,
            ..test_flow(e, Some(i), product)
        }
    }

    fn rows(b: &RecordBatch) -> Vec<String> {
        (0..b.num_rows())
            .map(|r| {
                b.columns()
                    .iter()
                    .map(|c| array_value_to_string(c, r).unwrap())
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect()
    }

    #[test]
    fn totals_sum_over_products_by_level_and_skip_months() {
        let mut monthly = flow(Some("KAZ"), "AFG", "1001", 4, 1e9);
        monthly.month = Some(3);
        let flows = [
            flow(Some("KAZ"), "AFG", "1001", 4, 200.0),
            flow(Some("KAZ"), "AFG", "1101", 4, 600.5),
            flow(Some("KAZ"), "AFG", "10", 2, 250.25),
            flow(Some("KAZ"), "AFG", "11", 2, 1000.5),
            flow(None, "AFG", "11", 2, 7.0),
            monthly,
            // The same key after another: summed with the first run.
            flow(Some("KAZ"), "AFG", "1001", 4, 1.0),
            flow(Some("KAZ"), "AGO", "10", 2, 3.0),
            flow(Some("AGO"), "AFG", "10", 2, 5.0),
        ];
        let mut t = PairTotals::default();
        // In two batches: a run may cross batches.
        t.add(&flows_to_batch(&flows[..3])).unwrap();
        t.add(&flows_to_batch(&flows[3..])).unwrap();
        let t = t.into_batches();
        // Flows: source, classification, release, year, month, exporter, importer, codes,
        // product (empty), level, value, quantity, unit, reporter, flow, other_asia, note, URL,
        // date.
        let row = |e: &str, i: &str, level: i32, value: &str| {
            format!("comtrade,H6,,2023,,{e},{i},398,4,,{level},{value},,,KAZ,X,false,,,")
        };
        // An area without a country sorts after every country.
        assert_eq!(
            rows(&t.by_exporter),
            [
                row("AGO", "AFG", 2, "5.0"),
                row("KAZ", "AFG", 2, "1250.75"),
                row("KAZ", "AFG", 4, "801.5"),
                row("KAZ", "AGO", 2, "3.0"),
                row("", "AFG", 2, "7.0"),
            ]
        );
        assert_eq!(
            rows(&t.by_importer),
            [
                row("AGO", "AFG", 2, "5.0"),
                row("KAZ", "AFG", 2, "1250.75"),
                row("KAZ", "AFG", 4, "801.5"),
                row("", "AFG", 2, "7.0"),
                row("KAZ", "AGO", 2, "3.0"),
            ]
        );
    }
}
