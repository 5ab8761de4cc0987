//! Property tests of each decoder against the `parquet` crate: values are generated, written by
//! its writer with the encoding under test (in pages of a few rows, format 1 or 2 pages, Snappy
//! as the store), and what the decoder makes of each page is compared with what the Arrow reader
//! reads from the same file.

use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Float64Array, Int64Array, RecordBatch, StringArray,
};
use datafusion::arrow::compute::concat;
use datafusion::arrow::datatypes::{Field, Float64Type, Int64Type, Schema};
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::{Compression, Encoding};
use datafusion::parquet::column::page::Page;
use datafusion::parquet::file::properties::{WriterProperties, WriterVersion};
use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};
use proptest::prelude::*;

use super::delta::{delta_cuts, delta_each, delta_packed};
use super::plain::{plain_each, plain_rows, plain_strings};
use super::rle::hybrid;
use super::split::split_rows;
use super::{DataPage, Scratch};
use crate::fastpath::text::prefix;

/// How the column is written.
#[derive(Debug, Clone)]
struct Settings {
    /// Rows a data page holds at most.
    page_rows: usize,
    /// Format 2 data pages (levels outside the compressed values, no length before them).
    v2: bool,
    /// A dictionary, falling back to `encoding` past this many bytes of it.
    dictionary: Option<usize>,
    encoding: Encoding,
}

fn settings(encoding: Encoding, dictionary: bool) -> impl Strategy<Value = Settings> {
    let limit = if dictionary {
        prop::option::of(16usize..2048).boxed()
    } else {
        Just(None).boxed()
    };
    (1usize..40, any::<bool>(), limit).prop_map(move |(page_rows, v2, dictionary)| Settings {
        page_rows,
        v2,
        dictionary,
        encoding,
    })
}

/// `array` written as the one column of a file (with definition levels if `nullable`).
fn write(array: ArrayRef, nullable: bool, s: &Settings) -> Bytes {
    let field = Field::new("v", array.data_type().clone(), nullable);
    let schema = Arc::new(Schema::new(vec![field]));
    let batch = RecordBatch::try_new(schema.clone(), vec![array]).unwrap();
    let mut props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_data_page_row_count_limit(s.page_rows)
        .set_write_batch_size(s.page_rows)
        .set_writer_version(if s.v2 {
            WriterVersion::PARQUET_2_0
        } else {
            WriterVersion::PARQUET_1_0
        })
        .set_dictionary_enabled(s.dictionary.is_some())
        .set_encoding(s.encoding);
    if let Some(limit) = s.dictionary {
        props = props.set_dictionary_page_size_limit(limit);
    }
    let mut file = Vec::new();
    let mut w = ArrowWriter::try_new(&mut file, schema, Some(props.build())).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    Bytes::from(file)
}

/// The column as the Arrow reader reads it.
fn arrow(file: &Bytes) -> ArrayRef {
    let reader = ParquetRecordBatchReaderBuilder::try_new(file.clone())
        .unwrap()
        .build()
        .unwrap();
    let columns: Vec<ArrayRef> = reader.map(|b| b.unwrap().column(0).clone()).collect();
    let columns: Vec<&dyn Array> = columns.iter().map(|c| c.as_ref()).collect();
    concat(&columns).unwrap()
}

/// Every page of the column, decompressed, in order (a dictionary page first, if any).
fn pages(file: &Bytes) -> Vec<Page> {
    let reader = SerializedFileReader::new(file.clone()).unwrap();
    let mut out = Vec::new();
    for g in 0..reader.num_row_groups() {
        let pages = reader
            .get_row_group(g)
            .unwrap()
            .get_column_page_reader(0)
            .unwrap();
        out.extend(pages.map(Result::unwrap));
    }
    out
}

/// The data pages split by [`DataPage::new`], and the dictionary, if any, as its values' bytes
/// and count.
fn data_pages(file: &Bytes, max_def: i16) -> (Option<(Bytes, usize)>, Vec<DataPage>) {
    let mut sc = Scratch::default();
    let mut dictionary = None;
    let mut out = Vec::new();
    for page in pages(file) {
        match page {
            Page::DictionaryPage {
                buf, num_values, ..
            } => dictionary = Some((buf, num_values as usize)),
            page => out.push(DataPage::new(page, max_def, &mut sc).unwrap()),
        }
    }
    (dictionary, out)
}

/// The strings of a page of a text column, `None` for a null: PLAIN, or dictionary indexes
/// (RLE / bit-packed hybrid after a byte of bit width) into `dictionary`.
fn strings(page: &DataPage, dictionary: &[Vec<u8>], sc: &mut Scratch) -> Vec<Option<Vec<u8>>> {
    let present = page.present();
    let mut values: Vec<Vec<u8>> = Vec::new();
    match page.encoding {
        Encoding::PLAIN => {
            plain_each(&page.values, present, |_, v| {
                values.push(v.to_vec());
                Some(())
            })
            .unwrap();
            // The same strings into one buffer, as `filter_text` reads them.
            plain_strings(&page.values, present, sc).unwrap();
            let joined: Vec<Vec<u8>> = (0..present)
                .map(|i| sc.bytes[sc.offsets[i] as usize..sc.offsets[i + 1] as usize].to_vec())
                .collect();
            assert_eq!(joined, values);
        }
        Encoding::RLE_DICTIONARY | Encoding::PLAIN_DICTIONARY => {
            if present > 0 {
                let width = u32::from(page.values[0]);
                hybrid(&page.values[1..], width, present, &mut sc.ints).unwrap();
                values = sc
                    .ints
                    .iter()
                    .map(|&i| dictionary[i as usize].clone())
                    .collect();
            }
        }
        e => panic!("unexpected encoding {e}"),
    }
    let mut values = values.into_iter();
    (0..page.num_values)
        .map(|row| match &page.defined {
            Some(d) if !d[row] => None,
            _ => values.next(),
        })
        .collect()
}

fn texts(a: &ArrayRef) -> Vec<Option<Vec<u8>>> {
    let a: &StringArray = a.as_string::<i32>();
    (0..a.len())
        .map(|i| a.is_valid(i).then(|| a.value(i).as_bytes().to_vec()))
        .collect()
}

/// A code-like string: digits, letters and characters of several bytes, often sharing a prefix
/// with its neighbours once sorted.
fn code() -> impl Strategy<Value = String> {
    "[0-9]{0,3}[0-9a-zé日]{0,4}"
}

/// Rows `start..end` of a page of `n` rows, for a few choices of range.
fn row_ranges(n: usize, cut: (usize, usize)) -> Vec<Range<usize>> {
    let (a, b) = (cut.0 % (n + 1), cut.1 % (n + 1));
    vec![0..n, a.min(b)..a.max(b), a..a]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Definition levels and dictionary indexes (the RLE / bit-packing hybrid), and PLAIN byte
    /// arrays (pages of values past the dictionary's size limit, or without one): text with
    /// nulls, in runs (written RLE) and alone (bit-packed), from up to 2,000 distinct values.
    #[test]
    fn hybrid_levels_and_indexes_read_as_arrow_does(
        s in settings(Encoding::PLAIN, true),
        pool in prop::collection::vec("[A-Z]{1,3}", 1..2000),
        runs in prop::collection::vec((any::<prop::sample::Index>(), 1usize..20, any::<bool>()), 1..80),
    ) {
        let mut values: Vec<Option<String>> = Vec::new();
        for (pick, len, null) in &runs {
            let v = (!null).then(|| pool[pick.index(pool.len())].clone());
            values.extend(std::iter::repeat_n(v, *len));
        }
        let file = write(Arc::new(StringArray::from(values)), true, &s);
        let mut sc = Scratch::default();
        let (dictionary, pages) = data_pages(&file, 1);
        let mut entries: Vec<Vec<u8>> = Vec::new();
        if let Some((buf, n)) = &dictionary {
            plain_each(buf, *n, |_, v| {
                entries.push(v.to_vec());
                Some(())
            })
            .unwrap();
        }
        let got: Vec<Option<Vec<u8>>> =
            pages.iter().flat_map(|p| strings(p, &entries, &mut sc)).collect();
        prop_assert_eq!(got, texts(&arrow(&file)));
    }

    /// DELTA_BINARY_PACKED integers of any size (deltas of up to 64 bits), whole or the first
    /// `limit` of a page (the miniblocks after them stepped over).
    #[test]
    fn delta_packed_integers_read_as_arrow_does(
        s in settings(Encoding::DELTA_BINARY_PACKED, false),
        values in prop::collection::vec(
            prop_oneof![any::<i64>(), -1000i64..1000, Just(i64::MIN), Just(i64::MAX)],
            1..600,
        ),
        limit in any::<prop::sample::Index>(),
    ) {
        let file = write(Arc::new(Int64Array::from(values)), false, &s);
        let want: Vec<i64> = arrow(&file).as_primitive::<Int64Type>().values().to_vec();
        let (_, pages) = data_pages(&file, 0);
        let mut got = Vec::new();
        let mut out = Vec::new();
        for page in &pages {
            let (used, n) = delta_packed(&page.values, page.num_values, &mut out).unwrap();
            prop_assert_eq!(n, page.num_values);
            prop_assert_eq!(used, page.values.len());
            got.extend(out.iter().map(|&v| v as i64));
            let first = limit.index(n + 1);
            prop_assert_eq!(delta_packed(&page.values, first, &mut out).unwrap(), (used, n));
            prop_assert_eq!(out.len(), first);
            let firsts: Vec<i64> = out.iter().map(|&v| v as i64).collect();
            prop_assert_eq!(&firsts[..], &got[got.len() - n..got.len() - n + first]);
        }
        prop_assert_eq!(got, want);
    }

    /// DELTA_BYTE_ARRAY strings (prefix and suffix lengths DELTA_BINARY_PACKED), sorted as a
    /// pair's codes are or not: every string, the first `need`, and where their first `chars`
    /// characters change from row `from` on ([`delta_cuts`]).
    #[test]
    fn delta_strings_and_their_cuts_read_as_arrow_does(
        s in settings(Encoding::DELTA_BYTE_ARRAY, false),
        mut values in prop::collection::vec(code(), 1..400),
        sorted in any::<bool>(),
        need in any::<prop::sample::Index>(),
        from in any::<prop::sample::Index>(),
        chars in 1usize..6,
    ) {
        if sorted {
            values.sort();
        }
        let file = write(Arc::new(StringArray::from(values)), false, &s);
        let want = texts(&arrow(&file));
        let (_, pages) = data_pages(&file, 0);
        let mut sc = Scratch::default();
        let mut row = 0;
        for page in &pages {
            let n = page.num_values;
            let page_want: Vec<Vec<u8>> =
                want[row..row + n].iter().map(|v| v.clone().unwrap()).collect();
            row += n;
            let need = need.index(n + 1);
            let mut got: Vec<(Vec<u8>, usize)> = Vec::new();
            delta_each(&page.values, n, need, &mut sc, |i, v, shared| {
                assert_eq!(i, got.len());
                got.push((v.to_vec(), shared));
                Some(())
            })
            .unwrap();
            prop_assert_eq!(got.len(), need);
            for (i, (v, shared)) in got.iter().enumerate() {
                prop_assert_eq!(v, &page_want[i]);
                // The prefix it shares with the string before really is shared.
                let before: &[u8] = if i == 0 { &[] } else { &page_want[i - 1] };
                prop_assert!(*shared <= v.len().min(before.len()));
                prop_assert_eq!(&v[..*shared], &before[..*shared]);
            }
            // Run starts by hand: row `from`, then each row whose cut differs from the row
            // before's; `delta_cuts` may also report rows whose cut did not change.
            let from = from.index(need.max(1)).min(need.saturating_sub(1));
            let cut_of = |v: &[u8]| prefix(std::str::from_utf8(v).unwrap(), chars).to_string();
            let mut starts: Vec<(usize, String)> = Vec::new();
            for (i, v) in page_want.iter().enumerate().take(need).skip(from) {
                let c = cut_of(v);
                if starts.last().is_none_or(|(_, last)| *last != c) {
                    starts.push((i, c));
                }
            }
            let mut reported: Vec<(usize, String)> = Vec::new();
            delta_cuts(&page.values, n, from, need, chars, &mut sc, |i, c| {
                let c = std::str::from_utf8(c).unwrap().to_string();
                assert_eq!(c, cut_of(&page_want[i]), "row {i}");
                if reported.last().is_none_or(|(_, last)| *last != c) {
                    reported.push((i, c));
                }
                Some(())
            })
            .unwrap();
            prop_assert_eq!(reported, starts);
        }
    }

    /// BYTE_STREAM_SPLIT doubles of any bits, put back together for a range of rows of a page.
    #[test]
    fn split_doubles_read_as_arrow_does(
        s in settings(Encoding::BYTE_STREAM_SPLIT, false),
        bits in prop::collection::vec(any::<u64>(), 1..300),
        cut in any::<(usize, usize)>(),
    ) {
        let values: Vec<f64> = bits.iter().map(|&b| f64::from_bits(b)).collect();
        let file = write(Arc::new(Float64Array::from(values)), false, &s);
        check_doubles(&file, cut, |page, rows, out| {
            split_rows(&page.values, page.num_values, rows, out)
        })?;
    }

    /// PLAIN doubles, copied for a range of rows of a page.
    #[test]
    fn plain_doubles_read_as_arrow_does(
        s in settings(Encoding::PLAIN, false),
        bits in prop::collection::vec(any::<u64>(), 1..300),
        cut in any::<(usize, usize)>(),
    ) {
        let values: Vec<f64> = bits.iter().map(|&b| f64::from_bits(b)).collect();
        let file = write(Arc::new(Float64Array::from(values)), false, &s);
        check_doubles(&file, cut, |page, rows, out| plain_rows(&page.values, rows, out))?;
    }
}

/// Decodes ranges of rows of each page of a file of doubles with `decode` and compares their
/// bits with the Arrow reader's.
fn check_doubles(
    file: &Bytes,
    cut: (usize, usize),
    decode: impl Fn(&DataPage, Range<usize>, &mut [u8]) -> Option<()>,
) -> Result<(), TestCaseError> {
    let want: Vec<u64> = arrow(file)
        .as_primitive::<Float64Type>()
        .values()
        .iter()
        .map(|v| v.to_bits())
        .collect();
    let (_, pages) = data_pages(file, 0);
    let mut row = 0;
    for page in &pages {
        let n = page.num_values;
        for rows in row_ranges(n, cut) {
            let mut out = vec![0u8; 8 * rows.len()];
            prop_assert!(decode(page, rows.clone(), &mut out).is_some());
            let got: Vec<u64> = out
                .chunks_exact(8)
                .map(|b| u64::from_le_bytes(b.try_into().unwrap()))
                .collect();
            prop_assert_eq!(&got[..], &want[row + rows.start..row + rows.end]);
        }
        // Rows past the page's end are refused, not read from the next stream.
        let mut out = vec![0u8; 8];
        prop_assert!(decode(page, n..n + 1, &mut out).is_none());
        row += n;
    }
    prop_assert_eq!(row, want.len());
    Ok(())
}
