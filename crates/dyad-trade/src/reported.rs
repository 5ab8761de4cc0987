//! Reported trade figures: totals as a ministry, statistics office or news outlet stated them,
//! one per row with its source (`shared/data/trade/SOURCE.md`).
//!
//! `year,exporter,importer,flow,value_usd,reporter,goods,source_url,source_date`; `flow` is
//! `export` or `import` (the flow from `exporter` to `importer` as the reporter states it) or
//! `turnover` (both directions summed, the two countries in any order).

use dyad_core::table::{read_rows, Columns};
use dyad_core::{InputErrors, Registry};

use crate::flow::{Flow, Source};

/// The Afghanistan partner-trade figures bundled with dyad.
pub const BUNDLED: &str = include_str!("../data/afghanistan_partner_trade_reported.csv");
/// The store unit of the bundled figures, as if ingested from a file of that name.
pub const BUNDLED_KEY: &str = "reported/afghanistan_partner_trade_reported.csv";

const COLUMNS: Columns<'static> = Columns {
    required: &[
        "year",
        "exporter",
        "importer",
        "flow",
        "value_usd",
        "reporter",
        "source_url",
    ],
    optional: &["goods", "source_date"],
    aliases: &[],
};

/// The store unit key of a reported-figures file.
pub fn unit_key(file_name: &str) -> String {
    format!("reported/{file_name}")
}

/// Parses a reported-figures file, checking countries against the registry.
pub fn parse(file: &str, bytes: &[u8], registry: &Registry) -> Result<Vec<Flow>, InputErrors> {
    let mut out = Vec::new();
    read_rows(file, bytes, COLUMNS, |row| {
        let year: i32 = row
            .get("year")
            .parse()
            .ok()
            .filter(|y| (1900..=2100).contains(y))
            .ok_or_else(|| row.error("year", format!("`{}` is not a year", row.get("year"))))?;
        let country = |c: &str| {
            let code = row.get(c);
            if registry.state(code).is_some() {
                Ok(code.to_string())
            } else {
                Err(row.error(c, format!("unknown country `{code}`")))
            }
        };
        let exporter = country("exporter")?;
        let importer = country("importer")?;
        let flow = match row.get("flow") {
            "export" => "X",
            "import" => "M",
            "turnover" => "T",
            f => return Err(row.error("flow", format!("`{f}` is not export, import or turnover"))),
        };
        let value_usd: f64 = row
            .get("value_usd")
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| {
                row.error(
                    "value_usd",
                    format!("`{}` is not a value in US dollars", row.get("value_usd")),
                )
            })?;
        let reporter = row.get("reporter");
        if reporter.is_empty() {
            return Err(row.error("reporter", "who reported the figure is required"));
        }
        let url = row.get("source_url");
        dyad_core::codes::check_url(url).map_err(|m| row.error("source_url", m))?;
        let opt = |c: &str| Some(row.get(c).to_string()).filter(|s| !s.is_empty());
        out.push(Flow {
            source: Source::Reported,
            classification: "none".into(),
            release: None,
            year,
            month: None,
            exporter: Some(exporter),
            importer: Some(importer),
            exporter_code: None,
            importer_code: None,
            product: "TOTAL".into(),
            product_level: 0,
            value_usd,
            quantity: None,
            unit: None,
            reporter: reporter.to_string(),
            flow: flow.into(),
            other_asia: false,
            note: opt("goods"),
            source_url: Some(url.to_string()),
            source_date: opt("source_date"),
        });
        Ok(())
    })?;
    Ok(out)
}

/// The bundled figures.
pub fn bundled(registry: &Registry) -> Vec<Flow> {
    parse(
        "<bundled>/afghanistan_partner_trade_reported.csv",
        BUNDLED.as_bytes(),
        registry,
    )
    .expect("the bundled reported figures are valid")
}
