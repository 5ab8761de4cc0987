//! A strict CSV reader shared by every dyad input format.
//!
//! It checks the header against the columns a format knows, then hands each row to a callback
//! with helpers that build errors located at `file:line:column`. Problems are collected rather
//! than stopping at the first, so a user can fix a file in one pass.

use crate::error::{InputError, InputErrors};
use crate::raw::FieldError;

/// The columns a CSV format has.
#[derive(Debug, Clone, Copy)]
pub struct Columns<'a> {
    /// Columns every file must have.
    pub required: &'a [&'a str],
    /// Columns a file may have.
    pub optional: &'a [&'a str],
    /// Alternative names accepted for a column: `(alias, name)`.
    pub aliases: &'a [(&'a str, &'a str)],
}

/// Stop collecting after this many problems: the file is clearly not of this format.
const MAX_ERRORS: usize = 1000;

/// One data row, with its location for error messages.
pub struct Row<'r> {
    file: &'r str,
    line: u64,
    record: &'r csv::StringRecord,
    index: &'r [(String, usize)],
}

impl Row<'_> {
    /// 1-based line number where the row starts.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// The trimmed text of a column, or "" when the file lacks that optional column.
    pub fn get(&self, name: &str) -> &str {
        self.position(name)
            .and_then(|i| self.record.get(i))
            .map(str::trim)
            .unwrap_or("")
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.index.iter().find(|(n, _)| n == name).map(|&(_, i)| i)
    }

    /// An error about one column of this row.
    pub fn error(&self, name: &str, message: impl Into<String>) -> InputError {
        InputError {
            file: self.file.to_string(),
            line: self.line,
            column: self.position(name).map_or(0, |i| i + 1),
            field: Some(name.to_string()),
            message: message.into(),
        }
    }

    /// A validation problem ([`FieldError`]) located in this row: at its field's column, or
    /// the row as a whole.
    pub fn locate(&self, e: FieldError) -> InputError {
        match e.field {
            Some(field) => self.error(field, e.message),
            None => self.row_error(e.message),
        }
    }

    /// An error about the row as a whole.
    pub fn row_error(&self, message: impl Into<String>) -> InputError {
        InputError {
            file: self.file.to_string(),
            line: self.line,
            column: 0,
            field: None,
            message: message.into(),
        }
    }
}

fn located(file: &str, line: u64, column: usize, message: impl Into<String>) -> InputError {
    InputError {
        file: file.to_string(),
        line,
        column,
        field: None,
        message: message.into(),
    }
}

/// Reads `bytes` as CSV with a header, checking it against `columns`, and calls `on_row` for
/// each data row. Errors from the callback and from the CSV layer are collected.
pub fn read_rows(
    file: &str,
    bytes: &[u8],
    columns: Columns<'_>,
    mut on_row: impl FnMut(&Row<'_>) -> Result<(), InputError>,
) -> Result<(), InputErrors> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut errors = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut record = csv::StringRecord::new();

    let header = match reader.read_record(&mut record) {
        Ok(true) => record.clone(),
        Ok(false) => {
            return Err(InputErrors(vec![located(
                file,
                1,
                0,
                "the file is empty: expected a header row",
            )]))
        }
        Err(e) => return Err(InputErrors(vec![csv_error(file, &e, 1, None)])),
    };
    let mut index = Vec::new();
    for (i, raw) in header.iter().enumerate() {
        let name = raw.trim();
        let name = columns
            .aliases
            .iter()
            .find(|(alias, _)| *alias == name)
            .map_or(name, |&(_, real)| real);
        if !columns.required.contains(&name) && !columns.optional.contains(&name) {
            let known: Vec<&str> = columns
                .required
                .iter()
                .chain(columns.optional)
                .copied()
                .collect();
            errors.push(located(
                file,
                1,
                i + 1,
                format!(
                    "unknown column `{name}`; known columns: {}",
                    known.join(", ")
                ),
            ));
        } else if index.iter().any(|(n, _)| n == name) {
            errors.push(located(
                file,
                1,
                i + 1,
                format!("column `{name}` appears twice"),
            ));
        } else {
            index.push((name.to_string(), i));
        }
    }
    for name in columns.required {
        if !index.iter().any(|(n, _)| n == name) {
            errors.push(located(
                file,
                1,
                0,
                format!("missing column `{name}` in the header"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(InputErrors(errors));
    }

    let width = header.len();
    let mut lines = LineCounter {
        bytes,
        offset: 0,
        line: 1,
    };
    let mut last_line = 1;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = lines.line_of_record(record.position().map_or(0, |p| p.byte()));
                last_line = line;
                if record.len() == 1 && record.get(0).is_some_and(|f| f.trim().is_empty()) {
                    continue; // a blank line
                }
                if record.len() != width {
                    // A field running over lines in a row of the wrong width is where a quote
                    // was opened and never closed: point at that field, not at the row's end.
                    let open_quote = record.iter().position(|f| f.contains('\n'));
                    let (column, hint) = match open_quote {
                        Some(i) => (
                            i + 1,
                            " (a quote opened on this line seems never to be closed)",
                        ),
                        None => (width.min(record.len()) + 1, ""),
                    };
                    let mut error = located(
                        file,
                        line,
                        column,
                        format!("expected {width} columns, found {}{hint}", record.len()),
                    );
                    error.field = open_quote.and_then(|i| name_at(&index, i));
                    errors.push(error);
                } else {
                    let row = Row {
                        file,
                        line,
                        record: &record,
                        index: &index,
                    };
                    if let Err(e) = on_row(&row) {
                        errors.push(e);
                    }
                }
            }
            Err(e) => {
                let stop = !matches!(e.kind(), csv::ErrorKind::Utf8 { .. });
                let line = match e.position() {
                    Some(p) => lines.line_of_record(p.byte()),
                    None => 0,
                };
                errors.push(csv_error(file, &e, line, Some(&header)));
                if stop {
                    break;
                }
            }
        }
        if errors.len() >= MAX_ERRORS {
            break;
        }
    }
    // The CSV layer reads an unclosed quote to the end of the file without complaint; an odd
    // number of quote characters gives it away.
    if errors.is_empty() && bytes.iter().filter(|&&b| b == b'"').count() % 2 == 1 {
        let (line, field) = lines.last_quote_opening(last_line);
        let mut error = located(
            file,
            line,
            field.map_or(0, |i| i + 1),
            "a quote opened on this line is never closed",
        );
        error.field = field.and_then(|i| name_at(&index, i));
        errors.push(error);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(InputErrors(errors))
    }
}

/// The name (after aliases) of the column at 0-based position `i` of the header.
fn name_at(index: &[(String, usize)], i: usize) -> Option<String> {
    index.iter().find(|&&(_, p)| p == i).map(|(n, _)| n.clone())
}

/// Turns the byte offsets the CSV layer reports into line numbers, counting newlines once.
struct LineCounter<'b> {
    bytes: &'b [u8],
    offset: usize,
    line: u64,
}

impl LineCounter<'_> {
    /// The line where a record starts. The CSV layer reports the offset just after the previous
    /// record's last field, before its line ending, so line endings are skipped first.
    fn line_of_record(&mut self, byte: u64) -> u64 {
        let mut start = (byte as usize).min(self.bytes.len());
        while start < self.bytes.len() && matches!(self.bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        if start >= self.offset {
            self.line += self.bytes[self.offset..start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            self.offset = start;
        }
        self.line
    }

    /// The line of the last quote character that opens a quote, and the 0-based field it
    /// opens: where an unclosed quote starts.
    fn last_quote_opening(&self, last_record_line: u64) -> (u64, Option<usize>) {
        let mut line = 1;
        let mut field = 0;
        let mut open = (last_record_line, None);
        let mut inside = false;
        for &b in self.bytes {
            match b {
                b'\n' => {
                    line += 1;
                    if !inside {
                        field = 0;
                    }
                }
                b',' if !inside => field += 1,
                b'"' => {
                    if !inside {
                        open = (line, Some(field));
                    }
                    inside = !inside;
                }
                _ => {}
            }
        }
        open
    }
}

fn csv_error(
    file: &str,
    e: &csv::Error,
    line: u64,
    header: Option<&csv::StringRecord>,
) -> InputError {
    match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => {
            let field = header
                .and_then(|h| h.get(err.field()))
                .map(|s| s.trim().to_string());
            InputError {
                file: file.to_string(),
                line,
                column: err.field() + 1,
                field,
                message: format!(
                    "not valid UTF-8 (after {} valid bytes of the field); save the file as UTF-8",
                    err.valid_up_to()
                ),
            }
        }
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => located(
            file,
            line,
            0,
            format!("expected {expected_len} columns, found {len}"),
        ),
        _ => located(file, 0, 0, e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: Columns<'static> = Columns {
        required: &["a", "b"],
        optional: &["c"],
        aliases: &[("bee", "b")],
    };

    fn collect(text: &[u8]) -> Result<Vec<(u64, String, String)>, InputErrors> {
        let mut out = Vec::new();
        read_rows("t.csv", text, COLS, |r| {
            out.push((r.line(), r.get("a").to_string(), r.get("c").to_string()));
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn reads_rows_with_lines_bom_crlf_and_aliases() {
        let rows = collect(b"\xEF\xBB\xBFa,bee\r\n1,2\r\n\r\n\"x\ny\",3\r\n").unwrap();
        assert_eq!(
            rows,
            vec![(2, "1".into(), "".into()), (4, "x\ny".into(), "".into())]
        );
    }

    #[test]
    fn header_problems_are_named() {
        let e = collect(b"a,zz\n1,2\n").unwrap_err();
        let text = e.to_string();
        assert!(text.contains("t.csv:1:2: unknown column `zz`"), "{text}");
        assert!(text.contains("missing column `b`"), "{text}");
        assert!(collect(b"").unwrap_err().to_string().contains("empty"));
        assert!(collect(b"a,b,a\n")
            .unwrap_err()
            .to_string()
            .contains("appears twice"));
    }

    #[test]
    fn wrong_width_and_bad_utf8_are_located() {
        let e = collect(b"a,b\n1,2\n1,2,3\n1\n").unwrap_err();
        assert_eq!(e.0.len(), 2);
        assert_eq!((e.0[0].line, e.0[0].column), (3, 3));
        assert_eq!((e.0[1].line, e.0[1].column), (4, 2));
        let e = collect(b"a,b\n1,ok\n1,\xff\xfe\n").unwrap_err();
        assert_eq!((e.0[0].line, e.0[0].column), (3, 2));
        assert!(e.0[0].message.contains("UTF-8"));
        let e = collect(b"a,b\n1,\"never closed\n2,3\n").unwrap_err();
        assert!(e.0[0].message.contains("never closed"), "{}", e);
        assert_eq!(e.0[0].line, 2);
    }
}
