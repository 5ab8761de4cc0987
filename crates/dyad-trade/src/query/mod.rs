//! Queries over the trade tables: `flows`, `products`, `countries`, `areas`.
//!
//! The questions (products, series, mirror of a pair; a country's partners) are summed from the
//! rows the fast path reads ([`crate::fastpath`]), and named and shaped here; `dyad sql` goes
//! through DataFusion SQL, and `sql.rs` holds each answer as SQL too, the reference it is tested
//! against and its answer where the fast path cannot read the store (the same SQL runs on a
//! cluster, Ballista, because the store is plain Parquet). Without a store,
//! `flows` holds the bundled reported figures, so the Afghanistan case has real numbers out of the
//! box; with one, the bundled figures are added unless the store holds its own copy of them.
//!
//! Sums never mix levels of aggregation: Comtrade files may carry a `TOTAL` row beside 2-, 4- or
//! 6-digit rows for the same flow, so each group keeps only its lowest product level. Monthly
//! rows are left out of these queries (they are in `flows` for `dyad sql`).
//!
//! Modules: `years` ([`Years`]), `names` (product names for the fast path), `sql` (the
//! DataFusion queries), `products` (sums, names and the Arrow batch of the products answer,
//! and the fast path's index), `series`, `mirror`, `partners` (those answers from the fast
//! path); this file opens the tables. None uses a module listed after it.
//!
//! Async where it is async: `TradeDb` owns no runtime. Everything that runs DataFusion (`sql`,
//! the `*_sql` answers, and the questions, which fall back to SQL) is an `async fn` to be awaited
//! on the caller's tokio runtime (the CLI makes one in `main`; the server has its own), so a
//! server awaits a query instead of parking a thread on it, and no runtime is ever dropped inside
//! another. The fast path is synchronous CPU work and file reads (about 1–40 ms on the benchmark
//! store, more on first use while the footers are read): it runs on the caller's task by default
//! (a CLI has nothing else for that thread to do), or on tokio's blocking pool after
//! [`TradeDb::offload_fast_path`] (a server, whose async workers must stay free for other
//! requests). Its state lives behind an `Arc` (`Local`) so that a blocking thread can hold it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use datafusion::arrow::array::{ArrayRef, Int32Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::datasource::MemTable;
use datafusion::execution::context::SQLOptions;
use datafusion::prelude::{SessionConfig, SessionContext};
use dyad_core::Registry;

use crate::codes::{resolve_country, AreaCodes, AreaKind};
use crate::error::{Result, TradeError};
use crate::fastpath::PairIndex;
use crate::flow::{flows_to_batch, Flow, FLOW_SCHEMA};
use crate::reported;
use crate::store::{product_schema, Store};
use names::Names;

mod mirror;
mod names;
mod partners;
mod products;
mod series;
mod sql;
mod years;

pub use years::Years;

/// Direction for `partners`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The country's exports, by destination.
    Export,
    /// The country's imports, by origin.
    Import,
}

/// The trade tables, ready for queries.
///
/// The trade questions (`products`, `products_by_year`, `series`, `mirror`, `partners`) take a
/// fast path that reads the Parquet files directly (see [`crate::fastpath`]); `dyad sql` goes
/// through DataFusion. The fast path's footers and page indexes are read on its first use and kept, so
/// keep one `TradeDb` open to answer many questions. Every method that may run DataFusion is
/// `async` and must be awaited inside a tokio runtime (see the [module](self) documentation).
pub struct TradeDb {
    ctx: SessionContext,
    local: Arc<Local>,
    /// Whether the fast path runs on tokio's blocking pool rather than on the caller's task.
    offload: bool,
}

/// What the fast path reads and country codes are resolved with: shared (`Arc`) with the
/// blocking thread the fast path may run on, which must own what it holds.
struct Local {
    registry: Registry,
    areas: AreaCodes,
    store_rows: u64,
    flow_files: Vec<PathBuf>,
    product_files: Vec<PathBuf>,
    /// The bundled figures when `flows` includes them (the store has no copy of its own).
    memory: Vec<Flow>,
    /// `None` when a file is not one the fast path can read (the SQL path answers then).
    pair_index: OnceLock<Result<Option<PairIndex>, String>>,
    names: OnceLock<Result<Names, String>>,
}

impl std::fmt::Debug for TradeDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TradeDb")
            .field("store_rows", &self.local.store_rows)
            .field("offload", &self.offload)
            .finish_non_exhaustive()
    }
}

impl TradeDb {
    /// Opens the store of `home` (if any) plus the bundled reported figures. Opening reads the
    /// store's manifest only; it needs no runtime.
    pub fn open(home: Option<&Path>, registry: &Registry) -> Result<TradeDb> {
        let config = SessionConfig::new().with_information_schema(true);
        let ctx = SessionContext::new_with_config(config);
        let areas = AreaCodes::new(registry);
        let manifest = match home {
            Some(h) => Some((Store::new(h), Store::new(h).manifest()?)),
            None => None,
        };
        let mut store_rows = 0;
        let mut has_bundled_copy = false;
        let mut flow_files = Vec::new();
        let mut product_files = Vec::new();
        if let Some((store, m)) = &manifest {
            store_rows = m.units.values().map(|u| u.rows).sum();
            has_bundled_copy = m.units.contains_key(reported::BUNDLED_KEY);
            flow_files = m.flow_files().map(|f| store.root().join(f)).collect();
            product_files = m.product_files().map(|f| store.root().join(f)).collect();
        }
        let memory = if has_bundled_copy {
            Vec::new()
        } else {
            reported::bundled(registry)
        };
        let mem_flows = if has_bundled_copy {
            Vec::new()
        } else {
            vec![flows_to_batch(&memory)]
        };
        let mem = Arc::new(MemTable::try_new(FLOW_SCHEMA.clone(), vec![mem_flows])?);
        let flows: Arc<dyn datafusion::catalog::TableProvider> = if flow_files.is_empty() {
            mem
        } else {
            let stored = listing(&flow_files, FLOW_SCHEMA.clone())?;
            if has_bundled_copy {
                stored
            } else {
                let df = ctx.read_table(stored)?.union(ctx.read_table(mem)?)?;
                df.into_view()
            }
        };
        ctx.register_table("flows", flows)?;
        let products: Arc<dyn datafusion::catalog::TableProvider> = if product_files.is_empty() {
            Arc::new(MemTable::try_new(product_schema(), vec![vec![]])?)
        } else {
            listing(&product_files, product_schema())?
        };
        let (flow_files_kept, product_files_kept) = (flow_files.clone(), product_files.clone());
        ctx.register_table("products", products)?;
        ctx.register_table("countries", Arc::new(countries_table(registry)?))?;
        ctx.register_table("areas", Arc::new(areas_table(&areas)?))?;
        Ok(TradeDb {
            ctx,
            local: Arc::new(Local {
                registry: registry.clone(),
                areas,
                store_rows,
                flow_files: flow_files_kept,
                product_files: product_files_kept,
                memory,
                pair_index: OnceLock::new(),
                names: OnceLock::new(),
            }),
            offload: false,
        })
    }

    /// These tables with the fast path run on tokio's blocking pool (`spawn_blocking`) rather
    /// than on the task that asks: for a server, whose async workers must not be held by
    /// milliseconds of decoding while other requests wait. A caller with nothing else to run on
    /// its thread (the CLI) keeps the default and saves the hand-over.
    pub fn offload_fast_path(self) -> TradeDb {
        TradeDb {
            offload: true,
            ..self
        }
    }

    /// Rows of flows in the store (0 when only the bundled figures are there).
    pub fn store_rows(&self) -> u64 {
        self.local.store_rows
    }

    /// The ISO3 code for a user's country argument.
    pub fn country(&self, text: &str) -> Result<String> {
        self.local.country(text)
    }

    /// Runs read-only SQL (a single query; no DDL, DML or `SET`).
    pub async fn sql(&self, query: &str) -> Result<Vec<RecordBatch>> {
        let options = SQLOptions::new()
            .with_allow_ddl(false)
            .with_allow_dml(false)
            .with_allow_statements(false);
        let df = self.ctx.sql_with_options(query, options).await?;
        Ok(df.collect().await?)
    }

    /// Runs a fast-path answer (`None`: the fast path cannot read this store) on the caller's
    /// task, or on the blocking pool with [`TradeDb::offload_fast_path`]. A panic there is
    /// resumed here, as if it had run inline.
    async fn fast<T, F>(&self, answer: F) -> Result<Option<T>>
    where
        T: Send + 'static,
        F: FnOnce(&Local) -> Result<Option<T>> + Send + 'static,
    {
        if !self.offload {
            return answer(&self.local);
        }
        let local = self.local.clone();
        match tokio::task::spawn_blocking(move || answer(&local)).await {
            Ok(out) => out,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // Only when the runtime shuts down under the query.
            Err(e) => Err(TradeError::Other(format!("the fast path's thread: {e}"))),
        }
    }
}

impl Local {
    fn country(&self, text: &str) -> Result<String> {
        resolve_country(&self.registry, &self.areas, text).map_err(TradeError::Other)
    }
}

fn listing(
    files: &[std::path::PathBuf],
    schema: datafusion::arrow::datatypes::SchemaRef,
) -> Result<Arc<dyn datafusion::catalog::TableProvider>> {
    let urls = files
        .iter()
        .map(|p| ListingTableUrl::parse(p.to_string_lossy()))
        .collect::<datafusion::error::Result<Vec<_>>>()?;
    let options =
        ListingOptions::new(Arc::new(ParquetFormat::default())).with_file_extension(".parquet");
    let config = ListingTableConfig::new_with_multi_paths(urls)
        .with_listing_options(options)
        .with_schema(schema);
    Ok(Arc::new(ListingTable::try_new(config)?))
}

fn countries_table(registry: &Registry) -> Result<MemTable> {
    let states: Vec<_> = registry.states().collect();
    let schema = Arc::new(Schema::new(vec![
        Field::new("code", DataType::Utf8, false),
        Field::new("name", DataType::Utf8, false),
        Field::new("numeric", DataType::Int32, true),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from_iter_values(
                states.iter().map(|s| s.code.as_str()),
            )) as ArrayRef,
            Arc::new(StringArray::from_iter_values(
                states.iter().map(|s| s.name.as_str()),
            )),
            Arc::new(
                states
                    .iter()
                    .map(|s| s.numeric.map(i32::from))
                    .collect::<Int32Array>(),
            ),
        ],
    )?;
    Ok(MemTable::try_new(schema, vec![vec![batch]])?)
}

fn areas_table(areas: &AreaCodes) -> Result<MemTable> {
    let all: Vec<_> = areas.iter().collect();
    let schema = Arc::new(Schema::new(vec![
        Field::new("code", DataType::Int32, false),
        Field::new("iso3", DataType::Utf8, true),
        Field::new("kind", DataType::Utf8, false),
        Field::new("name", DataType::Utf8, false),
    ]));
    let kind = |k: AreaKind| match k {
        AreaKind::Iso => "iso",
        AreaKind::OwnCode => "own_code",
        AreaKind::Historical => "historical",
        AreaKind::OtherAsia => "other_asia",
        AreaKind::Nes => "nes",
    };
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int32Array::from_iter_values(
                all.iter().map(|a| a.code as i32),
            )) as ArrayRef,
            Arc::new(
                all.iter()
                    .map(|a| a.iso3.as_deref())
                    .collect::<StringArray>(),
            ),
            Arc::new(StringArray::from_iter_values(
                all.iter().map(|a| kind(a.kind)),
            )),
            Arc::new(StringArray::from_iter_values(
                all.iter().map(|a| a.name.as_str()),
            )),
        ],
    )?;
    Ok(MemTable::try_new(schema, vec![vec![batch]])?)
}
