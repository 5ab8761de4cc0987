//! A home written by an earlier dyad (schema version 1: who/when/why and the id on every act)
//! is migrated when opened, keeping every version, its provenance and `--known-on`; a home of
//! an unknown version is refused with a message that says so.

use dyad_core::date::parse_day;
use dyad_ledger::{InputFile, Ledger, LedgerError, Provenance, LEDGER_FILE};
use rusqlite::Connection;

/// The last version 1 layout (commit 1b6274c).
const V1_SCHEMA: &str = "
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
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
CREATE INDEX acts_by_id ON acts(id_hash);
INSERT INTO meta VALUES('schema', '1');
";

const FIRST: &str = "2026-01-05T10:00:00.000000Z";
const FIX: &str = "2026-01-10T09:30:00.000000Z";
const NATURAL: &str = "RUS/AFG-IEA/2022-04-06/envoy_accepted";
const CUSTOM: &str = "my-own-id-7";
const URL: &str = "https://example.org/source";

/// A version 1 home: a natural-id act corrected once, and an act with an id of its own.
fn v1_home() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join(LEDGER_FILE)).unwrap();
    conn.execute_batch(V1_SCHEMA).unwrap();
    // (authority, actor, seq, id, version, date, act, detail, recorded_at, by, reason,
    // superseded_at); level, source_url and source_date are the same for all.
    conn.execute_batch(&format!(
        "INSERT INTO acts VALUES
           ('AFG-IEA', 'RUS', 1, '{NATURAL}', 0, 1, '2022-04-06', 'envoy_accepted', NULL,
            'old detail', '{URL}', NULL, '{FIRST}', 'alice', 'first import', '{FIX}'),
           ('AFG-IEA', 'CHN', 2, '{CUSTOM}', 0, 1, '2021-08-16', 'embassy_kept_open', NULL,
            'kept open', '{URL}', NULL, '{FIRST}', 'alice', 'first import', NULL),
           ('AFG-IEA', 'RUS', 3, '{NATURAL}', 0, 2, '2022-04-06', 'envoy_accepted', NULL,
            'new detail', '{URL}', NULL, '{FIX}', 'carol', 'full name', NULL);"
    ))
    .unwrap();
    dir
}

#[test]
fn a_version_1_home_is_migrated_with_its_history() {
    let dir = v1_home();
    let mut ledger = Ledger::open(dir.path()).unwrap();

    let h = ledger.history(NATURAL).unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!((h[0].version, h[0].act.detail.as_str()), (1, "old detail"));
    assert_eq!(
        (
            h[0].recorded_at.as_str(),
            h[0].recorded_by.as_str(),
            h[0].reason.as_str()
        ),
        (FIRST, "alice", "first import")
    );
    assert_eq!(h[0].superseded_at.as_deref(), Some(FIX));
    assert_eq!((h[1].version, h[1].act.detail.as_str()), (2, "new detail"));
    assert_eq!(
        (h[1].recorded_at.as_str(), h[1].recorded_by.as_str()),
        (FIX, "carol")
    );
    assert_eq!(h[1].superseded_at, None);
    assert_eq!(h[1].act.id, NATURAL);

    let custom = ledger.history(CUSTOM).unwrap();
    assert_eq!(custom.len(), 1);
    assert_eq!(custom[0].act.id, CUSTOM);
    assert_eq!(custom[0].act.actor, "CHN");

    let details = |known_on: Option<&str>| -> Vec<String> {
        ledger
            .acts(None, None, known_on.map(|d| parse_day(d).unwrap()))
            .unwrap()
            .into_iter()
            .map(|a| format!("{} {}", a.id, a.detail))
            .collect()
    };
    assert_eq!(
        details(None),
        [
            format!("{CUSTOM} kept open"),
            format!("{NATURAL} new detail")
        ]
    );
    assert_eq!(
        details(Some("2026-01-09")),
        [
            format!("{CUSTOM} kept open"),
            format!("{NATURAL} old detail")
        ]
    );
    assert!(details(Some("2026-01-04")).is_empty());

    // The migrated ledger takes corrections by either kind of id.
    let csv = format!(
        "id,date,actor,counterpart,act,level,detail,source_url,source_date\n\
         {CUSTOM},2021-08-16,CHN,AFG-IEA,embassy_kept_open,,kept open; corrected,{URL},\n\
         {NATURAL},2022-04-06,RUS,AFG-IEA,envoy_accepted,,new detail,{URL},\n"
    );
    let report = ledger
        .import_at(
            &[InputFile {
                name: "fix.csv".into(),
                bytes: csv.into_bytes(),
            }],
            &Provenance {
                by: "dave".into(),
                reason: "after migration".into(),
            },
            "2026-02-01T00:00:00.000000Z",
        )
        .unwrap();
    assert_eq!(
        (report.added, report.corrected, report.unchanged),
        (0, 1, 1)
    );
    let custom = ledger.history(CUSTOM).unwrap();
    assert_eq!(custom.len(), 2);
    assert_eq!(custom[1].act.detail, "kept open; corrected");
    assert_eq!(custom[1].recorded_by, "dave");
    assert_eq!(
        custom[0].superseded_at.as_deref(),
        Some("2026-02-01T00:00:00.000000Z")
    );

    // Reopening finds the current version and changes nothing.
    drop(ledger);
    let ledger = Ledger::open(dir.path()).unwrap();
    assert_eq!(ledger.history(NATURAL).unwrap().len(), 2);
    assert_eq!(ledger.acts(None, None, None).unwrap().len(), 2);
}

#[test]
fn an_unknown_schema_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join(LEDGER_FILE)).unwrap();
    conn.execute_batch(
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
         INSERT INTO meta VALUES('schema', '99');",
    )
    .unwrap();
    drop(conn);
    let err = Ledger::open(dir.path()).err().expect("refused");
    assert!(matches!(err, LedgerError::Corrupt(_)), "{err:?}");
    assert!(err.to_string().contains("schema version 99"), "{err}");
}
