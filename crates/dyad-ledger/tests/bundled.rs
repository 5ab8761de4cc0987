//! The bundled Afghanistan dataset answers the seed questions as its sources say.
//!
//! Each expectation cites the act (and so the source page) in
//! `data/afghanistan_iea_events.csv` that establishes it.

use dyad_core::date::parse_day;
use dyad_core::stance::{Envoys, Mission, Recognition};
use dyad_core::{fold, Stance};
use dyad_ledger::Ledger;

fn stance(actor: &str, day: &str) -> Stance {
    let ledger = Ledger::bundled().unwrap();
    let authority = ledger.registry().authority("AFG-IEA").unwrap().clone();
    let acts = ledger.acts(Some("AFG-IEA"), None, None).unwrap();
    fold(actor, &authority, &acts, parse_day(day).unwrap())
}

#[test]
fn kazakhstan_receives_envoys_without_recognising_on_2023_04_18() {
    // eurasianet.org, 17 Apr 2023: envoys accredited, "not recognition".
    let s = stance("KAZ", "2023-04-18");
    assert_eq!(s.recognition.value, Recognition::None);
    assert_eq!(s.envoys.value, Envoys::BelowAmbassador);
    assert_eq!(s.envoys.acts, ["KAZ/AFG-IEA/2023-04-17/envoy_accepted"]);
    assert_eq!(s.level, 3);
    // The day before, no envoys yet.
    assert_eq!(stance("KAZ", "2023-04-16").envoys.value, Envoys::None);
}

#[test]
fn china_has_an_accredited_ambassador_on_2024_02_01_but_no_recognition() {
    // Xi accepted Bilal Karimi's credentials on 30 Jan 2024 (nation.com.pk).
    let s = stance("CHN", "2024-02-01");
    assert_eq!(s.envoys.value, Envoys::Ambassador);
    assert_eq!(s.recognition.value, Recognition::None);
    assert_eq!(
        s.recognition.acts,
        ["CHN/AFG-IEA/2023-12-05/statement_non_recognition"]
    );
    // China's own ambassador Zhao Xing presented credentials in Kabul on 13 Sep 2023.
    assert_eq!(s.mission.value, Mission::Ambassador);
    assert_eq!(s.level, 4);
}

#[test]
fn russia_recognises_on_2025_07_04_but_not_on_2025_07_02() {
    // Russia recognised the Islamic Emirate on 3 Jul 2025.
    let before = stance("RUS", "2025-07-02");
    assert_eq!(before.recognition.value, Recognition::None);
    assert_eq!(before.level, 3);
    let after = stance("RUS", "2025-07-04");
    assert_eq!(after.recognition.value, Recognition::DeJure);
    assert_eq!(
        after.recognition.acts,
        ["RUS/AFG-IEA/2025-07-03/recognition"]
    );
    assert_eq!(after.envoys.value, Envoys::Ambassador);
    assert_eq!(after.level, 5);
}

#[test]
fn month_precision_acts_are_uncertain_inside_their_month() {
    // Uzbekistan: the Tashkent embassy was handed over in February 2024 (month only).
    let inside = stance("UZB", "2024-02-10");
    assert!(inside.envoys.uncertain());
    assert_eq!(inside.envoys.value, Envoys::None);
    assert_eq!(inside.level, 2);
    assert!(inside.level_uncertain);
    let after = stance("UZB", "2024-02-29");
    assert_eq!(after.envoys.value, Envoys::BelowAmbassador);
    assert!(!after.level_uncertain);
}

#[test]
fn republic_era_missions_abroad_fold_into_envoys() {
    // After 15 Aug 2021 the Islamic Republic had no capital; the US closed its embassy in
    // Washington on 16 May 2022 (business-standard.com).
    let ledger = Ledger::bundled().unwrap();
    let ira = ledger.registry().authority("AFG-IRA").unwrap().clone();
    let acts = ledger.acts(Some("AFG-IRA"), None, None).unwrap();
    let kaz = fold("KAZ", &ira, &acts, parse_day("2021-09-01").unwrap());
    assert_eq!(kaz.envoys.value, Envoys::Received);
    assert_eq!(kaz.mission.value, Mission::None);
    let usa = fold("USA", &ira, &acts, parse_day("2022-06-01").unwrap());
    assert_eq!(usa.envoys.value, Envoys::None);
    assert_eq!(usa.envoys.acts, ["USA/AFG-IRA/2022-05-16/mission_closed"]);
}

#[test]
fn every_bundled_act_has_a_source_and_a_valid_date() {
    let ledger = Ledger::bundled().unwrap();
    let acts = ledger.acts(None, None, None).unwrap();
    assert_eq!(acts.len(), 92);
    for a in &acts {
        assert!(a.source_url.starts_with("http"), "{}", a.id);
        assert!(
            ledger
                .registry()
                .authority(&a.authority)
                .unwrap()
                .covers(&a.date),
            "{}",
            a.id
        );
    }
}

#[test]
fn japan_and_indonesia_reopened_missions_they_had_closed() {
    // Japan closed its Kabul embassy on 15 Aug 2021 (newsonjapan.com) and foreign minister
    // Hayashi said in Oct 2022 that it had resumed limited work (a1info.xyz, 23 Oct 2022).
    let s = stance("JPN", "2022-09-30");
    assert_eq!(s.mission.value, Mission::Closed);
    assert_eq!(s.mission.acts, ["JPN/AFG-IEA/2021-08-15/mission_closed"]);
    let s = stance("JPN", "2023-01-01");
    assert_eq!((s.mission.value, s.level), (Mission::Open, 2));
    assert_eq!(s.mission.acts, ["JPN/AFG-IEA/2022-10/mission_opened"]);
    // Indonesia evacuated its embassy on 20-21 Aug 2021 (devdiscourse.com, 21 Aug 2021) and had
    // reinstated its Kabul office by 16 Jan 2022 (The Jakarta Post, 16 Jan 2022).
    let s = stance("IDN", "2021-12-31");
    assert_eq!((s.mission.value, s.level), (Mission::Closed, 1));
    let s = stance("IDN", "2022-01-16");
    assert_eq!(s.mission.value, Mission::Open);
    assert_eq!(s.mission.acts, ["IDN/AFG-IEA/2022-01-16/mission_opened"]);
}

#[test]
fn saudi_arabia_closed_its_embassy_twice_and_reopened_it_twice() {
    // Withdrawn 15 Aug 2021, consular services resumed Nov 2021, closed 2 Feb 2023 (The Times,
    // 6 Feb 2023), activities resumed from 22 Dec 2024 (Dawn, 23 Dec 2024).
    let mission = |day| stance("SAU", day).mission;
    assert_eq!(mission("2021-10-01").value, Mission::Closed);
    assert_eq!(
        mission("2021-12-01").acts,
        ["SAU/AFG-IEA/2021-11/mission_opened"]
    );
    assert_eq!(
        mission("2023-02-02").acts,
        ["SAU/AFG-IEA/2023-02-02/mission_closed"]
    );
    assert_eq!(mission("2023-02-02").value, Mission::Closed);
    let s = mission("2024-12-22");
    assert_eq!(s.value, Mission::Open);
    assert_eq!(s.acts, ["SAU/AFG-IEA/2024-12-22/mission_opened"]);
}

#[test]
fn company_contracts_at_a_forum_are_not_a_trade_agreement() {
    // caspianpost.com: the Astana forum of 2-3 Aug 2023 yielded commercial contracts, not an
    // agreement between governments.
    let ledger = Ledger::bundled().unwrap();
    let acts = ledger.acts(Some("AFG-IEA"), Some("KAZ"), None).unwrap();
    let forum = acts
        .iter()
        .find(|a| a.id == "KAZ/AFG-IEA/2023-08-03/other")
        .expect("the forum row");
    assert_eq!(
        forum.source_date.as_ref().map(|d| d.to_string()).as_deref(),
        Some("2023-08")
    );
    assert_eq!(forum.kind, dyad_core::ActKind::Other);
}
