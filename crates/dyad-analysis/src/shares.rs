//! Partner shares: whose share of a country's trade rose or fell between two periods.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::series::Period;

/// One partner's values and shares in the first and last period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShareRow {
    /// Partner code.
    pub partner: String,
    /// Value in the first period, if reported.
    pub first_value: Option<f64>,
    /// Value in the last period, if reported.
    pub last_value: Option<f64>,
    /// Share of the total in the first period (0–1); none if the partner has no value then.
    pub first_share: Option<f64>,
    /// Share of the total in the last period.
    pub last_share: Option<f64>,
    /// Change of share in percentage points, where both shares exist.
    pub change_pp: Option<f64>,
}

/// Shares of each partner in the total over all partners given, in `first` and `last`; the
/// `top` partners by the larger of their two shares, sorted by that, then the rest dropped.
/// The total is the sum over the partners in `flows`, so pass every partner for a true share.
pub fn shares(
    flows: &[(String, Period, f64)],
    first: Period,
    last: Period,
    top: usize,
) -> Vec<ShareRow> {
    let total = |p: Period| -> f64 { flows.iter().filter(|f| f.1 == p).map(|f| f.2).sum() };
    let (t0, t1) = (total(first), total(last));
    let mut by_partner: BTreeMap<&str, (Option<f64>, Option<f64>)> = BTreeMap::new();
    for (partner, period, value) in flows {
        let e = by_partner.entry(partner).or_default();
        if *period == first {
            e.0 = Some(e.0.unwrap_or(0.0) + value);
        }
        if *period == last {
            e.1 = Some(e.1.unwrap_or(0.0) + value);
        }
    }
    let share = |v: Option<f64>, t: f64| v.filter(|_| t > 0.0).map(|v| v / t);
    let mut rows: Vec<ShareRow> = by_partner
        .into_iter()
        .filter(|(_, (a, b))| a.is_some() || b.is_some())
        .map(|(partner, (a, b))| {
            let (s0, s1) = (share(a, t0), share(b, t1));
            ShareRow {
                partner: partner.to_string(),
                first_value: a,
                last_value: b,
                first_share: s0,
                last_share: s1,
                change_pp: s0.zip(s1).map(|(x, y)| 100.0 * (y - x)),
            }
        })
        .collect();
    let key = |r: &ShareRow| {
        r.first_share
            .unwrap_or(0.0)
            .max(r.last_share.unwrap_or(0.0))
    };
    rows.sort_by(|a, b| {
        key(b)
            .total_cmp(&key(a))
            .then_with(|| a.partner.cmp(&b.partner))
    });
    rows.truncate(top);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_and_their_change() {
        let y = Period::Year;
        let flows = vec![
            ("USA".to_string(), y(2020), 60.0),
            ("KAZ".to_string(), y(2020), 40.0),
            ("USA".to_string(), y(2022), 10.0),
            ("KAZ".to_string(), y(2022), 90.0),
            ("UZB".to_string(), y(2022), 100.0),
        ];
        let rows = shares(&flows, y(2020), y(2022), 10);
        assert_eq!(
            rows.iter().map(|r| r.partner.as_str()).collect::<Vec<_>>(),
            ["USA", "UZB", "KAZ"]
        );
        let usa = &rows[0];
        assert_eq!((usa.first_share, usa.last_share), (Some(0.6), Some(0.05)));
        assert!((usa.change_pp.unwrap() + 55.0).abs() < 1e-9);
        assert_eq!(rows[1].first_share, None);
        assert_eq!(rows[1].change_pp, None);
        assert_eq!(shares(&flows, y(2020), y(2022), 1).len(), 1);
    }
}
