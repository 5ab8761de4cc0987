//! End-to-end tests of the ledger commands, running the real `dyad` binary.

use std::path::Path;
use std::process::Command;

use super::support::{dyad, get, ok, serve_with};

fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok(args)).expect("valid JSON")
}

#[test]
fn compare_shows_the_seed_table() {
    let v = json(&[
        "compare",
        "AFG-IEA",
        "--on",
        "2023-04-18",
        "KAZ",
        "CHN",
        "RUS",
        "TKM",
        "PAK",
        "--format",
        "json",
    ]);
    // The document `/api/compare` answers with: the authority, the day, then the stances.
    assert_eq!(v["authority"]["id"], "AFG-IEA");
    assert_eq!(v["on"], "2023-04-18");
    let rows = v["stances"].as_array().unwrap();
    let actors: Vec<&str> = rows.iter().map(|r| r["actor"].as_str().unwrap()).collect();
    assert_eq!(actors, ["KAZ", "CHN", "RUS", "TKM", "PAK"]);
    for r in rows {
        // Nobody recognised the Islamic Emirate in April 2023.
        assert_eq!(r["recognition"]["value"], "none", "{}", r["actor"]);
        assert!(
            !r["sources"].as_array().unwrap().is_empty(),
            "{} cites no source",
            r["actor"]
        );
    }
    // Kazakhstan (17 Apr 2023), Russia (6 Apr 2022), Turkmenistan (17 Mar 2022) and Pakistan
    // (29 Oct 2021) had accepted Taliban envoys below ambassador rank.
    for i in [0, 2, 3, 4] {
        assert_eq!(
            rows[i]["envoys"]["value"], "below_ambassador",
            "{}",
            rows[i]["actor"]
        );
    }
    let kaz_sources = rows[0]["sources"].as_array().unwrap();
    assert!(kaz_sources.iter().any(|s| s["source_url"]
        == "https://eurasianet.org/kazakhstan-accredits-taliban-envoys-without-recognizing-government"));
}

#[test]
fn status_csv_and_why_cite_acts() {
    let csv = ok(&["status", "AFG-IEA", "--on", "2025-07-04", "--format", "csv"]);
    let rus = csv.lines().find(|l| l.starts_with("RUS,")).unwrap();
    assert!(
        rus.contains(",5,formal recognition,de_jure,ambassador,"),
        "{rus}"
    );
    let why = ok(&[
        "why",
        "RUS",
        "AFG-IEA",
        "--on",
        "2025-07-04",
        "--format",
        "csv",
    ]);
    assert!(why.contains("recognition,de_jure,counted,RUS/AFG-IEA/2025-07-03/recognition,2025-07-03,recognition,https://"));
    let before = ok(&[
        "why",
        "RUS",
        "AFG-IEA",
        "--on",
        "2025-07-02",
        "--format",
        "csv",
    ]);
    assert!(!before.contains("de_jure"));
}

#[test]
fn timeline_and_diff() {
    let t = ok(&["timeline", "RUS", "AFG-IEA", "--format", "csv"]);
    let last = t.lines().last().unwrap();
    assert!(
        last.starts_with("2025-07-03,day,recognition,5,")
            || t.contains("2025-07-03,day,recognition,5,"),
        "{t}"
    );
    let d = ok(&[
        "diff",
        "AFG-IEA",
        "--from",
        "2025-07-02",
        "--to",
        "2025-07-04",
        "--format",
        "csv",
    ]);
    assert!(
        d.contains("RUS,Russian Federation,recognition,none,de_jure,"),
        "{d}"
    );
    assert!(d.contains("RUS,Russian Federation,level,3,5,"), "{d}");
    assert_eq!(
        d.lines().filter(|l| !l.starts_with("RUS")).count(),
        1,
        "only Russia moved: {d}"
    );
    // The same two days the other way round read the change backwards, as the API does.
    let back = ok(&[
        "diff",
        "AFG-IEA",
        "--from",
        "2025-07-04",
        "--to",
        "2025-07-02",
        "--format",
        "csv",
    ]);
    assert!(
        back.contains("RUS,Russian Federation,level,5,3,")
            && back.contains("RUS/AFG-IEA/2025-07-03/recognition"),
        "{back}"
    );
}

#[test]
fn bad_arguments_fail_clearly() {
    let out = dyad(&["status", "NOPE", "--on", "2023-01-01"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown authority `NOPE`"));
    let out = dyad(&["status", "AFG-IEA", "--on", "2023-02-30"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a real calendar date"));
    let out = dyad(&["import", "x.csv"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("import needs a home"));
}

#[test]
fn every_command_help_has_an_example() {
    for cmd in [
        "status", "why", "timeline", "compare", "diff", "import", "export", "check", "init",
        "history",
    ] {
        let help = ok(&[cmd, "--help"]);
        assert!(
            help.contains("Example:\n  dyad "),
            "{cmd} --help has no example"
        );
    }
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn home_import_correct_and_known_on() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("home");
    let h = home.to_str().unwrap();
    ok(&["init", h]);
    assert!(home.join("ledger.sqlite").exists());
    // A second init refuses to overwrite.
    assert!(!dyad(&["init", h]).status.success());

    // A new case family: an authority and an act toward it, in one import.
    let auth = write(
        tmp.path(),
        "auth.csv",
        "id,state,name,from,until,exile_from,source_url,note\nTST-GOV,NPL,Test government,2001-01-01,,,https://example.org/tst,test only\n",
    );
    let acts = write(
        tmp.path(),
        "acts.csv",
        "date,actor,counterpart,act,level,detail,source_url,source_date\n2020-05,IND,TST-GOV,recognition,5,Test act.,https://example.org/a,\n",
    );
    let report = ok(&["--home", h, "import", &auth, &acts, "--by", "tester"]);
    assert!(report.contains("1 acts added"), "{report}");
    let s = ok(&[
        "--home",
        h,
        "status",
        "TST-GOV",
        "--on",
        "2020-06-01",
        "--format",
        "csv",
    ]);
    assert!(s.contains("IND,India,5,formal recognition,de_jure,"), "{s}");
    let inside = ok(&[
        "--home",
        h,
        "status",
        "TST-GOV",
        "--on",
        "2020-05-10",
        "--format",
        "csv",
    ]);
    assert!(
        inside.contains("IND,India,0?,none,none,none,none,not_recorded,recognition,"),
        "{inside}"
    );

    // A bad file changes nothing and names file:line:column.
    let bad = write(
        tmp.path(),
        "bad.csv",
        "date,actor,counterpart,act,level,detail,source_url,source_date\n2020-06-01,IND,TST-GOV,recognition,,x,https://example.org/b,\n2020-02-30,IND,TST-GOV,other,,x,https://example.org/c,\n",
    );
    let out = dyad(&["--home", h, "import", &bad]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.csv:3:1: date: `2020-02-30` is not a real calendar date"),
        "{err}"
    );
    let exported = ok(&["--home", h, "export", "--authority", "TST-GOV"]);
    assert_eq!(exported.lines().count(), 2, "{exported}");

    // A correction is a new version; history shows both.
    let fixed = exported.replace("Test act.", "Test act; corrected.");
    let fixed_path = write(tmp.path(), "fixed.csv", &fixed);
    let report = ok(&["--home", h, "import", &fixed_path, "--reason", "reworded"]);
    assert!(report.contains("1 corrected"), "{report}");
    let hist = ok(&[
        "--home",
        h,
        "history",
        "IND/TST-GOV/2020-05/recognition",
        "--format",
        "csv",
    ]);
    assert_eq!(hist.lines().count(), 3, "{hist}");
    assert!(hist.contains(",reworded,"));
    // As known yesterday, the ledger had neither version.
    let yesterday = time::OffsetDateTime::now_utc()
        .date()
        .previous_day()
        .unwrap();
    let y = dyad_core::date::format_day(yesterday);
    let old = ok(&[
        "--home",
        h,
        "export",
        "--authority",
        "TST-GOV",
        "--known-on",
        &y,
    ]);
    assert_eq!(old.lines().count(), 1, "{old}");

    // The bundled acts are in the home too.
    let kaz = ok(&[
        "--home",
        h,
        "why",
        "KAZ",
        "AFG-IEA",
        "--on",
        "2023-04-18",
        "--format",
        "csv",
    ]);
    assert!(kaz.contains("KAZ/AFG-IEA/2023-04-17/envoy_accepted"));
}

#[test]
fn check_lists_level_differences() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../dyad-ledger/data/afghanistan_iea_events.csv"
    );
    let out = ok(&["check", file, "--format", "csv"]);
    // China's 13 Sep 2023 row says 3, but no earlier row shows Taliban envoys in Beijing, so
    // from the file's own acts the level is 2 (own embassy, now with an ambassador).
    assert!(
        out.contains(
            ",CHN/AFG-IEA/2023-09-13/ambassador_sent,CHN,AFG-IEA,2023-09-13,ambassador_sent,3,2,"
        ),
        "{out}"
    );
}

#[test]
fn why_shows_japans_mission_open_from_its_reopening() {
    // Japan closed its Kabul embassy on 2021-08-15 and said in 2022-10 that it worked again:
    // a reopening, not an embassy kept open.
    let why = ok(&[
        "why",
        "JPN",
        "AFG-IEA",
        "--on",
        "2023-01-01",
        "--format",
        "csv",
    ]);
    assert!(
        why.contains("mission,open,counted,JPN/AFG-IEA/2022-10/mission_opened,2022-10,mission_opened,https://a1info.xyz/"),
        "{why}"
    );
    assert!(!why.contains("embassy_kept_open"), "{why}");
    // Before the reopening the mission was closed by the 2021 act.
    let before = ok(&[
        "why",
        "JPN",
        "AFG-IEA",
        "--on",
        "2022-09-30",
        "--format",
        "csv",
    ]);
    assert!(
        before.contains("mission,closed,counted,JPN/AFG-IEA/2021-08-15/mission_closed,"),
        "{before}"
    );
}

#[test]
fn check_warns_about_rows_without_a_source_date_and_still_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("acts.csv");
    std::fs::write(
        &file,
        "date,actor,counterpart,act,level,detail,source_url,source_date\n\
         2021-08-15,JPN,AFG-IEA,mission_closed,1,Closed.,https://example.org/a,2021-08-17\n\
         2022-10,JPN,AFG-IEA,mission_opened,2,Reopened.,https://example.org/b,\n",
    )
    .unwrap();
    let out = dyad(&["check", file.to_str().unwrap(), "--format", "csv"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    let warnings: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains(": warning: "))
        .collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(
        warnings[0].ends_with(
            "acts.csv:3: warning: source_date: empty for `JPN/AFG-IEA/2022-10/mission_opened` (give the page's publication date if it shows one)"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("2 acts, all valid; 1 without a source_date (warnings)"),
        "{stderr}"
    );
    // The table on stdout still lists only level differences (none here).
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    // An error still fails the command.
    std::fs::write(
        &file,
        "date,actor,counterpart,act,level,detail,source_url,source_date\n\
         2022-10,XXX,AFG-IEA,mission_opened,2,Reopened.,https://example.org/b,\n",
    )
    .unwrap();
    assert!(!dyad(&["check", file.to_str().unwrap()]).status.success());
}

#[test]
fn contest_sets_venezuelas_rival_governments_side_by_side() {
    // 1 Mar 2019: the US, Brazil and Spain recognise Guaidó's interim government, Mexico does
    // not, Russia recognises Maduro's (each row's source in venezuela_acts.csv).
    let v = json(&["contest", "VEN", "--on", "2019-03-01", "--format", "json"]);
    let sides: Vec<&str> = v["sides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["authority"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(sides, ["VEN-MADURO", "VEN-GUAIDO"]);
    // Each row's stances come in the order of the sides.
    let side = |authority: &str| sides.iter().position(|s| *s == authority).unwrap();
    let stance = |actor: &str, authority: &str| {
        let row = v["actors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["actor"] == actor)
            .unwrap_or_else(|| panic!("{actor}"));
        row["stances"][side(authority)].clone()
    };
    for actor in ["USA", "BRA", "ESP"] {
        assert_eq!(
            stance(actor, "VEN-GUAIDO")["recognition"]["value"],
            "de_jure"
        );
    }
    assert_eq!(stance("MEX", "VEN-GUAIDO")["recognition"]["value"], "none");
    assert_eq!(
        stance("RUS", "VEN-MADURO")["recognition"]["value"],
        "de_jure"
    );
    assert!(stance("RUS", "VEN-GUAIDO").is_null());
    // Every stance cites its acts with their sources.
    let sources = stance("ESP", "VEN-GUAIDO")["sources"].clone();
    assert_eq!(sources[0]["id"], "ESP/VEN-GUAIDO/2019-02-04/recognition");
    assert!(sources[0]["source_url"]
        .as_str()
        .unwrap()
        .starts_with("http"));

    // The table ends with a summary; the counts agree with the rows.
    let table = ok(&["contest", "VEN", "--on", "2019-03-01", "--format", "table"]);
    let recognising = v["actors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["stances"][side("VEN-GUAIDO")]["recognition"]["value"] == "de_jure")
        .count();
    assert!(
        table.contains(&format!("VEN-GUAIDO: recognised by {recognising} of ")),
        "{table}"
    );

    // After 5 Jan 2023 the interim government had ended, and dyad says so.
    let out = dyad(&["contest", "VEN", "--on", "2023-02-01", "--format", "csv"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("VEN-GUAIDO (Interim government of Juan Guaidó) had ended by 2023-02-01: its last day was 2023-01-05"),
        "{err}"
    );
    let out = dyad(&["status", "VEN-GUAIDO", "--on", "2023-02-01"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("had ended by 2023-02-01"));
    let v = json(&[
        "why",
        "USA",
        "VEN-GUAIDO",
        "--on",
        "2023-02-01",
        "--format",
        "json",
    ]);
    assert_eq!(v["ended"], "2023-01-05");

    // Afghanistan's two governments, and a state no authority claims.
    let v = json(&["contest", "AFG", "--on", "2023-04-18", "--format", "json"]);
    assert_eq!(v["sides"][0]["authority"]["id"], "AFG-IRA");
    assert_eq!(v["sides"][0]["in_exile"], true);
    assert_eq!(v["sides"][1]["authority"]["id"], "AFG-IEA");
    let out = dyad(&["contest", "KAZ"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no authority claims KAZ"));
}

#[test]
fn a_closed_pipe_ends_the_command_quietly_with_exit_0() {
    // The reader is gone before dyad writes anything, so every write fails with EPIPE, as in
    // `dyad export | head -0`.
    for args in [
        &["export"][..],
        &[
            "status",
            "AFG-IEA",
            "--on",
            "2023-04-18",
            "--format",
            "json",
        ],
        &[
            "status",
            "AFG-IEA",
            "--on",
            "2023-04-18",
            "--format",
            "table",
        ],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(env!("CARGO_BIN_EXE_dyad"))
            .args(args)
            .env_remove("DYAD_HOME")
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}");
    }
}

/// Turns a current home into one as the dyad of schema version 2 left it (no `contests`, no
/// tokens table, the version in `meta`), or further into version 1 (who/when/why and the id on
/// every act, no `imports`). The inverse of the migrations, so the old home holds the same acts,
/// versions and provenance as the current one.
fn downgrade(ledger: &Path, to: u8) {
    let conn = rusqlite::Connection::open(ledger).unwrap();
    conn.execute_batch(
        "DROP TABLE IF EXISTS tokens;
         ALTER TABLE authorities DROP COLUMN contests;
         UPDATE meta SET value = '2' WHERE key = 'schema';
         PRAGMA user_version = 0;",
    )
    .unwrap();
    if to == 1 {
        // Version 1 kept every id with its hash; migration recomputes the hashes it keeps, so
        // 0 stands in for them here.
        conn.execute_batch(
            "CREATE TABLE acts_v1(
                 authority TEXT NOT NULL, actor TEXT NOT NULL, seq INTEGER NOT NULL,
                 id TEXT NOT NULL, id_hash INTEGER NOT NULL, version INTEGER NOT NULL,
                 date TEXT NOT NULL, act TEXT NOT NULL,
                 level INTEGER, detail TEXT NOT NULL, source_url TEXT NOT NULL, source_date TEXT,
                 recorded_at TEXT NOT NULL, recorded_by TEXT NOT NULL, reason TEXT NOT NULL,
                 superseded_at TEXT,
                 PRIMARY KEY(authority, actor, seq)) WITHOUT ROWID;
             INSERT INTO acts_v1
                 SELECT a.authority, a.actor, a.seq,
                     coalesce(a.id, a.actor || '/' || a.authority || '/' || a.date || '/' || a.act),
                     0, a.version, a.date, a.act, a.level, a.detail, a.source_url, a.source_date,
                     i.recorded_at, i.recorded_by, i.reason, s.recorded_at
                 FROM acts a JOIN imports i ON i.id = a.import
                 LEFT JOIN imports s ON s.id = a.superseded_by;
             DROP TABLE acts;
             DROP TABLE imports;
             ALTER TABLE acts_v1 RENAME TO acts;
             CREATE INDEX acts_by_id ON acts(id_hash);
             DELETE FROM meta WHERE key = 'next_seq';
             UPDATE meta SET value = '1' WHERE key = 'schema';",
        )
        .unwrap();
    }
}

/// The ledger file's bytes and the length of its write-ahead log (a reader may leave SQLite's
/// shared-memory index beside a WAL database, but writes nothing through the log).
fn ledger_state(home: &Path) -> (Vec<u8>, u64) {
    let wal = std::fs::metadata(home.join("ledger.sqlite-wal")).map_or(0, |m| m.len());
    (std::fs::read(home.join("ledger.sqlite")).unwrap(), wal)
}

#[test]
fn read_commands_on_old_homes_answer_without_writing_to_them() {
    let tmp = tempfile::tempdir().unwrap();
    let current = tmp.path().join("current");
    let h = current.to_str().unwrap();
    ok(&["init", h]);
    let auth = write(
        tmp.path(),
        "auth.csv",
        "id,state,name,from,until,exile_from,source_url,note\nTST-GOV,NPL,Test government,2001-01-01,,,https://example.org/tst,test only\n",
    );
    let acts = write(
        tmp.path(),
        "acts.csv",
        "date,actor,counterpart,act,level,detail,source_url,source_date\n2020-05,IND,TST-GOV,recognition,5,Test act.,https://example.org/a,\n",
    );
    ok(&["--home", h, "import", &auth, &acts, "--by", "alice"]);
    let fixed = write(
        tmp.path(),
        "fixed.csv",
        "date,actor,counterpart,act,level,detail,source_url,source_date\n2020-05,IND,TST-GOV,recognition,5,Test act; corrected.,https://example.org/a,\n",
    );
    ok(&[
        "--home", h, "import", &fixed, "--by", "carol", "--reason", "reworded",
    ]);
    let yesterday = dyad_core::date::format_day(
        time::OffsetDateTime::now_utc()
            .date()
            .previous_day()
            .unwrap(),
    );
    let reads: Vec<Vec<&str>> = vec![
        vec!["status", "AFG-IEA", "--on", "2023-04-18", "--format", "csv"],
        vec!["status", "TST-GOV", "--on", "2020-06-01", "--format", "csv"],
        vec![
            "compare",
            "AFG-IEA",
            "--on",
            "2023-04-18",
            "KAZ",
            "CHN",
            "--format",
            "csv",
        ],
        vec![
            "why",
            "IND",
            "TST-GOV",
            "--on",
            "2020-06-01",
            "--format",
            "csv",
        ],
        vec!["timeline", "IND", "TST-GOV", "--format", "csv"],
        vec![
            "history",
            "IND/TST-GOV/2020-05/recognition",
            "--format",
            "csv",
        ],
        vec!["export"],
        vec!["export", "--known-on", &yesterday],
        vec![
            "diff",
            "AFG-IEA",
            "--from",
            "2023-01-01",
            "--to",
            "2025-12-31",
            "--format",
            "csv",
        ],
        vec!["contest", "VEN", "--on", "2019-03-01", "--format", "csv"],
        vec!["check", &fixed, "--format", "csv"],
        vec!["token", "list", "--format", "csv"],
    ];
    let read_all = |home: &str| -> Vec<(String, String)> {
        reads
            .iter()
            .map(|args| {
                let out = dyad(&[&["--home", home][..], args].concat());
                assert!(
                    out.status.success(),
                    "{args:?} on {home}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                (
                    String::from_utf8(out.stdout).unwrap(),
                    String::from_utf8(out.stderr).unwrap(),
                )
            })
            .collect()
    };
    let expected: Vec<String> = read_all(h).into_iter().map(|(out, _)| out).collect();
    assert!(expected[5].contains(",reworded,"), "{}", expected[5]);
    assert!(
        expected[6].contains("Test act; corrected."),
        "{}",
        expected[6]
    );

    for version in [2u8, 1] {
        let home = tmp.path().join(format!("v{version}"));
        std::fs::create_dir(&home).unwrap();
        std::fs::copy(current.join("ledger.sqlite"), home.join("ledger.sqlite")).unwrap();
        downgrade(&home.join("ledger.sqlite"), version);
        let before = ledger_state(&home);
        let old = home.to_str().unwrap();

        for (i, (out, err)) in read_all(old).into_iter().enumerate() {
            assert_eq!(out, expected[i], "version {version}: {:?}", reads[i]);
            // Version 2 is read as it is; version 1 from a copy migrated in memory, said so.
            let note = err.contains(&format!("dyad --home {old} migrate"));
            assert_eq!(note, version == 1, "version {version}: {err}");
        }
        assert!(
            ledger_state(&home) == before,
            "version {version}: a read command wrote to the home"
        );

        // The server without writes leaves the home as it was too.
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_dyad"));
        cmd.args(["--home", old]);
        let server = serve_with(cmd);
        let (status, history) = get(
            &server.addr,
            "/api/history?id=IND/TST-GOV/2020-05/recognition",
        )
        .expect("an answer");
        drop(server);
        assert_eq!(status, 200, "{history}");
        assert!(history.contains("\"reworded\""), "{history}");
        assert!(
            ledger_state(&home) == before,
            "version {version}: serving wrote to the home"
        );

        // `dyad migrate` upgrades it once; the answers stay the same, without the note.
        let done = ok(&["--home", old, "migrate"]);
        assert!(
            done.contains(&format!("from schema version {version} to 4")),
            "{done}"
        );
        let again = ok(&["--home", old, "migrate"]);
        assert!(again.contains("at schema version 4 already"), "{again}");
        for (i, (out, err)) in read_all(old).into_iter().enumerate() {
            assert_eq!(out, expected[i], "migrated {version}: {:?}", reads[i]);
            assert!(!err.contains("migrate"), "{err}");
        }
    }
}
