//! Responses in JSON or CSV (`?format=csv`), with the same headers from every endpoint. The
//! bodies are the views of `dyad-view`, as the CLI writes them.

use axum::body::Bytes;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use dyad_view::{View, ViewError};

use crate::error::ApiError;
use crate::params::Format;

/// A view as the answer in the asked format: the view itself as JSON, or its table as CSV.
pub fn answer<V: View + ?Sized>(view: &V, format: Format) -> Result<Response, ApiError> {
    match format {
        Format::Json => json_response(view),
        Format::Csv => Ok(csv_bytes(dyad_view::csv_bytes(view).map_err(failed)?)),
    }
}

/// A view that could not be encoded: a fault of the server.
pub fn failed(e: ViewError) -> ApiError {
    ApiError::internal(e.to_string())
}

/// Wraps CSV bytes in a response with the right content type.
pub fn csv_bytes(bytes: impl Into<Bytes>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
        bytes.into(),
    )
        .into_response()
}

/// Serialises a value as a JSON response (kept here so every endpoint sets the same header).
pub fn json_response<T: serde::Serialize + ?Sized>(value: &T) -> Result<Response, ApiError> {
    let bytes = dyad_view::json_bytes(value).map_err(failed)?;
    Ok(json_bytes(bytes))
}

/// Wraps encoded JSON in a response with the right content type.
pub fn json_bytes(bytes: impl Into<Bytes>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], bytes.into()).into_response()
}
