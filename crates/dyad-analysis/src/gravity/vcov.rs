//! Variance of the coefficients: iid, heteroskedasticity-robust and multi-way clustered, with
//! fixest's small-sample corrections (`ssc(adj = TRUE, fixef.K = "nested", cluster.adj = TRUE,
//! cluster.df = "min", t.df = "min")`).

use super::fe::FeSet;
use super::num::{matmul, sym_eigen};

/// A cluster dimension on the estimation sample.
pub struct ClusterDim {
    /// Display name (`Origin`, `exporter^importer`).
    pub name: String,
    /// Cluster id per observation, `0..groups`.
    pub ids: Vec<u32>,
    /// Number of clusters.
    pub groups: usize,
}

/// What kind of variance to compute.
pub enum Kind<'a> {
    /// Classical: `bread × σ²` (σ² = 1 for Poisson, RSS/(n−1) before adjustment for OLS).
    Iid { sigma2: f64 },
    /// White/HC1.
    Hetero,
    /// Clustered by one or more dimensions.
    Cluster(&'a [ClusterDim]),
}

/// Result of [`compute`].
pub struct Vcov {
    /// k×k row-major.
    pub v: Vec<f64>,
    /// Degrees of freedom of the t distribution for p-values.
    pub df_t: f64,
    /// Number of parameters used in the (n−1)/(n−K) adjustment.
    pub dof_k: usize,
    /// Whether a non-positive-definite matrix was fixed (negative eigenvalues set to zero).
    pub fixed_psd: bool,
    /// Fixed effects found nested in the clusters (not counted in K).
    pub nested: Vec<usize>,
}

/// Whether every group of `fe` lies within a single cluster.
fn is_nested(fe: &[u32], fe_groups: usize, cl: &[u32]) -> bool {
    let mut map = vec![u32::MAX; fe_groups];
    for (&g, &c) in fe.iter().zip(cl) {
        let m = &mut map[g as usize];
        if *m == u32::MAX {
            *m = c;
        } else if *m != c {
            return false;
        }
    }
    true
}

/// `bread · meat · bread` where meat = Σ_g s_g s_gᵀ, s_g the score sums per cluster.
fn sandwich(bread: &[f64], scores: &[Vec<f64>], ids: Option<(&[u32], usize)>) -> Vec<f64> {
    let k = scores.len();
    let mut meat = vec![0.0; k * k];
    match ids {
        None => {
            for a in 0..k {
                for b in 0..=a {
                    meat[a * k + b] = scores[a].iter().zip(&scores[b]).map(|(p, q)| p * q).sum();
                }
            }
        }
        Some((ids, g)) => {
            let mut sums = vec![0.0; g * k];
            for (j, s) in scores.iter().enumerate() {
                for (&c, &v) in ids.iter().zip(s) {
                    sums[c as usize * k + j] += v;
                }
            }
            for c in 0..g {
                let row = &sums[c * k..c * k + k];
                for a in 0..k {
                    for b in 0..=a {
                        meat[a * k + b] += row[a] * row[b];
                    }
                }
            }
        }
    }
    for a in 0..k {
        for b in 0..a {
            meat[b * k + a] = meat[a * k + b];
        }
    }
    matmul(&matmul(bread, &meat, k), bread, k)
}

/// Intersection of several cluster dimensions, renumbered.
fn intersect(dims: &[&ClusterDim]) -> (Vec<u32>, usize) {
    let parts: Vec<&[u32]> = dims.iter().map(|d| d.ids.as_slice()).collect();
    let counts: Vec<usize> = dims.iter().map(|d| d.groups).collect();
    let ids = super::fe::interact(&parts, &counts);
    let g = ids.iter().map(|&c| c as usize + 1).max().unwrap_or(0);
    (ids, g)
}

/// Computes the variance. `bread` is the inverse of X̃ᵀWX̃ (k×k), `scores[j][i]` = x̃_ij e_i with
/// e the (working) residual times weight, `nparams` fixest's parameter count (coefficients plus
/// fixed-effect levels minus one per extra fixed effect).
pub fn compute(
    bread: &[f64],
    scores: &[Vec<f64>],
    kind: Kind<'_>,
    fes: &FeSet,
    nparams: usize,
) -> Vcov {
    let k = bread.len().isqrt();
    let n = scores.first().map_or(0, Vec::len) as f64;
    let mut dof_k = nparams;
    let mut nested = Vec::new();
    let (mut v, df_t) = match kind {
        Kind::Iid { sigma2 } => (
            bread.iter().map(|b| b * sigma2).collect::<Vec<_>>(),
            f64::NAN,
        ),
        Kind::Hetero => {
            let mut v = sandwich(bread, scores, None);
            for x in &mut v {
                *x *= n / (n - 1.0);
            }
            (v, f64::NAN)
        }
        Kind::Cluster(dims) => {
            let m = dims.len();
            let mut v = vec![0.0; k * k];
            for mask in 1u32..(1 << m) {
                let chosen: Vec<&ClusterDim> = (0..m)
                    .filter(|d| mask & (1 << d) != 0)
                    .map(|d| &dims[d])
                    .collect();
                let sign = if chosen.len() % 2 == 1 { 1.0 } else { -1.0 };
                let part = if chosen.len() == 1 {
                    sandwich(bread, scores, Some((&chosen[0].ids, chosen[0].groups)))
                } else {
                    let (ids, g) = intersect(&chosen);
                    sandwich(bread, scores, Some((&ids, g)))
                };
                for (a, b) in v.iter_mut().zip(part) {
                    *a += sign * b;
                }
            }
            let g_min = dims.iter().map(|d| d.groups).min().unwrap_or(1) as f64;
            for x in &mut v {
                *x *= g_min / (g_min - 1.0);
            }
            // fixef.K = "nested": fixed effects nested in a cluster dimension are not counted.
            if !fes.is_empty() {
                for q in 0..fes.len() {
                    if dims
                        .iter()
                        .any(|d| is_nested(&fes.ids[q], fes.sizes[q], &d.ids))
                    {
                        nested.push(q);
                    }
                }
                if !nested.is_empty() {
                    let total_fe: usize = fes.sizes.iter().sum::<usize>() - (fes.len() - 1);
                    if nested.len() == fes.len() {
                        dof_k = dof_k - total_fe + 1;
                    } else {
                        let removed: usize = nested.iter().map(|&q| fes.sizes[q] - 1).sum();
                        dof_k -= removed;
                    }
                    dof_k = dof_k.max(k + 1);
                }
            }
            (v, g_min - 1.0)
        }
    };
    let adj = (n - 1.0) / (n - dof_k as f64);
    for x in &mut v {
        *x *= adj;
    }
    let df_t = if df_t.is_nan() {
        (n - dof_k as f64).max(1.0)
    } else {
        df_t.max(1.0)
    };
    let mut fixed_psd = false;
    if (0..k).any(|i| v[i * k + i] < 0.0) {
        let (vals, vecs) = sym_eigen(&v, k);
        let mut out = vec![0.0; k * k];
        for (e, &lam) in vals.iter().enumerate() {
            let lam = lam.max(0.0);
            for a in 0..k {
                for b in 0..k {
                    out[a * k + b] += lam * vecs[a * k + e] * vecs[b * k + e];
                }
            }
        }
        v = out;
        fixed_psd = true;
    }
    Vcov {
        v,
        df_t,
        dof_k,
        fixed_psd,
        nested,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_detection() {
        assert!(is_nested(&[0, 0, 1, 2], 3, &[5, 5, 5, 6]));
        assert!(!is_nested(&[0, 0, 1], 2, &[1, 2, 2]));
    }

    #[test]
    fn hetero_equals_cluster_by_observation_up_to_ssc() {
        // With one observation per cluster, the clustered meat equals the White meat.
        let bread = vec![0.5];
        let scores = vec![vec![1.0, -2.0, 0.5, 3.0]];
        let fes = FeSet::default();
        let h = compute(&bread, &scores, Kind::Hetero, &fes, 1);
        let dims = [ClusterDim {
            name: "id".into(),
            ids: vec![0, 1, 2, 3],
            groups: 4,
        }];
        let c = compute(&bread, &scores, Kind::Cluster(&dims), &fes, 1);
        // both: 0.25 * 14.25 * 4/3 * 3/3
        assert!((h.v[0] - 0.25 * 14.25 * 4.0 / 3.0).abs() < 1e-12);
        assert!((c.v[0] - h.v[0]).abs() < 1e-12);
        assert_eq!(c.df_t, 3.0);
    }
}
