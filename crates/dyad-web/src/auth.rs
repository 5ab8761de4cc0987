//! Curator authentication: `Authorization: Bearer TOKEN`, checked against the hashes the ledger
//! keeps (`dyad token create NAME`). Reads need no token.
//!
//! Why this is CSRF-safe: the token travels only in the `Authorization` header, which a browser
//! never adds by itself to a cross-site request (unlike a cookie), and the write endpoint takes
//! only `text/csv` or `application/json` bodies, which a plain HTML form cannot send as JSON and
//! which a cross-site `fetch` can only send after a CORS preflight this server never grants.

use axum::http::{header, HeaderMap, StatusCode};

use crate::error::ApiError;
use crate::state::AppState;

/// Checks the request's bearer token and returns the token's name (401 without a token, 403
/// with one that is unknown or revoked).
pub async fn curator(state: &AppState, headers: &HeaderMap) -> Result<String, ApiError> {
    let value = headers.get(header::AUTHORIZATION).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "writing needs a curator token: send `Authorization: Bearer TOKEN` (create one with `dyad token create NAME`)",
        )
    })?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "the Authorization header must read `Bearer TOKEN`",
            )
        })?
        .to_string();
    if !state.has_home() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "this server answers from the bundled dataset, which takes no writes; start it on a home with `dyad serve --home DIR`",
        ));
    }
    let name = state
        .with_ledger(move |l| l.token_name(&token).map_err(ApiError::from))
        .await?;
    name.ok_or_else(|| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "the token is not valid or has been revoked (see `dyad token list`)",
        )
    })
}
