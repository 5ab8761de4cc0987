//! The bundled datasets answer the seed questions as their sources say.
//!
//! Each expectation cites the act (and so the source page) in
//! `data/afghanistan_iea_events.csv` or `data/venezuela_acts.csv` that establishes it.

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
    assert_eq!(acts.len(), 92 + 105);
    for a in &acts {
        assert!(a.source_url.starts_with("http"), "{}", a.id);
        let authority = ledger.registry().authority(&a.authority).unwrap();
        // After an authority's end only acts winding up its missions are kept (one: the US
        // taking custody of the interim government's embassy on 2023-02-06).
        assert!(
            authority.covers(&a.date)
                || (a.kind.winds_up() && a.date.start() > authority.until.unwrap()),
            "{}",
            a.id
        );
    }
}

fn stance_toward(authority: &str, actor: &str, day: &str) -> Stance {
    let ledger = Ledger::bundled().unwrap();
    let authority = ledger.registry().authority(authority).unwrap().clone();
    let acts = ledger.acts(Some(&authority.id), None, None).unwrap();
    fold(actor, &authority, &acts, parse_day(day).unwrap())
}

#[test]
fn on_2019_03_01_the_us_brazil_and_spain_recognise_guaido_and_mexico_does_not() {
    // huffingtonpost.com (Trump's statement, 23 Jan 2019), metrojornal.com.br (Itamaraty
    // note, 23 Jan 2019), and Sánchez at La Moncloa on 4 Feb 2019.
    for (actor, act) in [
        ("USA", "USA/VEN-GUAIDO/2019-01-23/recognition"),
        ("BRA", "BRA/VEN-GUAIDO/2019-01-23/recognition"),
        ("ESP", "ESP/VEN-GUAIDO/2019-02-04/recognition"),
    ] {
        let s = stance_toward("VEN-GUAIDO", actor, "2019-03-01");
        assert_eq!(s.recognition.value, Recognition::DeJure, "{actor}");
        assert_eq!(s.recognition.acts, [act]);
        assert_eq!(s.level, 5, "{actor}");
    }
    // López Obrador declined to recognise Guaidó (February 2019), and Mexico still recognised
    // Maduro (government spokesman, 23 Jan 2019).
    let mex = stance_toward("VEN-GUAIDO", "MEX", "2019-03-01");
    assert_eq!(mex.recognition.value, Recognition::None);
    assert_eq!(
        mex.recognition.acts,
        ["MEX/VEN-GUAIDO/2019-02/statement_non_recognition"]
    );
    let mex = stance_toward("VEN-MADURO", "MEX", "2019-03-01");
    assert_eq!(mex.recognition.value, Recognition::DeJure);
}

#[test]
fn russia_recognises_maduros_government_on_2019_03_01() {
    // Putin's call to Maduro on 24 Jan 2019 (coded as lasting support: see the dataset's README).
    let s = stance_toward("VEN-MADURO", "RUS", "2019-03-01");
    assert_eq!(s.recognition.value, Recognition::DeJure);
    assert_eq!(
        s.recognition.acts,
        ["RUS/VEN-MADURO/2019-01-24/recognition"]
    );
    assert_eq!(
        stance_toward("VEN-GUAIDO", "RUS", "2019-03-01")
            .counted
            .len(),
        0
    );
}

#[test]
fn colombias_ambassador_is_accredited_to_maduros_government_after_29_aug_2022() {
    // Benedetti presented credentials to Maduro in Miraflores on 29 Aug 2022.
    let before = stance_toward("VEN-MADURO", "COL", "2022-08-28");
    assert_eq!(before.mission.value, Mission::None);
    let after = stance_toward("VEN-MADURO", "COL", "2022-08-30");
    assert_eq!(after.mission.value, Mission::Ambassador);
    assert_eq!(
        after.mission.acts,
        ["COL/VEN-MADURO/2022-08-29/ambassador_sent"]
    );
    assert_eq!(
        after.recognition.value,
        Recognition::None,
        "an embassy is not recognition"
    );
}

#[test]
fn asked_about_2023_02_01_the_interim_government_has_ended() {
    // Dissolved with effect from 5 Jan 2023 (laopinion.com, 30 Dec 2022).
    let last_day = parse_day("2023-01-05").unwrap();
    assert_eq!(stance_toward("VEN-GUAIDO", "USA", "2023-01-05").ended, None);
    let s = stance_toward("VEN-GUAIDO", "USA", "2023-02-01");
    assert_eq!(s.ended, Some(last_day));
    let ledger = Ledger::bundled().unwrap();
    let acts = ledger.acts(Some("VEN-GUAIDO"), None, None).unwrap();
    let c = dyad_core::contest::contest(
        ledger.registry(),
        "VEN",
        &acts,
        parse_day("2023-02-01").unwrap(),
    )
    .unwrap();
    let guaido = c
        .sides
        .iter()
        .find(|s| s.authority.id == "VEN-GUAIDO")
        .unwrap();
    assert_eq!(guaido.ended, Some(last_day));
    assert!(c
        .sides
        .iter()
        .any(|s| s.authority.id == "VEN-MADURO" && s.ended.is_none()));
}

#[test]
fn the_embassy_wound_up_after_the_end_counts_as_the_end_of_its_envoys() {
    // The State Department took custody of the embassy on 6 Feb 2023 (bloomberglinea.com):
    // an act after the authority's end, accepted because it winds up its mission. The interim
    // government never held Caracas, so mission acts toward it concern its missions abroad.
    let s = stance_toward("VEN-GUAIDO", "USA", "2023-01-05");
    assert_eq!(s.envoys.value, Envoys::BelowAmbassador);
    let s = stance_toward("VEN-GUAIDO", "USA", "2023-02-10");
    assert_eq!(s.envoys.value, Envoys::None);
    assert_eq!(s.envoys.acts, ["USA/VEN-GUAIDO/2023-02-06/mission_closed"]);
    assert_eq!(s.mission.value, Mission::None);
}

#[test]
fn maduros_government_governs_venezuela_while_the_interim_government_claims_it() {
    let ledger = Ledger::bundled().unwrap();
    let r = ledger.registry();
    for day in ["2019-03-01", "2021-06-01", "2023-02-01"] {
        let gov = r.governing("VEN", parse_day(day).unwrap()).unwrap();
        assert_eq!(gov.id, "VEN-MADURO", "{day}");
    }
    let claimants: Vec<&str> = r.claimants("VEN").iter().map(|a| a.id.as_str()).collect();
    assert_eq!(claimants, ["VEN-MADURO", "VEN-GUAIDO"]);
}

#[test]
fn the_uk_kept_maduros_ambassador_while_recognising_guaido() {
    // By June 2019 the UK recognised Guaidó's envoy and kept the accreditation of Maduro's
    // ambassador (the dataset's row is recoded: see data/venezuela_acts.README.md).
    let to_maduro = stance_toward("VEN-MADURO", "GBR", "2019-07-01");
    assert_eq!(to_maduro.envoys.value, Envoys::Ambassador);
    assert_eq!(to_maduro.recognition.value, Recognition::None);
    let to_guaido = stance_toward("VEN-GUAIDO", "GBR", "2019-07-01");
    assert_eq!(to_guaido.recognition.value, Recognition::DeJure);
    assert_eq!(to_guaido.envoys.value, Envoys::BelowAmbassador);
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

#[test]
fn brazil_reopened_its_caracas_mission_with_a_charge_in_january_2023() {
    // All Brazilian staff left Venezuela by 17 Apr 2020 (agenciabrasil.ebc.com.br); the chargé
    // d'affaires Flávio Macieira arrived in Caracas on 18 Jan 2023 (estadao.com.br).
    let s = stance_toward("VEN-MADURO", "BRA", "2022-12-31");
    assert_eq!(s.mission.value, Mission::Closed);
    let s = stance_toward("VEN-MADURO", "BRA", "2023-01-19");
    assert_eq!(s.mission.value, Mission::Open);
    assert_eq!(s.mission.acts, ["BRA/VEN-MADURO/2023-01-18/mission_opened"]);
    assert_eq!(s.recognition.value, Recognition::None);
}
