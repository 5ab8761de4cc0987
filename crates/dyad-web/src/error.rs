//! Errors that become HTTP responses: a status and a message that names what was wrong.
//!
//! The API answers with JSON `{"error": "...", "problems": [...]}`; pages render the same message
//! as HTML (see [`crate::pages::PageError`]). Bad input is always a 4xx; a 500 means a fault in
//! the server or its database, never a bad parameter.
//!
//! A 500's message is for the operator, not the client: it may name files of the home, SQL or
//! the store's layout. [`ApiError::for_client`] logs it under a number and answers with that
//! number only, so that a user can quote it and the operator find it in the log.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

/// An error answer.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// What was wrong, in one sentence.
    pub message: String,
    /// Each problem found, for input that has several (`request.csv:3:1: date: ...`).
    pub problems: Vec<String>,
}

/// The JSON body of an error.
#[derive(Serialize)]
struct Body<'a> {
    error: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    problems: &'a [String],
}

impl ApiError {
    /// An error with a status and message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            problems: Vec::new(),
        }
    }

    /// 400: a parameter is missing or malformed.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    /// 404: the thing asked for does not exist.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    /// 500: a fault of the server or its database.
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

/// Numbers the internal errors of this process, for the log and the answer.
static INCIDENTS: AtomicU64 = AtomicU64::new(1);

impl ApiError {
    /// What a client may see of this error. A fault of the server (a 5xx other than the query
    /// gate's 503, whose message is meant for the client) is logged with its details and
    /// answered with its incident number only; any other error is returned as it is.
    pub fn for_client(self) -> ApiError {
        if !self.status.is_server_error() || self.status == StatusCode::SERVICE_UNAVAILABLE {
            return self;
        }
        let incident = INCIDENTS.fetch_add(1, Ordering::Relaxed);
        tracing::error!(
            incident,
            status = self.status.as_u16(),
            problems = ?self.problems,
            "internal error: {}",
            self.message
        );
        ApiError::new(
            self.status,
            format!(
                "internal error {incident}: the server could not answer this request; \
                 its log has the details under that number"
            ),
        )
    }
}

impl From<dyad_ledger::LedgerError> for ApiError {
    fn from(e: dyad_ledger::LedgerError) -> ApiError {
        match e {
            dyad_ledger::LedgerError::Input(errors) => ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                message: errors
                    .to_string()
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                problems: errors.0.iter().map(ToString::to_string).collect(),
            },
            other => {
                // Name the cause too: the ledger's own message for SQL errors is only a label.
                let mut message = other.to_string();
                let mut source = std::error::Error::source(&other);
                while let Some(s) = source {
                    message.push_str(&format!(": {s}"));
                    source = s.source();
                }
                ApiError::internal(message)
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let this = self.for_client();
        let body = Body {
            error: &this.message,
            problems: &this.problems,
        };
        let mut response = (this.status, Json(body)).into_response();
        if this.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"dyad\""),
            );
        }
        if this.status == StatusCode::SERVICE_UNAVAILABLE {
            // Only the query gate answers 503, and a slot is usually free within a second.
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("1"),
            );
        }
        response
    }
}
