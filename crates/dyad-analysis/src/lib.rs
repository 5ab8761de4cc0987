//! dyad-analysis: numeric analysis for dyad.
//!
//! [`event`] runs event studies of trade series around dated acts against peers, [`shares`]
//! computes partner shares, [`mirror`] compares the two sides' reports of one flow; all work on
//! [`series::Series`], where a gap stays a gap.
//!
//! [`gravity`] estimates structural gravity models: Poisson pseudo-maximum likelihood (PPML) and
//! OLS with high-dimensional fixed effects, with fixest-compatible standard errors.

pub mod claims;
pub mod event;
pub mod gravity;
pub mod mirror;
pub mod politics;
pub mod series;
pub mod shares;
