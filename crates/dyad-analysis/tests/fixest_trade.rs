//! Reproduces fixest's published results on its `trade` data set (GPL-3, read from the shared
//! data directory, never copied into the repository).

use std::path::PathBuf;

use dyad_analysis::gravity::{estimate, Frame, GravityFit, Model, Options, VcovSpec};

fn data() -> Option<Frame> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/gravity/fixest_trade.csv");
    let Ok(file) = std::fs::File::open(&path) else {
        eprintln!("skipping: {} not found", path.display());
        return None;
    };
    Some(
        Frame::read_csv(
            std::io::BufReader::new(file),
            &["Euros", "dist_km"],
            &["Origin", "Destination", "Product", "Year"],
        )
        .expect("read fixest_trade.csv"),
    )
}

const FML: &str = "Euros ~ log(dist_km) | Origin + Destination + Product + Year";

fn fit(frame: &Frame, formula: &str, model: Model, vcov: VcovSpec) -> GravityFit {
    let opts = Options {
        model,
        vcov,
        ..Options::default()
    };
    estimate(frame, formula, &opts).expect("estimation")
}

/// |a − b| ≤ half a unit in the last printed digit of `b`.
fn printed(a: f64, b: f64, half_unit: f64) -> bool {
    (a - b).abs() <= half_unit
}

#[test]
fn fepois_default_clusters_by_origin() {
    let Some(frame) = data() else { return };
    let f = fit(&frame, FML, Model::Poisson, VcovSpec::Default);
    let c = &f.coefficients[0];
    assert_eq!(c.term, "log(dist_km)");
    assert!(printed(c.estimate, -1.52787, 5e-6), "coef {}", c.estimate);
    assert!(printed(c.std_error, 0.115678, 5e-7), "se {}", c.std_error);
    assert_eq!(f.vcov_type, "Clustered (Origin)");
    assert_eq!(f.n_obs, 38_325);
    assert_eq!(
        f.dropped.missing + f.dropped.separated + f.dropped.singletons,
        0
    );
    // Log-likelihood -7.025e+11 (4 significant digits); adj. pseudo R2 0.764032.
    assert!(printed(f.loglik / 1e11, -7.025, 5e-4), "ll {}", f.loglik);
    assert!(
        printed(f.adj_pseudo_r2, 0.764032, 5e-7),
        "apr2 {}",
        f.adj_pseudo_r2
    );
    assert_eq!(f.df_t, 14.0);
}

#[test]
fn fepois_twoway_and_product_clusters() {
    let Some(frame) = data() else { return };
    let two = fit(
        &frame,
        FML,
        Model::Poisson,
        VcovSpec::Cluster(vec!["Origin".into(), "Destination".into()]),
    );
    assert!(
        printed(two.coefficients[0].std_error, 0.130734, 5e-7),
        "{}",
        two.coefficients[0].std_error
    );
    let tw = fit(&frame, FML, Model::Poisson, VcovSpec::ByFixedEffects(2));
    assert!((tw.coefficients[0].std_error - two.coefficients[0].std_error).abs() < 1e-12);
    let prod = fit(
        &frame,
        FML,
        Model::Poisson,
        VcovSpec::Cluster(vec!["Product".into()]),
    );
    assert!(
        printed(prod.coefficients[0].std_error, 0.098294, 5e-7),
        "{}",
        prod.coefficients[0].std_error
    );
}

#[test]
fn feols_log_euros_twoway() {
    let Some(frame) = data() else { return };
    let f = fit(
        &frame,
        "log(Euros) ~ log(dist_km) | Origin + Destination + Product + Year",
        Model::Ols,
        VcovSpec::ByFixedEffects(2),
    );
    let c = &f.coefficients[0];
    assert!(printed(c.estimate, -2.16988, 5e-6), "coef {}", c.estimate);
    assert!(printed(c.std_error, 0.171367, 5e-7), "se {}", c.std_error);
}
