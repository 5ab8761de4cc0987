//! The reader: a store's files ready for one-dyad reads ([`PairIndex`]), and the scan of a
//! pair over them, on one thread or two.

use std::ops::Range;
use std::path::PathBuf;

use super::filter::{PairQuery, PairRow, Unsupported};
use super::index::StoreFile;
use crate::error::Result;
use crate::flow::Flow;

/// Candidate rows from which a second thread reads too. On an idle machine a second thread
/// pays from about the benchmark store's median pair; on a busy one the reader waits for it to
/// be scheduled, which can cost several times the read itself. From about the 90th-percentile
/// pair the second thread is worth that risk (figures in `bench/trade/RESULTS.md`, Notes).
const PARALLEL_ROWS: usize = 40_000;

/// The footers and page indexes of a store's flow files, and the flows held in memory (the
/// bundled figures, unless the store has its own copy).
#[derive(Debug)]
pub(crate) struct PairIndex {
    pub(super) files: Vec<StoreFile>,
    pub(super) memory: Vec<Flow>,
}

impl PairIndex {
    /// Reads the footer and page index of every flow file.
    pub(crate) fn load(
        files: &[PathBuf],
        memory: Vec<Flow>,
    ) -> Result<Result<PairIndex, Unsupported>> {
        let mut out = Vec::with_capacity(files.len());
        for f in files {
            match StoreFile::open(f)? {
                Ok(sf) => out.push(sf),
                Err(u) => return Ok(Err(u)),
            }
        }
        Ok(Ok(PairIndex { files: out, memory }))
    }

    /// Calls `make` for a fresh accumulator per thread, feeds it every row of the pair, and
    /// returns what `done` makes of each accumulator, on its thread (to be merged by the caller).
    pub(crate) fn scan<A, B: Send>(
        &self,
        q: &PairQuery<'_>,
        make: impl Fn() -> A + Sync,
        add: impl Fn(&mut A, &PairRow<'_>) + Sync,
        done: impl Fn(A) -> B + Sync,
    ) -> Result<Vec<B>> {
        self.scan_with(q, PARALLEL_ROWS, make, add, done)
    }

    /// [`PairIndex::scan`], reading on more than one thread from `parallel_rows` candidate rows.
    pub(super) fn scan_with<A, B: Send>(
        &self,
        q: &PairQuery<'_>,
        parallel_rows: usize,
        make: impl Fn() -> A + Sync,
        add: impl Fn(&mut A, &PairRow<'_>) + Sync,
        done: impl Fn(A) -> B + Sync,
    ) -> Result<Vec<B>> {
        let mut work: Vec<(usize, usize, Vec<Range<usize>>)> = Vec::new();
        for (fi, f) in self.files.iter().enumerate() {
            for g in 0..f.row_groups.len() {
                if f.may_match(g, q) {
                    let ranges = f.candidate_rows(g, q);
                    if !ranges.is_empty() {
                        work.push((fi, g, ranges));
                    }
                }
            }
        }
        let run = |items: &[(usize, usize, Vec<Range<usize>>)], acc: &mut A| -> Result<()> {
            for (fi, g, ranges) in items {
                self.files[*fi].scan(*g, ranges, q, &mut |r| add(acc, r))?;
            }
            Ok(())
        };
        let mut first = make();
        for fl in &self.memory {
            let row = PairRow {
                source: fl.source.as_str(),
                classification: &fl.classification,
                year: fl.year,
                month: fl.month,
                product: &fl.product,
                product_level: fl.product_level,
                value_usd: fl.value_usd,
                reporter: &fl.reporter,
                flow: &fl.flow,
                source_url: fl.source_url.as_deref(),
            };
            if fl.exporter.as_deref() == Some(q.exporter)
                && fl.importer.as_deref() == Some(q.importer)
                && q.accepts(&row)
            {
                add(&mut first, &row);
            }
        }
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 4);
        let rows: usize = work
            .iter()
            .map(|(_, _, r)| r.iter().map(ExactSizeIterator::len).sum::<usize>())
            .sum();
        if threads < 2 || rows < parallel_rows {
            run(&work, &mut first)?;
            return Ok(vec![done(first)]);
        }
        // Row groups are handed out one at a time, the largest first: a thread that meets a
        // slow row group (or a busy core) does not leave the others waiting at the end.
        work.sort_by_key(|(_, _, r)| {
            std::cmp::Reverse(r.iter().map(ExactSizeIterator::len).sum::<usize>())
        });
        let taken = std::sync::atomic::AtomicUsize::new(0);
        let drain = |acc: &mut A| -> Result<()> {
            loop {
                let k = taken.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(item) = work.get(k) else {
                    return Ok(());
                };
                run(std::slice::from_ref(item), acc)?;
            }
        };
        let (make, drain, done) = (&make, &drain, &done);
        std::thread::scope(|s| {
            let handles: Vec<_> = (1..threads)
                .map(|_| {
                    s.spawn(move || {
                        let mut acc = make();
                        drain(&mut acc).map(|()| done(acc))
                    })
                })
                .collect();
            drain(&mut first)?;
            let mut out = vec![done(first)];
            for h in handles {
                out.push(h.join().expect("reader thread")?);
            }
            Ok(out)
        })
    }
}
