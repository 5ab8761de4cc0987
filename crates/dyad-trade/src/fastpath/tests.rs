//! The reader against the Arrow reader on a generated store.

use std::collections::HashMap;
use std::fs::File;

use datafusion::arrow::array::{Array, AsArray};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::arrow::ProjectionMask;

use super::filter::{PairQuery, SideQuery};
use super::reader::PairIndex;
use crate::generate::{generate, Spec};
use crate::ingest::{ingest, Quiet};

/// A home under `dir` with a generated release of `spec` ingested.
fn generated_home(dir: &std::path::Path, spec: Spec) -> std::path::PathBuf {
    let release = dir.join("release");
    generate(&release, &spec).unwrap();
    let home = dir.join("home");
    ingest(
        &home,
        &[release],
        None,
        &dyad_core::Registry::bundled(),
        &Quiet,
    )
    .unwrap();
    home
}

/// The page decoder against the Arrow reader, row group by row group, on the heaviest pairs
/// of a generated store (pairs over several pages, some proven by their statistics) and on
/// pairs with a few rows.
#[test]
fn pages_decode_as_the_arrow_reader_does() {
    let dir = tempfile::tempdir().unwrap();
    let home = generated_home(
        dir.path(),
        Spec {
            rows_per_year: 300_000,
            first_year: 2020,
            last_year: 2020,
            products: 4000,
            seed: 11,
        },
    );
    let mut files = Vec::new();
    let mut stack = vec![home.join("trade/flows")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "parquet") {
                files.push(p);
            }
        }
    }
    let index = PairIndex::load(&files, Vec::new()).unwrap().unwrap();
    // Pairs by number of rows.
    let mut counts: HashMap<(String, String), usize> = HashMap::new();
    for f in &files {
        let file = File::open(f).unwrap();
        let b = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
        let mask = ProjectionMask::columns(b.parquet_schema(), ["exporter", "importer"]);
        for batch in b.with_projection(mask).build().unwrap() {
            let batch = batch.unwrap();
            let (e, i) = (
                batch.column(0).as_string::<i32>(),
                batch.column(1).as_string::<i32>(),
            );
            for r in 0..batch.num_rows() {
                if e.is_valid(r) && i.is_valid(r) {
                    *counts
                        .entry((e.value(r).into(), i.value(r).into()))
                        .or_default() += 1;
                }
            }
        }
    }
    let mut pairs: Vec<_> = counts.into_iter().collect();
    pairs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    assert!(pairs[0].1 > 2 * crate::store::PAGE_ROWS, "{:?}", pairs[0]);
    let step = pairs.len() / 20;
    let chosen = pairs
        .iter()
        .take(10)
        .chain(pairs.iter().step_by(step.max(1)));
    let (mut read, mut read_folded) = (0, 0);
    for ((e, i), _) in chosen {
        let q = PairQuery {
            exporter: e,
            importer: i,
            years: None,
            source: None,
            fold: None,
        };
        for f in &index.files {
            for g in 0..f.row_groups.len() {
                let ranges = f.candidate_rows(g, &q);
                let mut pages = Vec::new();
                let used = f
                    .scan_pages(g, &ranges, &q, &mut |r| {
                        pages.push((r.year, r.product.to_string(), r.value_usd))
                    })
                    .unwrap();
                assert!(used, "{e}->{i}: row group {g} of {}", f.path.display());
                let mut arrow = Vec::new();
                f.scan_arrow(g, &ranges, &q, &mut |r| {
                    arrow.push((r.year, r.product.to_string(), r.value_usd))
                })
                .unwrap();
                assert_eq!(pages, arrow, "{e}->{i}: row group {g}");
                read += pages.len();
                // Folded: the Arrow reader's rows, neighbours with the same cut code summed.
                for (n, runs) in [(2, true), (4, true), (2, false), (4, false)] {
                    let folded_q = PairQuery {
                        fold: Some(n),
                        ..q.clone()
                    };
                    let mut folded = Vec::new();
                    f.scan_pages_with(g, &ranges, &folded_q, runs, &mut |r| {
                        folded.push((r.year, r.product.to_string(), r.value_usd))
                    })
                    .unwrap();
                    let mut want: Vec<(i32, String, f64)> = Vec::new();
                    for (y, p, v) in &arrow {
                        match want.last_mut() {
                            Some(last) if last.0 == *y && last.1 == p[..n] => last.2 += v,
                            _ => want.push((*y, p[..n].to_string(), *v)),
                        }
                    }
                    assert_eq!(folded, want, "{e}->{i}: row group {g}, fold {n}, {runs}");
                    if n == 2 && runs {
                        read_folded += folded.len();
                    }
                }
            }
        }
    }
    assert!(read > 10_000, "{read}");
    // Threads share out the row groups: the same rows on one thread or several (a row group's
    // runs are folded where it is decoded, whichever thread reads it).
    for ((e, i), _) in pairs.iter().take(5) {
        let q = PairQuery {
            exporter: e,
            importer: i,
            years: None,
            source: None,
            fold: Some(2),
        };
        let rows = |parallel_rows| {
            let parts = index
                .scan_with(
                    &q,
                    parallel_rows,
                    Vec::new,
                    |a: &mut Vec<(i32, String, u64)>, r| {
                        a.push((r.year, r.product.to_string(), r.value_usd.to_bits()))
                    },
                    |a| a,
                )
                .unwrap();
            let n = parts.len();
            let mut all: Vec<_> = parts.into_iter().flatten().collect();
            all.sort();
            (n, all)
        };
        let ((one, alone), (several, shared)) = (rows(usize::MAX), rows(0));
        assert_eq!(one, 1);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(several, cores.clamp(1, 4), "{e}->{i}");
        assert!(!alone.is_empty());
        assert_eq!(alone, shared, "{e}->{i}");
    }
    assert!(
        read_folded * 10 < read,
        "{read_folded} of {read} rows after folding"
    );
}

/// A store's pair totals give what a scan of its flows gives, for pairs (`fold: Some(0)`, from
/// the totals sorted by exporter) and both sides of a country (exports from those, imports from
/// the totals sorted by importer), on a generated store of two years and several files a year.
#[test]
fn totals_answer_as_the_rows_do() {
    use crate::store::Store;
    let dir = tempfile::tempdir().unwrap();
    let home = generated_home(
        dir.path(),
        Spec {
            rows_per_year: 1_200_000,
            first_year: 2020,
            last_year: 2021,
            products: 2000,
            seed: 5,
        },
    );
    let store = Store::new(&home);
    let manifest = store.manifest().unwrap();
    let files: Vec<_> = manifest.flow_files_with_totals().collect();
    assert!(files.len() > 2, "several files a year: {}", files.len());
    let path = |f: &str| store.root().join(f);
    let load = |paths: Vec<_>| PairIndex::load(&paths, Vec::new()).unwrap().unwrap();
    let rows = load(files.iter().map(|(f, _)| path(f)).collect());
    let exports = load(
        files
            .iter()
            .map(|(_, t)| path(&t.expect("every file has totals").by_exporter))
            .collect(),
    );
    let imports = load(
        files
            .iter()
            .map(|(_, t)| path(&t.unwrap().by_importer))
            .collect(),
    );
    // Far fewer rows than the flows.
    let count = |i: &PairIndex| -> usize {
        i.files
            .iter()
            .flat_map(|f| f.row_groups.iter().map(|g| g.rows))
            .sum()
    };
    assert!(
        count(&exports) * 10 < count(&rows),
        "{} {}",
        count(&exports),
        count(&rows)
    );
    assert_eq!(count(&exports), count(&imports));

    // (year, level, reporter, flow) → sum, from a pair.
    type Sums = std::collections::BTreeMap<(i32, i32, String, String), f64>;
    let pair = |index: &PairIndex, e: &str, i: &str, years| -> Sums {
        let q = PairQuery {
            exporter: e,
            importer: i,
            years,
            source: Some("baci"),
            fold: Some(0),
        };
        let parts = index
            .scan(
                &q,
                Sums::new,
                |a, r| {
                    let k = (r.year, r.product_level, r.reporter.into(), r.flow.into());
                    *a.entry(k).or_default() += r.value_usd;
                },
                |a| a,
            )
            .unwrap();
        let mut all = Sums::new();
        for p in parts {
            for (k, v) in p {
                *all.entry(k).or_default() += v;
            }
        }
        all
    };
    let pairs = [
        ("USA", "CHN"),
        ("CHN", "USA"),
        ("DEU", "FRA"),
        ("AFG", "KAZ"),
        ("ATF", "BIH"),
    ];
    let mut answered = 0;
    for (e, i) in pairs {
        for years in [None, Some(2021..=2021), Some(2030..=2031)] {
            let (t, r) = (
                pair(&exports, e, i, years.clone()),
                pair(&rows, e, i, years.clone()),
            );
            assert_eq!(t, r, "{e}->{i} {years:?}");
            answered += t.len();
        }
    }
    assert!(answered > 0);

    // (year, partner, partner code, level) → sum, from a side.
    type Side = std::collections::BTreeMap<(i32, Option<String>, Option<i32>, i32), f64>;
    let side = |index: &PairIndex, c: &str, exporter: bool, years| -> Side {
        let q = SideQuery {
            country: c,
            exporter,
            years,
            source: "baci",
        };
        let mut out = Side::new();
        index
            .scan_side(&q, &mut |r| {
                *out.entry((
                    r.year,
                    r.partner.map(Into::into),
                    r.partner_code,
                    r.product_level,
                ))
                .or_default() += r.value_usd;
            })
            .unwrap()
            .unwrap();
        out
    };
    for c in ["USA", "ATF", "AFG", "ZWE"] {
        for exporter in [true, false] {
            for years in [2020..=2021, 2021..=2021, 2030..=2030] {
                let totals = if exporter { &exports } else { &imports };
                let (t, r) = (
                    side(totals, c, exporter, years.clone()),
                    side(&rows, c, exporter, years.clone()),
                );
                assert_eq!(t, r, "{c} exporter {exporter} {years:?}");
            }
        }
    }
    assert!(!side(&imports, "USA", false, 2020..=2021).is_empty());
}
