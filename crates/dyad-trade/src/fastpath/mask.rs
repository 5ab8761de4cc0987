//! Row masks (which rows of a row group are still candidates), read in blocks.

/// Row masks run to thousands of rows per row group and are scanned for each column read; a
/// `bool` at a time cost ~5% of a heavy pair's time. These look at blocks of `BLOCK` without
/// stopping inside one, which the compiler vectorizes.
const BLOCK: usize = 64;

/// Whether any row of `m` is set.
pub(super) fn any_set(m: &[bool]) -> bool {
    m.chunks(BLOCK)
        .any(|b| b.iter().fold(false, |any, &x| any | x))
}

/// Whether every row of `m` is set.
pub(super) fn all_set(m: &[bool]) -> bool {
    m.chunks(BLOCK)
        .all(|b| b.iter().fold(true, |all, &x| all & x))
}

/// The first row of `m` that is set.
pub(super) fn first_set(m: &[bool]) -> Option<usize> {
    let (k, block) = m.chunks(BLOCK).enumerate().find(|(_, b)| any_set(b))?;
    Some(k * BLOCK + block.iter().position(|&x| x)?)
}

/// The last row of `m` that is set.
pub(super) fn last_set(m: &[bool]) -> Option<usize> {
    let k = m.chunks(BLOCK).rposition(any_set)?;
    Some(
        k * BLOCK
            + m[k * BLOCK..]
                .chunks(BLOCK)
                .next()?
                .iter()
                .rposition(|&x| x)?,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_are_read_across_blocks() {
        for len in [0usize, 1, 63, 64, 65, 200] {
            for set in [
                vec![],
                vec![0],
                vec![len / 2],
                vec![3, len.saturating_sub(1)],
            ] {
                let mut m = vec![false; len];
                for &i in &set {
                    if i < len {
                        m[i] = true;
                    }
                }
                assert_eq!(any_set(&m), m.iter().any(|&x| x), "{len} {set:?}");
                assert_eq!(all_set(&m), m.iter().all(|&x| x), "{len} {set:?}");
                assert_eq!(first_set(&m), m.iter().position(|&x| x), "{len} {set:?}");
                assert_eq!(last_set(&m), m.iter().rposition(|&x| x), "{len} {set:?}");
            }
        }
        assert!(all_set(&[true; 130]));
    }
}
