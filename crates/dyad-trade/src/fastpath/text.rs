//! Codes cut to their first characters, as SQL's `substr(code, 1, n)` does: what the fast
//! path's fold and the products query sum by.

/// The first `n` characters of `s`, as SQL's `substr(s, 1, n)`.
pub(crate) fn prefix(s: &str, n: usize) -> &str {
    if s.is_ascii() {
        &s[..n.min(s.len())]
    } else {
        s.char_indices().nth(n).map_or(s, |(i, _)| &s[..i])
    }
}

/// The first `n` characters of a code, as [`prefix`] cuts it (`None`: not UTF-8). ASCII codes
/// (all of BACI's) are cut by bytes.
pub(crate) fn cut(code: &[u8], n: usize) -> Option<&[u8]> {
    if code.is_ascii() {
        Some(&code[..n.min(code.len())])
    } else {
        Some(prefix(std::str::from_utf8(code).ok()?, n).as_bytes())
    }
}

/// Equality of short strings without a `memcmp` call, for the comparisons made per dictionary
/// entry, per run or per sum: ISO3 and HS codes, classifications and reporters are a few bytes,
/// and `==` on slices calls `memcmp`, which costs more than the comparison (callgrind figures
/// in `bench/trade/RESULTS.md`, Notes).
#[inline]
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    same_bytes(a.as_bytes(), b.as_bytes())
}

/// [`same_text`] for bytes.
#[inline]
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_count_characters() {
        assert_eq!(prefix("110100", 2), "11");
        assert_eq!(prefix("TOTAL", 6), "TOTAL");
        assert_eq!(prefix("é1234", 2), "é1");
        assert_eq!(cut("110100".as_bytes(), 2), Some("11".as_bytes()));
        assert_eq!(cut("é1234".as_bytes(), 2), Some("é1".as_bytes()));
    }

    #[test]
    fn same_bytes_is_equality() {
        for (a, b) in [
            ("", ""),
            ("AFG", "AFG"),
            ("AFG", "AFH"),
            ("AF", "AFG"),
            ("é", "e"),
        ] {
            assert_eq!(same_text(a, b), a == b, "{a} {b}");
            assert_eq!(same_text(b, a), a == b, "{b} {a}");
        }
    }
}
