//! What a store file's footer and page index say: which row groups may hold a pair
//! ([`StoreFile::may_match`]), which columns hold one value in a row group, and which rows of a
//! row group the pages of `exporter` and `importer` leave ([`StoreFile::candidate_rows`]).

use std::ops::Range;
use std::path::{Path, PathBuf};

use datafusion::arrow::datatypes::DataType;
use datafusion::parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions};
use datafusion::parquet::basic::BoundaryOrder;
use datafusion::parquet::file::metadata::{PageIndexPolicy, ParquetMetaData};
use datafusion::parquet::file::page_index::column_index::ColumnIndexMetaData;
use datafusion::parquet::file::page_index::offset_index::PageLocation;
use datafusion::parquet::file::statistics::Statistics;

use super::filter::{PairQuery, Unsupported};
use super::io::Pread;
use crate::error::{Result, TradeError};

/// The columns the fast path may read, in the order of [`C`].
pub(super) const COLUMNS: [(&str, DataType); 12] = [
    ("source", DataType::Utf8),
    ("classification", DataType::Utf8),
    ("year", DataType::Int32),
    ("month", DataType::Int32),
    ("exporter", DataType::Utf8),
    ("importer", DataType::Utf8),
    ("product", DataType::Utf8),
    ("product_level", DataType::Int32),
    ("value_usd", DataType::Float64),
    ("reporter", DataType::Utf8),
    ("flow", DataType::Utf8),
    ("source_url", DataType::Utf8),
];

/// Positions in [`COLUMNS`].
pub(super) struct C;
impl C {
    pub const SOURCE: usize = 0;
    pub const CLASS: usize = 1;
    pub const YEAR: usize = 2;
    pub const MONTH: usize = 3;
    pub const EXPORTER: usize = 4;
    pub const IMPORTER: usize = 5;
    pub const PRODUCT: usize = 6;
    pub const LEVEL: usize = 7;
    pub const VALUE: usize = 8;
    pub const REPORTER: usize = 9;
    pub const FLOW: usize = 10;
    pub const URL: usize = 11;
}

/// The number of [`COLUMNS`].
pub(super) const N: usize = COLUMNS.len();

/// A value every row of a row group holds, as its statistics prove.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Constant {
    Null,
    Str(String),
    Int(i32),
}

/// What row-group statistics say about one column.
#[derive(Debug, Clone, Default)]
pub(super) struct ColumnStats {
    /// Every row holds this value.
    pub constant: Option<Constant>,
    /// Bounds of the non-null values (possibly truncated, so still bounds).
    pub bytes: Option<(Vec<u8>, Vec<u8>)>,
    pub ints: Option<(i32, i32)>,
}

/// A row group's size and statistics.
#[derive(Debug)]
pub(super) struct RowGroup {
    pub rows: usize,
    /// By position in [`COLUMNS`].
    pub stats: Vec<ColumnStats>,
}

/// One file of the store, ready for one-dyad reads.
#[derive(Debug)]
pub(super) struct StoreFile {
    pub path: PathBuf,
    pub reader: Pread,
    pub meta: ArrowReaderMetadata,
    /// Leaf index in the Parquet schema of each of [`COLUMNS`].
    pub leaf: [usize; N],
    pub row_groups: Vec<RowGroup>,
    /// 0, 1, 2, … up to the most pages of any column chunk: page numbers as a slice, so that a
    /// column index, which has no slice of its values, is bisected with `partition_point`.
    pub pages: Vec<usize>,
}

/// What the row-group statistics `s` of a column of type `ty` say, over `rows` rows.
fn column_stats(s: Option<&Statistics>, rows: usize, ty: &DataType) -> ColumnStats {
    let Some(s) = s else {
        return ColumnStats::default();
    };
    let nulls = s.null_count_opt();
    if rows > 0 && nulls == Some(rows as u64) {
        return ColumnStats {
            constant: Some(Constant::Null),
            ..ColumnStats::default()
        };
    }
    let exact = s.min_is_exact() && s.max_is_exact() && nulls == Some(0);
    match (s, ty) {
        (Statistics::ByteArray(v), DataType::Utf8) => {
            let (Some(min), Some(max)) = (v.min_opt(), v.max_opt()) else {
                return ColumnStats::default();
            };
            let constant = (exact && min == max)
                .then(|| std::str::from_utf8(min.data()).ok())
                .flatten()
                .map(|t| Constant::Str(t.to_string()));
            ColumnStats {
                constant,
                bytes: Some((min.data().to_vec(), max.data().to_vec())),
                ints: None,
            }
        }
        (Statistics::Int32(v), DataType::Int32) => {
            let (Some(&min), Some(&max)) = (v.min_opt(), v.max_opt()) else {
                return ColumnStats::default();
            };
            ColumnStats {
                constant: (exact && min == max).then_some(Constant::Int(min)),
                bytes: None,
                ints: Some((min, max)),
            }
        }
        _ => ColumnStats::default(),
    }
}

impl StoreFile {
    /// Reads the footer and page index of `path` (`Ok(Err(Unsupported))`: a file without the
    /// store's columns and types).
    pub(super) fn open(path: &Path) -> Result<Result<StoreFile, Unsupported>> {
        let reader = Pread::open(path)?;
        let options = ArrowReaderOptions::new().with_page_index_policy(PageIndexPolicy::Optional);
        let meta = ArrowReaderMetadata::load(&reader, options)
            .map_err(|e| TradeError::Other(format!("{}: {e}", path.display())))?;
        let parquet = meta.metadata().clone();
        let schema = parquet.file_metadata().schema_descr();
        let mut leaf = [0usize; N];
        for (k, (name, ty)) in COLUMNS.iter().enumerate() {
            let Some(i) = schema.columns().iter().position(|c| c.name() == *name) else {
                return Ok(Err(Unsupported));
            };
            if !meta
                .schema()
                .field_with_name(name)
                .is_ok_and(|f| f.data_type() == ty)
            {
                return Ok(Err(Unsupported));
            }
            leaf[k] = i;
        }
        let row_groups = parquet
            .row_groups()
            .iter()
            .map(|rg| {
                let rows = rg.num_rows().max(0) as usize;
                let stats = COLUMNS
                    .iter()
                    .enumerate()
                    .map(|(k, (_, ty))| column_stats(rg.column(leaf[k]).statistics(), rows, ty))
                    .collect();
                RowGroup { rows, stats }
            })
            .collect();
        let most_pages = parquet.offset_index().map_or(0, |o| {
            o.iter()
                .flatten()
                .map(|c| c.page_locations().len())
                .max()
                .unwrap_or(0)
        });
        Ok(Ok(StoreFile {
            path: path.to_path_buf(),
            reader,
            meta,
            leaf,
            row_groups,
            pages: (0..most_pages).collect(),
        }))
    }

    /// Whether row group `g` may hold rows of the query, from its statistics alone.
    pub(super) fn may_match(&self, g: usize, q: &PairQuery<'_>) -> bool {
        let s = &self.row_groups[g].stats;
        let text = |k: usize, want: &str| match (&s[k].constant, &s[k].bytes) {
            (Some(Constant::Null), _) => false,
            (Some(Constant::Str(c)), _) => c == want,
            (_, Some((min, max))) => {
                min.as_slice() <= want.as_bytes() && want.as_bytes() <= max.as_slice()
            }
            _ => true,
        };
        if !text(C::EXPORTER, q.exporter) || !text(C::IMPORTER, q.importer) {
            return false;
        }
        if let Some(source) = q.source {
            if !text(C::SOURCE, source) {
                return false;
            }
        }
        if let (Some(y), Some((min, max))) = (&q.years, s[C::YEAR].ints) {
            if max < *y.start() || min > *y.end() {
                return false;
            }
        }
        // Only annual rows are asked for: a row group of monthly rows has nothing.
        !matches!(s[C::MONTH].constant, Some(Constant::Int(_)))
    }

    /// Rows of row group `g` that may hold the pair, from the page index of `exporter` and
    /// `importer` (all rows when the file has no page index).
    pub(super) fn candidate_rows(&self, g: usize, q: &PairQuery<'_>) -> Vec<Range<usize>> {
        // Importer pages are only looked at where the exporter may be.
        let exporter = self.rows_may_hold(g, C::EXPORTER, q.exporter, 0..self.row_groups[g].rows);
        let (Some(first), Some(last)) = (exporter.first(), exporter.last()) else {
            return Vec::new();
        };
        intersect(
            &exporter,
            &self.rows_may_hold(g, C::IMPORTER, q.importer, first.start..last.end),
        )
    }

    /// The rows of the pages of text column `k` in row group `g` that may hold `want`, among
    /// the pages holding rows of `within` (whole pages: rows of `within` and beyond; all rows
    /// when the file has no page index).
    pub(super) fn rows_may_hold(
        &self,
        g: usize,
        k: usize,
        want: &str,
        within: Range<usize>,
    ) -> Vec<Range<usize>> {
        let rows = self.row_groups[g].rows;
        let all = std::iter::once(0..rows).collect::<Vec<_>>();
        let parquet: &ParquetMetaData = self.meta.metadata();
        let (Some(ci), Some(oi)) = (parquet.column_index(), parquet.offset_index()) else {
            return all;
        };
        let leaf = self.leaf[k];
        let (Some(column @ ColumnIndexMetaData::BYTE_ARRAY(index)), Some(offsets)) = (
            ci.get(g).and_then(|c| c.get(leaf)),
            oi.get(g).and_then(|o| o.get(leaf)),
        ) else {
            return all;
        };
        let locations = offsets.page_locations();
        let n = locations.len();
        if index.num_pages() != n as u64 || n > self.pages.len() {
            return all;
        }
        let first_row = |l: &PageLocation| usize::try_from(l.first_row_index).ok();
        // Pages from the one holding `within.start` to the last starting before its end.
        let from = locations.partition_point(|l| first_row(l).is_some_and(|r| r <= within.start));
        let mut span = from.saturating_sub(1)
            ..locations.partition_point(|l| first_row(l).is_some_and(|r| r < within.end));
        // Sorted pages (min and max ascending, as in a file sorted by this column): those
        // that may hold `want` are found by bisection, not by comparing each.
        let pages = &self.pages[..n];
        if column.get_boundary_order() == Some(BoundaryOrder::ASCENDING)
            && pages.iter().all(|&p| {
                !index.is_null_page(p)
                    && index.min_value(p).is_some()
                    && index.max_value(p).is_some()
            })
        {
            let lo =
                pages.partition_point(|&p| index.max_value(p).is_some_and(|m| m < want.as_bytes()));
            let hi = pages
                .partition_point(|&p| index.min_value(p).is_some_and(|m| m <= want.as_bytes()));
            span = span.start.max(lo)..span.end.min(hi);
        }
        let mut out: Vec<Range<usize>> = Vec::new();
        for p in span {
            let may = !index.is_null_page(p)
                && index.min_value(p).is_none_or(|m| m <= want.as_bytes())
                && index.max_value(p).is_none_or(|m| want.as_bytes() <= m);
            if !may {
                continue;
            }
            let start = locations[p].first_row_index as usize;
            let end = locations
                .get(p + 1)
                .map_or(rows, |l| l.first_row_index as usize);
            match out.last_mut() {
                Some(last) if last.end == start => last.end = end,
                _ => out.push(start..end),
            }
        }
        out
    }
}

/// The intersection of two sorted lists of disjoint ranges.
fn intersect(a: &[Range<usize>], b: &[Range<usize>]) -> Vec<Range<usize>> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() && j < b.len() {
        let start = a[i].start.max(b[j].start);
        let end = a[i].end.min(b[j].end);
        if start < end {
            out.push(start..end);
        }
        if a[i].end < b[j].end {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(v: &[(usize, usize)]) -> Vec<Range<usize>> {
        v.iter().map(|&(a, b)| a..b).collect()
    }

    #[test]
    fn ranges_intersect() {
        let i = |a: &[(usize, usize)], b: &[(usize, usize)]| intersect(&ranges(a), &ranges(b));
        assert_eq!(
            i(&[(0, 10), (20, 30)], &[(5, 25)]),
            ranges(&[(5, 10), (20, 25)])
        );
        assert_eq!(i(&[(0, 10)], &[(10, 20)]), ranges(&[]));
        assert_eq!(i(&[], &[(0, 1)]), ranges(&[]));
        assert_eq!(i(&[(0, 100)], &[(0, 100)]), ranges(&[(0, 100)]));
        assert_eq!(
            i(&[(0, 5), (8, 12), (15, 20)], &[(3, 9), (11, 16)]),
            ranges(&[(3, 5), (8, 9), (11, 12), (15, 16)])
        );
    }
}
