//! dyad-ledger: the SQLite store of acts, with every version kept.
//!
//! A home directory holds `ledger.sqlite` (WAL mode once written). Imports are validated in
//! full before the store is touched and run in one transaction, so a bad file changes nothing.
//! A correction of an act is a new version with who, when and why; `--known-on` answers as the
//! ledger stood at the end of a given day. With no home, [`Ledger::bundled`] serves the
//! Afghanistan and Venezuela datasets that are compiled into the binary.
//!
//! Opening a home never writes to it: it is read through a read-only connection, and the first
//! write (an import, a token) reopens it for writing and migrates it (see [`schema`]).
//!
//! - [`schema`]: numbered migrations and the version of a home;
//! - [`import`](Ledger::import) (`import.rs`): validation, then one transaction;
//! - [`acts`](Ledger::acts) (`query.rs`) and [`history`](Ledger::history) (`history.rs`);
//! - [`tokens`]: curator tokens for the web API.

// One `unsafe` (a prefetch hint in the import, `import.rs`) is allowed where it stands.
#![deny(unsafe_code)]

mod error;
mod history;
mod ids;
mod import;
mod query;
pub mod schema;
pub mod tokens;

use std::path::{Path, PathBuf};

use dyad_core::{Authority, Registry};
use rusqlite::{Connection, OpenFlags};
use time::OffsetDateTime;

pub use error::{LedgerError, Result, TokenError};
pub use history::ActVersion;
pub use import::{ImportReport, InputFile, Provenance};

use error::io;

/// The bundled Afghanistan dataset (sources in `data/afghanistan_iea_events.README.md`).
pub const BUNDLED_ACTS: &str = include_str!("../data/afghanistan_iea_events.csv");

/// The bundled Venezuela dataset, 2019–2023, acts toward the rival governments `VEN-GUAIDO`
/// and `VEN-MADURO` (sources and coding in `data/venezuela_acts.README.md`).
pub const BUNDLED_VENEZUELA_ACTS: &str = include_str!("../data/venezuela_acts.csv");

/// Every bundled acts file, by the name its errors and provenance give.
pub const BUNDLED_FILES: [(&str, &str); 2] = [
    ("<bundled>/afghanistan_iea_events.csv", BUNDLED_ACTS),
    ("<bundled>/venezuela_acts.csv", BUNDLED_VENEZUELA_ACTS),
];

/// Name of the ledger file inside a home directory.
pub const LEDGER_FILE: &str = "ledger.sqlite";

/// The ledger: a registry plus acts with their history.
pub struct Ledger {
    conn: Connection,
    registry: Registry,
    home: Option<PathBuf>,
    access: Access,
}

/// How a ledger's connection reaches its store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Read and write, at the current schema: the bundled ledger, a new home, or a home since
    /// its first write.
    Writable,
    /// The home's file, read-only, at a version read as is.
    ReadOnly { version: i64 },
    /// A copy in memory of a home too old to read as is, migrated there; the file is untouched.
    Copy { version: i64 },
}

/// What [`Ledger::migrate`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migrated {
    /// The home's schema version before.
    pub from: i64,
    /// Its version now ([`schema::SCHEMA_VERSION`]).
    pub to: i64,
}

/// Now, as stored timestamps are written (UTC, microseconds).
pub(crate) fn now() -> String {
    let t = OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

impl Ledger {
    /// An in-memory ledger holding the bundled dataset: what dyad answers from with no home.
    pub fn bundled() -> Result<Ledger> {
        let mut conn = Connection::open_in_memory()?;
        schema::migrate(&mut conn)?;
        let mut ledger = Ledger::with_conn(conn, None, Access::Writable)?;
        ledger.import_bundled()?;
        Ok(ledger)
    }

    /// Creates a home directory with a new ledger. Unless `empty`, it starts with the bundled
    /// dataset. Fails if the directory already holds a ledger.
    pub fn init(dir: &Path, empty: bool) -> Result<PathBuf> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let path = dir.join(LEDGER_FILE);
        if path.exists() {
            return Err(LedgerError::AlreadyExists { path });
        }
        // Build the ledger under a temporary name and rename it into place, so a crash never
        // leaves a half-made home.
        let tmp = dir.join(format!(".{LEDGER_FILE}.tmp"));
        let _ = std::fs::remove_file(&tmp);
        {
            let mut conn = Connection::open(&tmp)?;
            schema::migrate(&mut conn)?;
            let mut ledger = Ledger::with_conn(conn, None, Access::Writable)?;
            if !empty {
                ledger.import_bundled()?;
            }
            ledger.conn.execute_batch("PRAGMA journal_mode=DELETE;")?;
        }
        std::fs::rename(&tmp, &path).map_err(io(&path))?;
        Ok(path)
    }

    /// Opens the ledger in a home directory without writing to it. A home at
    /// [`schema::READ_AS_IS`] or later is read as it is; an older one is copied into memory
    /// and migrated there (see [`Ledger::upgraded_in_memory`]). The first write reopens the
    /// file for writing and migrates it.
    pub fn open(dir: &Path) -> Result<Ledger> {
        let path = ledger_path(dir)?;
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let version = schema::version(&conn)?;
        let (conn, access) = if version >= schema::READ_AS_IS {
            (conn, Access::ReadOnly { version })
        } else {
            (schema::migrated_copy(&conn)?, Access::Copy { version })
        };
        Ledger::with_conn(conn, Some(dir.to_path_buf()), access)
    }

    /// Migrates the ledger in a home to the current schema, each step in one transaction.
    pub fn migrate(dir: &Path) -> Result<Migrated> {
        let (_, from) = open_for_writing(&ledger_path(dir)?)?;
        Ok(Migrated {
            from,
            to: schema::SCHEMA_VERSION,
        })
    }

    fn with_conn(conn: Connection, home: Option<PathBuf>, access: Access) -> Result<Ledger> {
        let mut ledger = Ledger {
            conn,
            registry: Registry::bundled(),
            home,
            access,
        };
        ledger.load_authorities()?;
        Ok(ledger)
    }

    /// Makes the connection writable before a write: a home opened for reading is reopened
    /// for writing and migrated. Nothing it holds changes, so the registry is kept.
    pub(crate) fn writable(&mut self) -> Result<()> {
        if self.access == Access::Writable {
            return Ok(());
        }
        let Some(home) = &self.home else {
            return Ok(());
        };
        let (conn, _) = open_for_writing(&ledger_path(home)?)?;
        self.conn = conn;
        self.access = Access::Writable;
        Ok(())
    }

    /// The schema version the ledger's tables are at as this handle reads them: the home's own
    /// version when it is read as is, [`schema::SCHEMA_VERSION`] otherwise.
    pub(crate) fn read_version(&self) -> i64 {
        match self.access {
            Access::ReadOnly { version } => version,
            Access::Writable | Access::Copy { .. } => schema::SCHEMA_VERSION,
        }
    }

    /// When the home's schema is too old to read as is, its version: this handle then answers
    /// from a copy migrated in memory, and the home is unchanged until something writes to it
    /// (or [`Ledger::migrate`] is run).
    pub fn upgraded_in_memory(&self) -> Option<i64> {
        match self.access {
            Access::Copy { version } => Some(version),
            Access::Writable | Access::ReadOnly { .. } => None,
        }
    }

    fn load_authorities(&mut self) -> Result<()> {
        // Before version 3 no authority contested another state.
        let contests = if self.read_version() >= 3 {
            "contests"
        } else {
            "''"
        };
        let mut stmt = self.conn.prepare(&format!(
            "SELECT id, state, name, from_day, until_day, exile_from, source_url, note, {contests}
             FROM authorities"
        ))?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
            ))
        })?;
        let day = |s: &str| {
            dyad_core::date::parse_day(s).map_err(|e| LedgerError::Corrupt(e.to_string()))
        };
        for row in rows {
            let (id, state, name, from, until, exile_from, source_url, note, contests) = row?;
            self.registry.add_authority(Authority {
                id,
                state,
                name,
                from: day(&from)?,
                until: until.as_deref().map(day).transpose()?,
                exile_from: exile_from.as_deref().map(day).transpose()?,
                contests: contests.split_whitespace().map(str::to_string).collect(),
                source_url,
                note,
            });
        }
        Ok(())
    }

    /// The registry: bundled states and authorities plus those imported into this ledger.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The home directory, or `None` for the bundled ledger.
    pub fn home(&self) -> Option<&Path> {
        self.home.as_deref()
    }
}

/// The ledger file of a home, which must exist.
fn ledger_path(dir: &Path) -> Result<PathBuf> {
    let path = dir.join(LEDGER_FILE);
    if !path.exists() {
        return Err(LedgerError::NoLedger {
            home: dir.to_path_buf(),
        });
    }
    Ok(path)
}

/// A writable connection to a ledger file, migrated to the current schema; with the version it
/// was at.
fn open_for_writing(path: &Path) -> Result<(Connection, i64)> {
    let mut conn = Connection::open(path)?;
    let from = schema::migrate(&mut conn)?;
    conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")?;
    Ok((conn, from))
}
