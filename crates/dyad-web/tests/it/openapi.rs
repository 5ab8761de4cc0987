//! The OpenAPI document against real answers: every documented read answers JSON and CSV as
//! documented, and every route is documented.

use axum::http::StatusCode;
use axum::Router;
use serde_json::Value;

use crate::support::*;

/// Checks `value` against a JSON schema of the kinds the OpenAPI document uses: `$ref`, `oneOf`,
/// `type` (one or several), `enum`, `required`, `properties`, `additionalProperties: false`, `items`,
/// `minimum`/`maximum`. Returns every mismatch with its JSON path.
pub(crate) fn check(
    doc: &Value,
    schema: &Value,
    value: &Value,
    path: &str,
    errors: &mut Vec<String>,
) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.strip_prefix("#/components/schemas/").expect("local ref");
        let target = &doc["components"]["schemas"][name];
        assert!(!target.is_null(), "dangling $ref {r}");
        return check(doc, target, value, path, errors);
    }
    if let Some(alternatives) = schema.get("oneOf").and_then(Value::as_array) {
        let matching = alternatives
            .iter()
            .filter(|alt| {
                let mut e = Vec::new();
                check(doc, alt, value, path, &mut e);
                e.is_empty()
            })
            .count();
        if matching != 1 {
            errors.push(format!(
                "{path}: matches {matching} of the oneOf alternatives, not exactly one: {value}"
            ));
        }
        return;
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().map(|v| v.as_str().unwrap()).collect(),
            _ => panic!("bad type in schema at {path}"),
        };
        let actual = match value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        let ok = types
            .iter()
            .any(|t| *t == actual || (*t == "number" && actual == "integer"));
        if !ok {
            errors.push(format!("{path}: expected {types:?}, got {actual}"));
            return;
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            errors.push(format!("{path}: {value} not in {allowed:?}"));
        }
    }
    if let (Some(min), Some(n)) = (schema.get("minimum"), value.as_f64()) {
        if n < min.as_f64().unwrap() {
            errors.push(format!("{path}: {n} below minimum {min}"));
        }
    }
    if let (Some(max), Some(n)) = (schema.get("maximum"), value.as_f64()) {
        if n > max.as_f64().unwrap() {
            errors.push(format!("{path}: {n} above maximum {max}"));
        }
    }
    if let Value::Object(obj) = value {
        let props = schema.get("properties").and_then(Value::as_object);
        for req in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = req.as_str().unwrap();
            if !obj.contains_key(key) {
                errors.push(format!("{path}: missing required `{key}`"));
            }
        }
        for (k, v) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(s) => check(doc, s, v, &format!("{path}.{k}"), errors),
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    errors.push(format!("{path}: undocumented property `{k}`"))
                }
                None => {}
            }
        }
    }
    if let (Value::Array(items), Some(s)) = (value, schema.get("items")) {
        for (i, v) in items.iter().enumerate() {
            check(doc, s, v, &format!("{path}[{i}]"), errors);
        }
    }
}

pub(crate) fn assert_matches(doc: &Value, schema: &Value, value: &Value, what: &str) {
    let mut errors = Vec::new();
    check(doc, schema, value, "$", &mut errors);
    assert!(
        errors.is_empty(),
        "{what} does not match its schema:\n  {}",
        errors.join("\n  ")
    );
}

pub(crate) async fn openapi(app: &Router) -> Value {
    let a = get(app, "/api/openapi.json").await;
    assert_eq!(a.status, StatusCode::OK);
    a.json()
}

/// Calls every documented read with its example parameters and checks each JSON answer against
/// its schema; CSV must have a header, and rows unless the path is in `may_be_empty`.
pub(crate) async fn check_documented_reads(app: &Router, may_be_empty: &[&str]) {
    let doc = openapi(app).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 15, "{:?}", paths.keys());
    for (path, item) in paths {
        let Some(op) = item.get("get") else { continue };
        let query: Vec<String> = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| {
                p.get("example")
                    .map(|e| format!("{}={}", p["name"].as_str().unwrap(), e.as_str().unwrap()))
            })
            .collect();
        let uri = format!("{path}?{}", query.join("&"));
        let a = get(app, &uri).await;
        assert_eq!(a.status, StatusCode::OK, "{uri}: {}", a.body);
        assert!(a.content_type.starts_with("application/json"), "{uri}");
        let schema = &op["responses"]["200"]["content"]["application/json"]["schema"];
        assert_matches(&doc, schema, &a.json(), &uri);
        if op["responses"]["200"]["content"].get("text/csv").is_some() {
            let c = get(app, &format!("{uri}&format=csv")).await;
            assert_eq!(c.status, StatusCode::OK, "{uri} as CSV: {}", c.body);
            assert!(c.content_type.starts_with("text/csv"), "{uri}");
            let mut lines = c.body.lines();
            assert!(lines.next().is_some_and(|h| h.contains(',')), "{uri}");
            if !may_be_empty.contains(&path.as_str()) {
                assert!(lines.next().is_some(), "{uri} as CSV has no rows");
            }
        }
    }
}

#[tokio::test]
async fn every_documented_read_answers_json_and_csv_matching_the_document() {
    // The bundled figures are totals as ministries and outlets reported them: no products, no
    // BACI partner table, no pair of Comtrade declarations to mirror.
    check_documented_reads(
        &bundled(),
        &[
            "/api/trade/products",
            "/api/trade/partners",
            "/api/trade/mirror",
        ],
    )
    .await;
}

#[tokio::test]
async fn every_documented_read_has_rows_on_a_home_with_a_trade_store() {
    let (app, _dir) = home_with_trade();
    check_documented_reads(&app, &[]).await;
}

#[tokio::test]
async fn every_api_route_is_documented() {
    // Each route the server answers under /api must be in the document, and each documented
    // path must be routed (a 404 would mean a stale document).
    let app = bundled();
    let doc = openapi(&app).await;
    let documented: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    for path in &documented {
        let a = get(&app, path).await;
        assert_ne!(
            a.status,
            StatusCode::NOT_FOUND,
            "{path} is documented but not routed"
        );
        assert_ne!(
            a.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{path}: {}",
            a.body
        );
    }
    let routed = [
        "/api/authorities",
        "/api/states",
        "/api/stance",
        "/api/compare",
        "/api/contest",
        "/api/why",
        "/api/timeline",
        "/api/diff",
        "/api/acts",
        "/api/history",
        "/api/openapi.json",
        "/api/trade/series",
        "/api/trade/products",
        "/api/trade/partners",
        "/api/trade/mirror",
        "/api/brief",
    ];
    for path in routed {
        assert!(
            documented.iter().any(|d| d.as_str() == path),
            "{path} missing from the document"
        );
    }
    assert_eq!(documented.len(), routed.len(), "{documented:?}");
}
