//! Time series of trade values: annual or monthly, with gaps kept as gaps (never zeros).

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// A year or a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    /// A calendar year.
    Year(i32),
    /// A month: year and 1–12.
    Month(i32, u8),
}

impl Period {
    /// A position on a line of periods of the same kind: years count by one, months too.
    pub fn index(self) -> i64 {
        match self {
            Period::Year(y) => i64::from(y),
            Period::Month(y, m) => i64::from(y) * 12 + i64::from(m) - 1,
        }
    }

    /// The period `k` steps later (or earlier, for negative `k`), of the same kind.
    pub fn shift(self, k: i64) -> Period {
        match self {
            Period::Year(y) => Period::Year(y + k as i32),
            Period::Month(..) => {
                let i = self.index() + k;
                Period::Month(i.div_euclid(12) as i32, (i.rem_euclid(12) + 1) as u8)
            }
        }
    }

    /// Whether both are years or both are months.
    pub fn same_kind(self, other: Period) -> bool {
        matches!(
            (self, other),
            (Period::Year(_), Period::Year(_)) | (Period::Month(..), Period::Month(..))
        )
    }

    /// Parses `2023` or `2023-04`.
    pub fn parse(text: &str) -> Option<Period> {
        match text.split_once('-') {
            None if text.len() == 4 => text.parse().ok().map(Period::Year),
            Some((y, m)) if y.len() == 4 && m.len() == 2 => {
                let m: u8 = m.parse().ok()?;
                (1..=12)
                    .contains(&m)
                    .then_some(Period::Month(y.parse().ok()?, m))
            }
            _ => None,
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y:04}"),
            Period::Month(y, m) => write!(f, "{y:04}-{m:02}"),
        }
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Values by period. A period with no value is a gap, not a zero.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Series {
    /// The known values.
    pub points: BTreeMap<Period, f64>,
}

impl Series {
    /// A series from `(period, value)` pairs; later pairs for the same period replace earlier.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (Period, f64)>) -> Series {
        Series {
            points: pairs.into_iter().collect(),
        }
    }

    /// The value in a period, if known.
    pub fn get(&self, p: Period) -> Option<f64> {
        self.points.get(&p).copied()
    }

    /// Mean of the natural log over the periods, if every one has a positive value.
    pub fn mean_log(&self, periods: &[Period]) -> Option<f64> {
        let mut sum = 0.0;
        for &p in periods {
            let v = self.get(p)?;
            if v <= 0.0 || !v.is_finite() {
                return None;
            }
            sum += v.ln();
        }
        (!periods.is_empty()).then(|| sum / periods.len() as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_roll_over_years() {
        assert_eq!(Period::Month(2023, 1).shift(-1), Period::Month(2022, 12));
        assert_eq!(Period::Month(2022, 12).shift(13), Period::Month(2024, 1));
        assert_eq!(Period::Year(2021).shift(2), Period::Year(2023));
        assert_eq!(Period::parse("2023-04"), Some(Period::Month(2023, 4)));
        assert_eq!(Period::parse("2023-13"), None);
        assert_eq!(Period::parse("2023"), Some(Period::Year(2023)));
        assert_eq!(Period::Month(2023, 4).to_string(), "2023-04");
    }

    #[test]
    fn gaps_and_zeros_have_no_log_mean() {
        let s = Series::from_pairs([(Period::Year(2020), 1.0), (Period::Year(2021), 0.0)]);
        assert_eq!(s.mean_log(&[Period::Year(2020)]), Some(0.0));
        assert_eq!(s.mean_log(&[Period::Year(2021)]), None);
        assert_eq!(s.mean_log(&[Period::Year(2022)]), None);
        assert_eq!(s.mean_log(&[]), None);
    }
}
