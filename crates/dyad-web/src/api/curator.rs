//! Curator writes: `POST /api/acts` adds or corrects acts, validated by the same code as
//! `dyad import` and kept in the ledger's history under the token's name. A CSV body is
//! imported as a file; a JSON body is mapped field by field to raw acts
//! ([`dyad_core::raw::RawAct`]) and validated by the same function, its problems located as
//! `acts[i].field`.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::MethodRouter;
use dyad_core::raw::RawAct;
use dyad_core::RecordErrors;
use dyad_ledger::{InputFile, LedgerError, Provenance};
use serde::Serialize;
use serde_json::Value;

use crate::error::ApiError;
use crate::params::Params;
use crate::respond::json_response;
use crate::state::AppState;

/// Largest request body taken, in bytes. The bundled dataset of 91 acts is 30 KiB, so this
/// allows thousands of acts per request while bounding the memory a request can hold.
pub const MAX_BODY: usize = 1024 * 1024;

/// The POST half of `/api/acts`, with its body limit.
pub fn post_acts_route() -> MethodRouter<AppState> {
    axum::routing::post(post_acts).layer(DefaultBodyLimit::max(MAX_BODY))
}

/// The answer to a successful write.
#[derive(Serialize)]
struct WriteOut {
    recorded_by: String,
    reason: String,
    #[serde(flatten)]
    report: dyad_ledger::ImportReport,
}

/// `POST /api/acts?reason=...` with a CSV or JSON body.
async fn post_acts(
    State(st): State<AppState>,
    p: Params,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let by = crate::auth::curator(&st, &headers).await?;
    p.strict(&["reason"])?;
    let reason = p
        .required("reason")
        .map_err(|_| {
            ApiError::bad_request(
                "missing parameter `reason`: say why these acts are added or corrected (it is kept in the history)",
            )
        })?
        .to_string();
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "request body is larger than {} KiB; split it",
                    MAX_BODY / 1024
                ),
            )
        } else {
            ApiError::new(e.status(), format!("reading the request body: {e}"))
        }
    })?;
    if body.is_empty() {
        return Err(ApiError::bad_request(
            "the request body is empty: send acts",
        ));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let prov = Provenance {
        by: by.clone(),
        reason: reason.clone(),
    };
    let report = match content_type.as_str() {
        "text/csv" => {
            let file = InputFile {
                name: "request.csv".into(),
                bytes: body.to_vec(),
            };
            st.write_ledger(move |l| Ok(l.import(&[file], &prov)?))
                .await?
        }
        "application/json" => {
            let texts = json_acts(&body)?;
            st.write_ledger(move |l| {
                let raws: Vec<RawAct<'_>> = texts.iter().map(|t| t.raw()).collect();
                match l.import_records("acts", &raws, &prov) {
                    Ok(r) => Ok(r),
                    Err(LedgerError::Records(errors)) => Err(record_errors(&errors)),
                    Err(e) => Err(e.into()),
                }
            })
            .await?
        }
        other => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "content type `{other}` is not taken: send text/csv (the `dyad import` format) or application/json (an array of acts)"
                ),
            ))
        }
    };
    json_response(&WriteOut {
        recorded_by: by,
        reason,
        report,
    })
}

/// Fields a JSON act may have: those of a raw act, and their aliases.
fn json_fields() -> Vec<&'static str> {
    RawAct::FIELDS
        .iter()
        .chain(RawAct::ALIASES.iter().map(|(alias, _)| alias))
        .copied()
        .collect()
}

/// The text of one JSON act's fields, by key; [`ActTexts::raw`] borrows it as a [`RawAct`].
struct ActTexts(Vec<(String, String)>);

impl ActTexts {
    fn raw(&self) -> RawAct<'_> {
        let mut raw = RawAct::default();
        for (key, value) in &self.0 {
            raw.set(key, value);
        }
        raw
    }
}

/// Reads a JSON array of acts, mapping each object's fields to the fields of a raw act (a
/// string, or null for none; `level` may be a number). Problems of shape (not an array, not an
/// object, an unknown field, a value of the wrong type) are all reported, located as
/// `acts[i]` or `acts[i].field`; what the values mean is checked by the ledger's import.
fn json_acts(body: &[u8]) -> Result<Vec<ActTexts>, ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?;
    let Value::Array(items) = value else {
        return Err(ApiError::bad_request(
            "expected a JSON array of acts, e.g. [{\"date\": \"2023-04-17\", \"actor\": \"KAZ\", ...}]",
        ));
    };
    if items.is_empty() {
        return Err(ApiError::bad_request("the array of acts is empty"));
    }
    let mut problems = Vec::new();
    let mut acts = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let Value::Object(obj) = item else {
            problems.push(format!("acts[{i}]: expected an object"));
            continue;
        };
        let mut texts = Vec::with_capacity(obj.len());
        for (key, v) in obj {
            if !RawAct::default().set(&key, "") {
                problems.push(format!(
                    "acts[{i}]: unknown field `{key}`; acts have: {}",
                    json_fields().join(", ")
                ));
                continue;
            }
            let text = match v {
                Value::String(s) => s,
                Value::Null => String::new(),
                Value::Number(n) if key == "level" => n.to_string(),
                _ => {
                    problems.push(format!("acts[{i}].{key}: expected a string"));
                    continue;
                }
            };
            texts.push((key, text));
        }
        acts.push(ActTexts(texts));
    }
    if !problems.is_empty() {
        return Err(ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: format!(
                "{} problem{} found; nothing was changed",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            ),
            problems,
        });
    }
    Ok(acts)
}

/// The ledger's refusal of JSON acts as a 422, every problem as `acts[i].field: message`.
fn record_errors(errors: &RecordErrors) -> ApiError {
    ApiError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        message: errors
            .to_string()
            .lines()
            .next()
            .unwrap_or_default()
            .to_string(),
        problems: errors.0.iter().map(ToString::to_string).collect(),
    }
}
