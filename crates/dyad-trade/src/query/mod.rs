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
//! path); this file opens the tables (registered by `tables.rs`). None uses a module
//! listed after it.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

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

/// The trade tables, ready for queries.
///
/// The trade questions (`products`, `products_by_year`, `series`, `mirror`, `partners`) take a
/// fast path that reads the Parquet files directly (see [`crate::fastpath`]); `dyad sql` goes
/// through DataFusion. The fast path's footers and page indexes are read on its first use and kept, so
/// keep one `TradeDb` open to answer many questions.
pub struct TradeDb {
    runtime: tokio::runtime::Runtime,
    ctx: SessionContext,
    /// Where the SQL runs; with a cluster the fast path is not used.
    engine: Engine,
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
            .field("store_rows", &self.store_rows)
            .finish_non_exhaustive()
    }
}

impl TradeDb {
    /// Opens the store of `home` (if any) plus the bundled reported figures, for queries in this
    /// process.
    pub fn open(home: Option<&Path>, registry: &Registry) -> Result<TradeDb> {
        TradeDb::open_on(home, registry, Engine::Embedded)
    }

    /// [`TradeDb::open`] with the tables registered in a session of `engine` (by
    /// [`crate::tables`], the same function for every engine): with a cluster, every answer is
    /// SQL planned and run there (the one-dyad fast path is not used).
    pub fn open_on(home: Option<&Path>, registry: &Registry, engine: Engine) -> Result<TradeDb> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(
                std::thread::available_parallelism()
                    .map_or(2, |n| n.get())
                    .clamp(1, 8),
            )
            // A cluster's client waits on timers (polling for a job's end, timeouts) and sockets.
            .enable_all()
            .build()
            .map_err(|e| TradeError::Other(format!("starting the query runtime: {e}")))?;
        // Entered because a cluster's client may start its connections while being built.
        let (ctx, tables) = {
            let _guard = runtime.enter();
            tables::session(home, registry, &engine)?
        };
        Ok(TradeDb {
            runtime,
            ctx,
            engine,
            registry: registry.clone(),
            areas: tables.areas,
            store_rows: tables.store_rows,
            flow_files: tables.flow_files,
            product_files: tables.product_files,
            memory: tables.memory,
            pair_index: OnceLock::new(),
            names: OnceLock::new(),
        })
    }

    /// Rows of flows in the store (0 when only the bundled figures are there).
    pub fn store_rows(&self) -> u64 {
        self.store_rows
    }

    /// The ISO3 code for a user's country argument.
    pub fn country(&self, text: &str) -> Result<String> {
        resolve_country(&self.registry, &self.areas, text).map_err(TradeError::Other)
    }

    /// Runs read-only SQL (a single query; no DDL, DML or `SET`).
    pub fn sql(&self, query: &str) -> Result<Vec<RecordBatch>> {
        let options = SQLOptions::new()
            .with_allow_ddl(false)
            .with_allow_dml(false)
            .with_allow_statements(false);
        self.runtime.block_on(async {
            let df = self.ctx.sql_with_options(query, options).await?;
            self.engine.collect(df).await
        })
    }
}
