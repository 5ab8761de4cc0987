//! Generated requests against every route, in process: query strings built from the OpenAPI
//! document's own parameters (their examples and enums, mutated; unknown, repeated and empty
//! parameters; arbitrary bytes, percent-encoded), the pages with generated path segments, and
//! mutated curator bodies (CSV and JSON). The server must never answer 5xx, and every refusal
//! must say what was wrong: an API error is JSON naming a parameter or value it was given (or
//! the query string as a whole), a refused write names its row or `acts[i]` and changes nothing.
//!
//! Cases per target: `DYAD_FUZZ_CASES` (see `docs/reliability.md`).

use dyad_testkit::fuzz;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use dyad_ledger::Ledger;
use dyad_web::{router, AppState};
use http_body_util::BodyExt;
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use serde_json::Value;
use tower::ServiceExt;

/// Values every parameter may be tried with, beside the document's examples and enums: real
/// codes and days of the bundled data, so that valid requests are generated too.
const VALUES: &[&str] = &[
    "2023-04-18",
    "2019-03-01",
    "2023-02-01",
    "2021-08-15",
    "1990-01-01",
    "KAZ",
    "AFG",
    "AFG-IEA",
    "AFG-IRA",
    "VEN",
    "VEN-GUAIDO",
    "VEN-MADURO",
    "USA",
    "UN",
    "2017-2024",
    "2024-2017",
    "2022",
    "2",
    "4",
    "6",
    "baci",
    "comtrade",
    "json",
    "csv",
    "KAZ/AFG-IEA/2023-03/envoy_accepted",
];

/// Pages and their path parameters (the document describes the API only).
const PAGES: &[&str] = &[
    "/",
    "/pair/{a}/{b}",
    "/brief/{a}/{b}",
    "/compare",
    "/contest/{a}",
    "/diff",
];

/// A GET operation: its path and query parameter names.
#[derive(Debug, Clone)]
struct Operation {
    path: String,
    params: Vec<String>,
}

/// The document's GET operations, and every example and enum value it gives.
fn operations(doc: &Value) -> (Vec<Operation>, Vec<String>) {
    let mut ops = Vec::new();
    let mut values: Vec<String> = VALUES.iter().map(|v| v.to_string()).collect();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let Some(get) = item.get("get") else { continue };
        let mut params = Vec::new();
        for p in get["parameters"].as_array().into_iter().flatten() {
            params.push(p["name"].as_str().expect("name").to_string());
            if let Some(e) = p["example"].as_str() {
                values.push(e.to_string());
            }
            for e in p["schema"]["enum"].as_array().into_iter().flatten() {
                values.push(e.as_str().map_or_else(|| e.to_string(), str::to_string));
            }
        }
        ops.push(Operation {
            path: path.clone(),
            params,
        });
    }
    for page in PAGES {
        ops.push(Operation {
            path: page.to_string(),
            params: ["on", "a", "b", "actors", "authority", "known_on", "format"]
                .map(String::from)
                .to_vec(),
        });
    }
    values.sort();
    values.dedup();
    (ops, values)
}

/// Percent-encodes every byte but the unreserved ones, so that any bytes reach the server's
/// query decoder as they would from a client.
fn encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One generated request: an operation, its query (name, raw value bytes), and bytes for path
/// segments of pages.
#[derive(Debug, Clone)]
struct Case {
    op: usize,
    query: Vec<(String, Vec<u8>)>,
    raw_query: Option<Vec<u8>>,
    segments: [Vec<u8>; 2],
}

fn value(values: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::sample::select(values.clone()),
        3 => fuzz::mutated(values),
        1 => prop::collection::vec(any::<u8>(), 0..12),
        1 => Just(Vec::new()),
    ]
}

fn case(ops: &[Operation], values: &[String]) -> impl Strategy<Value = Case> {
    let names: Vec<String> = ops
        .iter()
        .flat_map(|o| o.params.iter().cloned())
        .chain(["date".into(), "ON".into(), "".into(), "x".into()])
        .collect();
    let values: Vec<Vec<u8>> = values.iter().map(|v| v.as_bytes().to_vec()).collect();
    let ops_len = ops.len();
    let own: Vec<Vec<String>> = ops.iter().map(|o| o.params.clone()).collect();
    (0..ops_len)
        .prop_flat_map(move |op| {
            // Mostly the operation's own parameters, sometimes any name at all.
            let own = if own[op].is_empty() {
                names.clone()
            } else {
                own[op].clone()
            };
            let name = prop_oneof![
                6 => prop::sample::select(own),
                1 => prop::sample::select(names.clone()),
            ];
            (
                Just(op),
                prop::collection::vec((name, value(values.clone())), 0..5),
                prop::option::weighted(0.05, prop::collection::vec(any::<u8>(), 0..24)),
                [value(values.clone()), value(values.clone())],
            )
        })
        .prop_map(|(op, query, raw_query, segments)| Case {
            op,
            query,
            raw_query,
            segments,
        })
}

/// The request line's target for a case.
fn target(ops: &[Operation], c: &Case) -> String {
    let mut path = ops[c.op].path.clone();
    for (slot, seg) in ["{a}", "{b}"].iter().zip(&c.segments) {
        // An empty segment would route elsewhere; that is tried by the unknown-path tests.
        let seg = if seg.is_empty() {
            b"x".to_vec()
        } else {
            seg.clone()
        };
        path = path.replace(slot, &encode(&seg));
    }
    let query = match &c.raw_query {
        // Raw bytes in the query, as a hostile client may send (only the bytes a URI may hold).
        Some(raw) => raw
            .iter()
            .filter(|b| b.is_ascii_graphic() && **b != b'#')
            .map(|&b| b as char)
            .collect(),
        None => c
            .query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k.as_bytes()), encode(v)))
            .collect::<Vec<_>>()
            .join("&"),
    };
    if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    }
}

struct Answer {
    status: StatusCode,
    content_type: String,
    body: Vec<u8>,
}

async fn send(app: &Router, req: Request<Body>) -> Answer {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Answer {
        status,
        content_type,
        body,
    }
}

/// The checks of one GET answer.
fn check_get(ops: &[Operation], c: &Case, uri: &str, a: &Answer) -> Result<(), TestCaseError> {
    let body = String::from_utf8_lossy(&a.body);
    prop_assert!(!a.status.is_server_error(), "{uri}: {} {}", a.status, body);
    if !ops[c.op].path.starts_with("/api/") {
        prop_assert!(
            a.content_type.starts_with("text/html"),
            "{uri}: {}",
            a.content_type
        );
        return Ok(());
    }
    if a.status.is_success() {
        if a.content_type.starts_with("application/json") {
            let parsed: Result<Value, _> = serde_json::from_slice(&a.body);
            prop_assert!(parsed.is_ok(), "{uri}: not JSON: {body}");
        } else {
            prop_assert!(
                a.content_type.starts_with("text/csv"),
                "{uri}: {}",
                a.content_type
            );
        }
        return Ok(());
    }
    let parsed: Value = serde_json::from_slice(&a.body)
        .map_err(|e| TestCaseError::fail(format!("{uri}: error not JSON ({e}): {body}")))?;
    let message = parsed["error"].as_str().unwrap_or_default();
    prop_assert!(!message.is_empty(), "{uri}: no message: {body}");
    // Located: the message quotes a parameter or value it was given, or names the query
    // string as a whole (undecodable), or says which parameter is missing.
    let given = c.query.iter().any(|(k, v)| {
        let v = String::from_utf8_lossy(v);
        (!k.is_empty() && message.contains(&format!("`{k}`")))
            || (!v.is_empty() && message.contains(&format!("`{v}")))
    });
    let located = given
        || message.starts_with("malformed query string")
        || message.contains("missing parameter `")
        || message.contains("parameter `")
        || message.contains("unknown parameter");
    prop_assert!(located, "{uri}: {} does not say where: {message}", a.status);
    Ok(())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn generated_queries_never_fail_the_server_and_every_refusal_says_where() {
    let rt = runtime();
    let app = router(AppState::new(Ledger::bundled().unwrap()).unwrap());
    let doc: Value = rt.block_on(async {
        let a = send(
            &app,
            Request::get("/api/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        serde_json::from_slice(&a.body).unwrap()
    });
    let (ops, values) = operations(&doc);
    assert!(
        ops.len() >= 20,
        "the document lists {} GET operations",
        ops.len()
    );
    let mut runner = TestRunner::new(fuzz::config(1500));
    // The runner takes a `Fn`, so the tallies are cells.
    let tried = std::cell::Cell::new(0u32);
    let statuses = std::cell::RefCell::new(std::collections::BTreeMap::<u16, u32>::new());
    let result = runner.run(&case(&ops, &values), |c| {
        let uri = target(&ops, &c);
        let Ok(req) = Request::get(&uri).body(Body::empty()) else {
            // A target the HTTP types refuse never reaches a server.
            return Ok(());
        };
        let answer = rt.block_on(send(&app, req));
        tried.set(tried.get() + 1);
        *statuses
            .borrow_mut()
            .entry(answer.status.as_u16())
            .or_default() += 1;
        check_get(&ops, &c, &uri, &answer)
    });
    let (tried, statuses) = (tried.get(), statuses.into_inner());
    println!("api queries: {tried} requests, by status {statuses:?}");
    if let Err(e) = result {
        panic!("{e}");
    }
    // The generator reaches answers of every kind, not only refusals.
    for status in [200, 400, 404] {
        assert!(
            statuses.contains_key(&status),
            "no {status} among {statuses:?}"
        );
    }
}

/// Valid curator bodies to mutate: the `dyad import` CSV and the JSON array of acts (test acts:
/// example.org marks them as no claim about the world).
const CSV_BODY: &str = "date,actor,counterpart,act,detail,source_url,source_date\n\
2023-06-01,KAZ,AFG-IEA,other,Test act written by the fuzz test,https://example.org/a,2023-06-02\n\
2023-07,UZB,AFG-IEA,envoy_accepted,\"Test, quoted\",https://example.org/b,\n";
const JSON_BODY: &str = r#"[{"date":"2023-06-01","actor":"KAZ","counterpart":"AFG-IEA","act":"other","detail":"Test act written by the fuzz test","source_url":"https://example.org/a","source_date":"2023-06-02"},{"date":"2023-07","actor":"UZB","counterpart":"AFG-IEA","act":"envoy_accepted","detail":"Test","source_url":"https://example.org/b"}]"#;

#[test]
fn mutated_curator_bodies_are_refused_whole_with_the_row_named() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    Ledger::init(dir.path(), false).unwrap();
    let token = Ledger::open(dir.path())
        .unwrap()
        .create_token("fuzzer")
        .unwrap();
    let app = router(AppState::new(Ledger::open(dir.path()).unwrap()).unwrap());
    let count = |app: &Router| {
        rt.block_on(async {
            let a = send(app, Request::get("/api/acts").body(Body::empty()).unwrap()).await;
            let v: Value = serde_json::from_slice(&a.body).unwrap();
            v["acts"]
                .as_array()
                .map_or_else(|| v.as_array().unwrap().len(), Vec::len)
        })
    };
    let before = count(&app);
    let bodies = prop_oneof![
        fuzz::mutated(vec![CSV_BODY.as_bytes().to_vec()]).prop_map(|b| ("text/csv", b)),
        fuzz::mutated(vec![JSON_BODY.as_bytes().to_vec()]).prop_map(|b| ("application/json", b)),
    ];
    let mut runner = TestRunner::new(fuzz::config(600));
    let (tried, written, refused) = (
        std::cell::Cell::new(0u32),
        std::cell::Cell::new(0usize),
        std::cell::Cell::new(0u32),
    );
    let result = runner.run(&bodies, |(ctype, body)| {
        let req = Request::builder()
            .method(Method::POST)
            .uri("/api/acts?reason=fuzz")
            .header(header::CONTENT_TYPE, ctype)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::from(body.clone()))
            .unwrap();
        let before = count(&app);
        let a = rt.block_on(send(&app, req));
        tried.set(tried.get() + 1);
        let text = String::from_utf8_lossy(&a.body).into_owned();
        prop_assert!(!a.status.is_server_error(), "{} {text}", a.status);
        let after = count(&app);
        if a.status.is_success() {
            // Acts already there are accepted again without change, so a success may add none.
            written.set(written.get() + after - before);
            return Ok(());
        }
        refused.set(refused.get() + 1);
        prop_assert_eq!(
            after,
            before,
            "a refused write changed the ledger: {}",
            text
        );
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| TestCaseError::fail(format!("error not JSON ({e}): {text}")))?;
        let message = v["error"].as_str().unwrap_or_default();
        prop_assert!(!message.is_empty(), "no message: {}", text);
        if a.status == StatusCode::UNPROCESSABLE_ENTITY {
            // Every problem names its place: `request.csv:LINE:COL` or `acts[i]` (or the body
            // as a whole, for JSON that does not parse: `line L column C`).
            let problems = v["problems"].as_array().cloned().unwrap_or_default();
            prop_assert!(!problems.is_empty(), "422 without problems: {}", text);
            for p in problems {
                let p = p.as_str().unwrap_or_default();
                let located =
                    p.starts_with("request.csv:") || p.starts_with("acts[") || p.contains("line ");
                prop_assert!(located, "problem without a place: {}", p);
            }
        }
        Ok(())
    });
    let (tried, written, refused) = (tried.get(), written.get(), refused.get());
    println!("curator bodies: {tried} writes, {refused} refused, {written} acts written");
    if let Err(e) = result {
        panic!("{e}");
    }
    assert!(refused > 0);
    assert!(count(&app) >= before);
}

/// Found by the generator: a page path segment whose escapes are not UTF-8 was answered with
/// axum's plain-text rejection, not an error page.
#[test]
fn a_path_segment_that_is_not_utf8_gets_an_error_page() {
    let rt = runtime();
    let app = router(AppState::new(Ledger::bundled().unwrap()).unwrap());
    for uri in ["/pair/10/%8010", "/brief/%FF/AFG-IEA", "/contest/%C3"] {
        let a = rt.block_on(send(&app, Request::get(uri).body(Body::empty()).unwrap()));
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(
            a.content_type.starts_with("text/html"),
            "{uri}: {}",
            a.content_type
        );
        let body = String::from_utf8_lossy(&a.body);
        assert!(body.contains("malformed path"), "{uri}: {body}");
    }
}
