//! PLAIN values: byte arrays (each after its 4-byte little-endian length) and doubles (eight
//! little-endian bytes each).
//!
//! Kept by hand because it is a length and a copy: nothing to gain from a dependency, and the
//! `parquet` crate's `PlainDecoder` is in its `experimental` part. dyad writes `product` and
//! `value_usd` otherwise; these serve files written with other settings (and exporter and
//! importer pages that fell back from a dictionary).

use std::ops::Range;

use super::Scratch;

/// Rows `rows` of a PLAIN page of doubles, as little-endian bytes into `out` (eight bytes a
/// row). `None`: the page is too short.
pub(crate) fn plain_rows(values: &[u8], rows: Range<usize>, out: &mut [u8]) -> Option<()> {
    let bytes = values.get(rows.start.checked_mul(8)?..rows.end.checked_mul(8)?)?;
    if bytes.len() != out.len() {
        return None;
    }
    out.copy_from_slice(bytes);
    Some(())
}

/// Calls `each(i, string)` for the first `n` PLAIN byte arrays (each after its 4-byte length).
pub(crate) fn plain_each(
    data: &[u8],
    n: usize,
    mut each: impl FnMut(usize, &[u8]) -> Option<()>,
) -> Option<()> {
    let mut pos = 0;
    for i in 0..n {
        let len = u32::from_le_bytes(data.get(pos..pos + 4)?.try_into().ok()?) as usize;
        each(i, data.get(pos + 4..(pos + 4).checked_add(len)?)?)?;
        pos += 4 + len;
    }
    Some(())
}

/// `n` PLAIN byte arrays (each after its 4-byte length) into `sc.bytes` and `sc.offsets`.
pub(crate) fn plain_strings(data: &[u8], n: usize, sc: &mut Scratch) -> Option<()> {
    sc.offsets.clear();
    sc.bytes.clear();
    sc.offsets.push(0);
    let mut pos = 0;
    for _ in 0..n {
        let len = u32::from_le_bytes(data.get(pos..pos + 4)?.try_into().ok()?) as usize;
        sc.bytes
            .extend_from_slice(data.get(pos + 4..(pos + 4).checked_add(len)?)?);
        pos += 4 + len;
        sc.offsets.push(u32::try_from(sc.bytes.len()).ok()?);
    }
    Some(())
}
