//! The JSON API, one router module per area: the ledger (with curator writes), trade, briefs.

pub mod brief;
pub mod curator;
pub mod ledger;
pub mod trade;

use axum::routing::get;
use axum::Router;

use crate::error::ApiError;
use crate::state::AppState;

/// Every API route.
pub fn router() -> Router<AppState> {
    ledger::router()
        .merge(trade::router())
        .route("/api/brief", get(brief::brief))
        .route(
            "/api/acts",
            get(ledger::list_acts).merge(curator::post_acts_route()),
        )
        .route("/api/openapi.json", get(crate::openapi::document))
}

/// The answer for an unknown path under `/api/`.
pub async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(format!(
        "no endpoint at {}; see /api/openapi.json for the list",
        uri.path()
    ))
}
