//! Property tests of the acts CSV reader: it never panics, what `write_acts` writes reads back
//! unchanged, and one bad field is reported on its own line and column.

use std::sync::OnceLock;

use dyad_core::acts_csv::{parse_acts, write_acts, EXPORT_HEADER};
use dyad_core::{Act, ActKind, InputErrors, PartialDate, Registry};
use proptest::prelude::*;
use proptest::sample::Index;
use time::{Date, Duration, Month};

fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(Registry::bundled)
}

fn actor_codes() -> Vec<String> {
    registry().states().map(|s| s.code.clone()).collect()
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// A date of random precision whose period starts on or after `from`, within about 15 years.
fn date_from(from: Date, year_ok: bool) -> impl Strategy<Value = PartialDate> {
    let precisions = if year_ok { 3u8 } else { 2 };
    (0i64..5500, 0..precisions).prop_map(move |(offset, precision)| {
        let day = from + Duration::days(offset);
        let text = match precision {
            0 => format!(
                "{:04}-{:02}-{:02}",
                day.year(),
                day.month() as u8,
                day.day()
            ),
            1 => format!("{:04}-{:02}", day.year(), day.month() as u8),
            _ => format!("{:04}", day.year()),
        };
        PartialDate::parse(&text).unwrap()
    })
}

fn taliban_from() -> Date {
    Date::from_calendar_date(2021, Month::August, 15).unwrap()
}

/// Free text as a curator might type or paste it: commas, quotes, line breaks, accents, CJK,
/// emoji, or any Unicode at all. The reader trims fields, so stored details are trimmed.
fn detail() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 ,.;:'\"\\n\\r\\téüçİß漢字🙂—-]{0,80}",
        any::<String>(),
        Just(String::new()),
    ]
    .prop_map(|s| s.trim().to_string())
}

fn url() -> impl Strategy<Value = String> {
    (
        "[a-z]{1,12}",
        "(org|com|af|kz)",
        "[A-Za-z0-9_./%?=&,'-]{0,40}",
    )
        .prop_map(|(host, tld, path)| format!("https://{host}.{tld}/{path}"))
}

fn act() -> impl Strategy<Value = Act> {
    let earliest_source = Date::from_calendar_date(2015, Month::January, 1).unwrap();
    (
        prop::sample::select(actor_codes()),
        date_from(taliban_from(), true),
        prop::sample::select(ActKind::ALL.to_vec()),
        prop::option::of(0u8..=5),
        detail(),
        url(),
        prop::option::of(date_from(earliest_source, false)),
        prop::option::weighted(0.2, "[A-Za-z0-9_/-]{1,20}"),
    )
        .prop_map(
            |(actor, date, kind, level, detail, source_url, source_date, id)| Act {
                id: id.unwrap_or_else(|| Act::natural_id(&actor, "AFG-IEA", &date, kind)),
                date,
                actor,
                authority: "AFG-IEA".to_string(),
                kind,
                level,
                detail,
                source_url,
                source_date,
            },
        )
}

/// Up to `max` acts with distinct ids (a repeated id would be a duplicate act).
fn acts(max: usize) -> impl Strategy<Value = Vec<Act>> {
    prop::collection::vec(act(), 0..max).prop_map(|mut v| {
        let mut seen = std::collections::HashSet::new();
        v.retain(|a| seen.insert(a.id.clone()));
        v
    })
}

/// The fields of an act in the order of [`EXPORT_HEADER`].
fn fields(a: &Act) -> [String; 9] {
    [
        a.id.clone(),
        a.date.to_string(),
        a.actor.clone(),
        a.authority.clone(),
        a.kind.as_str().to_string(),
        a.level.map(|l| l.to_string()).unwrap_or_default(),
        a.detail.clone(),
        a.source_url.clone(),
        a.source_date.map(|d| d.to_string()).unwrap_or_default(),
    ]
}

/// Writes rows with the csv crate, returning the bytes and the 1-based line each row starts on,
/// counted from the written bytes (not from the reader under test).
fn write_rows(rows: &[[String; 9]]) -> (Vec<u8>, Vec<u64>) {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(EXPORT_HEADER).unwrap();
    let mut lines = Vec::new();
    for r in rows {
        w.flush().unwrap();
        let written = w.get_ref();
        lines.push(1 + written.iter().filter(|&&b| b == b'\n').count() as u64);
        w.write_record(r).unwrap();
    }
    (w.into_inner().unwrap(), lines)
}

/// Invariants of any error the reader returns: errors are located (line ≥ 1) and sorted.
fn check_errors(e: &InputErrors) -> Result<(), TestCaseError> {
    prop_assert!(!e.0.is_empty());
    for err in &e.0 {
        prop_assert!(err.line >= 1, "unlocated error: {err}");
        prop_assert!(!err.message.is_empty());
    }
    Ok(())
}

/// Bytes that look like an acts file often enough to reach the row checks.
fn csvish() -> impl Strategy<Value = Vec<u8>> {
    let token = prop_oneof![
        Just(b",".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"\xff".to_vec()),
        Just(b"\xc3".to_vec()),
        Just(b"2021-08-15".to_vec()),
        Just(b"2023-02".to_vec()),
        Just(b"AFG-IEA".to_vec()),
        Just(b"RUS".to_vec()),
        Just(b"recognition".to_vec()),
        Just(b"https://example.org/a".to_vec()),
        Just(b"5".to_vec()),
        "[ -~]{0,6}".prop_map(String::into_bytes),
    ];
    let header = prop_oneof![
        Just(b"date,actor,counterpart,act,level,detail,source_url,source_date\n".to_vec()),
        Just(b"id,date,actor,authority,act,level,detail,source_url,source_date\r\n".to_vec()),
        Just(Vec::new()),
    ];
    (header, prop::collection::vec(token, 0..80)).prop_map(|(mut h, tokens)| {
        h.extend(tokens.concat());
        h
    })
}

proptest! {
    #![proptest_config(config(1000))]

    /// (a) Arbitrary bytes: never a panic; an error is always located.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        if let Err(e) = parse_acts("fuzz.csv", &bytes, registry()) {
            check_errors(&e)?;
        }
    }

    /// (a) CSV-like bytes: never a panic; what is accepted writes and reads back the same.
    #[test]
    fn csvish_bytes_never_panic(bytes in csvish()) {
        match parse_acts("fuzz.csv", &bytes, registry()) {
            Err(e) => check_errors(&e)?,
            Ok(rows) => {
                let acts: Vec<Act> = rows.into_iter().map(|r| r.act).collect();
                let mut out = Vec::new();
                write_acts(&mut out, &acts).unwrap();
                let again: Vec<Act> = parse_acts("again.csv", &out, registry())
                    .unwrap()
                    .into_iter()
                    .map(|r| r.act)
                    .collect();
                prop_assert_eq!(again, acts);
            }
        }
    }
}

proptest! {
    #![proptest_config(config(300))]

    /// (b) Valid acts written by `write_acts` read back equal, each on the line it was written.
    #[test]
    fn written_acts_read_back_equal(acts in acts(8)) {
        let mut out = Vec::new();
        write_acts(&mut out, &acts).unwrap();
        let rows: Vec<[String; 9]> = acts.iter().map(fields).collect();
        let (same, lines) = write_rows(&rows);
        prop_assert_eq!(&out, &same, "write_rows must mirror write_acts");

        let parsed = match parse_acts("gen.csv", &out, registry()) {
            Ok(p) => p,
            Err(e) => return Err(TestCaseError::fail(format!(
                "{e}\n--- file ---\n{}", String::from_utf8_lossy(&out)
            ))),
        };
        let got_lines: Vec<u64> = parsed.iter().map(|r| r.line).collect();
        prop_assert_eq!(got_lines, lines);
        let got: Vec<Act> = parsed.into_iter().map(|r| r.act).collect();
        prop_assert_eq!(got, acts);
    }

    /// (c) One field of one row made into garbage: exactly one error, on that row's line and
    /// that field's column, naming the field.
    #[test]
    fn one_bad_field_is_located(
        acts in acts(8).prop_filter("need a row", |v| !v.is_empty()),
        row in any::<Index>(),
        (field, garbage) in garbage(),
    ) {
        let mut rows: Vec<[String; 9]> = acts.iter().map(fields).collect();
        let row = row.index(rows.len());
        rows[row][field] = garbage.clone();
        let (bytes, lines) = write_rows(&rows);
        let errors = match parse_acts("mut.csv", &bytes, registry()) {
            Ok(_) => return Err(TestCaseError::fail(format!(
                "accepted {} = {garbage:?} in row {row}", EXPORT_HEADER[field]
            ))),
            Err(e) => e,
        };
        let first = &errors.0[0];
        prop_assert_eq!(errors.0.len(), 1, "{}", errors);
        prop_assert_eq!(first.line, lines[row], "{}", errors);
        prop_assert_eq!(first.column, field + 1, "{}", errors);
        prop_assert_eq!(first.field.as_deref(), Some(EXPORT_HEADER[field]), "{}", errors);
        let prefix = format!("mut.csv:{}:{}: {}: ", lines[row], field + 1, EXPORT_HEADER[field]);
        prop_assert!(first.to_string().starts_with(&prefix), "{}", first);
    }
}

/// A column of the export (by index into [`EXPORT_HEADER`]) and a value that is wrong for it.
fn garbage() -> impl Strategy<Value = (usize, String)> {
    let date = prop_oneof![
        "[a-z#?]{1,6}",
        "[0-9]{1,2}/[0-9]{2}/[0-9]{4}",
        Just("2023-02-30".to_string()),
        Just("2021-13".to_string()),
        Just(String::new()),
        // Shaped right but before AFG-IEA began.
        "20(0[0-9]|1[0-9]|20)-0[1-9]-1[0-9]",
        Just("2021-07".to_string()),
        Just("2021-08-14".to_string()),
    ];
    let actor = "[A-Z]{2,4}|[a-z#?, \"\\n]{1,5}"
        .prop_filter("unknown actor", |s| registry().state(s.trim()).is_none());
    let authority = "[A-Z]{3}-[A-Z]{3}|AFG|[a-z\"]{1,5}".prop_filter("unknown authority", |s| {
        registry().authority(s.trim()).is_none()
    });
    let act = "[a-z_ ]{1,24}".prop_filter("unknown act", |s| s.trim().parse::<ActKind>().is_err());
    let level = prop_oneof![
        "[6-9]",
        "[1-9][0-9]{1,3}",
        "[a-z]{1,5}",
        Just("-1".to_string()),
        Just("2.5".to_string()),
    ];
    let url = prop_oneof![
        "[a-z]{1,8}\\.[a-z]{2,3}/[a-z]{0,8}",
        "ftp://[a-z]{1,8}\\.org/",
        Just("https://".to_string()),
        Just("http:///path".to_string()),
        "https://[a-z]{1,5} [a-z]{1,5}\\.org",
        Just(String::new()),
    ];
    let source_date = prop_oneof![
        "[a-z]{1,6}",
        Just("2024".to_string()),
        "[0-9]{2} (Jan|Feb|Mar) 20[0-9]{2}",
        Just("2024-02-30".to_string()),
    ];
    prop_oneof![
        date.prop_map(|g| (1, g)),
        actor.prop_map(|g| (2, g)),
        authority.prop_map(|g| (3, g)),
        act.prop_map(|g| (4, g)),
        level.prop_map(|g| (5, g)),
        url.prop_map(|g| (7, g)),
        source_date.prop_map(|g| (8, g)),
    ]
}

#[test]
fn an_empty_list_is_a_header_only_file() {
    let mut out = Vec::new();
    write_acts(&mut out, &[]).unwrap();
    assert_eq!(
        String::from_utf8(out.clone()).unwrap(),
        format!("{}\n", EXPORT_HEADER.join(","))
    );
    assert!(parse_acts("empty.csv", &out, registry())
        .unwrap()
        .is_empty());
}
