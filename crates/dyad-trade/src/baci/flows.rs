//! Yearly flow files `BACI_HSxx_Yyyyy_Vyyyymm.csv` (`docs/FORMATS.md` section
//! 1.1), parsed in parallel chunks into the compact rows the store sorts and writes.

use std::io::Read;
use std::sync::{mpsc, Mutex};

use dyad_core::{InputError, InputErrors};

use super::{err, normalise_product, strip_bom, Areas, Products};
use crate::error::{Result, TradeError};

/// One parsed line of a flow file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Line {
    /// Year (`t`).
    pub t: i32,
    /// Exporter area code (`i`).
    pub i: u16,
    /// Importer area code (`j`).
    pub j: u16,
    /// Product, 6 characters (`k`).
    pub k: [u8; 6],
    /// Value in US dollars (`v` × 1000).
    pub value_usd: f64,
    /// Quantity in metric tons (`q`), `None` for `NA`.
    pub tons: Option<f64>,
}

/// The header every flow file starts with.
pub const FLOW_HEADER: &str = "t,i,j,k,v,q";

/// Column names of a flow file, for messages.
const FLOW_COLUMNS: [&str; 6] = ["t", "i", "j", "k", "v", "q"];

/// A problem with one field of a flow line: the 1-based column and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

fn field_error(column: usize, message: String) -> FieldError {
    FieldError { column, message }
}

/// Trims spaces (padded files) and one pair of surrounding quotes.
fn clean(field: &[u8]) -> &[u8] {
    let f = field.trim_ascii();
    match f {
        [b'"', inner @ .., b'"'] => inner.trim_ascii(),
        _ => f,
    }
}

fn parse_code(f: &[u8]) -> Option<u16> {
    if f.is_empty() || f.len() > 3 || !f.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(f.iter().fold(0u16, |n, &d| n * 10 + (d - b'0') as u16))
}

/// Parses a non-negative decimal in thousands of dollars into dollars, exactly when it has at
/// most three decimals (BACI's own precision), otherwise to the nearest double.
pub fn thousands_to_usd(f: &[u8]) -> Option<f64> {
    let (int, frac) = match f.iter().position(|&b| b == b'.') {
        Some(p) => (&f[..p], &f[p + 1..]),
        None => (f, &f[..0]),
    };
    let plain = !(int.is_empty() && frac.is_empty())
        && int.iter().all(u8::is_ascii_digit)
        && frac.iter().all(u8::is_ascii_digit)
        && int.len() + frac.len() <= 18;
    if plain {
        let mut m: u64 = 0;
        for &d in int.iter().chain(frac) {
            m = m * 10 + (d - b'0') as u64;
        }
        return Some(if frac.len() <= 3 {
            // One conversion to the nearest double either way; through u64 when it fits, as the
            // u128 conversion is a slow software routine (1% of an ingest).
            let scale = 10u64.pow(3 - frac.len() as u32);
            match m.checked_mul(scale) {
                Some(usd) => usd as f64,
                None => (m as u128 * scale as u128) as f64,
            }
        } else {
            m as f64 / 10f64.powi(frac.len() as i32 - 3)
        });
    }
    // Exponents (`1e+05`) come from tools that rewrote the file; accept them, never negatives.
    let v: f64 = std::str::from_utf8(f).ok()?.parse().ok()?;
    (v.is_finite() && v >= 0.0).then_some(v * 1000.0)
}

/// Parses a plain non-negative decimal (`123.456`) to the nearest double: exact digits over an
/// exact power of ten is one correctly rounded division, the same result as `str::parse`.
fn decimal(f: &[u8]) -> Option<f64> {
    let (int, frac) = match f.iter().position(|&b| b == b'.') {
        Some(p) => (&f[..p], &f[p + 1..]),
        None => (f, &f[..0]),
    };
    if (int.is_empty() && frac.is_empty())
        || int.len() + frac.len() > 15
        || !int.iter().chain(frac).all(u8::is_ascii_digit)
    {
        return std::str::from_utf8(f)
            .ok()
            .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
            .and_then(|s| s.parse().ok());
    }
    let m = int
        .iter()
        .chain(frac)
        .fold(0u64, |m, &d| m * 10 + (d - b'0') as u64);
    // Powers of ten up to 10^15 are exact doubles: a table lookup gives the same divisor as
    // `powi` without computing it per field.
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    Some(m as f64 / POW10[frac.len()])
}

/// Parses one data line of a flow file (without its line end).
pub fn parse_line(line: &[u8]) -> Result<Line, FieldError> {
    let mut fields: [&[u8]; 6] = [&[]; 6];
    let mut n = 0;
    for f in line.split(|&b| b == b',') {
        if n == 6 {
            n += 1;
            break;
        }
        fields[n] = f;
        n += 1;
    }
    if n != 6 {
        let found = if n > 6 {
            line.split(|&b| b == b',').count()
        } else {
            n
        };
        return Err(field_error(
            0,
            format!("expected 6 columns ({FLOW_HEADER}), found {found}"),
        ));
    }
    let text = |f: &[u8]| String::from_utf8_lossy(f).into_owned();
    let t_f = clean(fields[0]);
    let t = (t_f.len() == 4 && t_f.iter().all(u8::is_ascii_digit))
        .then(|| t_f.iter().fold(0i32, |n, &d| n * 10 + i32::from(d - b'0')))
        .ok_or_else(|| field_error(1, format!("`{}` is not a year", text(t_f))))?;
    let i_f = clean(fields[1]);
    let i = parse_code(i_f)
        .ok_or_else(|| field_error(2, format!("`{}` is not an area code", text(i_f))))?;
    let j_f = clean(fields[2]);
    let j = parse_code(j_f)
        .ok_or_else(|| field_error(3, format!("`{}` is not an area code", text(j_f))))?;
    let k_f = clean(fields[3]);
    let k = normalise_product(k_f)
        .ok_or_else(|| field_error(4, format!("`{}` is not a 6-character HS code", text(k_f))))?;
    let v_f = clean(fields[4]);
    let value_usd = thousands_to_usd(v_f).ok_or_else(|| {
        field_error(
            5,
            format!("`{}` is not a non-negative value (thousand USD)", text(v_f)),
        )
    })?;
    let q_f = clean(fields[5]);
    let tons = if q_f == b"NA" {
        None
    } else {
        let q = decimal(q_f)
            .or_else(|| {
                // Exponents come from tools that rewrote the file.
                std::str::from_utf8(q_f)
                    .ok()
                    .filter(|s| s.contains(['e', 'E']))
                    .and_then(|s| s.parse::<f64>().ok())
            })
            .filter(|q| q.is_finite() && *q >= 0.0)
            .ok_or_else(|| {
                field_error(
                    6,
                    format!("`{}` is not a quantity in tons or NA", text(q_f)),
                )
            })?;
        Some(q)
    };
    Ok(Line {
        t,
        i,
        j,
        k,
        value_usd,
        tons,
    })
}

/// A flow row as the store sorts it: 24 bytes, with the sort key packed into one integer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    /// exporter rank (10 bits) · importer rank (10) · product index (20) · exporter code (10) ·
    /// importer code (10), most significant first, so sorting by `key` sorts by exporter ISO3,
    /// importer ISO3, product.
    pub key: u64,
    /// Value in US dollars.
    pub value_usd: f64,
    /// Quantity in tons; NaN for `NA`.
    pub tons: f64,
}

impl Row {
    /// Exporter rank (see [`Areas`]).
    pub fn exporter_rank(&self) -> usize {
        (self.key >> 54) as usize
    }
    /// Importer rank.
    pub fn importer_rank(&self) -> usize {
        ((self.key >> 44) & 0x3FF) as usize
    }
    /// Index into the release's product dictionary.
    pub fn product(&self) -> usize {
        ((self.key >> 20) & 0xF_FFFF) as usize
    }
    /// Exporter area code.
    pub fn exporter_code(&self) -> u16 {
        ((self.key >> 10) & 0x3FF) as u16
    }
    /// Importer area code.
    pub fn importer_code(&self) -> u16 {
        (self.key & 0x3FF) as u16
    }
}

/// The rows of one flow file, or every problem found in it.
#[derive(Debug, Default)]
pub struct FileRows {
    /// Parsed rows, unsorted, in one part per parsing thread (not concatenated, to save a copy).
    pub parts: Vec<Vec<Row>>,
    /// Bytes read (uncompressed).
    pub bytes: u64,
}

/// How many problems are kept per file before the rest are dropped: the file is clearly wrong.
const MAX_ERRORS: usize = 100;

/// Bytes handed to a parsing thread at a time.
const CHUNK: usize = 4 << 20;

struct Chunk {
    data: Vec<u8>,
    first_line: u64,
}

/// Parses a flow file in parallel chunks, checking every row against the year in the file
/// name, the release's areas and its product dictionary. `progress` is called with the bytes read.
pub fn read_flows(
    label: &str,
    reader: &mut dyn Read,
    year: i32,
    areas: &Areas,
    products: &Products,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<FileRows> {
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8);
    let (tx, rx) = mpsc::sync_channel::<Chunk>(threads * 2);
    let rx = Mutex::new(rx);
    let mut read_error = None;
    let mut header_error = None;
    let mut total = 0u64;
    let results: Vec<(Vec<Row>, Vec<InputError>)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let rx = &rx;
                s.spawn(move || {
                    let mut rows = Vec::new();
                    let mut errors = Vec::new();
                    loop {
                        let chunk = match rx.lock().expect("not poisoned").recv() {
                            Ok(c) => c,
                            Err(_) => break,
                        };
                        parse_chunk(label, &chunk, year, areas, products, &mut rows, &mut errors);
                    }
                    (rows, errors)
                })
            })
            .collect();
        // The reader runs here, feeding the workers whole lines.
        let mut carry: Vec<u8> = Vec::new();
        let mut line = 1u64;
        let mut first = true;
        loop {
            let mut buf = std::mem::take(&mut carry);
            let start = buf.len();
            buf.resize(start + CHUNK, 0);
            let n = match read_full(reader, &mut buf[start..]) {
                Ok(n) => n,
                Err(e) => {
                    read_error = Some(e);
                    break;
                }
            };
            buf.truncate(start + n);
            total += n as u64;
            progress(n as u64);
            let eof = n == 0;
            if buf.is_empty() {
                break;
            }
            let cut = if eof {
                buf.len()
            } else {
                match buf.iter().rposition(|&b| b == b'\n') {
                    Some(p) => p + 1,
                    None => {
                        // A line longer than a chunk: keep reading until it ends.
                        carry = buf;
                        continue;
                    }
                }
            };
            carry = buf[cut..].to_vec();
            buf.truncate(cut);
            if first {
                first = false;
                let body = strip_bom(&buf);
                let end = body.iter().position(|&b| b == b'\n').unwrap_or(body.len());
                let head = body[..end].trim_ascii();
                let head_norm: Vec<u8> = head.iter().filter(|&&b| b != b'"').copied().collect();
                if head_norm != FLOW_HEADER.as_bytes() {
                    header_error = Some(err(
                        label,
                        1,
                        0,
                        None,
                        format!(
                            "unexpected header `{}`: expected `{FLOW_HEADER}`",
                            String::from_utf8_lossy(head)
                        ),
                    ));
                    break;
                }
                let skip = buf.len() - body.len() + (end + 1).min(body.len());
                let rest = buf[skip..].to_vec();
                line = 2;
                let lines = count_lines(&rest);
                if tx
                    .send(Chunk {
                        data: rest,
                        first_line: line,
                    })
                    .is_err()
                {
                    break;
                }
                line += lines;
            } else {
                let lines = count_lines(&buf);
                if tx
                    .send(Chunk {
                        data: buf,
                        first_line: line,
                    })
                    .is_err()
                {
                    break;
                }
                line += lines;
            }
            if eof {
                break;
            }
        }
        drop(tx);
        workers
            .into_iter()
            .map(|w| w.join().expect("parser thread"))
            .collect()
    });
    if let Some(e) = header_error {
        return Err(InputErrors(vec![e]).into());
    }
    if total == 0 && read_error.is_none() {
        // Nothing was read, so the header check never ran: say so on line 1 rather than
        // "no rows" on a line 2 the file does not have.
        return Err(InputErrors(vec![err(
            label,
            1,
            0,
            None,
            format!("the file is empty: expected the header `{FLOW_HEADER}`"),
        )])
        .into());
    }
    if let Some(e) = read_error {
        // A truncated or corrupt archive shows up here.
        return Err(TradeError::Other(format!("{label}: reading failed: {e}")));
    }
    let mut errors: Vec<InputError> = Vec::new();
    let mut parts = Vec::with_capacity(results.len());
    for (r, e) in results {
        parts.push(r);
        errors.extend(e);
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| (e.line, e.column));
        errors.truncate(MAX_ERRORS);
        return Err(InputErrors(errors).into());
    }
    if parts.iter().all(Vec::is_empty) {
        return Err(
            InputErrors(vec![err(label, 2, 0, None, "the file has no rows".into())]).into(),
        );
    }
    Ok(FileRows {
        parts,
        bytes: total,
    })
}

fn count_lines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn parse_chunk(
    label: &str,
    chunk: &Chunk,
    year: i32,
    areas: &Areas,
    products: &Products,
    rows: &mut Vec<Row>,
    errors: &mut Vec<InputError>,
) {
    for (line_here, raw) in (chunk.first_line..).zip(chunk.data.split(|&b| b == b'\n')) {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line.trim_ascii().is_empty() {
            continue;
        }
        if errors.len() >= MAX_ERRORS {
            continue;
        }
        let located = |column: usize, message: String| {
            let field = (1..=6).contains(&column).then(|| FLOW_COLUMNS[column - 1]);
            err(label, line_here, column, field, message)
        };
        let l = match parse_line(line) {
            Ok(l) => l,
            Err(e) => {
                errors.push(located(e.column, e.message));
                continue;
            }
        };
        if l.t != year {
            errors.push(located(
                1,
                format!("year {} in a file named for {year}", l.t),
            ));
            continue;
        }
        let Some(ri) = areas.rank_of[l.i as usize] else {
            errors.push(located(
                2,
                format!(
                    "area code {} is not in the release's country dictionary",
                    l.i
                ),
            ));
            continue;
        };
        let Some(rj) = areas.rank_of[l.j as usize] else {
            errors.push(located(
                3,
                format!(
                    "area code {} is not in the release's country dictionary",
                    l.j
                ),
            ));
            continue;
        };
        let Some(p) = products.index(&l.k) else {
            errors.push(located(
                4,
                format!(
                    "product `{}` is not in the release's product dictionary for this HS \
                     revision (a file from another revision?)",
                    String::from_utf8_lossy(&l.k)
                ),
            ));
            continue;
        };
        let key = (ri as u64) << 54
            | (rj as u64) << 44
            | (p as u64) << 20
            | (l.i as u64) << 10
            | l.j as u64;
        rows.push(Row {
            key,
            value_usd: l.value_usd,
            tons: l.tons.unwrap_or(f64::NAN),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_formats_md_example_rows() {
        // FORMATS.md 1.1: `2022,398,4,110100,41235.127,152340.500` is 41,235,127 USD.
        let l = parse_line(b"2022,398,4,110100,41235.127,152340.500").unwrap();
        assert_eq!((l.t, l.i, l.j, &l.k), (2022, 398, 4, b"110100"));
        assert_eq!(l.value_usd, 41_235_127.0);
        assert_eq!(l.tons, Some(152_340.5));
        let l = parse_line(b"2022,4,398,080620,112.304,NA").unwrap();
        assert_eq!((l.value_usd, l.tons), (112_304.0, None));
        // Padded fields (V202301-derived files) and a 5-digit code from numeric parsing.
        let l = parse_line(b"2021,4,699,  80620,\"        0.052\",\"           NA\"").unwrap();
        assert_eq!((&l.k, l.value_usd, l.tons), (b"080620", 52.0, None));
    }

    #[test]
    fn bad_lines_name_the_column() {
        let col = |l: &[u8]| parse_line(l).unwrap_err().column;
        assert_eq!(col(b"2022,398,4,110100,1.0"), 0);
        assert_eq!(col(b"2022,398,4,110100,1.0,2,3"), 0);
        assert_eq!(col(b"22,398,4,110100,1.0,2"), 1);
        assert_eq!(col(b"2022,KAZ,4,110100,1.0,2"), 2);
        assert_eq!(col(b"2022,398,1000,110100,1.0,2"), 3);
        assert_eq!(col(b"2022,398,4,1101,1.0,2"), 4);
        assert_eq!(col(b"2022,398,4,110100,-1.0,2"), 5);
        assert_eq!(col(b"2022,398,4,110100,1.0,n/a"), 6);
    }

    #[test]
    fn thousands_are_exact_to_three_decimals() {
        assert_eq!(thousands_to_usd(b"9876.5"), Some(9_876_500.0));
        assert_eq!(thousands_to_usd(b"0.001"), Some(1.0));
        assert_eq!(thousands_to_usd(b"1e+05"), Some(100_000_000.0));
        assert_eq!(thousands_to_usd(b"."), None);
        assert_eq!(thousands_to_usd(b""), None);
    }
}
