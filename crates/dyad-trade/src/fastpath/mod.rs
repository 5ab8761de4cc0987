//! The one-dyad fast path: the rows of one exporter→importer pair, read from the store's Parquet
//! files with the `parquet` crate directly, without planning a DataFusion query.
//!
//! A DataFusion query over a store of 50 files spends 20–25 ms (on a 2-core machine) planning,
//! listing and scheduling, most of the time of a one-dyad question. Here:
//!
//! - every file's footer and page index is read once (`PairIndex::load`, on a
//!   [`crate::TradeDb`]'s first one-dyad query) and kept, with the file open;
//! - row-group statistics skip files and row groups whose exporter, importer, year or source
//!   cannot match, and give the columns that are the same on every row of a row group (source,
//!   classification, year, reporter, flow, product level of a BACI file) without reading them;
//! - the page index of `exporter` and `importer` narrows the rest to the pages that may hold the
//!   pair: files are sorted by exporter, importer and product, so a pair is one or a few pages of
//!   [`crate::store::PAGE_ROWS`] rows (found by bisection where the index says pages are
//!   sorted);
//! - only those pages of the needed columns are decoded, every row is checked exactly (pruning
//!   only ever keeps too much), and the rows go to the caller's accumulator, on two threads
//!   when many rows are read;
//! - a BACI row group is decoded page by page without Arrow arrays (`scan.rs`): pages whose
//!   statistics prove the pair are not read for exporter and importer, products are rebuilt in
//!   one reused buffer, and neighbouring rows whose codes share the characters asked for are
//!   summed there (`PairQuery::fold`); other row groups go through the Arrow reader.
//!
//! The reader knows the store's columns and nothing of the questions asked of them: it takes
//! plain filters (`PairQuery`) and hands rows (`PairRow`) to an accumulator the caller
//! gives (`PairIndex::scan`). What is summed, and how it is named and shaped, is
//! [`crate::query`]'s. Modules, each using only those listed before it:
//!
//! - `text`: codes cut to their first characters, as SQL's `substr`;
//! - `filter`: `PairQuery`, `PairRow`, `SideQuery`, `SideRow`, `Unsupported`;
//! - `io`: reads by offset, and the pages of a column chunk in one read;
//! - `mask`: row masks read in blocks;
//! - `decode`: the page decoders (`rle`, `delta`, `split`, `plain`), each with the reason it is
//!   written here, and a property test of each against the Arrow reader;
//! - `index`: a file's footer, statistics and page index: which row groups and rows may hold a
//!   pair;
//! - `pages`: the pages of a column chunk that hold candidate rows;
//! - `arrow`: a row group through the Arrow reader;
//! - `scan`: a row group page by page, or through `arrow`;
//! - `reader`: `PairIndex`, the scan over all files, on one thread or two;
//! - `side`: one side of a country's trade (`SideQuery`: all its exports or all its imports,
//!   with the partner), read with the Arrow reader and a row filter on the country's column.

mod arrow;
mod decode;
mod filter;
mod index;
mod io;
mod mask;
mod pages;
mod reader;
mod scan;
mod side;
#[cfg(test)]
mod tests;
mod text;

pub(crate) use filter::{PairQuery, PairRow, SideQuery, SideRow, Unsupported};
pub(crate) use reader::PairIndex;
pub(crate) use text::{prefix, same_text};
