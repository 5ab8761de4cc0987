//! Reading and writing acts as CSV, in the format of the bundled dataset
//! (`date,actor,counterpart,act,level,detail,source_url,source_date`, plus an optional `id`).

use std::collections::HashMap;
use std::io::Write;

use crate::act::{Act, ActKind};
use crate::codes::{check_url, Registry};
use crate::date::{PartialDate, Precision};
use crate::error::{InputError, InputErrors};
use crate::table::{read_rows, Columns};

/// Columns of an acts file. `authority` is accepted for `counterpart`.
pub const ACT_COLUMNS: Columns<'static> = Columns {
    required: &["date", "actor", "counterpart", "act", "source_url"],
    optional: &["id", "level", "detail", "source_date"],
    aliases: &[("authority", "counterpart")],
};

/// An act read from a file, with the line it came from.
#[derive(Debug, Clone)]
pub struct ActRow {
    /// The act.
    pub act: Act,
    /// 1-based line of the row in its file.
    pub line: u64,
}

/// Parses and validates an acts CSV against `registry`. All rows are checked; any problem makes
/// the whole file fail, with every problem located.
pub fn parse_acts(
    file: &str,
    bytes: &[u8],
    registry: &Registry,
) -> Result<Vec<ActRow>, InputErrors> {
    let mut rows: Vec<ActRow> = Vec::new();
    let result = read_rows(file, bytes, ACT_COLUMNS, |row| {
        let date_text = row.get("date");
        let date = PartialDate::parse(date_text).map_err(|e| row.error("date", e.to_string()))?;
        let actor = row.get("actor");
        if registry.state(actor).is_none() {
            return Err(row.error(
                "actor",
                format!("unknown actor `{actor}` (expected an ISO alpha-3 code or UN)"),
            ));
        }
        let authority_id = row.get("counterpart");
        let authority = registry.authority(authority_id).ok_or_else(|| {
            row.error("counterpart", format!("unknown authority `{authority_id}`"))
        })?;
        let kind: ActKind = row
            .get("act")
            .parse()
            .map_err(|e: crate::act::UnknownAct| row.error("act", e.to_string()))?;
        if !authority.covers(&date) {
            return Err(row.error(
                "date",
                format!(
                    "{date} is outside the period of {authority_id} ({})",
                    authority.period()
                ),
            ));
        }
        let level = match row.get("level") {
            "" => None,
            t => match t.parse::<u8>() {
                Ok(l) if l <= 5 => Some(l),
                _ => return Err(row.error("level", format!("`{t}` is not a level from 0 to 5"))),
            },
        };
        let source_url = row.get("source_url");
        check_url(source_url).map_err(|m| row.error("source_url", m))?;
        let source_date = match row.get("source_date") {
            "" => None,
            t => {
                let d =
                    PartialDate::parse(t).map_err(|e| row.error("source_date", e.to_string()))?;
                if d.precision() == Precision::Year {
                    return Err(row.error(
                        "source_date",
                        "give the source's date as YYYY-MM-DD or YYYY-MM",
                    ));
                }
                Some(d)
            }
        };
        let id = match row.get("id") {
            "" => Act::natural_id(actor, authority_id, &date, kind),
            given => given.to_string(),
        };
        rows.push(ActRow {
            act: Act {
                id,
                date,
                actor: actor.to_string(),
                authority: authority_id.to_string(),
                kind,
                level,
                detail: row.get("detail").to_string(),
                source_url: source_url.to_string(),
                source_date,
            },
            line: row.line(),
        });
        Ok(())
    });
    let mut errors = match result {
        Ok(()) => InputErrors::default(),
        Err(e) => e,
    };
    // Duplicates are found after reading, in one pass over borrowed ids with a map sized up
    // front: hashing each id once and copying none keeps large files fast. A repeat is reported
    // against the first row with its id; any duplicate fails the file.
    let mut seen: HashMap<&str, u64> = HashMap::with_capacity(rows.len());
    for r in &rows {
        if let Some(&first) = seen.get(r.act.id.as_str()) {
            errors.0.push(InputError {
                file: file.to_string(),
                line: r.line,
                column: 0,
                field: None,
                message: format!(
                    "duplicate act `{}`: line {first} already has this actor, authority, date and act",
                    r.act.id
                ),
            });
        } else {
            seen.insert(&r.act.id, r.line);
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        errors.0.sort_by_key(|e| (e.line, e.column));
        Err(errors)
    }
}

/// The header written by [`write_acts`].
pub const EXPORT_HEADER: [&str; 9] = [
    "id",
    "date",
    "actor",
    "counterpart",
    "act",
    "level",
    "detail",
    "source_url",
    "source_date",
];

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
