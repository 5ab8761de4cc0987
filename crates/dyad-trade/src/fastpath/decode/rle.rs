//! The RLE / bit-packing hybrid encoding: definition levels (is a row's exporter null?) and
//! dictionary indexes (`exporter`, `importer`).
//!
//! Kept by hand so that a page of `exporter` or `importer` is compared with the pair's country
//! by dictionary index: the `parquet` crate's public readers look every index up and hand over
//! strings (the Arrow reader's dictionary decoding was a large part of its ~100 ns a row here),
//! and its `RleDecoder` is in the `experimental` part of the crate.

/// An unsigned LEB128 integer at `pos`.
pub(crate) fn uleb(data: &[u8], pos: &mut usize) -> Option<u64> {
    let mut out = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *data.get(*pos)?;
        *pos += 1;
        out |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(out);
        }
    }
    None
}

/// Appends `n` values of `width` bits packed from the least significant bit (Parquet's bit
/// packing) to `out`.
pub(crate) fn unpack(data: &[u8], width: u32, n: usize, out: &mut Vec<u64>) -> Option<()> {
    if width == 0 {
        out.extend(std::iter::repeat_n(0, n));
        return Some(());
    }
    if width > 64 || data.len() < (n * width as usize).div_ceil(8) {
        return None;
    }
    let w = width as usize;
    out.reserve(n);
    if w <= 8 {
        // Eight values of `w` bits are `w` bytes: one word a group (lengths and levels are a
        // few bits wide, and a word a value cost a tenth of a heavy pair's time).
        let mask = (1u64 << w) - 1;
        let start = out.len();
        out.resize(start + n, 0);
        // Whole groups of eight, then the rest: fixed-size groups unroll.
        let word = |g: usize| {
            let at = g * w;
            match data.get(at..at + 8) {
                Some(b) => u64::from_le_bytes(b.try_into().expect("8 bytes")),
                None => {
                    let mut word = [0u8; 8];
                    let end = (at + w).min(data.len());
                    word[..end - at].copy_from_slice(&data[at..end]);
                    u64::from_le_bytes(word)
                }
            }
        };
        let mut groups = out[start..].chunks_exact_mut(8);
        for (g, group) in groups.by_ref().enumerate() {
            let word = word(g);
            for (j, v) in group.iter_mut().enumerate() {
                *v = (word >> (j * w)) & mask;
            }
        }
        let rest = groups.into_remainder();
        if !rest.is_empty() {
            let word = word(n / 8);
            for (j, v) in rest.iter_mut().enumerate() {
                *v = (word >> (j * w)) & mask;
            }
        }
        return Some(());
    }
    if w <= 56 {
        // A value then starts at most 7 bits into a little-endian word of 8 bytes.
        let mask = (1u64 << w) - 1;
        for i in 0..n {
            let bit = i * w;
            let byte = bit / 8;
            let word = match data.get(byte..byte + 8) {
                Some(b) => u64::from_le_bytes(b.try_into().ok()?),
                None => {
                    let mut word = [0u8; 8];
                    word[..data.len() - byte].copy_from_slice(&data[byte..]);
                    u64::from_le_bytes(word)
                }
            };
            out.push((word >> (bit % 8)) & mask);
        }
        return Some(());
    }
    let mask = if width == 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    };
    for i in 0..n {
        let bit = i * w;
        let (byte, shift) = (bit / 8, (bit % 8) as u32);
        let mut word = [0u8; 16];
        let end = (byte + 9).min(data.len());
        word[..end - byte].copy_from_slice(&data[byte..end]);
        let low = u64::from_le_bytes(word[..8].try_into().ok()?);
        let mut v = low >> shift;
        if shift > 0 {
            v |= u64::from(word[8]) << (64 - shift);
        }
        out.push(v & mask);
    }
    Some(())
}

/// `n` values of the RLE / bit-packing hybrid encoding (levels and dictionary indexes).
pub(crate) fn hybrid(data: &[u8], width: u32, n: usize, out: &mut Vec<u64>) -> Option<()> {
    out.clear();
    let mut pos = 0;
    while out.len() < n {
        let header = uleb(data, &mut pos)?;
        let left = n - out.len();
        if header & 1 == 1 {
            let groups = usize::try_from(header >> 1).ok()?;
            let bytes = groups.checked_mul(width as usize)?;
            let run = data.get(pos..pos.checked_add(bytes)?)?;
            pos += bytes;
            unpack(run, width, groups.checked_mul(8)?.min(left), out)?;
        } else {
            let count = usize::try_from(header >> 1).ok()?;
            if count == 0 {
                return None;
            }
            let size = (width as usize).div_ceil(8);
            let mut word = [0u8; 8];
            word.get_mut(..size)?
                .copy_from_slice(data.get(pos..pos + size)?);
            pos += size;
            out.extend(std::iter::repeat_n(
                u64::from_le_bytes(word),
                count.min(left),
            ));
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_unpacking_agrees_with_a_bit_by_bit_reading() {
        let data: Vec<u8> = (0..64u32).map(|i| (i * 37 + 11) as u8).collect();
        for width in [0u32, 1, 2, 3, 7, 8, 9, 13, 31, 32, 33, 56, 57, 63, 64] {
            for n in [0usize, 1, 5, 8, 9, 16, 23] {
                if (n * width as usize).div_ceil(8) > data.len() {
                    continue;
                }
                let mut got = Vec::new();
                unpack(&data, width, n, &mut got).unwrap();
                let want: Vec<u64> = (0..n)
                    .map(|i| {
                        (0..width as usize).fold(0u64, |v, b| {
                            let bit = i * width as usize + b;
                            v | (u64::from(data[bit / 8] >> (bit % 8) & 1) << b)
                        })
                    })
                    .collect();
                assert_eq!(got, want, "width {width}, {n} values");
            }
        }
    }
}
