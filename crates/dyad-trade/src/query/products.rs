//! The products answer from the fast path: what one exporter sold one importer, summed by
//! product at 2, 4 or 6 digits ([`ProductSums`]), the lowest level of each group kept, with
//! shares and names, as an Arrow batch ([`products_batch`]); the same answer as
//! `TradeDb::products_by_year_sql`.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use datafusion::arrow::array::{ArrayRef, Float64Array, Int32Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};

use super::names::{load_names, Names};
use super::sql::{check_level, without_year};
use super::{Local, TradeDb, Years};
use crate::error::{Result, TradeError};
use crate::fastpath::{prefix, same_text, PairIndex, PairQuery, PairRow, Unsupported};

impl Local {
    /// The fast path's index, read on first use.
    pub(super) fn pair_index(&self) -> Result<Option<&PairIndex>> {
        self.index(&self.pair_index, &self.flow_files)
    }

    /// The index for a question that sums over products (series, mirror, partners, partner
    /// series): the pair totals ([`crate::totals`]), sorted by importer for a country's imports
    /// (`by_importer`) and by exporter otherwise, with the flow file itself for any that has
    /// none; the flow files alone when no file has totals, or when the totals cannot be read
    /// (a damaged store still answers from its flows).
    pub(super) fn summed_index(&self, by_importer: bool) -> Result<Option<&PairIndex>> {
        let Some((by_exporter, by_importer_files)) = &self.totals else {
            return self.pair_index();
        };
        let index = if by_importer {
            self.index(&self.importer_totals, by_importer_files)
        } else {
            self.index(&self.exporter_totals, by_exporter)
        };
        match index {
            Ok(Some(index)) => Ok(Some(index)),
            Ok(None) | Err(_) => self.pair_index(),
        }
    }

    /// The index of `files` in `cell`, read on first use.
    fn index<'a>(
        &self,
        cell: &'a OnceLock<Result<Option<PairIndex>, String>>,
        files: &[PathBuf],
    ) -> Result<Option<&'a PairIndex>> {
        let loaded = cell.get_or_init(|| match PairIndex::load(files, self.memory.clone()) {
            Ok(Ok(index)) => Ok(Some(index)),
            Ok(Err(Unsupported)) => Ok(None),
            Err(e) => Err(e.to_string()),
        });
        match loaded {
            Ok(index) => Ok(index.as_ref()),
            Err(e) => Err(TradeError::Other(e.clone())),
        }
    }

    /// Product names, read on first use.
    fn names(&self) -> Result<&Names> {
        let loaded = self
            .names
            .get_or_init(|| load_names(&self.product_files).map_err(|e| e.to_string()));
        loaded.as_ref().map_err(|e| TradeError::Other(e.clone()))
    }

    /// The products answer from the fast path, for resolved codes (`None`: it cannot read the
    /// store).
    fn products_by_year(
        &self,
        e: &str,
        i: &str,
        years: Option<Years>,
        level: u8,
        source: &str,
    ) -> Result<Option<Vec<RecordBatch>>> {
        let Some(index) = self.pair_index()? else {
            return Ok(None);
        };
        let q = PairQuery {
            exporter: e,
            importer: i,
            years: years.map(|y| y.from..=y.to),
            source: Some(source),
            fold: Some(usize::from(level)),
        };
        let parts = index.scan(
            &q,
            || ProductSums::new(level),
            |a, r| a.add(r),
            ProductSums::finish,
        )?;
        let sums = ProductSums::merge(parts);
        if sums.is_empty() {
            // As the SQL path: no batch at all when nothing matches.
            return Ok(Some(Vec::new()));
        }
        Ok(Some(vec![products_batch(sums, self.names()?, true)?]))
    }
}

impl TradeDb {
    /// What `exporter` sold to `importer` in a year, by product at 2, 4 or 6 digits, with names:
    /// `product, name, value_usd, share, classification, reporter`, one block per
    /// classification and reporter, largest first. Where a source has rows at several product
    /// levels only the lowest level at or above `level` is summed, so levels never mix.
    pub async fn products(
        &self,
        exporter: &str,
        importer: &str,
        year: i32,
        level: u8,
        source: &str,
    ) -> Result<Vec<RecordBatch>> {
        let years = Some(Years::single(year));
        without_year(
            self.products_by_year(exporter, importer, years, level, source)
                .await?,
        )
    }

    /// [`TradeDb::products`] for every year (or the years given), with a `year` column first:
    /// `year, product, name, value_usd, share, classification, reporter`, ordered by year, then
    /// as `products`. Answered by the fast path (see [`crate::fastpath`]); the same answer as
    /// [`TradeDb::products_by_year_sql`].
    pub async fn products_by_year(
        &self,
        exporter: &str,
        importer: &str,
        years: Option<Years>,
        level: u8,
        source: &str,
    ) -> Result<Vec<RecordBatch>> {
        check_level(level)?;
        let (e, i) = (self.country(exporter)?, self.country(importer)?);
        let s = source.to_string();
        let fast = self
            .fast(move |l| l.products_by_year(&e, &i, years, level, &s))
            .await?;
        match fast {
            Some(answer) => Ok(answer),
            None => {
                self.products_by_year_sql(exporter, importer, years, level, source)
                    .await
            }
        }
    }
}

/// The key of a product sum: year, classification, reporter, product level, code. The
/// classification and reporter, the same on most keys, are shared rather than copied.
type SumKey = (i32, Arc<str>, Arc<str>, i32, String);

/// Sums by (year, classification, reporter, product level, product code cut to `level`
/// characters), as `GROUP BY year, classification, reporter, product_level, substr(product, 1,
/// level)` does. Rows come sorted by product within a row group, so equal keys arrive in runs:
/// a run is summed into the last sum, and [`ProductSums::finish`] sorts the sums (a few sorted
/// runs, one per row group) and adds up equal keys.
#[derive(Debug, Default)]
struct ProductSums {
    level: usize,
    sums: Vec<(SumKey, f64)>,
}

impl ProductSums {
    fn new(level: u8) -> ProductSums {
        ProductSums {
            level: level as usize,
            ..ProductSums::default()
        }
    }

    /// Adds a row of the products query: exports or imports at `level` digits or finer.
    fn add(&mut self, r: &PairRow<'_>) {
        if r.product_level < self.level as i32 || !(r.flow == "X" || r.flow == "M") {
            return;
        }
        let code = prefix(r.product, self.level);
        let (classification, reporter) = match self.sums.last_mut() {
            Some((k, sum)) => {
                let (same_c, same_r) = (
                    same_text(&k.1, r.classification),
                    same_text(&k.2, r.reporter),
                );
                if same_c
                    && same_r
                    && k.0 == r.year
                    && k.3 == r.product_level
                    && same_text(&k.4, code)
                {
                    *sum += r.value_usd;
                    return;
                }
                (
                    if same_c {
                        k.1.clone()
                    } else {
                        r.classification.into()
                    },
                    if same_r {
                        k.2.clone()
                    } else {
                        r.reporter.into()
                    },
                )
            }
            None => (r.classification.into(), r.reporter.into()),
        };
        let key = (
            r.year,
            classification,
            reporter,
            r.product_level,
            code.to_string(),
        );
        self.sums.push((key, r.value_usd));
    }

    /// The sums, sorted by key (year, classification, reporter, level, code), equal keys added
    /// up in the order they came: called on each reading thread, so that the sorts run side by
    /// side. A sort rather than a map: the answer is sorted anyway, the sums arrive in sorted
    /// runs (which the stable sort merges), and hashing keys of three strings cost more.
    fn finish(self) -> Vec<(SumKey, f64)> {
        let mut all = self.sums;
        all.sort_by(|(a, _), (b, _)| cmp_keys(a, b));
        let mut out: Vec<(SumKey, f64)> = Vec::with_capacity(all.len());
        for (k, v) in all {
            match out.last_mut() {
                Some((last, sum)) if cmp_keys(last, &k).is_eq() => *sum += v,
                _ => out.push((k, v)),
            }
        }
        out
    }

    /// Merges the sorted sums of all threads ([`ProductSums::finish`]) into one sorted list.
    fn merge(parts: Vec<Vec<(SumKey, f64)>>) -> Vec<(SumKey, f64)> {
        let mut parts = parts.into_iter();
        let mut out = parts.next().unwrap_or_default();
        for part in parts {
            let mut merged = Vec::with_capacity(out.len() + part.len());
            let (mut a, mut b) = (out.into_iter().peekable(), part.into_iter().peekable());
            loop {
                let next = match (a.peek(), b.peek()) {
                    (Some(x), Some(y)) => match cmp_keys(&x.0, &y.0) {
                        std::cmp::Ordering::Less => a.next(),
                        std::cmp::Ordering::Greater => b.next(),
                        std::cmp::Ordering::Equal => {
                            let (k, v) = a.next().expect("peeked");
                            let (_, w) = b.next().expect("peeked");
                            Some((k, v + w))
                        }
                    },
                    (Some(_), None) => a.next(),
                    (None, Some(_)) => b.next(),
                    (None, None) => break,
                };
                merged.extend(next);
            }
            out = merged;
        }
        out
    }
}

/// The order of the products answer: year, classification, reporter, level, code.
fn cmp_keys(a: &SumKey, b: &SumKey) -> std::cmp::Ordering {
    a.0.cmp(&b.0)
        .then_with(|| cmp_text(&a.1, &b.1))
        .then_with(|| cmp_text(&a.2, &b.2))
        .then(a.3.cmp(&b.3))
        .then_with(|| cmp_text(&a.4, &b.4))
}

/// `a.cmp(b)` for short strings that are mostly equal (classification, reporter): equality is
/// checked first without a `memcmp` call ([`same_text`]).
fn cmp_text(a: &str, b: &str) -> std::cmp::Ordering {
    if same_text(a, b) {
        std::cmp::Ordering::Equal
    } else {
        a.cmp(b)
    }
}

/// The schema of `products_by_year`.
fn products_schema(with_year: bool) -> SchemaRef {
    let mut fields = Vec::new();
    if with_year {
        fields.push(Field::new("year", DataType::Int32, false));
    }
    fields.extend([
        Field::new("product", DataType::Utf8, true),
        Field::new("name", DataType::Utf8, true),
        Field::new("value_usd", DataType::Float64, true),
        Field::new("share", DataType::Float64, true),
        Field::new("classification", DataType::Utf8, false),
        Field::new("reporter", DataType::Utf8, false),
    ]);
    Arc::new(Schema::new(fields))
}

/// The products answer from the sums: in each (year, classification, reporter) only the lowest
/// product level is kept (sums never mix levels), shares are of that group's total, names come
/// from `names`, and rows are ordered by year, classification, reporter, value (largest first)
/// and code.
fn products_batch(rows: Vec<(SumKey, f64)>, names: &Names, with_year: bool) -> Result<RecordBatch> {
    // Sorted by group (year, classification, reporter), then product level ([`ProductSums::merge`]):
    // each group's rows, and within it those of its lowest level (the only ones kept), are next
    // to each other.
    let same_group =
        |a: &SumKey, b: &SumKey| a.0 == b.0 && same_text(&a.1, &b.1) && same_text(&a.2, &b.2);
    // Each row with its share's denominator and its name (looked up a classification a group).
    let mut kept: Vec<(&SumKey, f64, f64, Option<&str>)> = Vec::with_capacity(rows.len());
    let mut rest = rows.as_slice();
    while let Some(((first, _), _)) = rest.split_first() {
        let group = rest
            .iter()
            .take_while(|(k, _)| same_group(k, first))
            .count();
        let lowest = rest[..group]
            .iter()
            .take_while(|(k, _)| k.3 == first.3)
            .count();
        let total: f64 = rest[..lowest].iter().map(|(_, v)| v).sum();
        let start = kept.len();
        let codes = names.get(&*first.1);
        kept.extend(rest[..lowest].iter().map(|(k, v)| {
            let name = codes.and_then(|c| c.get(&k.4)).map(String::as_str);
            (k, *v, total, name)
        }));
        // Codes are unique in a group: an unstable sort gives one order.
        kept[start..].sort_unstable_by(|(a, va, ..), (b, vb, ..)| {
            vb.total_cmp(va).then_with(|| a.4.cmp(&b.4))
        });
        rest = &rest[group..];
    }
    let mut columns: Vec<ArrayRef> = Vec::new();
    if with_year {
        columns.push(Arc::new(Int32Array::from_iter_values(
            kept.iter().map(|(k, ..)| k.0),
        )));
    }
    columns.push(Arc::new(StringArray::from_iter_values(
        kept.iter().map(|(k, ..)| k.4.as_str()),
    )));
    columns.push(Arc::new(
        kept.iter().map(|(.., name)| *name).collect::<StringArray>(),
    ));
    columns.push(Arc::new(Float64Array::from_iter_values(
        kept.iter().map(|(_, v, ..)| *v),
    )));
    columns.push(Arc::new(Float64Array::from_iter_values(
        kept.iter().map(|(_, v, total, _)| v / total),
    )));
    columns.push(Arc::new(StringArray::from_iter_values(
        kept.iter().map(|(k, ..)| &*k.1),
    )));
    columns.push(Arc::new(StringArray::from_iter_values(
        kept.iter().map(|(k, ..)| &*k.2),
    )));
    Ok(RecordBatch::try_new(products_schema(with_year), columns)?)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn parts_merge_in_key_order_and_sum_equal_keys() {
        let key = |year: i32, code: &str| -> SumKey {
            (year, "HS17".into(), "both".into(), 6, code.into())
        };
        let one = vec![(key(2020, "01"), 1.0), (key(2021, "02"), 2.0)];
        let two = vec![(key(2020, "01"), 10.0), (key(2020, "03"), 20.0)];
        let merged = ProductSums::merge(vec![one, two, vec![(key(2019, "99"), 5.0)]]);
        assert_eq!(
            merged,
            [
                (key(2019, "99"), 5.0),
                (key(2020, "01"), 11.0),
                (key(2020, "03"), 20.0),
                (key(2021, "02"), 2.0),
            ]
        );
        assert!(ProductSums::merge(Vec::new()).is_empty());
    }

    /// A sum's key with owned strings.
    type Key = (i32, String, String, i32, String);

    /// One generated row: year, classification, reporter, product level, code, flow, value.
    type Row = (
        i32,
        &'static str,
        &'static str,
        i32,
        &'static str,
        &'static str,
        u32,
    );

    fn row() -> impl Strategy<Value = Row> {
        (
            2019i32..2022,
            prop::sample::select(vec!["HS17", "H6"]),
            prop::sample::select(vec!["baci", "KAZ"]),
            prop::sample::select(vec![0, 2, 4, 6]),
            prop::sample::select(vec![
                "TOTAL", "10", "11", "1001", "1101", "100199", "110100",
            ]),
            prop::sample::select(vec!["X", "M", "T"]),
            0u32..1_000_000,
        )
    }

    fn pair_row(r: &Row) -> PairRow<'static> {
        PairRow {
            source: "comtrade",
            classification: r.1,
            year: r.0,
            month: None,
            product: r.4,
            product_level: r.3,
            value_usd: f64::from(r.6),
            reporter: r.2,
            flow: r.5,
            source_url: None,
        }
    }

    proptest! {
        /// Row groups shared out to threads in any way and order (each thread's sums sorted,
        /// then merged) sum as `GROUP BY year, classification, reporter, product_level,
        /// substr(product, 1, level)` over exports and imports at `level` or finer does, computed
        /// here with a map. Values are whole dollars, so that any order of addition is exact.
        #[test]
        fn sums_shared_out_to_threads_are_the_group_by(
            groups in prop::collection::vec(prop::collection::vec(row(), 0..30), 0..12),
            level in prop::sample::select(vec![2u8, 4, 6]),
            threads in prop::collection::vec(0usize..4, 12),
            order in any::<prop::sample::Index>(),
        ) {
            let mut want: std::collections::BTreeMap<Key, f64> = std::collections::BTreeMap::new();
            for r in groups.iter().flatten() {
                if r.3 >= i32::from(level) && (r.5 == "X" || r.5 == "M") {
                    let key = (r.0, r.1.into(), r.2.into(), r.3, prefix(r.4, level.into()).into());
                    *want.entry(key).or_default() += f64::from(r.6);
                }
            }
            let mut parts: Vec<Vec<&Vec<Row>>> = vec![Vec::new(); 4];
            for (g, rows) in groups.iter().enumerate() {
                parts[threads[g]].push(rows);
            }
            parts.rotate_left(order.index(4));
            let sums: Vec<Vec<(SumKey, f64)>> = parts
                .iter()
                .map(|part| {
                    let mut sums = ProductSums::new(level);
                    for r in part.iter().copied().flatten() {
                        sums.add(&pair_row(r));
                    }
                    sums.finish()
                })
                .collect();
            let got: Vec<(Key, f64)> = ProductSums::merge(sums)
                .into_iter()
                .map(|(k, v)| ((k.0, k.1.to_string(), k.2.to_string(), k.3, k.4), v))
                .collect();
            prop_assert_eq!(got, want.into_iter().collect::<Vec<_>>());
        }
    }
}
