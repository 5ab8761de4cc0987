//! One side of a country's trade: every annual row with the country as exporter (or as
//! importer) and the partner on the other side, read with the Arrow reader from the pages whose
//! statistics may hold the country, the country's column compared first (a row filter) so that
//! the other columns are decoded only for its rows.
//!
//! Files are sorted by exporter, so a country's exports are a few pages of a row group; its
//! imports are spread over every exporter's block (one or two pages in each, found from the
//! importer's page statistics).

use datafusion::arrow::array::{Array, AsArray, BooleanArray, StringArray};
use datafusion::arrow::compute::kernels::cmp::eq;
use datafusion::arrow::datatypes::{DataType, Float64Type, Int32Type};
use datafusion::parquet::arrow::arrow_reader::{
    ArrowPredicateFn, ParquetRecordBatchReaderBuilder, RowFilter, RowSelection,
};
use datafusion::parquet::arrow::ProjectionMask;

use super::filter::{SideQuery, SideRow, Unsupported};
use super::index::{Constant, StoreFile, C};
use super::reader::PairIndex;
use crate::error::{Result, TradeError};

/// The columns read, besides the country's own.
const READ: [&str; 9] = [
    "source",
    "year",
    "month",
    "exporter",
    "importer",
    "exporter_code",
    "importer_code",
    "product_level",
    "value_usd",
];

impl PairIndex {
    /// Calls `f` with every row of `q`, from the store's files and the flows held in memory.
    /// `Ok(Err(Unsupported))`, before any row is passed on, when a file lacks a column read here.
    pub(crate) fn scan_side(
        &self,
        q: &SideQuery<'_>,
        f: &mut dyn FnMut(&SideRow<'_>),
    ) -> Result<Result<(), Unsupported>> {
        if self.files.iter().any(|file| !file.has_side_columns()) {
            return Ok(Err(Unsupported));
        }
        for fl in &self.memory {
            let (own, partner, code) = if q.exporter {
                (&fl.exporter, &fl.importer, fl.importer_code)
            } else {
                (&fl.importer, &fl.exporter, fl.exporter_code)
            };
            if own.as_deref() == Some(q.country)
                && fl.month.is_none()
                && fl.source.as_str() == q.source
                && q.years.contains(&fl.year)
            {
                f(&SideRow {
                    year: fl.year,
                    partner: partner.as_deref(),
                    partner_code: code,
                    product_level: fl.product_level,
                    value_usd: fl.value_usd,
                    reporter: &fl.reporter,
                    flow: &fl.flow,
                });
            }
        }
        for file in &self.files {
            for g in 0..file.row_groups.len() {
                if file.may_hold_side(g, q) {
                    file.scan_side(g, q, f)?;
                }
            }
        }
        Ok(Ok(()))
    }
}

impl StoreFile {
    /// Whether the file has the columns [`StoreFile::scan_side`] reads, of the store's types.
    fn has_side_columns(&self) -> bool {
        ["exporter_code", "importer_code"].iter().all(|name| {
            self.meta
                .schema()
                .field_with_name(name)
                .is_ok_and(|f| f.data_type() == &DataType::Int32)
        })
    }

    /// Whether row group `g` may hold rows of `q`, from its statistics alone.
    fn may_hold_side(&self, g: usize, q: &SideQuery<'_>) -> bool {
        let s = &self.row_groups[g].stats;
        let text = |k: usize, want: &str| match (&s[k].constant, &s[k].bytes) {
            (Some(Constant::Null), _) => false,
            (Some(Constant::Str(c)), _) => c == want,
            (_, Some((min, max))) => {
                min.as_slice() <= want.as_bytes() && want.as_bytes() <= max.as_slice()
            }
            _ => true,
        };
        let own = if q.exporter { C::EXPORTER } else { C::IMPORTER };
        if !text(own, q.country) || !text(C::SOURCE, q.source) {
            return false;
        }
        if let Some((min, max)) = s[C::YEAR].ints {
            if max < *q.years.start() || min > *q.years.end() {
                return false;
            }
        }
        !matches!(s[C::MONTH].constant, Some(Constant::Int(_)))
    }

    /// Passes the rows of `q` in row group `g` to `f`.
    fn scan_side(
        &self,
        g: usize,
        q: &SideQuery<'_>,
        f: &mut dyn FnMut(&SideRow<'_>),
    ) -> Result<()> {
        let own = if q.exporter { C::EXPORTER } else { C::IMPORTER };
        let rows = self.rows_may_hold(g, own, q.country, 0..self.row_groups[g].rows);
        if rows.is_empty() {
            return Ok(());
        }
        let error = |e: &dyn std::fmt::Display| {
            TradeError::Other(format!("{}: row group {g}: {e}", self.path.display()))
        };
        let parquet = self.meta.metadata();
        let schema = parquet.file_metadata().schema_descr();
        let leaf = |name: &str| schema.columns().iter().position(|c| c.name() == name);
        let mut leaves: Vec<usize> = READ.iter().filter_map(|n| leaf(n)).collect();
        leaves.extend(["reporter", "flow"].iter().filter_map(|n| leaf(n)));
        let country = StringArray::new_scalar(q.country);
        let predicate = ArrowPredicateFn::new(
            ProjectionMask::leaves(schema, [self.leaf[own]]),
            move |batch| -> std::result::Result<BooleanArray, _> { eq(batch.column(0), &country) },
        );
        let reader = ParquetRecordBatchReaderBuilder::new_with_metadata(
            self.reader.clone(),
            self.meta.clone(),
        )
        .with_projection(ProjectionMask::leaves(schema, leaves))
        .with_row_groups(vec![g])
        .with_row_selection(RowSelection::from_consecutive_ranges(
            rows.into_iter(),
            self.row_groups[g].rows,
        ))
        .with_row_filter(RowFilter::new(vec![Box::new(predicate)]))
        .with_batch_size(8192)
        .build()
        .map_err(|e| error(&e))?;
        let (partner, code) = if q.exporter {
            ("importer", "importer_code")
        } else {
            ("exporter", "exporter_code")
        };
        for batch in reader {
            let batch = batch.map_err(|e| error(&e))?;
            let column = |name: &str| {
                batch
                    .column_by_name(name)
                    .ok_or_else(|| error(&format!("no column {name}")))
            };
            let text = |name: &str| {
                column(name)?
                    .as_string_opt::<i32>()
                    .ok_or_else(|| error(&format!("{name} is not text")))
            };
            let int = |name: &str| {
                column(name)?
                    .as_primitive_opt::<Int32Type>()
                    .ok_or_else(|| error(&format!("{name} is not Int32")))
            };
            let (source, partner, reporter, flow) = (
                text("source")?,
                text(partner)?,
                text("reporter")?,
                text("flow")?,
            );
            let (year, month, code, level) = (
                int("year")?,
                int("month")?,
                int(code)?,
                int("product_level")?,
            );
            let value = column("value_usd")?
                .as_primitive_opt::<Float64Type>()
                .ok_or_else(|| error(&"value_usd is not Float64"))?;
            let at = |a: &dyn Array, i: usize| a.is_valid(i);
            for i in 0..batch.num_rows() {
                if at(month, i)
                    || !at(year, i)
                    || !at(source, i)
                    || source.value(i) != q.source
                    || !q.years.contains(&year.value(i))
                {
                    continue;
                }
                f(&SideRow {
                    year: year.value(i),
                    partner: at(partner, i).then(|| partner.value(i)),
                    partner_code: at(code, i).then(|| code.value(i)),
                    product_level: level.value(i),
                    value_usd: value.value(i),
                    reporter: if at(reporter, i) {
                        reporter.value(i)
                    } else {
                        ""
                    },
                    flow: if at(flow, i) { flow.value(i) } else { "" },
                });
            }
        }
        Ok(())
    }
}
