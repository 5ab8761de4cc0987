//! The JSON API, one router module per area. The ledger area is here; trade and briefs get
//! their own modules beside it when their stores land (no routes are added before they work).

pub mod curator;
pub mod ledger;

use axum::routing::get;
use axum::Router;

use crate::error::ApiError;
use crate::state::AppState;

/// Every API route.
pub fn router() -> Router<AppState> {
    ledger::router()
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
