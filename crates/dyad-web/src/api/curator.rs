//! Curator writes: `POST /api/acts` adds or corrects acts, validated by the same code as
//! `dyad import` and kept in the ledger's history under the token's name.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::MethodRouter;
use dyad_core::acts_csv::ACT_COLUMNS;
use dyad_core::InputErrors;
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
    let (file, json_lines) = match content_type.as_str() {
        "text/csv" => (
            InputFile {
                name: "request.csv".into(),
                bytes: body.to_vec(),
            },
            None,
        ),
        "application/json" => {
            let (bytes, lines) = json_to_csv(&body)?;
            (
                InputFile {
                    name: "request.json".into(),
                    bytes,
                },
                Some(lines),
            )
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
    let prov = Provenance {
        by: by.clone(),
        reason: reason.clone(),
    };
    let report = st
        .write_ledger(move |l| match l.import(&[file], &prov) {
            Ok(r) => Ok(r),
            Err(LedgerError::Input(errors)) => Err(match &json_lines {
                Some(lines) => json_errors(errors, lines),
                None => LedgerError::Input(errors).into(),
            }),
            Err(e) => Err(e.into()),
        })
        .await?;
    json_response(&WriteOut {
        recorded_by: by,
        reason,
        report,
    })
}

/// Fields a JSON act may have: the columns of an acts file.
fn json_fields() -> Vec<&'static str> {
    ACT_COLUMNS
        .required
        .iter()
        .chain(ACT_COLUMNS.optional)
        .chain(ACT_COLUMNS.aliases.iter().map(|(alias, _)| alias))
        .copied()
        .collect()
}

/// Turns a JSON array of acts into an acts CSV, so it goes through exactly the validation of
/// `dyad import`. Returns the CSV and, for each element, the line its row starts on (a quoted
/// field may span lines), to point errors back at `acts[i]`.
fn json_to_csv(body: &[u8]) -> Result<(Vec<u8>, Vec<u64>), ApiError> {
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
    let fields = json_fields();
    // The acts CSV's own columns: the JSON is turned into that CSV and read by the importer.
    let columns = dyad_core::acts_csv::EXPORT_HEADER;
    let mut problems = Vec::new();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Value::Object(obj) = item else {
            problems.push(format!("acts[{i}]: expected an object"));
            continue;
        };
        let mut row = vec![String::new(); columns.len()];
        for (key, v) in obj {
            let column = if key == "authority" {
                "counterpart"
            } else {
                key
            };
            let Some(pos) = columns.iter().position(|c| *c == column) else {
                problems.push(format!(
                    "acts[{i}]: unknown field `{key}`; acts have: {}",
                    fields.join(", ")
                ));
                continue;
            };
            row[pos] = match v {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                Value::Number(n) if column == "level" => n.to_string(),
                _ => {
                    problems.push(format!("acts[{i}].{key}: expected a string"));
                    continue;
                }
            };
        }
        rows.push(row);
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
    let mut out = Vec::new();
    let mut lines = Vec::with_capacity(rows.len());
    let mut line = 1u64;
    for (n, row) in std::iter::once(columns.map(String::from).to_vec())
        .chain(rows)
        .enumerate()
    {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&row)
            .map_err(|e| ApiError::internal(format!("writing CSV: {e}")))?;
        let bytes = w
            .into_inner()
            .map_err(|e| ApiError::internal(format!("writing CSV: {e}")))?;
        if n > 0 {
            lines.push(line);
        }
        line += bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        out.extend(bytes);
    }
    Ok((out, lines))
}

/// Renames the `request.json:LINE:COL: field: message` errors of the CSV made from JSON as
/// `acts[i].field: message`.
fn json_errors(errors: InputErrors, lines: &[u64]) -> ApiError {
    let problems: Vec<String> = errors
        .0
        .iter()
        .map(|e| {
            let index = lines.iter().rposition(|&l| l <= e.line);
            let at = match index {
                Some(i) => format!("acts[{i}]"),
                None => "acts".to_string(),
            };
            match &e.field {
                Some(f) => format!("{at}.{f}: {}", e.message),
                None => format!("{at}: {}", e.message),
            }
        })
        .collect();
    ApiError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        message: errors
            .to_string()
            .lines()
            .next()
            .unwrap_or_default()
            .to_string(),
        problems,
    }
}
