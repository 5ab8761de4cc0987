//! The ledger's schema as numbered migrations: a new ledger is made by taking every step from
//! an empty database, an old home by taking the steps it lacks, so both end with the same
//! tables. Each step runs in its own transaction.
//!
//! Versions 1 to 3 were kept in `meta` (`schema` row). From version 4 the version is
//! `PRAGMA user_version` (a fixed place in the file header, read without a query plan), and the
//! `schema` row holds `4+`: dyads from before the switch refuse any value but 1, 2 and 3, so
//! they refuse newer homes rather than misread them.
//!
//! A home is read without migrating when its version is [`READ_AS_IS`] or later: what the later
//! steps add is read as those steps would fill it (no `contests` column: none contested; no
//! `tokens` table: no tokens).

use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use crate::error::{LedgerError, Result};
use crate::ids::id_hash;

/// The version this dyad writes.
pub const SCHEMA_VERSION: i64 = 4;

/// The oldest version read as is (older ones are migrated, in memory when only reading).
pub const READ_AS_IS: i64 = 2;

/// The last version recorded in `meta` rather than in `user_version`.
const LAST_IN_META: i64 = 3;

/// One numbered step: it takes a database at version `to - 1` to `to`.
struct Step {
    to: i64,
    run: fn(&Transaction<'_>) -> Result<()>,
}

const STEPS: [Step; 4] = [
    Step {
        to: 1,
        run: create_v1,
    },
    Step {
        to: 2,
        run: v1_provenance_per_import,
    },
    Step {
        to: 3,
        run: v2_contests,
    },
    Step {
        to: 4,
        run: v3_tokens_and_user_version,
    },
];

/// The version a database is at: 0 when it has no tables yet. A version newer than this dyad's,
/// or a database that is not a ledger, is an error.
pub fn version(conn: &Connection) -> Result<i64> {
    // The version is read in two places (the header's `user_version`, then `meta`), and another
    // process may commit a migration step between the two reads: outside a transaction, both
    // reads are made in one, so that they see one state of the file.
    if conn.is_autocommit() {
        let tx = conn.unchecked_transaction()?;
        let version = version_in(&tx);
        tx.finish()?;
        return version;
    }
    version_in(conn)
}

/// [`version`], its reads made in the caller's transaction.
fn version_in(conn: &Connection) -> Result<i64> {
    let user: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if user > SCHEMA_VERSION {
        return Err(too_new(&user.to_string()));
    }
    if user > 0 {
        return Ok(user);
    }
    let tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
        [],
        |r| r.get(0),
    )?;
    if tables == 0 {
        return Ok(0);
    }
    if !has_table(conn, "meta")? {
        return Err(LedgerError::Corrupt(
            "not a dyad ledger (it has no `meta` table)".into(),
        ));
    }
    let stored: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
            r.get(0)
        })
        .optional()?;
    match stored.as_deref() {
        None => Err(LedgerError::Corrupt("no schema version in `meta`".into())),
        Some(v) => match v.parse::<i64>() {
            Ok(n) if (1..=LAST_IN_META).contains(&n) => Ok(n),
            _ => Err(too_new(v)),
        },
    }
}

fn too_new(version: &str) -> LedgerError {
    LedgerError::Corrupt(format!(
        "schema version {version}, but this dyad reads version {SCHEMA_VERSION} (and migrates \
         versions 1 to {}); use the dyad that wrote it, or a newer one",
        SCHEMA_VERSION - 1
    ))
}

/// Whether the database has a table called `name`.
pub fn has_table(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1)",
        [name],
        |r| r.get(0),
    )?)
}

/// Takes the database to [`SCHEMA_VERSION`], one step per transaction; returns the version it
/// was at. Each step re-reads the version once it holds the write lock, so two processes
/// opening the same old home take each step once.
pub fn migrate(conn: &mut Connection) -> Result<i64> {
    let from = version(conn)?;
    if from == 0 {
        // Rows of acts run to a few hundred bytes; larger pages keep more of them per page, and
        // a bulk import splits and writes half as many pages as with 8 KiB, for less CPU and
        // no slower `status` (`bench/ledger/RESULTS.md`). Only a database without tables takes
        // it.
        conn.execute_batch("PRAGMA page_size = 16384;")?;
    }
    for step in STEPS.iter().filter(|s| s.to > from) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if version(&tx)? >= step.to {
            continue;
        }
        (step.run)(&tx)?;
        if step.to > LAST_IN_META {
            tx.pragma_update(None, "user_version", step.to)?;
        } else {
            tx.execute(
                "INSERT OR REPLACE INTO meta VALUES('schema', ?1)",
                [step.to.to_string()],
            )?;
        }
        tx.commit()?;
    }
    Ok(from)
}

/// A copy in memory of `conn`'s database, migrated there: how a home too old to read as is
/// is read without writing to it.
pub fn migrated_copy(conn: &Connection) -> Result<Connection> {
    let mut copy = Connection::open_in_memory()?;
    {
        let backup = rusqlite::backup::Backup::new(conn, &mut copy)?;
        backup.run_to_completion(1024, Duration::from_millis(10), None)?;
    }
    migrate(&mut copy)?;
    Ok(copy)
}

/// Version 1, the first layout (as of commit 1b6274c): who, when and why on every act, and
/// every act's id with its hash.
fn create_v1(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
         CREATE TABLE authorities(
             id TEXT PRIMARY KEY, state TEXT NOT NULL, name TEXT NOT NULL, from_day TEXT NOT NULL,
             until_day TEXT, exile_from TEXT, source_url TEXT NOT NULL, note TEXT NOT NULL,
             recorded_at TEXT NOT NULL, recorded_by TEXT NOT NULL);
         CREATE TABLE acts(
             authority TEXT NOT NULL, actor TEXT NOT NULL, seq INTEGER NOT NULL,
             id TEXT NOT NULL, id_hash INTEGER NOT NULL, version INTEGER NOT NULL,
             date TEXT NOT NULL, act TEXT NOT NULL,
             level INTEGER, detail TEXT NOT NULL, source_url TEXT NOT NULL, source_date TEXT,
             recorded_at TEXT NOT NULL, recorded_by TEXT NOT NULL, reason TEXT NOT NULL,
             superseded_at TEXT,
             PRIMARY KEY(authority, actor, seq)) WITHOUT ROWID;
         CREATE INDEX acts_by_id ON acts(id_hash);",
    )?;
    Ok(())
}

/// Version 2: who/when/why move to `imports` (one row per import, referenced by an integer),
/// natural ids are dropped (they are rebuilt from the act) so that the id index only holds the
/// others, and `superseded_at` becomes the import that recorded the replacement (`superseded_by`).
///
/// `acts` is clustered by (authority, actor, seq), so `status` for one authority reads a
/// contiguous range of pages; `seq` follows import order, so same-day acts keep file order.
/// Every version 1 layout had the columns read here.
fn v1_provenance_per_import(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(
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
    let ids: Vec<(String, String, i64, String)> = tx
        .prepare("SELECT authority, actor, seq, id FROM acts WHERE id IS NOT NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut set = tx
        .prepare("UPDATE acts SET id_hash = ?4 WHERE authority = ?1 AND actor = ?2 AND seq = ?3")?;
    for (authority, actor, seq, id) in &ids {
        set.execute(params![authority, actor, seq, id_hash(id)])?;
    }
    // `next_seq` is kept in `meta`: max(seq) would scan the whole table, which is keyed by
    // authority first.
    tx.execute_batch(
        "CREATE INDEX acts_by_id ON acts(id_hash) WHERE id_hash IS NOT NULL;
         INSERT OR REPLACE INTO meta
             VALUES('next_seq', (SELECT coalesce(max(seq), 0) + 1 FROM acts));",
    )?;
    Ok(())
}

/// Version 3: authorities gain `contests` (the other states an authority claims, for
/// `dyad contest`), empty for every authority recorded before.
fn v2_contests(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch("ALTER TABLE authorities ADD COLUMN contests TEXT NOT NULL DEFAULT '';")?;
    Ok(())
}

/// Version 4: curator tokens join the versioned schema (they were made on first use, so a home
/// may have the table already), and the version moves to `user_version`.
fn v3_tokens_and_user_version(tx: &Transaction<'_>) -> Result<()> {
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS tokens(
             name TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE,
             created_at TEXT NOT NULL, revoked_at TEXT);
         UPDATE meta SET value = '4+' WHERE key = 'schema';",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_numbered_one_by_one() {
        for (i, step) in STEPS.iter().enumerate() {
            assert_eq!(step.to, i as i64 + 1);
        }
        assert_eq!(STEPS.last().map(|s| s.to), Some(SCHEMA_VERSION));
    }

    #[test]
    fn a_new_database_takes_every_step() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(version(&conn).unwrap(), 0);
        assert_eq!(migrate(&mut conn).unwrap(), 0);
        assert_eq!(version(&conn).unwrap(), SCHEMA_VERSION);
        let meta: String = conn
            .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(meta, "4+");
        assert!(has_table(&conn, "tokens").unwrap());
        // A second run has nothing to do.
        assert_eq!(migrate(&mut conn).unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn a_newer_user_version_is_refused() {
        let conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        let e = version(&conn).unwrap_err().to_string();
        assert!(
            e.contains("schema version 5, but this dyad reads version 4"),
            "{e}"
        );
    }
}
