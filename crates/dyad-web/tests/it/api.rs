//! API and page tests, in process: every endpoint with good and bad parameters, the OpenAPI
//! document checked against real answers, curator writes with tokens, and escaping; trade and
//! briefs on the bundled reported figures and on a home with a small constructed trade store.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use dyad_ledger::Ledger;
use dyad_web::{router, AppState};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// An answer, with its body as text.
struct Answer {
    status: StatusCode,
    content_type: String,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

fn bundled() -> Router {
    router(AppState::new(Ledger::bundled().unwrap()).unwrap())
}

async fn send(app: &Router, req: Request<Body>) -> Answer {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        content_type,
        headers,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}

async fn get(app: &Router, uri: &str) -> Answer {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

/// Checks `value` against a JSON schema of the kinds the OpenAPI document uses: `$ref`, `oneOf`,
/// `type` (one or several), `enum`, `required`, `properties`, `additionalProperties: false`, `items`,
/// `minimum`/`maximum`. Returns every mismatch with its JSON path.
fn check(doc: &Value, schema: &Value, value: &Value, path: &str, errors: &mut Vec<String>) {
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

fn assert_matches(doc: &Value, schema: &Value, value: &Value, what: &str) {
    let mut errors = Vec::new();
    check(doc, schema, value, "$", &mut errors);
    assert!(
        errors.is_empty(),
        "{what} does not match its schema:\n  {}",
        errors.join("\n  ")
    );
}

async fn openapi(app: &Router) -> Value {
    let a = get(app, "/api/openapi.json").await;
    assert_eq!(a.status, StatusCode::OK);
    a.json()
}

/// Calls every documented read with its example parameters and checks each JSON answer against
/// its schema; CSV must have a header, and rows unless the path is in `may_be_empty`.
async fn check_documented_reads(app: &Router, may_be_empty: &[&str]) {
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

#[tokio::test]
async fn contest_sets_the_rival_governments_of_venezuela_side_by_side() {
    let app = bundled();
    let a = get(&app, "/api/contest?state=VEN&on=2019-03-01").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let v = a.json();
    let sides: Vec<&str> = v["sides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["authority"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(sides, ["VEN-MADURO", "VEN-GUAIDO"]);
    let row = |code: &str| {
        v["actors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["actor"] == code)
            .unwrap_or_else(|| panic!("{code} missing"))
            .clone()
    };
    // Spain recognised Guaidó on 4 Feb 2019 and has no act toward Maduro's government.
    let esp = row("ESP");
    assert!(esp["stances"][0].is_null());
    assert_eq!(esp["stances"][1]["recognition"]["value"], "de_jure");
    assert_eq!(
        esp["stances"][1]["recognition"]["acts"][0],
        "ESP/VEN-GUAIDO/2019-02-04/recognition"
    );
    // Russia recognised Maduro's government (24 Jan 2019).
    assert_eq!(row("RUS")["stances"][0]["recognition"]["value"], "de_jure");
    let recognised: Vec<i64> = v["sides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["recognised_by"].as_i64().unwrap())
        .collect();
    let count = |i: usize| {
        v["actors"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["stances"][i]["recognition"]["value"] == "de_jure")
            .count() as i64
    };
    assert_eq!(recognised, [count(0), count(1)]);
    assert!(v["sides"][1]["ended"].is_null());

    // After the interim government's end every answer says so.
    let v = get(&app, "/api/contest?state=VEN&on=2023-02-01")
        .await
        .json();
    assert_eq!(v["sides"][1]["ended"], "2023-01-05");
    let v = get(&app, "/api/stance?authority=VEN-GUAIDO&on=2023-02-01")
        .await
        .json();
    assert_eq!(v["ended"], "2023-01-05");
    let v = get(&app, "/api/stance?authority=VEN-GUAIDO&on=2023-01-05")
        .await
        .json();
    assert!(v["ended"].is_null());
    let page = get(&app, "/?authority=VEN-GUAIDO&on=2023-02-01").await;
    assert!(
        page.body.contains("had ended by 2023-02-01"),
        "{}",
        page.body
    );
    assert!(page.body.contains("/contest/VEN?on=2023-02-01"));

    // The seat of China is contested by the Republic of China.
    let v = get(&app, "/api/contest?state=CHN&on=2020-01-01")
        .await
        .json();
    assert_eq!(v["sides"][0]["authority"]["id"], "TWN-ROC");
    assert_eq!(v["sides"][1]["authority"]["id"], "PRC");

    let csv = get(&app, "/api/contest?state=VEN&on=2019-03-01&format=csv").await;
    assert!(
        csv.body.starts_with("actor,name,VEN-MADURO.level,"),
        "{}",
        csv.body
    );
    assert!(csv
        .body
        .lines()
        .any(|l| l.starts_with("ESP,Spain,,,,,,5,de_jure,")));

    for (uri, status, says) in [
        (
            "/api/contest?state=KAZ",
            StatusCode::NOT_FOUND,
            "no authority claims KAZ",
        ),
        (
            "/api/contest?state=VEN&on=2010-01-01",
            StatusCode::NOT_FOUND,
            "had begun",
        ),
        (
            "/api/contest?state=XXX",
            StatusCode::NOT_FOUND,
            "unknown actor",
        ),
        ("/api/contest", StatusCode::BAD_REQUEST, "state"),
    ] {
        let a = get(&app, uri).await;
        assert_eq!(a.status, status, "{uri}: {}", a.body);
        assert!(a.body.contains(says), "{uri}: {}", a.body);
    }
    let page = get(&app, "/contest/VEN?on=2019-03-01").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Who recognises whom: Venezuela"));
    assert!(page.body.contains("/pair/ESP/VEN-GUAIDO?on=2019-03-01"));
}

#[tokio::test]
async fn stance_shows_kazakhstan_receiving_envoys_in_april_2023() {
    let app = bundled();
    let stance_of = |body: &Value, actor: &str| -> Value {
        body["stances"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["actor"] == actor)
            .cloned()
            .unwrap_or_else(|| panic!("{actor} missing"))
    };
    let a = get(&app, "/api/stance?authority=AFG-IEA&on=2023-04-18").await;
    assert_eq!(a.status, StatusCode::OK);
    let body = a.json();
    assert_eq!(body["on"], "2023-04-18");
    assert_eq!(body["authority"]["id"], "AFG-IEA");
    let kaz = stance_of(&body, "KAZ");
    assert_eq!(kaz["level"], 3);
    assert_eq!(kaz["level_name"], "envoys received below ambassador rank");
    assert_eq!(kaz["recognition"]["value"], "none");
    assert_eq!(kaz["envoys"]["value"], "below_ambassador");
    assert_eq!(
        kaz["level_acts"],
        serde_json::json!(["KAZ/AFG-IEA/2023-04-17/envoy_accepted"])
    );
    // Two days earlier the envoys were not yet accepted: only Kazakhstan's own embassy.
    let before = get(&app, "/api/stance?authority=AFG-IEA&on=2023-04-16")
        .await
        .json();
    assert_eq!(stance_of(&before, "KAZ")["level"], 2);

    let csv = get(
        &app,
        "/api/stance?authority=AFG-IEA&on=2023-04-18&format=csv",
    )
    .await;
    assert!(csv.body.starts_with("actor,name,level,level_name,"));
    assert!(
        csv.body.lines().any(|l| l.starts_with(
            "KAZ,Kazakhstan,3,envoys received below ambassador rank,none,below_ambassador,"
        )),
        "{}",
        csv.body
    );
}

#[tokio::test]
async fn cached_stances_equal_a_fresh_fold_on_every_day() {
    // `/api/stance` caches its list per period between act dates; `known_on` always folds
    // afresh. Every day from before the first act to after the last must agree, in both
    // directions of travel (a cached period must not leak another day's answer).
    let app = bundled();
    let first = time::macros::date!(2021 - 08 - 01);
    let days: Vec<time::Date> = (0..1700).map(|i| first + time::Duration::days(i)).collect();
    for day in days.iter().chain(days.iter().rev()).step_by(3) {
        let on = dyad_core::date::format_day(*day);
        let cached = get(&app, &format!("/api/stance?authority=AFG-IEA&on={on}"))
            .await
            .json();
        assert_eq!(cached["on"], on.as_str());
        let fresh = get(
            &app,
            &format!("/api/stance?authority=AFG-IEA&on={on}&known_on=2100-01-01"),
        )
        .await
        .json();
        assert_eq!(cached["stances"], fresh["stances"], "on {on}");
        let csv = get(
            &app,
            &format!("/api/stance?authority=AFG-IEA&on={on}&format=csv"),
        )
        .await;
        let fresh_csv = get(
            &app,
            &format!("/api/stance?authority=AFG-IEA&on={on}&known_on=2100-01-01&format=csv"),
        )
        .await;
        assert_eq!(csv.body, fresh_csv.body, "CSV on {on}");
    }
}

#[tokio::test]
async fn known_on_reads_the_ledger_as_it_stood() {
    let app = bundled();
    // The bundled acts are recorded on the day they were copied into dyad (2026-11-29), so a
    // ledger as it stood in 2020 holds none.
    let then = get(
        &app,
        "/api/stance?authority=AFG-IEA&on=2023-04-18&known_on=2020-01-01",
    )
    .await
    .json();
    assert_eq!(then["known_on"], "2020-01-01");
    assert_eq!(then["stances"], serde_json::json!([]));
    let now = get(
        &app,
        "/api/stance?authority=AFG-IEA&on=2023-04-18&known_on=2026-12-31",
    )
    .await
    .json();
    assert!(now["stances"].as_array().unwrap().len() > 10);
}

#[tokio::test]
async fn why_timeline_compare_diff_and_history_agree_with_the_ledger() {
    let app = bundled();
    let why = get(&app, "/api/why?actor=KAZ&authority=AFG-IEA&on=2023-04-18")
        .await
        .json();
    let envoys = why["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["dimension"] == "envoys")
        .unwrap();
    assert_eq!(envoys["value"], "below_ambassador");
    assert_eq!(
        envoys["acts"][0]["source_url"],
        "https://eurasianet.org/kazakhstan-accredits-taliban-envoys-without-recognizing-government"
    );

    let timeline = get(&app, "/api/timeline?actor=KAZ&authority=AFG-IEA")
        .await
        .json();
    let acts = timeline["acts"].as_array().unwrap();
    let april = acts
        .iter()
        .find(|a| a["id"] == "KAZ/AFG-IEA/2023-04-17/envoy_accepted")
        .unwrap();
    assert_eq!(april["level_after"], 3);
    assert_eq!(april["precision"], "day");
    let dates: Vec<&str> = acts.iter().map(|a| a["date"].as_str().unwrap()).collect();
    assert_eq!(dates.first(), Some(&"2021-08-20"));

    let compare = get(
        &app,
        "/api/compare?authority=AFG-IEA&on=2023-04-18&actors=kaz,CHN,ATA",
    )
    .await
    .json();
    let order: Vec<(&str, u64)> = compare["stances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["actor"].as_str().unwrap(), s["level"].as_u64().unwrap()))
        .collect();
    // In the order asked, lower case accepted, and an actor with no act at level 0.
    assert_eq!(order, [("KAZ", 3), ("CHN", 2), ("ATA", 0)]);

    let diff = get(
        &app,
        "/api/diff?authority=AFG-IEA&from=2023-01-01&to=2023-12-31",
    )
    .await
    .json();
    assert!(
        diff["changes"].as_array().unwrap().iter().any(|c| {
            c["actor"] == "KAZ"
                && c["dimension"] == "envoys"
                && c["from"] == "none"
                && c["to"] == "below_ambassador"
        }),
        "{diff}"
    );

    let history = get(
        &app,
        "/api/history?id=KAZ/AFG-IEA/2023-04-17/envoy_accepted",
    )
    .await
    .json();
    assert_eq!(
        history["versions"][0]["recorded_by"],
        "dyad (bundled dataset)"
    );

    let acts = get(&app, "/api/acts?authority=AFG-IEA&actor=KAZ&format=csv").await;
    assert!(acts
        .body
        .starts_with("id,date,actor,counterpart,act,level,detail,source_url,source_date"));
    assert_eq!(
        acts.body.lines().count(),
        1 + acts_of_kaz(&timeline),
        "{}",
        acts.body
    );
}

fn acts_of_kaz(timeline: &Value) -> usize {
    timeline["acts"].as_array().unwrap().len()
}

#[tokio::test]
async fn bad_parameters_get_a_4xx_naming_the_problem() {
    let app = bundled();
    let doc = openapi(&app).await;
    let cases: &[(&str, u16, &str)] = &[
        ("/api/stance", 400, "missing parameter `authority`"),
        ("/api/stance?authority=XXX", 404, "unknown authority `XXX`"),
        (
            "/api/stance?authority=AFG-IEA&on=2023-02-30",
            400,
            "`2023-02-30` is not a real calendar date",
        ),
        (
            "/api/stance?authority=AFG-IEA&on=2023-04",
            400,
            "`2023-04` is not a full day",
        ),
        (
            "/api/stance?authority=AFG-IEA&on=yesterday",
            400,
            "parameter `on`: `yesterday` is not a date",
        ),
        (
            "/api/stance?authority=AFG-IEA&date=2023-04-18",
            400,
            "unknown parameter `date`",
        ),
        (
            "/api/stance?authority=AFG-IEA&format=xml",
            400,
            "`xml` is not a format",
        ),
        (
            "/api/stance?authority=AFG-IEA&known_on=2023-13-01",
            400,
            "parameter `known_on`",
        ),
        (
            "/api/compare?authority=AFG-IEA",
            400,
            "missing parameter `actors`",
        ),
        (
            "/api/compare?authority=AFG-IEA&actors=KAZ,XXX",
            404,
            "unknown actor `XXX`",
        ),
        (
            "/api/compare?authority=AFG-IEA&actors=",
            400,
            "parameter `actors` is empty",
        ),
        (
            "/api/stance?authority=AFG-IEA&format=",
            400,
            "parameter `format` is empty",
        ),
        (
            "/api/stance?authority=AFG-IEA&on=",
            400,
            "parameter `on` is empty",
        ),
        (
            "/api/stance?authority=AFG-IEA&on=%202023-04-18",
            400,
            "is not a date",
        ),
        (
            "/api/compare?authority=AFG-IEA&actors=,",
            400,
            "give one or more actor codes",
        ),
        (
            "/api/why?authority=AFG-IEA",
            400,
            "missing parameter `actor`",
        ),
        (
            "/api/why?authority=AFG-IEA&actor=ZZZ",
            404,
            "unknown actor `ZZZ`",
        ),
        (
            "/api/timeline?actor=KAZ",
            400,
            "missing parameter `authority`",
        ),
        (
            "/api/diff?authority=AFG-IEA&from=2023-01-01",
            400,
            "missing parameter `to`",
        ),
        ("/api/acts?authority=NOPE", 404, "unknown authority `NOPE`"),
        ("/api/acts?actor=XX1", 404, "unknown actor `XX1`"),
        ("/api/history", 400, "missing parameter `id`"),
        (
            "/api/history?id=KAZ/AFG-IEA/1999-01-01/other",
            404,
            "no act with id",
        ),
        ("/api/authorities?x=1", 400, "unknown parameter `x`"),
        ("/api/trade/series?a=KAZ", 400, "missing parameter `b`"),
        (
            "/api/trade/series?a=KAZ&b=XYZ",
            404,
            "parameter `b`: unknown country `XYZ`",
        ),
        (
            "/api/trade/series?a=KAZ&b=999",
            404,
            "parameter `b`: area code 999 does not correspond to a country",
        ),
        (
            "/api/trade/series?a=KAZ&b=Kazakhstan",
            400,
            "parameter `b`: `Kazakhstan` is not a country code",
        ),
        (
            "/api/trade/series?a=KAZ&b=AFG&years=2019-",
            400,
            "parameter `years`: `2019-` is not a year range",
        ),
        (
            "/api/trade/series?a=KAZ&b=AFG&years=",
            400,
            "parameter `years` is empty",
        ),
        (
            "/api/trade/series?a=KAZ&b=AFG&years=last",
            400,
            "parameter `years`",
        ),
        (
            "/api/trade/series?a=KAZ&b=AFG&year=2022",
            400,
            "unknown parameter `year`",
        ),
        (
            "/api/trade/products?exporter=KAZ&importer=AFG",
            400,
            "missing parameter `year`",
        ),
        (
            "/api/trade/products?exporter=KAZ&importer=AFG&year=2022&level=3",
            400,
            "parameter `level`: `3` is not 2, 4 or 6",
        ),
        (
            "/api/trade/products?exporter=KAZ&importer=AFG&year=2019-2022",
            400,
            "parameter `year`: `2019-2022` is not a year",
        ),
        (
            "/api/trade/products?exporter=KAZ&importer=AFG&year=2022&source=wits",
            400,
            "parameter `source`: `wits` is not a source",
        ),
        (
            "/api/trade/products?exporter=QQQ&importer=AFG&year=2022",
            404,
            "parameter `exporter`: unknown country `QQQ`",
        ),
        (
            "/api/trade/products?exporter=KAZ&importer=AFG&year=2022-2022",
            400,
            "parameter `year`: `2022-2022` is not a year",
        ),
        (
            "/api/trade/products?exporter=KAZ&importer=AFG&year=2022&level=",
            400,
            "parameter `level` is empty",
        ),
        (
            "/api/trade/partners?country=AFG",
            400,
            "missing parameter `years`",
        ),
        (
            "/api/trade/partners?country=AFG&years=2022&flow=both",
            400,
            "parameter `flow`: `both` is not a flow",
        ),
        (
            "/api/trade/partners?country=AFG&years=2022&top=0",
            400,
            "parameter `top`: `0` is not a number from 1 to 300",
        ),
        (
            "/api/trade/partners?country=AFG&years=2022&top=ten",
            400,
            "parameter `top`",
        ),
        (
            "/api/trade/partners?country=AFG&years=2022&top=%2B5",
            400,
            "parameter `top`: `+5` is not a number",
        ),
        (
            "/api/trade/mirror?exporter=KAZ",
            400,
            "missing parameter `importer`",
        ),
        (
            "/api/trade/mirror?exporter=KAZ&importer=AFG&years=1800-1900",
            400,
            "parameter `years`",
        ),
        ("/api/brief?actor=KAZ", 400, "missing parameter `authority`"),
        (
            "/api/brief?actor=KAZ&authority=NOPE",
            404,
            "unknown authority `NOPE`",
        ),
        (
            "/api/brief?actor=ZZZ&authority=AFG-IEA",
            404,
            "unknown actor `ZZZ`",
        ),
        (
            "/api/brief?actor=KAZ&authority=AFG-IEA&on=2023-02-30",
            400,
            "not a real calendar date",
        ),
        ("/api/nothing-here", 404, "no endpoint at /api/nothing-here"),
    ];
    for (uri, status, message) in cases {
        let a = get(&app, uri).await;
        assert_eq!(a.status.as_u16(), *status, "{uri}: {}", a.body);
        let body = a.json();
        assert!(
            body["error"].as_str().unwrap().contains(message),
            "{uri}: {} lacks {message:?}",
            body["error"]
        );
        assert_matches(
            &doc,
            &serde_json::json!({"$ref": "#/components/schemas/Error"}),
            &body,
            uri,
        );
    }
    let wrong_method = send(
        &app,
        Request::delete("/api/stance").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(wrong_method.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(wrong_method.json()["error"]
        .as_str()
        .unwrap()
        .contains("does not take DELETE"));
}

#[tokio::test]
async fn pages_render_and_fail_with_a_message() {
    let app = bundled();
    let map = get(&app, "/?authority=AFG-IEA&on=2023-04-18").await;
    assert_eq!(map.status, StatusCode::OK);
    assert!(map.content_type.starts_with("text/html"));
    assert!(
        map.body.contains(r#"id="c-KAZ" class="c l3""#),
        "KAZ not at level 3"
    );
    assert!(map.body.contains(r#"id="c-AFG" class="c home""#));
    assert!(
        map.body.contains(r#"<tr data-code="KAZ">"#),
        "list view lacks KAZ"
    );
    assert!(map.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .contains("script-src 'self'"));
    let earlier = get(&app, "/?authority=AFG-IEA&on=2022-01-01").await;
    assert!(earlier.body.contains(r#"id="c-KAZ" class="c l2""#));

    let pair = get(&app, "/pair/KAZ/AFG-IEA?on=2023-04-18").await;
    assert_eq!(pair.status, StatusCode::OK);
    assert!(pair.body.contains(
        r#"href="https://eurasianet.org/kazakhstan-accredits-taliban-envoys-without-recognizing-government""#
    ));
    assert!(pair
        .body
        .contains(r#"data-act="KAZ/AFG-IEA/2023-04-17/envoy_accepted""#));

    let compare = get(
        &app,
        "/compare?authority=AFG-IEA&on=2023-04-18&actors=KAZ,CHN",
    )
    .await;
    assert_eq!(compare.status, StatusCode::OK);
    assert!(compare.body.contains("Kazakhstan (KAZ)"));
    let diff = get(
        &app,
        "/diff?authority=AFG-IEA&from=2023-01-01&to=2023-12-31",
    )
    .await;
    assert_eq!(diff.status, StatusCode::OK);
    assert!(diff.body.contains("below_ambassador"));
    assert_eq!(get(&app, "/compare").await.status, StatusCode::OK);
    assert_eq!(get(&app, "/diff").await.status, StatusCode::OK);

    for (uri, status, message) in [
        ("/?authority=NOPE", 404, "unknown authority `NOPE`"),
        ("/?on=2023-02-30", 400, "not a real calendar date"),
        ("/pair/ZZZ/AFG-IEA", 404, "unknown actor `ZZZ`"),
        ("/brief/ZZZ/AFG-IEA", 404, "unknown actor `ZZZ`"),
        ("/brief/KAZ/NOPE", 404, "unknown authority `NOPE`"),
        ("/brief/KAZ/AFG-IEA?on=2023-13-01", 400, "parameter `on`"),
        ("/no/such/page", 404, "there is no page at /no/such/page"),
    ] {
        let a = get(&app, uri).await;
        assert_eq!(a.status.as_u16(), status, "{uri}");
        assert!(a.content_type.starts_with("text/html"), "{uri}");
        assert!(a.body.contains(message), "{uri}: {}", a.body);
    }

    // As in the API and `dyad diff`, two days in either order: the page reads the changes
    // backwards (Kazakhstan's envoys of 17 Apr 2023 go from below_ambassador back to none).
    let back = get(
        &app,
        "/diff?authority=AFG-IEA&from=2024-01-01&to=2023-01-01",
    )
    .await;
    assert_eq!(back.status, StatusCode::OK);
    assert!(
        back.body.contains("KAZ/AFG-IEA/2023-04-17/envoy_accepted"),
        "{}",
        back.body
    );

    let js = get(&app, "/static/app.js").await;
    assert!(js.content_type.starts_with("text/javascript"));
    assert!(js.body.contains("/api/stance"));
    let css = get(&app, "/static/style.css").await;
    assert!(css.content_type.starts_with("text/css"));
}

/// A home with the bundled acts and a token named `tester`; returns the app, the token and the
/// directory (kept alive by the caller).
fn home_with_token() -> (Router, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    Ledger::init(dir.path(), false).unwrap();
    let token = Ledger::open(dir.path())
        .unwrap()
        .create_token("tester")
        .unwrap();
    let app = router(AppState::new(Ledger::open(dir.path()).unwrap()).unwrap());
    (app, token, dir)
}

async fn post(app: &Router, uri: &str, token: Option<&str>, ctype: &str, body: &str) -> Answer {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::CONTENT_TYPE, ctype);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    send(app, req.body(Body::from(body.to_string())).unwrap()).await
}

/// A test act (example.org is reserved for examples; the act is no claim about the world).
const TEST_CSV: &str = "date,actor,counterpart,act,detail,source_url\n\
2023-06-01,KAZ,AFG-IEA,other,Test act written by the API test,https://example.org/dyad-test\n";

#[tokio::test]
async fn curators_write_with_a_token_and_the_history_keeps_who_and_why() {
    let (app, token, _dir) = home_with_token();
    let doc = openapi(&app).await;
    let id = "KAZ/AFG-IEA/2023-06-01/other";

    let none = post(&app, "/api/acts?reason=test", None, "text/csv", TEST_CSV).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert!(none.headers.contains_key(header::WWW_AUTHENTICATE));
    assert!(none.json()["error"]
        .as_str()
        .unwrap()
        .contains("dyad token create"));
    let bad = post(
        &app,
        "/api/acts?reason=test",
        Some("dyad_nope"),
        "text/csv",
        TEST_CSV,
    )
    .await;
    assert_eq!(bad.status, StatusCode::FORBIDDEN);

    let no_reason = post(&app, "/api/acts", Some(&token), "text/csv", TEST_CSV).await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST);
    assert!(no_reason.json()["error"]
        .as_str()
        .unwrap()
        .contains("`reason`"));
    let wrong_type = post(
        &app,
        "/api/acts?reason=t",
        Some(&token),
        "text/plain",
        TEST_CSV,
    )
    .await;
    assert_eq!(wrong_type.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let empty = post(&app, "/api/acts?reason=t", Some(&token), "text/csv", "").await;
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    let huge = "x".repeat(dyad_web::api::curator::MAX_BODY + 1);
    let too_big = post(&app, "/api/acts?reason=t", Some(&token), "text/csv", &huge).await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(too_big.json()["error"]
        .as_str()
        .unwrap()
        .contains("1024 KiB"));
    assert_eq!(
        get(&app, &format!("/api/history?id={id}")).await.status,
        StatusCode::NOT_FOUND,
        "a refused write changed the ledger"
    );

    let ok = post(
        &app,
        "/api/acts?reason=API%20test",
        Some(&token),
        "text/csv",
        TEST_CSV,
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let report = ok.json();
    assert_matches(
        &doc,
        &serde_json::json!({"$ref": "#/components/schemas/WriteReport"}),
        &report,
        "write report",
    );
    assert_eq!(
        (report["added"].as_u64(), report["recorded_by"].as_str()),
        (Some(1), Some("tester"))
    );
    // The snapshot is rebuilt: the next read sees the act.
    let timeline = get(&app, "/api/timeline?actor=KAZ&authority=AFG-IEA")
        .await
        .json();
    assert!(timeline["acts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["id"] == id));

    // A correction through JSON becomes version 2 with its own reason.
    let json = format!(
        r#"[{{"id": "{id}", "date": "2023-06-01", "actor": "KAZ", "authority": "AFG-IEA",
             "act": "other", "detail": "Corrected test act", "source_url": "https://example.org/dyad-test"}}]"#
    );
    let fixed = post(
        &app,
        "/api/acts?reason=fix%20detail",
        Some(&token),
        "application/json",
        &json,
    )
    .await;
    assert_eq!(fixed.status, StatusCode::OK, "{}", fixed.body);
    assert_eq!(fixed.json()["corrected"], 1);
    let history = get(&app, &format!("/api/history?id={id}")).await.json();
    let versions = history["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0]["reason"], "API test");
    assert_eq!(versions[1]["reason"], "fix detail");
    assert_eq!(versions[1]["recorded_by"], "tester");
    assert!(versions[0]["superseded_at"].is_string());

    // A revoked token stops working at once.
    let dir = _dir.path().to_path_buf();
    tokio::task::spawn_blocking(move || {
        Ledger::open(&dir).unwrap().revoke_token("tester").unwrap()
    })
    .await
    .unwrap();
    let revoked = post(
        &app,
        "/api/acts?reason=t",
        Some(&token),
        "text/csv",
        TEST_CSV,
    )
    .await;
    assert_eq!(revoked.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn invalid_acts_are_refused_whole_with_located_problems() {
    let (app, token, _dir) = home_with_token();
    let before = get(&app, "/api/acts?format=csv").await.body;
    let csv = "date,actor,counterpart,act,detail,source_url\n\
2023-06-01,KAZ,AFG-IEA,other,Good row,https://example.org/dyad-test\n\
2023-02-30,KAZ,AFG-IEA,other,Bad date,https://example.org/dyad-test\n\
2023-06-02,XXX,AFG-IEA,other,Bad actor,https://example.org/dyad-test\n";
    let a = post(&app, "/api/acts?reason=t", Some(&token), "text/csv", csv).await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = a.json();
    assert_eq!(body["error"], "2 problems found; nothing was changed");
    assert_eq!(
        body["problems"],
        serde_json::json!([
            "request.csv:3:1: date: `2023-02-30` is not a real calendar date",
            "request.csv:4:2: actor: unknown actor `XXX` (expected an ISO alpha-3 code or UN)"
        ])
    );

    let json = r#"[
      {"date": "2023-06-01", "actor": "KAZ", "counterpart": "AFG-IEA", "act": "other",
       "detail": "line one\nline two", "source_url": "https://example.org/dyad-test"},
      {"date": "2023-06-02", "actor": "KAZ", "counterpart": "AFG-IEA", "act": "waved",
       "source_url": "https://example.org/dyad-test"}
    ]"#;
    let a = post(
        &app,
        "/api/acts?reason=t",
        Some(&token),
        "application/json",
        json,
    )
    .await;
    assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
    let problems = a.json()["problems"].clone();
    // The first act's detail spans two CSV lines; the problem still points at acts[1].
    assert!(
        problems[0]
            .as_str()
            .unwrap()
            .starts_with("acts[1].act: unknown act `waved`"),
        "{problems}"
    );
    let shape = post(
        &app,
        "/api/acts?reason=t",
        Some(&token),
        "application/json",
        r#"[{"when": "2023"}, 5]"#,
    )
    .await;
    assert_eq!(shape.status, StatusCode::UNPROCESSABLE_ENTITY);
    let problems = shape.json()["problems"].clone();
    assert!(
        problems[0]
            .as_str()
            .unwrap()
            .starts_with("acts[0]: unknown field `when`"),
        "{problems}"
    );
    assert_eq!(problems[1], "acts[1]: expected an object");
    // A number where the level goes is read as its text; a repeat inside the array names the
    // element it repeats.
    let act = |level: u8| {
        format!(
            r#"{{"date": "2023-06-01", "actor": "KAZ", "authority": "AFG-IEA", "act": "other",
                "source_url": "https://example.org/dyad-test", "level": {level}}}"#
        )
    };
    for (body, problem) in [
        (
            format!("[{}, {}]", act(2), act(7)),
            "acts[1].level: `7` is not a level from 0 to 5",
        ),
        (
            format!("[{}, {}]", act(2), act(1)),
            "acts[1]: duplicate act `KAZ/AFG-IEA/2023-06-01/other`: acts[0] already has this \
             actor, authority, date and act",
        ),
    ] {
        let a = post(
            &app,
            "/api/acts?reason=t",
            Some(&token),
            "application/json",
            &body,
        )
        .await;
        assert_eq!(a.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", a.body);
        let v = a.json();
        assert_eq!(v["error"], "1 problem found; nothing was changed");
        assert_eq!(v["problems"], serde_json::json!([problem]));
    }
    let not_json = post(
        &app,
        "/api/acts?reason=t",
        Some(&token),
        "application/json",
        "{",
    )
    .await;
    assert_eq!(not_json.status, StatusCode::BAD_REQUEST);
    assert!(not_json.json()["error"]
        .as_str()
        .unwrap()
        .contains("not valid JSON"));

    assert_eq!(
        get(&app, "/api/acts?format=csv").await.body,
        before,
        "a refused write changed the ledger"
    );
}

#[tokio::test]
async fn the_bundled_server_takes_no_writes() {
    let app = bundled();
    let a = post(
        &app,
        "/api/acts?reason=t",
        Some("dyad_anything"),
        "text/csv",
        TEST_CSV,
    )
    .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    assert!(a.json()["error"].as_str().unwrap().contains("--home"));
}

#[tokio::test]
async fn markup_in_the_data_is_shown_as_text() {
    let (app, token, _dir) = home_with_token();
    let csv = "date,actor,counterpart,act,detail,source_url\n\
2023-06-01,KAZ,AFG-IEA,other,\"<script>alert('x')</script><b>bold</b>\",https://example.org/a?b=\"\"><script>\n";
    let a = post(
        &app,
        "/api/acts?reason=%3Cscript%3E",
        Some(&token),
        "text/csv",
        csv,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let page = get(&app, "/pair/KAZ/AFG-IEA?on=2023-06-02").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page
        .body
        .contains("&lt;script&gt;alert('x')&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;"));
    assert!(!page.body.contains("<script>alert"));
    assert!(!page.body.contains("<b>bold"));
    // The URL's quote is escaped inside the attribute, so it cannot close it.
    assert!(
        page.body
            .contains(r#"href="https://example.org/a?b=&quot;&quot;&gt;&lt;script&gt;""#),
        "{}",
        page.body
    );
    // The only script element is the page's own.
    assert_eq!(page.body.matches("<script").count(), 1);
}

// ---- Trade and briefs ----------------------------------------------------------------------

/// The reported figures' source for Kazakhstan's turnover with Afghanistan in 2021 and 2022
/// (row of `afghanistan_partner_trade_reported.csv`: USD 474.3M and 987.9M, Kazakh government
/// via Kazinform).
const KAZINFORM: &str =
    "https://www.inform.kz/en/afghan-business-delegation-arrives-in-astana_a4096663/amp";

/// The figures of `rows` with `year` and `flow`, as (exporter, importer, value, source_url).
fn figures_of(rows: &Value, year: i64, flow: &str) -> Vec<(String, String, f64, String)> {
    rows.as_array()
        .unwrap()
        .iter()
        .filter(|r| r["year"] == year && r["flow"] == flow)
        .map(|r| {
            (
                r["exporter"].as_str().unwrap().to_string(),
                r["importer"].as_str().unwrap().to_string(),
                r["value_usd"].as_f64().unwrap(),
                r["source_url"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn trade_series_gives_the_reported_figures_with_their_sources() {
    let app = bundled();
    let a = get(&app, "/api/trade/series?a=KAZ&b=AFG&years=2021-2022").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let body = a.json();
    assert_eq!(body["store_rows"], 0);
    assert_eq!(body["years"], "2021-2022");
    let rows = &body["rows"];
    // The source CSV: turnover USD 474.3M (2021) and 987.9M (2022), both from Kazinform.
    assert_eq!(
        figures_of(rows, 2021, "T"),
        [("KAZ".into(), "AFG".into(), 474_300_000.0, KAZINFORM.into())]
    );
    assert_eq!(
        figures_of(rows, 2022, "T"),
        [("KAZ".into(), "AFG".into(), 987_900_000.0, KAZINFORM.into())]
    );
    // The other direction too: Kazakhstan's 2022 imports from Afghanistan, USD 9.1M per the
    // Astana Times.
    assert_eq!(
        figures_of(rows, 2022, "M"),
        [(
            "AFG".into(),
            "KAZ".into(),
            9_100_000.0,
            "https://astanatimes.com/2023/08/three-pillars-of-kazakhstan-afghanistan-relations/"
                .into()
        )]
    );
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .all(|r| r["source"] == "reported"
                && (2021..=2022).contains(&r["year"].as_i64().unwrap()))
    );

    // Countries resolve as the CLI resolves them: any case, or an area number (398 Kazakhstan).
    let same = get(&app, "/api/trade/series?a=kaz&b=4&years=2021-2022").await;
    assert_eq!(same.json()["rows"], *rows);

    // CSV: the same rows, numbers without exponents, the source URL last.
    let c = get(&app, "/api/trade/series?a=KAZ&b=AFG&years=2021&format=csv").await;
    assert_eq!(c.status, StatusCode::OK);
    let mut lines = c.body.lines();
    assert_eq!(
        lines.next(),
        Some("year,exporter,importer,flow,value_usd,source,classification,reporter,source_url")
    );
    assert_eq!(
        lines.next(),
        Some(format!("2021,KAZ,AFG,T,474300000,reported,none,KAZ official figure (Kazakh government via Kazinform),{KAZINFORM}").as_str())
    );
    assert_eq!(lines.next(), None);

    // No figure for a pair is an empty list, not an error.
    let none = get(&app, "/api/trade/series?a=NOR&b=AFG").await;
    assert_eq!(none.status, StatusCode::OK);
    assert_eq!(none.json()["rows"], serde_json::json!([]));
}

#[tokio::test]
async fn trade_answers_equal_the_cli_query_on_the_same_tables() {
    // `dyad trade series KAZ AFG` with no home opens these tables: the web must give the same.
    let cli = tokio::task::spawn_blocking(|| {
        let db = dyad_trade::TradeDb::open(None, &dyad_core::Registry::bundled()).unwrap();
        let batches = db.series("KAZ", "AFG", None).unwrap();
        // The rows as `dyad trade series` writes them.
        dyad_view::trade::Rows::new(&batches, Some(&dyad_view::trade::SERIES_COLUMNS)).unwrap()
    })
    .await
    .unwrap();
    let web = get(&bundled(), "/api/trade/series?a=KAZ&b=AFG")
        .await
        .json();
    assert_eq!(web["rows"], serde_json::to_value(&cli).unwrap());
    // Every row of the bundled file with KAZ on either side (9, all with AFG).
    assert_eq!(cli.len(), 9, "{cli:?}");
}

/// A home with the bundled acts and a trade store built for these tests (constructed figures,
/// not data): a BACI HS17 2022 year where Kazakhstan sells Afghanistan USD 300,000 of flour
/// (110100) and USD 100,000 of wheat (100199) and Uzbekistan USD 600,000 of flour; Comtrade
/// declarations for 2022 where Kazakhstan reports USD 100M of exports to Afghanistan and
/// Afghanistan USD 110M of imports from Kazakhstan; and one reported figure for Norway whose
/// reporter is markup.
fn home_with_trade() -> (Router, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    Ledger::init(&home, false).unwrap();
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../dyad-trade/tests/fixtures");

    let baci = dir.path().join("baci");
    std::fs::create_dir_all(&baci).unwrap();
    std::fs::copy(
        format!("{fixtures}/baci_release/country_codes_V202201.csv"),
        baci.join("country_codes_V202201.csv"),
    )
    .unwrap();
    std::fs::write(
        baci.join("product_codes_HS17_V202201.csv"),
        "code,description\n100199,Wheat and meslin: other than durum wheat, other than seed\n110100,Wheat or meslin flour\n",
    )
    .unwrap();
    // Values in thousand USD, as BACI gives them.
    std::fs::write(
        baci.join("BACI_HS17_Y2022_V202201.csv"),
        "t,i,j,k,v,q\n2022,398,4,110100,300,NA\n2022,398,4,100199,100,NA\n2022,860,4,110100,600,NA\n",
    )
    .unwrap();

    // Comtrade records from the fixture's first record (Kazakhstan's total exports to
    // Afghanistan), with reporter, flow, year and values changed.
    let text = std::fs::read_to_string(format!("{fixtures}/comtrade_api.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let template = reader.records().next().unwrap().unwrap();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let record = |changes: &[(&str, &str)]| {
        let mut r: Vec<String> = template.iter().map(str::to_string).collect();
        for (name, value) in changes {
            r[col(name)] = value.to_string();
        }
        r
    };
    let common = [
        ("refPeriodId", "20220101"),
        ("refYear", "2022"),
        ("period", "2022"),
    ];
    let mut kaz = record(&[("fobvalue", "100000000"), ("primaryValue", "100000000")]);
    let mut afg = record(&[
        ("reporterCode", "4"),
        ("reporterISO", "AFG"),
        ("reporterDesc", "Afghanistan"),
        ("flowCode", "M"),
        ("flowDesc", "Import"),
        ("partnerCode", "398"),
        ("partnerISO", "KAZ"),
        ("partnerDesc", "Kazakhstan"),
        ("cifvalue", "110000000"),
        ("fobvalue", ""),
        ("primaryValue", "110000000"),
    ]);
    for (name, value) in common {
        kaz[col(name)] = value.to_string();
        afg[col(name)] = value.to_string();
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).unwrap();
    w.write_record(&kaz).unwrap();
    w.write_record(&afg).unwrap();
    let comtrade = dir.path().join("comtrade_2022.csv");
    std::fs::write(&comtrade, w.into_inner().unwrap()).unwrap();

    let reported = dir.path().join("reported.csv");
    std::fs::write(
        &reported,
        "year,exporter,importer,flow,value_usd,reporter,goods,source_url,source_date\n\
         2022,NOR,AFG,export,1000,\"<script>alert(1)</script><b>ministry</b>\",,https://example.org/figures?a=1&b=2,2023\n",
    )
    .unwrap();

    dyad_trade::ingest::ingest(
        &home,
        &[baci, comtrade, reported],
        None,
        &dyad_core::Registry::bundled(),
        &dyad_trade::ingest::Quiet,
    )
    .unwrap();
    let app = router(AppState::new(Ledger::open(&home).unwrap()).unwrap());
    (app, dir)
}

#[tokio::test]
async fn products_partners_and_mirror_on_an_ingested_store() {
    let (app, _dir) = home_with_trade();

    // 300 + 100 thousand USD to Afghanistan: chapters 11 (flour) 75% and 10 (wheat) 25%.
    let a = get(
        &app,
        "/api/trade/products?exporter=KAZ&importer=AFG&year=2022&level=2",
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let p = a.json();
    assert!(p["store_rows"].as_u64().unwrap() > 0);
    let got: Vec<(String, f64, f64)> = p["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["product"].as_str().unwrap().to_string(),
                r["value_usd"].as_f64().unwrap(),
                r["share"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("11".into(), 300_000.0, 0.75),
            ("10".into(), 100_000.0, 0.25)
        ]
    );
    // At 6 digits the products carry the dictionary's names.
    let six = get(
        &app,
        "/api/trade/products?exporter=KAZ&importer=AFG&year=2022",
    )
    .await;
    assert_eq!(six.json()["rows"][0]["name"], "Wheat or meslin flour");
    assert_eq!(six.json()["level"], 6);

    // Afghanistan's imports in 2022: Uzbekistan 600 of 1,000 thousand, Kazakhstan 400.
    let a = get(
        &app,
        "/api/trade/partners?country=AFG&flow=import&years=2022",
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let got: Vec<(String, f64, f64)> = a.json()["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["partner"].as_str().unwrap().to_string(),
                r["value_usd"].as_f64().unwrap(),
                r["share"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("UZB".into(), 600_000.0, 0.6),
            ("KAZ".into(), 400_000.0, 0.4)
        ]
    );
    let top1 = get(
        &app,
        "/api/trade/partners?country=AFG&flow=import&years=2022&top=1",
    )
    .await;
    assert_eq!(top1.json()["rows"].as_array().unwrap().len(), 1);

    // Kazakhstan declared USD 100M of exports, Afghanistan USD 110M of imports: ratio 1.1,
    // gap 10M; BACI's reconciled value beside them is the 400 thousand above.
    let m = get(&app, "/api/trade/mirror?exporter=KAZ&importer=AFG").await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.body);
    let rows = m.json()["rows"].clone();
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
    let r = &rows[0];
    assert_eq!(r["year"], 2022);
    assert_eq!(r["exports_reported"].as_f64().unwrap(), 100_000_000.0);
    assert_eq!(r["imports_reported"].as_f64().unwrap(), 110_000_000.0);
    assert!((r["ratio"].as_f64().unwrap() - 1.1).abs() < 1e-12);
    assert_eq!(r["gap"].as_f64().unwrap(), 10_000_000.0);
    assert_eq!(r["baci"].as_f64().unwrap(), 400_000.0);
    let c = get(
        &app,
        "/api/trade/mirror?exporter=KAZ&importer=AFG&format=csv",
    )
    .await;
    assert!(
        c.body.starts_with(
            "year,exports_reported,imports_reported,ratio,gap,baci\n2022,100000000,110000000,"
        ),
        "{}",
        c.body
    );

    // The home's series holds the store's figures and the bundled reported ones.
    let s = get(&app, "/api/trade/series?a=KAZ&b=AFG&years=2021-2022")
        .await
        .json();
    let sources: std::collections::BTreeSet<&str> = s["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["source"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources.into_iter().collect::<Vec<_>>(),
        ["baci", "comtrade", "reported"]
    );
}

#[tokio::test]
async fn the_brief_api_gives_stance_figures_claims_and_numbered_sources() {
    let app = bundled();
    let a = get(&app, "/api/brief?actor=KAZ&authority=AFG-IEA&on=2023-04-18").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let b = a.json();
    assert_eq!(
        b["title"],
        "Kazakhstan and Islamic Emirate of Afghanistan (Taliban)"
    );
    assert_eq!(b["on"], "2023-04-18");
    // Envoys accepted on 2023-04-17 (KAZ/AFG-IEA/2023-04-17/envoy_accepted), not recognition.
    assert_eq!(b["stance"]["level"], 3);
    assert_eq!(b["stance"]["recognition"]["value"], "none");
    let figures = b["figures"].as_array().unwrap();
    assert!(figures.iter().any(|f| f["year"] == 2021
        && f["flow"] == "T"
        && f["value_usd"] == 474_300_000.0
        && f["source_url"] == KAZINFORM));

    let sources: Vec<&str> = b["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["source"].as_str().unwrap())
        .collect();
    let kazinform = sources.iter().position(|s| *s == KAZINFORM).unwrap() + 1;
    let sections = b["sections"].as_array().unwrap();
    let section = |title: &str| {
        sections
            .iter()
            .find(|s| s["title"].as_str().unwrap().starts_with(title))
            .unwrap_or_else(|| panic!("no section {title}"))
    };
    // The trade table's 2021 turnover row cites the Kazinform source by its number.
    let trade = section("Trade between");
    let table = trade["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["kind"] == "table")
        .unwrap();
    let row = table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cells"][0] == "2021" && r["cells"][3] == "USD 474.3M")
        .expect("2021 turnover row");
    assert_eq!(row["sources"], serde_json::json!([kazinform]));
    assert!(trade["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b["kind"] == "chart" && b["svg"].as_str().unwrap().starts_with("<svg")));
    // 987.9 / 474.3 = 2.08, within 15% of the claimed doubling.
    let claims = section("Claims checked");
    let claim = claims["blocks"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["cells"][0] == "KAZ-AFG trade turnover in 2022 was about twice that of 2021")
        .unwrap();
    assert_eq!(claim["cells"][1], "supported");
    // The bundled figures are totals, so the product mix is a data gap, said as such.
    assert!(section("What KAZ sells to AFG")["blocks"][0]["kind"] == "gap");

    let c = get(
        &app,
        "/api/brief?actor=KAZ&authority=AFG-IEA&on=2023-04-18&format=csv",
    )
    .await;
    assert_eq!(c.status, StatusCode::OK);
    assert!(c
        .body
        .starts_with("section,block,kind,row,column,value,sources\n"));
    // One line per cell: the 2021 turnover's value cites the Kazinform source, which the
    // sources lines list under its number.
    assert!(
        c.body.contains(&format!(",value,USD 474.3M,{kazinform}\n")),
        "{}",
        c.body
    );
    assert!(c.body.contains(&format!(
        "Sources,,source,{kazinform},source,{KAZINFORM},\n"
    )));
}

#[tokio::test]
async fn the_pair_page_charts_the_pairs_trade_with_its_sources() {
    let app = bundled();
    let page = get(&app, "/pair/KAZ/AFG-IEA?on=2023-04-18").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    let chart = body
        .split(r#"id="trade-chart""#)
        .nth(1)
        .expect("a trade chart");
    assert!(chart.contains("<svg"), "the chart is not inline SVG");
    // One point per figure: the 9 KAZ–AFG figures of the reported file (all years).
    let figure_rows = body.matches("<tr data-year=").count();
    assert_eq!(figure_rows, 9);
    let svg = &chart[..chart.find("</svg>").unwrap()];
    assert_eq!(svg.matches("<circle").count(), figure_rows);
    assert!(body.contains(r#"data-year="2021" data-flow="T" data-value-usd="474300000""#));
    assert!(body.contains(r#"data-year="2022" data-flow="T" data-value-usd="987900000""#));
    assert!(body.contains(&format!(r#"href="{KAZINFORM}""#)));
    assert!(body.contains("USD 474.3M") && body.contains("USD 987.9M"));
    assert!(body.contains(r#"href="/api/trade/series?a=KAZ&amp;b=AFG&amp;format=csv""#));
    assert!(body.contains(r#"id="brief-link" href="/brief/KAZ/AFG-IEA?on=2023-04-18""#));

    // A pair without a figure says so.
    let none = get(&app, "/pair/NOR/AFG-IEA?on=2023-04-18").await;
    assert_eq!(none.status, StatusCode::OK);
    assert!(none.body.contains("No trade data for this pair."));
    assert!(!none.body.contains(r#"id="trade-chart""#));
}

#[tokio::test]
async fn the_brief_page_renders_the_brief_in_the_site() {
    let app = bundled();
    let page = get(&app, "/brief/KAZ/AFG-IEA?on=2023-04-18").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.content_type.starts_with("text/html"));
    let body = &page.body;
    assert!(body.contains("<h1>Kazakhstan and Islamic Emirate of Afghanistan (Taliban)</h1>"));
    assert!(
        body.contains(r#"href="/static/style.css""#),
        "not in the site's layout"
    );
    assert!(body.contains(r#"id="chart-trade""#) && body.contains("<svg"));
    assert!(body.contains("Data gap."));
    assert!(body.contains(&format!(r#"href="{KAZINFORM}""#)));
    assert!(body.contains(r#"<li id="source-1">"#));
    assert!(body.contains(r##"href="#source-1">[1]</a>"##));
    assert!(body.contains(r#"href="/api/brief?actor=KAZ&amp;authority=AFG-IEA&amp;on=2023-04-18""#));
    // No inline style or script: the site's Content-Security-Policy would block them.
    assert!(!body.contains("<style"));
    assert_eq!(body.matches("<script").count(), 1);
}

#[tokio::test]
async fn markup_in_trade_figures_is_shown_as_text() {
    let (app, _dir) = home_with_trade();
    for uri in [
        "/pair/NOR/AFG-IEA?on=2023-04-18",
        "/brief/NOR/AFG-IEA?on=2023-04-18",
    ] {
        let page = get(&app, uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}: {}", page.body);
        assert!(
            page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{uri}: {}",
            page.body
        );
        assert!(!page.body.contains("<b>ministry"), "{uri}");
        assert_eq!(page.body.matches("<script").count(), 1, "{uri}");
        assert!(
            page.body
                .contains(r#"href="https://example.org/figures?a=1&amp;b=2""#),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn an_ingest_while_serving_is_picked_up_by_the_next_request() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    Ledger::init(&home, false).unwrap();
    let app = router(AppState::new(Ledger::open(&home).unwrap()).unwrap());
    let uri = "/api/trade/series?a=NOR&b=AFG";
    let before = get(&app, uri).await.json();
    assert_eq!(before["store_rows"], 0);
    assert_eq!(before["rows"], serde_json::json!([]));

    // A constructed figure, ingested as `dyad trade ingest` would while the server runs; then
    // the same file with another value, which replaces the first (and deletes its Parquet file,
    // so tables opened before would fail to read it).
    let file = dir.path().join("reported.csv");
    for value in [1000, 2000] {
        std::fs::write(
            &file,
            format!(
                "year,exporter,importer,flow,value_usd,reporter,goods,source_url,source_date\n\
                     2022,NOR,AFG,export,{value},test reporter,,https://example.org/figures,2023\n"
            ),
        )
        .unwrap();
        let f = file.clone();
        let h = home.clone();
        tokio::task::spawn_blocking(move || {
            dyad_trade::ingest::ingest(
                &h,
                &[f],
                None,
                &dyad_core::Registry::bundled(),
                &dyad_trade::ingest::Quiet,
            )
        })
        .await
        .unwrap()
        .unwrap();
        let a = get(&app, uri).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
        let rows = a.json()["rows"].clone();
        assert_eq!(rows.as_array().unwrap().len(), 1, "value {value}: {rows}");
        assert_eq!(rows[0]["value_usd"].as_f64().unwrap(), f64::from(value));
    }
}

#[tokio::test]
async fn ranges_and_days_may_be_given_in_either_order() {
    // The OpenAPI description cannot relate two parameters, so the API takes either order:
    // a diff reads from `from` to `to`, a years range is the years between its ends.
    let app = bundled();
    let forward = get(
        &app,
        "/api/diff?authority=AFG-IEA&from=2025-06-01&to=2025-08-01",
    )
    .await;
    let back = get(
        &app,
        "/api/diff?authority=AFG-IEA&from=2025-08-01&to=2025-06-01",
    )
    .await;
    assert_eq!(
        (forward.status, back.status),
        (StatusCode::OK, StatusCode::OK),
        "{}",
        back.body
    );
    let (f, b) = (forward.json(), back.json());
    let rus = |v: &Value, dim: &str| {
        v["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["actor"] == "RUS" && c["dimension"] == dim)
            .cloned()
            .unwrap()
    };
    // Russia recognised on 3 Jul 2025: forwards none → de_jure, backwards de_jure → none.
    assert_eq!(
        (
            rus(&f, "recognition")["from"].clone(),
            rus(&f, "recognition")["to"].clone()
        ),
        (Value::from("none"), Value::from("de_jure"))
    );
    assert_eq!(
        (
            rus(&b, "recognition")["from"].clone(),
            rus(&b, "recognition")["to"].clone()
        ),
        (Value::from("de_jure"), Value::from("none"))
    );
    let a = get(&app, "/api/trade/series?a=KAZ&b=AFG&years=2022-2021").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.json()["years"], "2021-2022");
}
