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
//!   [`crate::store::PAGE_ROWS`] rows;
//! - only those pages of the needed columns are decoded, every row is checked exactly (pruning
//!   only ever keeps too much), and the sums are made in Rust, on two threads when many files
//!   are read.
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
use datafusion::parquet::errors::ParquetError;
use datafusion::parquet::file::metadata::{PageIndexPolicy, ParquetMetaData};
use datafusion::parquet::file::page_index::column_index::ColumnIndexMetaData;
use datafusion::parquet::file::reader::{ChunkReader, Length};
use datafusion::parquet::file::statistics::Statistics;

use crate::error::{io, Result, TradeError};
use crate::flow::Flow;
use crate::query::Years;

/// Candidate rows from which a second thread decodes half the files. A thread costs tens of
/// microseconds on an idle machine and, on a busy one, a wait for a core of a few milliseconds:
/// with a shared 2-core machine at load 5, a 25-file read of 25,000 rows had a median of 2-5 ms
/// on two threads against 1.9 ms on one. At about 100 ns a row, 200,000 rows are ~20 ms of work,
/// where halving it pays for the wait.
const PARALLEL_ROWS: usize = 200_000;

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

/// Reads by offset (`pread`), so that the open file is shared by threads without seeking, and a
/// page costs one system call.
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
        let pages = |k: usize, want: &str| -> Vec<Range<usize>> {
            let leaf = self.leaf[k];
            let (Some(ColumnIndexMetaData::BYTE_ARRAY(index)), Some(offsets)) = (
                ci.get(g).and_then(|c| c.get(leaf)),
                oi.get(g).and_then(|o| o.get(leaf)),
            ) else {
                return all.clone();
            };
            let locations = offsets.page_locations();
            let mut out: Vec<Range<usize>> = Vec::new();
            for p in 0..locations.len() {
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
        intersect(
            &pages(C::EXPORTER, q.exporter),
            &pages(C::IMPORTER, q.importer),
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
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
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

/// Product names by (classification, code).
pub(crate) type Names = HashMap<(String, String), String>;

/// The key of a product sum: year, classification, reporter, product level, code.
pub(crate) type SumKey = (i32, String, String, i32, String);

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
    /// returns the accumulators (to be merged by the caller).
    pub(crate) fn scan<A: Send>(
        &self,
        q: &PairQuery<'_>,
        make: impl Fn() -> A + Sync,
        add: impl Fn(&mut A, &PairRow<'_>) + Sync,
    ) -> Result<Vec<A>> {
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
        if threads < 2 || rows < PARALLEL_ROWS {
            run(&work, &mut first)?;
            return Ok(vec![first]);
        }
        let per = work.len().div_ceil(threads);
        let mut chunks = work.chunks(per);
        let mine = chunks.next().unwrap_or(&[]);
        let (make, run) = (&make, &run);
        std::thread::scope(|s| {
            let handles: Vec<_> = chunks
                .map(|items| {
                    s.spawn(move || {
                        let mut acc = make();
                        run(items, &mut acc).map(|()| acc)
                    })
                })
                .collect();
            run(mine, &mut first)?;
            let mut out = vec![first];
            for h in handles {
                out.push(h.join().expect("reader thread")?);
            }
            Ok(out)
        })
    }
}

/// Sums by (year, classification, reporter, product level, product code cut to `level`
/// characters), as `GROUP BY year, classification, reporter, product_level, substr(product, 1,
/// level)` does. Rows come sorted by product within a file, so equal keys arrive in runs: a run
/// is summed before it touches the map.
#[derive(Debug, Default)]
pub(crate) struct ProductSums {
    level: usize,
    sums: FnvMap<SumKey, f64>,
    run: Option<(SumKey, f64)>,
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
        if let Some((k, sum)) = &mut self.run {
            if k.0 == r.year
                && k.3 == r.product_level
                && same_text(&k.4, code)
                && same_text(&k.1, r.classification)
                && same_text(&k.2, r.reporter)
            {
                *sum += r.value_usd;
                return;
            }
        }
        self.flush();
        let key = (
            r.year,
            r.classification.to_string(),
            r.reporter.to_string(),
            r.product_level,
            code.to_string(),
        );
        self.run = Some((key, r.value_usd));
    }

    fn flush(&mut self) {
        if let Some((k, s)) = self.run.take() {
            *self.sums.entry(k).or_insert(0.0) += s;
        }
    }

    /// Merges the sums of all threads.
    pub(crate) fn merge(parts: Vec<ProductSums>) -> FnvMap<SumKey, f64> {
        let mut out = FnvMap::default();
        for mut p in parts {
            p.flush();
            if out.is_empty() {
                out = p.sums;
                continue;
            }
            for (k, v) in p.sums {
                *out.entry(k).or_insert(0.0) += v;
            }
        }
        out
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
    sums: FnvMap<SumKey, f64>,
    names: &Names,
    with_year: bool,
) -> Result<RecordBatch> {
    let mut lowest: FnvMap<(i32, &str, &str), i32> = FnvMap::default();
    for (y, c, r, l, _) in sums.keys() {
        let e = lowest.entry((*y, c.as_str(), r.as_str())).or_insert(*l);
        *e = (*e).min(*l);
    }
    let mut rows: Vec<(&SumKey, f64)> = sums
        .iter()
        .filter(|((y, c, r, l, _), _)| lowest[&(*y, c.as_str(), r.as_str())] == *l)
        .map(|(k, v)| (k, *v))
        .collect();
    let mut total: FnvMap<(i32, &str, &str), f64> = FnvMap::default();
    for ((y, c, r, _, _), v) in &rows {
        *total.entry((*y, c.as_str(), r.as_str())).or_insert(0.0) += v;
    }
    rows.sort_by(|(a, va), (b, vb)| {
        (a.0, &a.1, &a.2)
            .cmp(&(b.0, &b.1, &b.2))
            .then(vb.total_cmp(va))
            .then(a.4.cmp(&b.4))
    });
    let mut columns: Vec<ArrayRef> = Vec::new();
    if with_year {
        columns.push(Arc::new(Int32Array::from_iter_values(
            rows.iter().map(|(k, _)| k.0),
        )));
    }
    columns.push(Arc::new(StringArray::from_iter_values(
        rows.iter().map(|(k, _)| k.4.as_str()),
    )));
    columns.push(Arc::new(
        rows.iter()
            .map(|(k, _)| names.get(&(k.1.clone(), k.4.clone())).map(String::as_str))
            .collect::<StringArray>(),
    ));
    columns.push(Arc::new(Float64Array::from_iter_values(
        rows.iter().map(|(_, v)| *v),
    )));
    columns.push(Arc::new(Float64Array::from_iter_values(rows.iter().map(
        |((y, c, r, _, _), v)| v / total[&(*y, c.as_str(), r.as_str())],
    ))));
    columns.push(Arc::new(StringArray::from_iter_values(
        rows.iter().map(|(k, _)| k.1.as_str()),
    )));
    columns.push(Arc::new(StringArray::from_iter_values(
        rows.iter().map(|(k, _)| k.2.as_str()),
    )));
    Ok(RecordBatch::try_new(products_schema(with_year), columns)?)
}

/// Product names by (classification, code): the largest description where a code has several,
/// as the SQL path's `max(description)`.
pub(crate) fn load_names(files: &[PathBuf]) -> Result<Names> {
    let mut out: Names = HashMap::new();
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
                let key = (c.value(i).to_string(), k.value(i).to_string());
                let d = d.value(i);
                match out.get_mut(&key) {
                    Some(old) if old.as_str() >= d => {}
                    Some(old) => *old = d.to_string(),
                    None => {
                        out.insert(key, d.to_string());
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

    #[test]
    fn prefixes_count_characters() {
        assert_eq!(prefix("110100", 2), "11");
        assert_eq!(prefix("TOTAL", 6), "TOTAL");
        assert_eq!(prefix("é1234", 2), "é1");
    }
}
