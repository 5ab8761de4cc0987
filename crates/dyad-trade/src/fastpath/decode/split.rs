//! BYTE_STREAM_SPLIT doubles (`value_usd`: byte 0 of every value, then byte 1, …).
//!
//! Kept by hand because a pair needs a few rows of a page: [`split_rows`] puts back only those,
//! eight values at a time with a transpose of words ([`unsplit`]), where the `parquet` crate's
//! decoder (in its `experimental` part) joins the streams a byte at a time, and its public
//! readers decode every value of the page.

use std::ops::Range;

/// Rows `rows` of a BYTE_STREAM_SPLIT page of `n` eight-byte values (`values`: its streams),
/// as little-endian bytes into `out` (eight bytes a row). `None`: the page is too short.
pub(crate) fn split_rows(
    values: &[u8],
    n: usize,
    rows: Range<usize>,
    out: &mut [u8],
) -> Option<()> {
    let streams = values.get(..n.checked_mul(8)?)?;
    if rows.start > rows.end || rows.end > n || out.len() != 8 * rows.len() {
        return None;
    }
    let s: [&[u8]; 8] = std::array::from_fn(|k| &streams[k * n..(k + 1) * n][rows.clone()]);
    unsplit(s, out);
    Some(())
}

/// Puts eight-byte values back together from their BYTE_STREAM_SPLIT streams (`s[k]`: byte k
/// of every value) into `out`, eight values at a time: eight words, one from each stream, are an
/// 8×8 byte matrix, and its transpose (three rounds of swapping blocks) is the eight values.
pub(crate) fn unsplit(s: [&[u8]; 8], out: &mut [u8]) {
    let n = out.len() / 8;
    let word = |k: usize, j: usize| u64::from_le_bytes(s[k][j..j + 8].try_into().expect("8"));
    let mut j = 0;
    while j + 8 <= n {
        let mut r: [u64; 8] = std::array::from_fn(|k| word(k, j));
        // Spelled out, so that the words stay in registers.
        let (w32, w16, w8) = (
            0x0000_0000_FFFF_FFFF,
            0x0000_FFFF_0000_FFFF,
            0x00FF_00FF_00FF_00FF,
        );
        swap(&mut r, 0, 4, 32, w32);
        swap(&mut r, 1, 5, 32, w32);
        swap(&mut r, 2, 6, 32, w32);
        swap(&mut r, 3, 7, 32, w32);
        swap(&mut r, 0, 2, 16, w16);
        swap(&mut r, 1, 3, 16, w16);
        swap(&mut r, 4, 6, 16, w16);
        swap(&mut r, 5, 7, 16, w16);
        swap(&mut r, 0, 1, 8, w8);
        swap(&mut r, 2, 3, 8, w8);
        swap(&mut r, 4, 5, 8, w8);
        swap(&mut r, 6, 7, 8, w8);
        for (v, w) in out[8 * j..8 * j + 64].chunks_exact_mut(8).zip(r) {
            v.copy_from_slice(&w.to_le_bytes());
        }
        j += 8;
    }
    for (i, v) in out.chunks_exact_mut(8).enumerate().skip(j) {
        v.copy_from_slice(&std::array::from_fn::<u8, 8, _>(|k| s[k][i]));
    }
}

/// Swaps the blocks of `shift` bits of words `a` and `b` that lie off the diagonal of their
/// 2×2 block matrix (a step of [`unsplit`]'s transpose; `mask` keeps the low block of each pair).
#[inline(always)]
fn swap(r: &mut [u64; 8], a: usize, b: usize, shift: u32, mask: u64) {
    let (x, y) = (r[a], r[b]);
    r[a] = (x & mask) | ((y & mask) << shift);
    r[b] = ((x >> shift) & mask) | (y & !mask);
}
