//! The page-by-page scan of a row group: the rows of one pair, decoded from the pages that hold
//! them without Arrow arrays, for row groups of the shape dyad writes (a BACI year); any other
//! goes through the Arrow reader (`arrow.rs`).

use std::ops::Range;

use datafusion::parquet::basic::{Encoding, Type as PhysicalType};
use datafusion::parquet::file::page_index::column_index::ColumnIndexMetaData;

use super::decode::delta::{delta_cuts, delta_each};
use super::decode::plain::{plain_each, plain_rows, plain_strings};
use super::decode::rle::hybrid;
use super::decode::split::split_rows;
use super::decode::Scratch;
use super::filter::{PairQuery, PairRow};
use super::index::{Constant, StoreFile, C};
use super::mask::{all_set, any_set, first_set, last_set};
use super::text::{cut, same_bytes};
use crate::error::{Result, TradeError};

/// The columns that must hold one value in a row group for [`StoreFile::scan_pages`] to read it
/// (all but the pair, the product and the value: true of every BACI file).
const PAGE_CONSTANTS: [usize; 8] = [
    C::SOURCE,
    C::CLASS,
    C::YEAR,
    C::MONTH,
    C::LEVEL,
    C::REPORTER,
    C::FLOW,
    C::URL,
];

impl StoreFile {
    /// Decodes the candidate rows of row group `g` and calls `f` with each row of the pair.
    pub(super) fn scan(
        &self,
        g: usize,
        ranges: &[Range<usize>],
        q: &PairQuery<'_>,
        f: &mut dyn FnMut(&PairRow<'_>),
    ) -> Result<()> {
        if self.scan_pages(g, ranges, q, f)? {
            return Ok(());
        }
        self.scan_arrow(g, ranges, q, f)
    }

    /// Passes the rows of the pair in row group `g` to `f`, decoded page by page without Arrow
    /// arrays. `Ok(false)` (before any row is passed on) when the row group is not of the shape
    /// it reads: [`StoreFile::scan`] then uses the Arrow reader.
    ///
    /// The Arrow reader cost ~100 ns a row on the heaviest pair of the 25-year benchmark store:
    /// building a reader per row group, decoding exporter and importer into strings through
    /// their dictionaries, products into a string array, and a closure and text comparisons per
    /// row. Here:
    ///
    /// - a page of `exporter` or `importer` whose column-index statistics prove that every row
    ///   holds the pair's value (min == max == the value, no nulls) is not read at all; other
    ///   pages are compared by dictionary index (the value's index is looked up once);
    /// - only pages holding a row of the pair are read for `product` and `value_usd`;
    /// - `product` (delta-encoded) is rebuilt into one reused buffer, no allocation per row, and
    ///   its rows are passed on page by page;
    /// - with `q.fold`, when the pair's rows are one block (as in a sorted file), runs are found
    ///   from the delta encoding's prefix lengths ([`delta_cuts`]), not row by row.
    pub(super) fn scan_pages(
        &self,
        g: usize,
        ranges: &[Range<usize>],
        q: &PairQuery<'_>,
        f: &mut dyn FnMut(&PairRow<'_>),
    ) -> Result<bool> {
        self.scan_pages_with(g, ranges, q, true, f)
    }

    /// [`StoreFile::scan_pages`], folding row by row unless `runs` (tests compare the two).
    pub(super) fn scan_pages_with(
        &self,
        g: usize,
        ranges: &[Range<usize>],
        q: &PairQuery<'_>,
        runs: bool,
        f: &mut dyn FnMut(&PairRow<'_>),
    ) -> Result<bool> {
        let stats = &self.row_groups[g].stats;
        if !self.pages_supported(g) || PAGE_CONSTANTS.iter().any(|&k| stats[k].constant.is_none()) {
            return Ok(false);
        }
        let text = |k: usize| match &stats[k].constant {
            Some(Constant::Str(s)) => s.as_str(),
            _ => "",
        };
        let int = |k: usize| match &stats[k].constant {
            Some(Constant::Int(v)) => Some(*v),
            _ => None,
        };
        // As the Arrow path reads them: a null text is "", a null year or level 0.
        let template = PairRow {
            source: text(C::SOURCE),
            classification: text(C::CLASS),
            year: int(C::YEAR).unwrap_or_default(),
            month: int(C::MONTH),
            product: "",
            product_level: int(C::LEVEL).unwrap_or_default(),
            value_usd: 0.0,
            reporter: text(C::REPORTER),
            flow: text(C::FLOW),
            source_url: match &stats[C::URL].constant {
                Some(Constant::Str(s)) => Some(s.as_str()),
                _ => None,
            },
        };
        let (Some(lo), Some(hi)) = (
            ranges.first().map(|r| r.start),
            ranges.last().map(|r| r.end),
        ) else {
            return Ok(true);
        };
        if !q.accepts(&template) {
            // The filters only look at columns that are constant here.
            return Ok(true);
        }
        let mut mask = vec![false; hi - lo];
        for r in ranges {
            mask[r.start - lo..r.end - lo].fill(true);
        }
        let mut sc = Scratch::default();
        for (k, want) in [(C::EXPORTER, q.exporter), (C::IMPORTER, q.importer)] {
            if self
                .filter_text(g, k, want.as_bytes(), lo, &mut mask, &mut sc)
                .is_none()
            {
                return Ok(false);
            }
        }
        // Narrowed to the rows of the pair.
        let (Some(first), Some(last)) = (first_set(&mask), last_set(&mask)) else {
            return Ok(true);
        };
        let (lo, mask) = (lo + first, &mask[first..=last]);
        let hi = lo + mask.len();
        let contiguous = runs && all_set(mask);
        // The values' little-endian bytes, copied page by page and read per row.
        let mut value = vec![0u8; 8 * mask.len()];
        let values = self.pages(g, C::VALUE, lo, mask, &mut sc, |page, start, _| {
            if page.defined.is_some() {
                return None;
            }
            let (from, to) = (start.max(lo), (start + page.num_values).min(hi));
            let out = &mut value[8 * (from - lo)..8 * (to - lo)];
            let rows = from - start..to - start;
            match page.encoding {
                Encoding::PLAIN => plain_rows(&page.values, rows, out),
                // Byte k of every value, then byte k + 1 (the store's layout: the high bytes of
                // whole dollars are few, and compress).
                Encoding::BYTE_STREAM_SPLIT => split_rows(&page.values, page.num_values, rows, out),
                _ => None,
            }
        });
        let value_at = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&value[8 * i..8 * i + 8]);
            f64::from_le_bytes(b)
        };
        if values.is_none() {
            return Ok(false);
        }
        if q.fold == Some(0) {
            // Every code cuts to "": the pair's rows here are one run, summed in row order, and
            // no page of product is read.
            let sum = (0..mask.len())
                .filter(|&i| mask[i])
                .fold(0.0, |acc, i| acc + value_at(i));
            f(&PairRow {
                value_usd: sum,
                ..template
            });
            return Ok(true);
        }
        // From here rows are passed on: a page that cannot be decoded is an error.
        // With `q.fold`, `run` holds the cut code and the sum of the rows not yet passed on.
        let mut run: Option<(Vec<u8>, f64)> = None;
        let mut pass = |code: &[u8], value_usd: f64| -> Option<()> {
            f(&PairRow {
                product: std::str::from_utf8(code).ok()?,
                value_usd,
                ..template
            });
            Some(())
        };
        // Passes the run on and starts one of `code` from `sum`, in the run's buffer.
        let restart = |run: &mut Option<(Vec<u8>, f64)>,
                       pass: &mut dyn FnMut(&[u8], f64) -> Option<()>,
                       code: &[u8],
                       sum: f64| {
            if let Some((c, s)) = &run {
                pass(c, *s)?;
            }
            let (mut c, _) = run.take().unwrap_or_default();
            c.clear();
            c.extend_from_slice(code);
            *run = Some((c, sum));
            Some(())
        };
        let products = self.pages(g, C::PRODUCT, lo, mask, &mut sc, |page, start, sc| {
            if page.defined.is_some() {
                return None;
            }
            let n = page.num_values;
            let (from, to) = (start.max(lo), (start + n).min(hi));
            // Codes are decoded in order from the page's first: up to the last row of the pair.
            let need = (from..to)
                .rev()
                .find(|&r| mask[r - lo])
                .map_or(0, |r| r + 1 - start);
            let mut emit = |i: usize, code: &[u8]| {
                let r = start + i;
                if r < from || !mask[r - lo] {
                    return Some(());
                }
                let value_usd = value_at(r - lo);
                let Some(n) = q.fold else {
                    return pass(code, value_usd);
                };
                let cut = cut(code, n)?;
                match &mut run {
                    Some((c, sum)) if same_bytes(c, cut) => *sum += value_usd,
                    _ => restart(&mut run, &mut pass, cut, value_usd)?,
                }
                Some(())
            };
            match (page.encoding, q.fold) {
                // Every row read is the pair's (a sorted row group): the codes are only looked
                // at where their cut may change, and the values between summed in a line.
                (Encoding::DELTA_BYTE_ARRAY, Some(chars)) if contiguous => {
                    let sum = |acc: f64, rows: Range<usize>| {
                        value[8 * (rows.start - lo)..8 * (rows.end - lo)]
                            .chunks_exact(8)
                            .fold(acc, |acc, b| {
                                acc + f64::from_le_bytes(b.try_into().expect("8 bytes"))
                            })
                    };
                    // Rows before `at` are in `run`'s sum.
                    let mut at = from;
                    delta_cuts(&page.values, n, from - start, need, chars, sc, |i, code| {
                        let r = start + i;
                        if let Some((c, s)) = &mut run {
                            *s = sum(*s, at..r);
                            at = r;
                            if same_bytes(c, code) {
                                return Some(());
                            }
                        }
                        restart(&mut run, &mut pass, code, 0.0)
                    })?;
                    if let Some((_, s)) = &mut run {
                        *s = sum(*s, at..(start + need).max(at));
                    }
                    Some(())
                }
                (Encoding::DELTA_BYTE_ARRAY, _) => {
                    delta_each(&page.values, n, need, sc, |i, code, _| emit(i, code))
                }
                (Encoding::PLAIN, _) => plain_each(&page.values, need, &mut emit),
                _ => None,
            }
        });
        let products = products.and_then(|()| match &run {
            Some((c, sum)) => pass(c, *sum),
            None => Some(()),
        });
        products.map(|()| true).ok_or_else(|| {
            TradeError::Other(format!(
                "{}: row group {g}: a page of product could not be decoded",
                self.path.display()
            ))
        })
    }

    /// Whether [`StoreFile::scan_pages`] can read row group `g`: an offset index, flat
    /// columns, the types of the store's schema and encodings it decodes.
    fn pages_supported(&self, g: usize) -> bool {
        let parquet = self.meta.metadata();
        if parquet.offset_index().and_then(|o| o.get(g)).is_none() {
            return false;
        }
        let rg = parquet.row_group(g);
        // Exporter and importer may be null; product and value may not (as in the store).
        let ok = |k: usize, ty: PhysicalType, encodings: &[Encoding]| {
            let c = rg.column(self.leaf[k]);
            let d = c.column_descr();
            c.column_type() == ty
                && d.max_rep_level() == 0
                && d.max_def_level() <= i16::from(k == C::EXPORTER || k == C::IMPORTER)
                && c.encodings().all(|e| encodings.contains(&e))
        };
        let text = [
            Encoding::PLAIN,
            Encoding::RLE,
            Encoding::RLE_DICTIONARY,
            Encoding::PLAIN_DICTIONARY,
        ];
        ok(C::EXPORTER, PhysicalType::BYTE_ARRAY, &text)
            && ok(C::IMPORTER, PhysicalType::BYTE_ARRAY, &text)
            && ok(
                C::PRODUCT,
                PhysicalType::BYTE_ARRAY,
                &[Encoding::PLAIN, Encoding::RLE, Encoding::DELTA_BYTE_ARRAY],
            )
            && ok(
                C::VALUE,
                PhysicalType::DOUBLE,
                &[Encoding::PLAIN, Encoding::RLE, Encoding::BYTE_STREAM_SPLIT],
            )
    }

    /// Clears the rows of `mask` (from `lo`) whose column `k` (text) is not `want`. Pages whose
    /// statistics prove that all their rows hold `want` are not read.
    fn filter_text(
        &self,
        g: usize,
        k: usize,
        want: &[u8],
        lo: usize,
        mask: &mut [bool],
        sc: &mut Scratch,
    ) -> Option<()> {
        if !any_set(mask) {
            return Some(());
        }
        let parquet = self.meta.metadata();
        let leaf = self.leaf[k];
        let index = match parquet.column_index().and_then(|ci| ci.get(g)?.get(leaf)) {
            Some(ColumnIndexMetaData::BYTE_ARRAY(index)) => Some(index),
            _ => None,
        };
        // min == max == want bounds every value to `want`; no null may hide among them.
        let proven = |p: usize| {
            index.is_some_and(|ix| {
                !ix.is_null_page(p)
                    && ix.null_count(p) == Some(0)
                    && ix.min_value(p) == Some(want)
                    && ix.max_value(p) == Some(want)
            })
        };
        let hi = lo + mask.len();
        // The index of `want` in the dictionary: None, not read; Some(None), absent.
        let code: std::cell::Cell<Option<Option<u64>>> = std::cell::Cell::new(None);
        let mut misses: Vec<usize> = Vec::new();
        let snapshot = mask.to_vec();
        self.pages_with_dictionary(
            g,
            k,
            lo,
            &snapshot,
            &proven,
            sc,
            &mut |buf, n| {
                let mut found = None;
                // Stops at `want`: the `None` that `plain_each` then returns is no error.
                let read = plain_each(&buf, n, |i, value| {
                    if same_bytes(value, want) {
                        found = Some(i as u64);
                        return None;
                    }
                    Some(())
                });
                if found.is_none() {
                    read?;
                }
                code.set(Some(found));
                Some(())
            },
            &mut |page, first, sc| {
                let present = page.present();
                sc.hits.clear();
                match page.encoding {
                    Encoding::RLE_DICTIONARY | Encoding::PLAIN_DICTIONARY => {
                        let want = code.get()?;
                        if present > 0 {
                            let width = u32::from(*page.values.first()?);
                            hybrid(&page.values[1..], width, present, &mut sc.ints)?;
                        } else {
                            sc.ints.clear();
                        }
                        let ints = std::mem::take(&mut sc.ints);
                        sc.hits.extend(ints.iter().map(|&i| Some(i) == want));
                        sc.ints = ints;
                    }
                    Encoding::PLAIN => {
                        plain_strings(&page.values, present, sc)?;
                        for i in 0..present {
                            let v = &sc.bytes[sc.offsets[i] as usize..sc.offsets[i + 1] as usize];
                            sc.hits.push(v == want);
                        }
                    }
                    _ => return None,
                }
                let mut value = 0;
                for row in 0..page.num_values {
                    let hit = match &page.defined {
                        Some(d) if !d[row] => false,
                        _ => {
                            value += 1;
                            sc.hits[value - 1]
                        }
                    };
                    if !hit {
                        misses.push(first + row);
                    }
                }
                Some(())
            },
        )?;
        for row in misses {
            if row >= lo && row < hi {
                mask[row - lo] = false;
            }
        }
        Some(())
    }
}
