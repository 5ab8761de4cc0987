//! Input errors that name the file, line and column of the problem.

use std::fmt;

/// One problem in an input file, located as `file:line:column`.
///
/// `column` is the 1-based field number in the CSV row (0 when the problem is the row as a whole),
/// and `field` names that column when the header is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    /// File name as the user gave it (or `<bundled>` for embedded data).
    pub file: String,
    /// 1-based line number.
    pub line: u64,
    /// 1-based field number, or 0 for the whole row.
    pub column: usize,
    /// Name of the column, when known.
    pub field: Option<String>,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        if let Some(field) = &self.field {
            write!(f, "{field}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Every problem found in one or more files; an import with any of these changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InputErrors(pub Vec<InputError>);

/// How many problems are listed before the rest are only counted.
const SHOWN: usize = 20;

/// The count of problems, then the first [`SHOWN`] of them, one per line.
fn summary(f: &mut fmt::Formatter<'_>, problems: &[impl fmt::Display]) -> fmt::Result {
    let n = problems.len();
    write!(
        f,
        "{n} problem{} found; nothing was changed",
        if n == 1 { "" } else { "s" }
    )?;
    for e in problems.iter().take(SHOWN) {
        write!(f, "\n  {e}")?;
    }
    if n > SHOWN {
        write!(f, "\n  ... and {} more", n - SHOWN)?;
    }
    Ok(())
}

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        summary(f, &self.0)
    }
}

impl std::error::Error for InputErrors {}

impl InputErrors {
    /// Whether no problem was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// One problem in a record of a list given as data rather than a file (the JSON array of acts a
/// curator posts), located as `list[index].field`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    /// Name of the list (`acts`).
    pub list: String,
    /// 0-based position of the record in the list.
    pub index: usize,
    /// The field, when the problem is one field's.
    pub field: Option<String>,
    /// What is wrong, in words.
    pub message: String,
}

impl RecordError {
    /// Locates a [`FieldError`](crate::raw::FieldError) at record `index` of `list`.
    pub fn new(list: &str, index: usize, e: crate::raw::FieldError) -> RecordError {
        RecordError {
            list: list.to_string(),
            index,
            field: e.field.map(str::to_string),
            message: e.message,
        }
    }
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.list, self.index)?;
        if let Some(field) = &self.field {
            write!(f, ".{field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Every problem found in a list of records; a write with any of these changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordErrors(pub Vec<RecordError>);

impl fmt::Display for RecordErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        summary(f, &self.0)
    }
}

impl std::error::Error for RecordErrors {}
