//! Trade answers: the Arrow record batches of `dyad_trade::TradeDb`, written through
//! `arrow_json` and `arrow_csv` (DataFusion's Arrow, so no second Arrow is compiled).
//!
//! JSON rows keep Arrow's types: a year or a count is an integer, a value a number, a missing
//! value (or a ratio over zero, which JSON cannot hold) `null`, and every row has every key.
//! In CSV and tables a dollar value is written as a person writes it, never with an exponent
//! (`41235127`, not `4.1235127e7` or `41235127.0`), and a missing one is an empty cell.

use std::io::Write;
use std::sync::Arc;

use dyad_trade::datafusion::arrow;
use dyad_trade::Years;

use arrow::array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::error::ArrowError;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

use crate::{Table, View, ViewError};

impl From<ArrowError> for ViewError {
    fn from(e: ArrowError) -> ViewError {
        ViewError::Arrow(e.to_string())
    }
}

/// Rows of a trade answer: record batches holding exactly the answer's columns, with their JSON
/// encoded once by `arrow_json`.
#[derive(Debug, Clone)]
pub struct Rows {
    schema: Option<SchemaRef>,
    batches: Vec<RecordBatch>,
    json: Vec<Box<RawValue>>,
}

impl Rows {
    /// The rows of `batches` with exactly `columns`, in that order, or every column as the
    /// query gave them (`None`, for `dyad sql`). A named column the batches lack is an error.
    pub fn new(batches: &[RecordBatch], columns: Option<&[&str]>) -> Result<Rows, ViewError> {
        let batches: Vec<RecordBatch> = match columns {
            None => batches.to_vec(),
            Some(names) => batches
                .iter()
                .map(|b| {
                    let indices = names
                        .iter()
                        .map(|n| {
                            b.schema().index_of(n).map_err(|_| {
                                ViewError::Arrow(format!(
                                    "the trade query returned no column `{n}`"
                                ))
                            })
                        })
                        .collect::<Result<Vec<usize>, ViewError>>()?;
                    Ok(b.project(&indices)?)
                })
                .collect::<Result<_, ViewError>>()?,
        };
        let schema = match (batches.first(), columns) {
            (Some(b), _) => Some(b.schema()),
            // No rows: the header still names the answer's columns.
            (None, Some(names)) => Some(Arc::new(Schema::new(
                names
                    .iter()
                    .map(|n| Field::new(*n, DataType::Utf8, true))
                    .collect::<Vec<_>>(),
            ))),
            (None, None) => None,
        };
        let json = encode_json(&batches)?;
        Ok(Rows {
            schema,
            batches,
            json,
        })
    }

    /// How many rows.
    pub fn len(&self) -> usize {
        self.json.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.json.is_empty()
    }

    /// Each row as a JSON object, as `arrow_json` wrote it.
    pub fn json(&self) -> &[Box<RawValue>] {
        &self.json
    }

    /// The batches with numbers as text (see the module's notes), for CSV and tables; with no
    /// rows, one empty batch for the header.
    fn text_batches(&self) -> Result<Vec<RecordBatch>, ViewError> {
        let Some(schema) = &self.schema else {
            return Ok(Vec::new());
        };
        if self.batches.is_empty() {
            return Ok(vec![RecordBatch::new_empty(schema.clone())]);
        }
        self.batches.iter().map(as_text).collect()
    }

    /// Writes the rows as CSV through `arrow_csv`, header first (nothing at all for an answer
    /// without columns).
    pub fn write_csv(&self, out: &mut dyn Write) -> Result<(), ViewError> {
        let mut w = arrow::csv::WriterBuilder::new()
            .with_header(true)
            .build(out);
        for b in self.text_batches()? {
            w.write(&b)?;
        }
        Ok(())
    }

    /// The rows as a table, cell for cell what [`Rows::write_csv`] writes.
    pub fn table(&self) -> Result<Table, ViewError> {
        let Some(schema) = &self.schema else {
            return Ok(Table::default());
        };
        let mut t = Table::new(schema.fields().iter().map(|f| f.name().clone()));
        let options = FormatOptions::default().with_null("");
        for b in self.text_batches()? {
            let cells = b
                .columns()
                .iter()
                .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
                .collect::<Result<Vec<_>, _>>()?;
            for row in 0..b.num_rows() {
                t.push(cells.iter().map(|f| f.value(row).to_string()));
            }
        }
        Ok(t)
    }
}

impl Serialize for Rows {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.json.len()))?;
        for row in &self.json {
            seq.serialize_element(row)?;
        }
        seq.end()
    }
}

/// Every row of `batches` as a JSON object, through `arrow_json` (nulls written, not left out).
fn encode_json(batches: &[RecordBatch]) -> Result<Vec<Box<RawValue>>, ViewError> {
    let mut w = arrow::json::WriterBuilder::new()
        .with_explicit_nulls(true)
        .build::<_, arrow::json::writer::LineDelimited>(Vec::new());
    for b in batches {
        w.write(b)?;
    }
    w.finish()?;
    let bytes = w.into_inner();
    let text = String::from_utf8(bytes).map_err(|e| ViewError::Arrow(e.to_string()))?;
    text.lines()
        .map(|line| Ok(RawValue::from_string(line.to_string())?))
        .collect()
}

/// A batch whose `Float64` columns are text: Rust's shortest exact form, which never uses an
/// exponent; NaN and infinities (a ratio over a zero) are missing, as in JSON.
fn as_text(b: &RecordBatch) -> Result<RecordBatch, ViewError> {
    let schema = b.schema();
    let mut fields = Vec::with_capacity(b.num_columns());
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(b.num_columns());
    for (field, col) in schema.fields().iter().zip(b.columns()) {
        match col.as_any().downcast_ref::<Float64Array>() {
            Some(values) => {
                let text: StringArray = values
                    .iter()
                    .map(|v| v.filter(|v| v.is_finite()).map(|v| format!("{v}")))
                    .collect();
                fields.push(Field::new(field.name(), DataType::Utf8, true));
                columns.push(Arc::new(text));
            }
            None => {
                fields.push(field.as_ref().clone());
                columns.push(col.clone());
            }
        }
    }
    Ok(RecordBatch::try_new(
        Arc::new(Schema::new(fields)),
        columns,
    )?)
}

/// Columns of a trade series (`TradeDb::series`).
pub const SERIES_COLUMNS: [&str; 9] = [
    "year",
    "exporter",
    "importer",
    "flow",
    "value_usd",
    "source",
    "classification",
    "reporter",
    "source_url",
];
/// Columns of a year's product mix (`TradeDb::products`).
pub const PRODUCTS_COLUMNS: [&str; 6] = [
    "product",
    "name",
    "value_usd",
    "share",
    "classification",
    "reporter",
];
/// Columns of the product mix by year (`TradeDb::products_by_year`).
pub const PRODUCTS_BY_YEAR_COLUMNS: [&str; 7] = [
    "year",
    "product",
    "name",
    "value_usd",
    "share",
    "classification",
    "reporter",
];
/// Columns of a country's partners (`TradeDb::partners`).
pub const PARTNERS_COLUMNS: [&str; 4] = ["partner", "name", "value_usd", "share"];
/// Columns of a mirror comparison (`TradeDb::mirror`).
pub const MIRROR_COLUMNS: [&str; 6] = [
    "year",
    "exports_reported",
    "imports_reported",
    "ratio",
    "gap",
    "baci",
];

/// Years as an answer states them: `2022`, or `2019-2023`.
pub fn years_text(y: Option<Years>) -> Option<String> {
    y.map(|y| {
        if y.from == y.to {
            y.from.to_string()
        } else {
            format!("{}-{}", y.from, y.to)
        }
    })
}

/// Trade between two countries in both directions, by year, source and reporter (`dyad trade
/// series`, `/api/trade/series`).
#[derive(Debug, Clone, Serialize)]
pub struct SeriesView {
    /// One country (ISO alpha-3).
    pub a: String,
    /// The other.
    pub b: String,
    /// The years asked for, if any.
    pub years: Option<String>,
    /// Rows in the home's trade store (0 when only the bundled reported figures are there).
    pub store_rows: u64,
    /// The figures ([`SERIES_COLUMNS`]).
    pub rows: Rows,
}

/// What one country sold another in a year, by product (`dyad trade products --year`,
/// `/api/trade/products`).
#[derive(Debug, Clone, Serialize)]
pub struct ProductsView {
    /// Exporter (ISO alpha-3).
    pub exporter: String,
    /// Importer.
    pub importer: String,
    /// The year.
    pub year: i32,
    /// HS digits: 2, 4 or 6.
    pub level: u8,
    /// `baci` or `comtrade`.
    pub source: String,
    /// Rows in the home's trade store.
    pub store_rows: u64,
    /// The products ([`PRODUCTS_COLUMNS`]).
    pub rows: Rows,
}

/// What one country sold another by product, year by year (`dyad trade products` without
/// `--year`).
#[derive(Debug, Clone, Serialize)]
pub struct ProductsByYearView {
    /// Exporter (ISO alpha-3).
    pub exporter: String,
    /// Importer.
    pub importer: String,
    /// The years asked for (all when `null`).
    pub years: Option<String>,
    /// HS digits: 2, 4 or 6.
    pub level: u8,
    /// `baci` or `comtrade`.
    pub source: String,
    /// Rows in the home's trade store.
    pub store_rows: u64,
    /// The products ([`PRODUCTS_BY_YEAR_COLUMNS`]).
    pub rows: Rows,
}

/// A country's main partners over some years (`dyad trade partners`, `/api/trade/partners`).
#[derive(Debug, Clone, Serialize)]
pub struct PartnersView {
    /// The country (ISO alpha-3).
    pub country: String,
    /// `export` (its markets) or `import` (its suppliers).
    pub flow: String,
    /// The years.
    pub years: String,
    /// How many partners were asked for.
    pub top: usize,
    /// `baci` or `comtrade`.
    pub source: String,
    /// Rows in the home's trade store.
    pub store_rows: u64,
    /// The partners ([`PARTNERS_COLUMNS`]).
    pub rows: Rows,
}

/// Exporter-declared exports against importer-declared imports (`dyad trade mirror`,
/// `/api/trade/mirror`).
#[derive(Debug, Clone, Serialize)]
pub struct MirrorView {
    /// Exporter (ISO alpha-3).
    pub exporter: String,
    /// Importer.
    pub importer: String,
    /// The years asked for, if any.
    pub years: Option<String>,
    /// Rows in the home's trade store.
    pub store_rows: u64,
    /// One row per year where both declared ([`MIRROR_COLUMNS`]).
    pub rows: Rows,
}

/// The answer of a SQL query (`dyad sql`): its rows, with the query's own columns.
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct SqlView {
    /// The rows.
    pub rows: Rows,
}

macro_rules! rows_view {
    ($($t:ty),*) => {$(
        impl View for $t {
            fn table(&self) -> Result<Table, ViewError> {
                self.rows.table()
            }
            fn write_csv(&self, out: &mut dyn Write) -> Result<(), ViewError> {
                self.rows.write_csv(out)
            }
        }
    )*};
}
rows_view!(
    SeriesView,
    ProductsView,
    ProductsByYearView,
    PartnersView,
    MirrorView,
    SqlView
);

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::Int32Array;

    fn batch() -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("year", DataType::Int32, false),
            Field::new("value_usd", DataType::Float64, true),
            Field::new("name", DataType::Utf8, true),
        ]));
        RecordBatch::try_new(
            schema,
            vec![
                Arc::new(Int32Array::from(vec![2021, 2022, 2023])),
                Arc::new(Float64Array::from(vec![
                    Some(41_235_127.0),
                    None,
                    Some(f64::INFINITY),
                ])),
                Arc::new(StringArray::from(vec![Some("a, \"b\""), None, Some("c")])),
            ],
        )
        .unwrap()
    }

    #[test]
    fn json_keeps_types_and_every_key() {
        let rows = Rows::new(&[batch()], Some(&["name", "year", "value_usd"])).unwrap();
        let v = serde_json::to_value(&rows).unwrap();
        assert_eq!(
            v,
            serde_json::json!([
                {"name": "a, \"b\"", "year": 2021, "value_usd": 41235127.0},
                {"name": null, "year": 2022, "value_usd": null},
                // JSON has no infinity.
                {"name": "c", "year": 2023, "value_usd": null},
            ])
        );
        assert!(v[0]["year"].is_i64() && v[0]["value_usd"].is_f64());
        // The keys in the order asked for (a `serde_json::Value` sorts them: read the text).
        let first = rows.json()[0].get();
        let at = |k: &str| {
            first
                .find(&format!("\"{k}\":"))
                .unwrap_or_else(|| panic!("{first}"))
        };
        assert!(
            at("name") < at("year") && at("year") < at("value_usd"),
            "{first}"
        );
    }

    #[test]
    fn csv_and_table_write_numbers_as_people_do() {
        let rows = Rows::new(&[batch()], Some(&["year", "value_usd", "name"])).unwrap();
        let mut csv = Vec::new();
        rows.write_csv(&mut csv).unwrap();
        assert_eq!(
            String::from_utf8(csv).unwrap(),
            "year,value_usd,name\n2021,41235127,\"a, \"\"b\"\"\"\n2022,,\n2023,,c\n"
        );
        let t = rows.table().unwrap();
        assert_eq!(t.columns, ["year", "value_usd", "name"]);
        assert_eq!(t.rows[0], ["2021", "41235127", "a, \"b\""]);
        assert_eq!(t.rows[1], ["2022", "", ""]);
    }

    #[test]
    fn no_rows_still_name_the_columns() {
        let rows = Rows::new(&[], Some(&SERIES_COLUMNS)).unwrap();
        assert!(rows.is_empty());
        assert_eq!(serde_json::to_string(&rows).unwrap(), "[]");
        let mut csv = Vec::new();
        rows.write_csv(&mut csv).unwrap();
        assert_eq!(
            String::from_utf8(csv).unwrap(),
            SERIES_COLUMNS.join(",") + "\n"
        );
        let missing = Rows::new(&[batch()], Some(&["year", "flow"])).unwrap_err();
        assert!(
            missing.to_string().contains("no column `flow`"),
            "{missing}"
        );
    }
}
