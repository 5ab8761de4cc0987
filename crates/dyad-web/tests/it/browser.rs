//! End to end in a real headless browser: Debian's chromium driven through chromedriver's
//! WebDriver HTTP protocol, against the server listening on a loopback port.
//!
//! Without chromium or chromedriver the test is skipped with a message, except in CI
//! (`DYAD_CI=1`), where that fails. Screenshots are saved under
//! `target/test-artifacts/`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use dyad_ledger::Ledger;
use dyad_web::{router, AppState};
use serde_json::{json, Value};

const SOURCE: &str =
    "https://eurasianet.org/kazakhstan-accredits-taliban-envoys-without-recognizing-government";
/// Source of Kazakhstan's 2021 and 2022 turnover with Afghanistan (USD 474.3M and 987.9M) in the
/// bundled reported figures.
const KAZINFORM: &str =
    "https://www.inform.kz/en/afghan-business-delegation-arrives-in-astana_a4096663/amp";

/// Starts the server on a free loopback port in a background thread; returns its base URL.
fn start_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let app = router(AppState::new(Ledger::bundled().unwrap()).unwrap());
            axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://{addr}")
}

/// chromedriver, killed when the test ends (also on a failed assertion).
struct Driver {
    child: Child,
    base: String,
    agent: ureq::Agent,
    session: Option<String>,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(s) = self.session.take() {
            let _ = self
                .agent
                .delete(format!("{}/session/{s}", self.base))
                .call();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    fn start(chromedriver: &Path, chromium: &Path) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", chromedriver.display()));
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let mut driver = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
            agent,
            session: None,
            _profile: tempfile::tempdir().unwrap(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = driver
                .agent
                .get(format!("{}/status", driver.base))
                .call()
                .ok()
                .and_then(|mut r| r.body_mut().read_json::<Value>().ok())
                .is_some_and(|v| v["value"]["ready"] == true);
            if ready {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not start in 20 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = driver._profile.path().display().to_string();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1400,1100",
                    format!("--user-data-dir={profile}"),
                ],
            },
        }}});
        let v = driver.call("POST", "/session", Some(caps));
        driver.session = Some(
            v["sessionId"]
                .as_str()
                .unwrap_or_else(|| panic!("no session: {v}"))
                .to_string(),
        );
        driver
    }

    /// One WebDriver command; returns its `value`, panicking with the driver's message on error.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = match &self.session {
            Some(s) => format!("{}/session/{s}{path}", self.base),
            None => format!("{}{path}", self.base),
        };
        let mut res = match method {
            "GET" => self.agent.get(&url).call(),
            "POST" => self.agent.post(&url).send_json(body.unwrap_or(json!({}))),
            _ => unreachable!("only GET and POST are used"),
        }
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        let status = res.status();
        let v: Value = res.body_mut().read_json().unwrap();
        assert!(status.is_success(), "{method} {path}: {status}: {v}");
        v["value"].clone()
    }

    fn go(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    fn find(&self, css: &str) -> String {
        let v = self.call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_string()
    }

    fn attribute(&self, element: &str, name: &str) -> Value {
        self.call("GET", &format!("/element/{element}/attribute/{name}"), None)
    }

    fn script(&self, script: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// Polls `f` until it returns true, or panics after 10 s with `what`.
    fn wait_for(&self, what: &str, mut f: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !f() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn screenshot(&self, file: &Path) {
        let b64 = self.call("GET", "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap())
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"), "screenshot is not a PNG");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, png).unwrap();
        eprintln!("screenshot saved to {}", file.display());
    }
}

fn artifacts() -> PathBuf {
    // CARGO_TARGET_TMPDIR is `<target>/tmp`; keep artifacts beside it, in `<target>/test-artifacts`.
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("test-artifacts")
}

#[test]
fn map_recolours_in_place_and_leads_to_the_sourced_act() {
    let (Some(chromium), Some(chromedriver)) =
        (dyad_testkit::chromium(), dyad_testkit::chromedriver())
    else {
        return;
    };
    let server = start_server();
    let d = Driver::start(&chromedriver, &chromium);

    // Start on a day when Kazakhstan had only its own embassy open in Kabul (level 2).
    d.go(&format!("{server}/?authority=AFG-IEA&on=2022-01-01"));
    let kaz = d.find("#c-KAZ");
    assert_eq!(d.attribute(&kaz, "class"), "c l2");
    // A marker that a page reload would wipe: the slider must recolour in place.
    d.script("window.dyadNoReload = true;", json!([]));

    // Move the slider to 2023-04-18, as a drag would (it fires `input` events).
    let start = time::macros::date!(2021 - 08 - 15);
    let target = time::macros::date!(2023 - 04 - 18);
    let index = (target - start).whole_days();
    d.script(
        "const s = document.getElementById('day');
         s.value = String(arguments[0]);
         s.dispatchEvent(new Event('input', {bubbles: true}));",
        json!([index]),
    );
    d.wait_for("Kazakhstan to turn level 3", || {
        d.attribute(&kaz, "class") == "c l3"
    });
    let on = d.find("#on");
    assert_eq!(
        d.call("GET", &format!("/element/{on}/property/value"), None),
        "2023-04-18"
    );
    assert_eq!(
        d.script("return window.dyadNoReload === true;", json!([])),
        true,
        "the page reloaded instead of recolouring in place"
    );
    // The colour on screen is level 3's, and the hover text names it.
    let fill = d.script(
        "return getComputedStyle(document.getElementById('c-KAZ')).fill;",
        json!([]),
    );
    assert_eq!(fill, "rgb(227, 74, 51)", "level 3 colour");
    let title = d.script(
        "return document.querySelector('#c-KAZ title').textContent;",
        json!([]),
    );
    assert_eq!(
        title,
        "Kazakhstan: level 3, envoys received below ambassador rank"
    );
    // The list view for screen readers moved too.
    let row = d.script(
        "return document.querySelector('#list-body tr[data-code=KAZ]').textContent;",
        json!([]),
    );
    assert!(
        row.as_str()
            .unwrap()
            .contains("envoys received below ambassador rank"),
        "{row}"
    );
    assert!(d
        .script("return location.search;", json!([]))
        .as_str()
        .unwrap()
        .contains("on=2023-04-18"));
    d.screenshot(&artifacts().join("map.png"));

    // Open Kazakhstan by clicking it on the map.
    d.call("POST", &format!("/element/{kaz}/click"), Some(json!({})));
    d.wait_for("Kazakhstan's page", || {
        d.call("GET", "/url", None)
            .as_str()
            .is_some_and(|u| u.contains("/pair/KAZ/AFG-IEA?on=2023-04-18"))
    });
    let link = d.find(r#"tr[data-act="KAZ/AFG-IEA/2023-04-17/envoy_accepted"] a.source"#);
    assert_eq!(d.attribute(&link, "href"), SOURCE);
    let row = d.find(r#"tr[data-act="KAZ/AFG-IEA/2023-04-17/envoy_accepted"]"#);
    let text = d.call("GET", &format!("/element/{row}/text"), None);
    assert!(text.as_str().unwrap().contains("2023-04-17"), "{text}");
    assert!(text.as_str().unwrap().contains("not recognition"), "{text}");
    d.screenshot(&artifacts().join("pair.png"));

    // The trade chart: drawn as SVG, one point per figure listed under it.
    let points = d.script(
        "return document.querySelectorAll('#trade-chart svg circle').length;",
        json!([]),
    );
    let rows = d.script(
        "return document.querySelectorAll('#trade-figures tbody tr').length;",
        json!([]),
    );
    assert_eq!(points, rows, "one point per figure");
    // The 9 KAZ–AFG rows of the bundled reported figures.
    assert_eq!(rows, 9);
    let size = d.script(
        "const r = document.querySelector('#trade-chart svg').getBoundingClientRect();
         return [r.width, r.height];",
        json!([]),
    );
    assert!(
        size[0].as_f64().unwrap() > 300.0 && size[1].as_f64().unwrap() > 150.0,
        "the chart is not drawn at a readable size: {size}"
    );
    let row = d.find(r#"#trade-figures tr[data-year="2021"][data-flow="T"]"#);
    let text = d.call("GET", &format!("/element/{row}/text"), None);
    assert!(text.as_str().unwrap().contains("USD 474.3M"), "{text}");
    let link = d.find(r#"#trade-figures tr[data-year="2021"][data-flow="T"] a.source"#);
    assert_eq!(d.attribute(&link, "href"), KAZINFORM);
    d.script(
        "document.getElementById('trade').scrollIntoView();",
        json!([]),
    );
    d.screenshot(&artifacts().join("pair-trade.png"));

    // The brief, one click away.
    let brief = d.find("#brief-link");
    d.call("POST", &format!("/element/{brief}/click"), Some(json!({})));
    d.wait_for("the brief page", || {
        d.call("GET", "/url", None)
            .as_str()
            .is_some_and(|u| u.contains("/brief/KAZ/AFG-IEA?on=2023-04-18"))
    });
    let h1 = d.find("h1");
    assert_eq!(
        d.call("GET", &format!("/element/{h1}/text"), None),
        "Kazakhstan and Islamic Emirate of Afghanistan (Taliban)"
    );
    let chart = d.script(
        "return document.querySelectorAll('#chart-trade svg circle').length;",
        json!([]),
    );
    assert_eq!(chart, 9, "the brief's trade chart has every figure");
    // A figure's source number leads to the numbered source, which links the article.
    let n = d.script(
        "const items = [...document.querySelectorAll('ol.sources li')];
         return items.findIndex(li => li.querySelector('a')?.href === arguments[0]) + 1;",
        json!([KAZINFORM]),
    );
    assert!(
        n.as_i64().unwrap() > 0,
        "the Kazinform source is not listed"
    );
    let cite = d.find(&format!(r##"td.refs a[href="#source-{n}"]"##));
    d.call("POST", &format!("/element/{cite}/click"), Some(json!({})));
    d.wait_for("the source to be the target", || {
        d.script("return location.hash;", json!([])) == json!(format!("#source-{n}"))
    });
    d.script("window.scrollTo(0, 0);", json!([]));
    // The brief has a second chart: the stance over time.
    let stance_chart = d.script(
        "return document.querySelectorAll('#chart-stance svg polyline').length;",
        json!([]),
    );
    assert!(
        stance_chart.as_i64().unwrap() >= 1,
        "no stance chart: {stance_chart}"
    );
    d.screenshot(&artifacts().join("brief.png"));

    // Picking an authority that ended moves the date inside its period: from 2023-04-18 on
    // the Emirate's map to the interim government of Venezuela's last day, 2023-01-05.
    d.go(&format!("{server}/?authority=AFG-IEA&on=2023-04-18"));
    d.script(
        "const s = document.getElementById('authority');
         s.value = 'VEN-GUAIDO';
         s.dispatchEvent(new Event('change', {bubbles: true}));",
        json!([]),
    );
    d.wait_for("the interim government's map on its last day", || {
        d.call("GET", "/url", None)
            .as_str()
            .is_some_and(|u| u.contains("authority=VEN-GUAIDO") && u.contains("on=2023-01-05"))
    });
    // The map links the contest of Venezuela's governments; on 1 Mar 2019 the US, Brazil and
    // Spain recognise Guaidó's and Russia Maduro's (the dataset's sources).
    d.go(&format!("{server}/?authority=VEN-GUAIDO&on=2019-03-01"));
    let contest = d.find("p.contest-link a");
    d.call(
        "POST",
        &format!("/element/{contest}/click"),
        Some(json!({})),
    );
    d.wait_for("the contest page", || {
        d.call("GET", "/url", None)
            .as_str()
            .is_some_and(|u| u.contains("/contest/VEN?on=2019-03-01"))
    });
    let cell = |actor: &str, authority: &str| {
        d.script(
            "const c = document.querySelector(`tr[data-code=${arguments[0]}] td[data-authority='${arguments[1]}']`);
             return c ? c.textContent : null;",
            json!([actor, authority]),
        )
        .as_str()
        .unwrap_or_default()
        .to_string()
    };
    for actor in ["USA", "BRA", "ESP"] {
        assert!(
            cell(actor, "VEN-GUAIDO").contains("formal recognition"),
            "{actor}"
        );
    }
    assert!(cell("MEX", "VEN-GUAIDO").contains("recognition none"));
    assert!(cell("RUS", "VEN-MADURO").contains("formal recognition"));
    assert!(cell("RUS", "VEN-GUAIDO").contains("no act"));
    d.screenshot(&artifacts().join("contest.png"));
}
