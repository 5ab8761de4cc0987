//! Reads over the ledger, in process: contests, stances, cached stances against a fresh fold,
//! `known_on`, why/timeline/compare/diff/history, parameters refused with a 4xx naming the
//! problem (or taken in either order), and the pages.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::Value;

use crate::openapi::{assert_matches, openapi};
use crate::support::*;

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
