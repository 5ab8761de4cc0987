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

/// Version 2 keeps who/when/why once per import (`imports`) and stores an act's id only when
/// it is not the natural one; version 3 adds the states an authority contests. Homes of
/// versions 1 and 2 are migrated when opened, one step at a time.
const SCHEMA_VERSION: i64 = 3;

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

/// The store. `acts` is clustered by (authority, actor, seq), so `status` for one authority
/// reads a contiguous range of pages; `seq` follows import order, so same-day acts keep file
/// order. Who recorded a version, when and why is one `imports` row per import, not three
/// strings per act, and `superseded_by` names the import that replaced a version (its
/// `recorded_at` is when). `id` is NULL when the act's id is its natural one,
/// `ACTOR/AUTHORITY/DATE/ACT` (no code contains `/`, so such an id is found from its parts
/// through the primary key); other ids are kept with a hash for the partial index `acts_by_id`,
/// which therefore costs nothing for ordinary acts.
const SCHEMA: &str = "
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS authorities(
    id TEXT PRIMARY KEY, state TEXT NOT NULL, name TEXT NOT NULL, from_day TEXT NOT NULL,
    until_day TEXT, exile_from TEXT, source_url TEXT NOT NULL, note TEXT NOT NULL,
    recorded_at TEXT NOT NULL, recorded_by TEXT NOT NULL, contests TEXT NOT NULL DEFAULT '');
CREATE TABLE imports(
    id INTEGER PRIMARY KEY, recorded_at TEXT NOT NULL, recorded_by TEXT NOT NULL,
    reason TEXT NOT NULL);
CREATE TABLE acts(
    authority TEXT NOT NULL, actor TEXT NOT NULL, seq INTEGER NOT NULL,
    id TEXT, id_hash INTEGER, version INTEGER NOT NULL,
    date TEXT NOT NULL, act TEXT NOT NULL,
    level INTEGER, detail TEXT NOT NULL, source_url TEXT NOT NULL, source_date TEXT,
    import INTEGER NOT NULL, superseded_by INTEGER,
    PRIMARY KEY(authority, actor, seq)) WITHOUT ROWID;
CREATE INDEX acts_by_id ON acts(id_hash) WHERE id_hash IS NOT NULL;
";

/// Imports of at least this many acts into a home write through a rollback journal.
const BULK_MIN_ACTS: usize = 50_000;

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
        // Rows of acts run to a few hundred bytes; larger pages keep more of them per page, and
        // a bulk import splits and writes half as many pages as with 8 KiB (about 0.4 s less
        // CPU for 1M acts; `status` no slower). This only takes effect on a new database.
        conn.execute_batch("PRAGMA page_size = 16384;")?;
        let has_meta: bool = conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta')",
            [],
            |r| r.get(0),
        )?;
        let version: Option<String> = if has_meta {
            conn.query_row("SELECT value FROM meta WHERE key='schema'", [], |r| {
                r.get(0)
            })
            .optional()?
        } else {
            None
        };
        match version.as_deref() {
            None if !has_meta => {
                conn.execute_batch(&format!(
                    "BEGIN; {SCHEMA} INSERT INTO meta VALUES('schema', '{SCHEMA_VERSION}'); COMMIT;"
                ))?;
            }
            Some("1") => {
                migrate_v1(&conn)?;
                migrate_v2(&conn)?;
            }
            Some("2") => migrate_v2(&conn)?,
            Some(v) if v == SCHEMA_VERSION.to_string() => {}
            Some(v) => {
                return Err(LedgerError::Corrupt(format!(
                    "schema version {v}, but this dyad reads version {SCHEMA_VERSION} (and \
                     migrates versions 1 and 2); use the dyad that wrote it, or a newer one"
                )))
            }
            None => return Err(LedgerError::Corrupt("no schema version in `meta`".into())),
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
        let mut rows = Vec::new();
        for (name, text) in BUNDLED_FILES {
            rows.extend(parse_acts(name, text.as_bytes(), &self.registry)?);
        }
        let prov = Provenance {
            by: "dyad (bundled dataset)".into(),
            reason: "bundled dataset".into(),
        };
        let tx = self.conn.transaction()?;
        write_acts(&tx, rows.iter(), &prov, BUNDLED_RECORDED_AT)?;
        tx.commit()?;
        Ok(())
    }

    fn load_authorities(&mut self) -> Result<()> {
        let mut stmt = self.conn.prepare(
            "SELECT id, state, name, from_day, until_day, exile_from, source_url, note, contests
             FROM authorities",
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
                "INSERT OR REPLACE INTO authorities VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)",
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
                    prov.by,
                    a.contests.join(" ")
                ],
            )?;
        }
        let report = write_acts(
            &tx,
            parsed.iter().flat_map(|(_, rows)| rows.iter()),
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
            sql.push_str(
                "import IN (SELECT id FROM imports WHERE recorded_at < ?1)
                 AND (superseded_by IS NULL
                      OR superseded_by NOT IN (SELECT id FROM imports WHERE recorded_at < ?1))",
            );
        } else {
            sql.push_str("superseded_by IS NULL");
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
        // Stable, so same-day acts keep (authority, actor, seq) order; each end is computed
        // once rather than at every comparison (9k acts for one authority of the benchmark).
        out.sort_by_cached_key(|a| a.date.end());
        Ok(out)
    }

    /// Every stored version of an act, oldest first.
    pub fn history(&self, id: &str) -> Result<Vec<ActVersion>> {
        const COLUMNS: &str = "SELECT a.id, a.date, a.actor, a.authority, a.act, a.level, a.detail,
                a.source_url, a.source_date, a.version, i.recorded_at, i.recorded_by, i.reason,
                s.recorded_at
            FROM acts a JOIN imports i ON i.id = a.import
            LEFT JOIN imports s ON s.id = a.superseded_by";
        let read = |r: &rusqlite::Row<'_>| {
            Ok((
                read_act(r)?,
                r.get(9)?,
                r.get(10)?,
                r.get(11)?,
                r.get(12)?,
                r.get(13)?,
            ))
        };
        // Versions stored with their id, then versions whose id is the natural one.
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{COLUMNS} WHERE a.id_hash = ?2 AND a.id = ?1"))?;
        let mut rows = stmt
            .query_map(params![id, id_hash(id)], read)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if let Some([actor, authority, date, act]) = natural_parts(id) {
            let mut stmt = self.conn.prepare_cached(&format!(
                "{COLUMNS} WHERE a.authority = ?1 AND a.actor = ?2 AND a.date = ?3 AND a.act = ?4
                   AND a.id IS NULL"
            ))?;
            rows.extend(
                stmt.query_map(params![authority, actor, date, act], read)?
                    .collect::<rusqlite::Result<Vec<_>>>()?,
            );
        }
        let mut out = Vec::new();
        for (act, version, recorded_at, recorded_by, reason, superseded_at) in rows {
            out.push(ActVersion {
                act: act?,
                version,
                recorded_at,
                recorded_by,
                reason,
                superseded_at,
            });
        }
        out.sort_by_key(|v| v.version);
        Ok(out)
    }
}

/// FNV-1a, 64 bits: a fixed, documented hash, so stored values stay valid across Rust versions.
fn id_hash(id: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h as i64
}

/// The parts `[actor, authority, date, act]` of an id in the natural form. Codes, dates and act
/// names never contain `/`, so a natural id splits into its parts in exactly one way.
fn natural_parts(id: &str) -> Option<[&str; 4]> {
    let mut parts = id.split('/');
    let out = [parts.next()?, parts.next()?, parts.next()?, parts.next()?];
    parts.next().is_none().then_some(out)
}

/// Whether an act's id is its natural one (`ACTOR/AUTHORITY/DATE/ACT`, `date` being the act's
/// date as stored), checked without building the string.
fn has_natural_id(act: &Act, date: &str) -> bool {
    let rest = act
        .id
        .strip_prefix(act.actor.as_str())
        .and_then(|r| r.strip_prefix('/'))
        .and_then(|r| r.strip_prefix(act.authority.as_str()))
        .and_then(|r| r.strip_prefix('/'))
        .and_then(|r| r.strip_prefix(date))
        .and_then(|r| r.strip_prefix('/'));
    // A `/` inside a code would make the id split differently from how it was built.
    rest == Some(act.kind.as_str()) && !act.actor.contains('/') && !act.authority.contains('/')
}

/// Upgrades a version 1 ledger in place, in one transaction: who/when/why move to `imports`,
/// natural ids are dropped (they are rebuilt from the act), `superseded_at` becomes the import
/// that recorded it. Every version 1 layout had the columns read here.
fn migrate_v1(conn: &Connection) -> Result<()> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let result = (|| -> Result<()> {
        conn.execute_batch(
            "ALTER TABLE acts RENAME TO acts_v1;
             DROP INDEX IF EXISTS acts_by_id;
             DROP INDEX IF EXISTS acts_by_authority;
             CREATE TABLE imports(
                 id INTEGER PRIMARY KEY, recorded_at TEXT NOT NULL, recorded_by TEXT NOT NULL,
                 reason TEXT NOT NULL);
             INSERT INTO imports(recorded_at, recorded_by, reason)
                 SELECT recorded_at, recorded_by, reason FROM acts_v1
                 GROUP BY recorded_at, recorded_by, reason ORDER BY min(seq);
             -- A replacement was always recorded by an import at the same instant; should one be
             -- missing, the instant is kept with an unknown author.
             INSERT INTO imports(recorded_at, recorded_by, reason)
                 SELECT DISTINCT superseded_at, 'unknown', 'unknown (migrated)' FROM acts_v1
                 WHERE superseded_at IS NOT NULL
                   AND superseded_at NOT IN (SELECT recorded_at FROM imports);
             CREATE INDEX imports_v1 ON imports(recorded_at, recorded_by, reason);
             CREATE TABLE acts(
                 authority TEXT NOT NULL, actor TEXT NOT NULL, seq INTEGER NOT NULL,
                 id TEXT, id_hash INTEGER, version INTEGER NOT NULL,
                 date TEXT NOT NULL, act TEXT NOT NULL,
                 level INTEGER, detail TEXT NOT NULL, source_url TEXT NOT NULL, source_date TEXT,
                 import INTEGER NOT NULL, superseded_by INTEGER,
                 PRIMARY KEY(authority, actor, seq)) WITHOUT ROWID;
             INSERT INTO acts
                 SELECT a.authority, a.actor, a.seq,
                     nullif(a.id, a.actor || '/' || a.authority || '/' || a.date || '/' || a.act),
                     NULL, a.version, a.date, a.act, a.level, a.detail, a.source_url, a.source_date,
                     (SELECT min(i.id) FROM imports i WHERE i.recorded_at = a.recorded_at
                         AND i.recorded_by = a.recorded_by AND i.reason = a.reason),
                     (SELECT min(i.id) FROM imports i WHERE i.recorded_at = a.superseded_at)
                 FROM acts_v1 a ORDER BY a.authority, a.actor, a.seq;
             DROP INDEX imports_v1;
             DROP TABLE acts_v1;",
        )?;
        let ids: Vec<(String, String, i64, String)> = conn
            .prepare("SELECT authority, actor, seq, id FROM acts WHERE id IS NOT NULL")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut set = conn.prepare(
            "UPDATE acts SET id_hash = ?4 WHERE authority = ?1 AND actor = ?2 AND seq = ?3",
        )?;
        for (authority, actor, seq, id) in &ids {
            set.execute(params![authority, actor, seq, id_hash(id)])?;
        }
        conn.execute_batch(
            "CREATE INDEX acts_by_id ON acts(id_hash) WHERE id_hash IS NOT NULL;
             INSERT OR REPLACE INTO meta
                 VALUES('next_seq', (SELECT coalesce(max(seq), 0) + 1 FROM acts));
             UPDATE meta SET value = '2' WHERE key = 'schema';
             COMMIT;",
        )?;
        Ok(())
    })();
    if result.is_err() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    result
}

/// Upgrades a version 2 ledger: authorities gain `contests` (the other states an authority
/// claims, for `dyad contest`), empty for every authority recorded before.
fn migrate_v2(conn: &Connection) -> Result<()> {
    conn.execute_batch(&format!(
        "BEGIN IMMEDIATE;
         ALTER TABLE authorities ADD COLUMN contests TEXT NOT NULL DEFAULT '';
         UPDATE meta SET value = '{SCHEMA_VERSION}' WHERE key = 'schema';
         COMMIT;"
    ))
    .inspect_err(|_| {
        let _ = conn.execute_batch("ROLLBACK");
    })?;
    Ok(())
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
    let actor: String = r.get(2)?;
    let authority: String = r.get(3)?;
    let kind: String = r.get(4)?;
    // A NULL id is the natural one, rebuilt from the stored text of its parts.
    let id = match r.get::<_, Option<String>>(0)? {
        Some(id) => id,
        None => format!("{actor}/{authority}/{date}/{kind}"),
    };
    let source_date: Option<String> = r.get(8)?;
    let level: Option<i64> = r.get(5)?;
    let corrupt = |what: String| LedgerError::Corrupt(what);
    let build = || -> Result<Act> {
        Ok(Act {
            id,
            date: PartialDate::parse(&date).map_err(|e| corrupt(e.to_string()))?,
            actor,
            authority,
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

/// A map keyed by short codes, hashed with foldhash rather than SipHash: a large import looks
/// up two codes per act, and the keys come from the user's own files.
type CodeMap<'a> = HashMap<&'a str, u32, foldhash::fast::RandomState>;

/// The position of each distinct code in sorted order.
fn ranks<'a>(codes: impl Iterator<Item = &'a str>) -> CodeMap<'a> {
    let distinct: std::collections::HashSet<&str> = codes.collect();
    let mut sorted: Vec<&str> = distinct.into_iter().collect();
    sorted.sort_unstable();
    sorted.into_iter().zip(0..).collect()
}

/// The current version of an act as stored, to compare an imported row against.
struct Stored {
    authority: String,
    actor: String,
    seq: i64,
    version: i64,
    date: String,
    act: String,
    level: Option<i64>,
    detail: String,
    source_url: String,
    source_date: Option<String>,
}

impl Stored {
    fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Stored> {
        Ok(Stored {
            authority: r.get(0)?,
            actor: r.get(1)?,
            seq: r.get(2)?,
            version: r.get(3)?,
            date: r.get(4)?,
            act: r.get(5)?,
            level: r.get(6)?,
            detail: r.get(7)?,
            source_url: r.get(8)?,
            source_date: r.get(9)?,
        })
    }

    fn same(&self, act: &Act, date: &str, source_date: Option<&str>) -> bool {
        self.authority == act.authority
            && self.actor == act.actor
            && self.date == date
            && self.act == act.kind.as_str()
            && self.level == act.level.map(i64::from)
            && self.detail == act.detail
            && self.source_url == act.source_url
            && self.source_date.as_deref() == source_date
    }
}

const STORED_COLUMNS: &str =
    "authority, actor, seq, version, date, act, level, detail, source_url, source_date";

/// Finds the current version of an id in a non-empty ledger. Acts with natural ids are looked
/// up by their pair: the pair's current acts are read once into a map, so a large import
/// reads each pair it touches once rather than once per act.
struct Finder<'t> {
    by_id: rusqlite::CachedStatement<'t>,
    pair: rusqlite::CachedStatement<'t>,
    /// (authority, actor) -> (date, act) -> current version with a natural id.
    pairs: HashMap<(String, String), HashMap<(String, String), Stored>>,
}

impl<'t> Finder<'t> {
    fn new(tx: &'t rusqlite::Transaction<'_>) -> Result<Finder<'t>> {
        Ok(Finder {
            by_id: tx.prepare_cached(&format!(
                "SELECT {STORED_COLUMNS} FROM acts
                 WHERE id_hash = ?2 AND id = ?1 AND superseded_by IS NULL"
            ))?,
            pair: tx.prepare_cached(&format!(
                "SELECT {STORED_COLUMNS} FROM acts
                 WHERE authority = ?1 AND actor = ?2 AND id IS NULL AND superseded_by IS NULL"
            ))?,
            pairs: HashMap::new(),
        })
    }

    /// Takes the current version of `id` out of the finder (each id is looked up once per
    /// import: a file's ids are unique).
    fn take(&mut self, id: &str) -> Result<Option<Stored>> {
        if let Some(found) = self
            .by_id
            .query_row(params![id, id_hash(id)], Stored::read)
            .optional()?
        {
            return Ok(Some(found));
        }
        let Some([actor, authority, date, act]) = natural_parts(id) else {
            return Ok(None);
        };
        let key = (authority.to_string(), actor.to_string());
        if !self.pairs.contains_key(&key) {
            let acts = self
                .pair
                .query_map(params![authority, actor], Stored::read)?
                .map(|s| s.map(|s| ((s.date.clone(), s.act.clone()), s)))
                .collect::<rusqlite::Result<HashMap<_, _>>>()?;
            self.pairs.insert(key.clone(), acts);
        }
        Ok(self
            .pairs
            .get_mut(&key)
            .and_then(|acts| acts.remove(&(date.to_string(), act.to_string()))))
    }
}

/// Asks the CPU to start loading `p` into its cache; a hint with no effect on results.
#[inline]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults and reads nothing into the program: any address is fine.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Stores acts inside an open transaction: new ids get version 1, changed ones a new version.
/// The versions are recorded as one new `imports` row (none if nothing changed).
///
/// Acts are written sorted by (authority, actor), in input order within a pair, so that they
/// append to the clustered table. Into an empty ledger nothing needs looking up: ids are unique
/// within one import.
fn write_acts<'a>(
    tx: &rusqlite::Transaction<'_>,
    rows: impl Iterator<Item = &'a ActRow>,
    prov: &Provenance,
    recorded_at: &str,
) -> Result<ImportReport> {
    let rows: Vec<&ActRow> = rows.collect();
    // Sort on ranks of the few distinct codes rather than comparing strings a million times;
    // the row's index last keeps file order within a pair.
    let authority_rank = ranks(rows.iter().map(|r| r.act.authority.as_str()));
    let actor_rank = ranks(rows.iter().map(|r| r.act.actor.as_str()));
    let mut order: Vec<(u32, u32, u32)> = rows
        .iter()
        .zip(0..)
        .map(|(r, i)| {
            let authority = authority_rank[r.act.authority.as_str()];
            (authority, actor_rank[r.act.actor.as_str()], i)
        })
        .collect();
    order.sort_unstable();
    let mut report = ImportReport::default();
    tx.execute(
        "INSERT INTO imports(recorded_at, recorded_by, reason) VALUES(?1, ?2, ?3)",
        params![recorded_at, prov.by, prov.reason],
    )?;
    let import = tx.last_insert_rowid();
    let empty: bool = tx.query_row("SELECT NOT EXISTS(SELECT 1 FROM acts)", [], |r| r.get(0))?;
    // Kept in `meta`: max(seq) would scan the whole table, which is keyed by authority first.
    let mut next_seq: i64 = tx
        .query_row(
            "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'next_seq'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(1);
    let mut finder = if empty { None } else { Some(Finder::new(tx)?) };
    let mut insert = tx.prepare_cached(
        "INSERT INTO acts(authority, actor, seq, id, id_hash, version, date, act, level, detail,
                          source_url, source_date, import)
         VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
    )?;
    // Parameters are bound one by one and kept between rows (SQLite keeps bindings across
    // executions): the pair is bound once per pair, the import once.
    insert.raw_bind_parameter(13, import)?;
    let mut pair = None;
    let mut supersede = tx.prepare_cached(
        "UPDATE acts SET superseded_by = ?4 WHERE authority = ?1 AND actor = ?2 AND seq = ?3",
    )?;
    for (k, &(authority, actor, i)) in order.iter().enumerate() {
        // Rows are visited in pair order, not in the order they sit in memory: fetch the row
        // and its strings a few rows ahead, so that their cache misses overlap.
        if let Some(&(_, _, ahead)) = order.get(k + 8) {
            prefetch(rows[ahead as usize]);
        }
        if let Some(&(_, _, ahead)) = order.get(k + 4) {
            let act = &rows[ahead as usize].act;
            prefetch(act.detail.as_ptr());
            prefetch(act.source_url.as_ptr());
            prefetch(act.id.as_ptr());
        }
        let row = rows[i as usize];
        let act = &row.act;
        let date = act.date.text();
        let source_date = act.source_date.map(|d| d.text());
        let current = match &mut finder {
            Some(finder) => finder.take(&act.id)?,
            None => None,
        };
        let version = match current {
            None => {
                report.added += 1;
                1
            }
            Some(stored) if stored.same(act, &date, source_date.as_deref()) => {
                report.unchanged += 1;
                continue;
            }
            Some(stored) => {
                supersede.execute(params![stored.authority, stored.actor, stored.seq, import])?;
                report.corrected += 1;
                stored.version + 1
            }
        };
        // A derived id is natural by construction; only a given one needs comparing (which
        // reads the id string, a cache miss per act).
        let (id, hash) = if !row.id_given || has_natural_id(act, &date) {
            (None, None)
        } else {
            (Some(act.id.as_str()), Some(id_hash(&act.id)))
        };
        if pair != Some((authority, actor)) {
            insert.raw_bind_parameter(1, &act.authority)?;
            insert.raw_bind_parameter(2, &act.actor)?;
            pair = Some((authority, actor));
        }
        insert.raw_bind_parameter(3, next_seq)?;
        insert.raw_bind_parameter(4, id)?;
        insert.raw_bind_parameter(5, hash)?;
        insert.raw_bind_parameter(6, version)?;
        insert.raw_bind_parameter(7, date.as_str())?;
        insert.raw_bind_parameter(8, act.kind.as_str())?;
        insert.raw_bind_parameter(9, act.level.map(i64::from))?;
        insert.raw_bind_parameter(10, &act.detail)?;
        insert.raw_bind_parameter(11, &act.source_url)?;
        insert.raw_bind_parameter(12, source_date.as_deref())?;
        insert.raw_execute()?;
        next_seq += 1;
    }
    if report.added + report.corrected == 0 {
        tx.execute("DELETE FROM imports WHERE id = ?1", [import])?;
    }
    tx.execute(
        "INSERT OR REPLACE INTO meta VALUES('next_seq', ?1)",
        [next_seq.to_string()],
    )?;
    Ok(report)
}
