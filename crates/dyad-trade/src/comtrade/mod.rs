//! UN Comtrade Plus files: the data-API / web CSV, the gzipped tab-separated bulk files and the
//! data API's JSON response, which share one record (`docs/FORMATS.md` section 2).
//!
//! The layouts differ only in how a record's fields are found ([`read_csv`]: by header column;
//! [`read_json`]: by key); what a field may hold, what is skipped and
//! what is refused is decided once, here, on the field's text as the CSV download writes it
//! (`Record`, `Rules`).
//!
//! Only goods totals across breakdowns are kept, so that nothing is counted twice: partner2
//! `0`, customs procedure `C00`, mode of transport `0`, mode of supply `0`; rows for the World
//! (partner `0`), services, and flows other than X, M, RX and RM are skipped and counted.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::Read;
use std::path::Path;

use dyad_core::{InputError, InputErrors};

use crate::codes::{AreaCodes, AreaKind};
use crate::error::{io, Result};
use crate::flow::{Flow, Source};

mod delimited;
mod json;

pub use self::delimited::read_csv;
pub use self::json::read_json;

/// The fields of the 47-column record (FORMATS.md 2.1) that dyad reads; the others are labels,
/// quality flags and quantities it does not store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    TypeCode,
    FreqCode,
    RefYear,
    RefMonth,
    ReporterCode,
    FlowCode,
    PartnerCode,
    Partner2Code,
    ClassificationCode,
    CmdCode,
    CmdDesc,
    CustomsCode,
    MosCode,
    MotCode,
    QtyUnitCode,
    QtyUnitAbbr,
    Qty,
    PrimaryValue,
}

impl Field {
    /// Every field read, in the order of [`Field`]'s variants (so `ALL[f as usize] == f`).
    pub(crate) const ALL: [Field; 18] = [
        Field::TypeCode,
        Field::FreqCode,
        Field::RefYear,
        Field::RefMonth,
        Field::ReporterCode,
        Field::FlowCode,
        Field::PartnerCode,
        Field::Partner2Code,
        Field::ClassificationCode,
        Field::CmdCode,
        Field::CmdDesc,
        Field::CustomsCode,
        Field::MosCode,
        Field::MotCode,
        Field::QtyUnitCode,
        Field::QtyUnitAbbr,
        Field::Qty,
        Field::PrimaryValue,
    ];

    /// The field's name in the header and in the JSON records.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Field::TypeCode => "typeCode",
            Field::FreqCode => "freqCode",
            Field::RefYear => "refYear",
            Field::RefMonth => "refMonth",
            Field::ReporterCode => "reporterCode",
            Field::FlowCode => "flowCode",
            Field::PartnerCode => "partnerCode",
            Field::Partner2Code => "partner2Code",
            Field::ClassificationCode => "classificationCode",
            Field::CmdCode => "cmdCode",
            Field::CmdDesc => "cmdDesc",
            Field::CustomsCode => "customsCode",
            Field::MosCode => "mosCode",
            Field::MotCode => "motCode",
            Field::QtyUnitCode => "qtyUnitCode",
            Field::QtyUnitAbbr => "qtyUnitAbbr",
            Field::Qty => "qty",
            Field::PrimaryValue => "primaryValue",
        }
    }

    /// The field of a header or key name, if dyad reads it.
    pub(crate) fn from_name(name: &str) -> Option<Field> {
        Field::ALL.iter().copied().find(|f| f.name() == name)
    }
}

/// Fields a file (a CSV header, every JSON record) must have.
pub(crate) const REQUIRED: [Field; 10] = [
    Field::FreqCode,
    Field::RefYear,
    Field::RefMonth,
    Field::ReporterCode,
    Field::FlowCode,
    Field::PartnerCode,
    Field::ClassificationCode,
    Field::CmdCode,
    Field::PrimaryValue,
    Field::QtyUnitAbbr,
];

/// How many problems are kept per file before reading stops: the file is clearly wrong.
const MAX_ERRORS: usize = 100;

/// Where a record is, for messages about another record ("H6 on line 2").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// A line of a CSV file.
    Line(u64),
    /// An element of a JSON response's `data` array.
    Data(usize),
    /// An element of a bare JSON array of records.
    Element(usize),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Line(n) => write!(f, "on line {n}"),
            Place::Data(i) => write!(f, "in data[{i}]"),
            Place::Element(i) => write!(f, "in [{i}]"),
        }
    }
}

/// One Comtrade record, whatever the file's layout.
pub(crate) trait Record {
    /// The field's text, trimmed, as the CSV download writes it: empty when the record has no
    /// value for it (an empty cell, a JSON `null`).
    fn get(&self, field: Field) -> &str;
    /// An error about one field, or with `None` about the record as a whole, located in the file.
    fn error(&self, field: Option<Field>, message: String) -> InputError;
    /// Where the record is.
    fn place(&self) -> Place;
}

/// What makes a Comtrade row unique: reporter, year, month, flow, partner code, product.
type RowIdentity = (String, i32, Option<i32>, String, String, String);

/// The checks every record goes through, and what the records of one file add up to.
pub(crate) struct Rules<'a> {
    areas: &'a AreaCodes,
    into: &'a mut ComtradeRows,
    /// Unit key → (classification, where first seen), to refuse mixed HS revisions in one unit.
    unit_class: HashMap<String, (String, Place)>,
    /// Identity of a row → where first seen, to refuse duplicates. foldhash rather than SipHash:
    /// the keys come from the user's own file, not from an adversary.
    seen: HashMap<RowIdentity, Place, foldhash::fast::RandomState>,
    errors: Vec<InputError>,
}

impl<'a> Rules<'a> {
    pub(crate) fn new(areas: &'a AreaCodes, into: &'a mut ComtradeRows) -> Rules<'a> {
        Rules {
            areas,
            into,
            unit_class: HashMap::new(),
            seen: HashMap::default(),
            errors: Vec::new(),
        }
    }

    /// Keeps a problem found by the reader itself (a bad header, a malformed record).
    pub(crate) fn push(&mut self, e: InputError) {
        self.errors.push(e);
    }

    /// Whether enough problems were found to stop reading.
    pub(crate) fn full(&self) -> bool {
        self.errors.len() >= MAX_ERRORS
    }

    /// Skips, refuses or keeps one record.
    pub(crate) fn record(&mut self, r: &dyn Record) {
        use Field::*;
        let skip = (!r.get(TypeCode).is_empty() && r.get(TypeCode) != "C")
            || r.get(PartnerCode) == "0"
            || !matches!(r.get(Partner2Code), "" | "0")
            || !matches!(r.get(CustomsCode), "" | "C00")
            || !matches!(r.get(MotCode), "" | "0")
            || !matches!(r.get(MosCode), "" | "0")
            || !matches!(r.get(FlowCode), "X" | "M" | "RX" | "RM");
        if skip {
            self.into.skipped += 1;
            return;
        }
        let (flow, desc) = match parse_row(r, self.areas) {
            Ok(parsed) => parsed,
            Err(e) => {
                self.errors.push(e);
                return;
            }
        };
        let key = format!(
            "comtrade/{}/{}/{}",
            flow.reporter,
            flow.year,
            if flow.month.is_some() { "M" } else { "A" }
        );
        match self.unit_class.get(&key) {
            Some((c, first)) if *c != flow.classification => {
                self.errors.push(r.error(
                    Some(ClassificationCode),
                    format!(
                        "mixed HS revisions for {} {}: {} here, {c} {first}",
                        flow.reporter, flow.year, flow.classification
                    ),
                ));
                return;
            }
            Some(_) => {}
            None => {
                self.unit_class
                    .insert(key.clone(), (flow.classification.clone(), r.place()));
            }
        }
        let identity = (
            flow.reporter.clone(),
            flow.year,
            flow.month,
            flow.flow.clone(),
            r.get(PartnerCode).to_string(),
            flow.product.clone(),
        );
        if let Some(first) = self.seen.insert(identity, r.place()) {
            self.errors
                .push(r.error(None, format!("the same flow appears {first}")));
            return;
        }
        if let Some(d) = desc {
            self.into
                .products
                .insert((flow.classification.clone(), flow.product.clone()), d);
        }
        self.into.units.entry(key).or_default().push(flow);
    }

    /// The file's rows are in `into`, or every problem found.
    pub(crate) fn finish(self) -> Result<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(InputErrors(self.errors).into())
        }
    }
}

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

pub(crate) fn err(
    file: &str,
    line: u64,
    column: usize,
    field: Option<&str>,
    msg: String,
) -> InputError {
    InputError {
        file: file.to_string(),
        line,
        column,
        field: field.map(str::to_string),
        message: msg,
    }
}

/// Reads a Comtrade file: `.gz` is decompressed first (bulk files, or a saved response); then
/// the text is read as [`read_bytes`] does.
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
    // The whole text is held once (a response of 250,000 records is about 250 MB); JSON records
    // borrow their strings from it rather than copying them.
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

/// Whether a text is JSON rather than CSV: its first character (after a byte-order mark and
/// white space) opens an object or an array. A CSV header starts with a column name.
pub fn is_json(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    matches!(
        bytes.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    )
}

/// Reads the text of a Comtrade file (already decompressed): a JSON response ([`read_json`]) or
/// a CSV/TSV file ([`read_csv`]), told apart by [`is_json`].
pub fn read_bytes(
    label: &str,
    bytes: &[u8],
    areas: &AreaCodes,
    into: &mut ComtradeRows,
) -> Result<()> {
    if is_json(bytes) {
        read_json(label, bytes, areas, into)
    } else {
        read_csv(label, bytes, areas, into)
    }
}

fn parse_row(r: &dyn Record, areas: &AreaCodes) -> Result<(Flow, Option<String>), InputError> {
    use Field::*;
    let int = |f: Field| -> Result<i32, InputError> {
        r.get(f).parse::<i32>().map_err(|_| {
            r.error(
                Some(f),
                match r.get(f) {
                    "" => "empty: expected a whole number".into(),
                    t => format!("`{t}` is not a whole number"),
                },
            )
        })
    };
    let area = |f: Field| -> Result<(String, bool, i32), InputError> {
        let code = int(f)?;
        let a = u16::try_from(code)
            .ok()
            .and_then(|n| areas.get(n))
            .ok_or_else(|| {
                r.error(
                    Some(f),
                    format!(
                        "unknown area code {code}: neither an ISO numeric code in dyad's \
                         registry nor in crates/dyad-trade/data/area_codes.csv"
                    ),
                )
            })?;
        let iso = a.iso3.clone().ok_or_else(|| {
            r.error(
                Some(f),
                format!("area code {code} ({}) is not a country", a.name),
            )
        })?;
        Ok((iso, a.kind == AreaKind::OtherAsia, code))
    };
    let year = int(RefYear)?;
    if !(1900..=2100).contains(&year) {
        return Err(r.error(Some(RefYear), format!("`{year}` is not a year")));
    }
    let month = match r.get(FreqCode) {
        "A" => None,
        "M" => {
            let m = int(RefMonth)?;
            if !(1..=12).contains(&m) {
                return Err(r.error(Some(RefMonth), format!("`{m}` is not a month")));
            }
            Some(m)
        }
        f => return Err(r.error(Some(FreqCode), format!("`{f}` is not A or M"))),
    };
    let (reporter, r_asia, r_code) = area(ReporterCode)?;
    let (partner, p_asia, p_code) = area(PartnerCode)?;
    let classification = r.get(ClassificationCode);
    if classification.is_empty() {
        return Err(r.error(Some(ClassificationCode), "empty".into()));
    }
    let cmd = r.get(CmdCode);
    let level = match cmd {
        "TOTAL" => 0,
        c if matches!(c.len(), 2 | 4 | 6) && c.bytes().all(|b| b.is_ascii_digit()) => {
            c.len() as i32
        }
        c => {
            return Err(r.error(
                Some(CmdCode),
                format!("`{c}` is neither TOTAL nor a 2-, 4- or 6-digit HS code"),
            ))
        }
    };
    let value_usd = r
        .get(PrimaryValue)
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .ok_or_else(|| {
            r.error(
                Some(PrimaryValue),
                match r.get(PrimaryValue) {
                    "" => "empty: expected a value in US dollars".into(),
                    t => format!("`{t}` is not a value in US dollars"),
                },
            )
        })?;
    let flow = r.get(FlowCode).to_string();
    let (exporter, importer, e_code, i_code) = if flow.ends_with('X') {
        (reporter.clone(), partner, r_code, p_code)
    } else {
        (partner, reporter.clone(), p_code, r_code)
    };
    // Unknown quantities are coded with unit -1 (N/A) or a negative quantity; `inf` is no
    // quantity either.
    let quantity = r
        .get(Qty)
        .parse::<f64>()
        .ok()
        .filter(|q| q.is_finite() && *q >= 0.0 && r.get(QtyUnitCode) != "-1");
    let unit = quantity.map(|_| r.get(QtyUnitAbbr).to_string());
    let desc = Some(r.get(CmdDesc).to_string()).filter(|d| !d.is_empty() && level > 0);
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
