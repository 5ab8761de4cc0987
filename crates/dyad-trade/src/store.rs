//! The trade store: Parquet files under `HOME/trade/`, listed by a manifest.
//!
//! Layout:
//!
//! ```text
//! trade/manifest.json                                   which files make up the store
//! trade/flows/source=baci/classification=HS17/year=2022/<ingest>-<n>.parquet
//! trade/products/<ingest>-<n>.parquet                   product names
//! trade/totals/<ingest>-<n>.parquet                     pair totals (by exporter or by importer)
//! ```
//!
//! Files are sorted by exporter, importer and product, so Parquet row-group and page statistics
//! let a one-dyad query skip almost everything. Readers only see files the manifest lists, and
//! the manifest is replaced by an atomic rename: an ingest that fails or is killed leaves the
//! previous manifest, and so the previous store, as it was; its half-written files are unlisted
//! and removed by the next ingest. Data is grouped into *units* (one BACI year of one HS
//! revision, one Comtrade reporter-year, one reported-figures file); ingesting a unit again
//! replaces it.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Float64Array, Int32Array, RecordBatch, StringArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::arrow::arrow_writer::compute_leaves;
use datafusion::parquet::arrow::{ArrowWriter, ProjectionMask};
use datafusion::parquet::basic::{Compression, Encoding};
use datafusion::parquet::column::writer::{get_column_writer, ColumnCloseResult, ColumnWriter};
use datafusion::parquet::data_type::ByteArray;
use datafusion::parquet::file::properties::{
    EnabledStatistics, WriterProperties, WriterPropertiesPtr,
};
use datafusion::parquet::file::writer::{SerializedPageWriter, TrackedWrite};
use datafusion::parquet::schema::types::ColumnDescPtr;
use serde::{Deserialize, Serialize};

use crate::baci::{Areas, Products, Row};
use crate::error::{io, Result, TradeError};
use crate::flow::{flows_to_batch, sort_flows, Flow, FLOW_SCHEMA};
use crate::totals::{PairTotals, TotalKey, Totals, KEY_COLUMNS};

/// Rows per Parquet row group: small enough that a one-dyad query reads little of a year.
const ROW_GROUP: usize = 1 << 18;
/// Rows per data page: a one-dyad query decodes whole pages, so small pages (and the page index
/// that locates them) keep that work near the size of the answer. The default (20,000) made a
/// median dyad decode ~100 times the rows it needed.
pub const PAGE_ROWS: usize = 1024;
/// Rows per Arrow batch while writing.
const BATCH: usize = 1 << 16;

/// One unit of the store: the files that replaced any earlier ingest of the same unit.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Unit {
    /// Flow files, relative to the store root.
    pub flows: Vec<String>,
    /// Product-name files, relative to the store root.
    pub products: Vec<String>,
    /// Rows of flows.
    pub rows: u64,
    /// What was ingested (a path as given).
    pub origin: String,
    /// The pair totals of each flow file (flow file → its totals files, relative to the store
    /// root; see [`crate::totals`]). Empty in stores written before totals existed: their flow
    /// files are read row by row.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub totals: BTreeMap<String, TotalFiles>,
    /// Release of the source, if any.
    pub release: Option<String>,
}

/// A flow file's pair totals ([`crate::totals`]): flow files of its summed rows, relative to
/// the store root.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TotalFiles {
    /// Sorted by exporter, then importer: a pair's totals, a country's exports.
    pub by_exporter: String,
    /// Sorted by importer, then exporter: a country's imports.
    pub by_importer: String,
}

/// The list of units and their files.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// Format version of this file.
    pub version: u32,
    /// Units by key (`baci/HS17/2022`, `comtrade/KAZ/2023/A`, `reported/<file>`).
    pub units: BTreeMap<String, Unit>,
}

impl Manifest {
    /// Every flow file, relative to the root.
    pub fn flow_files(&self) -> impl Iterator<Item = &str> {
        self.units
            .values()
            .flat_map(|u| u.flows.iter().map(String::as_str))
    }
    /// Every product file, relative to the root.
    pub fn product_files(&self) -> impl Iterator<Item = &str> {
        self.units
            .values()
            .flat_map(|u| u.products.iter().map(String::as_str))
    }
    /// Every totals file, relative to the root.
    pub fn total_files(&self) -> impl Iterator<Item = &str> {
        self.units.values().flat_map(|u| {
            u.totals
                .values()
                .flat_map(|t| [t.by_exporter.as_str(), t.by_importer.as_str()])
        })
    }
    /// Every flow file with its totals files, if it has them, relative to the root.
    pub fn flow_files_with_totals(&self) -> impl Iterator<Item = (&str, Option<&TotalFiles>)> {
        self.units
            .values()
            .flat_map(|u| u.flows.iter().map(|f| (f.as_str(), u.totals.get(f))))
    }
}

/// The store in `HOME/trade/`.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
}

/// Columns of the `products` table.
pub fn product_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("classification", DataType::Utf8, false),
        Field::new("code", DataType::Utf8, false),
        Field::new("description", DataType::Utf8, false),
    ]))
}

/// The Parquet settings of every file: Snappy (fast to decode, and what DuckDB writes by
/// default), pages of [`PAGE_ROWS`] rows, statistics for pruning.
///
/// - `exporter` and `importer` carry page statistics (the column index), which is what lets a
///   one-dyad query go from the footer straight to its pages; every other column has row-group
///   statistics only, which is all pruning by source or year needs, and keeps the page index
///   small enough to hold in memory for a whole store.
/// - `product` is delta-encoded rather than given a dictionary: within a pair the codes are
///   sorted and share their leading digits, so it stays small, and a one-dyad read no longer
///   decodes a 5,000-entry dictionary page per file to use a few of its entries (that was most
///   of such a read).
/// - Values and quantities are nearly all distinct: trying a dictionary for them only costs time.
/// - `value_usd` is split into byte streams (BYTE_STREAM_SPLIT): whole dollars use few of a
///   double's bytes, so the streams of the others are runs that Snappy shrinks to almost
///   nothing, so the store is smaller and a heavy pair reads faster (figures in
///   `bench/trade/RESULTS.md`, Notes). Quantities (tons, with decimals) grew that way, and stay
///   plain.
pub fn writer_properties() -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP))
        .set_data_page_row_count_limit(PAGE_ROWS)
        .set_write_batch_size(PAGE_ROWS.min(1024))
        .set_statistics_enabled(EnabledStatistics::Chunk)
        .set_column_statistics_enabled("exporter".into(), EnabledStatistics::Page)
        .set_column_statistics_enabled("importer".into(), EnabledStatistics::Page)
        .set_column_dictionary_enabled("product".into(), false)
        .set_column_encoding("product".into(), Encoding::DELTA_BYTE_ARRAY)
        .set_column_dictionary_enabled("value_usd".into(), false)
        .set_column_encoding("value_usd".into(), Encoding::BYTE_STREAM_SPLIT)
        .set_column_dictionary_enabled("quantity".into(), false)
        .build()
}

/// Writes batches to one Parquet file and flushes it to disk.
pub fn write_parquet(
    path: &Path,
    schema: SchemaRef,
    batches: impl IntoIterator<Item = RecordBatch>,
) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let file = File::create(path).map_err(io(path))?;
    let mut w = ArrowWriter::try_new(file, schema, Some(writer_properties()))?;
    for b in batches {
        w.write(&b)?;
    }
    let file = w.into_inner()?;
    file.sync_all().map_err(io(path))?;
    Ok(())
}

impl Store {
    /// The store of a home directory (it may not exist yet).
    pub fn new(home: &Path) -> Store {
        Store {
            root: home.join("trade"),
        }
    }

    /// Its directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn manifest_path(&self) -> PathBuf {
        self.root.join("manifest.json")
    }

    /// The current manifest; empty when nothing was ingested.
    pub fn manifest(&self) -> Result<Manifest> {
        let path = self.manifest_path();
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                TradeError::Other(format!("{}: not a valid manifest: {e}", path.display()))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Manifest {
                version: 1,
                units: BTreeMap::new(),
            }),
            Err(e) => Err(io(path)(e)),
        }
    }

    /// Starts an ingest: takes the store's lock (one ingest at a time) and clears files a
    /// killed ingest left behind.
    pub fn begin(&self) -> Result<Ingest> {
        std::fs::create_dir_all(&self.root).map_err(io(&self.root))?;
        let lock_path = self.root.join(".lock");
        let lock = File::create(&lock_path).map_err(io(&lock_path))?;
        lock.try_lock().map_err(|_| {
            TradeError::Other(format!(
                "{}: another ingest is running on this store",
                self.root.display()
            ))
        })?;
        let manifest = self.manifest()?;
        self.remove_unlisted(&manifest)?;
        let id = format!(
            "{}-{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis()),
            std::process::id()
        );
        Ok(Ingest {
            store: self.clone(),
            _lock: lock,
            id,
            next: 0,
            written: Vec::new(),
            units: BTreeMap::new(),
            manifest,
        })
    }

    /// Writes the pair totals ([`crate::totals`]) of every flow file that has none (a store
    /// written before they existed), as one ingest: all of them or, on any error, none. Returns
    /// how many flow files gained totals (0: nothing to do, nothing written).
    pub fn add_missing_totals(&self) -> Result<usize> {
        let mut ingest = self.begin()?;
        let units = ingest.manifest.units.clone();
        let mut added = 0;
        for (key, unit) in units {
            let missing: Vec<String> = unit
                .flows
                .iter()
                .filter(|f| !unit.totals.contains_key(*f))
                .cloned()
                .collect();
            if missing.is_empty() {
                continue;
            }
            let mut with = unit;
            for flows in missing {
                let totals = totals_of_file(&self.root.join(&flows))?;
                let files = ingest.write_totals(totals.into_batches())?;
                with.totals.insert(flows, files);
                added += 1;
            }
            ingest.units.insert(key, with);
        }
        if added > 0 {
            ingest.commit()?;
        }
        Ok(added)
    }

    /// Deletes Parquet files under `flows/`, `products/` and `totals/` that the manifest does
    /// not list.
    fn remove_unlisted(&self, manifest: &Manifest) -> Result<()> {
        let listed: std::collections::HashSet<&str> = manifest
            .flow_files()
            .chain(manifest.product_files())
            .chain(manifest.total_files())
            .collect();
        for top in ["flows", "products", "totals"] {
            let dir = self.root.join(top);
            if dir.exists() {
                walk(&dir, &mut |p| {
                    let rel = p.strip_prefix(&self.root).unwrap_or(p);
                    let rel = rel.to_string_lossy().replace('\\', "/");
                    if !listed.contains(rel.as_str()) {
                        std::fs::remove_file(p).map_err(io(p))?;
                    }
                    Ok(())
                })?;
            }
        }
        Ok(())
    }
}

/// The pair totals of a flow file, read back (only the columns totals are summed by).
fn totals_of_file(path: &Path) -> Result<PairTotals> {
    let error = |e: &dyn std::fmt::Display| TradeError::Other(format!("{}: {e}", path.display()));
    let file = File::open(path).map_err(io(path))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| error(&e))?;
    let read = KEY_COLUMNS.iter().chain(&["month", "value_usd"]).copied();
    let mask = ProjectionMask::columns(builder.parquet_schema(), read);
    let reader = builder
        .with_projection(mask)
        .with_batch_size(BATCH)
        .build()
        .map_err(|e| error(&e))?;
    let mut totals = PairTotals::default();
    for batch in reader {
        totals
            .add(&batch.map_err(|e| error(&e))?)
            .map_err(|e| error(&e))?;
    }
    Ok(totals)
}

fn walk(dir: &Path, f: &mut dyn FnMut(&Path) -> Result<()>) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let p = entry.path();
        if entry.file_type().map_err(io(&p))?.is_dir() {
            walk(&p, f)?;
        } else {
            f(&p)?;
        }
    }
    Ok(())
}

/// An ingest in progress: files are written under new names and become part of the store
/// only at [`Ingest::commit`]. Dropping it without committing removes what it wrote.
#[derive(Debug)]
pub struct Ingest {
    store: Store,
    _lock: File,
    id: String,
    next: usize,
    written: Vec<PathBuf>,
    units: BTreeMap<String, Unit>,
    manifest: Manifest,
}

impl Ingest {
    fn new_path(&mut self, dir: &str) -> (String, PathBuf) {
        let rel = format!("{dir}/{}-{}.parquet", self.id, self.next);
        self.next += 1;
        let abs = self.store.root.join(&rel);
        self.written.push(abs.clone());
        (rel, abs)
    }

    fn unit(&mut self, key: &str, origin: &str, release: Option<&str>) -> &mut Unit {
        self.units.entry(key.to_string()).or_insert_with(|| Unit {
            flows: Vec::new(),
            products: Vec::new(),
            rows: 0,
            origin: origin.to_string(),
            release: release.map(str::to_string),
            totals: BTreeMap::new(),
        })
    }

    /// Writes a flow file's totals in both orders.
    fn write_totals(&mut self, totals: Totals) -> Result<TotalFiles> {
        let (by_exporter, abs) = self.new_path("totals");
        write_parquet(&abs, FLOW_SCHEMA.clone(), [totals.by_exporter])?;
        let (by_importer, abs) = self.new_path("totals");
        write_parquet(&abs, FLOW_SCHEMA.clone(), [totals.by_importer])?;
        Ok(TotalFiles {
            by_exporter,
            by_importer,
        })
    }

    /// Whether this ingest already wrote a unit (two inputs for the same unit are an error).
    pub fn has_unit(&self, key: &str) -> bool {
        self.units.contains_key(key)
    }

    /// Writes flows of any source as one unit, one file per (source, classification, year).
    pub fn add_flows(&mut self, key: &str, origin: &str, mut flows: Vec<Flow>) -> Result<()> {
        sort_flows(&mut flows);
        let mut parts: BTreeMap<(&'static str, String, i32), Vec<Flow>> = BTreeMap::new();
        for f in flows {
            parts
                .entry((f.source.as_str(), f.classification.clone(), f.year))
                .or_default()
                .push(f);
        }
        let release = parts
            .values()
            .next()
            .and_then(|v| v.first())
            .and_then(|f| f.release.clone());
        self.unit(key, origin, release.as_deref());
        for ((source, class, year), rows) in parts {
            let (rel, abs) = self.new_path(&partition_dir(source, &class, year));
            let mut totals = PairTotals::default();
            let batches: Vec<RecordBatch> = rows.chunks(BATCH).map(flows_to_batch).collect();
            for b in &batches {
                totals.add(b)?;
            }
            write_parquet(&abs, FLOW_SCHEMA.clone(), batches)?;
            let files = self.write_totals(totals.into_batches())?;
            let u = self.units.get_mut(key).expect("unit created");
            u.totals.insert(rel.clone(), files);
            u.flows.push(rel);
            u.rows += rows.len() as u64;
        }
        Ok(())
    }

    /// Writes product names for a unit.
    pub fn add_products(
        &mut self,
        key: &str,
        origin: &str,
        classification: &str,
        products: &[(String, String)],
    ) -> Result<()> {
        let (rel, abs) = self.new_path("products");
        let batch = RecordBatch::try_new(
            product_schema(),
            vec![
                Arc::new(StringArray::from(vec![classification; products.len()])) as ArrayRef,
                Arc::new(StringArray::from_iter_values(
                    products.iter().map(|(c, _)| c.as_str()),
                )),
                Arc::new(StringArray::from_iter_values(
                    products.iter().map(|(_, d)| d.as_str()),
                )),
            ],
        )?;
        write_parquet(&abs, product_schema(), [batch])?;
        self.unit(key, origin, None).products.push(rel);
        Ok(())
    }

    /// Sorts one BACI year and writes it as a unit, in as many files as there are cores, each
    /// sorted and written by its own thread (files split by exporter, so the dataset stays
    /// sorted by exporter, importer and product across them). Splitting the parsed rows among
    /// the files is done by the parsing threads' parts in parallel too: on two cores a
    /// single-threaded pass over 10M rows was a tenth of the ingest.
    pub fn add_baci_year(
        &mut self,
        key: &str,
        origin: &str,
        year: &BaciYear<'_>,
        rows: Vec<Vec<Row>>,
    ) -> Result<()> {
        let threads = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .clamp(1, 8);
        let total: usize = rows.iter().map(Vec::len).sum();
        let parts = if total < 1_000_000 { 1 } else { threads };
        let groups = split_by_exporter(rows, parts, year.areas.iso3_of_rank.len());
        let dir = partition_dir("baci", year.classification, year.year);
        let paths: Vec<(String, PathBuf)> = groups.iter().map(|_| self.new_path(&dir)).collect();
        let totals: Vec<[(String, PathBuf); 2]> = groups
            .iter()
            .map(|_| [self.new_path("totals"), self.new_path("totals")])
            .collect();
        let results: Vec<Result<()>> = std::thread::scope(|s| {
            let handles: Vec<_> = groups
                .into_iter()
                .zip(paths.iter().zip(&totals))
                .map(
                    |(pieces, ((_, abs), [(_, by_exporter), (_, by_importer)]))| {
                        s.spawn(move || {
                            let mut g = concat(pieces);
                            g.sort_unstable_by_key(|r| r.key);
                            write_baci(abs, year, &g)?;
                            let t = baci_totals(year, &g).into_batches();
                            write_parquet(by_exporter, FLOW_SCHEMA.clone(), [t.by_exporter])?;
                            write_parquet(by_importer, FLOW_SCHEMA.clone(), [t.by_importer])
                        })
                    },
                )
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("writer thread"))
                .collect()
        });
        for r in results {
            r?;
        }
        let u = self.unit(key, origin, Some(year.release));
        for ((rel, _), [(by_exporter, _), (by_importer, _)]) in paths.into_iter().zip(totals) {
            let files = TotalFiles {
                by_exporter,
                by_importer,
            };
            u.totals.insert(rel.clone(), files);
            u.flows.push(rel);
        }
        u.rows += total as u64;
        Ok(())
    }

    /// Makes everything written part of the store, replacing units with the same keys, by
    /// writing a new manifest and renaming it over the old one.
    pub fn commit(mut self) -> Result<Manifest> {
        // Each file was synced as it was written, but a new file's name lives in its directory
        // (and a new directory's in its parent): those are synced too, up to the store's root,
        // before the manifest lists the files, so that after a power cut the manifest never
        // names a file the disk lost (not all platforms allow syncing a directory).
        let root = self.store.root.as_path();
        let dirs: std::collections::BTreeSet<&Path> = self
            .written
            .iter()
            .flat_map(|p| p.ancestors().skip(1).take_while(|d| d.starts_with(root)))
            .collect();
        // Deepest first: a directory before the parent that names it.
        for dir in dirs.into_iter().rev() {
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        let mut manifest = std::mem::take(&mut self.manifest);
        let mut replaced = Vec::new();
        for (key, unit) in std::mem::take(&mut self.units) {
            // A unit may keep files of the one it replaces (`Store::add_missing_totals`).
            let kept: std::collections::HashSet<String> = unit
                .flows
                .iter()
                .chain(&unit.products)
                .chain(
                    unit.totals
                        .values()
                        .flat_map(|t| [&t.by_exporter, &t.by_importer]),
                )
                .cloned()
                .collect();
            if let Some(old) = manifest.units.insert(key, unit) {
                replaced.extend(
                    old.flows
                        .into_iter()
                        .chain(old.products)
                        .chain(
                            old.totals
                                .into_values()
                                .flat_map(|t| [t.by_exporter, t.by_importer]),
                        )
                        .filter(|f| !kept.contains(f)),
                );
            }
        }
        manifest.version = 1;
        let path = self.store.manifest_path();
        let tmp = self.store.root.join("manifest.json.tmp");
        let text = serde_json::to_vec_pretty(&manifest)
            .map_err(|e| TradeError::Other(format!("encoding the manifest: {e}")))?;
        {
            let mut f = File::create(&tmp).map_err(io(&tmp))?;
            std::io::Write::write_all(&mut f, &text).map_err(io(&tmp))?;
            f.sync_all().map_err(io(&tmp))?;
        }
        std::fs::rename(&tmp, &path).map_err(io(&path))?;
        if let Ok(d) = File::open(&self.store.root) {
            // Makes the rename itself durable; not all platforms allow syncing a directory.
            let _ = d.sync_all();
        }
        self.written.clear();
        for rel in replaced {
            let p = self.store.root.join(rel);
            // The new manifest no longer lists these; one left behind is removed next time.
            let _ = std::fs::remove_file(p);
        }
        Ok(manifest)
    }
}

impl Drop for Ingest {
    fn drop(&mut self) {
        for p in &self.written {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// `flows/source=baci/classification=HS17/year=2022`.
pub fn partition_dir(source: &str, classification: &str, year: i32) -> String {
    format!("flows/source={source}/classification={classification}/year={year}")
}

/// What a BACI year's rows need to be written: its constants and dictionaries.
#[derive(Debug)]
pub struct BaciYear<'a> {
    /// `HS17`.
    pub classification: &'a str,
    /// `V202401`.
    pub release: &'a str,
    /// The year.
    pub year: i32,
    /// The release's areas.
    pub areas: &'a Areas,
    /// The release's products for this revision.
    pub products: &'a Products,
}

/// Splits rows into `parts` groups of contiguous exporters with about equal row counts. Each
/// group comes as pieces, one per input part: every input part is counted and distributed by
/// its own thread, and freed once distributed.
fn split_by_exporter(rows: Vec<Vec<Row>>, parts: usize, ranks: usize) -> Vec<Vec<Vec<Row>>> {
    if parts <= 1 {
        return vec![rows];
    }
    let ranks = ranks.max(1);
    let counts: Vec<Vec<usize>> = std::thread::scope(|s| {
        let handles: Vec<_> = rows
            .iter()
            .map(|part| {
                s.spawn(move || {
                    let mut count = vec![0usize; ranks];
                    for r in part {
                        count[r.exporter_rank()] += 1;
                    }
                    count
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("counting thread"))
            .collect()
    });
    let count: Vec<usize> = (0..ranks)
        .map(|rank| counts.iter().map(|c| c[rank]).sum())
        .collect();
    let total: usize = count.iter().sum();
    let per = total.div_ceil(parts);
    let mut group_of = vec![0usize; ranks];
    let (mut g, mut acc) = (0, 0);
    for (rank, c) in count.iter().enumerate() {
        if acc >= per * (g + 1) && g + 1 < parts {
            g += 1;
        }
        group_of[rank] = g;
        acc += c;
    }
    let group_of = &group_of;
    let distributed: Vec<Vec<Vec<Row>>> = std::thread::scope(|s| {
        let handles: Vec<_> = rows
            .into_iter()
            .zip(&counts)
            .map(|(part, count)| {
                s.spawn(move || {
                    let mut sizes = vec![0usize; parts];
                    for (rank, c) in count.iter().enumerate() {
                        sizes[group_of[rank]] += c;
                    }
                    let mut out: Vec<Vec<Row>> =
                        sizes.iter().map(|&n| Vec::with_capacity(n)).collect();
                    for r in part {
                        out[group_of[r.exporter_rank()]].push(r);
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("splitting thread"))
            .collect()
    });
    let mut groups: Vec<Vec<Vec<Row>>> = (0..parts).map(|_| Vec::new()).collect();
    for out in distributed {
        for (g, piece) in out.into_iter().enumerate() {
            groups[g].push(piece);
        }
    }
    groups.retain(|g| g.iter().any(|p| !p.is_empty()));
    groups
}

/// Joins pieces into one vector, freeing each as it is copied.
fn concat(mut pieces: Vec<Vec<Row>>) -> Vec<Row> {
    let total: usize = pieces.iter().map(Vec::len).sum();
    let Some(big) = (0..pieces.len()).max_by_key(|&i| pieces[i].len()) else {
        return Vec::new();
    };
    let mut all = pieces.swap_remove(big);
    all.reserve_exact(total - all.len());
    for p in pieces {
        all.extend_from_slice(&p);
    }
    all
}

/// A column that holds one value on every row of a BACI file.
#[derive(Debug, Clone, Copy)]
enum Constant<'a> {
    Null,
    Text(&'a str),
    Int(i32),
}

/// The columns of a BACI year that are the same on every row, by position in [`FLOW_SCHEMA`].
fn baci_constant<'a>(year: &BaciYear<'a>, column: usize) -> Option<Constant<'a>> {
    Some(match FLOW_SCHEMA.field(column).name().as_str() {
        "source" | "reporter" => Constant::Text("baci"),
        "classification" => Constant::Text(year.classification),
        "release" => Constant::Text(year.release),
        "year" => Constant::Int(year.year),
        "product_level" => Constant::Int(6),
        "unit" => Constant::Text("t"),
        "flow" => Constant::Text("X"),
        "month" | "note" | "source_url" | "source_date" => Constant::Null,
        _ => return None,
    })
}

/// A column chunk encoded once, spliced into every row group with as many rows.
struct Encoded {
    bytes: bytes::Bytes,
    close: ColumnCloseResult,
}

/// Encodes `rows` copies of a constant with the store's settings, through the low-level column
/// writer (the result is what the Arrow writer would have written, statistics included).
fn encode_constant(
    descr: ColumnDescPtr,
    props: WriterPropertiesPtr,
    value: Constant<'_>,
    rows: usize,
) -> Result<Encoded> {
    let mut sink = TrackedWrite::new(Vec::new());
    let defs = (descr.max_def_level() > 0).then(|| {
        let d = i16::from(!matches!(value, Constant::Null));
        vec![d; rows]
    });
    let close = {
        let pages = Box::new(SerializedPageWriter::new(&mut sink));
        match (get_column_writer(descr, props, pages), value) {
            (ColumnWriter::ByteArrayColumnWriter(mut w), Constant::Text(t)) => {
                let v = ByteArray::from(t.as_bytes().to_vec());
                w.write_batch(&vec![v; rows], defs.as_deref(), None)?;
                w.close()?
            }
            (ColumnWriter::Int32ColumnWriter(mut w), Constant::Int(v)) => {
                w.write_batch(&vec![v; rows], defs.as_deref(), None)?;
                w.close()?
            }
            (ColumnWriter::ByteArrayColumnWriter(mut w), Constant::Null) => {
                w.write_batch(&[], defs.as_deref(), None)?;
                w.close()?
            }
            (ColumnWriter::Int32ColumnWriter(mut w), Constant::Null) => {
                w.write_batch(&[], defs.as_deref(), None)?;
                w.close()?
            }
            _ => {
                return Err(TradeError::Other(
                    "a constant column of an unexpected type".into(),
                ))
            }
        }
    };
    Ok(Encoded {
        bytes: bytes::Bytes::from(sink.into_inner()?),
        close,
    })
}

/// Writes one sorted part of a BACI year to a Parquet file and flushes it to disk.
///
/// Nine of the twenty columns hold one value on every row (source, classification, release,
/// year, product level, unit, reporter, flow; month and the notes are null). Encoding them row by
/// row cost a quarter of an ingest's CPU time (a dictionary lookup and two statistics
/// comparisons per value), so each is encoded once per row-group size and its bytes are spliced
/// into every row group; the file is the same as the Arrow writer would write.
fn write_baci(path: &Path, year: &BaciYear<'_>, rows: &[Row]) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let file = File::create(path).map_err(io(path))?;
    let props = writer_properties();
    let (mut writer, factory) =
        ArrowWriter::try_new(file, FLOW_SCHEMA.clone(), Some(props.clone()))?
            .into_serialized_writer()?;
    // A constant column needs no small pages (nothing is ever skipped in it): one page per
    // chunk keeps its offset index to one entry.
    let constant_props = Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_statistics_enabled(EnabledStatistics::Chunk)
            .set_data_page_row_count_limit(ROW_GROUP)
            .set_write_batch_size(ROW_GROUP)
            .build(),
    );
    let descrs: Vec<ColumnDescPtr> = writer.schema_descr().columns().to_vec();
    let mut encoded: std::collections::HashMap<(usize, usize), Encoded> =
        std::collections::HashMap::new();
    for (g, part) in rows.chunks(ROW_GROUP).enumerate() {
        let columns = factory.create_column_writers(g)?;
        let mut rg = writer.next_row_group()?;
        for (c, mut column) in columns.into_iter().enumerate() {
            if let Some(value) = baci_constant(year, c) {
                let e = match encoded.entry((c, part.len())) {
                    std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::hash_map::Entry::Vacant(v) => v.insert(encode_constant(
                        descrs[c].clone(),
                        constant_props.clone(),
                        value,
                        part.len(),
                    )?),
                };
                rg.append_column(&e.bytes, e.close.clone())?;
            } else {
                let array = baci_column(year, part, c);
                for leaf in compute_leaves(FLOW_SCHEMA.field(c), &array)? {
                    column.write(&leaf)?;
                }
                column.close()?.append_to_row_group(&mut rg)?;
            }
        }
        rg.close()?;
    }
    let file = writer.into_inner()?;
    file.sync_all().map_err(io(path))?;
    Ok(())
}

/// The pair totals of sorted BACI rows ([`crate::totals`]): a pair's rows are one block in a
/// sorted part, so each run of rows alike but for the product is summed here and added once.
fn baci_totals(year: &BaciYear<'_>, rows: &[Row]) -> PairTotals {
    // The key without the product: exporter and importer ranks and codes.
    const NO_PRODUCT: u64 = !(0xF_FFFF << 20);
    let mut totals = PairTotals::default();
    let iso = |rank: usize| year.areas.iso3_of_rank[rank].as_deref();
    let mut add = |r: &Row, sum: f64| {
        let key = TotalKey {
            exporter: iso(r.exporter_rank()),
            importer: iso(r.importer_rank()),
            exporter_code: Some(i32::from(r.exporter_code())),
            importer_code: Some(i32::from(r.importer_code())),
            year: year.year,
            source: "baci",
            classification: year.classification,
            reporter: "baci",
            flow: "X",
            source_url: None,
            product_level: 6,
        };
        totals.add_row(key, sum);
    };
    let mut run: Option<(&Row, f64)> = None;
    for r in rows {
        match &mut run {
            Some((first, sum)) if first.key & NO_PRODUCT == r.key & NO_PRODUCT => {
                *sum += r.value_usd
            }
            _ => {
                if let Some((first, sum)) = run.replace((r, r.value_usd)) {
                    add(first, sum);
                }
            }
        }
    }
    if let Some((first, sum)) = run {
        add(first, sum);
    }
    totals
}

/// A column of sorted BACI rows that varies from row to row.
fn baci_column(year: &BaciYear<'_>, rows: &[Row], column: usize) -> ArrayRef {
    let iso = |rank: usize| year.areas.iso3_of_rank[rank].as_deref();
    match FLOW_SCHEMA.field(column).name().as_str() {
        "exporter" => Arc::new(
            rows.iter()
                .map(|r| iso(r.exporter_rank()))
                .collect::<StringArray>(),
        ),
        "importer" => Arc::new(
            rows.iter()
                .map(|r| iso(r.importer_rank()))
                .collect::<StringArray>(),
        ),
        "exporter_code" => Arc::new(Int32Array::from_iter_values(
            rows.iter().map(|r| r.exporter_code() as i32),
        )),
        "importer_code" => Arc::new(Int32Array::from_iter_values(
            rows.iter().map(|r| r.importer_code() as i32),
        )),
        "product" => Arc::new(StringArray::from_iter_values(
            rows.iter()
                .map(|r| year.products.codes[r.product()].0.as_str()),
        )),
        "value_usd" => Arc::new(Float64Array::from_iter_values(
            rows.iter().map(|r| r.value_usd),
        )),
        "quantity" => Arc::new(
            rows.iter()
                .map(|r| (!r.tons.is_nan()).then_some(r.tons))
                .collect::<Float64Array>(),
        ),
        "other_asia" => Arc::new(BooleanArray::from_iter(rows.iter().map(|r| {
            Some(
                year.areas.other_asia[r.exporter_code() as usize]
                    || year.areas.other_asia[r.importer_code() as usize],
            )
        }))),
        other => unreachable!("column {other} is constant in BACI files"),
    }
}
