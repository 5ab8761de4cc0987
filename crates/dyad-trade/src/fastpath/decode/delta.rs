//! DELTA_BINARY_PACKED integers and DELTA_BYTE_ARRAY strings (`product`: each code is the
//! length of the prefix it shares with the code before, then its suffix).
//!
//! Kept by hand because a sorted pair's codes are most of a heavy read: here a code is rebuilt
//! in one reused buffer ([`delta_each`]), and where only the first two or four characters
//! matter, a code that shares that many ASCII bytes with the one before is known to be in the
//! same run from its prefix length alone, without rebuilding or comparing it ([`delta_cuts`]).
//! The `parquet` crate's `DeltaByteArrayDecoder` (in its `experimental` part) allocates a new
//! buffer for every value, and its public readers decode every value of a page into an array.

use super::rle::{uleb, unpack};
use super::Scratch;
use crate::fastpath::text::cut;

/// The signed integer of a zigzag-encoded one (0, -1, 1, -2, … from 0, 1, 2, 3, …).
fn zigzag(n: u64) -> i64 {
    ((n >> 1) as i64) ^ -((n & 1) as i64)
}

/// The first `limit` values of a DELTA_BINARY_PACKED run into `out`, each the bits of an `i64`
/// (deltas are unpacked in place as unsigned, then summed); returns the bytes the whole run
/// takes and its number of values (the miniblocks after the last value wanted are stepped over,
/// not unpacked).
pub(crate) fn delta_packed(
    data: &[u8],
    limit: usize,
    out: &mut Vec<u64>,
) -> Option<(usize, usize)> {
    let mut pos = 0;
    let block = usize::try_from(uleb(data, &mut pos)?).ok()?;
    let minis = usize::try_from(uleb(data, &mut pos)?).ok()?;
    let total = usize::try_from(uleb(data, &mut pos)?).ok()?;
    let first = zigzag(uleb(data, &mut pos)?);
    if minis == 0 || block == 0 || block % minis != 0 || (block / minis) % 8 != 0 {
        return None;
    }
    let per = block / minis;
    out.clear();
    if total == 0 {
        return Some((pos, 0));
    }
    if limit > 0 {
        out.push(first as u64);
    }
    let mut last = first;
    // Values accounted for (decoded or stepped over).
    let mut seen = 1;
    while seen < total {
        let min = zigzag(uleb(data, &mut pos)?);
        let widths = data.get(pos..pos.checked_add(minis)?)?;
        pos += minis;
        for &width in widths {
            if seen >= total {
                break;
            }
            // Every miniblock but those after the last value is written whole, padding included.
            let bytes = per * usize::from(width) / 8;
            let run = data.get(pos..pos.checked_add(bytes)?)?;
            pos += bytes;
            let n = per.min(total - seen);
            seen += n;
            let wanted = n.min(limit.saturating_sub(out.len()));
            if wanted == 0 {
                continue;
            }
            let before = out.len();
            unpack(run, u32::from(width), wanted, out)?;
            for d in &mut out[before..] {
                last = last.wrapping_add(min).wrapping_add(*d as i64);
                *d = last as u64;
            }
        }
    }
    Some((pos, total))
}

/// Calls `each(i, string, shared)` for the first `need` of the `n` DELTA_BYTE_ARRAY strings of a
/// page, each rebuilt in place from the one before (nothing is kept of the page's strings);
/// `shared` is the length of the prefix it shares with the one before (0 for the first).
pub(crate) fn delta_each(
    data: &[u8],
    n: usize,
    need: usize,
    sc: &mut Scratch,
    mut each: impl FnMut(usize, &[u8], usize) -> Option<()>,
) -> Option<()> {
    let (used, count) = delta_packed(data, need, &mut sc.prefixes)?;
    let rest = data.get(used..)?;
    let (mut pos, lengths) = delta_packed(rest, need, &mut sc.lengths)?;
    if count != n || lengths != n || need > n {
        return None;
    }
    let mut cur = std::mem::take(&mut sc.bytes);
    cur.clear();
    for i in 0..need {
        let prefix = usize::try_from(sc.prefixes[i] as i64).ok()?;
        let len = usize::try_from(sc.lengths[i] as i64).ok()?;
        if prefix > cur.len() {
            return None;
        }
        let suffix = rest.get(pos..pos.checked_add(len)?)?;
        pos += len;
        cur.truncate(prefix);
        // Suffixes are a byte or two: a loop is cheaper than a `memmove` call.
        for &b in suffix {
            cur.push(b);
        }
        each(i, &cur, if i == 0 { 0 } else { prefix })?;
    }
    sc.bytes = cur;
    Some(())
}

/// Calls `start(i, cut)` for string `from` of the first `need` of the `n` DELTA_BYTE_ARRAY
/// strings of a page, and for every later one whose cut (first `chars` characters, as [`cut`]
/// makes it) may differ from the string before's; the caller compares.
///
/// A string that shares at least `chars` bytes with the one before, when those bytes are ASCII,
/// has the same cut: that is known from its prefix length alone (most strings of a heavy pair,
/// whose codes are sorted), without cutting or comparing it. Other strings are cut and compared
/// with the cut before when that was `chars` ASCII bytes.
pub(crate) fn delta_cuts(
    data: &[u8],
    n: usize,
    from: usize,
    need: usize,
    chars: usize,
    sc: &mut Scratch,
    mut start: impl FnMut(usize, &[u8]) -> Option<()>,
) -> Option<()> {
    // The cut of the string before, when `known`: `chars` ASCII bytes.
    let mut last: [u8; 8] = [0; 8];
    let mut known = false;
    delta_each(data, n, need, sc, |i, code, shared| {
        if i < from || (i > from && known && shared >= chars) {
            return Some(());
        }
        let code = cut(code, chars)?;
        if i == from || !known || code != &last[..chars] {
            start(i, code)?;
        }
        known = chars <= last.len() && code.len() == chars && code.is_ascii();
        if known {
            last[..chars].copy_from_slice(code);
        }
        Some(())
    })
}
