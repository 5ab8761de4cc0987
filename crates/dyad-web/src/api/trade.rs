//! Trade endpoints: series, products, partners and mirror, answered by the same `TradeDb`
//! queries as `dyad trade series|products|partners|mirror`, on the same tables (the home's
//! store plus the bundled reported figures, or the bundled figures alone). Each answers JSON,
//! or CSV with `?format=csv`.
//!
//! Parameters are checked before any query runs, so a bad one is a 400 naming it (an unknown
//! country of the right shape a 404); an error from the query engine after that is a fault of
//! the server (500).

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use dyad_trade::{Direction, TradeDb, Years};
use dyad_view::trade::{
    years_text, MirrorView, PartnersView, ProductsView, Rows, SeriesView, MIRROR_COLUMNS,
    PARTNERS_COLUMNS, PRODUCTS_COLUMNS, SERIES_COLUMNS,
};

use crate::error::ApiError;
use crate::params::Params;
use crate::respond::{answer, failed};
use crate::state::AppState;

/// The trade routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/trade/series", get(series))
        .route("/api/trade/products", get(products))
        .route("/api/trade/partners", get(partners))
        .route("/api/trade/mirror", get(mirror))
}

/// Most partners `top` may ask for: more would only make a long answer, as every country has
/// fewer partners than this.
const MAX_TOP: usize = 300;

/// A country parameter resolved to its ISO alpha-3 code (as the CLI resolves it: an ISO code in
/// any case, or an area number such as 398).
///
/// A code of the right shape (three letters, or an area number of up to three digits) that
/// names no country is a 404, like an unknown actor; anything else is a 400.
fn country(db: &TradeDb, p: &Params, name: &str) -> Result<String, ApiError> {
    let text = p.required(name)?;
    let shaped = (text.len() == 3 && text.bytes().all(|b| b.is_ascii_alphabetic()))
        || ((1..=3).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()));
    if !shaped {
        return Err(ApiError::bad_request(format!(
            "parameter `{name}`: `{text}` is not a country code (ISO alpha-3 such as KAZ, or an area number such as 398)"
        )));
    }
    db.country(text)
        .map_err(|e| ApiError::not_found(format!("parameter `{name}`: {e}")))
}

/// A year from 1900 to 2100 written as four digits (the range `Years::parse` takes).
fn year_number(text: &str) -> Option<i32> {
    if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|y| (1900..=2100).contains(y))
}

/// Fails on the first of `names` that is missing, before any trade table is touched.
fn required(p: &Params, names: &[&str]) -> Result<(), ApiError> {
    names.iter().try_for_each(|n| p.required(n).map(|_| ()))
}

/// `years=2019-2023` or `years=2022`: exactly the grammar of the OpenAPI description
/// (four-digit years from 1900 to 2100). A range is the years between its ends, written in
/// either order; the answer gives it in order.
fn years(p: &Params, name: &str) -> Result<Option<Years>, ApiError> {
    p.get(name)
        .map(|t| {
            let (a, b) = t.split_once('-').unwrap_or((t, t));
            match (year_number(a), year_number(b)) {
                (Some(a), Some(b)) => Ok(Years {
                    from: a.min(b),
                    to: a.max(b),
                }),
                _ => Err(ApiError::bad_request(format!(
                    "parameter `{name}`: `{t}` is not a year range such as 2019-2023 (years 1900 to 2100)"
                ))),
            }
        })
        .transpose()
}

/// `source=baci|comtrade`, BACI when absent (the CLI's default).
fn source(p: &Params) -> Result<&'static str, ApiError> {
    match p.get("source") {
        None | Some("baci") => Ok("baci"),
        Some("comtrade") => Ok("comtrade"),
        Some(other) => Err(ApiError::bad_request(format!(
            "parameter `source`: `{other}` is not a source; use baci or comtrade"
        ))),
    }
}

fn query_failed(e: dyad_trade::TradeError) -> ApiError {
    ApiError::internal(format!("trade query failed: {e}"))
}

/// Query results as the rows of an answer with exactly `columns` (as the CLI writes them).
fn rows(
    batches: &[dyad_trade::datafusion::arrow::array::RecordBatch],
    columns: &[&str],
) -> Result<Rows, ApiError> {
    Rows::new(batches, Some(columns)).map_err(failed)
}

/// `GET /api/trade/series?a=&b=&years=`: both directions of trade between two countries, by
/// year, source and reporter (as `dyad trade series A B`).
async fn series(State(st): State<AppState>, p: Params) -> Result<Response, ApiError> {
    p.strict(&["a", "b", "years"])?;
    let format = p.format()?;
    let years = years(&p, "years")?;
    required(&p, &["a", "b"])?;
    let out = st
        .with_trade(move |db| {
            let (a, b) = (country(db, &p, "a")?, country(db, &p, "b")?);
            let batches = db.series(&a, &b, years).map_err(query_failed)?;
            Ok(SeriesView {
                a,
                b,
                years: years_text(years),
                store_rows: db.store_rows(),
                rows: rows(&batches, &SERIES_COLUMNS)?,
            })
        })
        .await?;
    answer(&out, format)
}

/// `GET /api/trade/products?exporter=&importer=&year=&level=&source=`: what one country sold
/// another in a year, by HS product, with names and shares (as `dyad trade products`).
async fn products(State(st): State<AppState>, p: Params) -> Result<Response, ApiError> {
    p.strict(&["exporter", "importer", "year", "level", "source"])?;
    let format = p.format()?;
    let year_text = p.required("year")?;
    let year = match year_number(year_text) {
        Some(y) => y,
        None => {
            return Err(ApiError::bad_request(format!(
                "parameter `year`: `{year_text}` is not a year such as 2022"
            )))
        }
    };
    let level = match p.get("level") {
        None => 6,
        Some("2") => 2,
        Some("4") => 4,
        Some("6") => 6,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "parameter `level`: `{other}` is not 2, 4 or 6 (HS digits)"
            )))
        }
    };
    let source = source(&p)?;
    required(&p, &["exporter", "importer"])?;
    let out = st
        .with_trade(move |db| {
            let (exporter, importer) = (country(db, &p, "exporter")?, country(db, &p, "importer")?);
            let batches = db
                .products(&exporter, &importer, year, level, source)
                .map_err(query_failed)?;
            Ok(ProductsView {
                exporter,
                importer,
                year,
                level,
                source: source.to_string(),
                store_rows: db.store_rows(),
                rows: rows(&batches, &PRODUCTS_COLUMNS)?,
            })
        })
        .await?;
    answer(&out, format)
}

/// `GET /api/trade/partners?country=&flow=&years=&top=&source=`: a country's main partners
/// over some years, with their shares (as `dyad trade partners`).
async fn partners(State(st): State<AppState>, p: Params) -> Result<Response, ApiError> {
    p.strict(&["country", "flow", "years", "top", "source"])?;
    let format = p.format()?;
    let (flow, direction) = match p.get("flow") {
        None | Some("export") => ("export", Direction::Export),
        Some("import") => ("import", Direction::Import),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "parameter `flow`: `{other}` is not a flow; use export or import"
            )))
        }
    };
    p.required("years")?;
    let years = years(&p, "years")?.expect("checked present");
    let top = match p.get("top") {
        None => 10,
        // Digits only: `+5` or ` 5` would parse, but the description says an integer.
        Some(t) => Some(t)
            .filter(|t| t.len() <= 3 && t.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|t| t.parse::<usize>().ok())
            .filter(|n| (1..=MAX_TOP).contains(n))
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "parameter `top`: `{t}` is not a number from 1 to {MAX_TOP}"
                ))
            })?,
    };
    let source = source(&p)?;
    required(&p, &["country"])?;
    let out = st
        .with_trade(move |db| {
            let country = country(db, &p, "country")?;
            let batches = db
                .partners(&country, direction, years, top, source)
                .map_err(query_failed)?;
            Ok(PartnersView {
                country,
                flow: flow.to_string(),
                years: years_text(Some(years)).expect("some"),
                top,
                source: source.to_string(),
                store_rows: db.store_rows(),
                rows: rows(&batches, &PARTNERS_COLUMNS)?,
            })
        })
        .await?;
    answer(&out, format)
}

/// `GET /api/trade/mirror?exporter=&importer=&years=`: the exporter's declared exports against
/// the importer's declared imports (UN Comtrade), by year where both exist (as `dyad trade
/// mirror`).
async fn mirror(State(st): State<AppState>, p: Params) -> Result<Response, ApiError> {
    p.strict(&["exporter", "importer", "years"])?;
    let format = p.format()?;
    let years = years(&p, "years")?;
    required(&p, &["exporter", "importer"])?;
    let out = st
        .with_trade(move |db| {
            let (exporter, importer) = (country(db, &p, "exporter")?, country(db, &p, "importer")?);
            let batches = db
                .mirror(&exporter, &importer, years)
                .map_err(query_failed)?;
            Ok(MirrorView {
                exporter,
                importer,
                years: years_text(years),
                store_rows: db.store_rows(),
                rows: rows(&batches, &MIRROR_COLUMNS)?,
            })
        })
        .await?;
    answer(&out, format)
}
