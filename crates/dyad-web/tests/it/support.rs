//! What the API tests share: requests in process (`send`, `get`), the bundled server, and a
//! home with a small constructed trade store.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use dyad_ledger::Ledger;
use dyad_web::{router, AppState};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// An answer, with its body as text.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) content_type: String,
    pub(crate) headers: axum::http::HeaderMap,
    pub(crate) body: String,
}

impl Answer {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

pub(crate) fn bundled() -> Router {
    router(AppState::new(Ledger::bundled().unwrap()).unwrap())
}

pub(crate) async fn send(app: &Router, req: Request<Body>) -> Answer {
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

pub(crate) async fn get(app: &Router, uri: &str) -> Answer {
    send(app, Request::get(uri).body(Body::empty()).unwrap()).await
}

/// A home with the bundled acts and a trade store built for these tests (constructed figures,
/// not data): a BACI HS17 2022 year where Kazakhstan sells Afghanistan USD 300,000 of flour
/// (110100) and USD 100,000 of wheat (100199) and Uzbekistan USD 600,000 of flour; Comtrade
/// declarations for 2022 where Kazakhstan reports USD 100M of exports to Afghanistan and
/// Afghanistan USD 110M of imports from Kazakhstan; and one reported figure for Norway whose
/// reporter is markup.
pub(crate) fn home_with_trade() -> (Router, tempfile::TempDir) {
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
