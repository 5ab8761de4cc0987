//! Dates with a precision: a day, a month or a year.
//!
//! Sources often give only a month ("2023-05") or a year. A [`PartialDate`] keeps what is known
//! and exposes the period it covers, so the stance fold can apply the rule "an act counts from the
//! end of its period; inside the period it is uncertain".

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// How much of a date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// Only the year (`2023`).
    Year,
    /// Year and month (`2023-05`).
    Month,
    /// A full calendar day (`2023-05-17`).
    Day,
}

impl Precision {
    /// Lower-case name, as used in CSV and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Year => "year",
            Precision::Month => "month",
            Precision::Day => "day",
        }
    }
}

/// A date known to a day, a month or a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PartialDate {
    start: Date,
    precision: Precision,
}

/// Why a text is not a valid date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// The text is not `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[error("`{0}` is not a date: expected YYYY-MM-DD, YYYY-MM or YYYY")]
    Syntax(String),
    /// The shape is right but no such day exists (`2023-02-30`, month 13).
    #[error("`{0}` is not a real calendar date")]
    Impossible(String),
}

impl PartialDate {
    /// A date known to the day.
    pub fn day(date: Date) -> PartialDate {
        PartialDate {
            start: date,
            precision: Precision::Day,
        }
    }

    /// Parses `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
    pub fn parse(text: &str) -> Result<PartialDate, DateError> {
        let syntax = || DateError::Syntax(text.to_string());
        let impossible = || DateError::Impossible(text.to_string());
        let parts: Vec<&str> = text.split('-').collect();
        let widths_ok = match parts.len() {
            1 => parts[0].len() == 4,
            2 => parts[0].len() == 4 && parts[1].len() == 2,
            3 => parts[0].len() == 4 && parts[1].len() == 2 && parts[2].len() == 2,
            _ => false,
        };
        if !widths_ok || !parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
            return Err(syntax());
        }
        let year: i32 = parts[0].parse().map_err(|_| syntax())?;
        let month_no: u8 = match parts.get(1) {
            Some(m) => m.parse().map_err(|_| syntax())?,
            None => 1,
        };
        let month = Month::try_from(month_no).map_err(|_| impossible())?;
        let day: u8 = match parts.get(2) {
            Some(d) => d.parse().map_err(|_| syntax())?,
            None => 1,
        };
        let start = Date::from_calendar_date(year, month, day).map_err(|_| impossible())?;
        let precision = match parts.len() {
            1 => Precision::Year,
            2 => Precision::Month,
            _ => Precision::Day,
        };
        Ok(PartialDate { start, precision })
    }

    /// How much of the date is known.
    pub fn precision(&self) -> Precision {
        self.precision
    }

    /// First day of the period.
    pub fn start(&self) -> Date {
        self.start
    }

    /// Last day of the period (the same day for day precision).
    pub fn end(&self) -> Date {
        match self.precision {
            Precision::Day => self.start,
            Precision::Month => {
                let last = self.start.month().length(self.start.year());
                self.start
                    .replace_day(last)
                    .expect("last day of month exists")
            }
            Precision::Year => Date::from_calendar_date(self.start.year(), Month::December, 31)
                .expect("31 December exists"),
        }
    }

    /// Whether `day` falls inside the period but before its last day: the act may or may not
    /// have happened yet on that day.
    pub fn is_pending_on(&self, day: Date) -> bool {
        self.start <= day && day < self.end()
    }
}

/// A date's text (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`), held on the stack: see
/// [`PartialDate::text`].
#[derive(Debug, Clone, Copy)]
pub struct DateText {
    buf: [u8; 16],
    len: u8,
}

impl DateText {
    /// The text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..usize::from(self.len)]).expect("ASCII")
    }
}

impl std::ops::Deref for DateText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialDate {
    /// The date as text, without allocating: an import writes a million of these, and both a
    /// `String` per date and `write!` with padding were measurable shares of it.
    pub fn text(&self) -> DateText {
        let (y, m, d) = (
            self.start.year(),
            u32::from(self.start.month() as u8),
            u32::from(self.start.day()),
        );
        let mut buf = [0u8; 16];
        let Ok(y @ 0..=9999) = u32::try_from(y) else {
            // Only `PartialDate::day` on an extreme date gets here; parsing takes four digits.
            let mut w: &mut [u8] = &mut buf;
            std::io::Write::write_fmt(&mut w, format_args!("{y}")).expect("fits 16 bytes");
            let len = 16 - w.len();
            return DateText {
                buf,
                len: len as u8,
            };
        };
        let digit = |v: u32| b'0' + (v % 10) as u8;
        buf[..10].copy_from_slice(&[
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
            b'-',
            digit(m / 10),
            digit(m),
            b'-',
            digit(d / 10),
            digit(d),
        ]);
        let len = match self.precision {
            Precision::Year => 4,
            Precision::Month => 7,
            Precision::Day => 10,
        };
        DateText { buf, len }
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl FromStr for PartialDate {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PartialDate::parse(s)
    }
}

impl Serialize for PartialDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        PartialDate::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Parses a full `YYYY-MM-DD` day, as used for `--on` and `--known-on`.
pub fn parse_day(text: &str) -> Result<Date, DateError> {
    let d = PartialDate::parse(text)?;
    if d.precision != Precision::Day {
        return Err(DateError::Syntax(text.to_string()));
    }
    Ok(d.start)
}

/// Formats a day as `YYYY-MM-DD`.
pub fn format_day(day: Date) -> String {
    PartialDate::day(day).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_precision() {
        let d = PartialDate::parse("2023-04-17").unwrap();
        assert_eq!(d.precision(), Precision::Day);
        assert_eq!(d.start(), d.end());
        let m = PartialDate::parse("2023-05").unwrap();
        assert_eq!(format_day(m.start()), "2023-05-01");
        assert_eq!(format_day(m.end()), "2023-05-31");
        let feb = PartialDate::parse("2024-02").unwrap();
        assert_eq!(format_day(feb.end()), "2024-02-29");
        let y = PartialDate::parse("2021").unwrap();
        assert_eq!(format_day(y.end()), "2021-12-31");
        assert_eq!(y.to_string(), "2021");
    }

    #[test]
    fn text_round_trips_each_precision() {
        for text in ["2023", "2023-05", "2023-05-07", "0001-01-01"] {
            let d = PartialDate::parse(text).unwrap();
            assert_eq!(d.text().as_str(), text);
            assert_eq!(d.to_string(), text);
        }
        let far = Date::from_calendar_date(-9999, Month::March, 1).unwrap();
        assert_eq!(PartialDate::day(far).to_string(), "-9999");
    }

    #[test]
    fn rejects_bad_and_impossible_dates() {
        for bad in [
            "",
            "23-04-17",
            "2023/04/17",
            "2023-4-17",
            "2023-04-17T00",
            "abcd",
            "2023-04-",
        ] {
            assert!(
                matches!(PartialDate::parse(bad), Err(DateError::Syntax(_))),
                "{bad}"
            );
        }
        for bad in [
            "2023-02-30",
            "2023-13",
            "2023-00-10",
            "2021-04-31",
            "2023-02-29",
        ] {
            assert!(
                matches!(PartialDate::parse(bad), Err(DateError::Impossible(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn pending_inside_period_only() {
        let m = PartialDate::parse("2023-05").unwrap();
        assert!(!m.is_pending_on(parse_day("2023-04-30").unwrap()));
        assert!(m.is_pending_on(parse_day("2023-05-01").unwrap()));
        assert!(m.is_pending_on(parse_day("2023-05-30").unwrap()));
        assert!(!m.is_pending_on(parse_day("2023-05-31").unwrap()));
        assert!(parse_day("2023-05").is_err());
    }
}
