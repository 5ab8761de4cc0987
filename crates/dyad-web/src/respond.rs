//! Responses in JSON or CSV (`?format=csv`), with the same headers from every endpoint.

use axum::body::Bytes;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// Writes a header and rows as a `text/csv` response.
pub fn csv_response<I, R, S>(headers: &[&str], rows: I) -> Result<Response, ApiError>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = S>,
    S: AsRef<[u8]>,
{
    Ok(csv_bytes(csv_body(headers, rows)?))
}

/// Encodes a header and rows as CSV.
pub fn csv_body<I, R, S>(headers: &[&str], rows: I) -> Result<Vec<u8>, ApiError>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = S>,
    S: AsRef<[u8]>,
{
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| ApiError::internal(format!("writing CSV: {e}"));
    w.write_record(headers).map_err(fail)?;
    for row in rows {
        w.write_record(row).map_err(fail)?;
    }
    w.into_inner()
        .map_err(|e| ApiError::internal(format!("writing CSV: {e}")))
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
pub fn json_response<T: serde::Serialize>(value: &T) -> Result<Response, ApiError> {
    let bytes =
        serde_json::to_vec(value).map_err(|e| ApiError::internal(format!("writing JSON: {e}")))?;
    Ok(json_bytes(bytes))
}

/// Wraps encoded JSON in a response with the right content type.
pub fn json_bytes(bytes: impl Into<Bytes>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], bytes.into()).into_response()
}
