//! Every file under `tests/bad/` is a small acts CSV, copied from the bundled dataset and then
//! broken on purpose. For each one the table below says where the problems are: the line and
//! column were counted by hand from the file, not taken from the program's output.

use std::path::Path;

use dyad_core::acts_csv::parse_acts;
use dyad_core::{InputErrors, Precision, Registry};

/// One expected problem: line, column (0 = the whole row), the column's name when the error
/// concerns one field, and a piece of the message.
type Expected = (u64, usize, Option<&'static str>, &'static str);

const CASES: &[(&str, &[Expected])] = &[
    ("unknown_actor.csv", &[(3, 2, Some("actor"), "unknown actor `XXX`")]),
    ("unknown_authority.csv", &[(3, 3, Some("counterpart"), "unknown authority `AFG-TLB`")]),
    ("date_syntax.csv", &[(2, 1, Some("date"), "`17/08/2021` is not a date")]),
    ("date_impossible.csv", &[(4, 1, Some("date"), "`2023-02-30` is not a real calendar date")]),
    ("unknown_act.csv", &[(3, 4, Some("act"), "unknown act `recognised`")]),
    ("missing_url.csv", &[(2, 7, Some("source_url"), "a source URL is required")]),
    (
        "url_not_http.csv",
        &[(3, 7, Some("source_url"), "`www.reuters.com/world/asia-pacific/canada-will-not-recognize")],
    ),
    (
        "duplicate_act.csv",
        &[(4, 0, None, "duplicate act `CHN/AFG-IEA/2021-08-16/embassy_kept_open`: line 2 already")],
    ),
    ("duplicate_id.csv", &[(4, 0, None, "duplicate act `afg-1`: line 2 already")]),
    (
        "before_authority.csv",
        &[(2, 1, Some("date"), "2020-01-01 is outside the period of AFG-IEA (2021-08-15 to today)")],
    ),
    ("too_many_columns.csv", &[(3, 9, None, "expected 8 columns, found 9")]),
    ("too_few_columns.csv", &[(2, 8, None, "expected 8 columns, found 7")]),
    // The quote opened before "Japan" in the detail (column 6) of line 3 is never closed.
    ("unclosed_quote.csv", &[(3, 6, Some("detail"), "never to be closed")]),
    // The quote before the source date (column 8) of line 3, the last row, is never closed:
    // the row still has 8 fields, so only the odd number of quotes shows it.
    ("unclosed_quote_last_field.csv", &[(3, 8, Some("source_date"), "never closed")]),
    // "Türkiye" written in Latin-1 in the detail of line 3.
    ("not_utf8.csv", &[(3, 6, Some("detail"), "not valid UTF-8")]),
    // A UTF-16 file fails on its first field.
    ("utf16.csv", &[(1, 1, None, "not valid UTF-8")]),
    ("level_out_of_range.csv", &[(2, 5, Some("level"), "`6` is not a level from 0 to 5")]),
    ("unknown_header_column.csv", &[(1, 9, None, "unknown column `notes`")]),
    ("missing_required_column.csv", &[(1, 0, None, "missing column `source_url` in the header")]),
    ("empty.csv", &[(1, 0, None, "the file is empty")]),
    ("bad_source_date.csv", &[(2, 8, Some("source_date"), "`21 Aug 2024` is not a date")]),
    // The BOM must not hide the `date` column, and CRLF must not shift lines.
    ("bom_crlf_unknown_actor.csv", &[(3, 2, Some("actor"), "unknown actor `US`")]),
    // Columns in another order (`id` first), the `authority` alias, a detail spanning lines 2-3
    // and a blank line 4 before the problems.
    (
        "several_problems.csv",
        &[
            (5, 3, Some("actor"), "unknown actor `TMK`"),
            (6, 2, Some("date"), "2021-07 is outside the period of AFG-IEA"),
            (7, 6, Some("level"), "`three` is not a level from 0 to 5"),
            (8, 9, Some("source_date"), "give the source's date as YYYY-MM-DD or YYYY-MM"),
            (9, 8, Some("source_url"), "`ftp://europediplomatic.com/2022/04/05/russia-accredits-taliban-diplomat/` is not a web address"),
        ],
    ),
];

/// Files in `tests/bad/` that are valid and must load.
const GOOD: &[&str] = &["header_only.csv", "good_bom_crlf.csv"];

fn bad_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/bad"))
}

fn parse(name: &str) -> Result<Vec<dyad_core::acts_csv::ActRow>, InputErrors> {
    let bytes = std::fs::read(bad_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    parse_acts(&format!("bad/{name}"), &bytes, &Registry::bundled())
}

#[test]
fn each_bad_file_names_its_problems_exactly() {
    let mut failures = Vec::new();
    for &(name, expected) in CASES {
        let errors = match parse(name) {
            Ok(rows) => {
                failures.push(format!("{name}: accepted with {} rows", rows.len()));
                continue;
            }
            Err(e) => e,
        };
        if errors.0.len() != expected.len() {
            failures.push(format!(
                "{name}: expected {} problems, got:\n{errors}",
                expected.len()
            ));
            continue;
        }
        for (got, &(line, column, field, message)) in errors.0.iter().zip(expected) {
            let text = got.to_string();
            let prefix = match field {
                Some(f) => format!("bad/{name}:{line}:{column}: {f}: "),
                None => format!("bad/{name}:{line}:{column}: "),
            };
            let ok = got.line == line
                && got.column == column
                && got.field.as_deref() == field
                && text.starts_with(&prefix)
                && got.message.contains(message);
            if !ok {
                failures.push(format!(
                    "{name}: expected `{prefix}...{message}...`, got `{text}`"
                ));
            }
        }
        // The summary says nothing was changed and lists every problem.
        let summary = errors.to_string();
        assert!(summary.contains("nothing was changed"), "{summary}");
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_file_in_the_bad_dir_is_checked() {
    let mut names: Vec<String> = std::fs::read_dir(bad_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    for name in &names {
        assert!(
            CASES.iter().any(|(n, _)| n == name) || GOOD.contains(&name.as_str()),
            "{name} has no expectation in bad_input.rs"
        );
    }
    assert!(CASES.len() >= 18, "only {} bad files", CASES.len());
}

#[test]
fn header_only_is_an_empty_file_not_an_error() {
    let rows = parse("header_only.csv").unwrap();
    assert!(rows.is_empty());
}

#[test]
fn bom_and_crlf_are_accepted() {
    let rows = parse("good_bom_crlf.csv").unwrap();
    let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, [2, 3, 4, 5]);
    let kgz = &rows[0].act;
    assert_eq!(
        (kgz.actor.as_str(), kgz.date.to_string().as_str()),
        ("KGZ", "2021-08")
    );
    assert_eq!(kgz.date.precision(), Precision::Month);
    assert_eq!(kgz.source_date, None);
    assert_eq!(kgz.id, "KGZ/AFG-IEA/2021-08/embassy_kept_open");
    let jpn = &rows[1].act;
    assert_eq!(
        jpn.detail,
        "Japan temporarily closed its Kabul embassy and evacuated staff; Kyodo says work moved to Doha, \
         while an earlier Times of India item mentioned Istanbul."
    );
    assert_eq!(jpn.level, Some(1));
    let usa = &rows[3].act;
    assert_eq!(
        usa.source_date.map(|d| d.to_string()).as_deref(),
        Some("2021-09-07")
    );
    assert_eq!(usa.level, None);
    for r in &rows {
        let a = &r.act;
        for text in [&a.id, &a.actor, &a.authority, &a.detail, &a.source_url] {
            assert!(
                !text.contains('\r') && !text.contains('\u{feff}'),
                "{text:?}"
            );
        }
    }
}

#[test]
fn the_bundled_dataset_is_not_bad() {
    // The rows above were copied from the bundled file; the originals must load.
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../dyad-ledger/data/afghanistan_iea_events.csv"
    ))
    .unwrap();
    let rows = parse_acts("afghanistan_iea_events.csv", &bytes, &Registry::bundled()).unwrap();
    assert_eq!(rows.len(), 92);
}
