//! The DataFusion queries: series, partners, mirror and the products query as SQL, the
//! references the fast paths are tested against, and their answer where the fast path cannot
//! read the store. Each is awaited on the caller's runtime.

use datafusion::arrow::array::RecordBatch;

use super::{Declarer, Direction, TradeDb, Years};
use crate::error::{Result, TradeError};

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

impl TradeDb {
    /// [`TradeDb::series`] through DataFusion SQL: the reference the fast path is tested
    /// against.
    pub async fn series_sql(
        &self,
        a: &str,
        b: &str,
        years: Option<Years>,
    ) -> Result<Vec<RecordBatch>> {
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
        .await
    }
    /// [`TradeDb::products_by_year`] through DataFusion SQL: the reference the fast path is
    /// tested against.
    pub async fn products_by_year_sql(
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
        .await
    }

    /// [`TradeDb::products`] through DataFusion SQL (the reference of the fast path).
    pub async fn products_sql(
        &self,
        exporter: &str,
        importer: &str,
        year: i32,
        level: u8,
        source: &str,
    ) -> Result<Vec<RecordBatch>> {
        let years = Some(Years::single(year));
        without_year(
            self.products_by_year_sql(exporter, importer, years, level, source)
                .await?,
        )
    }

    /// [`TradeDb::partners`] through DataFusion SQL: the reference the fast path is tested
    /// against.
    pub async fn partners_sql(
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
        .await
    }

    /// [`TradeDb::partner_series`] through DataFusion SQL: the reference the fast path is
    /// tested against.
    pub async fn partner_series_sql(
        &self,
        country: &str,
        direction: Direction,
        declarer: Declarer,
    ) -> Result<Vec<RecordBatch>> {
        let c = quote(&self.country(country)?);
        let (own, other) = match direction {
            Direction::Export => ("exporter", "importer"),
            Direction::Import => ("importer", "exporter"),
        };
        let who = match declarer {
            Declarer::Baci => "source = 'baci'",
            Declarer::Importer => "source = 'comtrade' AND flow = 'M' AND reporter = importer",
            Declarer::Exporter => "source = 'comtrade' AND flow = 'X' AND reporter = exporter",
        };
        self.sql(&format!(
            "WITH g AS (
               SELECT {other} AS partner, year, product_level, sum(value_usd) AS value_usd
               FROM flows
               WHERE {own} = {c} AND {other} IS NOT NULL AND {who} AND month IS NULL
               GROUP BY {other}, year, product_level),
             m AS (SELECT *, min(product_level) OVER (PARTITION BY partner, year) AS lowest
                   FROM g)
             SELECT partner, year, value_usd FROM m WHERE product_level = lowest
             ORDER BY partner, year"
        ))
        .await
    }

    /// [`TradeDb::mirror`] through DataFusion SQL: the reference the fast path is tested
    /// against.
    pub async fn mirror_sql(
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
        .await
    }
}

/// Refuses a product level other than 2, 4 or 6 digits.
pub(super) fn check_level(level: u8) -> Result<()> {
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
pub(super) fn without_year(batches: Vec<RecordBatch>) -> Result<Vec<RecordBatch>> {
    batches
        .iter()
        .map(|b| {
            let keep: Vec<usize> = (1..b.num_columns()).collect();
            Ok(b.project(&keep)?)
        })
        .collect()
}
