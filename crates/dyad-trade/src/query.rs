//! Queries over the trade tables with DataFusion: `flows`, `products`, `countries`, `areas`.
//!
//! The same SQL runs on a cluster (Ballista) because the store is plain Parquet. Without a store,
//! `flows` holds the bundled reported figures, so the Afghanistan case has real numbers out of the
//! box; with one, the bundled figures are added unless the store holds its own copy of them.
//!
//! Sums never mix levels of aggregation: Comtrade files may carry a `TOTAL` row beside 2-, 4- or
//! 6-digit rows for the same flow, so each group keeps only its lowest product level. Monthly
//! rows are left out of these queries (they are in `flows` for `dyad sql`).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use datafusion::arrow::array::RecordBatch;
use datafusion::execution::context::SQLOptions;
use datafusion::prelude::SessionContext;
use dyad_core::Registry;

use crate::codes::{resolve_country, AreaCodes};
use crate::engine::Engine;
use crate::error::{Result, TradeError};
use crate::flow::Flow;
use crate::pair::{self, PairIndex, PairQuery, ProductSums};
use crate::tables;

/// An inclusive range of years.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Years {
    /// First year.
    pub from: i32,
    /// Last year.
    pub to: i32,
}

impl Years {
    /// The one year `year`.
    pub fn single(year: i32) -> Years {
        Years {
            from: year,
            to: year,
        }
    }

    /// Parses `2019-2023` or a single year `2022`.
    pub fn parse(text: &str) -> Result<Years, String> {
        let bad = || format!("`{text}` is not a year range such as 2019-2023");
        let (a, b) = text.split_once('-').unwrap_or((text, text));
        let year = |s: &str| {
            s.trim()
                .parse::<i32>()
                .ok()
                .filter(|y| (1900..=2100).contains(y))
        };
        let (from, to) = (year(a).ok_or_else(bad)?, year(b).ok_or_else(bad)?);
        if from > to {
            return Err(bad());
        }
        Ok(Years { from, to })
    }
}

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
/// One-dyad questions (`products`, `products_by_year`) take a fast path that reads the Parquet
/// files directly (see [`crate::pair`]); everything else, and `dyad sql`, goes through
/// DataFusion. The fast path's footers and page indexes are read on its first use and kept, so
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
    names: OnceLock<Result<pair::Names, String>>,
}

impl std::fmt::Debug for TradeDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TradeDb")
            .field("store_rows", &self.store_rows)
            .finish_non_exhaustive()
    }
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

impl TradeDb {
    /// Opens the store of `home` (if any) plus the bundled reported figures, for queries in this
    /// process.
    pub fn open(home: Option<&Path>, registry: &Registry) -> Result<TradeDb> {
        TradeDb::open_on(home, registry, Engine::Embedded)
    }

    /// [`TradeDb::open`] with the tables registered in a session of `engine`: with a cluster,
    /// every answer is SQL planned and run there (the one-dyad fast path is not used).
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

    /// The fast path's index, read on first use; `None` (use SQL) on a cluster, where every
    /// answer must come from the cluster.
    fn pair_index(&self) -> Result<Option<&PairIndex>> {
        if !self.engine.is_embedded() {
            return Ok(None);
        }
        let loaded = self.pair_index.get_or_init(|| {
            match PairIndex::load(&self.flow_files, self.memory.clone()) {
                Ok(Ok(index)) => Ok(Some(index)),
                Ok(Err(pair::Unsupported)) => Ok(None),
                Err(e) => Err(e.to_string()),
            }
        });
        match loaded {
            Ok(index) => Ok(index.as_ref()),
            Err(e) => Err(TradeError::Other(e.clone())),
        }
    }

    /// Product names, read on first use.
    fn names(&self) -> Result<&pair::Names> {
        let loaded = self
            .names
            .get_or_init(|| pair::load_names(&self.product_files).map_err(|e| e.to_string()));
        loaded.as_ref().map_err(|e| TradeError::Other(e.clone()))
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

    /// Both directions of trade between two countries, by year, source and reporter.
    pub fn series(&self, a: &str, b: &str, years: Option<Years>) -> Result<Vec<RecordBatch>> {
        let (a, b) = (self.country(a)?, self.country(b)?);
        let (qa, qb) = (quote(&a), quote(&b));
        let years = year_filter(years);
        self.sql(&format!(
            "WITH g AS (
               SELECT year, source, classification, reporter, flow, exporter, importer,
                      product_level, source_url, sum(value_usd) AS value_usd
               FROM flows
               WHERE ((exporter = {qa} AND importer = {qb}) OR (exporter = {qb} AND importer = {qa}))
                 AND month IS NULL {years}
               GROUP BY year, source, classification, reporter, flow, exporter, importer,
                        product_level, source_url),
             m AS (
               SELECT *, min(product_level) OVER (PARTITION BY year, source, classification,
                        reporter, flow, exporter, importer, source_url) AS lowest
               FROM g)
             SELECT year, exporter, importer, flow, value_usd, source, classification, reporter,
                    source_url
             FROM m WHERE product_level = lowest
             ORDER BY year, source, exporter, flow, reporter, source_url"
        ))
    }

    /// What `exporter` sold to `importer` in a year, by product at 2, 4 or 6 digits, with names:
    /// `product, name, value_usd, share, classification, reporter`, one block per
    /// classification and reporter, largest first. Where a source has rows at several product
    /// levels only the lowest level at or above `level` is summed, so levels never mix.
    pub fn products(
        &self,
        exporter: &str,
        importer: &str,
        year: i32,
        level: u8,
        source: &str,
    ) -> Result<Vec<RecordBatch>> {
        let years = Some(Years::single(year));
        without_year(self.products_by_year(exporter, importer, years, level, source)?)
    }

    /// [`TradeDb::products`] for every year (or the years given), with a `year` column first:
    /// `year, product, name, value_usd, share, classification, reporter`, ordered by year, then
    /// as `products`. Answered by the fast path (see [`crate::pair`]); the same answer as
    /// [`TradeDb::products_by_year_sql`].
    pub fn products_by_year(
        &self,
        exporter: &str,
        importer: &str,
        years: Option<Years>,
        level: u8,
        source: &str,
    ) -> Result<Vec<RecordBatch>> {
        check_level(level)?;
        let (e, i) = (self.country(exporter)?, self.country(importer)?);
        let Some(index) = self.pair_index()? else {
            return self.products_by_year_sql(exporter, importer, years, level, source);
        };
        let q = PairQuery {
            exporter: &e,
            importer: &i,
            years,
            source: Some(source),
            fold: Some(usize::from(level)),
        };
        let parts = index.scan(
            &q,
            || ProductSums::new(level),
            |a, r| a.add(r),
            ProductSums::finish,
        )?;
        let sums = ProductSums::merge(parts);
        if sums.is_empty() {
            // As the SQL path: no batch at all when nothing matches.
            return Ok(Vec::new());
        }
        Ok(vec![pair::products_batch(sums, self.names()?, true)?])
    }

    /// [`TradeDb::products_by_year`] through DataFusion SQL: the reference the fast path is
    /// tested against.
    pub fn products_by_year_sql(
        &self,
        exporter: &str,
        importer: &str,
        years: Option<Years>,
        level: u8,
        source: &str,
    ) -> Result<Vec<RecordBatch>> {
        check_level(level)?;
        let (e, i) = (
            quote(&self.country(exporter)?),
            quote(&self.country(importer)?),
        );
        let s = quote(source);
        let years = year_filter(years);
        self.sql(&format!(
            "WITH f AS (
               SELECT year, classification, reporter, product_level,
                      substr(product, 1, {level}) AS code, sum(value_usd) AS value_usd
               FROM flows
               WHERE exporter = {e} AND importer = {i} AND source = {s} {years}
                 AND month IS NULL AND product_level >= {level} AND flow IN ('X', 'M')
               GROUP BY year, classification, reporter, product_level,
                        substr(product, 1, {level})),
             m AS (SELECT *, min(product_level) OVER (PARTITION BY year, classification, reporter)
                     AS lowest FROM f),
             names AS (SELECT classification, code, max(description) AS name FROM products
                       GROUP BY classification, code)
             SELECT m.year, m.code AS product, names.name, m.value_usd,
                    m.value_usd / sum(m.value_usd) OVER (PARTITION BY m.year, m.classification,
                        m.reporter) AS share,
                    m.classification, m.reporter
             FROM m LEFT JOIN names
               ON names.classification = m.classification AND names.code = m.code
             WHERE m.product_level = m.lowest
             ORDER BY m.year, m.classification, m.reporter, m.value_usd DESC, m.code"
        ))
    }

    /// [`TradeDb::products`] through DataFusion SQL (the reference of the fast path).
    pub fn products_sql(
        &self,
        exporter: &str,
        importer: &str,
        year: i32,
        level: u8,
        source: &str,
    ) -> Result<Vec<RecordBatch>> {
        let years = Some(Years::single(year));
        without_year(self.products_by_year_sql(exporter, importer, years, level, source)?)
    }

    /// A country's partners over some years: values and shares of its total, largest first.
    pub fn partners(
        &self,
        country: &str,
        direction: Direction,
        years: Years,
        top: usize,
        source: &str,
    ) -> Result<Vec<RecordBatch>> {
        let c = quote(&self.country(country)?);
        let (own, other, flow) = match direction {
            Direction::Export => ("exporter", "importer", "X"),
            Direction::Import => ("importer", "exporter", "M"),
        };
        // BACI's reconciled rows are all exports; Comtrade's must be the country's own
        // declarations of the chosen flow.
        let who = match source {
            "baci" => String::new(),
            _ => format!("AND reporter = {c} AND flow = '{flow}'"),
        };
        let s = quote(source);
        let (y0, y1) = (years.from, years.to);
        self.sql(&format!(
            "WITH g AS (
               SELECT year, {other} AS partner, {other}_code AS partner_code, product_level,
                      sum(value_usd) AS value_usd
               FROM flows
               WHERE {own} = {c} AND source = {s} AND month IS NULL
                 AND year BETWEEN {y0} AND {y1} {who}
               GROUP BY year, {other}, {other}_code, product_level),
             m AS (SELECT *, min(product_level) OVER (PARTITION BY year, partner, partner_code)
                     AS lowest FROM g),
             p AS (SELECT partner, partner_code, sum(value_usd) AS value_usd FROM m
                   WHERE product_level = lowest GROUP BY partner, partner_code),
             t AS (SELECT partner, max(partner_code) AS partner_code, sum(value_usd) AS value_usd
                   FROM p GROUP BY partner),
             r AS (SELECT partner, partner_code, value_usd,
                          value_usd / sum(value_usd) OVER () AS share FROM t)
             SELECT coalesce(r.partner, 'area ' || CAST(r.partner_code AS VARCHAR)) AS partner,
                    coalesce(countries.name, areas.name) AS name, r.value_usd, r.share
             FROM r LEFT JOIN countries ON countries.code = r.partner
                    LEFT JOIN areas ON r.partner IS NULL AND areas.code = r.partner_code
             ORDER BY r.value_usd DESC, partner
             LIMIT {top}"
        ))
    }

    /// Exporter-reported exports against importer-reported imports (Comtrade), by year where
    /// both exist: ratio imports/exports and gap imports − exports (imports are CIF, exports
    /// FOB, so a ratio a little above 1 is expected), with BACI's reconciled value beside them.
    pub fn mirror(
        &self,
        exporter: &str,
        importer: &str,
        years: Option<Years>,
    ) -> Result<Vec<RecordBatch>> {
        let (e, i) = (
            quote(&self.country(exporter)?),
            quote(&self.country(importer)?),
        );
        let years = year_filter(years);
        self.sql(&format!(
            "WITH g AS (
               SELECT year, flow, product_level, sum(value_usd) AS value_usd
               FROM flows
               WHERE exporter = {e} AND importer = {i} AND month IS NULL {years}
                 AND source = 'comtrade'
                 AND ((reporter = {e} AND flow = 'X') OR (reporter = {i} AND flow = 'M'))
               GROUP BY year, flow, product_level),
             m AS (SELECT *, min(product_level) OVER (PARTITION BY year, flow) AS lowest FROM g),
             x AS (SELECT year,
                          sum(CASE WHEN flow = 'X' THEN value_usd END) AS exports_reported,
                          sum(CASE WHEN flow = 'M' THEN value_usd END) AS imports_reported
                   FROM m WHERE product_level = lowest GROUP BY year),
             b AS (SELECT year, sum(value_usd) AS baci FROM flows
                   WHERE exporter = {e} AND importer = {i} AND source = 'baci' {years}
                   GROUP BY year)
             SELECT x.year, x.exports_reported, x.imports_reported,
                    x.imports_reported / x.exports_reported AS ratio,
                    x.imports_reported - x.exports_reported AS gap, b.baci
             FROM x LEFT JOIN b ON b.year = x.year
             WHERE x.exports_reported IS NOT NULL AND x.imports_reported IS NOT NULL
             ORDER BY x.year"
        ))
    }
}

fn check_level(level: u8) -> Result<()> {
    if matches!(level, 2 | 4 | 6) {
        Ok(())
    } else {
        Err(TradeError::Other(format!(
            "level {level}: expected 2, 4 or 6 digits"
        )))
    }
}

fn year_filter(years: Option<Years>) -> String {
    years.map_or_else(String::new, |y| {
        format!("AND year BETWEEN {} AND {}", y.from, y.to)
    })
}

/// The rows of a one-year `products_by_year` answer without its first column, which holds that
/// year on every row.
fn without_year(batches: Vec<RecordBatch>) -> Result<Vec<RecordBatch>> {
    batches
        .iter()
        .map(|b| {
            let keep: Vec<usize> = (1..b.num_columns()).collect();
            Ok(b.project(&keep)?)
        })
        .collect()
}
