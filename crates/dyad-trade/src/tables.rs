//! The trade tables (`flows`, `pair_totals`, `products`, `countries`, `areas`) registered in a
//! DataFusion session: the one place they are defined, for the embedded engine and a cluster
//! alike.
//!
//! `flows` and `products` are the store's Parquet files (a listing table of exactly the files
//! the manifest lists); `countries`, `areas` and the bundled reported figures (added to `flows`
//! when the store holds no copy of its own) are small in-memory tables built from the registry
//! and the bundled data. On a cluster the in-memory tables travel inside the query plan (see the
//! `dyad-cluster` crate's codec), and the Parquet files are read by path on every node.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int32Array, RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::catalog::TableProvider;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::datasource::MemTable;
use datafusion::functions_aggregate::expr_fn::sum;
use datafusion::prelude::{col, Expr, SessionConfig, SessionContext};
use dyad_core::Registry;

use crate::codes::{AreaCodes, AreaKind};
use crate::engine::Engine;
use crate::error::Result;
use crate::flow::{flows_to_batch, Flow, FLOW_SCHEMA};
use crate::reported;
use crate::store::{product_schema, Store, TotalFiles};
use crate::totals::{PairTotals, KEY_COLUMNS};

/// What was registered, as the fast path and [`crate::TradeDb`] need it.
pub(crate) struct Tables {
    /// Rows of flows in the store (0 without one).
    pub store_rows: u64,
    /// The store's flow files, as listed by its manifest.
    pub flow_files: Vec<PathBuf>,
    /// Their pair totals ([`crate::totals`]), sorted by exporter and sorted by importer, one
    /// file for each flow file (the flow file itself where it has none); `None` when no flow
    /// file has totals.
    pub totals: Option<(Vec<PathBuf>, Vec<PathBuf>)>,
    /// The store's product-name files.
    pub product_files: Vec<PathBuf>,
    /// The bundled figures when `flows` includes them (the store has no copy of its own).
    pub memory: Vec<Flow>,
    /// The registry's area codes.
    pub areas: AreaCodes,
}

/// A session of `engine` with the trade tables of `home` (if any) plus the bundled reported
/// figures registered: what every trade question runs in.
pub fn trade_session(
    home: Option<&Path>,
    registry: &Registry,
    engine: &Engine,
) -> Result<SessionContext> {
    Ok(session(home, registry, engine)?.0)
}

/// [`trade_session`], with what was registered.
pub(crate) fn session(
    home: Option<&Path>,
    registry: &Registry,
    engine: &Engine,
) -> Result<(SessionContext, Tables)> {
    let config = SessionConfig::new().with_information_schema(true);
    let ctx = engine.context(config)?;
    let areas = AreaCodes::new(registry);
    let manifest = match home {
        Some(h) => Some((Store::new(h), Store::new(h).manifest()?)),
        None => None,
    };
    let mut store_rows = 0;
    let mut has_bundled_copy = false;
    let mut flow_files = Vec::new();
    let mut totals = None;
    // Every flow file's totals, sorted by exporter, when each has them (the `pair_totals`
    // table is read from them then).
    let mut complete_totals = None;
    let mut product_files = Vec::new();
    if let Some((store, m)) = &manifest {
        store_rows = m.units.values().map(|u| u.rows).sum();
        has_bundled_copy = m.units.contains_key(reported::BUNDLED_KEY);
        flow_files = m.flow_files().map(|f| store.root().join(f)).collect();
        // Each flow file's totals, or the flow file itself where it has none (a store written
        // before totals, then added to): the reader answers alike from either.
        let files: Vec<_> = m.flow_files_with_totals().collect();
        if files.iter().any(|(_, t)| t.is_some()) {
            let paths = |order: &dyn Fn(&TotalFiles) -> &str| -> Vec<PathBuf> {
                files
                    .iter()
                    .map(|(f, t)| store.root().join(t.map_or(*f, order)))
                    .collect()
            };
            let by_exporter = paths(&|t| &t.by_exporter);
            if files.iter().all(|(_, t)| t.is_some()) {
                complete_totals = Some(by_exporter.clone());
            }
            totals = Some((by_exporter, paths(&|t| &t.by_importer)));
        }
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
    let flows: Arc<dyn TableProvider> = if flow_files.is_empty() {
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
    ctx.register_table("flows", flows.clone())?;
    ctx.register_table(
        "pair_totals",
        pair_totals(&ctx, flows, complete_totals.as_deref(), &memory)?,
    )?;
    let products: Arc<dyn TableProvider> = if product_files.is_empty() {
        Arc::new(MemTable::try_new(product_schema(), vec![vec![]])?)
    } else {
        listing(&product_files, product_schema())?
    };
    ctx.register_table("products", products)?;
    ctx.register_table("countries", Arc::new(countries_table(registry)?))?;
    ctx.register_table("areas", Arc::new(areas_table(&areas)?))?;
    let tables = Tables {
        store_rows,
        flow_files,
        totals,
        product_files,
        memory,
        areas,
    };
    Ok((ctx, tables))
}

/// The `pair_totals` table: `flows`' annual rows summed over products, one row per pair, year,
/// source, classification, reporter, flow, source URL and product level (as the fast path's
/// totals). Read from the totals files when every flow file has them (plus the bundled
/// figures' totals when `flows` holds them); otherwise the same sums computed from `flows`, so
/// a query gives the same answer on any store, only slower on an old one.
fn pair_totals(
    ctx: &SessionContext,
    flows: Arc<dyn TableProvider>,
    complete: Option<&[PathBuf]>,
    memory: &[Flow],
) -> Result<Arc<dyn TableProvider>> {
    let Some(files) = complete else {
        let keys: Vec<Expr> = KEY_COLUMNS.iter().map(|c| col(*c)).collect();
        let df = ctx
            .read_table(flows)?
            .filter(col("month").is_null())?
            .aggregate(keys, vec![sum(col("value_usd")).alias("value_usd")])?;
        return Ok(df.into_view());
    };
    let mut df = ctx.read_table(listing(files, FLOW_SCHEMA.clone())?)?;
    if !memory.is_empty() {
        let mut t = PairTotals::default();
        t.add(&flows_to_batch(memory))?;
        let batch = t.into_batches().by_exporter;
        let mem = MemTable::try_new(FLOW_SCHEMA.clone(), vec![vec![batch]])?;
        df = df.union(ctx.read_table(Arc::new(mem))?)?;
    }
    let columns: Vec<&str> = KEY_COLUMNS.iter().chain(&["value_usd"]).copied().collect();
    Ok(df.select_columns(&columns)?.into_view())
}

fn listing(
    files: &[PathBuf],
    schema: datafusion::arrow::datatypes::SchemaRef,
) -> Result<Arc<dyn TableProvider>> {
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
