//! A home written by an earlier dyad (schema version 1: who/when/why and the id on every act;
//! 2: provenance per import; 3: contested states; all three with the version in `meta`) is
//! read as it is, or from a copy migrated in memory, without writing to it; it is migrated,
//! keeping every version, its provenance and `--known-on`, by its first write or by
//! `Ledger::migrate`, and then has the tables of a new home and its version in `user_version`.
//! A home of an unknown version is refused with a message that says so.

use std::path::Path;

use dyad_core::date::parse_day;
use dyad_ledger::schema::SCHEMA_VERSION;
use dyad_ledger::{InputFile, Ledger, LedgerError, Migrated, Provenance, LEDGER_FILE};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

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

/// The version 2 layout (commits 97d9616 to 73d3d21): provenance per import, natural ids not
/// stored, no `contests`.
const V2_SCHEMA: &str = "
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS authorities(
    id TEXT PRIMARY KEY, state TEXT NOT NULL, name TEXT NOT NULL, from_day TEXT NOT NULL,
    until_day TEXT, exile_from TEXT, source_url TEXT NOT NULL, note TEXT NOT NULL,
    recorded_at TEXT NOT NULL, recorded_by TEXT NOT NULL);
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

/// The tokens table as dyad made it on first use, outside the versions (commit bec3cbc on).
const OLD_TOKENS: &str = "CREATE TABLE IF NOT EXISTS tokens(
    name TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL, revoked_at TEXT);";

/// A token made by an earlier dyad in the version 3 fixture (the secret is only a test value).
const OLD_TOKEN: &str = "dyad_00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/// A test authority of the version 2 and 3 fixtures (example.org: no claim about the world).
const TEST_AUTHORITY: &str = "TEST-GOV";

/// FNV-1a 64 of an id, as dyad stores it in `id_hash` (the algorithm of `ids.rs`, whose unit
/// test checks it against the published test vectors).
fn fnv1a(id: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h as i64
}

/// A version 2 home (or 3, with `contests` and an old tokens table): the acts of the version 1
/// fixture in the later layout, plus a test authority with one act toward it. In WAL mode, as
/// every home an earlier dyad had opened.
fn v2_or_v3_home(version: u8) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join(LEDGER_FILE)).unwrap();
    conn.execute_batch("PRAGMA page_size = 16384; PRAGMA journal_mode = WAL;")
        .unwrap();
    conn.execute_batch(V2_SCHEMA).unwrap();
    conn.execute_batch(&format!(
        "INSERT INTO meta VALUES('schema', '2');
         INSERT INTO authorities VALUES('{TEST_AUTHORITY}', 'SOM', 'Test authority (fixture)',
             '2020-01-01', NULL, NULL, 'https://example.org/test-gov', 'fixture', '{FIRST}',
             'alice');
         INSERT INTO imports VALUES(1, '{FIRST}', 'alice', 'first import'),
                                   (2, '{FIX}', 'carol', 'full name');
         INSERT INTO acts VALUES
           ('AFG-IEA', 'RUS', 1, NULL, NULL, 1, '2022-04-06', 'envoy_accepted', NULL,
            'old detail', '{URL}', NULL, 1, 2),
           ('AFG-IEA', 'CHN', 2, '{CUSTOM}', {hash}, 1, '2021-08-16', 'embassy_kept_open', NULL,
            'kept open', '{URL}', NULL, 1, NULL),
           ('AFG-IEA', 'RUS', 3, NULL, NULL, 2, '2022-04-06', 'envoy_accepted', NULL,
            'new detail', '{URL}', NULL, 2, NULL),
           ('{TEST_AUTHORITY}', 'KAZ', 4, NULL, NULL, 1, '2020-05-01', 'envoy_accepted', NULL,
            'test act', '{URL}', NULL, 1, NULL);
         INSERT INTO meta VALUES('next_seq', '5');",
        hash = fnv1a(CUSTOM),
    ))
    .unwrap();
    if version == 3 {
        conn.execute_batch(&format!(
            "ALTER TABLE authorities ADD COLUMN contests TEXT NOT NULL DEFAULT '';
             UPDATE authorities SET contests = 'ETH' WHERE id = '{TEST_AUTHORITY}';
             UPDATE meta SET value = '3' WHERE key = 'schema';
             {OLD_TOKENS}"
        ))
        .unwrap();
        let hash: String = Sha256::digest(OLD_TOKEN.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        conn.execute(
            "INSERT INTO tokens VALUES('old-curator', ?1, ?2, NULL)",
            [hash.as_str(), FIRST],
        )
        .unwrap();
    }
    drop(conn);
    dir
}

/// The old homes, by the version they are at.
fn old_homes() -> Vec<(i64, tempfile::TempDir)> {
    vec![(1, v1_home()), (2, v2_or_v3_home(2)), (3, v2_or_v3_home(3))]
}

/// What every fixture holds, read through `ledger`.
fn check_reads(ledger: &Ledger) {
    let h = ledger.history(NATURAL).unwrap();
    let versions: Vec<_> = h
        .iter()
        .map(|v| {
            (
                v.version,
                v.act.detail.as_str(),
                v.recorded_by.as_str(),
                v.superseded_at.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        versions,
        [
            (1, "old detail", "alice", Some(FIX)),
            (2, "new detail", "carol", None)
        ]
    );
    assert_eq!(ledger.history(CUSTOM).unwrap()[0].act.actor, "CHN");
    let afg = |known_on: Option<&str>| -> Vec<String> {
        ledger
            .acts(
                Some("AFG-IEA"),
                None,
                known_on.map(|d| parse_day(d).unwrap()),
            )
            .unwrap()
            .into_iter()
            .map(|a| a.detail)
            .collect()
    };
    assert_eq!(afg(None), ["kept open", "new detail"]);
    assert_eq!(afg(Some("2026-01-09")), ["kept open", "old detail"]);
}

/// The ledger file's bytes, and whether SQLite's write-ahead log holds anything.
fn file_state(dir: &Path) -> (Vec<u8>, u64) {
    let wal = std::fs::metadata(dir.join(format!("{LEDGER_FILE}-wal"))).map_or(0, |m| m.len());
    (std::fs::read(dir.join(LEDGER_FILE)).unwrap(), wal)
}

#[test]
fn old_homes_are_read_without_writing_to_them() {
    for (version, dir) in old_homes() {
        let before = file_state(dir.path());
        let ledger = Ledger::open(dir.path()).unwrap();
        check_reads(&ledger);
        // Version 1 is read from a copy migrated in memory; 2 and 3 as they are.
        let in_memory = (version == 1).then_some(1);
        assert_eq!(ledger.upgraded_in_memory(), in_memory, "version {version}");
        if version >= 2 {
            let test = ledger.registry().authority(TEST_AUTHORITY).unwrap();
            let contests: &[&str] = if version == 3 { &["ETH"] } else { &[] };
            assert_eq!(test.contests, contests, "version {version}");
            assert_eq!(
                ledger.acts(Some(TEST_AUTHORITY), None, None).unwrap()[0].detail,
                "test act"
            );
        }
        let tokens: Vec<String> = ledger
            .tokens()
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        let expected: &[&str] = if version == 3 { &["old-curator"] } else { &[] };
        assert_eq!(tokens, expected, "version {version}");
        let old = ledger.token_name(OLD_TOKEN).unwrap();
        assert_eq!(old.as_deref(), expected.first().copied());
        // A refused write does not migrate the home either.
        let mut ledger = ledger;
        assert!(ledger.create_token("not a name!").is_err());
        assert!(ledger.revoke_token("nobody").is_err());
        let bad = InputFile {
            name: "bad.csv".into(),
            bytes: b"date,actor,counterpart,act,source_url\n2022-01-01,XXX,AFG-IEA,other,https://example.org/x\n".to_vec(),
        };
        let prov = Provenance {
            by: "t".into(),
            reason: "t".into(),
        };
        assert!(matches!(
            ledger.import(&[bad], &prov),
            Err(LedgerError::Input(_))
        ));
        drop(ledger);
        assert!(
            file_state(dir.path()) == before,
            "version {version}: reading changed the home"
        );
    }
}

/// The tables, columns and indexes of a ledger file, for comparison.
fn layout(dir: &Path) -> Vec<String> {
    let conn = Connection::open(dir.join(LEDGER_FILE)).unwrap();
    let mut out = Vec::new();
    let objects: Vec<(String, String, String, Option<String>)> = conn
        .prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for (kind, name, table, sql) in objects {
        let sql = sql.unwrap_or_default();
        if kind == "table" {
            let rowid = if sql.contains("WITHOUT ROWID") {
                " without rowid"
            } else {
                ""
            };
            out.push(format!("table {name}{rowid}"));
            let columns: Vec<String> = conn
                .prepare(&format!("PRAGMA table_xinfo({name})"))
                .unwrap()
                .query_map([], |r| {
                    Ok(format!(
                        "  {} {} notnull={} default={:?} pk={}",
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, i64>(5)?
                    ))
                })
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            out.extend(columns);
        } else {
            let sql: Vec<&str> = sql.split_whitespace().collect();
            out.push(format!("{kind} {name} on {table}: {}", sql.join(" ")));
        }
    }
    let user: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    let meta: String = conn
        .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
            r.get(0)
        })
        .unwrap();
    out.push(format!("user_version {user}, meta schema {meta}"));
    out
}

#[test]
fn a_migrated_home_has_the_layout_of_a_new_one() {
    let new = tempfile::tempdir().unwrap();
    Ledger::init(new.path(), true).unwrap();
    let expected = layout(new.path());
    // The switch to numbered versions: `user_version` holds it, and `meta` says `4+`, which
    // dyads from before the switch refuse (they take only 1, 2 and 3).
    assert!(
        expected.contains(&format!("user_version {SCHEMA_VERSION}, meta schema 4+")),
        "{expected:#?}"
    );
    assert!(expected.iter().any(|l| l.starts_with("table tokens")));
    for (version, dir) in old_homes() {
        let done = Ledger::migrate(dir.path()).unwrap();
        assert_eq!(
            done,
            Migrated {
                from: version,
                to: SCHEMA_VERSION
            }
        );
        assert_eq!(layout(dir.path()), expected, "version {version}");
        let again = Ledger::migrate(dir.path()).unwrap();
        assert_eq!(again.from, SCHEMA_VERSION);
        let ledger = Ledger::open(dir.path()).unwrap();
        assert_eq!(ledger.upgraded_in_memory(), None);
        check_reads(&ledger);
    }
}

#[test]
fn the_first_write_switches_a_version_3_home_to_numbered_versions() {
    let dir = v2_or_v3_home(3);
    let mut ledger = Ledger::open(dir.path()).unwrap();
    let token = ledger.create_token("new-curator").unwrap();
    // The old token and the new one both work, through this handle and a new one.
    for ledger in [&ledger, &Ledger::open(dir.path()).unwrap()] {
        assert_eq!(
            ledger.token_name(OLD_TOKEN).unwrap().as_deref(),
            Some("old-curator")
        );
        assert_eq!(
            ledger.token_name(&token).unwrap().as_deref(),
            Some("new-curator")
        );
        check_reads(ledger);
        let test = ledger.registry().authority(TEST_AUTHORITY).unwrap();
        assert_eq!(test.contests, ["ETH"]);
    }
    drop(ledger);
    let layout = layout(dir.path());
    assert_eq!(
        layout.last().unwrap(),
        &format!("user_version {SCHEMA_VERSION}, meta schema 4+")
    );
    // `next_seq` carried over: a new act goes after the old ones.
    let mut ledger = Ledger::open(dir.path()).unwrap();
    let csv = format!(
        "date,actor,counterpart,act,source_url\n2020-06-01,UZB,{TEST_AUTHORITY},other,{URL}\n"
    );
    ledger
        .import(
            &[InputFile {
                name: "new.csv".into(),
                bytes: csv.into_bytes(),
            }],
            &Provenance {
                by: "dave".into(),
                reason: "after the switch".into(),
            },
        )
        .unwrap();
    let seq: i64 = Connection::open(dir.path().join(LEDGER_FILE))
        .unwrap()
        .query_row("SELECT seq FROM acts WHERE actor = 'UZB'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(seq, 5);
}

#[test]
fn two_handles_migrating_one_home_at_once_take_each_step_once() {
    for (version, dir) in old_homes() {
        let path = dir.path().to_path_buf();
        let results: Vec<_> = std::thread::scope(|s| {
            let runs: Vec<_> = (0..2).map(|_| s.spawn(|| Ledger::migrate(&path))).collect();
            runs.into_iter().map(|r| r.join().unwrap()).collect()
        });
        for r in &results {
            assert!(r.is_ok(), "version {version}: {r:?}");
        }
        let froms: Vec<i64> = results.iter().map(|r| r.as_ref().unwrap().from).collect();
        assert!(froms.contains(&version), "version {version}: {froms:?}");
        check_reads(&Ledger::open(&path).unwrap());
    }
}
