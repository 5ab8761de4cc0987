//! dyad-view: what each answer of dyad looks like, defined once for every surface.
//!
//! Every answer (a list of stances, a contest, a why, a timeline, trade figures, a study, a
//! brief...) has one typed view here. Its JSON form is the view serialised by serde: numbers
//! are numbers, a missing value is `null`, and the keys are the view's fields. Its table form
//! ([`View::table`]: column names and text cells) is what an aligned table and CSV show. The
//! CLI (`crates/dyad`) and the web API (`dyad-web`) build the same view for the same answer
//! and write it with the functions of this crate, so `dyad status --format json` and
//! `/api/stance` cannot drift apart.
//!
//! - [`ledger`]: authorities, stances, contests, why, timelines, diffs, acts and their history;
//! - [`trade`]: trade answers, which are Arrow record batches, written through `arrow_json` and
//!   `arrow_csv` (the Arrow of `dyad-trade`'s DataFusion, so one Arrow is compiled);
//! - [`analysis`]: event studies, partner shares, mirror gaps, claims, level checks;
//! - [`brief`]: briefs as JSON and CSV, and as HTML (maud) and Markdown for `dyad brief` and
//!   the web's brief page alike;
//! - [`svg`]: the check a chart passes before it is inserted into a page.

pub mod analysis;
pub mod brief;
pub mod ledger;
pub mod svg;
pub mod trade;

use std::io::Write;

use serde::Serialize;

/// Why an answer could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    /// Writing to the output failed (a closed pipe, a full disk).
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// CSV encoding failed.
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    /// JSON encoding failed.
    #[error("writing JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A trade answer could not be converted (a column missing, a type Arrow cannot write).
    #[error("writing trade rows: {0}")]
    Arrow(String),
}

/// The three forms every answer has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// An aligned, human-readable table.
    Table,
    /// Comma-separated values with a header row.
    Csv,
    /// JSON: the view itself.
    Json,
}

/// The table form of an answer: named columns and rows of text cells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// Column names (the CSV header).
    pub columns: Vec<String>,
    /// Rows, each with one cell per column.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table with these columns.
    pub fn new<S: Into<String>>(columns: impl IntoIterator<Item = S>) -> Table {
        Table {
            columns: columns.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends one row; panics in debug builds if its width is wrong.
    pub fn push<S: Into<String>>(&mut self, row: impl IntoIterator<Item = S>) {
        let row: Vec<String> = row.into_iter().map(Into::into).collect();
        debug_assert_eq!(row.len(), self.columns.len(), "{:?}", self.columns);
        self.rows.push(row);
    }

    /// Writes the table as CSV with a header row.
    pub fn write_csv(&self, out: &mut dyn Write) -> Result<(), ViewError> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(&self.columns)?;
        for r in &self.rows {
            w.write_record(r)?;
        }
        w.flush()?;
        Ok(())
    }

    /// Writes the table aligned for reading, without borders.
    pub fn write_text(&self, out: &mut dyn Write) -> Result<(), ViewError> {
        let mut t = comfy_table::Table::new();
        t.load_preset(comfy_table::presets::NOTHING);
        t.set_header(&self.columns);
        for r in &self.rows {
            t.add_row(r);
        }
        writeln!(out, "{t}")?;
        Ok(())
    }
}

/// An answer: serialised as JSON by serde, shown as a [`Table`] for tables and CSV.
pub trait View: Serialize {
    /// The table form: what an aligned table and CSV show.
    fn table(&self) -> Result<Table, ViewError>;

    /// Writes the CSV form; by default the table through the csv crate.
    fn write_csv(&self, out: &mut dyn Write) -> Result<(), ViewError> {
        self.table()?.write_csv(out)
    }
}

/// Writes a view in a form: a table, CSV, or JSON indented for reading (the CLI's output).
pub fn write<V: View + ?Sized>(view: &V, form: Form, out: &mut dyn Write) -> Result<(), ViewError> {
    match form {
        Form::Table => view.table()?.write_text(out),
        Form::Csv => view.write_csv(out),
        Form::Json => {
            serde_json::to_writer_pretty(&mut *out, view)?;
            writeln!(out)?;
            Ok(())
        }
    }
}

/// A view as compact JSON (the API's answer).
pub fn json_bytes<V: Serialize + ?Sized>(view: &V) -> Result<Vec<u8>, ViewError> {
    Ok(serde_json::to_vec(view)?)
}

/// A view as CSV (the API's answer with `format=csv`).
pub fn csv_bytes<V: View + ?Sized>(view: &V) -> Result<Vec<u8>, ViewError> {
    let mut out = Vec::new();
    view.write_csv(&mut out)?;
    Ok(out)
}
