//! CEPII BACI releases: yearly flow files, the country dictionary (both layouts) and the product
//! dictionary, exactly as `shared/data/trade/FORMATS.md` section 1 describes them.
//!
//! Flow files are large (about 10M rows a year), so they are parsed in parallel chunks into a
//! compact row (24 bytes) that the store sorts and writes; everything else is small.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;
use std::sync::{mpsc, Mutex};

use dyad_core::{InputError, InputErrors};

use crate::codes::{AreaCodes, AreaKind, MAX_AREA_CODE};
use crate::container::Container;
use crate::error::{io, Result, TradeError};

/// The parts of a BACI file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaciName {
    /// `BACI_HS17_Y2022_V202401.csv`: flows of one year.
    Flows {
        /// `HS17`.
        classification: String,
        /// 2022.
        year: i32,
        /// `V202401`.
        release: String,
    },
    /// `country_codes_V202401.csv`.
    Countries {
        /// `V202401`.
        release: String,
    },
    /// `product_codes_HS17_V202401.csv`.
    Products {
        /// `HS17`.
        classification: String,
        /// `V202401`.
        release: String,
    },
}

fn is_release(v: &str) -> bool {
    v.len() >= 7 && v.starts_with('V') && v[1..].bytes().all(|b| b.is_ascii_digit())
}

fn is_hs(c: &str) -> bool {
    c.len() == 4 && c.starts_with("HS") && c[2..].bytes().all(|b| b.is_ascii_digit())
}

/// Recognises a BACI file name (the last path component; case of the `.csv` ignored).
pub fn parse_name(path: &str) -> Option<BaciName> {
    let base = path.rsplit(['/', '\\']).next()?;
    let stem = base
        .strip_suffix(".csv")
        .or_else(|| base.strip_suffix(".CSV"))?;
    let parts: Vec<&str> = stem.split('_').collect();
    match parts.as_slice() {
        ["BACI", c, y, v] if is_hs(c) && is_release(v) => {
            let year = y.strip_prefix('Y')?;
            if year.len() != 4 {
                return None;
            }
            Some(BaciName::Flows {
                classification: c.to_string(),
                year: year.parse().ok()?,
                release: v.to_string(),
            })
        }
        ["country", "codes", v] if is_release(v) => Some(BaciName::Countries {
            release: v.to_string(),
        }),
        ["product", "codes", c, v] if is_hs(c) && is_release(v) => Some(BaciName::Products {
            classification: c.to_string(),
            release: v.to_string(),
        }),
        _ => None,
    }
}

/// One flow file of a release.
#[derive(Debug, Clone)]
pub struct FlowFile {
    /// Member name inside the container.
    pub name: String,
    /// HS revision, e.g. `HS17`.
    pub classification: String,
    /// Year in the file name.
    pub year: i32,
}

/// A BACI release found in a folder, a zip, or beside a single flow file.
#[derive(Debug, Clone)]
pub struct Release {
    /// Where the files are.
    pub container: Container,
    /// `V202401`.
    pub release: String,
    /// The flow files to read, by classification and year.
    pub flows: Vec<FlowFile>,
    /// Member name of the country dictionary.
    pub countries: String,
    /// Member names of the product dictionaries, by classification.
    pub products: BTreeMap<String, String>,
}

impl Release {
    /// Finds the release at `path`: a folder, a `.zip`, or one `BACI_*.csv` file (whose
    /// dictionaries must sit beside it).
    pub fn find(path: &Path) -> Result<Release> {
        let (container, only) = if path.is_dir() {
            (Container::Dir(path.to_path_buf()), None)
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
        {
            (Container::Zip(path.to_path_buf()), None)
        } else {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if !matches!(parse_name(&name), Some(BaciName::Flows { .. })) {
                return Err(TradeError::Other(format!(
                    "{}: not a BACI release: expected a folder, a .zip or a file named like \
                     BACI_HS17_Y2022_V202401.csv",
                    path.display()
                )));
            }
            let dir = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            (Container::Dir(dir.to_path_buf()), Some(name))
        };
        std::fs::metadata(path).map_err(io(path))?;
        let mut releases = BTreeMap::<String, Vec<String>>::new();
        let mut flows = Vec::new();
        let mut countries = None;
        let mut products = BTreeMap::new();
        for name in container.names()? {
            let Some(parsed) = parse_name(&name) else {
                continue;
            };
            let release = match &parsed {
                BaciName::Flows { release, .. }
                | BaciName::Countries { release }
                | BaciName::Products { release, .. } => release.clone(),
            };
            match parsed {
                BaciName::Flows {
                    classification,
                    year,
                    ..
                } => {
                    let base = name.rsplit('/').next().unwrap_or(&name);
                    if only.as_deref().is_some_and(|o| o != base) {
                        continue;
                    }
                    flows.push(FlowFile {
                        name: name.clone(),
                        classification,
                        year,
                    });
                }
                BaciName::Countries { .. } => countries = Some(name.clone()),
                BaciName::Products { classification, .. } => {
                    products.insert(classification, name.clone());
                }
            }
            releases.entry(release).or_default().push(name);
        }
        let where_ = container.label("");
        if flows.is_empty() {
            return Err(TradeError::Other(format!(
                "{where_}: no BACI flow file (BACI_HSxx_Yyyyy_Vyyyymm.csv) found"
            )));
        }
        if releases.len() > 1 {
            let list: Vec<String> = releases
                .iter()
                .map(|(v, names)| format!("{v} ({})", names.join(", ")))
                .collect();
            return Err(TradeError::Other(format!(
                "{where_}: files from {} releases: {}; never mix releases (codes and values \
                 change between them)",
                releases.len(),
                list.join("; ")
            )));
        }
        let release = releases.into_keys().next().expect("one release");
        let countries = countries.ok_or_else(|| {
            TradeError::Other(format!(
                "{where_}: the release has no country dictionary country_codes_{release}.csv"
            ))
        })?;
        for f in &flows {
            if !products.contains_key(&f.classification) {
                return Err(TradeError::Other(format!(
                    "{where_}: no product dictionary product_codes_{}_{release}.csv for {}",
                    f.classification, f.name
                )));
            }
        }
        flows.sort_by(|a, b| (&a.classification, a.year).cmp(&(&b.classification, b.year)));
        Ok(Release {
            container,
            release,
            flows,
            countries,
            products,
        })
    }
}

/// One entry of a release's country dictionary, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DictArea {
    /// The area code.
    pub code: u16,
    /// The ISO3 code in dyad's registry, if the area is a country.
    pub iso3: Option<String>,
    /// Whether the code is 490 "Other Asia, nes" (stored as Taiwan, flagged).
    pub other_asia: bool,
}

fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

fn err(file: &str, line: u64, column: usize, field: Option<&str>, msg: String) -> InputError {
    InputError {
        file: file.to_string(),
        line,
        column,
        field: field.map(str::to_string),
        message: msg,
    }
}

/// Reads a country dictionary in either layout and resolves every code through dyad's registry
/// and the committed area table. Names are never used: they are mis-encoded in some releases.
pub fn parse_countries(
    file: &str,
    bytes: &[u8],
    areas: &AreaCodes,
    registry: &dyad_core::Registry,
) -> Result<Vec<DictArea>, InputErrors> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(strip_bom(bytes));
    let mut records = reader.byte_records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        _ => {
            return Err(InputErrors(vec![err(
                file,
                1,
                0,
                None,
                "the file is empty or unreadable: expected a header row".into(),
            )]))
        }
    };
    let names: Vec<String> = header
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_string())
        .collect();
    let col = |n: &str| names.iter().position(|h| h == n);
    let code_col = col("country_code");
    let iso_col = col("iso_3digit_alpha").or_else(|| col("country_iso3"));
    let (Some(code_col), Some(iso_col)) = (code_col, iso_col) else {
        return Err(InputErrors(vec![err(
            file,
            1,
            0,
            None,
            format!(
                "unexpected header `{}`: expected country_code,country_name_abbreviation,\
                 country_name_full,iso_2digit_alpha,iso_3digit_alpha or \
                 country_code,country_name,country_iso2,country_iso3",
                names.join(",")
            ),
        )]));
    };
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (n, rec) in records.enumerate() {
        // The line the record starts on, as the csv crate counts it: a record index would be
        // wrong after a quoted field that spans lines (found by `tests/fuzz_readers.rs`).
        let line = match &rec {
            Ok(r) => r.position(),
            Err(e) => e.position(),
        }
        .map_or(n as u64 + 2, csv::Position::line);
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(err(file, line, 0, None, e.to_string()));
                break;
            }
        };
        if rec.len() == 1 && rec[0].iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if rec.len() != names.len() {
            errors.push(err(
                file,
                line,
                0,
                None,
                format!("expected {} columns, found {}", names.len(), rec.len()),
            ));
            continue;
        }
        let code_text = String::from_utf8_lossy(&rec[code_col]).trim().to_string();
        let Some(code) = code_text
            .parse::<u16>()
            .ok()
            .filter(|&c| c <= MAX_AREA_CODE)
        else {
            errors.push(err(
                file,
                line,
                code_col + 1,
                Some("country_code"),
                format!("`{code_text}` is not an area code (0 to 999)"),
            ));
            continue;
        };
        let iso = String::from_utf8_lossy(&rec[iso_col]).trim().to_string();
        // The committed table first: it holds the codes whose dictionary ISO3 is missing, a
        // placeholder, or a country that no longer exists.
        let resolved = match areas.get(code) {
            Some(a) if a.kind != AreaKind::Iso => Some(DictArea {
                code,
                iso3: a.iso3.clone(),
                other_asia: a.kind == AreaKind::OtherAsia,
            }),
            _ if registry.state(&iso).is_some() => Some(DictArea {
                code,
                iso3: Some(iso.clone()),
                other_asia: false,
            }),
            Some(a) => Some(DictArea {
                code,
                iso3: a.iso3.clone(),
                other_asia: false,
            }),
            None => None,
        };
        match resolved {
            Some(a) => out.push(a),
            None => errors.push(err(
                file,
                line,
                code_col + 1,
                Some("country_code"),
                format!(
                    "area code {code} (ISO3 `{iso}`) is neither in dyad's registry nor in \
                     crates/dyad-trade/data/area_codes.csv"
                ),
            )),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(InputErrors(errors))
    }
}

/// A product dictionary: HS codes (6 characters) and their descriptions.
#[derive(Debug, Clone, Default)]
pub struct Products {
    /// `(code, description)`, sorted by code.
    pub codes: Vec<(String, String)>,
    numeric: Vec<u32>,
    other: HashMap<[u8; 6], u32>,
}

/// Marks an unused slot of the numeric product index.
const NO_PRODUCT: u32 = u32::MAX;

impl Products {
    /// Builds the index from `(code, description)` pairs (any order, no duplicates).
    pub fn new(mut codes: Vec<(String, String)>) -> Products {
        codes.sort();
        let mut numeric = vec![NO_PRODUCT; 1_000_000];
        let mut other = HashMap::new();
        for (i, (c, _)) in codes.iter().enumerate() {
            let key: [u8; 6] = c.as_bytes().try_into().expect("6-character code");
            match std::str::from_utf8(&key)
                .ok()
                .and_then(|s| s.parse::<usize>().ok())
            {
                Some(n) if key.iter().all(u8::is_ascii_digit) => numeric[n] = i as u32,
                _ => {
                    other.insert(key, i as u32);
                }
            }
        }
        Products {
            codes,
            numeric,
            other,
        }
    }

    /// Position of a 6-character code in [`Products::codes`].
    pub fn index(&self, code: &[u8; 6]) -> Option<u32> {
        if code.iter().all(u8::is_ascii_digit) {
            let n = code
                .iter()
                .fold(0usize, |n, &d| n * 10 + (d - b'0') as usize);
            Some(self.numeric[n]).filter(|&i| i != NO_PRODUCT)
        } else {
            self.other.get(code).copied()
        }
    }
}

/// Reads `code,description` (extra columns ignored), normalising codes to 6 characters.
pub fn parse_products(file: &str, bytes: &[u8]) -> Result<Products, InputErrors> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(strip_bom(bytes));
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(InputErrors(vec![err(file, 1, 0, None, e.to_string())])),
        None => {
            return Err(InputErrors(vec![err(
                file,
                1,
                0,
                None,
                "the file is empty: expected the header code,description".into(),
            )]))
        }
    };
    let pos = |n: &str| header.iter().position(|h| h.trim() == n);
    let (Some(code_col), Some(desc_col)) = (pos("code"), pos("description")) else {
        return Err(InputErrors(vec![err(
            file,
            1,
            0,
            None,
            format!(
                "unexpected header `{}`: expected code,description",
                header.iter().collect::<Vec<_>>().join(",")
            ),
        )]));
    };
    let mut codes = Vec::new();
    let mut seen = HashMap::new();
    let mut errors = Vec::new();
    for (n, rec) in records.enumerate() {
        let line = match &rec {
            Ok(r) => r.position(),
            Err(e) => e.position(),
        }
        .map_or(n as u64 + 2, csv::Position::line);
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(err(file, line, 0, None, e.to_string()));
                break;
            }
        };
        if rec.len() == 1 && rec[0].trim().is_empty() {
            continue;
        }
        let (Some(code), Some(desc)) = (rec.get(code_col), rec.get(desc_col)) else {
            errors.push(err(file, line, 0, None, "missing columns".into()));
            continue;
        };
        match normalise_product(code.trim().as_bytes()) {
            Some(c) => {
                let c = String::from_utf8(c.to_vec()).expect("ASCII");
                if let Some(first) = seen.insert(c.clone(), line) {
                    errors.push(err(
                        file,
                        line,
                        code_col + 1,
                        Some("code"),
                        format!("product `{c}` appears twice (first on line {first})"),
                    ));
                } else {
                    codes.push((c, desc.trim().to_string()));
                }
            }
            None => errors.push(err(
                file,
                line,
                code_col + 1,
                Some("code"),
                format!("`{code}` is not a 6-character HS code"),
            )),
        }
    }
    if errors.is_empty() {
        Ok(Products::new(codes))
    } else {
        Err(InputErrors(errors))
    }
}

/// An HS6 code as 6 characters: 5 digits are a code whose leading zero was lost to numeric
/// parsing (`10632` = `010632`); 6 letters or digits are kept (`9999AA` exists in HS92).
pub fn normalise_product(text: &[u8]) -> Option<[u8; 6]> {
    match text.len() {
        5 if text.iter().all(u8::is_ascii_digit) => {
            let mut k = [b'0'; 6];
            k[1..].copy_from_slice(text);
            Some(k)
        }
        6 if text.iter().all(u8::is_ascii_alphanumeric) => Some(text.try_into().expect("6 bytes")),
        _ => None,
    }
}

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

/// The areas of a release's dictionary, ranked in ISO3 order (areas with no country last).
#[derive(Debug, Clone)]
pub struct Areas {
    /// Rank of each area code (index = code), or `None` when the dictionary lacks it.
    pub rank_of: Vec<Option<u16>>,
    /// ISO3 of each rank.
    pub iso3_of_rank: Vec<Option<String>>,
    /// Whether a code is 490 "Other Asia, nes".
    pub other_asia: Vec<bool>,
}

impl Areas {
    /// Ranks the entries of a dictionary.
    pub fn new(dict: &[DictArea]) -> Areas {
        // Areas sharing an ISO3 (58 and 56 are both BEL) share a rank, so a file sorted by
        // rank is sorted by ISO3; areas with none sort after every country, by code.
        let sort_key = |a: &DictArea| match &a.iso3 {
            Some(c) => (0, c.clone(), 0),
            None => (1, String::new(), a.code),
        };
        let mut keys: Vec<_> = dict.iter().map(sort_key).collect();
        keys.sort();
        keys.dedup();
        let mut rank_of = vec![None; MAX_AREA_CODE as usize + 1];
        let mut other_asia = vec![false; MAX_AREA_CODE as usize + 1];
        let iso3_of_rank = keys
            .iter()
            .map(|(none, c, _)| (*none == 0).then(|| c.clone()))
            .collect();
        for a in dict {
            let r = keys.binary_search(&sort_key(a)).expect("key present");
            rank_of[a.code as usize] = Some(r as u16);
            other_asia[a.code as usize] = a.other_asia;
        }
        Areas {
            rank_of,
            iso3_of_rank,
            other_asia,
        }
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
    fn names() {
        assert_eq!(
            parse_name("x/BACI_HS17_Y2022_V202401.csv"),
            Some(BaciName::Flows {
                classification: "HS17".into(),
                year: 2022,
                release: "V202401".into()
            })
        );
        assert_eq!(
            parse_name("country_codes_V202201.csv"),
            Some(BaciName::Countries {
                release: "V202201".into()
            })
        );
        assert!(parse_name("BACI_HS17_Y22_V202401.csv").is_none());
        assert!(parse_name("Readme.txt").is_none());
    }

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
