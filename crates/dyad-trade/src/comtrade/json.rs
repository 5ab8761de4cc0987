//! The data API's JSON response, as clients save it:
//! `{"elapsedTime": "0.03 secs", "count": 4, "data": [{...47 fields...}, ...], "error": ""}`,
//! or the bare array of its records (`[{...}, ...]`, as a data-frame export writes them).
//!
//! FORMATS.md 2.1 gives the 47 fields; the envelope and the JSON types are those of recorded API
//! responses (the `comtradr` package's test fixtures, `tests/testthat/goods/comtradeapi.un.org/
//! data/v1/get/C/A/*.json`): codes, years, quantities and values are numbers (`"reporterCode":
//! 156`, `"primaryValue": 6804128143.0`), `mosCode` and `cmdCode` are strings, flags are
//! booleans, missing values are `null`.
//!
//! Records are read one at a time by serde visitors over the `data` array, straight from the
//! text (held once), with strings borrowed from it. A field's text for the shared rules is the
//! string, or the number or boolean exactly as the file writes it (found after the field's key),
//! so a number is parsed by the same code as the CSV's cell would be; `null` and an absent
//! optional field are an empty cell. Errors name the record and field (`data[17].primaryValue`)
//! at the line and column of the field's key.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::fmt;

use dyad_core::InputError;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{err, ComtradeRows, Field, Place, Record, Rules, REQUIRED};
use crate::codes::AreaCodes;
use crate::error::Result;

/// Reads a Comtrade API response (or a bare array of its records) from its text.
pub fn read_json(
    label: &str,
    bytes: &[u8],
    areas: &AreaCodes,
    into: &mut ComtradeRows,
) -> Result<()> {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let ctx = Ctx {
        label,
        text,
        lines: RefCell::new(Lines::new(text)),
        last: Cell::new(0),
        at: Cell::new(None),
        stopped: Cell::new(false),
    };
    let mut rules = Rules::new(areas, into);
    let mut de = serde_json::Deserializer::from_slice(text);
    let read = TopSeed {
        ctx: &ctx,
        rules: &mut rules,
    }
    .deserialize(&mut de)
    .and_then(|top| de.end().map(|()| top));
    match read {
        Ok(Top::Response {
            data: true,
            error: None,
            ..
        })
        | Ok(Top::Array) => {}
        Ok(Top::Response {
            error: Some((offset, message)),
            ..
        }) => {
            let (line, column) = ctx.lines.borrow_mut().locate(offset, offset);
            rules.push(err(
                label,
                line,
                column,
                Some("error"),
                format!("the response reports an error: {message}"),
            ));
        }
        Ok(Top::Response {
            data: false,
            message,
            ..
        }) => rules.push(err(
            label,
            1,
            1,
            None,
            format!(
                "not a Comtrade API response: it has no `data` array of records{}",
                message.map_or(String::new(), |m| format!(" (its message: {m})"))
            ),
        )),
        // Reading stopped on purpose: enough problems were found.
        Err(_) if ctx.stopped.get() => {}
        Err(e) => {
            let field = ctx.at.get().map(|(place, f)| match f {
                Some(f) => format!("{}.{}", name(place), f.name()),
                None => name(place),
            });
            let message = e.to_string();
            let suffix = format!(" at line {} column {}", e.line(), e.column());
            let message = message.strip_suffix(&suffix).unwrap_or(&message);
            rules.push(err(
                label,
                (e.line() as u64).max(1),
                e.column(),
                field.as_deref(),
                message.to_string(),
            ));
        }
    }
    rules.finish()
}

/// How a record is named in messages: `data[17]`, or `[17]` in a bare array.
fn name(place: Place) -> String {
    match place {
        Place::Data(i) => format!("data[{i}]"),
        Place::Element(i) => format!("[{i}]"),
        Place::Line(n) => format!("line {n}"),
    }
}

/// The line and column of byte offsets, counted on demand: errors are rare, and a response
/// may be one line of 250 MB.
struct Lines<'t> {
    text: &'t [u8],
    /// Offset counted up to, its line, and where that line starts.
    pos: usize,
    line: u64,
    line_start: usize,
    /// The same for the start of the record last asked about, to go back to within a record.
    mark: (usize, u64, usize),
}

impl<'t> Lines<'t> {
    fn new(text: &'t [u8]) -> Lines<'t> {
        Lines {
            text,
            pos: 0,
            line: 1,
            line_start: 0,
            mark: (0, 1, 0),
        }
    }

    /// The 1-based line and column of `offset`, inside a record that starts at `start`.
    fn locate(&mut self, start: usize, offset: usize) -> (u64, usize) {
        if self.mark.0 != start {
            self.seek(start);
            self.mark = (self.pos, self.line, self.line_start);
        }
        self.seek(offset);
        (self.line, self.pos - self.line_start + 1)
    }

    fn seek(&mut self, offset: usize) {
        let offset = offset.min(self.text.len());
        if offset < self.pos {
            // Back to the record's start, or to the beginning of the text.
            (self.pos, self.line, self.line_start) = if offset >= self.mark.0 {
                self.mark
            } else {
                (0, 1, 0)
            };
        }
        for (i, &b) in self.text[self.pos..offset].iter().enumerate() {
            if b == b'\n' {
                self.line += 1;
                self.line_start = self.pos + i + 1;
            }
        }
        self.pos = offset;
    }
}

/// What every visitor shares: the file, its text, and where reading is.
struct Ctx<'t> {
    label: &'t str,
    text: &'t [u8],
    lines: RefCell<Lines<'t>>,
    /// The last offset known inside the records read so far: where a record with no key of its
    /// own (`{}`) is reported.
    last: Cell<usize>,
    /// The record (and known field) being read, to name them in a syntax error.
    at: Cell<Option<(Place, Option<Field>)>>,
    /// Whether reading was stopped because enough problems were found.
    stopped: Cell<bool>,
}

impl Ctx<'_> {
    /// The offset of a string borrowed from the text (None for one copied out of it).
    fn offset_of(&self, s: &str) -> Option<usize> {
        let start = self.text.as_ptr() as usize;
        let p = s.as_ptr() as usize;
        (p >= start && p + s.len() <= start + self.text.len()).then(|| p - start)
    }
}

/// A key or a string value: borrowed from the text unless it had escapes.
struct Str<'t>(Cow<'t, str>);

impl<'de> de::Deserialize<'de> for Str<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Str<'de>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(s.to_string())))
            }
        }
        d.deserialize_str(V)
    }
}

/// A number as serde_json parsed it, to write back when its text cannot be found.
#[derive(Debug, Clone, Copy)]
enum Number {
    I(i64),
    U(u64),
    F(f64),
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::I(n) => write!(f, "{n}"),
            Number::U(n) => write!(f, "{n}"),
            // `{:?}` keeps the `.0` of a whole float (as the text had it) and round-trips.
            Number::F(n) => write!(f, "{n:?}"),
        }
    }
}

/// A field's value as parsed.
enum Scalar<'t> {
    Str(Cow<'t, str>),
    Number(Number),
    Bool(bool),
    Null,
    /// `an object` or `an array`, which no field may hold.
    Nested(&'static str),
}

impl<'de> de::Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Scalar<'de>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field value")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Str(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Str(Cow::Owned(s.to_string())))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Number(Number::I(n)))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Number(Number::U(n)))
            }
            fn visit_f64<E>(self, n: f64) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Number(Number::F(n)))
            }
            fn visit_bool<E>(self, b: bool) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Bool(b))
            }
            fn visit_unit<E>(self) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Null)
            }
            fn visit_none<E>(self) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Null)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar<'de>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Scalar::Nested("an object"))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar<'de>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scalar::Nested("an array"))
            }
        }
        d.deserialize_any(V)
    }
}

/// A field's text for the rules.
enum Value<'t> {
    /// A string (trimmed when read, as CSV cells are).
    Text(Cow<'t, str>),
    /// A number or boolean as the text writes it.
    Token(&'t str),
    /// A number or boolean written back (its key had escapes, so its text was not found).
    Written(String),
}

/// One record of the response.
struct JsonRecord<'c, 't> {
    ctx: &'c Ctx<'t>,
    place: Place,
    /// Offset of the record's `{` (or the nearest known).
    start: usize,
    values: [Option<Value<'t>>; Field::ALL.len()],
    /// Offset of each field's key (its opening quote), when the key was borrowed from the text.
    keys: [Option<usize>; Field::ALL.len()],
    /// Whether the record has the field's key (with any value, `null` included).
    present: [bool; Field::ALL.len()],
}

impl Record for JsonRecord<'_, '_> {
    fn get(&self, field: Field) -> &str {
        match &self.values[field as usize] {
            Some(Value::Text(s)) => s.trim(),
            Some(Value::Token(t)) => t,
            Some(Value::Written(s)) => s,
            None => "",
        }
    }

    fn error(&self, field: Option<Field>, message: String) -> InputError {
        let offset = field
            .and_then(|f| self.keys[f as usize])
            .unwrap_or(self.start);
        let (line, column) = self.ctx.lines.borrow_mut().locate(self.start, offset);
        let what = match field {
            Some(f) => format!("{}.{}", name(self.place), f.name()),
            None => name(self.place),
        };
        err(self.ctx.label, line, column, Some(&what), message)
    }

    fn place(&self) -> Place {
        self.place
    }
}

/// The number, `true`, `false` or `null` written after the key whose text ends at `after`.
fn token_after(text: &[u8], after: usize) -> Option<&str> {
    let mut i = after;
    let skip = |i: &mut usize| {
        while text
            .get(*i)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        {
            *i += 1;
        }
    };
    skip(&mut i);
    if text.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    skip(&mut i);
    let end = i + text[i..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        .count();
    std::str::from_utf8(&text[i..end])
        .ok()
        .filter(|t| !t.is_empty())
}

/// The top of the file: a response object or a bare array of records.
enum Top {
    Response {
        /// Whether the object had a `data` key.
        data: bool,
        /// A non-empty `error`, with the offset of its key.
        error: Option<(usize, String)>,
        /// A `message` string: what the API's gateway answers instead of data when a request
        /// is refused (`{"statusCode": 401, "message": ...}`), which `curl -o` saves as well.
        message: Option<String>,
    },
    Array,
}

struct TopSeed<'c, 't, 'r, 'a> {
    ctx: &'c Ctx<'t>,
    rules: &'r mut Rules<'a>,
}

impl<'t> DeserializeSeed<'t> for TopSeed<'_, 't, '_, '_> {
    type Value = Top;
    fn deserialize<D: de::Deserializer<'t>>(self, d: D) -> Result<Top, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'t> Visitor<'t> for TopSeed<'_, 't, '_, '_> {
    type Value = Top;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Comtrade API response ({\"data\": [...]}) or an array of its records")
    }

    fn visit_map<A: MapAccess<'t>>(self, mut map: A) -> Result<Top, A::Error> {
        let mut data = false;
        let mut error = None;
        let mut message = None;
        while let Some(key) = map.next_key::<Str<'t>>()? {
            let offset = self
                .ctx
                .offset_of(&key.0)
                .map_or(0, |o| o.saturating_sub(1));
            match &*key.0 {
                "data" if data => {
                    return Err(de::Error::custom("`data` appears twice in the response"))
                }
                "data" => {
                    data = true;
                    map.next_value_seed(Records {
                        ctx: self.ctx,
                        rules: &mut *self.rules,
                        place: Place::Data,
                    })?;
                    self.ctx.at.set(None);
                }
                "error" => match map.next_value::<serde_json::Value>()? {
                    serde_json::Value::Null => {}
                    serde_json::Value::String(s) if s.trim().is_empty() => {}
                    serde_json::Value::String(s) => error = Some((offset, s)),
                    other => error = Some((offset, other.to_string())),
                },
                "message" => {
                    if let serde_json::Value::String(s) = map.next_value()? {
                        message = Some(s);
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Top::Response {
            data,
            error,
            message,
        })
    }

    fn visit_seq<A: SeqAccess<'t>>(self, seq: A) -> Result<Top, A::Error> {
        Records {
            ctx: self.ctx,
            rules: self.rules,
            place: Place::Element,
        }
        .visit_seq(seq)?;
        Ok(Top::Array)
    }
}

/// The array of records, each checked by the rules as soon as it is read.
struct Records<'c, 't, 'r, 'a> {
    ctx: &'c Ctx<'t>,
    rules: &'r mut Rules<'a>,
    place: fn(usize) -> Place,
}

impl<'t> DeserializeSeed<'t> for Records<'_, 't, '_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'t>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'t> Visitor<'t> for Records<'_, 't, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of Comtrade records")
    }

    /// `"data": null`: no records.
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'t>>(self, mut seq: A) -> Result<(), A::Error> {
        for i in 0.. {
            let place = (self.place)(i);
            self.ctx.at.set(Some((place, None)));
            let Some((record, problems)) = seq.next_element_seed(RecordSeed {
                ctx: self.ctx,
                place,
            })?
            else {
                break;
            };
            if problems.is_empty() {
                self.rules.record(&record);
            } else {
                for (field, message) in problems {
                    self.rules.push(record.error(field, message));
                }
            }
            if self.rules.full() {
                self.ctx.stopped.set(true);
                return Err(de::Error::custom("too many problems"));
            }
        }
        // Whatever follows the array is no record's.
        self.ctx.at.set(None);
        Ok(())
    }
}

/// Problems found while reading a record, before the rules see it.
type Problems = Vec<(Option<Field>, String)>;

struct RecordSeed<'c, 't> {
    ctx: &'c Ctx<'t>,
    place: Place,
}

impl<'c, 't> DeserializeSeed<'t> for RecordSeed<'c, 't> {
    type Value = (JsonRecord<'c, 't>, Problems);
    fn deserialize<D: de::Deserializer<'t>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'c, 't> Visitor<'t> for RecordSeed<'c, 't> {
    type Value = (JsonRecord<'c, 't>, Problems);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Comtrade record (a JSON object)")
    }

    fn visit_map<A: MapAccess<'t>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let ctx = self.ctx;
        let mut record = JsonRecord {
            ctx,
            place: self.place,
            start: ctx.last.get(),
            values: Default::default(),
            keys: [None; Field::ALL.len()],
            present: [false; Field::ALL.len()],
        };
        let mut problems = Problems::new();
        let mut first = true;
        while let Some(key) = map.next_key::<Str<'t>>()? {
            // The key's opening quote, and the end of its text.
            let at = ctx
                .offset_of(&key.0)
                .map(|o| (o.saturating_sub(1), o + key.0.len() + 1));
            if let Some((quote, _)) = at {
                if first {
                    record.start = brace_before(ctx.text, quote);
                }
                ctx.last.set(quote);
            }
            first = false;
            let Some(field) = Field::from_name(&key.0) else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            ctx.at.set(Some((self.place, Some(field))));
            let scalar = map.next_value::<Scalar<'t>>()?;
            ctx.at.set(Some((self.place, None)));
            let slot = field as usize;
            if record.present[slot] {
                problems.push((Some(field), "appears twice in the record".into()));
            }
            record.present[slot] = true;
            record.keys[slot] = at.map(|(quote, _)| quote);
            let written = |text: String| match at.and_then(|(_, end)| token_after(ctx.text, end)) {
                Some(t) => Value::Token(t),
                None => Value::Written(text),
            };
            record.values[slot] = match scalar {
                Scalar::Str(s) => Some(Value::Text(s)),
                Scalar::Number(n) => Some(written(n.to_string())),
                Scalar::Bool(b) => Some(written(b.to_string())),
                Scalar::Null => None,
                Scalar::Nested(what) => {
                    problems.push((
                        Some(field),
                        format!("{what} where a string or a number is expected"),
                    ));
                    None
                }
            };
        }
        let missing: Vec<&str> = REQUIRED
            .iter()
            .filter(|f| !record.present[**f as usize])
            .map(|f| f.name())
            .collect();
        if !missing.is_empty() {
            problems.push((
                None,
                format!("not a Comtrade record: missing {}", missing.join(", ")),
            ));
        }
        Ok((record, problems))
    }
}

/// The record's `{` before its first key, or the key itself if something else is there.
fn brace_before(text: &[u8], quote: usize) -> usize {
    let mut i = quote;
    while i > 0 && matches!(text[i - 1], b' ' | b'\t' | b'\n' | b'\r') {
        i -= 1;
    }
    if i > 0 && text[i - 1] == b'{' {
        i - 1
    } else {
        quote
    }
}
