//! Curator writes: tokens, the history of who wrote what and why, invalid acts refused whole
//! with located problems, no writes on the bundled server, markup shown as text.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use dyad_ledger::Ledger;
use dyad_web::{router, AppState};

use crate::openapi::{assert_matches, openapi};
use crate::support::*;

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
