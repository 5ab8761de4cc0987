//! The data pages of one column chunk that hold candidate rows, read with one `pread` and
//! decompressed by the `parquet` crate's page reader, handed on split into levels and values.

use std::sync::Arc;

use bytes::Bytes;
use datafusion::parquet::basic::Encoding;
use datafusion::parquet::column::page::{Page, PageReader};
use datafusion::parquet::file::reader::ChunkReader;
use datafusion::parquet::file::serialized_reader::SerializedPageReader;

use super::decode::{DataPage, Scratch};
use super::index::StoreFile;
use super::io::ReadAhead;
use super::mask::any_set;

impl StoreFile {
    /// Reads the data pages of column `k` in row group `g` that hold a row still in `mask` (rows
    /// from `lo`) and that `skip` does not rule out, calling `each(page, first row of the page)`;
    /// a dictionary page goes to `dictionary` (`None` there: a column without one).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn pages_with_dictionary(
        &self,
        g: usize,
        k: usize,
        lo: usize,
        mask: &[bool],
        skip: &dyn Fn(usize) -> bool,
        sc: &mut Scratch,
        dictionary: &mut dyn FnMut(Bytes, usize) -> Option<()>,
        each: &mut dyn FnMut(DataPage, usize, &mut Scratch) -> Option<()>,
    ) -> Option<()> {
        let parquet = self.meta.metadata();
        let leaf = self.leaf[k];
        let chunk = parquet.row_group(g).column(leaf);
        let descr = chunk.column_descr();
        if descr.max_rep_level() != 0 || descr.max_def_level() > 1 {
            return None;
        }
        let locations = parquet.offset_index()?.get(g)?.get(leaf)?.page_locations();
        let rows = self.row_groups[g].rows;
        let hi = lo + mask.len();
        let bounds = |p: usize| {
            let start = usize::try_from(locations[p].first_row_index).unwrap_or(usize::MAX);
            let end = locations
                .get(p + 1)
                .map_or(rows, |l| usize::try_from(l.first_row_index).unwrap_or(0));
            (start, end)
        };
        // The first page ending after `lo`.
        let from = locations
            .partition_point(|l| usize::try_from(l.first_row_index).is_ok_and(|s| s <= lo));
        let from = from.saturating_sub(1);
        let mut wanted = Vec::new();
        for p in from..locations.len() {
            let (start, end) = bounds(p);
            if start >= hi {
                break;
            }
            if start >= end || end <= lo {
                continue;
            }
            let rows = &mask[start.max(lo) - lo..end.min(hi) - lo];
            if any_set(rows) && !skip(p) {
                wanted.push(p);
            }
        }
        let Some(&last) = wanted.last() else {
            return Some(());
        };
        // From the first page needed to the end of the last, unless pages skipped between
        // them (proven by their statistics) would make that mostly bytes not needed.
        let size = |p: usize| u64::try_from(locations[p].compressed_page_size).unwrap_or(0);
        let offset = |p: usize| u64::try_from(locations[p].offset).unwrap_or(0);
        let (start, end) = (offset(wanted[0]), offset(last) + size(last));
        let needed: u64 = wanted.iter().map(|&p| size(p)).sum();
        let bytes = if end.saturating_sub(start) <= 2 * needed + (16 << 10) {
            let len = usize::try_from(end.checked_sub(start)?).ok()?;
            self.reader.get_bytes(start, len).ok()?
        } else {
            Bytes::new()
        };
        let ahead = ReadAhead {
            file: self.reader.clone(),
            start,
            bytes,
        };
        // The locations of the pages needed only, after page 0's: the reader infers a
        // dictionary page from the gap before the first location, and reads each location on
        // its own. Stepping over the pages between one by one (`skip_next_page`) cost ~6% of a
        // median pair's instructions.
        let skip_first = wanted[0] != 0;
        let chosen = skip_first
            .then(|| locations[0].clone())
            .into_iter()
            .chain(wanted.iter().map(|&p| locations[p].clone()))
            .collect();
        let mut reader =
            SerializedPageReader::new(Arc::new(ahead), chunk, rows, Some(chosen)).ok()?;
        if reader.peek_next_page().ok()??.is_dict {
            match reader.get_next_page().ok()?? {
                Page::DictionaryPage {
                    buf,
                    num_values,
                    encoding: Encoding::PLAIN | Encoding::PLAIN_DICTIONARY,
                    ..
                } => dictionary(buf, num_values as usize)?,
                _ => return None,
            }
        }
        if skip_first {
            reader.skip_next_page().ok()?;
        }
        for p in wanted {
            let page = reader.get_next_page().ok()??;
            let page = DataPage::new(page, descr.max_def_level(), sc)?;
            let (start, end) = bounds(p);
            if page.num_values != end - start {
                return None;
            }
            each(page, start, sc)?;
        }
        Some(())
    }

    /// [`StoreFile::pages_with_dictionary`] for a column that has no dictionary.
    pub(super) fn pages(
        &self,
        g: usize,
        k: usize,
        lo: usize,
        mask: &[bool],
        sc: &mut Scratch,
        mut each: impl FnMut(DataPage, usize, &mut Scratch) -> Option<()>,
    ) -> Option<()> {
        if !any_set(mask) {
            return Some(());
        }
        self.pages_with_dictionary(g, k, lo, mask, &|_| false, sc, &mut |_, _| None, &mut each)
    }
}
