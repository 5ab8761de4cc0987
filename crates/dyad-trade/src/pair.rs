//! The one-dyad fast path: what one exporter sold one importer, read from the store's Parquet
//! files with the `parquet` crate directly, without planning a DataFusion query.
//!
//! A DataFusion query over a store of 50 files spends 20–25 ms (on a 2-core machine) planning,
//! listing and scheduling, most of the time of a one-dyad question. Here:
//!
//! - every file's footer and page index is read once per [`crate::TradeDb`] (on its first
//!   one-dyad query) and kept, with the file open;
//! - row-group statistics skip files and row groups whose exporter, importer, year or source
//!   cannot match, and give the columns that are the same on every row of a row group (source,
//!   classification, year, reporter, flow, product level of a BACI file) without reading them;
//! - the page index of `exporter` and `importer` narrows the rest to the pages that may hold the
//!   pair: files are sorted by exporter, importer and product, so a pair is one or a few pages of
//!   [`crate::store::PAGE_ROWS`] rows (found by bisection where the index says pages are
//!   sorted);
//! - only those pages of the needed columns are decoded, every row is checked exactly (pruning
//!   only ever keeps too much), and the sums are made in Rust, on two threads when many rows
//!   are read;
//! - a BACI row group is decoded page by page without Arrow arrays ([`StoreFile::scan_pages`]):
//!   pages whose statistics prove the pair are not read for exporter and importer, products
//!   are rebuilt in one reused buffer, and neighbouring rows whose codes share the digits asked
//!   for are summed there (`PairQuery::fold`); other row groups go through the Arrow reader.
//!
//! The answers are those of the SQL path (`TradeDb::products_by_year_sql`): tests compare the two
//! on fixtures and on generated stores. Sums of whole dollars (every BACI value) are exact in
//! any order, so the two agree to the bit; sums of values with cents may differ in the last
//! digit, as two runs of the SQL itself may.

use std::collections::HashMap;
use std::fs::File;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Float64Array, Int32Array, RecordBatch, StringArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Float64Type, Int32Type, Schema, SchemaRef};
use datafusion::parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder, RowSelection,
};
use datafusion::parquet::arrow::ProjectionMask;
use datafusion::parquet::basic::{BoundaryOrder, Encoding, Type as PhysicalType};
use datafusion::parquet::column::page::{Page, PageReader};
use datafusion::parquet::errors::ParquetError;
use datafusion::parquet::file::metadata::{PageIndexPolicy, ParquetMetaData};
use datafusion::parquet::file::page_index::column_index::ColumnIndexMetaData;
use datafusion::parquet::file::reader::{ChunkReader, Length};
use datafusion::parquet::file::serialized_reader::SerializedPageReader;
use datafusion::parquet::file::statistics::Statistics;

use crate::error::{io, Result, TradeError};
use crate::flow::Flow;
use crate::query::Years;

/// Candidate rows from which a second thread reads too. On an idle 2-core machine a second
/// thread paid from about 20,000 rows (the benchmark store's median pair, 25,600 candidate rows:
/// 1.25 ms on one thread, 0.8 ms on two). On a busy one the reader waits for the second thread
/// to be scheduled, a few milliseconds: with three processes spinning on the two cores, that
/// pair's p50 went from 1.4 ms on one thread to 3.9 ms on two. Above 40,000 rows (the 90th
/// percentile pair, ~2 ms on one thread) the second thread is worth that risk.
const PARALLEL_ROWS: usize = 40_000;

/// The columns the fast path may read, in the order of [`C`].
const COLUMNS: [(&str, DataType); 11] = [
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
];

/// Positions in [`COLUMNS`].
struct C;
impl C {
    const SOURCE: usize = 0;
    const CLASS: usize = 1;
    const YEAR: usize = 2;
    const MONTH: usize = 3;
    const EXPORTER: usize = 4;
    const IMPORTER: usize = 5;
    const PRODUCT: usize = 6;
    const LEVEL: usize = 7;
    const VALUE: usize = 8;
    const REPORTER: usize = 9;
    const FLOW: usize = 10;
}

const N: usize = COLUMNS.len();

/// A value every row of a row group holds, as its statistics prove.
#[derive(Debug, Clone, PartialEq)]
enum Constant {
    Null,
    Str(String),
    Int(i32),
}

/// What row-group statistics say about one column.
#[derive(Debug, Clone, Default)]
struct ColumnStats {
    /// Every row holds this value.
    constant: Option<Constant>,
    /// Bounds of the non-null values (possibly truncated, so still bounds).
    bytes: Option<(Vec<u8>, Vec<u8>)>,
    ints: Option<(i32, i32)>,
}

#[derive(Debug)]
struct RowGroup {
    rows: usize,
    stats: Vec<ColumnStats>,
}

/// Reads by offset (`pread`), so that the open file is shared by threads without seeking (the
/// pages a pair needs of a column chunk are read in one call: [`ReadAhead`]).
#[derive(Debug, Clone)]
struct Pread {
    file: Arc<File>,
    len: u64,
}

fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_at(file, buf, offset)
    }
    #[cfg(windows)]
    {
        std::os::windows::fs::FileExt::seek_read(file, buf, offset)
    }
}

/// A reader from an offset to the end of the file.
struct PreadFrom {
    file: Arc<File>,
    pos: u64,
}

impl std::io::Read for PreadFrom {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = read_at(&self.file, buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Length for Pread {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for Pread {
    type T = PreadFrom;

    fn get_read(&self, start: u64) -> Result<PreadFrom, ParquetError> {
        Ok(PreadFrom {
            file: self.file.clone(),
            pos: start,
        })
    }

    fn get_bytes(&self, start: u64, length: usize) -> Result<Bytes, ParquetError> {
        let mut buf = vec![0u8; length];
        let mut done = 0;
        while done < length {
            let n = read_at(&self.file, &mut buf[done..], start + done as u64)?;
            if n == 0 {
                return Err(ParquetError::EOF(format!(
                    "expected {length} bytes at offset {start}, found {done}"
                )));
            }
            done += n;
        }
        Ok(Bytes::from(buf))
    }
}

/// The pages of a column chunk that a pair needs, read ahead with one `pread` and handed to the
/// page reader as slices (a `pread` and a buffer a page cost a tenth of a heavy pair's time);
/// other reads go to the file.
struct ReadAhead {
    file: Pread,
    start: u64,
    bytes: Bytes,
}

impl Length for ReadAhead {
    fn len(&self) -> u64 {
        self.file.len
    }
}

impl ChunkReader for ReadAhead {
    type T = PreadFrom;

    fn get_read(&self, start: u64) -> Result<PreadFrom, ParquetError> {
        self.file.get_read(start)
    }

    fn get_bytes(&self, start: u64, length: usize) -> Result<Bytes, ParquetError> {
        let from = start
            .checked_sub(self.start)
            .and_then(|d| usize::try_from(d).ok());
        match from {
            Some(from)
                if from
                    .checked_add(length)
                    .is_some_and(|end| end <= self.bytes.len()) =>
            {
                Ok(self.bytes.slice(from..from + length))
            }
            _ => self.file.get_bytes(start, length),
        }
    }
}

/// One file of the store, ready for one-dyad reads.
#[derive(Debug)]
struct StoreFile {
    path: PathBuf,
    reader: Pread,
    meta: ArrowReaderMetadata,
    /// Leaf index in the Parquet schema of each of [`COLUMNS`].
    leaf: [usize; N],
    row_groups: Vec<RowGroup>,
}

/// The footers and page indexes of a store's flow files, and the flows held in memory (the
/// bundled figures, unless the store has its own copy).
#[derive(Debug)]
pub(crate) struct PairIndex {
    files: Vec<StoreFile>,
    memory: Vec<Flow>,
}

/// Why the fast path cannot answer (a file written by something else): the SQL path then does.
#[derive(Debug)]
pub(crate) struct Unsupported;

/// What to read: one exporter→importer pair, with optional filters that also prune.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PairQuery<'a> {
    pub exporter: &'a str,
    pub importer: &'a str,
    pub years: Option<Years>,
    pub source: Option<&'a str>,
    /// Rows only summed by their first `fold` product characters: such rows, next to each other
    /// in a row group and alike in every other column, may be passed on as one row, its product
    /// cut to `fold` characters and its value their sum. Sorted by product, a file's rows of a
    /// pair come in such runs; summing them where they are decoded saves a call and a key
    /// comparison per row (most of a heavy pair's time after decoding).
    pub fold: Option<usize>,
}

/// One matching row, borrowed from the decoded pages.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PairRow<'a> {
    pub source: &'a str,
    pub classification: &'a str,
    pub year: i32,
    pub month: Option<i32>,
    pub product: &'a str,
    pub product_level: i32,
    pub value_usd: f64,
    pub reporter: &'a str,
    pub flow: &'a str,
}

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
    fn open(path: &Path) -> Result<Result<StoreFile, Unsupported>> {
        let file = File::open(path).map_err(io(path))?;
        let len = file.metadata().map_err(io(path))?.len();
        let reader = Pread {
            file: Arc::new(file),
            len,
        };
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
        Ok(Ok(StoreFile {
            path: path.to_path_buf(),
            reader,
            meta,
            leaf,
            row_groups,
        }))
    }

    /// Whether row group `g` may hold rows of the query, from its statistics alone.
    fn may_match(&self, g: usize, q: &PairQuery<'_>) -> bool {
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
        if let (Some(y), Some((min, max))) = (q.years, s[C::YEAR].ints) {
            if max < y.from || min > y.to {
                return false;
            }
        }
        // Only annual rows are asked for: a row group of monthly rows has nothing.
        !matches!(s[C::MONTH].constant, Some(Constant::Int(_)))
    }

    /// Rows of row group `g` that may hold the pair, from the page index of `exporter` and
    /// `importer` (all rows when the file has no page index).
    fn candidate_rows(&self, g: usize, q: &PairQuery<'_>) -> Vec<Range<usize>> {
        let rows = self.row_groups[g].rows;
        let all = std::iter::once(0..rows).collect::<Vec<_>>();
        let parquet: &ParquetMetaData = self.meta.metadata();
        let (Some(ci), Some(oi)) = (parquet.column_index(), parquet.offset_index()) else {
            return all;
        };
        // The pages of column `k` that may hold `want`, among those holding rows of `within`.
        let pages = |k: usize, want: &str, within: Range<usize>| -> Vec<Range<usize>> {
            let leaf = self.leaf[k];
            let (Some(column @ ColumnIndexMetaData::BYTE_ARRAY(index)), Some(offsets)) = (
                ci.get(g).and_then(|c| c.get(leaf)),
                oi.get(g).and_then(|o| o.get(leaf)),
            ) else {
                return all.clone();
            };
            let locations = offsets.page_locations();
            let n = locations.len();
            let first_row = |p: usize| usize::try_from(locations[p].first_row_index).ok();
            // Pages from the one holding `within.start` to the last starting before its end.
            let from = partition(n, |p| first_row(p).is_some_and(|r| r <= within.start));
            let mut span = from.saturating_sub(1)..partition(n, |p| {
                first_row(p).is_some_and(|r| r < within.end)
            });
            // Sorted pages (min and max ascending, as in a file sorted by this column): those
            // that may hold `want` are found by bisection, not by comparing each.
            if column.get_boundary_order() == Some(BoundaryOrder::ASCENDING)
                && (0..n).all(|p| {
                    !index.is_null_page(p)
                        && index.min_value(p).is_some()
                        && index.max_value(p).is_some()
                })
            {
                let lo = partition(n, |p| {
                    index.max_value(p).is_some_and(|m| m < want.as_bytes())
                });
                let hi = partition(n, |p| {
                    index.min_value(p).is_some_and(|m| m <= want.as_bytes())
                });
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
        };
        // Importer pages are only looked at where the exporter may be.
        let exporter = pages(C::EXPORTER, q.exporter, 0..rows);
        let (Some(first), Some(last)) = (exporter.first(), exporter.last()) else {
            return Vec::new();
        };
        intersect(
            &exporter,
            &pages(C::IMPORTER, q.importer, first.start..last.end),
        )
    }

    /// Decodes the candidate rows of row group `g` and calls `f` with each row of the pair.
    fn scan(
        &self,
        g: usize,
        ranges: &[Range<usize>],
        q: &PairQuery<'_>,
        f: &mut dyn FnMut(&PairRow<'_>),
    ) -> Result<()> {
        if self.scan_pages(g, ranges, q, f)? {
            return Ok(());
        }
        self.scan_arrow(g, ranges, q, f)
    }

    /// [`StoreFile::scan`] with the Arrow reader: any file the fast path can read at all.
    fn scan_arrow(
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
            let (reporter, flow) = (text(C::REPORTER)?, text(C::FLOW)?);
            let (year, month, level) = (int(C::YEAR)?, int(C::MONTH)?, int(C::LEVEL)?);
            let value: &Float64Array = col(C::VALUE)
                .and_then(|a| a.as_primitive_opt::<Float64Type>())
                .ok_or_else(|| {
                    TradeError::Other(format!("{}: value_usd is not Float64", self.path.display()))
                })?;
            for i in 0..batch.num_rows() {
                if !exporter.get(i).is_some_and(|x| same_text(x, q.exporter))
                    || !importer.get(i).is_some_and(|x| same_text(x, q.importer))
                {
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
                };
                if q.accepts(&row) {
                    f(&row);
                }
            }
        }
        Ok(())
    }
}

/// The columns that must hold one value in a row group for [`StoreFile::scan_pages`] to read it
/// (all but the pair, the product and the value: true of every BACI file).
const PAGE_CONSTANTS: [usize; 7] = [
    C::SOURCE,
    C::CLASS,
    C::YEAR,
    C::MONTH,
    C::LEVEL,
    C::REPORTER,
    C::FLOW,
];

impl StoreFile {
    /// Passes the rows of the pair in row group `g` to `f`, decoded page by page without Arrow
    /// arrays. `Ok(false)` (before any row is passed on) when the row group is not of the shape
    /// it reads: [`StoreFile::scan`] then uses the Arrow reader.
    ///
    /// The Arrow reader cost ~100 ns a row on the heaviest pair of the 25-year benchmark store:
    /// building a reader per row group, decoding exporter and importer into strings through
    /// their dictionaries, products into a string array, and a closure and text comparisons per
    /// row. Here:
    ///
    /// - a page of `exporter` or `importer` whose column-index statistics prove that every row
    ///   holds the pair's value (min == max == the value, no nulls) is not read at all; other
    ///   pages are compared by dictionary index (the value's index is looked up once);
    /// - only pages holding a row of the pair are read for `product` and `value_usd`;
    /// - `product` (delta-encoded) is rebuilt into one reused buffer, no allocation per row, and
    ///   its rows are passed on page by page;
    /// - with `q.fold`, when the pair's rows are one block (as in a sorted file), runs are found
    ///   from the delta encoding's prefix lengths ([`delta_cuts`]), not row by row.
    fn scan_pages(
        &self,
        g: usize,
        ranges: &[Range<usize>],
        q: &PairQuery<'_>,
        f: &mut dyn FnMut(&PairRow<'_>),
    ) -> Result<bool> {
        self.scan_pages_with(g, ranges, q, true, f)
    }

    /// [`StoreFile::scan_pages`], folding row by row unless `runs` (tests compare the two).
    fn scan_pages_with(
        &self,
        g: usize,
        ranges: &[Range<usize>],
        q: &PairQuery<'_>,
        runs: bool,
        f: &mut dyn FnMut(&PairRow<'_>),
    ) -> Result<bool> {
        let stats = &self.row_groups[g].stats;
        if !self.pages_supported(g) || PAGE_CONSTANTS.iter().any(|&k| stats[k].constant.is_none()) {
            return Ok(false);
        }
        let text = |k: usize| match &stats[k].constant {
            Some(Constant::Str(s)) => s.as_str(),
            _ => "",
        };
        let int = |k: usize| match &stats[k].constant {
            Some(Constant::Int(v)) => Some(*v),
            _ => None,
        };
        // As the Arrow path reads them: a null text is "", a null year or level 0.
        let template = PairRow {
            source: text(C::SOURCE),
            classification: text(C::CLASS),
            year: int(C::YEAR).unwrap_or_default(),
            month: int(C::MONTH),
            product: "",
            product_level: int(C::LEVEL).unwrap_or_default(),
            value_usd: 0.0,
            reporter: text(C::REPORTER),
            flow: text(C::FLOW),
        };
        let (Some(lo), Some(hi)) = (
            ranges.first().map(|r| r.start),
            ranges.last().map(|r| r.end),
        ) else {
            return Ok(true);
        };
        if !q.accepts(&template) {
            // The filters only look at columns that are constant here.
            return Ok(true);
        }
        let mut mask = vec![false; hi - lo];
        for r in ranges {
            mask[r.start - lo..r.end - lo].fill(true);
        }
        let mut sc = Scratch::default();
        for (k, want) in [(C::EXPORTER, q.exporter), (C::IMPORTER, q.importer)] {
            if self
                .filter_text(g, k, want.as_bytes(), lo, &mut mask, &mut sc)
                .is_none()
            {
                return Ok(false);
            }
        }
        // Narrowed to the rows of the pair.
        let (Some(first), Some(last)) = (first_set(&mask), last_set(&mask)) else {
            return Ok(true);
        };
        let (lo, mask) = (lo + first, &mask[first..=last]);
        let hi = lo + mask.len();
        let contiguous = runs && all_set(mask);
        // The values' little-endian bytes, copied page by page and read per row.
        let mut value = vec![0u8; 8 * mask.len()];
        let values = self.pages(g, C::VALUE, lo, mask, &mut sc, |page, start, _| {
            if page.defined.is_some() {
                return None;
            }
            let (from, to) = (start.max(lo), (start + page.num_values).min(hi));
            let out = &mut value[8 * (from - lo)..8 * (to - lo)];
            match page.encoding {
                Encoding::PLAIN => {
                    out.copy_from_slice(page.values.get(8 * (from - start)..8 * (to - start))?)
                }
                // Byte k of every value, then byte k + 1 (the store's layout: the high bytes of
                // whole dollars are few, and compress): put back together a value at a time.
                Encoding::BYTE_STREAM_SPLIT => {
                    let (n, rows) = (page.num_values, from - start..to - start);
                    let streams = page.values.get(..8 * n)?;
                    let s: [&[u8]; 8] =
                        std::array::from_fn(|k| &streams[k * n..(k + 1) * n][rows.clone()]);
                    unsplit(s, out);
                }
                _ => return None,
            }
            Some(())
        });
        let value_at = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&value[8 * i..8 * i + 8]);
            f64::from_le_bytes(b)
        };
        if values.is_none() {
            return Ok(false);
        }
        // From here rows are passed on: a page that cannot be decoded is an error.
        // With `q.fold`, `run` holds the cut code and the sum of the rows not yet passed on.
        let mut run: Option<(Vec<u8>, f64)> = None;
        let mut pass = |code: &[u8], value_usd: f64| -> Option<()> {
            f(&PairRow {
                product: std::str::from_utf8(code).ok()?,
                value_usd,
                ..template
            });
            Some(())
        };
        // Passes the run on and starts one of `code` from `sum`, in the run's buffer.
        let restart = |run: &mut Option<(Vec<u8>, f64)>,
                       pass: &mut dyn FnMut(&[u8], f64) -> Option<()>,
                       code: &[u8],
                       sum: f64| {
            if let Some((c, s)) = &run {
                pass(c, *s)?;
            }
            let (mut c, _) = run.take().unwrap_or_default();
            c.clear();
            c.extend_from_slice(code);
            *run = Some((c, sum));
            Some(())
        };
        let products = self.pages(g, C::PRODUCT, lo, mask, &mut sc, |page, start, sc| {
            if page.defined.is_some() {
                return None;
            }
            let n = page.num_values;
            let (from, to) = (start.max(lo), (start + n).min(hi));
            // Codes are decoded in order from the page's first: up to the last row of the pair.
            let need = (from..to)
                .rev()
                .find(|&r| mask[r - lo])
                .map_or(0, |r| r + 1 - start);
            let mut emit = |i: usize, code: &[u8]| {
                let r = start + i;
                if r < from || !mask[r - lo] {
                    return Some(());
                }
                let value_usd = value_at(r - lo);
                let Some(n) = q.fold else {
                    return pass(code, value_usd);
                };
                let cut = cut(code, n)?;
                match &mut run {
                    Some((c, sum)) if same_bytes(c, cut) => *sum += value_usd,
                    _ => restart(&mut run, &mut pass, cut, value_usd)?,
                }
                Some(())
            };
            match (page.encoding, q.fold) {
                // Every row read is the pair's (a sorted row group): the codes are only looked
                // at where their cut may change, and the values between summed in a line.
                (Encoding::DELTA_BYTE_ARRAY, Some(chars)) if contiguous => {
                    let sum = |acc: f64, rows: Range<usize>| {
                        value[8 * (rows.start - lo)..8 * (rows.end - lo)]
                            .chunks_exact(8)
                            .fold(acc, |acc, b| {
                                acc + f64::from_le_bytes(b.try_into().expect("8 bytes"))
                            })
                    };
                    // Rows before `at` are in `run`'s sum.
                    let mut at = from;
                    delta_cuts(&page.values, n, from - start, need, chars, sc, |i, code| {
                        let r = start + i;
                        if let Some((c, s)) = &mut run {
                            *s = sum(*s, at..r);
                            at = r;
                            if same_bytes(c, code) {
                                return Some(());
                            }
                        }
                        restart(&mut run, &mut pass, code, 0.0)
                    })?;
                    if let Some((_, s)) = &mut run {
                        *s = sum(*s, at..(start + need).max(at));
                    }
                    Some(())
                }
                (Encoding::DELTA_BYTE_ARRAY, _) => {
                    delta_each(&page.values, n, need, sc, |i, code, _| emit(i, code))
                }
                (Encoding::PLAIN, _) => plain_each(&page.values, need, &mut emit),
                _ => None,
            }
        });
        let products = products.and_then(|()| match &run {
            Some((c, sum)) => pass(c, *sum),
            None => Some(()),
        });
        products.map(|()| true).ok_or_else(|| {
            TradeError::Other(format!(
                "{}: row group {g}: a page of product could not be decoded",
                self.path.display()
            ))
        })
    }

    /// Whether [`StoreFile::scan_pages`] can read row group `g`: an offset index, flat
    /// columns, the types of the store's schema and encodings it decodes.
    fn pages_supported(&self, g: usize) -> bool {
        let parquet = self.meta.metadata();
        if parquet.offset_index().and_then(|o| o.get(g)).is_none() {
            return false;
        }
        let rg = parquet.row_group(g);
        // Exporter and importer may be null; product and value may not (as in the store).
        let ok = |k: usize, ty: PhysicalType, encodings: &[Encoding]| {
            let c = rg.column(self.leaf[k]);
            let d = c.column_descr();
            c.column_type() == ty
                && d.max_rep_level() == 0
                && d.max_def_level() <= i16::from(k == C::EXPORTER || k == C::IMPORTER)
                && c.encodings().all(|e| encodings.contains(&e))
        };
        let text = [
            Encoding::PLAIN,
            Encoding::RLE,
            Encoding::RLE_DICTIONARY,
            Encoding::PLAIN_DICTIONARY,
        ];
        ok(C::EXPORTER, PhysicalType::BYTE_ARRAY, &text)
            && ok(C::IMPORTER, PhysicalType::BYTE_ARRAY, &text)
            && ok(
                C::PRODUCT,
                PhysicalType::BYTE_ARRAY,
                &[Encoding::PLAIN, Encoding::RLE, Encoding::DELTA_BYTE_ARRAY],
            )
            && ok(
                C::VALUE,
                PhysicalType::DOUBLE,
                &[Encoding::PLAIN, Encoding::RLE, Encoding::BYTE_STREAM_SPLIT],
            )
    }
}

/// Buffers reused from page to page.
#[derive(Default)]
struct Scratch {
    levels: Vec<u64>,
    ints: Vec<u64>,
    /// DELTA_BINARY_PACKED values, as the bits of `i64`s ([`delta_packed`]).
    prefixes: Vec<u64>,
    lengths: Vec<u64>,
    offsets: Vec<u32>,
    bytes: Vec<u8>,
    /// Whether each value (not row) of a page is the text looked for.
    hits: Vec<bool>,
}

/// A decompressed data page, split into its definition levels and its values.
struct DataPage {
    /// Whether each row has a value (`None`: all have, the column is required).
    defined: Option<Vec<bool>>,
    /// Rows (= levels) in the page.
    num_values: usize,
    encoding: Encoding,
    values: Bytes,
}

impl DataPage {
    fn new(page: Page, max_def: i16, sc: &mut Scratch) -> Option<DataPage> {
        let (buf, num_values, encoding, levels) = match page {
            Page::DataPage {
                buf,
                num_values,
                encoding,
                def_level_encoding,
                ..
            } => {
                if max_def == 0 {
                    (buf, num_values as usize, encoding, None)
                } else {
                    if def_level_encoding != Encoding::RLE {
                        return None;
                    }
                    let len = u32::from_le_bytes(buf.get(..4)?.try_into().ok()?) as usize;
                    let levels = buf.get(4..4usize.checked_add(len)?)?.to_vec();
                    (
                        buf.slice(4 + len..),
                        num_values as usize,
                        encoding,
                        Some(levels),
                    )
                }
            }
            Page::DataPageV2 {
                buf,
                num_values,
                encoding,
                def_levels_byte_len,
                rep_levels_byte_len,
                ..
            } => {
                let (r, d) = (rep_levels_byte_len as usize, def_levels_byte_len as usize);
                if r != 0 || (max_def == 0 && d != 0) {
                    return None;
                }
                let levels = (max_def != 0).then(|| buf.get(..d).map(<[u8]>::to_vec));
                let levels = match levels {
                    Some(l) => Some(l?),
                    None => None,
                };
                (buf.slice(d..), num_values as usize, encoding, levels)
            }
            Page::DictionaryPage { .. } => return None,
        };
        let defined = match levels {
            None => None,
            Some(bytes) => {
                hybrid(&bytes, 1, num_values, &mut sc.levels)?;
                Some(sc.levels.iter().map(|&l| l == 1).collect())
            }
        };
        Some(DataPage {
            defined,
            num_values,
            encoding,
            values: buf,
        })
    }

    /// Values (non-null rows) in the page.
    fn present(&self) -> usize {
        self.defined
            .as_ref()
            .map_or(self.num_values, |d| d.iter().filter(|&&x| x).count())
    }
}

impl StoreFile {
    /// Reads the data pages of column `k` in row group `g` that hold a row still in `mask` (rows
    /// from `lo`) and that `skip` does not rule out, calling `each(page, first row of the page)`;
    /// a dictionary page goes to `dictionary` (`None` there: a column without one).
    #[allow(clippy::too_many_arguments)]
    fn pages_with_dictionary(
        &self,
        g: usize,
        k: usize,
        lo: usize,
        mask: &[bool],
        skip: &dyn Fn(usize) -> bool,
        sc: &mut Scratch,
        dictionary: &mut dyn FnMut(Bytes, usize) -> Option<()>,
        each: &mut dyn FnMut(DataPage, usize, &mut Scratch) -> Option<()>,
    ) -> Option<()> {
        let parquet = self.meta.metadata();
        let leaf = self.leaf[k];
        let chunk = parquet.row_group(g).column(leaf);
        let descr = chunk.column_descr();
        if descr.max_rep_level() != 0 || descr.max_def_level() > 1 {
            return None;
        }
        let locations = parquet.offset_index()?.get(g)?.get(leaf)?.page_locations();
        let rows = self.row_groups[g].rows;
        let hi = lo + mask.len();
        let bounds = |p: usize| {
            let start = usize::try_from(locations[p].first_row_index).unwrap_or(usize::MAX);
            let end = locations
                .get(p + 1)
                .map_or(rows, |l| usize::try_from(l.first_row_index).unwrap_or(0));
            (start, end)
        };
        // The first page ending after `lo`.
        let from = locations
            .partition_point(|l| usize::try_from(l.first_row_index).is_ok_and(|s| s <= lo));
        let from = from.saturating_sub(1);
        let mut wanted = Vec::new();
        for p in from..locations.len() {
            let (start, end) = bounds(p);
            if start >= hi {
                break;
            }
            if start >= end || end <= lo {
                continue;
            }
            let rows = &mask[start.max(lo) - lo..end.min(hi) - lo];
            if any_set(rows) && !skip(p) {
                wanted.push(p);
            }
        }
        let Some(&last) = wanted.last() else {
            return Some(());
        };
        // From the first page needed to the end of the last, unless pages skipped between
        // them (proven by their statistics) would make that mostly bytes not needed.
        let size = |p: usize| u64::try_from(locations[p].compressed_page_size).unwrap_or(0);
        let offset = |p: usize| u64::try_from(locations[p].offset).unwrap_or(0);
        let (start, end) = (offset(wanted[0]), offset(last) + size(last));
        let needed: u64 = wanted.iter().map(|&p| size(p)).sum();
        let bytes = if end.saturating_sub(start) <= 2 * needed + (16 << 10) {
            let len = usize::try_from(end.checked_sub(start)?).ok()?;
            self.reader.get_bytes(start, len).ok()?
        } else {
            Bytes::new()
        };
        let ahead = ReadAhead {
            file: self.reader.clone(),
            start,
            bytes,
        };
        // Locations up to the last page needed: the reader infers a dictionary page from the
        // gap before the first one, which is page 0 either way.
        let mut reader = SerializedPageReader::new(
            Arc::new(ahead),
            chunk,
            rows,
            Some(locations[..=last].to_vec()),
        )
        .ok()?;
        if reader.peek_next_page().ok()??.is_dict {
            match reader.get_next_page().ok()?? {
                Page::DictionaryPage {
                    buf,
                    num_values,
                    encoding: Encoding::PLAIN | Encoding::PLAIN_DICTIONARY,
                    ..
                } => dictionary(buf, num_values as usize)?,
                _ => return None,
            }
        }
        let mut next = 0;
        for p in wanted {
            while next < p {
                reader.skip_next_page().ok()?;
                next += 1;
            }
            let page = reader.get_next_page().ok()??;
            next += 1;
            let page = DataPage::new(page, descr.max_def_level(), sc)?;
            let (start, end) = bounds(p);
            if page.num_values != end - start {
                return None;
            }
            each(page, start, sc)?;
        }
        Some(())
    }

    /// [`StoreFile::pages_with_dictionary`] for a column that has no dictionary.
    fn pages(
        &self,
        g: usize,
        k: usize,
        lo: usize,
        mask: &[bool],
        sc: &mut Scratch,
        mut each: impl FnMut(DataPage, usize, &mut Scratch) -> Option<()>,
    ) -> Option<()> {
        if !any_set(mask) {
            return Some(());
        }
        self.pages_with_dictionary(g, k, lo, mask, &|_| false, sc, &mut |_, _| None, &mut each)
    }

    /// Clears the rows of `mask` (from `lo`) whose column `k` (text) is not `want`. Pages whose
    /// statistics prove that all their rows hold `want` are not read.
    fn filter_text(
        &self,
        g: usize,
        k: usize,
        want: &[u8],
        lo: usize,
        mask: &mut [bool],
        sc: &mut Scratch,
    ) -> Option<()> {
        if !any_set(mask) {
            return Some(());
        }
        let parquet = self.meta.metadata();
        let leaf = self.leaf[k];
        let index = match parquet.column_index().and_then(|ci| ci.get(g)?.get(leaf)) {
            Some(ColumnIndexMetaData::BYTE_ARRAY(index)) => Some(index),
            _ => None,
        };
        // min == max == want bounds every value to `want`; no null may hide among them.
        let proven = |p: usize| {
            index.is_some_and(|ix| {
                !ix.is_null_page(p)
                    && ix.null_count(p) == Some(0)
                    && ix.min_value(p) == Some(want)
                    && ix.max_value(p) == Some(want)
            })
        };
        let hi = lo + mask.len();
        // The index of `want` in the dictionary: None, not read; Some(None), absent.
        let code: std::cell::Cell<Option<Option<u64>>> = std::cell::Cell::new(None);
        let mut misses: Vec<usize> = Vec::new();
        let snapshot = mask.to_vec();
        self.pages_with_dictionary(
            g,
            k,
            lo,
            &snapshot,
            &proven,
            sc,
            &mut |buf, n| {
                let mut found = None;
                let mut pos = 0;
                for i in 0..n {
                    let len = u32::from_le_bytes(buf.get(pos..pos + 4)?.try_into().ok()?) as usize;
                    let value = buf.get(pos + 4..pos + 4 + len)?;
                    pos += 4 + len;
                    if same_bytes(value, want) {
                        found = Some(i as u64);
                        break;
                    }
                }
                code.set(Some(found));
                Some(())
            },
            &mut |page, first, sc| {
                let present = page.present();
                sc.hits.clear();
                match page.encoding {
                    Encoding::RLE_DICTIONARY | Encoding::PLAIN_DICTIONARY => {
                        let want = code.get()?;
                        if present > 0 {
                            let width = u32::from(*page.values.first()?);
                            hybrid(&page.values[1..], width, present, &mut sc.ints)?;
                        } else {
                            sc.ints.clear();
                        }
                        let ints = std::mem::take(&mut sc.ints);
                        sc.hits.extend(ints.iter().map(|&i| Some(i) == want));
                        sc.ints = ints;
                    }
                    Encoding::PLAIN => {
                        plain_strings(&page.values, present, sc)?;
                        for i in 0..present {
                            let v = &sc.bytes[sc.offsets[i] as usize..sc.offsets[i + 1] as usize];
                            sc.hits.push(v == want);
                        }
                    }
                    _ => return None,
                }
                let mut value = 0;
                for row in 0..page.num_values {
                    let hit = match &page.defined {
                        Some(d) if !d[row] => false,
                        _ => {
                            value += 1;
                            sc.hits[value - 1]
                        }
                    };
                    if !hit {
                        misses.push(first + row);
                    }
                }
                Some(())
            },
        )?;
        for row in misses {
            if row >= lo && row < hi {
                mask[row - lo] = false;
            }
        }
        Some(())
    }
}

/// The first `n` characters of a code, as [`prefix`] cuts it (`None`: not UTF-8). ASCII codes
/// (all of BACI's) are cut by bytes.
fn cut(code: &[u8], n: usize) -> Option<&[u8]> {
    if code.is_ascii() {
        Some(&code[..n.min(code.len())])
    } else {
        Some(prefix(std::str::from_utf8(code).ok()?, n).as_bytes())
    }
}

/// Row masks run to thousands of rows per row group and are scanned for each column read; a
/// `bool` at a time cost ~5% of a heavy pair's time. These look at blocks of `BLOCK` without
/// stopping inside one, which the compiler vectorizes.
const BLOCK: usize = 64;

/// Whether any row of `m` is set.
fn any_set(m: &[bool]) -> bool {
    m.chunks(BLOCK)
        .any(|b| b.iter().fold(false, |any, &x| any | x))
}

/// Whether every row of `m` is set.
fn all_set(m: &[bool]) -> bool {
    m.chunks(BLOCK)
        .all(|b| b.iter().fold(true, |all, &x| all & x))
}

/// The first row of `m` that is set.
fn first_set(m: &[bool]) -> Option<usize> {
    let (k, block) = m.chunks(BLOCK).enumerate().find(|(_, b)| any_set(b))?;
    Some(k * BLOCK + block.iter().position(|&x| x)?)
}

/// The last row of `m` that is set.
fn last_set(m: &[bool]) -> Option<usize> {
    let k = m.chunks(BLOCK).rposition(any_set)?;
    Some(
        k * BLOCK
            + m[k * BLOCK..]
                .chunks(BLOCK)
                .next()?
                .iter()
                .rposition(|&x| x)?,
    )
}

/// Puts eight-byte values back together from their BYTE_STREAM_SPLIT streams (`s[k]`: byte k
/// of every value) into `out`, eight values at a time: eight words, one from each stream, are an
/// 8×8 byte matrix, and its transpose (three rounds of swapping blocks) is the eight values.
fn unsplit(s: [&[u8]; 8], out: &mut [u8]) {
    let n = out.len() / 8;
    let word = |k: usize, j: usize| u64::from_le_bytes(s[k][j..j + 8].try_into().expect("8"));
    let mut j = 0;
    while j + 8 <= n {
        let mut r: [u64; 8] = std::array::from_fn(|k| word(k, j));
        // Spelled out, so that the words stay in registers.
        let (w32, w16, w8) = (
            0x0000_0000_FFFF_FFFF,
            0x0000_FFFF_0000_FFFF,
            0x00FF_00FF_00FF_00FF,
        );
        swap(&mut r, 0, 4, 32, w32);
        swap(&mut r, 1, 5, 32, w32);
        swap(&mut r, 2, 6, 32, w32);
        swap(&mut r, 3, 7, 32, w32);
        swap(&mut r, 0, 2, 16, w16);
        swap(&mut r, 1, 3, 16, w16);
        swap(&mut r, 4, 6, 16, w16);
        swap(&mut r, 5, 7, 16, w16);
        swap(&mut r, 0, 1, 8, w8);
        swap(&mut r, 2, 3, 8, w8);
        swap(&mut r, 4, 5, 8, w8);
        swap(&mut r, 6, 7, 8, w8);
        for (v, w) in out[8 * j..8 * j + 64].chunks_exact_mut(8).zip(r) {
            v.copy_from_slice(&w.to_le_bytes());
        }
        j += 8;
    }
    for (i, v) in out.chunks_exact_mut(8).enumerate().skip(j) {
        v.copy_from_slice(&std::array::from_fn::<u8, 8, _>(|k| s[k][i]));
    }
}

/// Swaps the blocks of `shift` bits of words `a` and `b` that lie off the diagonal of their
/// 2×2 block matrix (a step of [`unsplit`]'s transpose; `mask` keeps the low block of each pair).
#[inline(always)]
fn swap(r: &mut [u64; 8], a: usize, b: usize, shift: u32, mask: u64) {
    let (x, y) = (r[a], r[b]);
    r[a] = (x & mask) | ((y & mask) << shift);
    r[b] = ((x >> shift) & mask) | (y & !mask);
}

/// An unsigned LEB128 integer at `pos`.
fn uleb(data: &[u8], pos: &mut usize) -> Option<u64> {
    let mut out = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *data.get(*pos)?;
        *pos += 1;
        out |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(out);
        }
    }
    None
}

fn zigzag(n: u64) -> i64 {
    ((n >> 1) as i64) ^ -((n & 1) as i64)
}

/// Appends `n` values of `width` bits packed from the least significant bit (Parquet's bit
/// packing) to `out`.
fn unpack(data: &[u8], width: u32, n: usize, out: &mut Vec<u64>) -> Option<()> {
    if width == 0 {
        out.extend(std::iter::repeat_n(0, n));
        return Some(());
    }
    if width > 64 || data.len() < (n * width as usize).div_ceil(8) {
        return None;
    }
    let w = width as usize;
    out.reserve(n);
    if w <= 8 {
        // Eight values of `w` bits are `w` bytes: one word a group (lengths and levels are a
        // few bits wide, and a word a value cost a tenth of a heavy pair's time).
        let mask = (1u64 << w) - 1;
        let start = out.len();
        out.resize(start + n, 0);
        // Whole groups of eight, then the rest: fixed-size groups unroll.
        let word = |g: usize| {
            let at = g * w;
            match data.get(at..at + 8) {
                Some(b) => u64::from_le_bytes(b.try_into().expect("8 bytes")),
                None => {
                    let mut word = [0u8; 8];
                    let end = (at + w).min(data.len());
                    word[..end - at].copy_from_slice(&data[at..end]);
                    u64::from_le_bytes(word)
                }
            }
        };
        let mut groups = out[start..].chunks_exact_mut(8);
        for (g, group) in groups.by_ref().enumerate() {
            let word = word(g);
            for (j, v) in group.iter_mut().enumerate() {
                *v = (word >> (j * w)) & mask;
            }
        }
        let rest = groups.into_remainder();
        if !rest.is_empty() {
            let word = word(n / 8);
            for (j, v) in rest.iter_mut().enumerate() {
                *v = (word >> (j * w)) & mask;
            }
        }
        return Some(());
    }
    if w <= 56 {
        // A value then starts at most 7 bits into a little-endian word of 8 bytes.
        let mask = (1u64 << w) - 1;
        for i in 0..n {
            let bit = i * w;
            let byte = bit / 8;
            let word = match data.get(byte..byte + 8) {
                Some(b) => u64::from_le_bytes(b.try_into().ok()?),
                None => {
                    let mut word = [0u8; 8];
                    word[..data.len() - byte].copy_from_slice(&data[byte..]);
                    u64::from_le_bytes(word)
                }
            };
            out.push((word >> (bit % 8)) & mask);
        }
        return Some(());
    }
    let mask = if width == 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    };
    for i in 0..n {
        let bit = i * w;
        let (byte, shift) = (bit / 8, (bit % 8) as u32);
        let mut word = [0u8; 16];
        let end = (byte + 9).min(data.len());
        word[..end - byte].copy_from_slice(&data[byte..end]);
        let low = u64::from_le_bytes(word[..8].try_into().ok()?);
        let mut v = low >> shift;
        if shift > 0 {
            v |= u64::from(word[8]) << (64 - shift);
        }
        out.push(v & mask);
    }
    Some(())
}

/// `n` values of the RLE / bit-packing hybrid encoding (levels and dictionary indexes).
fn hybrid(data: &[u8], width: u32, n: usize, out: &mut Vec<u64>) -> Option<()> {
    out.clear();
    let mut pos = 0;
    while out.len() < n {
        let header = uleb(data, &mut pos)?;
        let left = n - out.len();
        if header & 1 == 1 {
            let groups = usize::try_from(header >> 1).ok()?;
            let bytes = groups.checked_mul(width as usize)?;
            let run = data.get(pos..pos.checked_add(bytes)?)?;
            pos += bytes;
            unpack(run, width, groups.checked_mul(8)?.min(left), out)?;
        } else {
            let count = usize::try_from(header >> 1).ok()?;
            if count == 0 {
                return None;
            }
            let size = (width as usize).div_ceil(8);
            let mut word = [0u8; 8];
            word.get_mut(..size)?
                .copy_from_slice(data.get(pos..pos + size)?);
            pos += size;
            out.extend(std::iter::repeat_n(
                u64::from_le_bytes(word),
                count.min(left),
            ));
        }
    }
    Some(())
}

/// The first `limit` values of a DELTA_BINARY_PACKED run into `out`, each the bits of an `i64`
/// (deltas are unpacked in place as unsigned, then summed); returns the bytes the whole run
/// takes and its number of values (the miniblocks after the last value wanted are stepped over,
/// not unpacked).
fn delta_packed(data: &[u8], limit: usize, out: &mut Vec<u64>) -> Option<(usize, usize)> {
    let mut pos = 0;
    let block = usize::try_from(uleb(data, &mut pos)?).ok()?;
    let minis = usize::try_from(uleb(data, &mut pos)?).ok()?;
    let total = usize::try_from(uleb(data, &mut pos)?).ok()?;
    let first = zigzag(uleb(data, &mut pos)?);
    if minis == 0 || block == 0 || block % minis != 0 || (block / minis) % 8 != 0 {
        return None;
    }
    let per = block / minis;
    out.clear();
    if total == 0 {
        return Some((pos, 0));
    }
    if limit > 0 {
        out.push(first as u64);
    }
    let mut last = first;
    // Values accounted for (decoded or stepped over).
    let mut seen = 1;
    while seen < total {
        let min = zigzag(uleb(data, &mut pos)?);
        let widths = data.get(pos..pos.checked_add(minis)?)?;
        pos += minis;
        for &width in widths {
            if seen >= total {
                break;
            }
            // Every miniblock but those after the last value is written whole, padding included.
            let bytes = per * usize::from(width) / 8;
            let run = data.get(pos..pos.checked_add(bytes)?)?;
            pos += bytes;
            let n = per.min(total - seen);
            seen += n;
            let wanted = n.min(limit.saturating_sub(out.len()));
            if wanted == 0 {
                continue;
            }
            let before = out.len();
            unpack(run, u32::from(width), wanted, out)?;
            for d in &mut out[before..] {
                last = last.wrapping_add(min).wrapping_add(*d as i64);
                *d = last as u64;
            }
        }
    }
    Some((pos, total))
}

/// Calls `each(i, string, shared)` for the first `need` of the `n` DELTA_BYTE_ARRAY strings of a
/// page, each rebuilt in place from the one before (nothing is kept of the page's strings);
/// `shared` is the length of the prefix it shares with the one before (0 for the first).
fn delta_each(
    data: &[u8],
    n: usize,
    need: usize,
    sc: &mut Scratch,
    mut each: impl FnMut(usize, &[u8], usize) -> Option<()>,
) -> Option<()> {
    let (used, count) = delta_packed(data, need, &mut sc.prefixes)?;
    let rest = data.get(used..)?;
    let (mut pos, lengths) = delta_packed(rest, need, &mut sc.lengths)?;
    if count != n || lengths != n || need > n {
        return None;
    }
    let mut cur = std::mem::take(&mut sc.bytes);
    cur.clear();
    for i in 0..need {
        let prefix = usize::try_from(sc.prefixes[i] as i64).ok()?;
        let len = usize::try_from(sc.lengths[i] as i64).ok()?;
        if prefix > cur.len() {
            return None;
        }
        let suffix = rest.get(pos..pos.checked_add(len)?)?;
        pos += len;
        cur.truncate(prefix);
        // Suffixes are a byte or two: a loop is cheaper than a `memmove` call.
        for &b in suffix {
            cur.push(b);
        }
        each(i, &cur, if i == 0 { 0 } else { prefix })?;
    }
    sc.bytes = cur;
    Some(())
}

/// Calls `start(i, cut)` for string `from` of the first `need` of the `n` DELTA_BYTE_ARRAY
/// strings of a page, and for every later one whose cut (first `chars` characters, as [`cut`]
/// makes it) may differ from the string before's; the caller compares.
///
/// A string that shares at least `chars` bytes with the one before, when those bytes are ASCII,
/// has the same cut: that is known from its prefix length alone (most strings of a heavy pair,
/// whose codes are sorted), without cutting or comparing it. Other strings are cut and compared
/// with the cut before when that was `chars` ASCII bytes.
fn delta_cuts(
    data: &[u8],
    n: usize,
    from: usize,
    need: usize,
    chars: usize,
    sc: &mut Scratch,
    mut start: impl FnMut(usize, &[u8]) -> Option<()>,
) -> Option<()> {
    // The cut of the string before, when `known`: `chars` ASCII bytes.
    let mut last: [u8; 8] = [0; 8];
    let mut known = false;
    delta_each(data, n, need, sc, |i, code, shared| {
        if i < from || (i > from && known && shared >= chars) {
            return Some(());
        }
        let code = cut(code, chars)?;
        if i == from || !known || code != &last[..chars] {
            start(i, code)?;
        }
        known = chars <= last.len() && code.len() == chars && code.is_ascii();
        if known {
            last[..chars].copy_from_slice(code);
        }
        Some(())
    })
}

/// Calls `each(i, string)` for the first `n` PLAIN byte arrays (each after its 4-byte length).
fn plain_each(
    data: &[u8],
    n: usize,
    mut each: impl FnMut(usize, &[u8]) -> Option<()>,
) -> Option<()> {
    let mut pos = 0;
    for i in 0..n {
        let len = u32::from_le_bytes(data.get(pos..pos + 4)?.try_into().ok()?) as usize;
        each(i, data.get(pos + 4..(pos + 4).checked_add(len)?)?)?;
        pos += 4 + len;
    }
    Some(())
}

/// `n` PLAIN byte arrays (each after its 4-byte length) into `sc.bytes` and `sc.offsets`.
fn plain_strings(data: &[u8], n: usize, sc: &mut Scratch) -> Option<()> {
    sc.offsets.clear();
    sc.bytes.clear();
    sc.offsets.push(0);
    let mut pos = 0;
    for _ in 0..n {
        let len = u32::from_le_bytes(data.get(pos..pos + 4)?.try_into().ok()?) as usize;
        sc.bytes
            .extend_from_slice(data.get(pos + 4..(pos + 4).checked_add(len)?)?);
        pos += 4 + len;
        sc.offsets.push(u32::try_from(sc.bytes.len()).ok()?);
    }
    Some(())
}

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

/// Equality of short strings without a `memcmp` call: ISO3 and HS codes are a few bytes, and a
/// call per comparison was a sixth of the time of a pair with many rows.
#[inline]
fn same_text(a: &str, b: &str) -> bool {
    same_bytes(a.as_bytes(), b.as_bytes())
}

/// [`same_text`] for bytes.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// FNV-1a: the sums' keys are a few short strings, for which SipHash (the default, built to resist
/// chosen keys, which these are not) was most of the hashing time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A map keyed by short strings, hashed with [`Fnv`].
pub(crate) type FnvMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

/// Product names by classification, then code (looked up by `&str`, without building a key).
pub(crate) type Names = FnvMap<String, FnvMap<String, String>>;

/// The key of a product sum: year, classification, reporter, product level, code. The
/// classification and reporter, the same on most keys, are shared rather than copied.
pub(crate) type SumKey = (i32, Arc<str>, Arc<str>, i32, String);

/// The number of leading indexes in `0..n` for which `pred` holds (`pred` holds on a prefix),
/// found by bisection, as `slice::partition_point` for indexes.
fn partition(n: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
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

impl PairQuery<'_> {
    /// The filters beyond the pair itself: annual rows, the years and the source asked for.
    fn accepts(&self, r: &PairRow<'_>) -> bool {
        r.month.is_none()
            && self.years.is_none_or(|y| (y.from..=y.to).contains(&r.year))
            && self.source.is_none_or(|s| s == r.source)
    }
}

impl PairIndex {
    /// Reads the footer and page index of every flow file.
    pub(crate) fn load(
        files: &[PathBuf],
        memory: Vec<Flow>,
    ) -> Result<Result<PairIndex, Unsupported>> {
        let mut out = Vec::with_capacity(files.len());
        for f in files {
            match StoreFile::open(f)? {
                Ok(sf) => out.push(sf),
                Err(u) => return Ok(Err(u)),
            }
        }
        Ok(Ok(PairIndex { files: out, memory }))
    }

    /// Calls `make` for a fresh accumulator per thread, feeds it every row of the pair, and
    /// returns what `done` makes of each accumulator, on its thread (to be merged by the caller).
    pub(crate) fn scan<A, B: Send>(
        &self,
        q: &PairQuery<'_>,
        make: impl Fn() -> A + Sync,
        add: impl Fn(&mut A, &PairRow<'_>) + Sync,
        done: impl Fn(A) -> B + Sync,
    ) -> Result<Vec<B>> {
        self.scan_with(q, PARALLEL_ROWS, make, add, done)
    }

    /// [`PairIndex::scan`], reading on more than one thread from `parallel_rows` candidate rows.
    fn scan_with<A, B: Send>(
        &self,
        q: &PairQuery<'_>,
        parallel_rows: usize,
        make: impl Fn() -> A + Sync,
        add: impl Fn(&mut A, &PairRow<'_>) + Sync,
        done: impl Fn(A) -> B + Sync,
    ) -> Result<Vec<B>> {
        let mut work: Vec<(usize, usize, Vec<Range<usize>>)> = Vec::new();
        for (fi, f) in self.files.iter().enumerate() {
            for g in 0..f.row_groups.len() {
                if f.may_match(g, q) {
                    let ranges = f.candidate_rows(g, q);
                    if !ranges.is_empty() {
                        work.push((fi, g, ranges));
                    }
                }
            }
        }
        let run = |items: &[(usize, usize, Vec<Range<usize>>)], acc: &mut A| -> Result<()> {
            for (fi, g, ranges) in items {
                self.files[*fi].scan(*g, ranges, q, &mut |r| add(acc, r))?;
            }
            Ok(())
        };
        let mut first = make();
        for fl in &self.memory {
            let row = PairRow {
                source: fl.source.as_str(),
                classification: &fl.classification,
                year: fl.year,
                month: fl.month,
                product: &fl.product,
                product_level: fl.product_level,
                value_usd: fl.value_usd,
                reporter: &fl.reporter,
                flow: &fl.flow,
            };
            if fl.exporter.as_deref() == Some(q.exporter)
                && fl.importer.as_deref() == Some(q.importer)
                && q.accepts(&row)
            {
                add(&mut first, &row);
            }
        }
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 4);
        let rows: usize = work
            .iter()
            .map(|(_, _, r)| r.iter().map(ExactSizeIterator::len).sum::<usize>())
            .sum();
        if threads < 2 || rows < parallel_rows {
            run(&work, &mut first)?;
            return Ok(vec![done(first)]);
        }
        // Row groups are handed out one at a time, the largest first: a thread that meets a
        // slow row group (or a busy core) does not leave the others waiting at the end.
        work.sort_by_key(|(_, _, r)| {
            std::cmp::Reverse(r.iter().map(ExactSizeIterator::len).sum::<usize>())
        });
        let taken = std::sync::atomic::AtomicUsize::new(0);
        let drain = |acc: &mut A| -> Result<()> {
            loop {
                let k = taken.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(item) = work.get(k) else {
                    return Ok(());
                };
                run(std::slice::from_ref(item), acc)?;
            }
        };
        let (make, drain, done) = (&make, &drain, &done);
        std::thread::scope(|s| {
            let handles: Vec<_> = (1..threads)
                .map(|_| {
                    s.spawn(move || {
                        let mut acc = make();
                        drain(&mut acc).map(|()| done(acc))
                    })
                })
                .collect();
            drain(&mut first)?;
            let mut out = vec![done(first)];
            for h in handles {
                out.push(h.join().expect("reader thread")?);
            }
            Ok(out)
        })
    }
}

/// Sums by (year, classification, reporter, product level, product code cut to `level`
/// characters), as `GROUP BY year, classification, reporter, product_level, substr(product, 1,
/// level)` does. Rows come sorted by product within a row group, so equal keys arrive in runs:
/// a run is summed into the last sum, and [`ProductSums::finish`] sorts the sums (a few sorted
/// runs, one per row group) and adds up equal keys.
#[derive(Debug, Default)]
pub(crate) struct ProductSums {
    level: usize,
    sums: Vec<(SumKey, f64)>,
}

/// The first `n` characters of `s`, as SQL's `substr(s, 1, n)`.
fn prefix(s: &str, n: usize) -> &str {
    if s.is_ascii() {
        &s[..n.min(s.len())]
    } else {
        s.char_indices().nth(n).map_or(s, |(i, _)| &s[..i])
    }
}

impl ProductSums {
    pub(crate) fn new(level: u8) -> ProductSums {
        ProductSums {
            level: level as usize,
            ..ProductSums::default()
        }
    }

    /// Adds a row of the products query: exports or imports at `level` digits or finer.
    pub(crate) fn add(&mut self, r: &PairRow<'_>) {
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
    pub(crate) fn finish(self) -> Vec<(SumKey, f64)> {
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
    pub(crate) fn merge(parts: Vec<Vec<(SumKey, f64)>>) -> Vec<(SumKey, f64)> {
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
/// checked first without a `memcmp` call.
fn cmp_text(a: &str, b: &str) -> std::cmp::Ordering {
    if same_text(a, b) {
        std::cmp::Ordering::Equal
    } else {
        a.cmp(b)
    }
}

/// The schema of `products_by_year`.
pub(crate) fn products_schema(with_year: bool) -> SchemaRef {
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
pub(crate) fn products_batch(
    rows: Vec<(SumKey, f64)>,
    names: &Names,
    with_year: bool,
) -> Result<RecordBatch> {
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

/// Product names by (classification, code): the largest description where a code has several,
/// as the SQL path's `max(description)`.
pub(crate) fn load_names(files: &[PathBuf]) -> Result<Names> {
    let mut out: Names = FnvMap::default();
    for path in files {
        let file = File::open(path).map_err(io(path))?;
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .and_then(|b| b.build())
            .map_err(|e| TradeError::Other(format!("{}: {e}", path.display())))?;
        for batch in reader {
            let batch = batch?;
            let get = |name: &str| -> Result<&StringArray> {
                batch
                    .column_by_name(name)
                    .and_then(|a| a.as_string_opt::<i32>())
                    .ok_or_else(|| {
                        TradeError::Other(format!("{}: no text column {name}", path.display()))
                    })
            };
            let (c, k, d) = (get("classification")?, get("code")?, get("description")?);
            for i in 0..batch.num_rows() {
                if c.is_null(i) || k.is_null(i) || d.is_null(i) {
                    continue;
                }
                let (c, k, d) = (c.value(i), k.value(i), d.value(i));
                if !out.contains_key(c) {
                    out.insert(c.to_string(), FnvMap::default());
                }
                let codes = out.get_mut(c).expect("inserted above");
                // As the SQL path's `max(description)` when a code has several names.
                match codes.get_mut(k) {
                    Some(old) if old.as_str() >= d => {}
                    Some(old) => *old = d.to_string(),
                    None => {
                        codes.insert(k.to_string(), d.to_string());
                    }
                }
            }
        }
    }
    Ok(out)
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

    /// The page decoder against the Arrow reader, row group by row group, on the heaviest pairs
    /// of a generated store (pairs over several pages, some proven by their statistics) and on
    /// pairs with a few rows.
    #[test]
    fn pages_decode_as_the_arrow_reader_does() {
        use crate::generate::{generate, Spec};
        use crate::ingest::{ingest, Quiet};
        let dir = tempfile::tempdir().unwrap();
        let rel = dir.path().join("release");
        let spec = Spec {
            rows_per_year: 300_000,
            first_year: 2020,
            last_year: 2020,
            products: 4000,
            seed: 11,
        };
        generate(&rel, &spec).unwrap();
        let home = dir.path().join("home");
        ingest(&home, &[rel], None, &dyad_core::Registry::bundled(), &Quiet).unwrap();
        let mut files = Vec::new();
        let mut stack = vec![home.join("trade/flows")];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "parquet") {
                    files.push(p);
                }
            }
        }
        let index = PairIndex::load(&files, Vec::new()).unwrap().unwrap();
        // Pairs by number of rows.
        let mut counts: HashMap<(String, String), usize> = HashMap::new();
        for f in &files {
            let file = File::open(f).unwrap();
            let b = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
            let mask = ProjectionMask::columns(b.parquet_schema(), ["exporter", "importer"]);
            for batch in b.with_projection(mask).build().unwrap() {
                let batch = batch.unwrap();
                let (e, i) = (
                    batch.column(0).as_string::<i32>(),
                    batch.column(1).as_string::<i32>(),
                );
                for r in 0..batch.num_rows() {
                    if e.is_valid(r) && i.is_valid(r) {
                        *counts
                            .entry((e.value(r).into(), i.value(r).into()))
                            .or_default() += 1;
                    }
                }
            }
        }
        let mut pairs: Vec<_> = counts.into_iter().collect();
        pairs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        assert!(pairs[0].1 > 2 * crate::store::PAGE_ROWS, "{:?}", pairs[0]);
        let step = pairs.len() / 20;
        let chosen = pairs
            .iter()
            .take(10)
            .chain(pairs.iter().step_by(step.max(1)));
        let (mut read, mut read_folded) = (0, 0);
        for ((e, i), _) in chosen {
            let q = PairQuery {
                exporter: e,
                importer: i,
                years: None,
                source: None,
                fold: None,
            };
            for f in &index.files {
                for g in 0..f.row_groups.len() {
                    let ranges = f.candidate_rows(g, &q);
                    let mut pages = Vec::new();
                    let used = f
                        .scan_pages(g, &ranges, &q, &mut |r| {
                            pages.push((r.year, r.product.to_string(), r.value_usd))
                        })
                        .unwrap();
                    assert!(used, "{e}->{i}: row group {g} of {}", f.path.display());
                    let mut arrow = Vec::new();
                    f.scan_arrow(g, &ranges, &q, &mut |r| {
                        arrow.push((r.year, r.product.to_string(), r.value_usd))
                    })
                    .unwrap();
                    assert_eq!(pages, arrow, "{e}->{i}: row group {g}");
                    read += pages.len();
                    // Folded: the Arrow reader's rows, neighbours with the same cut code summed.
                    for (n, runs) in [(2, true), (4, true), (2, false), (4, false)] {
                        let folded_q = PairQuery { fold: Some(n), ..q };
                        let mut folded = Vec::new();
                        f.scan_pages_with(g, &ranges, &folded_q, runs, &mut |r| {
                            folded.push((r.year, r.product.to_string(), r.value_usd))
                        })
                        .unwrap();
                        let mut want: Vec<(i32, String, f64)> = Vec::new();
                        for (y, p, v) in &arrow {
                            match want.last_mut() {
                                Some(last) if last.0 == *y && last.1 == p[..n] => last.2 += v,
                                _ => want.push((*y, p[..n].to_string(), *v)),
                            }
                        }
                        assert_eq!(folded, want, "{e}->{i}: row group {g}, fold {n}, {runs}");
                        if n == 2 && runs {
                            read_folded += folded.len();
                        }
                    }
                }
            }
        }
        assert!(read > 10_000, "{read}");
        // Threads share out the row groups: the same sums on one thread or several.
        for ((e, i), _) in pairs.iter().take(5) {
            let q = PairQuery {
                exporter: e,
                importer: i,
                years: None,
                source: None,
                fold: Some(2),
            };
            let sums = |parallel_rows| {
                let parts = index
                    .scan_with(
                        &q,
                        parallel_rows,
                        || ProductSums::new(2),
                        |a, r| a.add(r),
                        ProductSums::finish,
                    )
                    .unwrap();
                (parts.len(), ProductSums::merge(parts))
            };
            let ((one, alone), (several, shared)) = (sums(usize::MAX), sums(0));
            assert_eq!(one, 1);
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            assert_eq!(several, cores.clamp(1, 4), "{e}->{i}");
            assert!(!alone.is_empty());
            assert_eq!(alone, shared, "{e}->{i}");
        }
        assert!(
            read_folded * 10 < read,
            "{read_folded} of {read} rows after folding"
        );
    }

    #[test]
    fn bit_unpacking_agrees_with_a_bit_by_bit_reading() {
        let data: Vec<u8> = (0..64u32).map(|i| (i * 37 + 11) as u8).collect();
        for width in [0u32, 1, 2, 3, 7, 8, 9, 13, 31, 32, 33, 56, 57, 63, 64] {
            for n in [0usize, 1, 5, 8, 9, 16, 23] {
                if (n * width as usize).div_ceil(8) > data.len() {
                    continue;
                }
                let mut got = Vec::new();
                unpack(&data, width, n, &mut got).unwrap();
                let want: Vec<u64> = (0..n)
                    .map(|i| {
                        (0..width as usize).fold(0u64, |v, b| {
                            let bit = i * width as usize + b;
                            v | (u64::from(data[bit / 8] >> (bit % 8) & 1) << b)
                        })
                    })
                    .collect();
                assert_eq!(got, want, "width {width}, {n} values");
            }
        }
    }

    /// Runs of cut codes from a DELTA_BYTE_ARRAY page written by the Parquet writer with the
    /// store's settings, on codes whose first characters are not one byte each: sharing two
    /// bytes ("é") is not sharing two characters.
    #[test]
    fn delta_pages_cut_by_characters() {
        use datafusion::parquet::arrow::ArrowWriter;
        use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};
        let codes = [
            "é1234", "é1299", "é2000", "éa", "e", "ea1", "ea2", "f", "日本1", "日本2", "日x",
        ];
        let schema = Arc::new(Schema::new(vec![Field::new(
            "product",
            DataType::Utf8,
            false,
        )]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![Arc::new(StringArray::from(codes.to_vec()))],
        )
        .unwrap();
        let mut file = Vec::new();
        let props = crate::store::writer_properties();
        let mut w = ArrowWriter::try_new(&mut file, schema, Some(props)).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        let reader = SerializedFileReader::new(Bytes::from(file)).unwrap();
        let mut pages = reader
            .get_row_group(0)
            .unwrap()
            .get_column_page_reader(0)
            .unwrap();
        let mut sc = Scratch::default();
        let page = DataPage::new(pages.get_next_page().unwrap().unwrap(), 0, &mut sc).unwrap();
        assert_eq!(page.encoding, Encoding::DELTA_BYTE_ARRAY);
        let n = codes.len();
        // Where the cut changes, by hand; `delta_cuts` may also report an unchanged cut.
        let mut starts = |from: usize, chars: usize| {
            let mut got: Vec<(usize, String)> = Vec::new();
            delta_cuts(&page.values, n, from, n, chars, &mut sc, |i, c| {
                let c = std::str::from_utf8(c).unwrap();
                if got.last().is_none_or(|(_, last)| last != c) {
                    got.push((i, c.to_string()));
                }
                Some(())
            })
            .unwrap();
            got
        };
        let runs = |v: &[(usize, &str)]| -> Vec<(usize, String)> {
            v.iter().map(|&(i, c)| (i, c.to_string())).collect()
        };
        assert_eq!(
            starts(0, 2),
            runs(&[
                (0, "é1"),
                (2, "é2"),
                (3, "éa"),
                (4, "e"),
                (5, "ea"),
                (7, "f"),
                (8, "日本"),
                (10, "日x"),
            ])
        );
        assert_eq!(
            starts(3, 1),
            runs(&[(3, "é"), (4, "e"), (7, "f"), (8, "日")])
        );
    }

    #[test]
    fn split_streams_are_put_back_together() {
        for n in [0usize, 1, 7, 8, 9, 16, 23] {
            let values: Vec<u64> = (0..n as u64)
                .map(|i| (i + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
                .collect();
            let streams: Vec<Vec<u8>> = (0..8)
                .map(|k| values.iter().map(|v| v.to_le_bytes()[k]).collect())
                .collect();
            let mut out = vec![0u8; 8 * n];
            unsplit(std::array::from_fn(|k| &streams[k][..]), &mut out);
            let want: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
            assert_eq!(out, want, "{n} values");
        }
    }

    #[test]
    fn bisection_counts_the_prefix() {
        let v = [1, 3, 3, 5, 8];
        for want in 0..10 {
            let below = v.iter().filter(|&&x| x < want).count();
            assert_eq!(partition(v.len(), |i| v[i] < want), below, "{want}");
        }
        assert_eq!(partition(0, |_| true), 0);
    }

    #[test]
    fn masks_are_read_across_blocks() {
        for len in [0usize, 1, 63, 64, 65, 200] {
            for set in [
                vec![],
                vec![0],
                vec![len / 2],
                vec![3, len.saturating_sub(1)],
            ] {
                let mut m = vec![false; len];
                for &i in &set {
                    if i < len {
                        m[i] = true;
                    }
                }
                assert_eq!(any_set(&m), m.iter().any(|&x| x), "{len} {set:?}");
                assert_eq!(all_set(&m), m.iter().all(|&x| x), "{len} {set:?}");
                assert_eq!(first_set(&m), m.iter().position(|&x| x), "{len} {set:?}");
                assert_eq!(last_set(&m), m.iter().rposition(|&x| x), "{len} {set:?}");
            }
        }
        assert!(all_set(&[true; 130]));
    }

    #[test]
    fn prefixes_count_characters() {
        assert_eq!(prefix("110100", 2), "11");
        assert_eq!(prefix("TOTAL", 6), "TOTAL");
        assert_eq!(prefix("é1234", 2), "é1");
        assert_eq!(cut("110100".as_bytes(), 2), Some("11".as_bytes()));
        assert_eq!(cut("é1234".as_bytes(), 2), Some("é1".as_bytes()));
    }

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
}
