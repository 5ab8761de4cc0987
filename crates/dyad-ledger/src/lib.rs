//! dyad-ledger: the SQLite store of acts, with every version kept.
//!
//! A home directory holds `ledger.sqlite` (WAL mode). Imports are validated in full before the
//! store is touched and run in one transaction, so a bad file changes nothing. A correction of
//! an act is a new version with who, when and why; `--known-on` answers as the ledger stood at
//! the end of a given day. With no home, [`Ledger::bundled`] serves the Afghanistan dataset that
//! is compiled into the binary.

pub mod tokens;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use dyad_core::acts_csv::{parse_acts, ActRow};
use dyad_core::codes::parse_authorities;
use dyad_core::{Act, ActKind, Authority, InputError, InputErrors, PartialDate, Registry};
use rusqlite::{params, Connection, OptionalExtension};
use time::{Date, OffsetDateTime};

/// The bundled Afghanistan dataset (sources in `data/afghanistan_iea_events.README.md`).
pub const BUNDLED_ACTS: &str = include_str!("../data/afghanistan_iea_events.csv");

/// Name of the ledger file inside a home directory.
pub const LEDGER_FILE: &str = "ledger.sqlite";

const SCHEMA_VERSION: i64 = 1;

/// SQLite page cache for an import, in KiB (the default is 2 MiB).
const IMPORT_CACHE_KIB: i64 = 1024 * 1024;

/// Errors of the ledger.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// Input files were invalid; nothing was changed.
    #[error(transparent)]
    Input(#[from] InputErrors),
    /// The database failed.
    #[error("ledger database")]
    Sql(#[from] rusqlite::Error),
    /// A file could not be read or the home is unusable.
    #[error("{0}")]
    Io(String),
    /// The stored data is not what dyad wrote.
    #[error("ledger is damaged: {0}")]
    Corrupt(String),
}

/// Result type of the ledger.
pub type Result<T> = std::result::Result<T, LedgerError>;

/// Who records a change, and why.
#[derive(Debug, Clone)]
pub struct Provenance {
    /// Person or tool making the change.
    pub by: String,
    /// Why (for a correction: what was wrong).
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    /// Authorities added or updated.
    pub authorities: usize,
    /// Acts new to the ledger.
    pub added: usize,
    /// Acts that existed with different content: stored as a new version.
    pub corrected: usize,
    /// Acts already in the ledger exactly as given.
    pub unchanged: usize,
}

/// One stored version of an act.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ActVersion {
    /// The act as of this version.
    pub act: Act,
    /// 1 for the first record, then 2, 3, ...
    pub version: i64,
    /// When this version was recorded (UTC, RFC 3339).
    pub recorded_at: String,
    /// Who recorded it.
    pub recorded_by: String,
    /// Why.
    pub reason: String,
    /// When a later version replaced it, if one did.
    pub superseded_at: Option<String>,
}

/// The ledger: a registry plus acts with their history.
pub struct Ledger {
    conn: Connection,
    registry: Registry,
    home: Option<PathBuf>,
}

/// An input file given to [`Ledger::import`].
pub struct InputFile {
    /// Name used in messages.
    pub name: String,
    /// Raw contents.
    pub bytes: Vec<u8>,
}

impl InputFile {
    /// Reads a file from disk.
    pub fn read(path: &Path) -> Result<InputFile> {
        let bytes =
            std::fs::read(path).map_err(|e| LedgerError::Io(format!("{}: {e}", path.display())))?;
        Ok(InputFile {
            name: path.display().to_string(),
            bytes,
        })
    }
}

fn now() -> String {
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

/// The bundled dataset was copied into dyad on this day; bundled acts are recorded then.
const BUNDLED_RECORDED_AT: &str = "2026-11-29T00:00:00.000000Z";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS authorities(
    id TEXT PRIMARY KEY, state TEXT NOT NULL, name TEXT NOT NULL, from_day TEXT NOT NULL,
    until_day TEXT, exile_from TEXT, source_url TEXT NOT NULL, note TEXT NOT NULL,
    recorded_at TEXT NOT NULL, recorded_by TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS acts(
    authority TEXT NOT NULL, actor TEXT NOT NULL, seq INTEGER NOT NULL,
    id TEXT NOT NULL, id_hash INTEGER NOT NULL, version INTEGER NOT NULL,
    date TEXT NOT NULL, act TEXT NOT NULL,
    level INTEGER, detail TEXT NOT NULL, source_url TEXT NOT NULL, source_date TEXT,
    recorded_at TEXT NOT NULL, recorded_by TEXT NOT NULL, reason TEXT NOT NULL,
    superseded_at TEXT,
    PRIMARY KEY(authority, actor, seq)) WITHOUT ROWID;
";

/// Imports of at least this many acts into a home write through a rollback journal.
const BULK_MIN_ACTS: usize = 50_000;

/// Lookups of an act by id (history, corrections). Acts themselves are stored clustered by
/// (authority, actor, seq), so `status` for one authority reads a contiguous range of pages.
/// It is keyed on a 64-bit hash of the id: building it sorts integers instead of comparing a
/// million long strings with shared prefixes. Lookups check the id itself too.
const CREATE_ID_INDEX: &str = "CREATE INDEX IF NOT EXISTS acts_by_id ON acts(id_hash);";

/// FNV-1a, 64 bits: a fixed, documented hash, so stored values stay valid across Rust versions.
fn id_hash(id: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h as i64
}

impl Ledger {
    /// An in-memory ledger holding the bundled dataset: what dyad answers from with no home.
    pub fn bundled() -> Result<Ledger> {
        let mut ledger = Ledger::from_conn(Connection::open_in_memory()?, None)?;
        ledger.import_bundled()?;
        Ok(ledger)
    }

    /// Creates a home directory with a new ledger. Unless `empty`, it starts with the bundled
    /// dataset. Fails if the directory already holds a ledger.
    pub fn init(dir: &Path, empty: bool) -> Result<PathBuf> {
        std::fs::create_dir_all(dir)
            .map_err(|e| LedgerError::Io(format!("{}: {e}", dir.display())))?;
        let path = dir.join(LEDGER_FILE);
        if path.exists() {
            return Err(LedgerError::Io(format!(
                "{} already exists",
                path.display()
            )));
        }
        // Build the ledger under a temporary name and rename it into place, so a crash never
        // leaves a half-made home.
        let tmp = dir.join(format!(".{LEDGER_FILE}.tmp"));
        let _ = std::fs::remove_file(&tmp);
        {
            let mut ledger = Ledger::from_conn(Connection::open(&tmp)?, None)?;
            if !empty {
                ledger.import_bundled()?;
            }
            ledger.conn.execute_batch("PRAGMA journal_mode=DELETE;")?;
        }
        std::fs::rename(&tmp, &path)
            .map_err(|e| LedgerError::Io(format!("{}: {e}", path.display())))?;
        Ok(path)
    }

    /// Opens the ledger in a home directory.
    pub fn open(dir: &Path) -> Result<Ledger> {
        let path = dir.join(LEDGER_FILE);
        if !path.exists() {
            return Err(LedgerError::Io(format!(
                "no ledger at {} (create one with `dyad init {}`)",
                path.display(),
                dir.display()
            )));
        }
        let conn = Connection::open(&path)?;
        conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")?;
        Ledger::from_conn(conn, Some(dir.to_path_buf()))
    }

    fn from_conn(conn: Connection, home: Option<PathBuf>) -> Result<Ledger> {
        // Rows of acts run to a few hundred bytes; larger pages keep more of them per page. This
        // only takes effect on a new database.
        conn.execute_batch("PRAGMA page_size = 8192;")?;
        conn.execute_batch(SCHEMA)?;
        conn.execute_batch(CREATE_ID_INDEX)?;
        let version: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key='schema'", [], |r| {
                r.get(0)
            })
            .optional()?;
        match version {
            None => {
                conn.execute(
                    "INSERT INTO meta VALUES('schema', ?1)",
                    [SCHEMA_VERSION.to_string()],
                )?;
            }
            Some(v) if v == SCHEMA_VERSION.to_string() => {}
            Some(v) => return Err(LedgerError::Corrupt(format!("unknown schema version {v}"))),
        }
        let mut ledger = Ledger {
            conn,
            registry: Registry::bundled(),
            home,
        };
        ledger.load_authorities()?;
        Ok(ledger)
    }

    fn import_bundled(&mut self) -> Result<()> {
        let rows = parse_acts(
            "<bundled>/afghanistan_iea_events.csv",
            BUNDLED_ACTS.as_bytes(),
            &self.registry,
        )?;
        let prov = Provenance {
            by: "dyad (bundled dataset)".into(),
            reason: "bundled dataset".into(),
        };
        let tx = self.conn.transaction()?;
        write_acts(&tx, rows.iter().map(|r| &r.act), &prov, BUNDLED_RECORDED_AT)?;
        tx.commit()?;
        Ok(())
    }

    fn load_authorities(&mut self) -> Result<()> {
        let mut stmt = self.conn.prepare(
            "SELECT id, state, name, from_day, until_day, exile_from, source_url, note FROM authorities",
        )?;
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
            ))
        })?;
        let day = |s: &str| {
            dyad_core::date::parse_day(s).map_err(|e| LedgerError::Corrupt(e.to_string()))
        };
        for row in rows {
            let (id, state, name, from, until, exile_from, source_url, note) = row?;
            self.registry.add_authority(Authority {
                id,
                state,
                name,
                from: day(&from)?,
                until: until.as_deref().map(day).transpose()?,
                exile_from: exile_from.as_deref().map(day).transpose()?,
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

    /// Validates every file, then imports all of them in one transaction. Files whose header
    /// starts an authorities list are read first, so a new case family can come in one call.
    pub fn import(&mut self, files: &[InputFile], prov: &Provenance) -> Result<ImportReport> {
        self.import_at(files, prov, &now())
    }

    /// As [`Ledger::import`], recording the change at the given RFC 3339 time.
    pub fn import_at(
        &mut self,
        files: &[InputFile],
        prov: &Provenance,
        recorded_at: &str,
    ) -> Result<ImportReport> {
        let (authority_files, act_files): (Vec<&InputFile>, Vec<&InputFile>) =
            files.iter().partition(|f| is_authorities_file(&f.bytes));
        let mut errors = Vec::new();
        let mut registry = self.registry.clone();
        let mut authorities = Vec::new();
        for f in authority_files {
            match parse_authorities(&f.name, &f.bytes, &registry) {
                Ok(list) => {
                    for a in list {
                        registry.add_authority(a.clone());
                        authorities.push(a);
                    }
                }
                Err(e) => errors.extend(e.0),
            }
        }
        let mut parsed: Vec<(&str, Vec<ActRow>)> = Vec::new();
        for f in act_files {
            match parse_acts(&f.name, &f.bytes, &registry) {
                Ok(rows) => parsed.push((&f.name, rows)),
                Err(e) => errors.extend(e.0),
            }
        }
        // A file's own duplicates are already errors of `parse_acts`; only several files can
        // repeat an act between them.
        let mut first_seen: HashMap<&str, (&str, u64)> = HashMap::new();
        for (file, rows) in parsed.iter().filter(|_| parsed.len() > 1) {
            for r in rows {
                if let Some((other, line)) = first_seen.insert(&r.act.id, (file, r.line)) {
                    errors.push(InputError {
                        file: file.to_string(),
                        line: r.line,
                        column: 0,
                        field: None,
                        message: format!("duplicate act `{}`: also at {other}:{line}", r.act.id),
                    });
                }
            }
        }
        if !errors.is_empty() {
            return Err(InputErrors(errors).into());
        }

        // A large import updates index pages all over the file. SQLite's default cache (2 MiB)
        // then spills dirty pages to the WAL and reads them back for every row; a larger cache
        // for the import keeps them in memory. It is allocated only as pages are used.
        let cache: i64 = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        self.conn
            .execute_batch(&format!("PRAGMA cache_size = -{IMPORT_CACHE_KIB}"))?;
        // In WAL mode every page of a large import is written twice (to the WAL, then to the
        // database). A rollback journal writes it once, and keeps the transaction atomic: the
        // journal holds the old pages until the commit. Only for a file-backed ledger.
        let n_acts: usize = parsed.iter().map(|(_, rows)| rows.len()).sum();
        let bulk = self.home.is_some() && n_acts >= BULK_MIN_ACTS;
        if bulk {
            self.conn.execute_batch("PRAGMA journal_mode = DELETE;")?;
        }
        let written = self.write_import(&authorities, &parsed, prov, recorded_at);
        if bulk {
            self.conn.execute_batch("PRAGMA journal_mode = WAL;")?;
        }
        self.conn
            .execute_batch(&format!("PRAGMA cache_size = {cache}"))?;
        let mut report = written?;
        report.authorities = authorities.len();
        self.registry = registry;
        Ok(report)
    }

    /// The write half of [`Ledger::import_at`]: one transaction, all or nothing.
    fn write_import(
        &mut self,
        authorities: &[Authority],
        parsed: &[(&str, Vec<ActRow>)],
        prov: &Provenance,
        recorded_at: &str,
    ) -> Result<ImportReport> {
        let tx = self.conn.transaction()?;
        for a in authorities {
            tx.execute(
                "INSERT OR REPLACE INTO authorities VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
                params![
                    a.id,
                    a.state,
                    a.name,
                    dyad_core::date::format_day(a.from),
                    a.until.map(dyad_core::date::format_day),
                    a.exile_from.map(dyad_core::date::format_day),
                    a.source_url,
                    a.note,
                    recorded_at,
                    prov.by
                ],
            )?;
        }
        let report = write_acts(
            &tx,
            parsed
                .iter()
                .flat_map(|(_, rows)| rows.iter().map(|r| &r.act)),
            prov,
            recorded_at,
        )?;
        tx.commit()?;
        Ok(report)
    }

    /// Current acts (or, with `known_on`, as the ledger stood at the end of that day) matching
    /// an optional authority and actor, ordered by date.
    pub fn acts(
        &self,
        authority: Option<&str>,
        actor: Option<&str>,
        known_on: Option<Date>,
    ) -> Result<Vec<Act>> {
        let mut sql = String::from(
            "SELECT id, date, actor, authority, act, level, detail, source_url, source_date FROM acts WHERE ",
        );
        let cutoff = known_on.map(end_of_day);
        let mut args: Vec<&dyn rusqlite::ToSql> = Vec::new();
        if let Some(cutoff) = &cutoff {
            args.push(cutoff);
            sql.push_str("recorded_at < ?1 AND (superseded_at IS NULL OR superseded_at >= ?1)");
        } else {
            sql.push_str("superseded_at IS NULL");
        }
        // Only the filters given go into the query, so SQLite can use the (authority, actor)
        // index: `(?2 IS NULL OR authority = ?2)` would make it scan every act.
        if let Some(authority) = &authority {
            args.push(authority);
            sql.push_str(&format!(" AND authority = ?{}", args.len()));
        }
        if let Some(actor) = &actor {
            args.push(actor);
            sql.push_str(&format!(" AND actor = ?{}", args.len()));
        }
        sql.push_str(" ORDER BY authority, actor, seq");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(args.as_slice(), read_act)?;
        let mut out = rows
            .collect::<rusqlite::Result<Vec<Result<Act>>>>()?
            .into_iter()
            .collect::<Result<Vec<Act>>>()?;
        out.sort_by_key(|a| a.date.end());
        Ok(out)
    }

    /// Every stored version of an act, oldest first.
    pub fn history(&self, id: &str) -> Result<Vec<ActVersion>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, date, actor, authority, act, level, detail, source_url, source_date,
                    version, recorded_at, recorded_by, reason, superseded_at
             FROM acts WHERE id_hash = ?2 AND id = ?1 ORDER BY version",
        )?;
        let rows = stmt.query_map(params![id, id_hash(id)], |r| {
            Ok((
                read_act(r)?,
                r.get(9)?,
                r.get(10)?,
                r.get(11)?,
                r.get(12)?,
                r.get(13)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (act, version, recorded_at, recorded_by, reason, superseded_at) = row?;
            out.push(ActVersion {
                act: act?,
                version,
                recorded_at,
                recorded_by,
                reason,
                superseded_at,
            });
        }
        Ok(out)
    }
}

/// Whether a CSV starts with an authorities header (it has `id`, `state` and `from`).
fn is_authorities_file(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let header = String::from_utf8_lossy(first);
    let cols: Vec<&str> = header.trim().split(',').map(str::trim).collect();
    ["id", "state", "from"].iter().all(|c| cols.contains(c))
}

/// The first instant after `day` ends, as stored timestamps compare.
fn end_of_day(day: Date) -> String {
    let next = day.next_day().unwrap_or(day);
    format!("{}T00:00:00.000000Z", dyad_core::date::format_day(next))
}

fn read_act(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Act>> {
    let date: String = r.get(1)?;
    let kind: String = r.get(4)?;
    let source_date: Option<String> = r.get(8)?;
    let level: Option<i64> = r.get(5)?;
    let corrupt = |what: String| LedgerError::Corrupt(what);
    let build = || -> Result<Act> {
        Ok(Act {
            id: r.get(0)?,
            date: PartialDate::parse(&date).map_err(|e| corrupt(e.to_string()))?,
            actor: r.get(2)?,
            authority: r.get(3)?,
            kind: kind
                .parse::<ActKind>()
                .map_err(|e| corrupt(e.to_string()))?,
            level: level.map(|l| l as u8),
            detail: r.get(6)?,
            source_url: r.get(7)?,
            source_date: source_date
                .as_deref()
                .map(PartialDate::parse)
                .transpose()
                .map_err(|e| corrupt(e.to_string()))?,
        })
    };
    Ok(build())
}

/// The position of each distinct code in sorted order.
fn ranks<'a>(codes: impl Iterator<Item = &'a str>) -> HashMap<&'a str, u32> {
    let distinct: std::collections::HashSet<&str> = codes.collect();
    let mut sorted: Vec<&str> = distinct.into_iter().collect();
    sorted.sort_unstable();
    sorted.into_iter().zip(0..).collect()
}

/// Stores acts inside an open transaction: new ids get version 1, changed ones a new version.
///
/// Acts are written sorted by (authority, actor), in input order within a pair, so that they
/// append to the clustered table. Into an empty ledger the id index is built once at the end
/// (ids are unique within one import, so nothing needs looking up on the way).
fn write_acts<'a>(
    tx: &rusqlite::Transaction<'_>,
    acts: impl Iterator<Item = &'a Act>,
    prov: &Provenance,
    recorded_at: &str,
) -> Result<ImportReport> {
    let mut acts: Vec<&Act> = acts.collect();
    // Sort on ranks of the few distinct codes rather than comparing strings a million times.
    let authority_rank = ranks(acts.iter().map(|a| a.authority.as_str()));
    let actor_rank = ranks(acts.iter().map(|a| a.actor.as_str()));
    acts.sort_by_cached_key(|a| {
        (
            authority_rank[a.authority.as_str()],
            actor_rank[a.actor.as_str()],
        )
    });
    let mut report = ImportReport::default();
    let empty: bool = tx.query_row("SELECT NOT EXISTS(SELECT 1 FROM acts)", [], |r| r.get(0))?;
    if empty {
        tx.execute_batch("DROP INDEX IF EXISTS acts_by_id")?;
    }
    let mut next_seq: i64 =
        tx.query_row("SELECT coalesce(max(seq), 0) + 1 FROM acts", [], |r| {
            r.get(0)
        })?;
    let mut find = tx.prepare_cached(
        "SELECT authority, actor, seq, version, date, act, level, detail, source_url, source_date
         FROM acts WHERE id_hash = ?2 AND id = ?1 AND superseded_at IS NULL",
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO acts(authority, actor, seq, id, version, date, act, level, detail, source_url,
                          source_date, recorded_at, recorded_by, reason, id_hash)
         VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)",
    )?;
    let mut supersede = tx.prepare_cached(
        "UPDATE acts SET superseded_at = ?4 WHERE authority = ?1 AND actor = ?2 AND seq = ?3",
    )?;
    for act in acts {
        let date = act.date.to_string();
        let source_date = act.source_date.map(|d| d.to_string());
        let level = act.level.map(i64::from);
        let current = if empty {
            None
        } else {
            find.query_row(params![act.id, id_hash(&act.id)], |r| {
                let key: (String, String, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
                let same = key.0 == act.authority
                    && key.1 == act.actor
                    && r.get::<_, String>(4)? == date
                    && r.get::<_, String>(5)? == act.kind.as_str()
                    && r.get::<_, Option<i64>>(6)? == level
                    && r.get::<_, String>(7)? == act.detail
                    && r.get::<_, String>(8)? == act.source_url
                    && r.get::<_, Option<String>>(9)? == source_date;
                Ok((key, r.get::<_, i64>(3)?, same))
            })
            .optional()?
        };
        let version = match current {
            None => {
                report.added += 1;
                1
            }
            Some((_, _, true)) => {
                report.unchanged += 1;
                continue;
            }
            Some(((authority, actor, seq), version, false)) => {
                supersede.execute(params![authority, actor, seq, recorded_at])?;
                report.corrected += 1;
                version + 1
            }
        };
        insert.execute(params![
            act.authority,
            act.actor,
            next_seq,
            act.id,
            version,
            date,
            act.kind.as_str(),
            level,
            act.detail,
            act.source_url,
            source_date,
            recorded_at,
            prov.by,
            prov.reason,
            id_hash(&act.id)
        ])?;
        next_seq += 1;
    }
    if empty {
        tx.execute_batch(CREATE_ID_INDEX)?;
    }
    Ok(report)
}
