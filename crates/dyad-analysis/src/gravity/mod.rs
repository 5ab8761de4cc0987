//! Structural gravity: PPML and OLS with high-dimensional fixed effects, matching R's fixest.
//!
//! ```text
//! let frame = Frame::read_csv(file, &["Euros", "dist_km"], &["Origin", "Destination"])?;
//! let fit = estimate(&frame, "Euros ~ log(dist_km) | Origin + Destination", &Options::default())?;
//! ```
//!
//! Method (see `docs/gravity.md`): observations with missing values, Poisson observations in a
//! fixed-effect group with only zero outcomes, and (optionally) singletons are dropped; the
//! model is fitted by IRLS (Poisson) or least squares (OLS) with the fixed effects swept out of
//! every working variable by weighted Gauss–Seidel projections with Irons–Tuck acceleration,
//! warm-started across iterations; variances follow fixest's small-sample rules.

mod csv_fast;
pub mod fe;
pub mod formula;
pub mod frame;
pub mod num;
mod ols;
pub mod ppml;
mod sample;
mod sweep;
pub mod vcov;

use std::str::FromStr;
use std::time::Instant;

pub use fe::Dropped;
pub use formula::{parse as parse_formula, FeTerm, Formula, Term, Transform};
pub use frame::{Factor, FactorBuilder, Frame, MISSING};

use fe::{Demeaner, SweepControl};

/// Errors of gravity estimation.
#[derive(Debug, thiserror::Error)]
pub enum GravityError {
    /// The formula could not be parsed.
    #[error("bad formula `{formula}`: {reason}")]
    Formula {
        /// The formula as given.
        formula: String,
        /// What is wrong.
        reason: String,
    },
    /// A column named in the formula or the variance is not in the data.
    #[error("unknown column `{column}` (columns: {})", available.join(", "))]
    UnknownColumn {
        /// The missing name.
        column: String,
        /// Columns that exist.
        available: Vec<String>,
    },
    /// CSV could not be read.
    #[error("CSV: {0}")]
    Csv(String),
    /// A regressor is (numerically) constant within the fixed effects.
    #[error("regressor `{0}` is collinear with the fixed effects (nothing left after sweeping them out); remove it")]
    CollinearWithFixedEffects(String),
    /// A regressor is a linear combination of the others (given the fixed effects).
    #[error("regressor `{0}` is collinear with the other regressors; remove it")]
    Collinear(String),
    /// The Poisson outcome has negative values.
    #[error("Poisson needs a non-negative outcome: `{column}` has {count} negative value(s)")]
    NegativeOutcome {
        /// Outcome column.
        column: String,
        /// Number of negative values.
        count: usize,
    },
    /// Nothing left to estimate on.
    #[error("no observation left after removing {0}")]
    NoObservations(String),
    /// IRLS did not converge.
    #[error("did not converge after {iterations} iterations: {reason} (try --max-iter)")]
    NotConverged {
        /// Iterations done.
        iterations: usize,
        /// Why.
        reason: String,
    },
    /// A bad `--vcov` value.
    #[error(
        "bad variance specification `{0}` (use iid, hetero, cluster, twoway, or cluster:VAR[+VAR])"
    )]
    Vcov(String),
}

/// Which estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    /// Poisson pseudo-maximum likelihood (fixest `fepois`).
    Poisson,
    /// Least squares (fixest `feols`).
    Ols,
}

/// Variance requested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VcovSpec {
    /// fixest's default: clustered by the first fixed effect, iid without fixed effects.
    Default,
    /// Classical.
    Iid,
    /// Heteroskedasticity-robust (HC1).
    Hetero,
    /// Clustered by the first `n` fixed effects (`cluster` = 1, `twoway` = 2).
    ByFixedEffects(usize),
    /// Clustered by these variables (each `a` or `a^b`).
    Cluster(Vec<String>),
}

impl FromStr for VcovSpec {
    type Err = GravityError;
    fn from_str(s: &str) -> Result<VcovSpec, GravityError> {
        let t = s.trim();
        let lower = t.to_ascii_lowercase();
        match lower.as_str() {
            "default" => return Ok(VcovSpec::Default),
            "iid" | "standard" => return Ok(VcovSpec::Iid),
            "hetero" | "hc1" | "white" | "robust" => return Ok(VcovSpec::Hetero),
            "cluster" => return Ok(VcovSpec::ByFixedEffects(1)),
            "twoway" => return Ok(VcovSpec::ByFixedEffects(2)),
            _ => {}
        }
        let body = t
            .strip_prefix("cluster:")
            .or_else(|| t.strip_prefix('~'))
            .or_else(|| t.strip_prefix("cluster(").and_then(|r| r.strip_suffix(')')))
            .unwrap_or(t);
        let vars: Vec<String> = body
            .split(['+', ','])
            .map(|v| v.trim().to_string())
            .collect();
        if vars.is_empty()
            || vars.len() > 4
            || vars.iter().any(|v| {
                v.is_empty() || !v.chars().all(|c| c.is_alphanumeric() || "_.^".contains(c))
            })
        {
            return Err(GravityError::Vcov(s.to_string()));
        }
        Ok(VcovSpec::Cluster(vars))
    }
}

impl VcovSpec {
    /// Data columns this specification reads (beyond the formula's).
    pub fn columns(&self) -> Vec<String> {
        match self {
            VcovSpec::Cluster(v) => v
                .iter()
                .flat_map(|t| t.split('^').map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Estimation settings; defaults are fixest's.
#[derive(Debug, Clone)]
pub struct Options {
    /// Estimator.
    pub model: Model,
    /// Variance.
    pub vcov: VcovSpec,
    /// IRLS stops when |dev − dev_old| / (0.1 + |dev|) < `glm_tol` (fixest `glm.tol`, 1e-8).
    pub glm_tol: f64,
    /// Fixed-effect sweep tolerance (fixest `fixef.tol`, 1e-6).
    pub fe_tol: f64,
    /// Maximum IRLS iterations (fixest `glm.iter`, 25).
    pub max_iter: usize,
    /// Maximum sweeps per demeaning (fixest `fixef.iter`, 10000).
    pub fe_max_iter: usize,
    /// Also drop singletons (fixest `fixef.rm = "both"`; ppmlhdfe's default). fixest's default
    /// is not to.
    pub drop_singletons: bool,
    /// Worker threads for sweeping several variables at once (0 = all cores).
    pub threads: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            model: Model::Poisson,
            vcov: VcovSpec::Default,
            glm_tol: 1e-8,
            fe_tol: 1e-6,
            max_iter: 25,
            fe_max_iter: 10_000,
            drop_singletons: false,
            threads: 0,
        }
    }
}

/// Progress report after each IRLS iteration.
#[derive(Debug, Clone, Copy)]
pub struct IterationInfo {
    /// Iteration number (from 1).
    pub iteration: usize,
    /// Deviance after it.
    pub deviance: f64,
    /// |dev − dev_old| / (0.1 + |dev|).
    pub criterion: f64,
    /// Fixed-effect sweeps used in it.
    pub fe_sweeps: usize,
}

/// One coefficient row.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Coefficient {
    /// Term label (`log(dist_km)`).
    pub term: String,
    /// Estimate.
    pub estimate: f64,
    /// Standard error.
    pub std_error: f64,
    /// t statistic.
    pub t_value: f64,
    /// Two-sided p-value (Student t with `df_t` degrees of freedom, as fixest).
    pub p_value: f64,
}

/// A fixed effect and its number of groups in the estimation sample.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FixedEffectInfo {
    /// Term (`exporter^year`).
    pub name: String,
    /// Groups.
    pub groups: usize,
}

/// A cluster dimension and its number of clusters.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ClusterInfo {
    /// Variable (`Origin`).
    pub name: String,
    /// Clusters.
    pub groups: usize,
}

/// Wall-clock seconds per phase.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Timings {
    /// Building variables, dropping observations, indexing fixed effects.
    pub prepare: f64,
    /// IRLS / least squares.
    pub fit: f64,
    /// Variance.
    pub vcov: f64,
}

/// A fitted gravity model.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GravityFit {
    /// Estimator.
    pub model: Model,
    /// Formula as parsed (normalised).
    pub formula: String,
    /// Dependent variable label.
    pub dependent: String,
    /// Coefficients.
    pub coefficients: Vec<Coefficient>,
    /// Variance matrix (row-major k×k).
    pub vcov: Vec<Vec<f64>>,
    /// Variance label (`Clustered (Origin)`).
    pub vcov_type: String,
    /// Cluster dimensions.
    pub clusters: Vec<ClusterInfo>,
    /// Degrees of freedom of the t distribution.
    pub df_t: f64,
    /// K in the (n−1)/(n−K) adjustment.
    pub dof_k: usize,
    /// Rows in the input.
    pub n_input: usize,
    /// Observations used.
    pub n_obs: usize,
    /// Observations removed, by reason.
    pub dropped: Dropped,
    /// Fixed effects.
    pub fixed_effects: Vec<FixedEffectInfo>,
    /// IRLS iterations (1 for OLS).
    pub iterations: usize,
    /// Total fixed-effect sweeps.
    pub fe_sweeps: usize,
    /// Poisson deviance, or the residual sum of squares for OLS.
    pub deviance: f64,
    /// Log-likelihood (Poisson; Gaussian for OLS).
    pub loglik: f64,
    /// Log-likelihood of the intercept-only model on the same sample.
    pub loglik_null: f64,
    /// 1 − ll/ll_null.
    pub pseudo_r2: f64,
    /// 1 − (ll − K)/ll_null with K fixest's number of parameters.
    pub adj_pseudo_r2: f64,
    /// OLS: R².
    pub r2: Option<f64>,
    /// OLS: within R² (after the fixed effects).
    pub within_r2: Option<f64>,
    /// OLS: residual standard error sqrt(RSS/(n−K)).
    pub sigma: Option<f64>,
    /// Notes (non-converged sweeps, fixed variance, …).
    pub warnings: Vec<String>,
    /// Time per phase.
    pub timings: Timings,
}

/// What the estimators hand back.
pub(crate) struct Core {
    pub beta: Vec<f64>,
    /// Demeaned regressors (weighted, at the last weights).
    pub xt: Vec<Vec<f64>>,
    /// Weights of the last IRLS step (Poisson).
    pub hessian_w: Option<Vec<f64>>,
    /// Poisson: log-likelihood at the fit and of the intercept-only model.
    pub loglik: Option<(f64, f64)>,
    /// y − μ (Poisson) or the OLS residual.
    pub resid: Vec<f64>,
    pub iterations: usize,
    pub deviance: f64,
    pub fe_sweeps: usize,
    pub fe_converged: bool,
    /// OLS: Σ ỹ².
    pub within_tss: f64,
}

/// Demeans several variables with the same weights: on one thread all together (each pass over
/// the data serves up to four), on several threads in contiguous groups, one per thread.
pub(crate) fn demean_all(
    dm: &Demeaner<'_>,
    vars: &[&[f64]],
    outs: &mut [Vec<f64>],
    states: &mut [Vec<f64>],
    ctl: SweepControl,
    threads: usize,
) -> (usize, bool) {
    let threads = threads.max(1).min(vars.len());
    if threads <= 1 || vars[0].len() < 20_000 {
        return dm.demean_many(vars, outs, states, ctl);
    }
    let per = vars.len().div_ceil(threads);
    let results: Vec<(usize, bool)> = std::thread::scope(|scope| {
        let handles: Vec<_> = vars
            .chunks(per)
            .zip(outs.chunks_mut(per).zip(states.chunks_mut(per)))
            .map(|(v, (o, s))| scope.spawn(move || dm.demean_many(v, o, s, ctl)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("sweep thread"))
            .collect()
    });
    results
        .into_iter()
        .fold((0, true), |(a, b), (s, c)| (a + s, b && c))
}

/// Weighted least squares on demeaned data, with collinearity checks against the raw columns.
pub(crate) fn wls_solve(
    x_raw: &[Vec<f64>],
    xt: &[Vec<f64>],
    yt: &[f64],
    w: &[f64],
    names: &[String],
) -> Result<Vec<f64>, GravityError> {
    let k = xt.len();
    let (xtx, xty) = cross(xt, yt, w);
    for j in 0..k {
        let raw = wdot(&x_raw[j], &x_raw[j], w);
        if xtx[j * k + j].is_nan() || xtx[j * k + j] <= 1e-10 * raw {
            return Err(GravityError::CollinearWithFixedEffects(names[j].clone()));
        }
    }
    let l = num::cholesky(&xtx, k, 1e-10).map_err(|j| GravityError::Collinear(names[j].clone()))?;
    Ok(num::chol_solve(&l, k, &xty))
}

/// X̃ᵀWX̃ (row-major) and X̃ᵀWỹ.
fn cross(xt: &[Vec<f64>], yt: &[f64], w: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let k = xt.len();
    let mut xtx = vec![0.0; k * k];
    let mut xty = vec![0.0; k];
    for a in 0..k {
        for b in 0..=a {
            let s = wdot(&xt[a], &xt[b], w);
            xtx[a * k + b] = s;
            xtx[b * k + a] = s;
        }
        xty[a] = wdot(&xt[a], yt, w);
    }
    (xtx, xty)
}

/// `Σ w p q`, in four interleaved partial sums: one running sum waits on every addition's
/// latency, four let them overlap (and round no worse).
pub(crate) fn wdot(p: &[f64], q: &[f64], w: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let (pc, qc, wc) = (p.chunks_exact(4), q.chunks_exact(4), w.chunks_exact(4));
    let tail: f64 = pc
        .remainder()
        .iter()
        .zip(qc.remainder())
        .zip(wc.remainder())
        .map(|((p, q), w)| w * p * q)
        .sum();
    for ((p, q), w) in pc.zip(qc).zip(wc) {
        for l in 0..4 {
            acc[l] += w[l] * p[l] * q[l];
        }
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Number of threads to use for `opts.threads`.
fn thread_count(asked: usize) -> usize {
    if asked > 0 {
        asked
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }
}

/// Parses `formula` and estimates it on `frame`.
pub fn estimate(frame: &Frame, formula: &str, opts: &Options) -> Result<GravityFit, GravityError> {
    estimate_with_progress(frame, &formula::parse(formula)?, opts, &mut |_| {})
}

/// Estimates a parsed formula, calling `progress` after each IRLS iteration.
pub fn estimate_with_progress(
    frame: &Frame,
    f: &Formula,
    opts: &Options,
    progress: &mut dyn FnMut(&IterationInfo),
) -> Result<GravityFit, GravityError> {
    let t0 = Instant::now();
    let sample::Sample {
        n_input,
        y,
        x,
        names,
        fes,
        clusters,
        cluster_terms,
        dropped,
    } = sample::build(frame, f, opts)?;
    let n = y.len();
    let t_prep = t0.elapsed().as_secs_f64();

    let t1 = Instant::now();
    let threads = thread_count(opts.threads);
    let core = match opts.model {
        Model::Poisson => ppml::fit(&y, &x, &names, &fes, opts, threads, progress)?,
        Model::Ols => ols::fit(&y, &x, &names, &fes, opts, threads)?,
    };
    let t_fit = t1.elapsed().as_secs_f64();

    let t2 = Instant::now();
    let k = x.len();
    let nparams = if fes.is_empty() {
        k
    } else {
        k + fes.sizes.iter().sum::<usize>() - (fes.len() - 1)
    };
    let w_ones;
    let w = match &core.hessian_w {
        Some(w) => w.as_slice(),
        None => {
            w_ones = vec![1.0; n];
            w_ones.as_slice()
        }
    };
    let (xtx, _) = cross(&core.xt, &core.resid, w);
    let l = num::cholesky(&xtx, k, 1e-12).map_err(|j| GravityError::Collinear(names[j].clone()))?;
    let bread = num::chol_inverse(&l, k);
    // Scores x̃·e, written over the demeaned regressors (no longer needed).
    let mut scores = core.xt;
    for xj in &mut scores {
        for (a, e) in xj.iter_mut().zip(&core.resid) {
            *a *= e;
        }
    }
    let rss: f64 = core.resid.iter().map(|e| e * e).sum();
    let kind = match &cluster_terms {
        Some(_) => vcov::Kind::Cluster(&clusters),
        None if opts.vcov == VcovSpec::Hetero => vcov::Kind::Hetero,
        None => vcov::Kind::Iid {
            sigma2: if opts.model == Model::Ols {
                rss / (n as f64 - 1.0)
            } else {
                1.0
            },
        },
    };
    let vc = vcov::compute(&bread, &scores, kind, &fes, nparams);
    let t_vcov = t2.elapsed().as_secs_f64();

    let vcov_type = match &cluster_terms {
        Some(t) if t.len() == 1 => format!("Clustered ({})", t[0]),
        Some(t) => format!("{}-way ({})", t.len(), t.join(" & ")),
        None if opts.vcov == VcovSpec::Hetero => "Heteroskedasticity-robust".into(),
        None => "IID".into(),
    };
    let coefficients: Vec<Coefficient> = (0..k)
        .map(|j| {
            let se = vc.v[j * k + j].sqrt();
            let t = core.beta[j] / se;
            Coefficient {
                term: names[j].clone(),
                estimate: core.beta[j],
                std_error: se,
                t_value: t,
                p_value: num::t_pvalue(t, vc.df_t),
            }
        })
        .collect();

    let nf = n as f64;
    let ybar = y.iter().sum::<f64>() / nf;
    let (loglik, loglik_null, r2, within_r2, sigma) = match opts.model {
        Model::Poisson => {
            let (ll, ll0) = core
                .loglik
                .expect("Poisson fits carry their log-likelihood");
            (ll, ll0, None, None, None)
        }
        Model::Ols => {
            let tss: f64 = y.iter().map(|v| (v - ybar) * (v - ybar)).sum();
            let s2 = rss / nf;
            let ll = -0.5 * nf * (1.0 + (2.0 * std::f64::consts::PI).ln() + s2.ln());
            let ll0 = -0.5 * nf * (1.0 + (2.0 * std::f64::consts::PI).ln() + (tss / nf).ln());
            let r2 = 1.0 - rss / tss;
            let wr2 = if fes.is_empty() {
                r2
            } else {
                1.0 - rss / core.within_tss
            };
            let sigma = (rss / (nf - nparams as f64)).sqrt();
            (ll, ll0, Some(r2), Some(wr2), Some(sigma))
        }
    };
    let mut warnings = Vec::new();
    if !core.fe_converged {
        warnings.push(format!(
            "the fixed-effect sweep hit its cap of {} iterations before meeting the tolerance {:e}",
            opts.fe_max_iter, opts.fe_tol
        ));
    }
    if vc.fixed_psd {
        warnings.push(
            "the variance matrix was not positive semi-definite; negative eigenvalues were set to zero (Cameron, Gelbach & Miller 2011)"
                .into(),
        );
    }
    let rhs: Vec<String> = f.rhs.iter().map(Term::label).collect();
    let fe_labels: Vec<String> = f.fe.iter().map(FeTerm::label).collect();
    let formula = if fe_labels.is_empty() {
        format!("{} ~ {}", f.lhs.label(), rhs.join(" + "))
    } else {
        format!(
            "{} ~ {} | {}",
            f.lhs.label(),
            rhs.join(" + "),
            fe_labels.join(" + ")
        )
    };
    Ok(GravityFit {
        model: opts.model,
        formula,
        dependent: f.lhs.label(),
        coefficients,
        vcov: (0..k).map(|a| vc.v[a * k..a * k + k].to_vec()).collect(),
        vcov_type,
        clusters: clusters
            .iter()
            .map(|c| ClusterInfo {
                name: c.name.clone(),
                groups: c.groups,
            })
            .collect(),
        df_t: vc.df_t,
        dof_k: vc.dof_k,
        n_input,
        n_obs: n,
        dropped,
        fixed_effects: fe_labels
            .into_iter()
            .zip(&fes.sizes)
            .map(|(name, &groups)| FixedEffectInfo { name, groups })
            .collect(),
        iterations: core.iterations,
        fe_sweeps: core.fe_sweeps,
        deviance: core.deviance,
        loglik,
        loglik_null,
        pseudo_r2: 1.0 - loglik / loglik_null,
        adj_pseudo_r2: 1.0 - (loglik - nparams as f64) / loglik_null,
        r2,
        within_r2,
        sigma,
        warnings,
        timings: Timings {
            prepare: t_prep,
            fit: t_fit,
            vcov: t_vcov,
        },
    })
}

/// Columns a formula and variance read: (numeric, categorical).
pub fn needed_columns(f: &Formula, vcov: &VcovSpec) -> (Vec<String>, Vec<String>) {
    let mut num: Vec<String> = Vec::new();
    for t in std::iter::once(&f.lhs).chain(&f.rhs) {
        if !num.contains(&t.column) {
            num.push(t.column.clone());
        }
    }
    let mut fac: Vec<String> = Vec::new();
    for c in
        f.fe.iter()
            .flat_map(|t| t.columns.iter().cloned())
            .chain(vcov.columns())
    {
        if !fac.contains(&c) {
            fac.push(c);
        }
    }
    (num, fac)
}
