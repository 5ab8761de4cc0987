//! Mirror gaps: what the exporter says it sent against what the importer says it received.
//!
//! Importers report CIF values (cost, insurance and freight included) and exporters FOB, so an
//! importer-reported value typically runs some percent above the exporter's even when both are
//! right; large or changing gaps point to misreporting, transit trade or smuggling.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::series::{Period, Series};

/// One period of a mirror comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MirrorRow {
    /// The period.
    pub period: Period,
    /// Exports as reported by the exporter (FOB).
    pub exporter_reported: Option<f64>,
    /// Imports as reported by the importer (CIF).
    pub importer_reported: Option<f64>,
    /// importer_reported / exporter_reported.
    pub ratio: Option<f64>,
    /// importer_reported − exporter_reported.
    pub gap: Option<f64>,
    /// `both`, `exporter_only` or `importer_only`: which side reported.
    pub reported_by: &'static str,
}

/// Compares the two sides period by period over every period either side reported.
pub fn mirror(exporter_side: &Series, importer_side: &Series) -> Vec<MirrorRow> {
    let periods: BTreeSet<Period> = exporter_side
        .points
        .keys()
        .chain(importer_side.points.keys())
        .copied()
        .collect();
    periods
        .into_iter()
        .map(|p| {
            let (x, m) = (exporter_side.get(p), importer_side.get(p));
            MirrorRow {
                period: p,
                exporter_reported: x,
                importer_reported: m,
                ratio: x.zip(m).filter(|(x, _)| *x > 0.0).map(|(x, m)| m / x),
                gap: x.zip(m).map(|(x, m)| m - x),
                reported_by: match (x, m) {
                    (Some(_), Some(_)) => "both",
                    (Some(_), None) => "exporter_only",
                    _ => "importer_only",
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_gap_and_missing_sides() {
        let y = Period::Year;
        let x = Series::from_pairs([(y(2020), 100.0), (y(2021), 50.0)]);
        let m = Series::from_pairs([(y(2020), 110.0), (y(2022), 7.0)]);
        let rows = mirror(&x, &m);
        assert_eq!(rows.len(), 3);
        assert_eq!(
            (rows[0].ratio, rows[0].gap, rows[0].reported_by),
            (Some(1.1), Some(10.0), "both")
        );
        assert_eq!(
            (rows[1].ratio, rows[1].reported_by),
            (None, "exporter_only")
        );
        assert_eq!((rows[2].gap, rows[2].reported_by), (None, "importer_only"));
    }
}
