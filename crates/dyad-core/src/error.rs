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

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(
            f,
            "{n} problem{} found; nothing was changed",
            if n == 1 { "" } else { "s" }
        )?;
        for e in self.0.iter().take(SHOWN) {
            write!(f, "\n  {e}")?;
        }
        if n > SHOWN {
            write!(f, "\n  ... and {} more", n - SHOWN)?;
        }
        Ok(())
    }
}

impl std::error::Error for InputErrors {}

impl InputErrors {
    /// Whether no problem was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
