//! The CSV layouts of the Comtrade record: the web/API CSV (comma) and the bulk files (tab),
//! FORMATS.md 2.2. Fields are found by the header's column names.

use std::collections::HashMap;

use dyad_core::{InputError, InputErrors};

use super::{err, ComtradeRows, Field, Place, Record, Rules, REQUIRED};
use crate::codes::AreaCodes;
use crate::error::Result;

/// One CSV row with the file's column of each field.
struct CsvRecord<'r> {
    label: &'r str,
    line: u64,
    row: &'r ::csv::StringRecord,
    columns: &'r [Option<usize>; Field::ALL.len()],
}

impl Record for CsvRecord<'_> {
    fn get(&self, field: Field) -> &str {
        self.columns[field as usize].map_or("", |i| self.row[i].trim())
    }

    fn error(&self, field: Option<Field>, message: String) -> InputError {
        let column = field
            .and_then(|f| self.columns[f as usize])
            .map_or(0, |i| i + 1);
        err(
            self.label,
            self.line,
            column,
            field.map(Field::name),
            message,
        )
    }

    fn place(&self) -> Place {
        Place::Line(self.line)
    }
}

/// Reads a Comtrade CSV text (already decompressed); the separator is taken from the header
/// (tab or comma). Errors name the line and the column.
pub fn read_csv(
    label: &str,
    bytes: &[u8],
    areas: &AreaCodes,
    into: &mut ComtradeRows,
) -> Result<()> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let delimiter = if first.contains(&b'\t') { b'\t' } else { b',' };
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(InputErrors(vec![err(label, 1, 0, None, e.to_string())]).into()),
        None => {
            return Err(InputErrors(vec![err(
                label,
                1,
                0,
                None,
                "the file is empty: expected the Comtrade header".into(),
            )])
            .into())
        }
    };
    // The last column of a repeated name wins, as it always has.
    let index: HashMap<&str, usize> = header
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim(), i))
        .collect();
    let columns = Field::ALL.map(|f| index.get(f.name()).copied());
    let missing: Vec<&str> = REQUIRED
        .iter()
        .filter(|f| columns[**f as usize].is_none())
        .map(|f| f.name())
        .collect();
    if !missing.is_empty() {
        return Err(InputErrors(vec![err(
            label,
            1,
            0,
            None,
            format!(
                "not a Comtrade header: missing column{} {}",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", ")
            ),
        )])
        .into());
    }
    let width = header.len();
    let mut rules = Rules::new(areas, into);
    for rec in records {
        let row = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                rules.push(err(label, line, 0, None, e.to_string()));
                break;
            }
        };
        let line = row.position().map_or(0, |p| p.line());
        if row.len() == 1 && row[0].trim().is_empty() {
            continue;
        }
        if row.len() != width {
            rules.push(err(
                label,
                line,
                0,
                None,
                format!("expected {width} columns, found {}", row.len()),
            ));
        } else {
            rules.record(&CsvRecord {
                label,
                line,
                row: &row,
                columns: &columns,
            });
        }
        if rules.full() {
            break;
        }
    }
    rules.finish()
}
