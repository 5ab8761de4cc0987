//! Imports: every file is parsed and validated in memory first (all problems collected); only
//! then does one SQLite transaction write, so a bad file changes nothing.

use std::collections::HashMap;
use std::path::Path;

use dyad_core::acts_csv::{parse_acts, ActRow};
use dyad_core::codes::parse_authorities;
use dyad_core::raw::{validate_acts, RawAct};
use dyad_core::{Act, Authority, InputError, InputErrors};
use rusqlite::{params, OptionalExtension};

use crate::error::{io, Result};
use crate::ids::{has_natural_id, id_hash, natural_parts};
use crate::{now, Ledger, BUNDLED_FILES};

/// SQLite page cache for an import, in KiB (the default is 2 MiB).
const IMPORT_CACHE_KIB: i64 = 1024 * 1024;

/// Imports of at least this many acts into a home write through a rollback journal.
const BULK_MIN_ACTS: usize = 50_000;

/// The bundled dataset was copied into dyad on this day; bundled acts are recorded then.
const BUNDLED_RECORDED_AT: &str = "2026-11-29T00:00:00.000000Z";

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
        let bytes = std::fs::read(path).map_err(io(path))?;
        Ok(InputFile {
            name: path.display().to_string(),
            bytes,
        })
    }
}

impl Ledger {
    /// Loads the bundled acts into a new ledger.
    pub(crate) fn import_bundled(&mut self) -> Result<()> {
        let mut rows = Vec::new();
        for (name, text) in BUNDLED_FILES {
            rows.extend(parse_acts(name, text.as_bytes(), &self.registry)?);
        }
        let prov = Provenance {
            by: "dyad (bundled dataset)".into(),
            reason: "bundled dataset".into(),
        };
        let acts = rows
            .iter()
            .map(|r| ToWrite::new(&r.act, r.id_given))
            .collect();
        let tx = self.conn.transaction()?;
        write_acts(&tx, acts, &prov, BUNDLED_RECORDED_AT)?;
        tx.commit()?;
        Ok(())
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
        let acts = parsed
            .iter()
            .flat_map(|(_, rows)| rows.iter().map(|r| ToWrite::new(&r.act, r.id_given)))
            .collect();
        let mut report = self.store(&authorities, acts, prov, recorded_at)?;
        report.authorities = authorities.len();
        self.registry = registry;
        Ok(report)
    }

    /// Validates acts given as data rather than as files (the JSON array a curator posts), all
    /// or nothing, with the rules of [`Ledger::import`] ([`RawAct::validate`]); problems are
    /// located as `LIST[i].field` ([`LedgerError::Records`](crate::LedgerError::Records)). Then stores them in one
    /// transaction.
    pub fn import_records(
        &mut self,
        list: &str,
        acts: &[RawAct<'_>],
        prov: &Provenance,
    ) -> Result<ImportReport> {
        let valid = validate_acts(list, acts, &self.registry)?;
        let acts = valid
            .iter()
            .map(|v| ToWrite::new(&v.act, v.id_given))
            .collect();
        self.store(&[], acts, prov, &now())
    }

    /// Writes validated authorities and acts in one transaction, all or nothing.
    fn store(
        &mut self,
        authorities: &[Authority],
        acts: Vec<ToWrite<'_>>,
        prov: &Provenance,
        recorded_at: &str,
    ) -> Result<ImportReport> {
        // Only now, with nothing left to refuse, is a home opened for reading made writable
        // (and migrated): a refused import leaves even an old home as it was.
        self.writable()?;

        // A large import updates index pages all over the file. SQLite's default cache (2 MiB)
        // then spills dirty pages to the WAL and reads them back for every row; a larger cache
        // for the import keeps them in memory. It is allocated only as pages are used.
        let cache: i64 = self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
        self.conn
            .execute_batch(&format!("PRAGMA cache_size = -{IMPORT_CACHE_KIB}"))?;
        // In WAL mode every page of a large import is written twice (to the WAL, then to the
        // database). A rollback journal writes it once, and keeps the transaction atomic: the
        // journal holds the old pages until the commit. Only for a file-backed ledger.
        let bulk = self.home.is_some() && acts.len() >= BULK_MIN_ACTS;
        if bulk {
            self.conn.execute_batch("PRAGMA journal_mode = DELETE;")?;
        }
        let written = self.write_import(authorities, acts, prov, recorded_at);
        if bulk {
            self.conn.execute_batch("PRAGMA journal_mode = WAL;")?;
        }
        self.conn
            .execute_batch(&format!("PRAGMA cache_size = {cache}"))?;
        written
    }

    /// The transaction of [`Ledger::store`].
    fn write_import(
        &mut self,
        authorities: &[Authority],
        acts: Vec<ToWrite<'_>>,
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
        let report = write_acts(&tx, acts, prov, recorded_at)?;
        tx.commit()?;
        Ok(report)
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

/// A validated act to store, and whether its id was given (otherwise it is the natural one).
#[derive(Clone, Copy)]
struct ToWrite<'a> {
    act: &'a Act,
    id_given: bool,
}

impl<'a> ToWrite<'a> {
    fn new(act: &'a Act, id_given: bool) -> ToWrite<'a> {
        ToWrite { act, id_given }
    }
}

/// Asks the CPU to start loading `p` into its cache; a hint with no effect on results. The
/// one `unsafe` of the crate, kept because an A/B of the import shows it saving CPU beyond
/// noise (`bench/ledger/AB-prefetch.md`) and std has no stable safe prefetch.
#[inline]
#[allow(unsafe_code)]
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
fn write_acts(
    tx: &rusqlite::Transaction<'_>,
    rows: Vec<ToWrite<'_>>,
    prov: &Provenance,
    recorded_at: &str,
) -> Result<ImportReport> {
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
        // Rows are visited in pair order, not in the order they sit in memory: fetch the act
        // and its strings a few rows ahead, so that their cache misses overlap.
        if let Some(&(_, _, ahead)) = order.get(k + 8) {
            prefetch(rows[ahead as usize].act);
        }
        if let Some(&(_, _, ahead)) = order.get(k + 4) {
            let act = rows[ahead as usize].act;
            prefetch(act.detail.as_ptr());
            prefetch(act.source_url.as_ptr());
            prefetch(act.id.as_ptr());
        }
        let row = rows[i as usize];
        let act = row.act;
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
