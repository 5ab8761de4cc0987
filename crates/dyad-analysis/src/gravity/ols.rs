//! OLS with fixed effects: sweep the fixed effects out of y and X once, then least squares.

use super::fe::{Demeaner, FeSet, SweepControl};
use super::{demean_all, wls_solve, Core, GravityError, Options};

pub(crate) fn fit(
    y: &[f64],
    x: &[Vec<f64>],
    names: &[String],
    fes: &FeSet,
    opts: &Options,
    threads: usize,
) -> Result<Core, GravityError> {
    let n = y.len();
    let k = x.len();
    let w = vec![1.0; n];
    let dm = Demeaner::new(fes, &w);
    let mut outs: Vec<Vec<f64>> = vec![vec![0.0; n]; k + 1];
    let mut states: Vec<Vec<f64>> = vec![Vec::new(); k + 1];
    let mut vars: Vec<&[f64]> = vec![y];
    vars.extend(x.iter().map(Vec::as_slice));
    let ctl = SweepControl {
        tol: opts.fe_tol,
        max_iter: opts.fe_max_iter,
    };
    let (sweeps, fe_converged) = demean_all(&dm, &vars, &mut outs, &mut states, ctl, threads);
    let (yt, xt) = outs.split_first().expect("k+1 outputs");
    let beta = wls_solve(x, xt, yt, &w, names)?;
    let mut resid = yt.clone();
    for (xj, &b) in xt.iter().zip(&beta) {
        for (r, &x) in resid.iter_mut().zip(xj) {
            *r -= x * b;
        }
    }
    let rss: f64 = resid.iter().map(|r| r * r).sum();
    let within_tss: f64 = yt.iter().map(|v| v * v).sum();
    let xt: Vec<Vec<f64>> = outs.drain(1..).collect();
    Ok(Core {
        beta,
        xt,
        hessian_w: None,
        loglik: None,
        resid,
        iterations: 1,
        deviance: rss,
        fe_sweeps: sweeps,
        fe_converged,
        within_tss,
    })
}
