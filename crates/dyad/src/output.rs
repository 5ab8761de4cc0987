//! Output of command results: an aligned table on a terminal, CSV when piped, JSON on request.
//!
//! Every answer is a view of `dyad-view` (the same view the web API answers with), written by
//! [`write()`] in the format asked with `--format`, so every command behaves alike.

use std::io::{IsTerminal, Write};

use anyhow::{bail, Result};
use dyad_view::{Form, View};

/// Output format chosen with `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned, human-readable table.
    Table,
    /// Comma-separated values with a header row.
    Csv,
    /// JSON: the same document as the web API's answer.
    Json,
}

impl Format {
    /// The format to use when none was asked for: a table on a terminal, CSV when piped.
    pub fn resolve(asked: Option<Format>) -> Format {
        asked.unwrap_or_else(|| {
            if std::io::stdout().is_terminal() {
                Format::Table
            } else {
                Format::Csv
            }
        })
    }
}

impl From<Format> for Form {
    fn from(f: Format) -> Form {
        match f {
            Format::Table => Form::Table,
            Format::Csv => Form::Csv,
            Format::Json => Form::Json,
        }
    }
}

/// Writes a view in the format asked.
pub fn write<V: View + ?Sized>(view: &V, format: Format, out: &mut dyn Write) -> Result<()> {
    Ok(dyad_view::write(view, format.into(), out)?)
}

/// A table of text cells, for the one answer without a typed view (the coefficients of `dyad
/// gravity` as CSV and text, whose JSON the command writes itself).
#[derive(Debug, Clone, Default)]
pub struct Table(dyad_view::Table);

impl Table {
    /// An empty table with these column names.
    pub fn new<S: Into<String>>(headers: impl IntoIterator<Item = S>) -> Table {
        Table(dyad_view::Table::new(headers))
    }

    /// Appends one row; panics in debug builds if its width is wrong.
    pub fn push<S: Into<String>>(&mut self, row: impl IntoIterator<Item = S>) {
        self.0.push(row);
    }

    /// Writes the table as text or CSV (JSON has no meaning for text cells).
    pub fn write(&self, format: Format, out: &mut dyn Write) -> Result<()> {
        match format {
            Format::Table => self.0.write_text(out)?,
            Format::Csv => self.0.write_csv(out)?,
            Format::Json => bail!("this table has no JSON form"),
        }
        Ok(())
    }
}

/// Writes a file whole or not at all: to a temporary name beside it, then renamed into place.
pub fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    use anyhow::Context as _;
    let tmp = path.with_extension(match path.extension().and_then(|e| e.to_str()) {
        Some(ext) => format!("{ext}.tmp"),
        None => "tmp".to_string(),
    });
    let written = std::fs::write(&tmp, bytes)
        .with_context(|| format!("writing {}", tmp.display()))
        .and_then(|()| {
            std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
        });
    if written.is_err() {
        // Leave nothing half-written behind; the error names what failed.
        let _ = std::fs::remove_file(&tmp);
    }
    written
}
