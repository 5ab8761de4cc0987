//! Trade and briefs: the reported figures with their sources, answers equal to the CLI's,
//! products/partners/mirror on an ingested store, the brief API and pages, an ingest while
//! serving.

use axum::http::StatusCode;
use dyad_ledger::Ledger;
use dyad_web::{router, AppState};
use serde_json::Value;

use crate::support::*;

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
    let db = dyad_trade::TradeDb::open(None, &dyad_core::Registry::bundled()).unwrap();
    let batches = db.series("KAZ", "AFG", None).await.unwrap();
    // The rows as `dyad trade series` writes them.
    let cli =
        dyad_view::trade::Rows::new(&batches, Some(&dyad_view::trade::SERIES_COLUMNS)).unwrap();
    let web = get(&bundled(), "/api/trade/series?a=KAZ&b=AFG")
        .await
        .json();
    assert_eq!(web["rows"], serde_json::to_value(&cli).unwrap());
    // Every row of the bundled file with KAZ on either side (9, all with AFG).
    assert_eq!(cli.len(), 9, "{cli:?}");
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

    // The brief's product mix is of the pair's latest year with product-level figures: 2022.
    let b = get(&app, "/api/brief?actor=KAZ&authority=AFG-IEA&on=2023-04-18")
        .await
        .json();
    let products = b["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["title"]
                .as_str()
                .unwrap()
                .starts_with("What KAZ sells to AFG")
        })
        .expect("a products section")
        .to_string();
    assert!(!products.contains(r#""kind":"gap""#), "{products}");
    assert!(
        products.contains("KAZ exports to AFG in 2022"),
        "{products}"
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
