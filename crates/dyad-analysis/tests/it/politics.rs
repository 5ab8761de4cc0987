//! Political variables from the bundled Afghanistan acts, with expectations taken from the acts'
//! sources (crates/dyad-ledger/data/afghanistan_iea_events.csv), and a gravity fit on them whose
//! answer is known in closed form.

use dyad_analysis::gravity::{estimate, Frame, Model, Options, VcovSpec};
use dyad_analysis::politics::{Keys, Politics};
use dyad_core::{Act, Registry};

fn bundled_acts(reg: &Registry) -> Vec<Act> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../dyad-ledger/data/afghanistan_iea_events.csv"
    );
    let bytes = std::fs::read(path).expect("bundled acts file");
    dyad_core::acts_csv::parse_acts(path, &bytes, reg)
        .expect("bundled acts parse")
        .into_iter()
        .map(|r| r.act)
        .collect()
}

fn day(s: &str) -> time::Date {
    dyad_core::date::parse_day(s).unwrap()
}

/// Column order of `SideVars::values`.
const RECOGNISES: usize = 0;
const HOSTS_ENVOYS: usize = 1;
const HOSTS_AMBASSADOR: usize = 2;

#[test]
fn seed_facts_as_variables() {
    let reg = Registry::bundled();
    let acts = bundled_acts(&reg);
    let p = Politics::new(&reg, &acts);
    // Kazakhstan accredited the Taliban's envoys on 17 April 2023 without recognising them.
    let before = p.side("KAZ", "AFG", day("2023-04-16"));
    let after = p.side("KAZ", "AFG", day("2023-04-18"));
    assert_eq!(after.authority.as_deref(), Some("AFG-IEA"));
    assert_eq!(before.values[HOSTS_ENVOYS], 0.0);
    assert_eq!(after.values[HOSTS_ENVOYS], 1.0);
    assert_eq!(after.values[RECOGNISES], 0.0);
    assert!(after
        .acts
        .iter()
        .any(|a| a == "KAZ/AFG-IEA/2023-04-17/envoy_accepted"));
    // China accepted the credentials of the Taliban's ambassador (30 January 2024) without
    // recognising; on 1 February 2024 it hosts an ambassador.
    let chn = p.side("CHN", "AFG", day("2024-02-01"));
    assert_eq!(chn.values[HOSTS_AMBASSADOR], 1.0);
    assert_eq!(chn.values[RECOGNISES], 0.0);
    // Russia recognised the Islamic Emirate on 3 July 2025.
    assert_eq!(
        p.side("RUS", "AFG", day("2025-07-02")).values[RECOGNISES],
        0.0
    );
    assert_eq!(
        p.side("RUS", "AFG", day("2025-07-04")).values[RECOGNISES],
        1.0
    );
    // Before the fall of Kabul the stance is toward the Islamic Republic, not the Emirate.
    assert_eq!(
        p.side("RUS", "AFG", day("2021-08-14")).authority.as_deref(),
        Some("AFG-IRA")
    );
}

#[test]
fn panel_columns_and_a_difference_in_differences() {
    // Kazakhstan→Afghanistan quadruples from 2022 to 2023, France→Afghanistan doubles; only
    // Kazakhstan received the Taliban's envoys in between (17 April 2023). With exporter and
    // year fixed effects, PPML on this saturated 2×3 panel gives exp(β) = (400/100)/(100/50),
    // so β = ln 2 exactly.
    let reg = Registry::bundled();
    let acts = bundled_acts(&reg);
    let p = Politics::new(&reg, &acts);
    let rows = [
        ("KAZ", "AFG", "2021", 100.0),
        ("KAZ", "AFG", "2022", 100.0),
        ("KAZ", "AFG", "2023", 400.0),
        ("FRA", "AFG", "2021", 50.0),
        ("FRA", "AFG", "2022", 50.0),
        ("FRA", "AFG", "2023", 100.0),
    ];
    let mut f = Frame::new(rows.len());
    f.add_labels("exporter", &rows.map(|r| r.0));
    f.add_labels("importer", &rows.map(|r| r.1));
    f.add_labels("year", &rows.map(|r| r.2));
    f.add_numeric("value", rows.iter().map(|r| r.3).collect());
    let names = vec!["exp_hosts_envoys".to_string(), "exp_level".to_string()];
    let cov = p.add_to_frame(&mut f, &Keys::default(), &names).unwrap();
    assert_eq!(cov.rows_exp_covered, 6);
    assert_eq!(cov.rows_imp_covered, 0);
    // The ledger's first act toward the Emirate is dated 2021-08-15: no row is before it.
    assert!(cov.rows_before_first_act.is_empty(), "{cov:?}");
    assert_eq!(
        f.numeric("exp_hosts_envoys").unwrap(),
        &[0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    );
    // France has no act toward the Emirate: its level is missing, not 0.
    assert!(f.numeric("exp_level").unwrap()[3..]
        .iter()
        .all(|v| v.is_nan()));
    let fit = estimate(
        &f,
        "value ~ exp_hosts_envoys | exporter + year",
        &Options {
            model: Model::Poisson,
            vcov: VcovSpec::Iid,
            ..Options::default()
        },
    )
    .unwrap();
    let b = fit.coefficients[0].estimate;
    assert!((b - 2f64.ln()).abs() < 1e-9, "{b}");
}

#[test]
fn numeric_codes_and_bad_time() {
    let reg = Registry::bundled();
    let acts = bundled_acts(&reg);
    let p = Politics::new(&reg, &acts);
    // ISO numeric: 398 Kazakhstan, 4 Afghanistan.
    let mut f = Frame::new(1);
    f.add_labels("e", &["398"]);
    f.add_labels("i", &["4"]);
    f.add_labels("t", &["2023"]);
    let keys: Keys = "e,i,t".parse().unwrap();
    p.add_to_frame(&mut f, &keys, &["exp_hosts_envoys".to_string()])
        .unwrap();
    assert_eq!(f.numeric("exp_hosts_envoys").unwrap(), &[1.0]);
    let mut g = Frame::new(1);
    g.add_labels("e", &["KAZ"]);
    g.add_labels("i", &["AFG"]);
    g.add_labels("t", &["last year"]);
    let err = p
        .add_to_frame(&mut g, &keys, &["exp_hosts_envoys".to_string()])
        .unwrap_err();
    assert!(err.to_string().contains("`last year`"), "{err}");
    let mut h = Frame::new(1);
    h.add_labels("e", &["c001"]);
    h.add_labels("i", &["c002"]);
    h.add_labels("t", &["2023"]);
    let err = p.add_to_frame(&mut h, &keys, &[]).unwrap_err();
    assert!(err.to_string().contains("ISO alpha-3"), "{err}");
}

#[test]
fn importer_side_and_an_injected_resolver() {
    let reg = Registry::bundled();
    let acts = bundled_acts(&reg);
    // A panel coded "KZ"/"AF" by some other scheme, resolved by the caller.
    let p = Politics::new(&reg, &acts).with_resolver(Box::new(|c| match c {
        "KZ" => Some("KAZ".to_string()),
        "AF" => Some("AFG".to_string()),
        _ => None,
    }));
    let mut f = Frame::new(2);
    f.add_labels("exporter", &["AF", "AF"]);
    f.add_labels("importer", &["KZ", "KZ"]);
    f.add_labels("year", &["2022", "2023"]);
    let names = vec![
        "imp_hosts_envoys".to_string(),
        "exp_hosts_envoys".to_string(),
    ];
    let cov = p.add_to_frame(&mut f, &Keys::default(), &names).unwrap();
    // Kazakhstan, the importer, receives the Emirate's envoys from 17 April 2023.
    assert_eq!(f.numeric("imp_hosts_envoys").unwrap(), &[0.0, 1.0]);
    assert_eq!(f.numeric("exp_hosts_envoys").unwrap(), &[0.0, 0.0]);
    assert_eq!(cov.rows_imp_covered, 2);
    assert_eq!(cov.rows_exp_covered, 0);
}
