//! Reproduces fixest's published results on its `trade` data set (GPL-3, read from the shared
//! data directory, never copied into the repository).

use dyad_analysis::gravity::{estimate, Frame, GravityFit, Model, Options, VcovSpec};

/// fixest's `trade` data set in the workplace's data folder.
const FIXEST_TRADE: &str = "data/gravity/fixest_trade.csv";

fn data() -> Option<Frame> {
    let path = dyad_testkit::shared_file(FIXEST_TRADE)?;
    let file = std::fs::File::open(path).unwrap();
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

/// R fixest 0.12.2 (R 4.2.2; built from its GitHub repository, DESCRIPTION version 0.12.2 at
/// commit dbe56c5; one thread) on the same data:
/// `est <- fepois(Euros ~ log(dist_km) | Origin + Destination + Product + Year, trade,
/// vcov = ~Origin)`, then `print(coef(est), digits = 17)` and `print(se(est), digits = 17)`,
/// prints -1.5278743714656275 and 0.11567784363018775 (`bench/gravity/fixest_bench.R` runs
/// the same model). dyad starts and stops the IRLS as fixest does, so the coefficient agrees
/// to 1e-8 and the standard error, which moves with where the 1e-8 deviance criterion stops,
/// to 1e-6.
#[test]
fn fepois_agrees_with_fixest_0_12_2_beyond_its_printed_digits() {
    let Some(frame) = data() else { return };
    let f = fit(&frame, FML, Model::Poisson, VcovSpec::Default);
    let c = &f.coefficients[0];
    let rel = |a: f64, b: f64| ((a - b) / b).abs();
    assert!(
        rel(c.estimate, -1.527_874_371_465_627_5) < 1e-8,
        "coef {}",
        c.estimate
    );
    assert!(
        rel(c.std_error, 0.115_677_843_630_187_75) < 1e-6,
        "se {}",
        c.std_error
    );
}

/// The fast readers (the whole file in memory, or the file read a block at a time, each cut into
/// chunks) give the streaming reader's frame on fixest's data, on one thread and on several.
#[test]
fn fast_reader_gives_the_streaming_readers_frame() {
    let Some(slow) = data() else { return };
    let path = dyad_testkit::shared_file(FIXEST_TRADE).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let num = ["Euros", "dist_km"];
    let fac = ["Origin", "Destination", "Product", "Year"];
    for (threads, seek) in [1, 2, 4].into_iter().flat_map(|t| [(t, false), (t, true)]) {
        let fast = if seek {
            let file = std::fs::File::open(&path).unwrap();
            Frame::read_csv_seek(file, &num, &fac, threads).unwrap()
        } else {
            Frame::read_csv_bytes(&bytes, &num, &fac, threads).unwrap()
        };
        assert_eq!(fast.nrows(), slow.nrows());
        assert_eq!(fast.names(), slow.names());
        for n in num {
            let (a, b) = (fast.numeric(n).unwrap(), slow.numeric(n).unwrap());
            assert!(
                a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits()),
                "{n}, {threads} threads, seek {seek}"
            );
        }
        for n in fac {
            let (a, b) = (fast.factor(n).unwrap(), slow.factor(n).unwrap());
            assert_eq!(a.codes, b.codes, "{n}, {threads} threads, seek {seek}");
            assert_eq!(a.levels, b.levels, "{n}, {threads} threads, seek {seek}");
        }
    }
}
