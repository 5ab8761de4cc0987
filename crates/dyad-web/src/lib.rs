//! dyad-web: the JSON API and the map-first web pages over the ledger and the trade tables
//! (`dyad serve`).
//!
//! - [`api`]: JSON/CSV endpoints, one router module per area, described by [`openapi`];
//! - [`pages`]: server-rendered HTML (map, country–authority with its trade chart, compare,
//!   diff, brief);
//! - [`state`]: an in-memory snapshot for fast reads, the ledger for writes and `known_on`, the
//!   trade tables;
//! - [`brief`]: briefs as `dyad brief` builds them, for the API and the brief page;
//! - [`auth`]: curator bearer tokens.
//!
//! Every asset (script, style sheet, map shapes) is compiled in, so the server works offline
//! and needs no setup.

pub mod api;
pub mod auth;
pub mod brief;
pub mod error;
pub mod limit;
pub mod openapi;
pub mod pages;
pub mod params;
pub mod respond;
pub mod state;
pub mod world;

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::http::{header, HeaderValue, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub use limit::Limits;
pub use state::{AppState, Snapshot};

/// The page script: makes the map's slider recolour in place.
const APP_JS: &str = include_str!("../assets/app.js");
/// The style sheet.
const STYLE_CSS: &str = include_str!("../assets/style.css");

/// Content-Security-Policy of every answer: everything comes from this server, and no inline
/// script or style runs, so even markup that slipped past escaping could not execute.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The whole application: API, pages and static assets over `state`.
pub fn router(state: AppState) -> Router {
    let router = Router::new()
        .merge(pages::router())
        .merge(api::router())
        .route("/static/app.js", get(|| asset("text/javascript", APP_JS)))
        .route("/static/style.css", get(|| asset("text/css", STYLE_CSS)))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(security_headers));
    with_request_log(router).with_state(state)
}

/// One log line per request (`DYAD_LOG`, see `dyad serve --help`): method and target in the
/// span, status and time taken when answered. A 5xx gets no line of its own here: the error's
/// details are logged where they are known ([`error::ApiError::for_client`]).
fn with_request_log(router: Router<AppState>) -> Router<AppState> {
    let layer = tower_http::trace::TraceLayer::new_for_http()
        .make_span_with(|req: &Request<axum::body::Body>| {
            tracing::info_span!("request", method = %req.method(), target = %req.uri())
        })
        .on_request(())
        .on_response(
            |res: &Response, latency: std::time::Duration, _: &tracing::Span| {
                tracing::info!(
                    status = res.status().as_u16(),
                    micros = latency.as_micros() as u64,
                    "answered"
                );
            },
        )
        .on_body_chunk(())
        .on_eos(())
        .on_failure(());
    router.layer(layer)
}

/// An unknown path: a JSON error under `/api/`, a page elsewhere.
async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        api::not_found(uri).await.into_response()
    } else {
        pages::not_found(uri).await.into_response()
    }
}

/// A known path asked with a method it does not take.
async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> Response {
    error::ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        format!("{} does not take {method} requests", uri.path()),
    )
    .into_response()
}

async fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            // Assets change only with a new binary; an hour keeps reloads fast without making
            // an upgrade invisible for long.
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}

async fn security_headers(req: Request<axum::body::Body>, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    res
}

/// As [`serve`], on a runtime of its own: for callers that are not async (the `dyad` CLI).
pub fn serve_blocking(
    addr: SocketAddr,
    home: Option<PathBuf>,
    limits: Limits,
) -> Result<(), ServeError> {
    serve_blocking_on(addr, home, limits, dyad_trade::Engine::Embedded)
}

/// [`serve_blocking`] with the trade tables' SQL run by `engine` (`dyad serve --cluster`).
pub fn serve_blocking_on(
    addr: SocketAddr,
    home: Option<PathBuf>,
    limits: Limits,
    engine: dyad_trade::Engine,
) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| ServeError::Io { addr, error })?;
    runtime.block_on(serve_on(addr, home, limits, engine))
}

/// Errors of [`serve`]. Each message is complete on its own (no separate `source`), so that
/// printing the error chain does not repeat it.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The ledger could not be opened or read.
    #[error("opening the ledger: {0}")]
    Ledger(dyad_ledger::LedgerError),
    /// The address could not be bound or the server failed.
    #[error("serving on {addr}: {error}")]
    Io {
        /// The address asked for.
        addr: SocketAddr,
        /// What failed.
        error: std::io::Error,
    },
}

impl From<dyad_ledger::LedgerError> for ServeError {
    fn from(e: dyad_ledger::LedgerError) -> ServeError {
        ServeError::Ledger(e)
    }
}

/// Opens the ledger in `home` (or the bundled dataset) and serves until Ctrl-C, printing the
/// address once listening. `limits` bound the trade work running and waiting at once.
pub async fn serve(
    addr: SocketAddr,
    home: Option<PathBuf>,
    limits: Limits,
) -> Result<(), ServeError> {
    serve_on(addr, home, limits, dyad_trade::Engine::Embedded).await
}

/// [`serve`] with the trade tables' SQL run by `engine`: on a cluster, every trade answer
/// (series, products, partners, mirror, charts and briefs) is planned and run there.
pub async fn serve_on(
    addr: SocketAddr,
    home: Option<PathBuf>,
    limits: Limits,
    engine: dyad_trade::Engine,
) -> Result<(), ServeError> {
    let ledger = match &home {
        Some(dir) => dyad_ledger::Ledger::open(dir)?,
        None => dyad_ledger::Ledger::bundled()?,
    };
    let state = AppState::with_engine(ledger, limits, engine)?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|error| ServeError::Io { addr, error })?;
    let local = listener
        .local_addr()
        .map_err(|error| ServeError::Io { addr, error })?;
    println!(
        "dyad: serving {} on http://{local}/ (API description at /api/openapi.json)",
        home.as_ref()
            .map_or("the bundled dataset".to_string(), |h| h
                .display()
                .to_string())
    );
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            // If the signal handler cannot be installed, serve until killed.
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
        .await
        .map_err(|error| ServeError::Io { addr, error })
}
