//! Rendering of command results: an aligned table on a terminal, CSV or JSON elsewhere.
//!
//! Commands build a [`Table`] (or a serde value for JSON) and hand it to [`Output`], so every
//! command gets `--format table|csv|json` with the same behaviour.

use std::io::{IsTerminal, Write};

use anyhow::Result;

/// Output format chosen with `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned, human-readable table.
    Table,
    /// Comma-separated values with a header row.
    Csv,
    /// JSON (an array of objects for tabular results).
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

/// A rectangular result: named columns and rows of text cells.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Column names, also the JSON keys.
    pub headers: Vec<String>,
    /// Rows; each has one cell per header.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these column names.
    pub fn new<S: Into<String>>(headers: impl IntoIterator<Item = S>) -> Table {
        Table {
            headers: headers.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends one row; panics in debug builds if its width is wrong.
    pub fn push<S: Into<String>>(&mut self, row: impl IntoIterator<Item = S>) {
        let row: Vec<String> = row.into_iter().map(Into::into).collect();
        debug_assert_eq!(row.len(), self.headers.len());
        self.rows.push(row);
    }

    /// Writes the table in the given format.
    pub fn write(&self, format: Format, out: &mut dyn Write) -> Result<()> {
        match format {
            Format::Table => {
                let mut t = comfy_table::Table::new();
                t.load_preset(comfy_table::presets::NOTHING);
                t.set_header(&self.headers);
                for r in &self.rows {
                    t.add_row(r);
                }
                writeln!(out, "{t}")?;
            }
            Format::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(&self.headers)?;
                for r in &self.rows {
                    w.write_record(r)?;
                }
                w.flush()?;
            }
            Format::Json => {
                let rows: Vec<serde_json::Map<String, serde_json::Value>> = self
                    .rows
                    .iter()
                    .map(|r| {
                        self.headers
                            .iter()
                            .zip(r)
                            .map(|(h, c)| (h.clone(), serde_json::Value::String(c.clone())))
                            .collect()
                    })
                    .collect();
                serde_json::to_writer_pretty(&mut *out, &rows)?;
                writeln!(out)?;
            }
        }
        Ok(())
    }
}
