//! Errors of the ledger, one variant per thing a caller may want to tell apart.

use std::path::PathBuf;

use dyad_core::{InputErrors, RecordErrors};

/// Errors of the ledger.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// Input files were invalid; nothing was changed.
    #[error(transparent)]
    Input(#[from] InputErrors),
    /// Acts given as data (a JSON array) were invalid; nothing was changed.
    #[error(transparent)]
    Records(#[from] RecordErrors),
    /// The database failed.
    #[error("ledger database")]
    Sql(#[from] rusqlite::Error),
    /// A file or directory could not be read, created or renamed. The cause is part of the
    /// message (not a `source`), so it is shown once however the error is printed.
    #[error("{}: {error}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the system said.
        error: std::io::Error,
    },
    /// The home directory has no ledger file.
    #[error("no ledger at {} (create one with `dyad init {}`)", home.join(crate::LEDGER_FILE).display(), home.display())]
    NoLedger {
        /// The directory given as the home.
        home: PathBuf,
    },
    /// `dyad init` was pointed at a home that already holds a ledger.
    #[error("{} already exists", path.display())]
    AlreadyExists {
        /// The existing ledger file.
        path: PathBuf,
    },
    /// A curator token could not be created or revoked.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// The stored data is not what dyad wrote, or was written by a newer dyad.
    #[error("ledger is damaged: {0}")]
    Corrupt(String),
}

/// Why a curator token could not be created or revoked.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The name does not follow the rules (it is shown in the history, so it stays plain).
    #[error("`{0}` is not a valid token name: use 1 to 64 letters, digits, spaces, '-', '_', '.' or '@', without spaces at either end")]
    BadName(String),
    /// A live token already has this name.
    #[error("a token named `{0}` already exists; revoke it first or choose another name")]
    Exists(String),
    /// A revoked token had this name; names are never reused.
    #[error("the name `{name}` belonged to a token revoked at {revoked_at}; acts in the history carry it, so choose another name")]
    Retired {
        /// The name asked for.
        name: String,
        /// When its token was revoked.
        revoked_at: String,
    },
    /// The token to revoke is revoked already.
    #[error("token `{0}` is already revoked")]
    AlreadyRevoked(String),
    /// No token has this name.
    #[error("no token named `{0}` (see `dyad token list`)")]
    Unknown(String),
    /// The system gave no random numbers to make a secret from.
    #[error("no random numbers for a token: {0}")]
    NoRandom(getrandom::Error),
}

/// Result type of the ledger.
pub type Result<T> = std::result::Result<T, LedgerError>;

/// An [`LedgerError::Io`] about `path`.
pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> LedgerError {
    let path = path.into();
    move |error| LedgerError::Io { path, error }
}
