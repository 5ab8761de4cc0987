//! dyad-analysis: numeric analysis for dyad.
//!
//! [`gravity`] estimates structural gravity models: Poisson pseudo-maximum likelihood (PPML) and
//! OLS with high-dimensional fixed effects, with fixest-compatible standard errors.

pub mod gravity;
