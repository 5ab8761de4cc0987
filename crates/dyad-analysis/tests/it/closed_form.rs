//! Small cases with known answers: FE OLS by hand, separation, singletons, collinearity, errors.

use dyad_analysis::gravity::{estimate, Frame, GravityError, Model, Options, VcovSpec};

fn frame(cols: &[(&str, Vec<f64>)], labels: &[(&str, Vec<&str>)]) -> Frame {
    let n = cols
        .first()
        .map(|c| c.1.len())
        .unwrap_or_else(|| labels[0].1.len());
    let mut f = Frame::new(n);
    for (name, v) in cols {
        f.add_numeric(name, v.clone());
    }
    for (name, v) in labels {
        f.add_labels(name, v);
    }
    f
}

fn ols(vcov: VcovSpec) -> Options {
    Options {
        model: Model::Ols,
        vcov,
        fe_tol: 1e-12,
        ..Options::default()
    }
}

#[test]
fn fe_ols_matches_within_estimator_by_hand() {
    // Group A: x = 1,2,3, y = 2,4,7; group B: x = 1,3, y = 1,2.
    // Within: Sxy = 5 + 1, Sxx = 2 + 2 → β = 1.5; RSS = 25/6, n − K = 5 − 3 → σ² = 25/12,
    // Var(β) = σ²/Sxx = 25/48.
    let f = frame(
        &[
            ("y", vec![2.0, 4.0, 7.0, 1.0, 2.0]),
            ("x", vec![1.0, 2.0, 3.0, 1.0, 3.0]),
        ],
        &[("g", vec!["A", "A", "A", "B", "B"])],
    );
    let fit = estimate(&f, "y ~ x | g", &ols(VcovSpec::Iid)).unwrap();
    let c = &fit.coefficients[0];
    assert!((c.estimate - 1.5).abs() < 1e-12);
    assert!((c.std_error - (25.0f64 / 48.0).sqrt()).abs() < 1e-12);
    assert_eq!(fit.dof_k, 3);
    assert!((fit.deviance - 25.0 / 6.0).abs() < 1e-12);
    assert_eq!(fit.df_t, 2.0);
}

#[test]
fn ols_without_fixed_effects_has_intercept() {
    // y = 1 + 2x exactly plus a symmetric perturbation.
    let f = frame(
        &[
            ("y", vec![1.0, 3.1, 4.9, 7.0]),
            ("x", vec![0.0, 1.0, 2.0, 3.0]),
        ],
        &[],
    );
    let fit = estimate(&f, "y ~ x", &ols(VcovSpec::Default)).unwrap();
    assert_eq!(fit.coefficients[0].term, "(Intercept)");
    // Sxy = Σ(x−1.5)(y−4) = 9.9, Sxx = 5 → slope 1.98, intercept 4 − 1.98·1.5 = 1.03.
    assert!((fit.coefficients[1].estimate - 1.98).abs() < 1e-12);
    assert!((fit.coefficients[0].estimate - 1.03).abs() < 1e-12);
    assert_eq!(fit.vcov_type, "IID");
}

#[test]
fn poisson_drops_groups_with_only_zero_outcomes() {
    // Exporter C never exports: its rows are perfectly predicted and removed.
    let f = frame(
        &[
            ("v", vec![3.0, 5.0, 0.0, 9.0, 2.0, 0.0, 4.0, 0.0, 0.0, 0.0]),
            ("x", vec![0.1, 0.5, 0.9, 0.2, 0.7, 0.3, 0.4, 0.8, 0.6, 0.5]),
        ],
        &[("e", vec!["A", "A", "A", "A", "B", "B", "B", "C", "C", "C"])],
    );
    let fit = estimate(&f, "v ~ x | e", &Options::default()).unwrap();
    assert_eq!(fit.dropped.separated, 3);
    assert_eq!(fit.n_obs, 7);
    assert_eq!(fit.fixed_effects[0].groups, 2);
    assert_eq!(fit.vcov_type, "Clustered (e)");
}

#[test]
fn singletons_are_dropped_on_request() {
    let f = frame(
        &[
            ("y", vec![1.0, 2.0, 4.0, 3.0, 5.0, 8.0]),
            ("x", vec![0.0, 1.0, 3.0, 1.0, 2.0, 5.0]),
        ],
        &[("g", vec!["a", "a", "a", "b", "b", "c"])],
    );
    let keep = estimate(&f, "y ~ x | g", &ols(VcovSpec::Iid)).unwrap();
    assert_eq!(keep.n_obs, 6);
    let opts = Options {
        drop_singletons: true,
        ..ols(VcovSpec::Iid)
    };
    let fit = estimate(&f, "y ~ x | g", &opts).unwrap();
    assert_eq!(fit.dropped.singletons, 1);
    assert_eq!(fit.n_obs, 5);
    // The singleton does not move the within estimate.
    assert!((fit.coefficients[0].estimate - keep.coefficients[0].estimate).abs() < 1e-10);
}

#[test]
fn regressor_collinear_with_fixed_effects_is_an_error() {
    // dist depends only on the pair: absorbed by the pair fixed effect.
    let f = frame(
        &[
            ("v", vec![1.0, 2.0, 3.0, 4.0, 5.0, 7.0]),
            ("dist", vec![10.0, 10.0, 10.0, 20.0, 20.0, 20.0]),
        ],
        &[("pair", vec!["p", "p", "p", "q", "q", "q"])],
    );
    match estimate(&f, "v ~ log(dist) | pair", &Options::default()) {
        Err(GravityError::CollinearWithFixedEffects(name)) => assert_eq!(name, "log(dist)"),
        other => panic!("expected a collinearity error, got {other:?}"),
    }
    let f2 = frame(
        &[
            ("y", vec![1.0, 2.0, 3.5, 4.0, 5.5]),
            ("a", vec![1.0, 2.0, 3.0, 5.0, 8.0]),
            ("b", vec![2.0, 4.0, 6.0, 10.0, 16.0]),
        ],
        &[],
    );
    match estimate(&f2, "y ~ a + b", &ols(VcovSpec::Iid)) {
        Err(GravityError::Collinear(name)) => assert_eq!(name, "b"),
        other => panic!("expected a collinearity error, got {other:?}"),
    }
}

#[test]
fn clear_errors() {
    let f = frame(&[("y", vec![1.0, 2.0]), ("x", vec![0.0, 1.0])], &[]);
    let e = estimate(&f, "y ~ nope", &Options::default()).unwrap_err();
    assert!(matches!(e, GravityError::UnknownColumn { .. }), "{e}");
    let e = estimate(&f, "y ~ x +", &Options::default()).unwrap_err();
    assert!(matches!(e, GravityError::Formula { .. }), "{e}");
    let neg = frame(&[("y", vec![-1.0, 2.0]), ("x", vec![0.0, 1.0])], &[]);
    let e = estimate(&neg, "y ~ x", &Options::default()).unwrap_err();
    assert!(
        matches!(e, GravityError::NegativeOutcome { count: 1, .. }),
        "{e}"
    );
    let opts = Options {
        max_iter: 1,
        ..Options::default()
    };
    let f3 = frame(
        &[
            ("y", vec![0.0, 1.0, 5.0, 20.0]),
            ("x", vec![0.0, 1.0, 2.0, 3.0]),
        ],
        &[],
    );
    let e = estimate(&f3, "y ~ x", &opts).unwrap_err();
    assert!(matches!(e, GravityError::NotConverged { .. }), "{e}");
    assert!("cluster:a+b".parse::<VcovSpec>().is_ok());
    assert!("cluster:a b".parse::<VcovSpec>().is_err());
}
