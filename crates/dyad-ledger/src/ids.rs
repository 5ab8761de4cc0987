//! Act ids as stored: an id is kept only when it is not the natural `ACTOR/AUTHORITY/DATE/ACT`,
//! with a fixed hash for the partial index `acts_by_id`.

use dyad_core::Act;

/// FNV-1a, 64 bits: a fixed, documented hash, so stored values stay valid across Rust versions.
pub(crate) fn id_hash(id: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h as i64
}

/// The parts `[actor, authority, date, act]` of an id in the natural form. Codes, dates and act
/// names never contain `/`, so a natural id splits into its parts in exactly one way.
pub(crate) fn natural_parts(id: &str) -> Option<[&str; 4]> {
    let mut parts = id.split('/');
    let out = [parts.next()?, parts.next()?, parts.next()?, parts.next()?];
    parts.next().is_none().then_some(out)
}

/// Whether an act's id is its natural one (`ACTOR/AUTHORITY/DATE/ACT`, `date` being the act's
/// date as stored), checked without building the string.
pub(crate) fn has_natural_id(act: &Act, date: &str) -> bool {
    let rest = act
        .id
        .strip_prefix(act.actor.as_str())
        .and_then(|r| r.strip_prefix('/'))
        .and_then(|r| r.strip_prefix(act.authority.as_str()))
        .and_then(|r| r.strip_prefix('/'))
        .and_then(|r| r.strip_prefix(date))
        .and_then(|r| r.strip_prefix('/'));
    // A `/` inside a code would make the id split differently from how it was built.
    rest == Some(act.kind.as_str()) && !act.actor.contains('/') && !act.authority.contains('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FNV-1a 64 test vectors from the reference page of the hash's authors
    /// (http://www.isthe.com/chongo/tech/comp/fnv/, "FNV-1a 64 bit" of "" and "a").
    #[test]
    fn the_hash_is_fnv1a_64() {
        assert_eq!(id_hash("") as u64, 0xcbf2_9ce4_8422_2325);
        assert_eq!(id_hash("a") as u64, 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn natural_ids_split_in_four() {
        assert_eq!(
            natural_parts("RUS/AFG-IEA/2022-04-06/envoy_accepted"),
            Some(["RUS", "AFG-IEA", "2022-04-06", "envoy_accepted"])
        );
        assert_eq!(natural_parts("my-own-id"), None);
        assert_eq!(natural_parts("a/b/c/d/e"), None);
    }
}
