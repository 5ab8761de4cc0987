//! Decoders for the page encodings that dyad's writer produces (see
//! [`crate::store::writer_properties`]), for the page-by-page scan of a BACI row group.
//!
//! The `parquet` crate has decoders for all of these, but only in its `encodings` module, which
//! is public only under its `experimental` feature ("no stability guarantees"); its public ways
//! to decode a page (the Arrow reader, the typed column readers) decode every value of a page
//! into its own buffers, ~100 ns a row here (see `scan.rs`). Each piece kept by hand has its own
//! reason, given in its module:
//!
//! - [`rle`]: the RLE / bit-packing hybrid (definition levels, dictionary indexes), so that
//!   `exporter` and `importer` are compared by dictionary index, never turned into strings;
//! - [`delta`]: DELTA_BINARY_PACKED and DELTA_BYTE_ARRAY (`product`), so that a code is rebuilt
//!   in one reused buffer, and runs of codes alike in their first characters are found from the
//!   prefix lengths alone;
//! - [`split`]: BYTE_STREAM_SPLIT doubles (`value_usd`), only the rows wanted, eight at a time;
//! - [`plain`]: PLAIN byte arrays and doubles, a length and a copy.
//!
//! Each returns `None` on data it cannot decode (the caller then falls back or reports).
//! `props.rs` checks each against the Arrow reader on values generated and written by the
//! `parquet` crate with that encoding; `tests.rs` has cases made by hand.

use bytes::Bytes;
use datafusion::parquet::basic::Encoding;
use datafusion::parquet::column::page::Page;

pub(crate) mod delta;
pub(crate) mod plain;
#[cfg(test)]
mod props;
pub(crate) mod rle;
pub(crate) mod split;
#[cfg(test)]
mod tests;

/// Buffers reused from page to page.
#[derive(Default)]
pub(crate) struct Scratch {
    /// Definition levels of a page.
    pub levels: Vec<u64>,
    /// Dictionary indexes of a page.
    pub ints: Vec<u64>,
    /// DELTA_BYTE_ARRAY prefix lengths, as the bits of `i64`s ([`delta::delta_packed`]).
    pub prefixes: Vec<u64>,
    /// DELTA_BYTE_ARRAY suffix lengths.
    pub lengths: Vec<u64>,
    /// Where each PLAIN string ends in `bytes` ([`plain::plain_strings`]).
    pub offsets: Vec<u32>,
    /// Strings: the one being rebuilt (DELTA_BYTE_ARRAY), or a page's (PLAIN).
    pub bytes: Vec<u8>,
    /// Whether each value (not row) of a page is the text looked for.
    pub hits: Vec<bool>,
}

/// A decompressed data page, split into its definition levels and its values.
pub(crate) struct DataPage {
    /// Whether each row has a value (`None`: all have, the column is required).
    pub defined: Option<Vec<bool>>,
    /// Rows (= levels) in the page.
    pub num_values: usize,
    /// The encoding of the values.
    pub encoding: Encoding,
    /// The values, after the levels.
    pub values: Bytes,
}

impl DataPage {
    /// Splits a decompressed data page of a flat column whose definition level is at most
    /// `max_def` (1: nullable), its levels decoded into [`DataPage::defined`]. `None`: a
    /// dictionary page, repetition levels, or levels not RLE-encoded.
    pub(crate) fn new(page: Page, max_def: i16, sc: &mut Scratch) -> Option<DataPage> {
        let (buf, num_values, encoding, levels) = match page {
            Page::DataPage {
                buf,
                num_values,
                encoding,
                def_level_encoding,
                ..
            } => {
                if max_def == 0 {
                    (buf, num_values as usize, encoding, None)
                } else {
                    if def_level_encoding != Encoding::RLE {
                        return None;
                    }
                    let len = u32::from_le_bytes(buf.get(..4)?.try_into().ok()?) as usize;
                    let levels = buf.get(4..4usize.checked_add(len)?)?.to_vec();
                    (
                        buf.slice(4 + len..),
                        num_values as usize,
                        encoding,
                        Some(levels),
                    )
                }
            }
            Page::DataPageV2 {
                buf,
                num_values,
                encoding,
                def_levels_byte_len,
                rep_levels_byte_len,
                ..
            } => {
                let (r, d) = (rep_levels_byte_len as usize, def_levels_byte_len as usize);
                if r != 0 || (max_def == 0 && d != 0) {
                    return None;
                }
                let levels = (max_def != 0).then(|| buf.get(..d).map(<[u8]>::to_vec));
                let levels = match levels {
                    Some(l) => Some(l?),
                    None => None,
                };
                (buf.slice(d..), num_values as usize, encoding, levels)
            }
            Page::DictionaryPage { .. } => return None,
        };
        let defined = match levels {
            None => None,
            Some(bytes) => {
                rle::hybrid(&bytes, 1, num_values, &mut sc.levels)?;
                Some(sc.levels.iter().map(|&l| l == 1).collect())
            }
        };
        Some(DataPage {
            defined,
            num_values,
            encoding,
            values: buf,
        })
    }

    /// Values (non-null rows) in the page.
    pub(crate) fn present(&self) -> usize {
        self.defined
            .as_ref()
            .map_or(self.num_values, |d| d.iter().filter(|&&x| x).count())
    }
}
