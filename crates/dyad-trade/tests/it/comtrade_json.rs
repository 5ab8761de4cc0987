//! The Comtrade data API's JSON response against the CSV of the same records.
//!
//! `fixtures/comtrade_api.json` holds the six records of `fixtures/comtrade_api.csv` written as
//! the API writes them: the envelope `{"elapsedTime", "count", "data", "error"}` and, in every
//! record, the 47 fields of FORMATS.md 2.1 in their documented order, typed as in recorded API
//! responses (codes, years and values as numbers, `mosCode`/`cmdCode` as strings, flags as
//! booleans, empty cells as `null`). Golden values are the CSV's, worked out by hand in
//! `readers.rs`; line numbers are counted in the fixture (a record is its two brace lines and 47
//! field lines, the first record opening on line 5).

use std::io::Write;
use std::path::{Path, PathBuf};

use dyad_core::Registry;
use dyad_trade::codes::AreaCodes;
use dyad_trade::comtrade::{self, ComtradeRows};
use dyad_trade::datafusion::arrow::array::RecordBatch;
use dyad_trade::datafusion::arrow::util::display::array_value_to_string;
use dyad_trade::ingest::{ingest, Quiet};
use dyad_trade::{Flow, TradeDb, TradeError};
use proptest::prelude::*;

/// FORMATS.md 2.1: the 47 fields of the record, in order.
const DOCUMENTED: [&str; 47] = [
    "typeCode",
    "freqCode",
    "refPeriodId",
    "refYear",
    "refMonth",
    "period",
    "reporterCode",
    "reporterISO",
    "reporterDesc",
    "flowCode",
    "flowDesc",
    "partnerCode",
    "partnerISO",
    "partnerDesc",
    "partner2Code",
    "partner2ISO",
    "partner2Desc",
    "classificationCode",
    "classificationSearchCode",
    "isOriginalClassification",
    "cmdCode",
    "cmdDesc",
    "aggrLevel",
    "isLeaf",
    "customsCode",
    "customsDesc",
    "mosCode",
    "motCode",
    "motDesc",
    "qtyUnitCode",
    "qtyUnitAbbr",
    "qty",
    "isQtyEstimated",
    "altQtyUnitCode",
    "altQtyUnitAbbr",
    "altQty",
    "isAltQtyEstimated",
    "netWgt",
    "isNetWgtEstimated",
    "grossWgt",
    "isGrossWgtEstimated",
    "cifvalue",
    "fobvalue",
    "primaryValue",
    "legacyEstimationFlag",
    "isReported",
    "isAggregate",
];

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

fn areas() -> AreaCodes {
    AreaCodes::new(&Registry::bundled())
}

/// What a reader made of a text: its rows, or its problems as text.
fn read(label: &str, bytes: &[u8]) -> Result<ComtradeRows, String> {
    let mut rows = ComtradeRows::default();
    comtrade::read_bytes(label, bytes, &areas(), &mut rows)
        .map(|()| rows)
        .map_err(|e| e.to_string())
}

fn same_rows(a: &ComtradeRows, b: &ComtradeRows) {
    assert_eq!(a.units, b.units);
    assert_eq!(a.products, b.products);
    assert_eq!(a.skipped, b.skipped);
}

fn err(label: &str, json: &str) -> String {
    read(label, json.as_bytes()).unwrap_err()
}

#[test]
fn the_fixture_is_written_from_the_documented_field_list() {
    // Keys of each record, from the pretty-printed text (one field a line, 12 spaces in).
    let json = text("comtrade_api.json");
    let mut records: Vec<Vec<&str>> = Vec::new();
    for line in json.lines() {
        if line == "        {" {
            records.push(Vec::new());
        } else if let Some(rest) = line.strip_prefix("            \"") {
            records
                .last_mut()
                .unwrap()
                .push(rest.split('"').next().unwrap());
        }
    }
    assert_eq!(records.len(), 6);
    for keys in &records {
        assert_eq!(keys.as_slice(), DOCUMENTED.as_slice());
    }
    // ... and DOCUMENTED is the list of the specification (docs/FORMATS.md, section 2.1).
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/FORMATS.md");
    let spec = std::fs::read_to_string(&spec).unwrap();
    let section = &spec[spec.find("### 2.1 Columns").unwrap()..];
    let block = section.split("```").nth(1).unwrap();
    let listed: Vec<&str> = block
        .split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(listed, DOCUMENTED);
}

#[test]
fn the_response_reads_to_the_csv_rows() {
    let csv = read("api.csv", text("comtrade_api.csv").as_bytes()).unwrap();
    let json_text = text("comtrade_api.json");
    let json = read("api.json", json_text.as_bytes()).unwrap();
    same_rows(&json, &csv);
    // Hand-checked against the CSV fixture: four rows kept (World partner and the
    // mode-of-transport breakdown skipped), KAZ's TOTAL export to AFG of 512,345,678.9 USD.
    assert_eq!(json.skipped, 2);
    let kaz: &Vec<Flow> = &json.units["comtrade/KAZ/2023/A"];
    assert_eq!(kaz.len(), 3);
    assert_eq!(kaz[0].product, "TOTAL");
    assert_eq!(kaz[0].value_usd, 512_345_678.9);
    assert_eq!(kaz[1].quantity, Some(950_000_000.0));
    assert_eq!(kaz[1].unit.as_deref(), Some("kg"));
    assert_eq!(
        json.products[&("H6".to_string(), "080620".to_string())],
        "Grapes; dried"
    );

    // The same records written compactly, after a byte-order mark, or as a bare array.
    let value: serde_json::Value = serde_json::from_str(&json_text).unwrap();
    let compact = serde_json::to_string(&value).unwrap();
    same_rows(&read("c.json", compact.as_bytes()).unwrap(), &csv);
    let bom = format!("\u{feff}{json_text}");
    same_rows(&read("b.json", bom.as_bytes()).unwrap(), &csv);
    let bare = serde_json::to_string_pretty(&value["data"]).unwrap();
    same_rows(&read("a.json", bare.as_bytes()).unwrap(), &csv);

    // Gzipped, read by path as `ingest` does.
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("response.json.gz");
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(json_text.as_bytes()).unwrap();
    std::fs::write(&gz, e.finish().unwrap()).unwrap();
    let mut rows = ComtradeRows::default();
    comtrade::read_path(&gz, &areas(), &mut rows).unwrap();
    same_rows(&rows, &csv);
}

fn rows(batches: &[RecordBatch]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for b in batches {
        for r in 0..b.num_rows() {
            out.push(
                b.columns()
                    .iter()
                    .map(|c| array_value_to_string(c, r).unwrap())
                    .collect(),
            );
        }
    }
    out
}

/// Ingested, the response (plain or gzipped) and the CSV give the same stored flows, product
/// names and answers.
#[test]
fn ingesting_the_response_stores_what_the_csv_stores() {
    // The response gzipped, as `response.json.gz`.
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("response.json.gz");
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(text("comtrade_api.json").as_bytes()).unwrap();
    std::fs::write(&gz, e.finish().unwrap()).unwrap();
    let mut stored = Vec::new();
    for path in [
        fixture("comtrade_api.csv"),
        fixture("comtrade_api.json"),
        gz,
    ] {
        let home = tempfile::tempdir().unwrap();
        let report = ingest(home.path(), &[path], None, &Registry::bundled(), &Quiet).unwrap();
        assert_eq!(report.skipped, 2);
        assert_eq!(report.units.len(), 2, "{report:?}");
        let db = TradeDb::open(Some(home.path()), &Registry::bundled()).unwrap();
        let flows = rows(
            &db.sql(
                "SELECT * FROM flows WHERE source = 'comtrade' \
                 ORDER BY reporter, flow, exporter, importer, product",
            )
            .unwrap(),
        );
        let products = rows(
            &db.sql("SELECT * FROM products ORDER BY classification, code")
                .unwrap(),
        );
        // readers.rs: KAZ declares exports of 512,345,678.9, AFG imports of 530,000,000.
        let m = rows(&db.mirror("KAZ", "AFG", None).unwrap());
        assert_eq!(m.len(), 1);
        assert!(m[0].contains(&"512345678.9".to_string()), "{m:?}");
        assert!(m[0].contains(&"530000000.0".to_string()), "{m:?}");
        stored.push((flows, products, m));
    }
    assert_eq!(stored[0].0.len(), 4);
    assert_eq!(stored[0], stored[1]);
    assert_eq!(stored[0], stored[2]);
}

/// The fixture with one field of one record (0-based) given another value.
fn with_field(record: usize, field: &str, value: &str) -> String {
    let json = text("comtrade_api.json");
    let target = 5 + 49 * record + 1 + DOCUMENTED.iter().position(|f| *f == field).unwrap();
    json.lines()
        .enumerate()
        .map(|(i, l)| {
            if i + 1 == target {
                let comma = if l.ends_with(',') { "," } else { "" };
                format!("            \"{field}\": {value}{comma}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn errors_name_the_record_and_field_where_the_csv_names_line_and_column() {
    // The third record's value (line 5 + 2 × 49 + 44 = 147, its key at column 13), and the same
    // cell of the CSV (data row 3 = line 4, column 44): the same rule, the same words.
    let e = err("r.json", &with_field(2, "primaryValue", "-1"));
    assert!(
        e.contains("r.json:147:13: data[2].primaryValue: `-1` is not a value in US dollars"),
        "{e}"
    );
    let csv = text("comtrade_api.csv").replacen(",3456789.1,0,", ",-1,0,", 1);
    let e = read("r.csv", csv.as_bytes()).unwrap_err();
    assert!(
        e.contains("r.csv:4:44: primaryValue: `-1` is not a value in US dollars"),
        "{e}"
    );

    // A quoted value is the same text as a number.
    let e = err("r.json", &with_field(0, "refYear", "\"20x3\""));
    assert!(
        e.contains("r.json:9:13: data[0].refYear: `20x3` is not a whole number"),
        "{e}"
    );
    // `null` is an empty cell.
    let e = err("r.json", &with_field(0, "refYear", "null"));
    assert!(
        e.contains("r.json:9:13: data[0].refYear: empty: expected a whole number"),
        "{e}"
    );
    // Partner 998 is not an area dyad knows (line 5 + 12).
    let e = err("r.json", &with_field(0, "partnerCode", "998"));
    assert!(
        e.contains("r.json:17:13: data[0].partnerCode: unknown area code 998"),
        "{e}"
    );
    // The second record in another HS revision than the first (line 54 + 18).
    let e = err("r.json", &with_field(1, "classificationCode", "\"H5\""));
    assert!(
        e.contains(
            "r.json:72:13: data[1].classificationCode: mixed HS revisions for KAZ 2023: H5 \
             here, H6 in data[0]"
        ),
        "{e}"
    );
    // The second record made a copy of the first (its product, line 54 + 21): the record as a
    // whole, at its brace.
    let e = err("r.json", &with_field(1, "cmdCode", "\"TOTAL\""));
    assert!(
        e.contains("r.json:54:9: data[1]: the same flow appears in data[0]"),
        "{e}"
    );
    // A field that is an object.
    let e = err("r.json", &with_field(0, "cmdCode", "{\"a\": 1}"));
    assert!(
        e.contains(
            "r.json:26:13: data[0].cmdCode: an object where a string or a number is expected"
        ),
        "{e}"
    );
}

#[test]
fn malformed_responses_are_located() {
    let json = text("comtrade_api.json");
    // A required field missing from the first record: the record, at its brace.
    let without: String = json
        .lines()
        .filter(|l| *l != "            \"primaryValue\": 512345678.9,")
        .collect::<Vec<_>>()
        .join("\n");
    let e = err("r.json", &without);
    assert!(
        e.contains("r.json:5:9: data[0]: not a Comtrade record: missing primaryValue"),
        "{e}"
    );
    // A field twice.
    let twice = json.replacen(
        "\"primaryValue\": 512345678.9,",
        "\"primaryValue\": 512345678.9, \"primaryValue\": 1.0,",
        1,
    );
    let e = err("r.json", &twice);
    assert!(
        e.contains("r.json:49:42: data[0].primaryValue: appears twice in the record"),
        "{e}"
    );
    // A download cut inside the third record (after line 120): serde_json's position, and the
    // record being read.
    let cut: String = json.lines().take(120).collect::<Vec<_>>().join("\n");
    let e = err("r.json", &cut);
    assert!(e.contains("r.json:120:"), "{e}");
    assert!(e.contains("data[2]"), "{e}");
    assert!(e.contains("EOF while parsing"), "{e}");
    // Text after the response, or after a bare array: no record's.
    let e = err("r.json", &format!("{json}x"));
    assert!(e.contains("r.json:302:1: trailing characters"), "{e}");
    let e = err("r.json", "[]\n{}");
    assert!(e.contains("r.json:2:1: trailing characters"), "{e}");
    // An error the API reported, at its key.
    let e = err(
        "r.json",
        &json.replacen("\"error\": \"\"", "\"error\": \"quota exceeded\"", 1),
    );
    assert!(
        e.contains("r.json:300:5: error: the response reports an error: quota exceeded"),
        "{e}"
    );
    // Not a response; not records.
    let e = err("r.json", "{\"count\": 0}");
    assert!(
        e.contains("r.json:1:1: not a Comtrade API response: it has no `data` array"),
        "{e}"
    );
    // What the API's gateway answers to a refused request, saved by `curl -o` all the same.
    let e = err(
        "r.json",
        "{ \"statusCode\": 401, \"message\": \"the words of the gateway\" }",
    );
    assert!(
        e.contains(
            "r.json:1:1: not a Comtrade API response: it has no `data` array of records (its \
             message: the words of the gateway)"
        ),
        "{e}"
    );
    let e = err("r.json", "{\"data\": [1]}");
    assert!(
        e.contains("r.json:1:")
            && e.contains("data[0]: invalid type: integer `1`, expected a Comtrade record"),
        "{e}"
    );
    let e = err("r.json", "{\"data\": [], \"data\": []}");
    assert!(e.contains("`data` appears twice"), "{e}");
    // An empty response is no rows, as a CSV with only its header is.
    let empty = read(
        "r.json",
        b"{\"elapsedTime\": \"0.02 secs\", \"count\": 0, \"data\": [], \"error\": \"\"}",
    )
    .unwrap();
    assert!(empty.units.is_empty());
}

#[test]
fn reading_stops_after_a_hundred_problems() {
    let record =
        "{\"freqCode\": \"A\", \"refYear\": 2023, \"refMonth\": 52, \"reporterCode\": 398, \
        \"flowCode\": \"X\", \"partnerCode\": 4, \"classificationCode\": \"H6\", \"cmdCode\": \
        \"TOTAL\", \"primaryValue\": -1, \"qtyUnitAbbr\": null}";
    let json = format!("{{\"data\": [{}]}}", vec![record; 150].join(",\n"));
    let mut rows = ComtradeRows::default();
    match comtrade::read_json("r.json", json.as_bytes(), &areas(), &mut rows) {
        Err(TradeError::Input(errors)) => {
            assert_eq!(errors.0.len(), 100);
            assert_eq!(errors.0[99].field.as_deref(), Some("data[99].primaryValue"));
            // Record i is on line i + 1.
            assert_eq!(errors.0[99].line, 100);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_failed_response_changes_nothing() {
    let home = tempfile::tempdir().unwrap();
    ingest(
        home.path(),
        &[fixture("comtrade_api.csv")],
        None,
        &Registry::bundled(),
        &Quiet,
    )
    .unwrap();
    let before = std::fs::read(home.path().join("trade/manifest.json")).unwrap();
    let bad = home.path().join("response.json");
    std::fs::write(&bad, with_field(5, "primaryValue", "\"n/a\"")).unwrap();
    let e = ingest(home.path(), &[bad], None, &Registry::bundled(), &Quiet).unwrap_err();
    assert!(e.to_string().contains("data[5].primaryValue"), "{e}");
    assert_eq!(
        std::fs::read(home.path().join("trade/manifest.json")).unwrap(),
        before
    );
}

/// One generated record: a value (or an empty cell) for each field the rules read, good and bad.
fn record() -> impl Strategy<Value = Vec<(&'static str, &'static str)>> {
    fn one(
        name: &'static str,
        values: &'static [&'static str],
    ) -> BoxedStrategy<(&'static str, &'static str)> {
        prop::sample::select(values)
            .prop_map(move |v| (name, v))
            .boxed()
    }
    let codes: &'static [&'static str] =
        &["398", "4", "842", "490", "0", "998", "156", "-4", "04", ""];
    (
        (
            one("typeCode", &["C", "C", "S", ""]),
            one("freqCode", &["A", "A", "M", "Q", ""]),
            one(
                "refYear",
                &["2023", "2023", "2010", "1899", "20x3", "2023.0", ""],
            ),
            one("refMonth", &["52", "1", "12", "13", "0", ""]),
            one("reporterCode", codes),
            one("flowCode", &["X", "M", "RX", "RM", "FM", ""]),
            one("partnerCode", codes),
            one("partner2Code", &["0", "0", "", "4"]),
            one("classificationCode", &["H6", "H6", "H5", ""]),
        ),
        (
            one(
                "cmdCode",
                &[
                    "TOTAL", "10", "1001", "100199", "080620", "1001999", "ab", "",
                ],
            ),
            one("cmdDesc", &["", "Wheat", "Grapes; dried", "a, \"b\""]),
            one("customsCode", &["C00", "C00", "", "C01"]),
            one("mosCode", &["0", "0", "", "3"]),
            one("motCode", &["0", "0", "", "1000"]),
            one("qtyUnitCode", &["-1", "8", ""]),
            one("qtyUnitAbbr", &["N/A", "kg", ""]),
            one("qty", &["0", "950000000", "-1", "", "1.5", "1e3", "inf"]),
            one(
                "primaryValue",
                &[
                    "512345678.9",
                    "0",
                    "-1",
                    "",
                    "1e300",
                    "NaN",
                    "3456789.1",
                    "0.1e1",
                ],
            ),
        ),
    )
        .prop_map(|(a, b)| {
            vec![
                a.0, a.1, a.2, a.3, a.4, a.5, a.6, a.7, a.8, b.0, b.1, b.2, b.3, b.4, b.5, b.6,
                b.7, b.8,
            ]
        })
}

/// Whether JSON can write a text as a number (RFC 8259 section 6).
fn json_number(t: &str) -> bool {
    let t = t.strip_prefix('-').unwrap_or(t);
    let (int, rest) = t.split_at(t.find(['.', 'e', 'E']).unwrap_or(t.len()));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let int_ok = int == "0" || (digits(int) && !int.starts_with('0'));
    let (frac, exp) = match rest.strip_prefix('.') {
        Some(r) => r.split_at(r.find(['e', 'E']).unwrap_or(r.len())),
        None => ("", rest),
    };
    let frac_ok = !rest.starts_with('.') || digits(frac);
    let exp_ok = exp.is_empty() || {
        let e = &exp[1..];
        digits(e.strip_prefix(['+', '-']).unwrap_or(e))
    };
    int_ok && frac_ok && exp_ok
}

/// A problem, with the JSON record names turned into the CSV's (record i is on line i + 2).
fn normalised(e: &dyad_core::InputError) -> (Option<String>, String) {
    let field = e.field.as_ref().and_then(|f| match f.split_once("].") {
        Some((_, name)) => Some(name.to_string()),
        None if f.starts_with("data[") => None,
        None => Some(f.clone()),
    });
    let mut message = e.message.clone();
    while let Some(at) = message.find("in data[") {
        let end = at + message[at..].find(']').unwrap();
        let i: u64 = message[at + 8..end].parse().unwrap();
        message.replace_range(at..=end, &format!("on line {}", i + 2));
    }
    (field, message)
}

fn outcome(r: dyad_trade::Result<()>) -> Result<(), Vec<(Option<String>, String)>> {
    match r {
        Ok(()) => Ok(()),
        Err(TradeError::Input(e)) => Err(e.0.iter().map(normalised).collect()),
        Err(other) => panic!("not an input error: {other}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, failure_persistence: None, ..ProptestConfig::default() })]

    /// Any records, written as a CSV and as a response (numbers as JSON numbers or as strings,
    /// empty cells as `null` or `""`, pretty or compact), give the same rows or the same
    /// problems.
    #[test]
    fn the_response_and_the_csv_of_the_same_records_agree(
        records in prop::collection::vec(record(), 1..6),
        as_string in prop::collection::vec(any::<bool>(), 18 * 6),
        pretty in any::<bool>(),
    ) {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(records[0].iter().map(|(k, _)| *k)).unwrap();
        for r in &records {
            w.write_record(r.iter().map(|(_, v)| *v)).unwrap();
        }
        let csv_text = w.into_inner().unwrap();
        let mut data = Vec::new();
        for (n, r) in records.iter().enumerate() {
            let mut map = serde_json::Map::new();
            for (i, (k, v)) in r.iter().enumerate() {
                let string = as_string[n * 18 + i];
                let value = if v.is_empty() && !string {
                    serde_json::Value::Null
                } else if json_number(v) && !string {
                    serde_json::from_str(v).unwrap()
                } else {
                    serde_json::Value::String(v.to_string())
                };
                map.insert(k.to_string(), value);
            }
            data.push(serde_json::Value::Object(map));
        }
        let response = serde_json::json!({"elapsedTime": "0.01 secs", "count": data.len(), "data": data, "error": ""});
        let json_text = if pretty {
            serde_json::to_string_pretty(&response).unwrap()
        } else {
            serde_json::to_string(&response).unwrap()
        };
        let areas = areas();
        let (mut from_csv, mut from_json) = (ComtradeRows::default(), ComtradeRows::default());
        let a = outcome(comtrade::read_csv("f", &csv_text, &areas, &mut from_csv));
        let b = outcome(comtrade::read_json("f", json_text.as_bytes(), &areas, &mut from_json));
        prop_assert_eq!(&a, &b, "{}\n{}", String::from_utf8_lossy(&csv_text), json_text);
        if a.is_ok() {
            prop_assert_eq!(&from_csv.units, &from_json.units);
            prop_assert_eq!(&from_csv.products, &from_json.products);
            prop_assert_eq!(from_csv.skipped, from_json.skipped);
        }
    }
}
