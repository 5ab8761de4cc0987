//! The flow record (DESIGN.md "flow") and its Arrow schema, shared by every source.

use std::sync::{Arc, LazyLock};

use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Float64Array, Int32Array, RecordBatch, StringArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};

/// Where a flow comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// CEPII BACI: one reconciled value per exporter, importer, product and year.
    Baci,
    /// UN Comtrade: what one reporter declared.
    Comtrade,
    /// A figure as a government or news outlet reported it.
    Reported,
}

impl Source {
    /// The name stored in the `source` column.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Baci => "baci",
            Source::Comtrade => "comtrade",
            Source::Reported => "reported",
        }
    }

    /// Parses a `--source` value.
    pub fn parse(text: &str) -> Option<Source> {
        match text {
            "baci" => Some(Source::Baci),
            "comtrade" => Some(Source::Comtrade),
            "reported" => Some(Source::Reported),
            _ => None,
        }
    }
}

/// One trade value.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    /// Source of the figure.
    pub source: Source,
    /// Product classification as the source names it (`HS17` for BACI, `H6` for Comtrade,
    /// `none` for reported totals).
    pub classification: String,
    /// Release of the source (`V202401` for BACI), if it has one.
    pub release: Option<String>,
    /// Calendar year (the start year for fiscal-year figures; see `reporter`).
    pub year: i32,
    /// Month, for monthly data.
    pub month: Option<i32>,
    /// Exporting country (ISO3), or none for areas with no country (e.g. "Europe EFTA, nes").
    pub exporter: Option<String>,
    /// Importing country (ISO3), as for `exporter`.
    pub importer: Option<String>,
    /// The exporter's numeric area code as written in the source.
    pub exporter_code: Option<i32>,
    /// The importer's numeric area code as written in the source.
    pub importer_code: Option<i32>,
    /// Product code as text (`010632`), or `TOTAL` for all products.
    pub product: String,
    /// Digits of the product code (2, 4 or 6), 0 for `TOTAL`.
    pub product_level: i32,
    /// Value in US dollars (BACI's thousands already multiplied out).
    pub value_usd: f64,
    /// Quantity, when known.
    pub quantity: Option<f64>,
    /// Unit of `quantity` (`t` for BACI's metric tons, Comtrade's abbreviation otherwise).
    pub unit: Option<String>,
    /// Who reported the figure: `baci` (reconciled), the reporter's ISO3 for Comtrade, the
    /// reporter's description for reported figures.
    pub reporter: String,
    /// `X` export, `M` import, `RX` re-export, `RM` re-import, `T` turnover (both directions).
    pub flow: String,
    /// Whether either side was Comtrade's 490 "Other Asia, nes", stored as Taiwan.
    pub other_asia: bool,
    /// Free text about the figure (the goods of a reported figure).
    pub note: Option<String>,
    /// Where the figure was published (reported figures).
    pub source_url: Option<String>,
    /// When that source was published, as precise as it says.
    pub source_date: Option<String>,
}

/// Columns of the `flows` table, in order.
pub static FLOW_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let s = |name: &str, nullable| Field::new(name, DataType::Utf8, nullable);
    let i = |name: &str, nullable| Field::new(name, DataType::Int32, nullable);
    Arc::new(Schema::new(vec![
        s("source", false),
        s("classification", false),
        s("release", true),
        i("year", false),
        i("month", true),
        s("exporter", true),
        s("importer", true),
        i("exporter_code", true),
        i("importer_code", true),
        s("product", false),
        i("product_level", false),
        Field::new("value_usd", DataType::Float64, false),
        Field::new("quantity", DataType::Float64, true),
        s("unit", true),
        s("reporter", false),
        s("flow", false),
        Field::new("other_asia", DataType::Boolean, false),
        s("note", true),
        s("source_url", true),
        s("source_date", true),
    ]))
});

/// The Arrow batch of some flows, in the order given.
pub fn flows_to_batch(flows: &[Flow]) -> RecordBatch {
    fn s<'a>(it: impl Iterator<Item = Option<&'a str>>) -> ArrayRef {
        Arc::new(it.collect::<StringArray>())
    }
    fn i(it: impl Iterator<Item = Option<i32>>) -> ArrayRef {
        Arc::new(it.collect::<Int32Array>())
    }
    let columns: Vec<ArrayRef> = vec![
        s(flows.iter().map(|f| Some(f.source.as_str()))),
        s(flows.iter().map(|f| Some(f.classification.as_str()))),
        s(flows.iter().map(|f| f.release.as_deref())),
        i(flows.iter().map(|f| Some(f.year))),
        i(flows.iter().map(|f| f.month)),
        s(flows.iter().map(|f| f.exporter.as_deref())),
        s(flows.iter().map(|f| f.importer.as_deref())),
        i(flows.iter().map(|f| f.exporter_code)),
        i(flows.iter().map(|f| f.importer_code)),
        s(flows.iter().map(|f| Some(f.product.as_str()))),
        i(flows.iter().map(|f| Some(f.product_level))),
        Arc::new(Float64Array::from_iter_values(
            flows.iter().map(|f| f.value_usd),
        )),
        Arc::new(flows.iter().map(|f| f.quantity).collect::<Float64Array>()),
        s(flows.iter().map(|f| f.unit.as_deref())),
        s(flows.iter().map(|f| Some(f.reporter.as_str()))),
        s(flows.iter().map(|f| Some(f.flow.as_str()))),
        Arc::new(
            flows
                .iter()
                .map(|f| Some(f.other_asia))
                .collect::<BooleanArray>(),
        ),
        s(flows.iter().map(|f| f.note.as_deref())),
        s(flows.iter().map(|f| f.source_url.as_deref())),
        s(flows.iter().map(|f| f.source_date.as_deref())),
    ];
    RecordBatch::try_new(FLOW_SCHEMA.clone(), columns).expect("columns match FLOW_SCHEMA")
}

/// Sorts flows as the store keeps them: by exporter, importer, product (missing codes last).
pub fn sort_flows(flows: &mut [Flow]) {
    // The key borrows its strings: cloning them made each comparison allocate six times.
    fn key(f: &Flow) -> (bool, &Option<String>, bool, &Option<String>, &str) {
        (
            f.exporter.is_none(),
            &f.exporter,
            f.importer.is_none(),
            &f.importer,
            &f.product,
        )
    }
    flows.sort_by(|a, b| key(a).cmp(&key(b)));
}

/// A Comtrade export declared by KAZ in 2023 (HS 2022, level 6, 1 USD), for unit tests to vary.
#[cfg(test)]
pub(crate) fn test_flow(exporter: Option<&str>, importer: Option<&str>, product: &str) -> Flow {
    Flow {
        source: Source::Comtrade,
        classification: "H6".into(),
        release: None,
        year: 2023,
        month: None,
        exporter: exporter.map(Into::into),
        importer: importer.map(Into::into),
        exporter_code: None,
        importer_code: None,
        product: product.into(),
        product_level: 6,
        value_usd: 1.0,
        quantity: None,
        unit: None,
        reporter: "KAZ".into(),
        flow: "X".into(),
        other_asia: false,
        note: None,
        source_url: None,
        source_date: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flows_sort_by_exporter_importer_product_with_missing_codes_last() {
        let mut flows = vec![
            test_flow(None, Some("AFG"), "010121"),
            test_flow(Some("KAZ"), None, "010121"),
            test_flow(Some("KAZ"), Some("CHN"), "870321"),
            test_flow(Some("AFG"), Some("KAZ"), "100199"),
            test_flow(Some("KAZ"), Some("CHN"), "010121"),
            test_flow(Some("KAZ"), Some("AFG"), "999999"),
        ];
        sort_flows(&mut flows);
        let got: Vec<_> = flows
            .iter()
            .map(|f| {
                (
                    f.exporter.as_deref(),
                    f.importer.as_deref(),
                    f.product.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (Some("AFG"), Some("KAZ"), "100199"),
                (Some("KAZ"), Some("AFG"), "999999"),
                (Some("KAZ"), Some("CHN"), "010121"),
                (Some("KAZ"), Some("CHN"), "870321"),
                (Some("KAZ"), None, "010121"),
                (None, Some("AFG"), "010121"),
            ]
        );
    }
}
