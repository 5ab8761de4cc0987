//! Reading and writing acts as CSV, in the format of the bundled dataset
//! (`date,actor,counterpart,act,level,detail,source_url,source_date`, plus an optional `id`).

use std::io::Write;

use crate::act::Act;
use crate::codes::Registry;
use crate::error::{InputError, InputErrors};
use crate::raw::{repeated_ids, RawAct};
use crate::table::{read_rows, Columns};

/// Columns of an acts file. `authority` is accepted for `counterpart`.
pub const ACT_COLUMNS: Columns<'static> = Columns {
    required: &["date", "actor", "counterpart", "act", "source_url"],
    optional: &["id", "level", "detail", "source_date"],
    aliases: &RawAct::ALIASES,
};

/// An act read from a file, with the line it came from.
#[derive(Debug, Clone)]
pub struct ActRow {
    /// The act.
    pub act: Act,
    /// 1-based line of the row in its file.
    pub line: u64,
    /// Whether the file gave the id; otherwise it is the natural one ([`Act::natural_id`]).
    pub id_given: bool,
}

/// Parses an acts CSV and validates each row against `registry` ([`RawAct::validate`]). All
/// rows are checked; any problem makes the whole file fail, with every problem located.
pub fn parse_acts(
    file: &str,
    bytes: &[u8],
    registry: &Registry,
) -> Result<Vec<ActRow>, InputErrors> {
    let (mut rows, mut errors) = match split_for_threads(bytes) {
        None => read_acts(file, bytes, registry, 0),
        Some((header_end, mid)) => {
            // Two halves parsed on two threads; the second is given the header again and its
            // line numbers are shifted back to the file's.
            let mut second = Vec::with_capacity(header_end + bytes.len() - mid);
            second.extend_from_slice(&bytes[..header_end]);
            second.extend_from_slice(&bytes[mid..]);
            let shift = count_lines(&bytes[..mid]) - 1;
            let ((mut rows, mut errors), (rows2, errors2)) = std::thread::scope(|scope| {
                let other = scope.spawn(|| read_acts(file, &second, registry, shift));
                let first = read_acts(file, &bytes[..mid], registry, 0);
                (first, other.join().expect("parser thread"))
            });
            rows.extend(rows2);
            // A bad header is reported once, by the first half.
            errors
                .0
                .extend(errors2.0.into_iter().filter(|e| e.line > 1 + shift));
            (rows, errors)
        }
    };
    find_duplicates(file, &rows, &mut errors);
    if errors.is_empty() {
        Ok(std::mem::take(&mut rows))
    } else {
        errors.0.sort_by_key(|e| (e.line, e.column));
        Err(errors)
    }
}

/// Files at least this large are parsed on two threads.
const PARALLEL_MIN_BYTES: usize = 8 << 20;

fn count_lines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// Where to cut a large file in two: the end of its header line and the start of the first
/// record after the middle (a line start outside any quoted field). `None` for small files.
fn split_for_threads(bytes: &[u8]) -> Option<(usize, usize)> {
    if bytes.len() < PARALLEL_MIN_BYTES {
        return None;
    }
    let header_end = bytes.iter().position(|&b| b == b'\n')? + 1;
    if bytes[..header_end].contains(&b'"') {
        return None;
    }
    let half = bytes.len() / 2;
    let mut inside = bytes[..half].iter().filter(|&&b| b == b'"').count() % 2 == 1;
    let mut i = half;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => inside = !inside,
            b'\n' if !inside => return Some((header_end, i + 1)).filter(|&(_, m)| m < bytes.len()),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Reads and checks the rows of one chunk; `shift` is added to every line number.
fn read_acts(
    file: &str,
    bytes: &[u8],
    registry: &Registry,
    shift: u64,
) -> (Vec<ActRow>, InputErrors) {
    let mut rows: Vec<ActRow> = Vec::new();
    let result = read_rows(file, bytes, ACT_COLUMNS, |row| {
        let raw = RawAct {
            id: row.get("id"),
            date: row.get("date"),
            actor: row.get("actor"),
            counterpart: row.get("counterpart"),
            act: row.get("act"),
            level: row.get("level"),
            detail: row.get("detail"),
            source_url: row.get("source_url"),
            source_date: row.get("source_date"),
        };
        let valid = raw.validate(registry).map_err(|e| row.locate(e))?;
        rows.push(ActRow {
            act: valid.act,
            line: row.line(),
            id_given: valid.id_given,
        });
        Ok(())
    });
    let mut errors = match result {
        Ok(()) => InputErrors::default(),
        Err(e) => e,
    };
    if shift > 0 {
        for r in &mut rows {
            r.line += shift;
        }
        for e in &mut errors.0 {
            e.line += shift;
        }
    }
    (rows, errors)
}

/// Duplicates are found after reading (see [`repeated_ids`]). A repeat is reported against the
/// first row with its id; any duplicate fails the file.
fn find_duplicates(file: &str, rows: &[ActRow], errors: &mut InputErrors) {
    for (repeat, first) in repeated_ids(rows.iter().map(|r| r.act.id.as_str())) {
        let r = &rows[repeat];
        errors.0.push(InputError {
            file: file.to_string(),
            line: r.line,
            column: 0,
            field: None,
            message: format!(
                "duplicate act `{}`: line {} already has this actor, authority, date and act",
                r.act.id, rows[first].line
            ),
        });
    }
}

/// The header written by [`write_acts`]: every field of an act.
pub const EXPORT_HEADER: [&str; 9] = RawAct::FIELDS;

/// Writes acts as CSV, readable again by [`parse_acts`].
pub fn write_acts<'a>(out: impl Write, acts: impl IntoIterator<Item = &'a Act>) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(EXPORT_HEADER)?;
    for a in acts {
        w.write_record([
            a.id.as_str(),
            &a.date.to_string(),
            &a.actor,
            &a.authority,
            a.kind.as_str(),
            &a.level.map(|l| l.to_string()).unwrap_or_default(),
            &a.detail,
            &a.source_url,
            &a.source_date.map(|d| d.to_string()).unwrap_or_default(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CSV columns are the fields of a raw act, so the CSV and JSON readers take the same.
    #[test]
    fn the_columns_are_the_fields_of_a_raw_act() {
        let mut columns: Vec<&str> = ACT_COLUMNS
            .required
            .iter()
            .chain(ACT_COLUMNS.optional)
            .copied()
            .collect();
        columns.sort_unstable();
        let mut fields = RawAct::FIELDS.to_vec();
        fields.sort_unstable();
        assert_eq!(columns, fields);
    }

    /// After an authority's last day only acts that wind it up are accepted; before its first
    /// day nothing is.
    #[test]
    fn only_winding_up_acts_may_follow_an_authoritys_end() {
        let registry = Registry::bundled();
        let head = "date,actor,counterpart,act,detail,source_url\n";
        let ok = format!(
            "{head}2023-02-06,USA,VEN-GUAIDO,mission_closed,custody,https://example.org/a\n\
             2023-03,ESP,VEN-GUAIDO,envoy_rejected,x,https://example.org/b\n\
             2023,FRA,VEN-GUAIDO,recognition_withdrawn,x,https://example.org/c\n"
        );
        assert_eq!(
            parse_acts("ok.csv", ok.as_bytes(), &registry)
                .unwrap()
                .len(),
            3
        );
        let late =
            format!("{head}2023-02-06,USA,VEN-GUAIDO,envoy_accepted,x,https://example.org/a\n");
        let err = parse_acts("late.csv", late.as_bytes(), &registry).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("late.csv:2:1"), "{msg}");
        assert!(msg.contains("2019-01-23 to 2023-01-05"), "{msg}");
        assert!(msg.contains("only acts that wind it up"), "{msg}");
        let early =
            format!("{head}2018-12-01,USA,VEN-GUAIDO,mission_closed,x,https://example.org/a\n");
        let msg = parse_acts("early.csv", early.as_bytes(), &registry)
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("outside the period") && !msg.contains("wind it up"),
            "{msg}"
        );
    }

    /// A file large enough to be parsed on two threads, with quoted line breaks throughout and
    /// one bad row near the end: every row keeps its line, and the error names the right one.
    #[test]
    fn two_threads_keep_line_numbers() {
        let registry = Registry::bundled();
        let mut text =
            String::from("date,actor,counterpart,act,level,detail,source_url,source_date\n");
        let mut line = 2u64;
        let mut expected_lines = Vec::new();
        let mut day = time::Date::from_calendar_date(2021, time::Month::August, 16).unwrap();
        let n = 60_000;
        for i in 0..n {
            let date = crate::date::format_day(day);
            expected_lines.push(line);
            // Every third detail spans two lines inside quotes.
            if i % 3 == 0 {
                text.push_str(&format!("{date},KAZ,AFG-IEA,other,,\"first line, {i}\nsecond {}\",https://example.org/{i},\n", "x".repeat(100)));
                line += 2;
            } else {
                text.push_str(&format!(
                    "{date},KAZ,AFG-IEA,other,,detail {i} {},https://example.org/{i},\n",
                    "y".repeat(100)
                ));
                line += 1;
            }
            day = day.next_day().unwrap();
        }
        assert!(text.len() >= PARALLEL_MIN_BYTES, "{} bytes", text.len());
        let (header_end, mid) = split_for_threads(text.as_bytes()).unwrap();
        assert!(header_end < mid && mid < text.len());
        let rows = parse_acts("big.csv", text.as_bytes(), &registry).unwrap();
        assert_eq!(
            rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            expected_lines
        );
        assert!(rows
            .iter()
            .enumerate()
            .all(|(i, r)| r.act.source_url == format!("https://example.org/{i}")));

        let bad_line = line;
        text.push_str("2023-02-30,KAZ,AFG-IEA,other,,bad,https://example.org/bad,\n");
        let e = parse_acts("big.csv", text.as_bytes(), &registry).unwrap_err();
        assert_eq!(e.0.len(), 1, "{e}");
        assert_eq!((e.0[0].line, e.0[0].column), (bad_line, 1));
    }
}
