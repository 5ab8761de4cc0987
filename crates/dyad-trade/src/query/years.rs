//! Year ranges, as users give them.

/// An inclusive range of years.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Years {
    /// First year.
    pub from: i32,
    /// Last year.
    pub to: i32,
}

impl Years {
    /// The one year `year`.
    pub fn single(year: i32) -> Years {
        Years {
            from: year,
            to: year,
        }
    }

    /// Parses `2019-2023` or a single year `2022`.
    pub fn parse(text: &str) -> Result<Years, String> {
        let bad = || format!("`{text}` is not a year range such as 2019-2023");
        let (a, b) = text.split_once('-').unwrap_or((text, text));
        let year = |s: &str| {
            s.trim()
                .parse::<i32>()
                .ok()
                .filter(|y| (1900..=2100).contains(y))
        };
        let (from, to) = (year(a).ok_or_else(bad)?, year(b).ok_or_else(bad)?);
        if from > to {
            return Err(bad());
        }
        Ok(Years { from, to })
    }
}
