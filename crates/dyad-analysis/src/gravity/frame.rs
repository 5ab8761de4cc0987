//! A small column store for estimation input, with a CSV loader that reads any `std::io::Read`.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::GravityError;

/// Code of a missing value in a [`Factor`].
pub const MISSING: u32 = u32::MAX;

/// A categorical column: one code per row (or [`MISSING`]) and the level labels.
#[derive(Debug, Clone, Default)]
pub struct Factor {
    /// Level index per row, [`MISSING`] for a missing value.
    pub codes: Vec<u32>,
    /// Label of each level.
    pub levels: Vec<String>,
}

/// FxHash (as in rustc): a fast non-cryptographic hasher for interning labels.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let v = u64::from_le_bytes(c.try_into().expect("8 bytes"));
            h = (h.rotate_left(5) ^ v).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
        self.0 = h;
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Builds a factor by interning labels.
#[derive(Default)]
struct Interner {
    map: FxMap<Vec<u8>, u32>,
    levels: Vec<String>,
}

impl Interner {
    fn code(&mut self, s: &[u8]) -> u32 {
        if let Some(&c) = self.map.get(s) {
            return c;
        }
        let c = self.levels.len() as u32;
        self.levels.push(String::from_utf8_lossy(s).into_owned());
        self.map.insert(s.to_vec(), c);
        c
    }
}

/// Builds a [`Factor`] from labels given one at a time by a reader of another format (Arrow
/// record batches), with the codes and levels [`Frame::add_labels`] gives for the same labels
/// as text, and no allocation per label: only a new level is copied.
#[derive(Default)]
pub struct FactorBuilder {
    interner: Interner,
    /// Code of each integer seen, so that its decimal text is made once.
    ints: FxMap<i64, u32>,
    codes: Vec<u32>,
}

impl FactorBuilder {
    /// Adds a label; `None` (a null) and the missing-value spellings (`NA`, empty, …) are
    /// missing.
    pub fn push(&mut self, label: Option<&[u8]>) {
        let c = match label {
            Some(l) if !is_missing(l) => self.interner.code(l),
            _ => MISSING,
        };
        self.codes.push(c);
    }

    /// Adds an integer label (its decimal text); `None` is missing.
    pub fn push_int(&mut self, value: Option<i64>) {
        let c = match value {
            None => MISSING,
            Some(v) => match self.ints.get(&v) {
                Some(&c) => c,
                None => {
                    let c = self.interner.code(v.to_string().as_bytes());
                    self.ints.insert(v, c);
                    c
                }
            },
        };
        self.codes.push(c);
    }

    /// Labels added so far.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether no label was added.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// The factor.
    pub fn finish(self) -> Factor {
        Factor {
            codes: self.codes,
            levels: self.interner.levels,
        }
    }
}

pub(crate) fn is_missing(s: &[u8]) -> bool {
    // Length first: a match on the slice alone compiles to a jump on the length, mispredicted on
    // columns of numbers of varying width.
    s.is_empty() || (s.len() <= 4 && matches!(s, b"NA" | b"NaN" | b"nan" | b"null" | b"NULL"))
}

/// Columns by name; a column may be held as numbers, as a factor, or both.
#[derive(Debug, Clone, Default)]
pub struct Frame {
    nrows: usize,
    numeric: HashMap<String, Vec<f64>>,
    factor: HashMap<String, Factor>,
    names: Vec<String>,
}

impl Frame {
    /// An empty frame with `nrows` rows.
    pub fn new(nrows: usize) -> Frame {
        Frame {
            nrows,
            ..Frame::default()
        }
    }

    /// Number of rows.
    pub fn nrows(&self) -> usize {
        self.nrows
    }

    /// Column names of the source (for error messages), in source order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    fn check_len(&self, name: &str, len: usize) {
        assert_eq!(
            len, self.nrows,
            "column {name}: {len} values for {} rows",
            self.nrows
        );
    }

    /// Adds a numeric column (NaN = missing).
    pub fn add_numeric(&mut self, name: &str, values: Vec<f64>) {
        self.check_len(name, values.len());
        if !self.names.iter().any(|n| n == name) {
            self.names.push(name.to_string());
        }
        self.numeric.insert(name.to_string(), values);
    }

    /// Adds a categorical column from labels.
    pub fn add_labels<S: AsRef<str>>(&mut self, name: &str, labels: &[S]) {
        self.check_len(name, labels.len());
        let mut int = Interner::default();
        let codes = labels
            .iter()
            .map(|s| {
                let b = s.as_ref().as_bytes();
                if is_missing(b) {
                    MISSING
                } else {
                    int.code(b)
                }
            })
            .collect();
        if !self.names.iter().any(|n| n == name) {
            self.names.push(name.to_string());
        }
        self.factor.insert(
            name.to_string(),
            Factor {
                codes,
                levels: int.levels,
            },
        );
    }

    /// Adds a categorical column already coded (from a [`FactorBuilder`]).
    pub fn add_factor(&mut self, name: &str, factor: Factor) {
        self.check_len(name, factor.codes.len());
        if !self.names.iter().any(|n| n == name) {
            self.names.push(name.to_string());
        }
        self.factor.insert(name.to_string(), factor);
    }

    /// The numeric column `name`.
    pub fn numeric(&self, name: &str) -> Result<&[f64], GravityError> {
        self.numeric
            .get(name)
            .map(Vec::as_slice)
            .ok_or_else(|| self.unknown(name))
    }

    /// The column `name` as a factor; a numeric column is turned into one on the fly.
    pub fn factor(&self, name: &str) -> Result<std::borrow::Cow<'_, Factor>, GravityError> {
        if let Some(f) = self.factor.get(name) {
            return Ok(std::borrow::Cow::Borrowed(f));
        }
        let v = self.numeric(name)?;
        let mut map: FxMap<u64, u32> = FxMap::default();
        let mut levels = Vec::new();
        let codes = v
            .iter()
            .map(|&x| {
                if x.is_nan() {
                    return MISSING;
                }
                let key = if x == 0.0 { 0 } else { x.to_bits() };
                *map.entry(key).or_insert_with(|| {
                    levels.push(format!("{x}"));
                    (levels.len() - 1) as u32
                })
            })
            .collect();
        Ok(std::borrow::Cow::Owned(Factor { codes, levels }))
    }

    fn unknown(&self, name: &str) -> GravityError {
        GravityError::UnknownColumn {
            column: name.to_string(),
            available: self.names.clone(),
        }
    }

    /// A frame from columns already read (the fast CSV path).
    pub(crate) fn from_parts(
        nrows: usize,
        names: Vec<String>,
        numeric: Vec<(String, Vec<f64>)>,
        factor: Vec<(String, Factor)>,
    ) -> Frame {
        Frame {
            nrows,
            numeric: numeric.into_iter().collect(),
            factor: factor.into_iter().collect(),
            names,
        }
    }

    /// Reads a CSV held in memory, as [`Frame::read_csv`] (same columns, levels in the same
    /// order, same errors), faster: the input is cut at line ends into one chunk
    /// per thread (`threads`, 0 = all cores) and each chunk is split and typed in one pass with
    /// no allocation per cell. Input with a quote character or a `\r` not followed by `\n`,
    /// and any input that does not read cleanly, is read by [`Frame::read_csv`] instead.
    pub fn read_csv_bytes(
        bytes: &[u8],
        numeric: &[&str],
        factor: &[&str],
        threads: usize,
    ) -> Result<Frame, GravityError> {
        super::csv_fast::read(bytes, numeric, factor, threads)
    }

    /// Reads a CSV from a seekable input (a file) as [`Frame::read_csv_bytes`] reads one in
    /// memory, a few MiB at a time into one buffer (so a file never needs its size in memory).
    /// Input the fast path does not take is read again from its start by [`Frame::read_csv`].
    pub fn read_csv_seek<R: std::io::Read + std::io::Seek>(
        reader: R,
        numeric: &[&str],
        factor: &[&str],
        threads: usize,
    ) -> Result<Frame, GravityError> {
        super::csv_fast::read_seek(reader, numeric, factor, threads)
    }

    /// Reads a CSV with a header row. Only the listed columns are kept: `numeric` ones are parsed
    /// as numbers (empty, `NA`, `NaN` are missing), `factor` ones are interned as labels. A column
    /// may be in both lists. Errors name the line and column of a bad value.
    pub fn read_csv<R: std::io::Read>(
        reader: R,
        numeric: &[&str],
        factor: &[&str],
    ) -> Result<Frame, GravityError> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(reader);
        let headers: Vec<String> = rdr
            .byte_headers()
            .map_err(|e| GravityError::Csv(e.to_string()))?
            .iter()
            .map(|h| String::from_utf8_lossy(h).trim().to_string())
            .collect();
        let find = |name: &str| -> Result<usize, GravityError> {
            headers
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| GravityError::UnknownColumn {
                    column: name.to_string(),
                    available: headers.clone(),
                })
        };
        let num_idx: Vec<(String, usize)> = numeric
            .iter()
            .map(|n| Ok((n.to_string(), find(n)?)))
            .collect::<Result<_, GravityError>>()?;
        let fac_idx: Vec<(String, usize)> = factor
            .iter()
            .map(|n| Ok((n.to_string(), find(n)?)))
            .collect::<Result<_, GravityError>>()?;
        let mut num_cols: Vec<Vec<f64>> = vec![Vec::new(); num_idx.len()];
        let mut fac_codes: Vec<Vec<u32>> = vec![Vec::new(); fac_idx.len()];
        let mut interners: Vec<Interner> =
            (0..fac_idx.len()).map(|_| Interner::default()).collect();
        let mut rec = csv::ByteRecord::new();
        let mut nrows = 0usize;
        loop {
            match rdr.read_byte_record(&mut rec) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => return Err(GravityError::Csv(e.to_string())),
            }
            for (k, (name, i)) in num_idx.iter().enumerate() {
                let raw = trim_bytes(&rec[*i]);
                let v = parse_number(raw).ok_or_else(|| {
                    GravityError::Csv(format!(
                        "line {}, column `{name}`: `{}` is not a number",
                        // The line the record starts on: a row count would be wrong
                        // after a quoted field spanning lines.
                        rec.position().map_or(nrows as u64 + 2, csv::Position::line),
                        String::from_utf8_lossy(raw)
                    ))
                })?;
                num_cols[k].push(v);
            }
            for (k, (_, i)) in fac_idx.iter().enumerate() {
                let raw = trim_bytes(&rec[*i]);
                let c = if is_missing(raw) {
                    MISSING
                } else {
                    interners[k].code(raw)
                };
                fac_codes[k].push(c);
            }
            nrows += 1;
        }
        let mut frame = Frame::new(nrows);
        frame.names = headers;
        for ((name, _), col) in num_idx.into_iter().zip(num_cols) {
            frame.numeric.insert(name, col);
        }
        for (((name, _), codes), int) in fac_idx.into_iter().zip(fac_codes).zip(interners) {
            frame.factor.insert(
                name,
                Factor {
                    codes,
                    levels: int.levels,
                },
            );
        }
        Ok(frame)
    }
}

/// A cell read as a number: NaN for a missing value, `None` if it is not a number.
pub(crate) fn parse_number(raw: &[u8]) -> Option<f64> {
    if is_missing(raw) {
        Some(f64::NAN)
    } else if let Some(v) = parse_int(raw) {
        Some(v)
    } else {
        std::str::from_utf8(raw).ok()?.parse::<f64>().ok()
    }
}

/// Fast path for plain integers (most trade values and codes): exact for up to 15 digits.
fn parse_int(b: &[u8]) -> Option<f64> {
    let (neg, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 15 {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u64::from(c - b'0');
    }
    let v = v as f64;
    Some(if neg { -v } else { v })
}

pub(crate) fn trim_bytes(b: &[u8]) -> &[u8] {
    // Most cells have no space around them.
    if let (Some(f), Some(l)) = (b.first(), b.last()) {
        if !f.is_ascii_whitespace() && !l.is_ascii_whitespace() {
            return b;
        }
    }
    let s = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let e = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(s, |e| e + 1);
    &b[s..e]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_selected_columns() {
        let csv = "a,b,c\n1,x,2.5\n2,y,NA\n3,x,4\n";
        let f = Frame::read_csv(csv.as_bytes(), &["a", "c"], &["b", "a"]).unwrap();
        assert_eq!(f.nrows(), 3);
        assert_eq!(f.numeric("a").unwrap(), &[1.0, 2.0, 3.0]);
        assert!(f.numeric("c").unwrap()[1].is_nan());
        let b = f.factor("b").unwrap();
        assert_eq!(b.codes, vec![0, 1, 0]);
        assert_eq!(b.levels, vec!["x", "y"]);
        assert_eq!(f.factor("a").unwrap().levels.len(), 3);
    }

    #[test]
    fn factor_builder_codes_as_add_labels() {
        let labels = ["2007", "BE", "", "NA", "2007", "-3", "BE", "x"];
        let mut f = Frame::new(labels.len());
        f.add_labels("a", &labels);
        let mut b = FactorBuilder::default();
        b.push_int(Some(2007));
        b.push(Some(b"BE"));
        b.push(None);
        b.push(Some(b"NA"));
        b.push(Some(b"2007"));
        b.push_int(Some(-3));
        b.push(Some(b"BE"));
        b.push(Some(b"x"));
        let built = b.finish();
        let a = f.factor("a").unwrap();
        assert_eq!(built.codes, a.codes);
        assert_eq!(built.levels, a.levels);
    }

    #[test]
    fn integer_fast_path() {
        assert_eq!(parse_int(b"2307620637"), Some(2_307_620_637.0));
        assert_eq!(parse_int(b"-12"), Some(-12.0));
        assert_eq!(parse_int(b"1.5"), None);
        assert_eq!(parse_int(b"-"), None);
        assert_eq!(parse_int(b"1e5"), None);
    }

    #[test]
    fn unknown_column_and_bad_number() {
        let csv = "a,b\n1,x\n";
        match Frame::read_csv(csv.as_bytes(), &["z"], &[]) {
            Err(GravityError::UnknownColumn { column, .. }) => assert_eq!(column, "z"),
            other => panic!("{other:?}"),
        }
        let err = Frame::read_csv(csv.as_bytes(), &["b"], &[]).unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
    }
}
