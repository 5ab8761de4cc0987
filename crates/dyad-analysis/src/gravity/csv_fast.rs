//! The fast path of the gravity CSV reader: the whole input in memory, cut at line ends into one
//! chunk per thread, each chunk split and typed in one pass (numbers parsed, labels interned as
//! slices of the input), with no allocation per cell; the chunks' labels are then merged in
//! chunk order, which gives the levels in order of first appearance, as the streaming reader.
//!
//! It takes plain CSV: no quote character anywhere and `\r` only right before `\n`. There the
//! csv crate's reading is simple (a record ends at `\n` or `\r\n`, fields end at `,`, empty
//! lines are skipped, a leading UTF-8 BOM is dropped) and is reproduced here. Anything else —
//! a quote, a lone `\r`, a record with the wrong number of fields, a value that is not a
//! number, an unknown column — is handed to [`Frame::read_csv`] (the csv crate) on the same
//! bytes, which then gives the same frame or the same error, line and column.

use super::frame::{is_missing, parse_number, trim_bytes, Factor, Frame, FxMap, MISSING};
use super::GravityError;

/// Labels that are canonical decimal integers below this are looked up in a table, not hashed
/// (years, numeric country codes).
const SMALL: usize = 1 << 14;

/// Reads a CSV held in memory, on up to `threads` threads (0 = all cores); same result as
/// [`Frame::read_csv`] on the same bytes.
pub(crate) fn read(
    bytes: &[u8],
    numeric: &[&str],
    factor: &[&str],
    threads: usize,
) -> Result<Frame, GravityError> {
    match fast(bytes, numeric, factor, threads) {
        Some(frame) => Ok(frame),
        None => Frame::read_csv(bytes, numeric, factor),
    }
}

/// What a field is read as: a numeric column's index, a factor column's index, or both.
#[derive(Clone, Copy, Default)]
struct Role {
    num: Option<usize>,
    fac: Option<usize>,
}

/// `None` when the input is not plain CSV or does not read cleanly: the caller falls back.
fn fast(bytes: &[u8], numeric: &[&str], factor: &[&str], threads: usize) -> Option<Frame> {
    let data = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        // A BOM before an empty line: rare enough to leave to the csv crate.
        Some(rest) if matches!(rest.first(), Some(b'\n' | b'\r') | None) => return None,
        Some(rest) => rest,
        None => bytes,
    };
    // The header is the first non-empty line.
    let mut rest = data;
    let header = loop {
        if rest.is_empty() {
            return None;
        }
        let (line, next) = split_line(rest);
        rest = next;
        if !line.is_empty() {
            break line;
        }
    };
    // Quotes and a `\r` not before a `\n`: here for the header, while reading for the rest.
    let head = &data[..data.len() - rest.len()];
    if memchr::memchr(b'"', head).is_some()
        || memchr::memchr_iter(b'\r', head).any(|p| head.get(p + 1) != Some(&b'\n'))
    {
        return None;
    }
    let headers: Vec<String> = header
        .split(|&b| b == b',')
        .map(|h| String::from_utf8_lossy(h).trim().to_string())
        .collect();
    let find = |name: &str| headers.iter().position(|h| h == name);
    let mut roles = vec![Role::default(); headers.len()];
    let mut num_names: Vec<&str> = Vec::new();
    for &name in numeric {
        let i = find(name)?;
        if roles[i].num.is_none() {
            roles[i].num = Some(num_names.len());
            num_names.push(name);
        }
    }
    let mut fac_names: Vec<&str> = Vec::new();
    for &name in factor {
        let i = find(name)?;
        if roles[i].fac.is_none() {
            roles[i].fac = Some(fac_names.len());
            fac_names.push(name);
        }
    }
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    };
    let pieces = cut(rest, threads);
    let parse = |k: usize| parse_chunk(pieces[k], &roles, num_names.len(), fac_names.len());
    let chunks: Vec<Option<Chunk<'_>>> = if pieces.len() <= 1 {
        (0..pieces.len()).map(parse).collect()
    } else {
        std::thread::scope(|s| {
            let parse = &parse;
            let handles: Vec<_> = (1..pieces.len())
                .map(|k| s.spawn(move || parse(k)))
                .collect();
            let mut out = vec![parse(0)];
            out.extend(
                handles
                    .into_iter()
                    .map(|h| h.join().expect("CSV chunk thread")),
            );
            out
        })
    };
    let chunks: Vec<Chunk<'_>> = chunks.into_iter().collect::<Option<_>>()?;
    Some(merge(chunks, headers, &num_names, &fac_names))
}

/// The first line of `s` (without its `\n` or `\r\n`) and the rest.
fn split_line(s: &[u8]) -> (&[u8], &[u8]) {
    let (line, rest) = match memchr::memchr(b'\n', s) {
        Some(p) => (&s[..p], &s[p + 1..]),
        None => (s, &s[s.len()..]),
    };
    (line.strip_suffix(b"\r").unwrap_or(line), rest)
}

/// Cuts `s` into up to `n` pieces of about equal size, each ending at a line end.
fn cut(s: &[u8], n: usize) -> Vec<&[u8]> {
    let mut pieces = Vec::with_capacity(n);
    let mut start = 0;
    for k in 1..n {
        let target = (s.len() * k / n).max(start);
        let Some(p) = memchr::memchr(b'\n', &s[target..]) else {
            break;
        };
        let end = target + p + 1;
        if end > start {
            pieces.push(&s[start..end]);
            start = end;
        }
    }
    if start < s.len() || pieces.is_empty() {
        pieces.push(&s[start..]);
    }
    pieces
}

/// A field, trimmed, with up to its first eight bytes as a little-endian word (zero past its
/// end), loaded without a copy of variable length: short labels and numbers are then compared,
/// hashed and parsed as one integer.
#[derive(Clone, Copy)]
struct Cell<'a> {
    raw: &'a [u8],
    word: u64,
}

impl<'a> Cell<'a> {
    /// The field `s[start..end]`.
    #[inline(always)]
    fn new(s: &'a [u8], start: usize, end: usize) -> Cell<'a> {
        let raw = trim_bytes(&s[start..end]);
        // Where the trimmed field starts in `s` (an address difference, nothing dereferenced).
        let from = raw.as_ptr() as usize - s.as_ptr() as usize;
        let n = raw.len();
        let word = if n <= 8 {
            word(s, from) & u64::MAX.checked_shr(64 - 8 * n as u32).unwrap_or(0)
        } else {
            0
        };
        Cell { raw, word }
    }

    /// The value of one to eight ASCII digits, computed on the whole word at once (no branch
    /// per digit, whose loop exit is mispredicted on fields of varying length).
    #[inline(always)]
    fn digits(&self) -> Option<u64> {
        let n = self.raw.len();
        if n == 0 || n > 8 {
            return None;
        }
        // Right-aligned behind leading '0's, which do not change the value.
        let w = (self.word << (8 * (8 - n))) | ((THREES >> (8 * n - 1)) >> 1);
        // Every byte in 0x30..=0x39: high nibble 3, and low nibble + 6 still below 0x10.
        const HIGH_NIBBLES: u64 = 0xF0F0_F0F0_F0F0_F0F0;
        if w & HIGH_NIBBLES != THREES
            || w.wrapping_add(0x0606_0606_0606_0606) & HIGH_NIBBLES != THREES
        {
            return None;
        }
        // Pairs, then fours, then all eight digits (the first byte is the most significant).
        let v = (w & 0x0F0F_0F0F_0F0F_0F0F).wrapping_mul(2561) >> 8;
        let v = (v & 0x00FF_00FF_00FF_00FF).wrapping_mul(6_553_601) >> 16;
        Some((v & 0x0000_FFFF_0000_FFFF).wrapping_mul(42_949_672_960_001) >> 32)
    }

    /// The value of a label written as a canonical decimal integer below [`SMALL`] (digits
    /// only, no leading zero unless it is "0").
    #[inline(always)]
    fn small_int(&self) -> Option<usize> {
        let n = self.raw.len();
        if n > 5 || (n > 1 && self.raw[0] == b'0') {
            return None;
        }
        let v = self.digits()? as usize;
        (v < SMALL).then_some(v)
    }
}

/// '0' in every byte.
const THREES: u64 = 0x3030_3030_3030_3030;

/// A factor column of one chunk: codes local to the chunk, levels as slices of the input.
struct LocalFactor<'a> {
    codes: Vec<u32>,
    levels: Vec<&'a [u8]>,
    /// Labels of up to eight bytes by (word, length); longer ones by their bytes.
    short: FxMap<(u64, u8), u32>,
    long: FxMap<&'a [u8], u32>,
    /// Code by value of labels that are canonical integers below [`SMALL`] (allocated on first
    /// use): such a label has no other spelling, so it never needs a map.
    small: Vec<u32>,
    /// The previous short label (word, length, code): sorted columns repeat it row after row.
    last: (u64, usize, u32),
}

impl<'a> LocalFactor<'a> {
    fn new() -> LocalFactor<'a> {
        LocalFactor {
            codes: Vec::new(),
            levels: Vec::new(),
            short: FxMap::default(),
            long: FxMap::default(),
            small: Vec::new(),
            last: (0, usize::MAX, MISSING),
        }
    }

    #[inline(always)]
    fn push(&mut self, cell: Cell<'a>) {
        let n = cell.raw.len();
        let c = if cell.word == self.last.0 && n == self.last.1 {
            self.last.2
        } else if is_missing(cell.raw) {
            MISSING
        } else if n <= 8 {
            let c = self.short_code(cell);
            self.last = (cell.word, n, c);
            c
        } else {
            let next = self.levels.len() as u32;
            let c = *self.long.entry(cell.raw).or_insert(next);
            if c == next {
                self.levels.push(cell.raw);
            }
            c
        };
        self.codes.push(c);
    }

    fn short_code(&mut self, cell: Cell<'a>) -> u32 {
        let next = self.levels.len() as u32;
        let c = if let Some(v) = cell.small_int() {
            if self.small.is_empty() {
                self.small = vec![MISSING; SMALL];
            }
            let slot = &mut self.small[v];
            if *slot == MISSING {
                *slot = next;
            }
            *slot
        } else {
            *self
                .short
                .entry((cell.word, cell.raw.len() as u8))
                .or_insert(next)
        };
        if c == next {
            self.levels.push(cell.raw);
        }
        c
    }
}

/// The columns read from one chunk.
struct Chunk<'a> {
    rows: usize,
    num: Vec<Vec<f64>>,
    fac: Vec<LocalFactor<'a>>,
}

impl<'a> Chunk<'a> {
    /// Reads the needed fields of one record whose field ends are `ends` (the record starts at
    /// `start`); `None` if a number does not read as one.
    #[inline(always)]
    fn record(&mut self, needs: &[Need], s: &'a [u8], start: usize, ends: &[usize]) -> Option<()> {
        for need in needs {
            let from = if need.field == 0 {
                start
            } else {
                ends[need.field - 1] + 1
            };
            let mut to = ends[need.field];
            // A `\r` can only be right before the `\n` (checked before).
            if need.last && to > from && s[to - 1] == b'\r' {
                to -= 1;
            }
            let cell = Cell::new(s, from, to);
            if let Some(k) = need.num {
                let v = match cell.digits() {
                    Some(v) => v as f64,
                    None => parse_number(cell.raw)?,
                };
                self.num[k].push(v);
            }
            if let Some(k) = need.fac {
                self.fac[k].push(cell);
            }
        }
        self.rows += 1;
        Some(())
    }
}

/// A field that is read: its index in the record and what it is read as.
#[derive(Clone, Copy)]
struct Need {
    field: usize,
    /// The last field of the record (may end with `\r`).
    last: bool,
    num: Option<usize>,
    fac: Option<usize>,
}

/// Bytes with only the low seven bits, for [`zero_bytes`].
const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;

/// The high bit of every byte of `x` that is zero (exact: no false positive from a borrow).
#[inline(always)]
fn zero_bytes(x: u64) -> u64 {
    !((x & LOW7).wrapping_add(LOW7) | x | LOW7)
}

/// Eight bytes of `s` from `at` as a little-endian word, zero-padded past the end (a zero byte
/// is no delimiter).
#[inline(always)]
fn word(s: &[u8], at: usize) -> u64 {
    match s.get(at..at + 8) {
        Some(b) => u64::from_le_bytes(b.try_into().expect("eight bytes")),
        None => {
            let mut b = [0u8; 8];
            let tail = &s[at..];
            b[..tail.len()].copy_from_slice(tail);
            u64::from_le_bytes(b)
        }
    }
}

/// Bytes scanned for field ends before the records found are read.
const SCAN: usize = 1 << 15;

/// Splits and types one chunk; `None` at the first thing the csv crate would read otherwise or
/// reject (a record of another length than the header, a value that is not a number).
///
/// Two steps per block of the chunk, each with few branches that depend on the data (a
/// mispredicted branch costs as much as a few dozen instructions): the positions of all `,`
/// and `\n` are listed eight bytes at a time; then each record is checked to have the header's
/// number of fields and only the needed fields are read, in a fixed order.
fn parse_chunk<'a>(s: &'a [u8], roles: &[Role], n_num: usize, n_fac: usize) -> Option<Chunk<'a>> {
    // Rows in the chunk, to size the columns once (a line is at least two bytes).
    let guess = s.len() / (2 * roles.len()).max(2) + 1;
    let mut chunk = Chunk {
        rows: 0,
        num: (0..n_num).map(|_| Vec::with_capacity(guess)).collect(),
        fac: (0..n_fac).map(|_| LocalFactor::new()).collect(),
    };
    for f in &mut chunk.fac {
        f.codes.reserve(guess);
    }
    let width = roles.len();
    let needs: Vec<Need> = roles
        .iter()
        .enumerate()
        .filter(|(_, r)| r.num.is_some() || r.fac.is_some())
        .map(|(field, r)| Need {
            field,
            last: field + 1 == width,
            num: r.num,
            fac: r.fac,
        })
        .collect();
    const COMMAS: u64 = u64::from_le_bytes([b','; 8]);
    const NEWLINES: u64 = u64::from_le_bytes([b'\n'; 8]);
    const QUOTES: u64 = u64::from_le_bytes([b'"'; 8]);
    const CRS: u64 = u64::from_le_bytes([b'\r'; 8]);
    // Quotes, and `\r` not followed by `\n` (the one in a word's last byte carried to the next
    // word's first): either sends the input to the csv crate.
    let mut bad = 0u64;
    let mut cr_carry = 0u64;
    // Field ends found and not yet read (those of an unfinished record carry over).
    let mut ends: Vec<usize> = vec![0; SCAN + 2 * width + 16];
    let mut n_ends = 0;
    let mut start = 0;
    let mut at = 0;
    loop {
        let stop = (at + SCAN).min(s.len());
        if ends.len() < n_ends + SCAN + 16 {
            ends.resize(n_ends + SCAN + 16, 0);
        }
        while at < stop {
            let w = word(s, at);
            let nl = zero_bytes(w ^ NEWLINES);
            let cr = zero_bytes(w ^ CRS);
            bad |= zero_bytes(w ^ QUOTES) | ((cr << 8 | cr_carry) & !nl);
            cr_carry = cr >> 56;
            let mut m = zero_bytes(w ^ COMMAS) | nl;
            // The number of ends: one high bit per byte, summed into the top byte (a multiply
            // rather than `count_ones`, which without the POPCNT instruction is a dozen).
            let count = ((m >> 7).wrapping_mul(0x0101_0101_0101_0101) >> 56) as usize;
            // Four positions written whatever the count (past it they are overwritten later).
            for e in &mut ends[n_ends..n_ends + 4] {
                *e = at + (m.trailing_zeros() / 8) as usize;
                m &= m.wrapping_sub(1);
            }
            if count > 4 {
                for e in &mut ends[n_ends + 4..n_ends + count] {
                    *e = at + (m.trailing_zeros() / 8) as usize;
                    m &= m.wrapping_sub(1);
                }
            }
            n_ends += count;
            at += 8;
        }
        let done = at >= s.len();
        if bad != 0 || (done && cr_carry != 0) {
            return None;
        }
        if done && s.last().is_some_and(|&b| b != b'\n') {
            // The last record has no line end: end it at the end of the chunk.
            ends[n_ends] = s.len();
            n_ends += 1;
        }
        let is_nl = |p: usize| p == s.len() || s[p] == b'\n';
        let mut k = 0;
        while k < n_ends {
            let first = ends[k];
            if is_nl(first) {
                let blank = first == start || (first == start + 1 && s[start] == b'\r');
                if blank {
                    // An empty line is skipped, as by the csv crate.
                    start = first + 1;
                    k += 1;
                    continue;
                }
            }
            if n_ends - k < width {
                break;
            }
            let rec = &ends[k..k + width];
            let commas = rec[..width - 1]
                .iter()
                .all(|&p| p < s.len() && s[p] == b',');
            if !commas || !is_nl(rec[width - 1]) {
                return None;
            }
            chunk.record(&needs, s, start, rec)?;
            start = rec[width - 1] + 1;
            k += width;
        }
        if done {
            // Field ends left over: a record shorter than the header.
            return (k == n_ends).then_some(chunk);
        }
        ends.copy_within(k..n_ends, 0);
        n_ends -= k;
    }
}

/// Joins the chunks in order: numbers concatenated, labels renumbered by first appearance. The
/// first chunk's columns are kept and extended (its codes are already the global ones: its
/// levels come first).
fn merge(chunks: Vec<Chunk<'_>>, headers: Vec<String>, num: &[&str], fac: &[&str]) -> Frame {
    let rows: usize = chunks.iter().map(|c| c.rows).sum();
    let mut chunks = chunks.into_iter();
    let first = chunks.next().expect("at least one chunk");
    let rest: Vec<Chunk<'_>> = chunks.collect();
    let mut numeric: Vec<(String, Vec<f64>)> = Vec::with_capacity(num.len());
    for ((k, name), mut col) in num.iter().enumerate().zip(first.num) {
        col.reserve(rows - col.len());
        for c in &rest {
            col.extend_from_slice(&c.num[k]);
        }
        numeric.push((name.to_string(), col));
    }
    let mut factors: Vec<(String, Factor)> = Vec::with_capacity(fac.len());
    for ((k, name), f) in fac.iter().enumerate().zip(first.fac) {
        let mut codes = f.codes;
        let mut levels = f.levels;
        if !rest.is_empty() {
            let mut map: FxMap<&[u8], u32> = levels
                .iter()
                .enumerate()
                .map(|(c, &l)| (l, c as u32))
                .collect();
            codes.reserve(rows - codes.len());
            for c in &rest {
                let f = &c.fac[k];
                let remap: Vec<u32> = f
                    .levels
                    .iter()
                    .map(|&l| {
                        let next = levels.len() as u32;
                        let g = *map.entry(l).or_insert(next);
                        if g == next {
                            levels.push(l);
                        }
                        g
                    })
                    .collect();
                codes.extend(f.codes.iter().map(|&c| {
                    if c == MISSING {
                        MISSING
                    } else {
                        remap[c as usize]
                    }
                }));
            }
        }
        let levels = levels
            .iter()
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect();
        factors.push((name.to_string(), Factor { codes, levels }));
    }
    Frame::from_parts(rows, headers, numeric, factors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_line_ends() {
        let s = b"a,1\nb,2\nc,3\nd,4\n";
        let p = cut(s, 3);
        assert_eq!(p.concat(), s.to_vec());
        assert!(p.iter().all(|p| p.ends_with(b"\n")), "{p:?}");
        assert_eq!(cut(b"x", 4), vec![&b"x"[..]]);
        assert_eq!(cut(b"", 2), vec![&b""[..]]);
    }

    #[test]
    fn eight_digits_at_once() {
        let digits = |s: &str| {
            // Inside a longer buffer, as in a chunk, and at its very end.
            let buf = format!("{s},123456789");
            let inside = Cell::new(buf.as_bytes(), 0, s.len()).digits();
            let end = Cell::new(s.as_bytes(), 0, s.len()).digits();
            assert_eq!(inside, end, "{s:?}");
            inside
        };
        for s in [
            "0", "7", "42", "2019", "59105", "12345678", "00000001", "99999999", " 12 ",
        ] {
            assert_eq!(digits(s), s.trim().parse::<u64>().ok(), "{s}");
        }
        for s in [
            "",
            "123456789",
            "1.5",
            "-1",
            "1e5",
            "12a4",
            "/",
            ":",
            "\u{0}",
        ] {
            assert_eq!(digits(s), None, "{s:?}");
        }
    }

    #[test]
    fn zero_bytes_are_exact() {
        let w = u64::from_le_bytes(*b"a,,b\x00,\x80,");
        let m = zero_bytes(w ^ u64::from_le_bytes([b','; 8]));
        let hits: Vec<u32> = (0..8).filter(|k| m >> (8 * k + 7) & 1 == 1).collect();
        assert_eq!(hits, vec![1, 2, 5, 7]);
    }

    #[test]
    fn small_ints_are_canonical_only() {
        let small = |s: &str| Cell::new(s.as_bytes(), 0, s.len()).small_int();
        assert_eq!(small("2019"), Some(2019));
        assert_eq!(small("0"), Some(0));
        assert_eq!(small("007"), None);
        assert_eq!(small("+7"), None);
        assert_eq!(small("16384"), None);
        assert_eq!(small(""), None);
    }

    /// The shapes of plain CSV met in practice are read by the fast path itself (not handed
    /// to the csv crate), into the csv crate's frame.
    #[test]
    fn plain_csv_is_read_here() {
        let base = "e,i,t,v\nKAZ,AFG,2021,474\nAFG, KAZ ,2022,NA\nABCDEFGHI,,2023,1.5\n";
        let shapes = [
            base.to_string(),
            base.replace('\n', "\r\n"),
            base.replace("\nAFG", "\n\n\r\nAFG"),
            format!("\u{feff}{base}"),
            format!("\n\n{base}"),
            base.trim_end().to_string(),
            // A last line without a line end whose last field is empty.
            format!("{base}ZZZ,AFG,2024,"),
        ];
        for shape in &shapes {
            for threads in [1, 2, 5] {
                let fast = fast(shape.as_bytes(), &["v"], &["e", "i", "t"], threads)
                    .unwrap_or_else(|| panic!("{shape:?} left to the csv crate"));
                let slow = Frame::read_csv(shape.as_bytes(), &["v"], &["e", "i", "t"]).unwrap();
                assert_eq!(fast.nrows(), slow.nrows());
                assert!(fast.nrows() >= 3);
                let (a, b) = (fast.numeric("v").unwrap(), slow.numeric("v").unwrap());
                assert!(a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits()));
                for c in ["e", "i", "t"] {
                    let (a, b) = (fast.factor(c).unwrap(), slow.factor(c).unwrap());
                    assert_eq!(
                        (&a.codes, &a.levels),
                        (&b.codes, &b.levels),
                        "{shape:?} {c}"
                    );
                }
            }
        }
    }

    #[test]
    fn falls_back_on_quotes_and_lone_cr() {
        let num = ["v"];
        assert!(fast(b"k,v\n\"a\",1\n", &num, &["k"], 1).is_none());
        assert!(fast(b"k,v\ra,1\n", &num, &["k"], 1).is_none());
        assert!(fast(b"k,v\r\na,1\r\n", &num, &["k"], 1).is_some());
        assert!(fast(b"k,v\na,x\n", &num, &["k"], 1).is_none());
        assert!(fast(b"k,v\na,1,2\n", &num, &["k"], 1).is_none());
    }
}
