//! What the reader is asked for and what it hands back: plain filters in, borrowed rows out
//! (a pair's, `PairQuery`/`PairRow`; one side of a country's trade, `SideQuery`/`SideRow`).

use std::ops::RangeInclusive;

/// Why the fast path cannot answer (a file written by something else): the SQL path then does.
#[derive(Debug)]
pub(crate) struct Unsupported;

/// What to read: the annual rows of one exporter→importer pair, with optional filters that
/// also prune.
#[derive(Debug, Clone)]
pub(crate) struct PairQuery<'a> {
    /// The exporter's code (as stored: ISO3).
    pub exporter: &'a str,
    /// The importer's code.
    pub importer: &'a str,
    /// Only these years (inclusive).
    pub years: Option<RangeInclusive<i32>>,
    /// Only this source (`baci`, `comtrade`, …).
    pub source: Option<&'a str>,
    /// Rows only summed by their first `fold` product characters: such rows, next to each other
    /// in a row group and alike in every other column, may be passed on as one row, its product
    /// cut to `fold` characters and its value their sum. Sorted by product, a file's rows of a
    /// pair come in such runs; summing them where they are decoded saves a call and a key
    /// comparison per row (most of a heavy pair's time after decoding). With `Some(0)` every
    /// code cuts to "", and a row group's rows alike in every other column may come as one row:
    /// the questions that do not look at products (series, mirror) then read no product page.
    pub fold: Option<usize>,
}

/// One matching row, borrowed from the decoded pages: the store's columns of the same names (a
/// null text reads as "", a null year or product level as 0).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PairRow<'a> {
    pub source: &'a str,
    pub classification: &'a str,
    pub year: i32,
    /// `None` on every row passed on (only annual rows are read).
    pub month: Option<i32>,
    pub product: &'a str,
    pub product_level: i32,
    pub value_usd: f64,
    pub reporter: &'a str,
    pub flow: &'a str,
    /// `None` where null (rows of every source but reported figures).
    pub source_url: Option<&'a str>,
}

/// What to read: the annual rows of one country on one side, in some years, of one source.
#[derive(Debug, Clone)]
pub(crate) struct SideQuery<'a> {
    /// The country's code (as stored: ISO3).
    pub country: &'a str,
    /// The country is the exporter (else the importer).
    pub exporter: bool,
    /// Only these years (inclusive).
    pub years: RangeInclusive<i32>,
    /// Only this source.
    pub source: &'a str,
}

/// One matching row: the partner on the other side (its ISO3, null for an area with no country,
/// and its code as the source wrote it), and the store's columns of the same names.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SideRow<'a> {
    pub year: i32,
    pub partner: Option<&'a str>,
    pub partner_code: Option<i32>,
    pub product_level: i32,
    pub value_usd: f64,
    pub reporter: &'a str,
    pub flow: &'a str,
}

impl PairQuery<'_> {
    /// The filters beyond the pair itself: annual rows, the years and the source asked for.
    pub(super) fn accepts(&self, r: &PairRow<'_>) -> bool {
        r.month.is_none()
            && self.years.as_ref().is_none_or(|y| y.contains(&r.year))
            && self.source.is_none_or(|s| s == r.source)
    }
}
