//! Queries over the trade tables: `flows`, `pair_totals`, `products`, `countries`, `areas`.
//!
//! The questions (products, series, mirror of a pair; a country's partners and its trade with
//! each partner by year) are summed from the rows the fast path reads ([`crate::fastpath`]: the
//! flows, or for the questions that sum over products the pair totals, [`crate::totals`]), and
//! named and shaped here; `dyad sql` goes
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
//! path); this file opens the tables (registered by `tables.rs`). None uses a module
//! listed after it.
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
//! On a cluster ([`Engine::Cluster`]) every answer is SQL, awaited the same way.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use datafusion::arrow::array::RecordBatch;
use datafusion::execution::context::SQLOptions;
use datafusion::prelude::SessionContext;
use dyad_core::Registry;

use crate::codes::{resolve_country, AreaCodes};
use crate::engine::Engine;
use crate::error::{Result, TradeError};
use crate::fastpath::PairIndex;
use crate::flow::Flow;
use crate::tables;
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

/// Whose declarations a partner series sums ([`TradeDb::partner_series`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Declarer {
    /// BACI's reconciled flows (every row).
    Baci,
    /// Comtrade imports as the importer declared them (CIF).
    Importer,
    /// Comtrade exports as the exporter declared them (FOB).
    Exporter,
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
    /// Where the SQL runs; with a cluster the fast path is not used.
    engine: Engine,
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
    /// The pair totals of the flow files, sorted by exporter and by importer (the flow file
    /// itself where it has none; `None` when none has).
    totals: Option<(Vec<PathBuf>, Vec<PathBuf>)>,
    product_files: Vec<PathBuf>,
    /// The bundled figures when `flows` includes them (the store has no copy of its own).
    memory: Vec<Flow>,
    /// `None` when a file is not one the fast path can read (the SQL path answers then).
    pair_index: OnceLock<Result<Option<PairIndex>, String>>,
    /// The same over the pair totals sorted by exporter, and sorted by importer.
    exporter_totals: OnceLock<Result<Option<PairIndex>, String>>,
    importer_totals: OnceLock<Result<Option<PairIndex>, String>>,
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
    /// Opens the store of `home` (if any) plus the bundled reported figures, for queries in this
    /// process. Opening reads the store's manifest only; it needs no runtime.
    pub fn open(home: Option<&Path>, registry: &Registry) -> Result<TradeDb> {
        TradeDb::open_on(home, registry, Engine::Embedded)
    }

    /// [`TradeDb::open`] with the tables registered in a session of `engine` (by
    /// [`crate::tables`], the same function for every engine): with a cluster, every answer is
    /// SQL planned and run there (the one-dyad fast path is not used). A cluster's client may
    /// start its connections while the session is built, so it is opened inside a tokio
    /// runtime (the CLI's, the server's).
    pub fn open_on(home: Option<&Path>, registry: &Registry, engine: Engine) -> Result<TradeDb> {
        if !engine.is_embedded() && tokio::runtime::Handle::try_current().is_err() {
            return Err(TradeError::Other(
                "a cluster's trade tables must be opened inside a tokio runtime".into(),
            ));
        }
        let (ctx, tables) = tables::session(home, registry, &engine)?;
        Ok(TradeDb {
            ctx,
            engine,
            local: Arc::new(Local {
                registry: registry.clone(),
                areas: tables.areas,
                store_rows: tables.store_rows,
                flow_files: tables.flow_files,
                totals: tables.totals,
                product_files: tables.product_files,
                memory: tables.memory,
                pair_index: OnceLock::new(),
                exporter_totals: OnceLock::new(),
                importer_totals: OnceLock::new(),
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
        self.engine.collect(df).await
    }

    /// Runs a fast-path answer (`None`: the fast path cannot read this store, or the tables are
    /// on a cluster) on the caller's
    /// task, or on the blocking pool with [`TradeDb::offload_fast_path`]. A panic there is
    /// resumed here, as if it had run inline.
    async fn fast<T, F>(&self, answer: F) -> Result<Option<T>>
    where
        T: Send + 'static,
        F: FnOnce(&Local) -> Result<Option<T>> + Send + 'static,
    {
        // On a cluster every answer must come from the cluster.
        if !self.engine.is_embedded() {
            return Ok(None);
        }
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
