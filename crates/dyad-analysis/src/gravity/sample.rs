//! The estimation sample: the formula's variables on the rows that can be used, with the fixed
//! effects and cluster variables as group ids numbered within the sample.
//!
//! Columns are borrowed from the frame where they need no transformation, and everything built
//! on all input rows is dropped before the fit starts: fresh memory costs a page fault per 4 KiB
//! (about as much as a pass over the data), so the fewer full-length vectors, the faster.

use std::borrow::Cow;

use super::fe::{self, Dropped, FeSet};
use super::formula::{FeTerm, Formula, Term, Transform};
use super::frame::{Frame, MISSING};
use super::{vcov, GravityError, Model, Options, VcovSpec};

/// What the estimators work on.
pub(crate) struct Sample {
    /// Rows in the input.
    pub n_input: usize,
    /// Outcome on the sample.
    pub y: Vec<f64>,
    /// Regressors on the sample (an intercept first when there is no fixed effect).
    pub x: Vec<Vec<f64>>,
    /// Their labels.
    pub names: Vec<String>,
    /// Fixed effects on the sample.
    pub fes: FeSet,
    /// Cluster dimensions on the sample.
    pub clusters: Vec<vcov::ClusterDim>,
    /// Cluster terms asked for (explicitly or by default), if any.
    pub cluster_terms: Option<Vec<String>>,
    /// Rows left out, by reason.
    pub dropped: Dropped,
}

fn transformed<'f>(frame: &'f Frame, term: &Term) -> Result<Cow<'f, [f64]>, GravityError> {
    let v = frame.numeric(&term.column)?;
    Ok(match term.transform {
        Transform::Identity => Cow::Borrowed(v),
        Transform::Log => v
            .iter()
            .map(|&x| if x > 0.0 { x.ln() } else { f64::NAN })
            .collect(),
        Transform::Log1p => v
            .iter()
            .map(|&x| if x > -1.0 { x.ln_1p() } else { f64::NAN })
            .collect(),
    })
}

/// Codes of a (possibly interacted) categorical term on all rows, and the number of levels.
fn term_codes<'f>(
    frame: &'f Frame,
    columns: &[String],
) -> Result<(Cow<'f, [u32]>, usize), GravityError> {
    let facs = columns
        .iter()
        .map(|c| frame.factor(c))
        .collect::<Result<Vec<_>, _>>()?;
    if facs.len() == 1 {
        // One column: its codes as they are (levels are only made for values that occur).
        return Ok(match facs.into_iter().next().expect("one factor") {
            Cow::Borrowed(f) => (Cow::Borrowed(f.codes.as_slice()), f.levels.len()),
            Cow::Owned(f) => (Cow::Owned(f.codes), f.levels.len()),
        });
    }
    let parts: Vec<&[u32]> = facs.iter().map(|f| f.codes.as_slice()).collect();
    let counts: Vec<usize> = facs.iter().map(|f| f.levels.len().max(1)).collect();
    let codes = fe::interact(&parts, &counts);
    let g = codes
        .iter()
        .filter(|&&c| c != MISSING)
        .map(|&c| c as usize + 1)
        .max()
        .unwrap_or(0);
    Ok((Cow::Owned(codes), g))
}

/// The values of `v` on the kept rows.
fn pick<T: Copy>(v: &[T], keep: &[bool], n: usize) -> Vec<T> {
    let mut out = Vec::with_capacity(n);
    out.extend(v.iter().zip(keep).filter(|(_, &k)| k).map(|(x, _)| *x));
    out
}

/// Builds the sample of `f` on `frame`: drops rows with missing values, Poisson rows separated
/// by the fixed effects and (if asked) singletons.
pub(crate) fn build(frame: &Frame, f: &Formula, opts: &Options) -> Result<Sample, GravityError> {
    let n_input = frame.nrows();
    let y_all = transformed(frame, &f.lhs)?;
    let x_all: Vec<Cow<'_, [f64]>> = f
        .rhs
        .iter()
        .map(|t| transformed(frame, t))
        .collect::<Result<_, _>>()?;
    let fe_all: Vec<(Cow<'_, [u32]>, usize)> =
        f.fe.iter()
            .map(|t| term_codes(frame, &t.columns))
            .collect::<Result<_, _>>()?;
    let cluster_terms: Option<Vec<String>> = match &opts.vcov {
        VcovSpec::Default if !f.fe.is_empty() => Some(vec![f.fe[0].label()]),
        VcovSpec::Default | VcovSpec::Iid | VcovSpec::Hetero => None,
        VcovSpec::ByFixedEffects(m) => {
            if f.fe.len() < *m {
                return Err(GravityError::Vcov(format!(
                    "clustering by the first {m} fixed effect(s) needs {m} fixed effect(s) in the formula"
                )));
            }
            Some(f.fe[..*m].iter().map(FeTerm::label).collect())
        }
        VcovSpec::Cluster(v) => Some(v.clone()),
    };
    let fe_labels: Vec<String> = f.fe.iter().map(FeTerm::label).collect();
    // A cluster variable that is one of the fixed effects takes its ids (`fe`); others are
    // built here.
    enum Cl<'f> {
        Fe(usize),
        Own(Cow<'f, [u32]>, usize),
    }
    let cl_all: Vec<(String, Cl<'_>)> = match &cluster_terms {
        None => Vec::new(),
        Some(terms) => terms
            .iter()
            .map(|t| {
                if let Some(q) = fe_labels.iter().position(|l| l == t) {
                    return Ok((t.clone(), Cl::Fe(q)));
                }
                let cols: Vec<String> = t.split('^').map(str::to_string).collect();
                let (c, g) = term_codes(frame, &cols)?;
                Ok((t.clone(), Cl::Own(c, g)))
            })
            .collect::<Result<_, GravityError>>()?,
    };

    // Missing values, column by column.
    let mut keep: Vec<bool> = y_all.iter().map(|y| y.is_finite()).collect();
    for x in &x_all {
        for (k, x) in keep.iter_mut().zip(x.iter()) {
            *k &= x.is_finite();
        }
    }
    let own_cl = cl_all.iter().filter_map(|(_, c)| match c {
        Cl::Own(c, _) => Some(c),
        Cl::Fe(_) => None,
    });
    for c in fe_all.iter().map(|(c, _)| c).chain(own_cl) {
        for (k, &c) in keep.iter_mut().zip(c.iter()) {
            *k &= c != MISSING;
        }
    }
    let mut dropped = Dropped {
        missing: keep.iter().filter(|&&k| !k).count(),
        ..Dropped::default()
    };
    if opts.model == Model::Poisson {
        let neg = y_all
            .iter()
            .zip(&keep)
            .filter(|(y, &k)| k && **y < 0.0)
            .count();
        if neg > 0 {
            return Err(GravityError::NegativeOutcome {
                column: f.lhs.label(),
                count: neg,
            });
        }
    }
    let ids_full: Vec<&[u32]> = fe_all.iter().map(|(c, _)| c.as_ref()).collect();
    let sizes_full: Vec<usize> = fe_all.iter().map(|(_, g)| *g).collect();
    fe::drop_degenerate(
        &ids_full,
        &sizes_full,
        &y_all,
        &mut keep,
        opts.model == Model::Poisson && !ids_full.is_empty(),
        opts.drop_singletons,
        &mut dropped,
    );
    let n = keep.iter().filter(|&&k| k).count();
    if n == 0 {
        return Err(GravityError::NoObservations(
            "missing values and perfectly predicted observations".into(),
        ));
    }
    let y = pick(&y_all, &keep, n);
    let mut x: Vec<Vec<f64>> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    if f.fe.is_empty() {
        x.push(vec![1.0; n]);
        names.push("(Intercept)".into());
    }
    for (t, col) in f.rhs.iter().zip(&x_all) {
        x.push(pick(col, &keep, n));
        names.push(t.label());
    }
    let mut fes = FeSet::default();
    for (c, g) in &fe_all {
        let (ids, g) = fe::compact(c, &keep, *g);
        fes.ids.push(ids);
        fes.sizes.push(g);
    }
    let clusters: Vec<vcov::ClusterDim> = cl_all
        .iter()
        .map(|(name, c)| {
            let (ids, groups) = match c {
                Cl::Fe(q) => (fes.ids[*q].clone(), fes.sizes[*q]),
                Cl::Own(c, g) => fe::compact(c, &keep, *g),
            };
            vcov::ClusterDim {
                name: name.clone(),
                ids,
                groups,
            }
        })
        .collect();
    Ok(Sample {
        n_input,
        y,
        x,
        names,
        fes,
        clusters,
        cluster_terms,
        dropped,
    })
}
