//! UN Comtrade Plus files: the data-API / web CSV and the gzipped tab-separated bulk files, which
//! share one record (`shared/data/trade/FORMATS.md` section 2).
//!
//! Only goods totals across breakdowns are kept, so that nothing is counted twice: partner2
//! `0`, customs procedure `C00`, mode of transport `0`, mode of supply `0`; rows for the World
//! (partner `0`), services, and flows other than X, M, RX and RM are skipped and counted.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;

use dyad_core::{InputError, InputErrors};

use crate::codes::{AreaCodes, AreaKind};
use crate::error::{io, Result};
use crate::flow::{Flow, Source};

/// What makes a Comtrade row unique: reporter, year, month, flow, partner code, product.
type RowIdentity = (String, i32, Option<i32>, String, String, String);

/// Columns a Comtrade file must have.
const REQUIRED: [&str; 10] = [
    "freqCode",
    "refYear",
    "refMonth",
    "reporterCode",
    "flowCode",
    "partnerCode",
    "classificationCode",
    "cmdCode",
    "primaryValue",
    "qtyUnitAbbr",
];

/// The flows of one Comtrade file, grouped into store units (`comtrade/KAZ/2023/A`).
#[derive(Debug, Default)]
pub struct ComtradeRows {
    /// Flows by unit key.
    pub units: BTreeMap<String, Vec<Flow>>,
    /// Product descriptions seen, by (classification, code).
    pub products: BTreeMap<(String, String), String>,
    /// Rows skipped by the filters of this module (World partner, breakdowns, services, ...).
    pub skipped: u64,
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

/// Reads a Comtrade file: `.gz` is a bulk file (gzip, tab-separated); otherwise the separator is
/// taken from the header (tab or comma).
pub fn read_path(path: &Path, areas: &AreaCodes, into: &mut ComtradeRows) -> Result<()> {
    let file = std::fs::File::open(path).map_err(io(path))?;
    let label = path.display().to_string();
    let gz = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    let mut reader: Box<dyn Read> = if gz {
        Box::new(flate2::read::MultiGzDecoder::new(std::io::BufReader::new(
            file,
        )))
    } else {
        Box::new(std::io::BufReader::new(file))
    };
    let mut bytes = Vec::new();
    if let Err(e) = reader.read_to_end(&mut bytes) {
        // A truncated download: name the line where the readable text stops.
        let line = bytes.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        return Err(InputErrors(vec![err(
            &label,
            line,
            0,
            None,
            format!("the file cannot be read past this line ({e}); is the download truncated?"),
        )])
        .into());
    }
    read_bytes(&label, &bytes, areas, into)
}

/// Reads the text of a Comtrade file (already decompressed).
pub fn read_bytes(
    label: &str,
    bytes: &[u8],
    areas: &AreaCodes,
    into: &mut ComtradeRows,
) -> Result<()> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let delimiter = if first.contains(&b'\t') { b'\t' } else { b',' };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(InputErrors(vec![err(label, 1, 0, None, e.to_string())]).into()),
        None => {
            return Err(InputErrors(vec![err(
                label,
                1,
                0,
                None,
                "the file is empty: expected the Comtrade header".into(),
            )])
            .into())
        }
    };
    let index: HashMap<&str, usize> = header
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim(), i))
        .collect();
    let missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| !index.contains_key(c))
        .collect();
    if !missing.is_empty() {
        return Err(InputErrors(vec![err(
            label,
            1,
            0,
            None,
            format!(
                "not a Comtrade header: missing column{} {}",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", ")
            ),
        )])
        .into());
    }
    let width = header.len();
    let mut errors = Vec::new();
    // (unit key) → (classification, line), to refuse mixed HS revisions in one unit.
    let mut unit_class: HashMap<String, (String, u64)> = HashMap::new();
    // Identity of a row → line, to refuse duplicates.
    let mut seen: HashMap<RowIdentity, u64> = HashMap::new();
    for rec in records {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(err(label, line, 0, None, e.to_string()));
                break;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        if rec.len() == 1 && rec[0].trim().is_empty() {
            continue;
        }
        if rec.len() != width {
            errors.push(err(
                label,
                line,
                0,
                None,
                format!("expected {width} columns, found {}", rec.len()),
            ));
            continue;
        }
        let get = |c: &str| index.get(c).map_or("", |&i| rec[i].trim());
        let located =
            |c: &str, m: String| err(label, line, index.get(c).map_or(0, |i| i + 1), Some(c), m);
        let skip = (!get("typeCode").is_empty() && get("typeCode") != "C")
            || get("partnerCode") == "0"
            || !matches!(get("partner2Code"), "" | "0")
            || !matches!(get("customsCode"), "" | "C00")
            || !matches!(get("motCode"), "" | "0")
            || !matches!(get("mosCode"), "" | "0")
            || !matches!(get("flowCode"), "X" | "M" | "RX" | "RM");
        if skip {
            into.skipped += 1;
            continue;
        }
        match parse_row(&get, &located, areas) {
            Ok((flow, desc)) => {
                let key = format!(
                    "comtrade/{}/{}/{}",
                    flow.reporter,
                    flow.year,
                    if flow.month.is_some() { "M" } else { "A" }
                );
                match unit_class.get(&key) {
                    Some((c, first)) if *c != flow.classification => {
                        errors.push(located(
                            "classificationCode",
                            format!(
                                "mixed HS revisions for {} {}: {} here, {c} on line {first}",
                                flow.reporter, flow.year, flow.classification
                            ),
                        ));
                        continue;
                    }
                    Some(_) => {}
                    None => {
                        unit_class.insert(key.clone(), (flow.classification.clone(), line));
                    }
                }
                let identity = (
                    flow.reporter.clone(),
                    flow.year,
                    flow.month,
                    flow.flow.clone(),
                    get("partnerCode").to_string(),
                    flow.product.clone(),
                );
                if let Some(first) = seen.insert(identity, line) {
                    errors.push(err(
                        label,
                        line,
                        0,
                        None,
                        format!("the same flow appears on line {first}"),
                    ));
                    continue;
                }
                if let Some(d) = desc {
                    into.products
                        .insert((flow.classification.clone(), flow.product.clone()), d);
                }
                into.units.entry(key).or_default().push(flow);
            }
            Err(e) => errors.push(e),
        }
        if errors.len() >= 100 {
            break;
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(InputErrors(errors).into())
    }
}

fn parse_row<'r>(
    get: &dyn Fn(&str) -> &'r str,
    located: &dyn Fn(&str, String) -> InputError,
    areas: &AreaCodes,
) -> Result<(Flow, Option<String>), InputError> {
    let int = |c: &str| -> Result<i32, InputError> {
        get(c)
            .parse::<i32>()
            .map_err(|_| located(c, format!("`{}` is not a whole number", get(c))))
    };
    let area = |c: &str| -> Result<(String, bool, i32), InputError> {
        let code = int(c)?;
        let a = u16::try_from(code)
            .ok()
            .and_then(|n| areas.get(n))
            .ok_or_else(|| {
                located(
                    c,
                    format!(
                        "unknown area code {code}: neither an ISO numeric code in dyad's \
                         registry nor in crates/dyad-trade/data/area_codes.csv"
                    ),
                )
            })?;
        let iso = a
            .iso3
            .clone()
            .ok_or_else(|| located(c, format!("area code {code} ({}) is not a country", a.name)))?;
        Ok((iso, a.kind == AreaKind::OtherAsia, code))
    };
    let year = int("refYear")?;
    if !(1900..=2100).contains(&year) {
        return Err(located("refYear", format!("`{year}` is not a year")));
    }
    let month = match get("freqCode") {
        "A" => None,
        "M" => {
            let m = int("refMonth")?;
            if !(1..=12).contains(&m) {
                return Err(located("refMonth", format!("`{m}` is not a month")));
            }
            Some(m)
        }
        f => return Err(located("freqCode", format!("`{f}` is not A or M"))),
    };
    let (reporter, r_asia, r_code) = area("reporterCode")?;
    let (partner, p_asia, p_code) = area("partnerCode")?;
    let classification = get("classificationCode");
    if classification.is_empty() {
        return Err(located("classificationCode", "empty".into()));
    }
    let cmd = get("cmdCode");
    let level = match cmd {
        "TOTAL" => 0,
        c if matches!(c.len(), 2 | 4 | 6) && c.bytes().all(|b| b.is_ascii_digit()) => {
            c.len() as i32
        }
        c => {
            return Err(located(
                "cmdCode",
                format!("`{c}` is neither TOTAL nor a 2-, 4- or 6-digit HS code"),
            ))
        }
    };
    let value_usd = get("primaryValue")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .ok_or_else(|| {
            located(
                "primaryValue",
                format!("`{}` is not a value in US dollars", get("primaryValue")),
            )
        })?;
    let flow = get("flowCode").to_string();
    let (exporter, importer, e_code, i_code) = if flow.ends_with('X') {
        (reporter.clone(), partner, r_code, p_code)
    } else {
        (partner, reporter.clone(), p_code, r_code)
    };
    // Unknown quantities are coded with unit -1 (N/A) or a negative quantity.
    let quantity = get("qty")
        .parse::<f64>()
        .ok()
        .filter(|q| *q >= 0.0 && get("qtyUnitCode") != "-1");
    let unit = quantity.map(|_| get("qtyUnitAbbr").to_string());
    let desc = Some(get("cmdDesc").to_string()).filter(|d| !d.is_empty() && level > 0);
    Ok((
        Flow {
            source: Source::Comtrade,
            classification: classification.to_string(),
            release: None,
            year,
            month,
            exporter: Some(exporter),
            importer: Some(importer),
            exporter_code: Some(e_code),
            importer_code: Some(i_code),
            product: cmd.to_string(),
            product_level: level,
            value_usd,
            quantity,
            unit,
            reporter,
            flow,
            other_asia: r_asia || p_asia,
            note: None,
            source_url: None,
            source_date: None,
        },
        desc,
    ))
}
