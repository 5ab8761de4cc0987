//! Shared pieces of the fuzz tests of every crate: a mutation strategy over valid inputs, the case count, and the corpus of inputs that once failed.
//!
//! The mutations are the ones that break readers in practice: flipped bits, bytes and chunks
//! that are special to CSV and TOML (quotes, separators, CR, NUL), invalid or odd UTF-8, huge
//! and negative numbers, deleted, duplicated and truncated ranges. proptest shrinks a failing
//! mutation list to a small one, and the case is then kept under `tests/corpus/<target>/` so
//! that every later run replays it.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::sample::Index;

/// Cases per fuzz target: `default` in CI, `DYAD_FUZZ_CASES` to raise it for a longer run.
pub fn cases(default: u32) -> u32 {
    std::env::var("DYAD_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A proptest configuration with [`cases`] and no persistence file: failures are kept in the
/// corpus instead, by hand, with a name saying what they found.
pub fn config(default: u32) -> ProptestConfig {
    ProptestConfig {
        cases: cases(default),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Chunks that readers treat specially, or that overflow or confuse number parsing.
const CHUNKS: &[&[u8]] = &[
    b"\"",
    b"\"\"",
    b",",
    b"\t",
    b"\r",
    b"\n",
    b"\r\n",
    b"\0",
    b"\xEF\xBB\xBF",
    b"\xff\xfe",
    b"\xc3",
    b"\xed\xa0\x80",
    b"\xf0\x9f\x99\x82",
    "\u{202e}".as_bytes(),
    b"99999999999999999999999999999999",
    b"-1",
    b"1e309",
    b"NaN",
    b"inf",
    b"0.0000000000000000000001",
    b"=",
    b"[",
    b"]",
    b"{",
    b"'",
    b"#",
    b"9999-99-99",
    b"0000-00-00",
    b"<script>",
    b"https://",
    b"   ",
];

/// One edit of a byte string.
#[derive(Debug, Clone)]
pub enum Edit {
    /// Flip one bit of the byte at a position.
    Flip(Index, u8),
    /// Insert a special chunk at a position.
    Insert(Index, Index),
    /// Replace the byte at a position by a special chunk.
    Replace(Index, Index),
    /// Delete up to n bytes at a position.
    Delete(Index, u8),
    /// Repeat up to n bytes at a position (duplicated lines and fields).
    Repeat(Index, u8),
    /// Cut everything from a position on.
    Truncate(Index),
    /// Insert arbitrary bytes.
    Bytes(Index, Vec<u8>),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (any::<Index>(), 0u8..8).prop_map(|(i, b)| Edit::Flip(i, b)),
        4 => (any::<Index>(), any::<Index>()).prop_map(|(i, c)| Edit::Insert(i, c)),
        3 => (any::<Index>(), any::<Index>()).prop_map(|(i, c)| Edit::Replace(i, c)),
        2 => (any::<Index>(), 1u8..64).prop_map(|(i, n)| Edit::Delete(i, n)),
        2 => (any::<Index>(), 1u8..128).prop_map(|(i, n)| Edit::Repeat(i, n)),
        1 => any::<Index>().prop_map(Edit::Truncate),
        1 => (any::<Index>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, b)| Edit::Bytes(i, b)),
    ]
}

/// Applies `edits` to `input` in order.
pub fn apply(input: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut v = input.to_vec();
    for e in edits {
        let at = |i: &Index, len: usize| if len == 0 { 0 } else { i.index(len + 1) };
        match e {
            Edit::Flip(i, bit) if !v.is_empty() => {
                let p = i.index(v.len());
                v[p] ^= 1 << bit;
            }
            Edit::Insert(i, c) => {
                let p = at(i, v.len());
                let chunk = CHUNKS[c.index(CHUNKS.len())];
                v.splice(p..p, chunk.iter().copied());
            }
            Edit::Replace(i, c) if !v.is_empty() => {
                let p = i.index(v.len());
                let chunk = CHUNKS[c.index(CHUNKS.len())];
                v.splice(p..p + 1, chunk.iter().copied());
            }
            Edit::Delete(i, n) if !v.is_empty() => {
                let p = i.index(v.len());
                let end = (p + *n as usize).min(v.len());
                v.drain(p..end);
            }
            Edit::Repeat(i, n) if !v.is_empty() => {
                let p = i.index(v.len());
                let end = (p + *n as usize).min(v.len());
                let copy = v[p..end].to_vec();
                v.splice(end..end, copy);
            }
            Edit::Truncate(i) => {
                let p = at(i, v.len());
                v.truncate(p);
            }
            Edit::Bytes(i, b) => {
                let p = at(i, v.len());
                v.splice(p..p, b.iter().copied());
            }
            _ => {}
        }
    }
    v
}

/// One of `seeds`, changed by 1 to 8 edits.
pub fn mutated(seeds: Vec<Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(seeds),
        prop::collection::vec(edit(), 1..8),
    )
        .prop_map(|(seed, edits)| apply(&seed, &edits))
}

/// The corpus folder of a target in the calling crate.
pub fn corpus_dir(manifest_dir: &str, target: &str) -> PathBuf {
    Path::new(manifest_dir).join("tests/corpus").join(target)
}

/// Every file of a target's corpus (none if the folder does not exist yet), by name.
pub fn corpus(manifest_dir: &str, target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = corpus_dir(manifest_dir, target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter(|e| e.path().is_file())
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        std::fs::read(e.path()).unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}
