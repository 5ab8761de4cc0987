//! The fast path of the gravity CSV reader. The input is read in large blocks of whole lines (a
//! file a few MiB at a time into one reused buffer, or all of it when it is in memory); each
//! block is cut at line ends into one piece per thread, and each piece is split and typed in one
//! pass (numbers parsed, labels interned), with no allocation per cell. The first piece is read
//! straight into the result's columns and the others are appended in order, their labels
//! renumbered, so levels are numbered by first appearance, as by the streaming reader.
//!
//! It takes plain CSV: no quote character anywhere and `\r` only right before `\n`. There the
//! csv crate's reading is simple (a record ends at `\n` or `\r\n`, fields end at `,`, empty
//! lines are skipped, a leading UTF-8 BOM is dropped) and is reproduced here. Anything else —
//! a quote, a lone `\r`, a record with the wrong number of fields, a value that is not a
//! number, an unknown column — is handed to [`Frame::read_csv`] (the csv crate) on the same
//! input, read again from its start, which then gives the same frame or the same error, line
//! and column.

use std::io::{Read, Seek, SeekFrom};

use super::frame::{is_missing, parse_number, trim_bytes, Factor, Frame, FxMap, MISSING};
use super::GravityError;

/// Labels that are canonical decimal integers below this are looked up in a table, not hashed
/// (years, numeric country codes).
const SMALL: usize = 1 << 14;

/// Bytes read from a file at a time (more for a longer line).
const BLOCK: usize = 1 << 22;

/// Reads a CSV held in memory, on up to `threads` threads (0 = all cores); same result as
/// [`Frame::read_csv`] on the same bytes.
pub(crate) fn read(
    bytes: &[u8],
    numeric: &[&str],
    factor: &[&str],
    threads: usize,
) -> Result<Frame, GravityError> {
    let mut src = Source::Slice(Some(bytes));
    match fast(&mut src, bytes.len() as u64, numeric, factor, threads) {
        Ok(Some(frame)) => Ok(frame),
        _ => Frame::read_csv(bytes, numeric, factor),
    }
}

/// Reads a CSV from a seekable reader (a file) a block at a time; same result as
/// [`Frame::read_csv`] on the same bytes.
pub(crate) fn read_seek<R: Read + Seek>(
    reader: R,
    numeric: &[&str],
    factor: &[&str],
    threads: usize,
) -> Result<Frame, GravityError> {
    read_seek_blocks(reader, numeric, factor, threads, BLOCK)
}

/// [`read_seek`] with blocks of `block` bytes (small ones in tests).
fn read_seek_blocks<R: Read + Seek>(
    mut reader: R,
    numeric: &[&str],
    factor: &[&str],
    threads: usize,
    block: usize,
) -> Result<Frame, GravityError> {
    let io = |e: std::io::Error| GravityError::Csv(e.to_string());
    let total = reader.seek(SeekFrom::End(0)).map_err(io)?;
    reader.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut src = Source::Reader {
        reader: &mut reader,
        buf: vec![0; block.max(1)],
        start: 0,
        end: 0,
        eof: false,
    };
    match fast(&mut src, total, numeric, factor, threads).map_err(io)? {
        Some(frame) => Ok(frame),
        None => {
            reader.seek(SeekFrom::Start(0)).map_err(io)?;
            Frame::read_csv(
                std::io::BufReader::with_capacity(1 << 20, reader),
                numeric,
                factor,
            )
        }
    }
}

/// Where the input comes from: all of it in memory, or a reader read into a reused buffer.
enum Source<'r> {
    Slice(Option<&'r [u8]>),
    Reader {
        reader: &'r mut dyn Read,
        buf: Vec<u8>,
        /// Bytes read and not yet handed out: `buf[start..end]`.
        start: usize,
        end: usize,
        eof: bool,
    },
}

impl Source<'_> {
    /// The next run of whole lines (the very last may lack its line end); `None` at the end.
    fn next(&mut self) -> std::io::Result<Option<&[u8]>> {
        match self {
            Source::Slice(s) => Ok(s.take()),
            Source::Reader {
                reader,
                buf,
                start,
                end,
                eof,
            } => {
                buf.copy_within(*start..*end, 0);
                *end -= *start;
                *start = 0;
                loop {
                    while *end < buf.len() && !*eof {
                        match reader.read(&mut buf[*end..]) {
                            Ok(0) => *eof = true,
                            Ok(n) => *end += n,
                            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                            Err(e) => return Err(e),
                        }
                    }
                    if *end == 0 {
                        return Ok(None);
                    }
                    if let Some(p) = memchr::memrchr(b'\n', &buf[..*end]) {
                        *start = p + 1;
                        return Ok(Some(&buf[..=p]));
                    }
                    if *eof {
                        *start = *end;
                        return Ok(Some(&buf[..*end]));
                    }
                    // A line longer than the buffer.
                    let len = buf.len();
                    buf.resize(2 * len, 0);
                }
            }
        }
    }
}

/// What a field is read as: a numeric column's index, a factor column's index, or both.
#[derive(Clone, Copy, Default)]
struct Role {
    num: Option<usize>,
    fac: Option<usize>,
}

/// The header, and what is read from each record.
struct Layout {
    headers: Vec<String>,
    num_names: Vec<String>,
    fac_names: Vec<String>,
    /// Fields per record.
    width: usize,
    needs: Vec<Need>,
}

impl Layout {
    /// From the header line; `None` if a column is not in it (the csv crate reader then says
    /// which).
    fn new(header: &[u8], numeric: &[&str], factor: &[&str]) -> Option<Layout> {
        let headers: Vec<String> = header
            .split(|&b| b == b',')
            .map(|h| String::from_utf8_lossy(h).trim().to_string())
            .collect();
        let find = |name: &str| headers.iter().position(|h| h == name);
        let mut roles = vec![Role::default(); headers.len()];
        let mut num_names: Vec<String> = Vec::new();
        for &name in numeric {
            let i = find(name)?;
            if roles[i].num.is_none() {
                roles[i].num = Some(num_names.len());
                num_names.push(name.to_string());
            }
        }
        let mut fac_names: Vec<String> = Vec::new();
        for &name in factor {
            let i = find(name)?;
            if roles[i].fac.is_none() {
                roles[i].fac = Some(fac_names.len());
                fac_names.push(name.to_string());
            }
        }
        let width = roles.len();
        let needs = roles
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
        Some(Layout {
            headers,
            num_names,
            fac_names,
            width,
            needs,
        })
    }

    /// An empty set of columns with room for about `rows` rows.
    fn chunk(&self, rows: usize) -> Chunk {
        Chunk {
            rows: 0,
            num: (0..self.num_names.len())
                .map(|_| Vec::with_capacity(rows))
                .collect(),
            fac: (0..self.fac_names.len())
                .map(|_| LocalFactor::with_capacity(rows))
                .collect(),
        }
    }
}

/// `Ok(None)` when the input is not plain CSV or does not read cleanly: the caller falls back.
/// `total` is the input's size in bytes (to size the columns).
fn fast(
    src: &mut Source<'_>,
    total: u64,
    numeric: &[&str],
    factor: &[&str],
    threads: usize,
) -> std::io::Result<Option<Frame>> {
    let threads = if threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        threads
    };
    let mut layout: Option<Layout> = None;
    let mut out: Option<Chunk> = None;
    let mut first = true;
    while let Some(block) = src.next()? {
        let mut body = block;
        if std::mem::take(&mut first) {
            if let Some(rest) = body.strip_prefix(b"\xEF\xBB\xBF") {
                // A BOM before an empty line: rare enough to leave to the csv crate.
                if matches!(rest.first(), Some(b'\n' | b'\r') | None) {
                    return Ok(None);
                }
                body = rest;
            }
        }
        if layout.is_none() {
            // The header is the first non-empty line.
            let mut rest = body;
            let mut header = None;
            while !rest.is_empty() {
                let (line, next) = split_line(rest);
                rest = next;
                if !line.is_empty() {
                    header = Some(line);
                    break;
                }
            }
            // Quotes and a `\r` not before a `\n`: here for the header, while reading for the
            // rest.
            let head = &body[..body.len() - rest.len()];
            if memchr::memchr(b'"', head).is_some()
                || memchr::memchr_iter(b'\r', head).any(|p| head.get(p + 1) != Some(&b'\n'))
            {
                return Ok(None);
            }
            body = rest;
            let Some(header) = header else { continue };
            let Some(l) = Layout::new(header, numeric, factor) else {
                return Ok(None);
            };
            // Rows to expect, from the lines of this block.
            let lines = memchr::memchr_iter(b'\n', body).count() + 1;
            let rows = (total as f64 * lines as f64 / body.len().max(1) as f64 * 1.05) as usize;
            // A record takes two bytes at least.
            out = Some(l.chunk(rows.min(total as usize / 2) + 16));
            layout = Some(l);
        }
        let (Some(l), Some(out)) = (&layout, &mut out) else {
            continue;
        };
        if read_block(body, l, out, threads).is_none() {
            return Ok(None);
        }
    }
    let (Some(l), Some(out)) = (layout, out) else {
        return Ok(None);
    };
    Ok(Some(out.into_frame(l)))
}

/// Reads the records of a block into `out`: the first piece straight in, the others (one per
/// further thread) into their own columns, appended in order.
fn read_block(block: &[u8], l: &Layout, out: &mut Chunk, threads: usize) -> Option<()> {
    let pieces = cut(block, threads);
    if pieces.len() <= 1 {
        return parse_chunk(block, l, out);
    }
    let per_byte = (out.rows + 1) as f64 / (block.len() + 1) as f64;
    let parts: Vec<Option<Chunk>> = std::thread::scope(|s| {
        let handles: Vec<_> = pieces[1..]
            .iter()
            .map(|&p| {
                s.spawn(move || {
                    let mut c = l.chunk((p.len() as f64 * per_byte * 1.1) as usize + 16);
                    parse_chunk(p, l, &mut c).map(|()| c)
                })
            })
            .collect();
        let first = parse_chunk(pieces[0], l, out);
        let parts = handles
            .into_iter()
            .map(|h| h.join().expect("CSV chunk thread"))
            .collect();
        first.map(|()| parts).unwrap_or_default()
    });
    if parts.len() != pieces.len() - 1 {
        return None;
    }
    for part in parts {
        out.absorb(part?);
    }
    Some(())
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

/// A factor column being read: codes, and the levels in order of first appearance.
struct LocalFactor {
    codes: Vec<u32>,
    levels: Vec<Box<[u8]>>,
    /// Labels of up to eight bytes by (word, length); longer ones by their bytes.
    short: FxMap<(u64, u8), u32>,
    long: FxMap<Box<[u8]>, u32>,
    /// Code by value of labels that are canonical integers below [`SMALL`] (allocated on first
    /// use): such a label has no other spelling, so it never needs a map.
    small: Vec<u32>,
    /// The previous short label (word, length, code): sorted columns repeat it row after row.
    last: (u64, usize, u32),
}

impl LocalFactor {
    fn with_capacity(rows: usize) -> LocalFactor {
        LocalFactor {
            codes: Vec::with_capacity(rows),
            levels: Vec::new(),
            short: FxMap::default(),
            long: FxMap::default(),
            small: Vec::new(),
            last: (0, usize::MAX, MISSING),
        }
    }

    #[inline(always)]
    fn push(&mut self, cell: Cell<'_>) {
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
            self.long_code(cell.raw)
        };
        self.codes.push(c);
    }

    /// The code of a label that is not missing, made if new.
    fn intern(&mut self, raw: &[u8]) -> u32 {
        if raw.len() <= 8 {
            let mut b = [0u8; 8];
            b[..raw.len()].copy_from_slice(raw);
            self.short_code(Cell {
                raw,
                word: u64::from_le_bytes(b),
            })
        } else {
            self.long_code(raw)
        }
    }

    fn short_code(&mut self, cell: Cell<'_>) -> u32 {
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
            self.levels.push(cell.raw.into());
        }
        c
    }

    fn long_code(&mut self, raw: &[u8]) -> u32 {
        if let Some(&c) = self.long.get(raw) {
            return c;
        }
        let c = self.levels.len() as u32;
        self.levels.push(raw.into());
        self.long.insert(raw.into(), c);
        c
    }
}

/// Columns being read.
struct Chunk {
    rows: usize,
    num: Vec<Vec<f64>>,
    fac: Vec<LocalFactor>,
}

impl Chunk {
    /// Reads the needed fields of one record whose field ends are `ends` (the record starts at
    /// `start`); `None` if a number does not read as one.
    #[inline(always)]
    fn record(&mut self, needs: &[Need], s: &[u8], start: usize, ends: &[usize]) -> Option<()> {
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

    /// Appends the columns of the next piece, its labels renumbered into these.
    fn absorb(&mut self, part: Chunk) {
        self.rows += part.rows;
        for (col, p) in self.num.iter_mut().zip(&part.num) {
            col.extend_from_slice(p);
        }
        for (f, p) in self.fac.iter_mut().zip(&part.fac) {
            let remap: Vec<u32> = p.levels.iter().map(|l| f.intern(l)).collect();
            f.codes.extend(p.codes.iter().map(|&c| {
                if c == MISSING {
                    MISSING
                } else {
                    remap[c as usize]
                }
            }));
        }
    }

    /// The frame of these columns.
    fn into_frame(self, l: Layout) -> Frame {
        let numeric = l.num_names.into_iter().zip(self.num).collect();
        let factors = l
            .fac_names
            .into_iter()
            .zip(self.fac)
            .map(|(name, f)| {
                let levels = f
                    .levels
                    .iter()
                    .map(|l| String::from_utf8_lossy(l).into_owned())
                    .collect();
                (
                    name,
                    Factor {
                        codes: f.codes,
                        levels,
                    },
                )
            })
            .collect();
        Frame::from_parts(self.rows, l.headers, numeric, factors)
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

/// Splits and types one piece, appending its records to `out`; `None` at the first thing the
/// csv crate would read otherwise or reject (a quote, a lone `\r`, a record of another length
/// than the header, a value that is not a number).
///
/// Two steps per stretch of the piece, each with few branches that depend on the data (a
/// mispredicted branch costs as much as a few dozen instructions): the positions of all `,`
/// and `\n` are listed eight bytes at a time; then each record is checked to have the header's
/// number of fields and only the needed fields are read, in a fixed order.
fn parse_chunk(s: &[u8], l: &Layout, out: &mut Chunk) -> Option<()> {
    let (width, needs) = (l.width, l.needs.as_slice());
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
            out.record(needs, s, start, rec)?;
            start = rec[width - 1] + 1;
            k += width;
        }
        if done {
            // Field ends left over: a record shorter than the header.
            return (k == n_ends).then_some(());
        }
        ends.copy_within(k..n_ends, 0);
        n_ends -= k;
    }
}

#[cfg(test)]
#[path = "csv_fast_tests.rs"]
mod tests;
