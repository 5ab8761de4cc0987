//! The country dictionary in both layouts (`docs/FORMATS.md` section 1.2), the
//! areas of a release ranked in ISO3 order, and the product dictionary (section 1.3).

use std::collections::HashMap;

use dyad_core::InputErrors;

use super::{err, strip_bom};
use crate::codes::{AreaCodes, AreaKind, MAX_AREA_CODE};

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
        // wrong after a quoted field that spans lines (found by `tests/it/fuzz_readers.rs`).
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
