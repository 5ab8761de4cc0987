//! Imports are all or nothing, re-imports are no-ops, corrections are versions, and a new case
//! family (an authorities file plus acts toward it) comes in with one call.

use dyad_core::date::parse_day;
use dyad_core::{fold_all, Act};
use dyad_ledger::{InputFile, Ledger, LedgerError, Provenance};

const HEADER: &str = "date,actor,counterpart,act,level,detail,source_url,source_date\n";

/// Three rows copied from the bundled dataset.
const GOOD1: &str = "\
2021-08-15,GBR,AFG-IEA,statement_non_recognition,,Prime Minister Boris Johnson said no country should recognise the Taliban bilaterally and sought a common line among like-minded states.,https://www.reuters.com/world/uk/countries-should-not-recognise-taliban-afghan-government-says-uks-johnson-2021-08-15/,2021-08-15
2021-08-16,CHN,AFG-IEA,embassy_kept_open,2,Beijing said its Kabul embassy was running normally with the ambassador still there and voiced readiness for friendly ties.,https://english.alarabiya.net/News/world/2021/08/17/Russia-China-embassies-are-only-diplomatic-missions-functioning-in-Afghanistan,2021-08-17
2022-04-06,RUS,AFG-IEA,envoy_accepted,3,Russia's foreign ministry formally recognised Taliban appointee Jamal Garwal as Afghanistan's charge d'affaires in Moscow.,https://www.republicworld.com/world-news/rest-of-the-world-news/russia-officially-recognizes-diplomat-sent-by-taliban-as-charge-daffaires-of-afghanistan-articleshow.html,2022-04-06
";

/// Two more valid rows.
const GOOD2: &str = "\
2022-03-17,TKM,AFG-IEA,envoy_accepted,3,Deputy foreign minister Vepa Hajiyev attended the installation of Taliban appointee Fazal Mohammad Sabir as caretaker head of the Afghan embassy in Ashgabat.,https://en.kokchapress.com/2022/03/17/iea-introduces-caretaker-ambassador-to-turkmenistan/,2022-03-17
2025-07-03,RUS,AFG-IEA,recognition,5,\"Russia formally recognised the Islamic Emirate government, the first state to do so since 2021, citing prospects for bilateral cooperation.\",https://www.latestly.com/agency-news/world-news-russia-becomes-first-country-to-formally-recognise-taliban-rule-in-afghanistan-6971737.html,2025-07-04
";

/// One good row, then an unknown actor on line 3.
const BAD: &str = "\
2024-01-30,CHN,AFG-IEA,ambassador_credentials_accepted,4,President Xi accepted Bilal Karimi's letter of credence with those of 41 other envoys at the Great Hall of the People.,https://gna.org.gh/2024/01/chinese-president-accepts-credentials-of-taliban-appointed-ambassador/,2024-01-30
2024-02-15,XXX,AFG-IEA,ambassador_sent,2,Azerbaijani ambassador Ilham Mammadov arrived in Kabul and handed Muttaqi an official letter opening Azerbaijan's embassy there.,https://rferl.org/amp/afghanistan-azerbaijan-embassy-kabul/32821357.html,
";

fn file(name: &str, body: &str) -> InputFile {
    InputFile {
        name: name.to_string(),
        bytes: format!("{HEADER}{body}").into_bytes(),
    }
}

fn prov(by: &str, reason: &str) -> Provenance {
    Provenance {
        by: by.to_string(),
        reason: reason.to_string(),
    }
}

fn new_ledger(dir: &std::path::Path) -> Ledger {
    Ledger::init(dir, true).unwrap();
    Ledger::open(dir).unwrap()
}

fn all(ledger: &Ledger) -> Vec<Act> {
    ledger.acts(None, None, None).unwrap()
}

#[test]
fn a_bad_file_among_good_files_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = new_ledger(dir.path());
    let report = ledger
        .import_at(
            &[file("good1.csv", GOOD1)],
            &prov("tester", "first import"),
            "2026-01-05T10:00:00.000000Z",
        )
        .unwrap();
    assert_eq!(report.added, 3);
    let before = all(&ledger);
    assert_eq!(before.len(), 3);

    let err = ledger
        .import_at(
            &[file("good2.csv", GOOD2), file("bad.csv", BAD)],
            &prov("tester", "second import"),
            "2026-01-06T10:00:00.000000Z",
        )
        .unwrap_err();
    let LedgerError::Input(errors) = &err else {
        panic!("expected an input error, got {err:?}");
    };
    assert_eq!(errors.0.len(), 1, "{errors}");
    assert_eq!((errors.0[0].line, errors.0[0].column), (3, 2));
    assert!(
        err.to_string()
            .contains("bad.csv:3:2: actor: unknown actor `XXX`"),
        "{err}"
    );
    assert!(err.to_string().contains("nothing was changed"), "{err}");

    // Nothing changed, in this handle and in a fresh one.
    assert_eq!(all(&ledger), before);
    let reopened = Ledger::open(dir.path()).unwrap();
    assert_eq!(all(&reopened), before);
    for ledger in [&ledger, &reopened] {
        assert!(ledger.acts(None, Some("TKM"), None).unwrap().is_empty());
        assert!(ledger
            .history("RUS/AFG-IEA/2025-07-03/recognition")
            .unwrap()
            .is_empty());
        // The good row of the bad file is not there either.
        assert!(ledger
            .history("CHN/AFG-IEA/2024-01-30/ambassador_credentials_accepted")
            .unwrap()
            .is_empty());
    }

    // The same files without the bad one go in.
    let report = ledger
        .import_at(
            &[file("good2.csv", GOOD2)],
            &prov("tester", "second import"),
            "2026-01-06T10:00:00.000000Z",
        )
        .unwrap();
    assert_eq!(
        (report.added, report.corrected, report.unchanged),
        (2, 0, 0)
    );
    assert_eq!(all(&ledger).len(), 5);
}

#[test]
fn a_duplicate_across_files_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = new_ledger(dir.path());
    // The GBR row of GOOD1 again, in another file, with a different detail.
    let copy = GOOD1
        .lines()
        .next()
        .unwrap()
        .replace("Prime Minister", "PM");
    let err = ledger
        .import(
            &[file("a.csv", GOOD1), file("b.csv", &format!("{copy}\n"))],
            &prov("tester", "import"),
        )
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("b.csv:2:0: duplicate act `GBR/AFG-IEA/2021-08-15/statement_non_recognition`: also at a.csv:2"),
        "{text}"
    );
    assert!(all(&ledger).is_empty());
}

#[test]
fn reimport_is_a_no_op_and_a_correction_is_a_new_version() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = new_ledger(dir.path());
    let first = "2026-01-05T10:00:00.000000Z";
    ledger
        .import_at(
            &[file("good1.csv", GOOD1)],
            &prov("alice", "first import"),
            first,
        )
        .unwrap();
    let before = all(&ledger);

    // The same file again: nothing new.
    let report = ledger
        .import_at(
            &[file("good1.csv", GOOD1)],
            &prov("bob", "again"),
            "2026-01-07T10:00:00.000000Z",
        )
        .unwrap();
    assert_eq!(report.unchanged, 3);
    assert_eq!((report.added, report.corrected), (0, 0));
    assert_eq!(all(&ledger), before);
    for act in &before {
        let h = ledger.history(&act.id).unwrap();
        assert_eq!(h.len(), 1, "{}", act.id);
        assert_eq!(h[0].recorded_at, first);
    }

    // The RUS detail corrected.
    let id = "RUS/AFG-IEA/2022-04-06/envoy_accepted";
    let old_detail = "Russia's foreign ministry formally recognised Taliban appointee Jamal Garwal as Afghanistan's charge d'affaires in Moscow.";
    let new_detail = "Russia's foreign ministry accepted Taliban appointee Jamal Nasir Garwal as Afghanistan's charge d'affaires in Moscow.";
    let corrected = GOOD1.replace(old_detail, new_detail);
    assert_ne!(corrected, GOOD1);
    let report = ledger
        .import_at(
            &[file("good1-fixed.csv", &corrected)],
            &prov("carol", "full name; accepted, not recognised"),
            "2026-01-10T09:30:00.000000Z",
        )
        .unwrap();
    assert_eq!(
        (report.added, report.corrected, report.unchanged),
        (0, 1, 2)
    );

    let h = ledger.history(id).unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!((h[0].version, h[0].act.detail.as_str()), (1, old_detail));
    assert_eq!(
        (h[0].recorded_by.as_str(), h[0].reason.as_str()),
        ("alice", "first import")
    );
    assert_eq!(h[0].recorded_at, first);
    assert_eq!(
        h[0].superseded_at.as_deref(),
        Some("2026-01-10T09:30:00.000000Z")
    );
    assert_eq!((h[1].version, h[1].act.detail.as_str()), (2, new_detail));
    assert_eq!(
        (h[1].recorded_by.as_str(), h[1].reason.as_str()),
        ("carol", "full name; accepted, not recognised")
    );
    assert_eq!(h[1].recorded_at, "2026-01-10T09:30:00.000000Z");
    assert_eq!(h[1].superseded_at, None);

    let detail_on = |known_on: Option<&str>| -> Vec<String> {
        ledger
            .acts(None, Some("RUS"), known_on.map(|d| parse_day(d).unwrap()))
            .unwrap()
            .into_iter()
            .map(|a| a.detail)
            .collect()
    };
    assert_eq!(detail_on(None), [new_detail]);
    assert_eq!(detail_on(Some("2026-01-09")), [old_detail]);
    assert_eq!(detail_on(Some("2026-01-10")), [new_detail]);
    assert!(detail_on(Some("2026-01-04")).is_empty());
    // Still three acts, one per id.
    assert_eq!(all(&ledger).len(), 3);
    assert_eq!(
        ledger
            .acts(None, None, Some(parse_day("2026-01-09").unwrap()))
            .unwrap(),
        before
    );
}

const TST_AUTHORITIES: &str = "\
id,state,name,from,until,exile_from,source_url,note
TST-GOV,MMR,Test Government of Myanmar,2021-02-01,,,https://example.org/tst-gov,Synthetic authority for tests.
";

const TST_ACTS: &str = "\
2021-03-01,USA,TST-GOV,statement_non_recognition,,The United States said it would not recognise the test government.,https://example.org/usa-1,2021-03-01
2022-03-01,CHN,TST-GOV,envoy_accepted,3,China accepted a charge d'affaires of the test government.,https://example.org/chn-1,2022-03
2021-06-10,RUS,TST-GOV,embassy_kept_open,2,Russia kept its embassy in the capital open.,https://example.org/rus-1,
2023-05,RUS,TST-GOV,recognition,5,\"Month only: Russia recognised the test government, by decree.\",https://example.org/rus-2,2023-06-02
";

#[test]
fn a_new_case_family_comes_in_one_call_and_the_fold_answers() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = new_ledger(dir.path());
    assert!(ledger.registry().authority("TST-GOV").is_none());

    // Acts toward an unknown authority fail on their own, and change nothing.
    let err = ledger
        .import(&[file("tst.csv", TST_ACTS)], &prov("t", "acts only"))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("tst.csv:2:3: counterpart: unknown authority `TST-GOV`"),
        "{err}"
    );

    // A bad authorities file with good acts: nothing changes, not even the registry.
    let bad_authorities = InputFile {
        name: "tst-authorities.csv".into(),
        bytes: TST_AUTHORITIES.replace(",MMR,", ",MYN,").into_bytes(),
    };
    let err = ledger
        .import(
            &[bad_authorities, file("tst.csv", TST_ACTS)],
            &prov("t", "bad state"),
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("tst-authorities.csv:2:2: state: unknown state `MYN`"),
        "{err}"
    );
    assert!(ledger.registry().authority("TST-GOV").is_none());
    assert!(all(&ledger).is_empty());

    // Acts first, authorities second: the authorities file is still read first.
    let authorities = InputFile {
        name: "tst-authorities.csv".into(),
        bytes: TST_AUTHORITIES.as_bytes().to_vec(),
    };
    let report = ledger
        .import(
            &[file("tst.csv", TST_ACTS), authorities],
            &prov("t", "new case"),
        )
        .unwrap();
    assert_eq!((report.authorities, report.added), (1, 4));

    // An act before the authority began is rejected against the imported period.
    let early = "2021-01-15,IND,TST-GOV,other,,Too early.,https://example.org/ind-1,\n";
    let err = ledger
        .import(&[file("early.csv", early)], &prov("t", "early"))
        .unwrap_err();
    assert!(
        err.to_string().contains(
            "early.csv:2:1: date: 2021-01-15 is outside the period of TST-GOV (2021-02-01 to today)"
        ),
        "{err}"
    );

    // The authority persists.
    let ledger = Ledger::open(dir.path()).unwrap();
    let tst = ledger.registry().authority("TST-GOV").unwrap().clone();
    assert_eq!(tst.state, "MMR");
    let acts = ledger.acts(Some("TST-GOV"), None, None).unwrap();
    assert_eq!(acts.len(), 4);

    let level = |on: &str| -> Vec<(String, u8, bool)> {
        fold_all(&tst, &acts, parse_day(on).unwrap())
            .into_iter()
            .map(|s| (s.actor, s.level, s.level_uncertain))
            .collect()
    };
    let own = |a: &str, l: u8, u: bool| (a.to_string(), l, u);
    assert_eq!(level("2021-02-15"), []);
    assert_eq!(level("2021-03-01"), [own("USA", 0, false)]);
    assert_eq!(
        level("2022-03-01"),
        [
            own("CHN", 3, false),
            own("RUS", 2, false),
            own("USA", 0, false)
        ]
    );
    // Inside May 2023 the recognition may or may not have happened.
    assert_eq!(
        level("2023-05-15"),
        [
            own("CHN", 3, false),
            own("RUS", 2, true),
            own("USA", 0, false)
        ]
    );
    assert_eq!(
        level("2023-05-31"),
        [
            own("CHN", 3, false),
            own("RUS", 5, false),
            own("USA", 0, false)
        ]
    );
    // Bundled authorities are untouched by the new family.
    assert!(ledger.acts(Some("AFG-IEA"), None, None).unwrap().is_empty());
}

/// Ids of their own and natural ids given in an `id` column both keep their history, from an
/// import into an empty ledger on.
#[test]
fn given_ids_keep_their_history() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = new_ledger(dir.path());
    let with_ids = |detail: &str| {
        InputFile {
            name: "ids.csv".into(),
            bytes: format!(
                "id,date,actor,counterpart,act,level,detail,source_url,source_date\n\
                 kaz-2023-envoy,2023-04-17,KAZ,AFG-IEA,envoy_accepted,3,{detail},https://example.org/kaz,\n\
                 RUS/AFG-IEA/2022-04-06/envoy_accepted,2022-04-06,RUS,AFG-IEA,envoy_accepted,3,{detail},https://example.org/rus,\n"
            )
            .into_bytes(),
        }
    };
    let report = ledger
        .import_at(
            &[with_ids("first")],
            &prov("a", "one"),
            "2026-01-05T10:00:00.000000Z",
        )
        .unwrap();
    assert_eq!(report.added, 2);
    let report = ledger
        .import_at(
            &[with_ids("second")],
            &prov("b", "two"),
            "2026-01-06T10:00:00.000000Z",
        )
        .unwrap();
    assert_eq!((report.added, report.corrected), (0, 2));
    for id in ["kaz-2023-envoy", "RUS/AFG-IEA/2022-04-06/envoy_accepted"] {
        let h = ledger.history(id).unwrap();
        let seen: Vec<(i64, &str, &str, Option<&str>)> = h
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
            seen,
            [
                (1, "first", "a", Some("2026-01-06T10:00:00.000000Z")),
                (2, "second", "b", None)
            ],
            "{id}"
        );
        assert!(h.iter().all(|v| v.act.id == id));
    }
    let ids: Vec<String> = all(&ledger).into_iter().map(|a| a.id).collect();
    assert_eq!(
        ids,
        ["RUS/AFG-IEA/2022-04-06/envoy_accepted", "kaz-2023-envoy"]
    );
}

/// Acts given as data (the curator API's JSON) go through the same validation as a file, all or
/// nothing, with problems located as `acts[i].field`; valid ones are stored like an import.
#[test]
fn acts_given_as_data_are_validated_like_a_file() {
    use dyad_core::raw::RawAct;
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = new_ledger(dir.path());
    let good = RawAct {
        date: "2023-04-17",
        actor: "KAZ",
        counterpart: "AFG-IEA",
        act: "envoy_accepted",
        detail: "Test act (example.org).",
        source_url: "https://example.org/kaz",
        ..RawAct::default()
    };
    let late = RawAct {
        date: "2020-01-01",
        ..good
    };
    let err = ledger
        .import_records("acts", &[good, late, good], &prov("curator", "test"))
        .unwrap_err();
    let LedgerError::Records(errors) = &err else {
        panic!("expected located records, got {err:?}");
    };
    let problems: Vec<String> = errors.0.iter().map(ToString::to_string).collect();
    assert_eq!(
        problems,
        [
            "acts[1].date: 2020-01-01 is outside the period of AFG-IEA (2021-08-15 to today)",
            "acts[2]: duplicate act `KAZ/AFG-IEA/2023-04-17/envoy_accepted`: acts[0] already has \
             this actor, authority, date and act"
        ]
    );
    assert!(err
        .to_string()
        .starts_with("2 problems found; nothing was changed"));
    assert!(all(&ledger).is_empty());

    let report = ledger
        .import_records("acts", &[good], &prov("curator", "test"))
        .unwrap();
    assert_eq!((report.added, report.authorities), (1, 0));
    let history = ledger
        .history("KAZ/AFG-IEA/2023-04-17/envoy_accepted")
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].recorded_by, "curator");
    assert_eq!(history[0].act.detail, "Test act (example.org).");
}
