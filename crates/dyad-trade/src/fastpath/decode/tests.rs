//! The decoders against the parquet crate's own reading of pages it wrote.

use std::sync::Arc;

use bytes::Bytes;
use datafusion::arrow::array::{RecordBatch, StringArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::parquet::basic::Encoding;

use super::delta::delta_cuts;
use super::split::unsplit;
use super::{DataPage, Scratch};

/// Runs of cut codes from a DELTA_BYTE_ARRAY page written by the Parquet writer with the
/// store's settings, on codes whose first characters are not one byte each: sharing two
/// bytes ("é") is not sharing two characters.
#[test]
fn delta_pages_cut_by_characters() {
    use datafusion::parquet::arrow::ArrowWriter;
    use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};
    let codes = [
        "é1234", "é1299", "é2000", "éa", "e", "ea1", "ea2", "f", "日本1", "日本2", "日x",
    ];
    let schema = Arc::new(Schema::new(vec![Field::new(
        "product",
        DataType::Utf8,
        false,
    )]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![Arc::new(StringArray::from(codes.to_vec()))],
    )
    .unwrap();
    let mut file = Vec::new();
    let props = crate::store::writer_properties();
    let mut w = ArrowWriter::try_new(&mut file, schema, Some(props)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    let reader = SerializedFileReader::new(Bytes::from(file)).unwrap();
    let mut pages = reader
        .get_row_group(0)
        .unwrap()
        .get_column_page_reader(0)
        .unwrap();
    let mut sc = Scratch::default();
    let page = DataPage::new(pages.get_next_page().unwrap().unwrap(), 0, &mut sc).unwrap();
    assert_eq!(page.encoding, Encoding::DELTA_BYTE_ARRAY);
    let n = codes.len();
    // Where the cut changes, by hand; `delta_cuts` may also report an unchanged cut.
    let mut starts = |from: usize, chars: usize| {
        let mut got: Vec<(usize, String)> = Vec::new();
        delta_cuts(&page.values, n, from, n, chars, &mut sc, |i, c| {
            let c = std::str::from_utf8(c).unwrap();
            if got.last().is_none_or(|(_, last)| last != c) {
                got.push((i, c.to_string()));
            }
            Some(())
        })
        .unwrap();
        got
    };
    let runs = |v: &[(usize, &str)]| -> Vec<(usize, String)> {
        v.iter().map(|&(i, c)| (i, c.to_string())).collect()
    };
    assert_eq!(
        starts(0, 2),
        runs(&[
            (0, "é1"),
            (2, "é2"),
            (3, "éa"),
            (4, "e"),
            (5, "ea"),
            (7, "f"),
            (8, "日本"),
            (10, "日x"),
        ])
    );
    assert_eq!(
        starts(3, 1),
        runs(&[(3, "é"), (4, "e"), (7, "f"), (8, "日")])
    );
}

#[test]
fn split_streams_are_put_back_together() {
    for n in [0usize, 1, 7, 8, 9, 16, 23] {
        let values: Vec<u64> = (0..n as u64)
            .map(|i| (i + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        let streams: Vec<Vec<u8>> = (0..8)
            .map(|k| values.iter().map(|v| v.to_le_bytes()[k]).collect())
            .collect();
        let mut out = vec![0u8; 8 * n];
        unsplit(std::array::from_fn(|k| &streams[k][..]), &mut out);
        let want: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(out, want, "{n} values");
    }
}
