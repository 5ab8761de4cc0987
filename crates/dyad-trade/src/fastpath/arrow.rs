//! The Arrow reader's scan of a row group: any file the fast path can read at all, where the
//! page-by-page scan (`scan.rs`) does not apply (row groups whose other columns vary, or
//! encodings dyad does not write).

use std::ops::Range;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Array, Int32Array, StringArray};
use datafusion::arrow::datatypes::{Float64Type, Int32Type};
use datafusion::parquet::arrow::arrow_reader::{ParquetRecordBatchReaderBuilder, RowSelection};
use datafusion::parquet::arrow::ProjectionMask;

use super::filter::{PairQuery, PairRow};
use super::index::{Constant, StoreFile, C, COLUMNS, N};
use crate::error::{Result, TradeError};

impl StoreFile {
    /// [`StoreFile::scan`] with the Arrow reader: any file the fast path can read at all.
    pub(super) fn scan_arrow(
        &self,
        g: usize,
        ranges: &[Range<usize>],
        q: &PairQuery<'_>,
        f: &mut dyn FnMut(&PairRow<'_>),
    ) -> Result<()> {
        let stats = &self.row_groups[g].stats;
        // Columns known from statistics are not read; the value always is (it is the answer).
        let read: Vec<usize> = (0..N)
            .filter(|&k| k == C::VALUE || stats[k].constant.is_none())
            .collect();
        let schema = self.meta.metadata().file_metadata().schema_descr();
        let mask = ProjectionMask::leaves(schema, read.iter().map(|&k| self.leaf[k]));
        let selection =
            RowSelection::from_consecutive_ranges(ranges.iter().cloned(), self.row_groups[g].rows);
        let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(
            self.reader.clone(),
            self.meta.clone(),
        )
        .with_projection(mask)
        .with_row_groups(vec![g])
        .with_row_selection(selection)
        .with_batch_size(8192)
        .build()
        .map_err(|e| TradeError::Other(format!("{}: {e}", self.path.display())))?;
        for batch in reader {
            let batch =
                batch.map_err(|e| TradeError::Other(format!("{}: {e}", self.path.display())))?;
            let col = |k: usize| -> Option<&ArrayRef> {
                batch
                    .schema()
                    .index_of(COLUMNS[k].0)
                    .ok()
                    .map(|i| batch.column(i))
            };
            let text = |k: usize| -> Result<Text<'_>> {
                Ok(match (&stats[k].constant, col(k)) {
                    (Some(Constant::Str(s)), _) => Text::Const(Some(s.as_str())),
                    (Some(_), _) => Text::Const(None),
                    (None, Some(a)) => Text::Array(a.as_string_opt::<i32>().ok_or_else(|| {
                        TradeError::Other(format!(
                            "{}: {} is not text",
                            self.path.display(),
                            COLUMNS[k].0
                        ))
                    })?),
                    (None, None) => Text::Const(None),
                })
            };
            let int = |k: usize| -> Result<Int<'_>> {
                Ok(match (&stats[k].constant, col(k)) {
                    (Some(Constant::Int(v)), _) => Int::Const(Some(*v)),
                    (Some(_), _) => Int::Const(None),
                    (None, Some(a)) => {
                        Int::Array(a.as_primitive_opt::<Int32Type>().ok_or_else(|| {
                            TradeError::Other(format!(
                                "{}: {} is not Int32",
                                self.path.display(),
                                COLUMNS[k].0
                            ))
                        })?)
                    }
                    (None, None) => Int::Const(None),
                })
            };
            let (exporter, importer) = (text(C::EXPORTER)?, text(C::IMPORTER)?);
            let (source, class, product) = (text(C::SOURCE)?, text(C::CLASS)?, text(C::PRODUCT)?);
            let (reporter, flow, url) = (text(C::REPORTER)?, text(C::FLOW)?, text(C::URL)?);
            let (year, month, level) = (int(C::YEAR)?, int(C::MONTH)?, int(C::LEVEL)?);
            let value: &Float64Array = col(C::VALUE)
                .and_then(|a| a.as_primitive_opt::<Float64Type>())
                .ok_or_else(|| {
                    TradeError::Other(format!("{}: value_usd is not Float64", self.path.display()))
                })?;
            for i in 0..batch.num_rows() {
                if exporter.get(i) != Some(q.exporter) || importer.get(i) != Some(q.importer) {
                    continue;
                }
                let row = PairRow {
                    source: source.get(i).unwrap_or_default(),
                    classification: class.get(i).unwrap_or_default(),
                    year: year.get(i).unwrap_or_default(),
                    month: month.get(i),
                    product: product.get(i).unwrap_or_default(),
                    product_level: level.get(i).unwrap_or_default(),
                    value_usd: value.value(i),
                    reporter: reporter.get(i).unwrap_or_default(),
                    flow: flow.get(i).unwrap_or_default(),
                    source_url: url.get(i),
                };
                if q.accepts(&row) {
                    f(&row);
                }
            }
        }
        Ok(())
    }
}

/// A text column of a batch, or the value statistics give it on every row.
enum Text<'a> {
    Const(Option<&'a str>),
    Array(&'a StringArray),
}

impl Text<'_> {
    fn get(&self, i: usize) -> Option<&str> {
        match self {
            Text::Const(v) => *v,
            Text::Array(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }
}

/// An Int32 column of a batch, or the value statistics give it on every row.
enum Int<'a> {
    Const(Option<i32>),
    Array(&'a Int32Array),
}

impl Int<'_> {
    fn get(&self, i: usize) -> Option<i32> {
        match self {
            Int::Const(v) => *v,
            Int::Array(a) => a.is_valid(i).then(|| a.value(i)),
        }
    }
}
