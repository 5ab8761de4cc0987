//! Fixed effects: building group ids, dropping separated observations and singletons; the
//! sweeping itself (weighted alternating projections with Irons–Tuck acceleration) is in
//! `sweep.rs`, re-exported here.

use super::frame::{FxMap, MISSING};
pub use super::sweep::{Demeaner, FeLayout, SweepControl, SweepStats};

/// Fixed-effect group ids for the estimation sample: `ids[q][i]` is in `0..sizes[q]`.
#[derive(Debug, Clone, Default)]
pub struct FeSet {
    /// Group id per observation, per fixed effect.
    pub ids: Vec<Vec<u32>>,
    /// Number of groups per fixed effect.
    pub sizes: Vec<usize>,
}

impl FeSet {
    /// Number of fixed effects.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there is no fixed effect.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// Interacts several code vectors (same length) into one; [`MISSING`] if any part is missing.
pub fn interact(parts: &[&[u32]], level_counts: &[usize]) -> Vec<u32> {
    let n = parts[0].len();
    if parts.len() == 1 {
        return parts[0].to_vec();
    }
    let mut out = vec![0u32; n];
    let mut map: FxMap<u64, u32> = FxMap::default();
    let total: u128 = level_counts.iter().map(|&c| c as u128).product();
    let dense = total <= 50_000_000;
    let mut table: Vec<u32> = if dense {
        vec![MISSING; total as usize]
    } else {
        Vec::new()
    };
    let mut next = 0u32;
    for (i, o) in out.iter_mut().enumerate() {
        let mut key: u64 = 0;
        let mut missing = false;
        for (p, c) in parts.iter().zip(level_counts) {
            let v = p[i];
            if v == MISSING {
                missing = true;
                break;
            }
            key = key.wrapping_mul(*c as u64).wrapping_add(u64::from(v));
        }
        if missing {
            *o = MISSING;
            continue;
        }
        let slot = if dense {
            &mut table[key as usize]
        } else {
            map.entry(key).or_insert(MISSING)
        };
        if *slot == MISSING {
            *slot = next;
            next += 1;
        }
        *o = *slot;
    }
    out
}

/// Restricts codes to the rows where `keep` is true and renumbers them `0..G` by first
/// appearance. Returns the codes and `G`.
pub fn compact(codes: &[u32], keep: &[bool], nlevels: usize) -> (Vec<u32>, usize) {
    let mut map = vec![MISSING; nlevels];
    let mut next = 0u32;
    let mut out = Vec::with_capacity(keep.iter().filter(|&&k| k).count());
    for (&c, &k) in codes.iter().zip(keep) {
        if !k {
            continue;
        }
        let m = &mut map[c as usize];
        if *m == MISSING {
            *m = next;
            next += 1;
        }
        out.push(*m);
    }
    (out, next as usize)
}

/// Counts of observations removed before estimation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Dropped {
    /// Missing or non-finite values (including `log` of a non-positive number).
    pub missing: usize,
    /// Poisson: observations in a fixed-effect group whose outcome is zero throughout
    /// (perfectly predicted, "separated").
    pub separated: usize,
    /// Observations alone in their fixed-effect group (only with singleton removal).
    pub singletons: usize,
}

/// Marks (in `keep`) observations to drop: for Poisson, those in a group with only zero outcomes;
/// with `singletons`, those alone in a group. Repeats until nothing changes. `y` must be
/// non-negative where `keep` is true when `poisson` is.
pub fn drop_degenerate(
    ids: &[&[u32]],
    sizes: &[usize],
    y: &[f64],
    keep: &mut [bool],
    poisson: bool,
    singletons: bool,
    dropped: &mut Dropped,
) {
    loop {
        let mut changed = false;
        if poisson {
            for (id, &g) in ids.iter().zip(sizes) {
                let mut sum = vec![0.0f64; g];
                for ((&k, &c), &y) in keep.iter().zip(id.iter()).zip(y) {
                    if k {
                        sum[c as usize] += y;
                    }
                }
                for (k, &c) in keep.iter_mut().zip(id.iter()) {
                    if *k && sum[c as usize] <= 0.0 {
                        *k = false;
                        dropped.separated += 1;
                        changed = true;
                    }
                }
            }
        }
        if singletons {
            for (id, &g) in ids.iter().zip(sizes) {
                let mut count = vec![0u32; g];
                for (&k, &c) in keep.iter().zip(id.iter()) {
                    if k {
                        count[c as usize] += 1;
                    }
                }
                for (k, &c) in keep.iter_mut().zip(id.iter()) {
                    if *k && count[c as usize] == 1 {
                        *k = false;
                        dropped.singletons += 1;
                        changed = true;
                    }
                }
            }
        }
        // Separated rows have a zero outcome: dropping them leaves every group's sum as it was,
        // so without singleton removal one round reaches the fixed point.
        if !changed || !singletons {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fes(ids: Vec<Vec<u32>>) -> FeSet {
        let sizes = ids
            .iter()
            .map(|v| *v.iter().max().unwrap() as usize + 1)
            .collect();
        FeSet { ids, sizes }
    }

    #[test]
    fn one_way_demeaning_is_group_mean_removal() {
        let f = fes(vec![vec![0, 0, 1, 1, 1]]);
        let w = vec![1.0; 5];
        let d = Demeaner::new(&f, &w);
        let mut out = vec![0.0; 5];
        d.demean(
            &[1.0, 3.0, 2.0, 4.0, 6.0],
            &mut out,
            &mut Vec::new(),
            SweepControl {
                tol: 1e-12,
                max_iter: 100,
            },
        );
        assert_eq!(out, vec![-1.0, 1.0, -2.0, 0.0, 2.0]);
    }

    #[test]
    fn two_way_balanced_panel_matches_closed_form() {
        // Balanced 3x4 panel: v - rowmean - colmean + grandmean.
        let (r, c) = (3usize, 4usize);
        let mut a = Vec::new();
        let mut b = Vec::new();
        let mut v = Vec::new();
        for i in 0..r {
            for j in 0..c {
                a.push(i as u32);
                b.push(j as u32);
                v.push(((i * 7 + j * 3) % 5) as f64 + (i * j) as f64);
            }
        }
        let f = fes(vec![a.clone(), b.clone()]);
        let w = vec![1.0; r * c];
        let d = Demeaner::new(&f, &w);
        let mut out = vec![0.0; r * c];
        let st = d.demean(
            &v,
            &mut out,
            &mut Vec::new(),
            SweepControl {
                tol: 1e-13,
                max_iter: 1000,
            },
        );
        assert!(st.converged);
        let grand: f64 = v.iter().sum::<f64>() / (r * c) as f64;
        for k in 0..r * c {
            let rm: f64 = (0..c).map(|j| v[a[k] as usize * c + j]).sum::<f64>() / c as f64;
            let cm: f64 = (0..r).map(|i| v[i * c + b[k] as usize]).sum::<f64>() / r as f64;
            assert!((out[k] - (v[k] - rm - cm + grand)).abs() < 1e-10);
        }
    }

    /// The sweeps take other code paths on data sorted by a fixed effect (runs) and for four
    /// fixed effects (the general case): the residuals must not depend on the row order, and
    /// must be orthogonal to every fixed effect (weighted group sums of zero).
    #[test]
    fn residuals_do_not_depend_on_row_order_or_path() {
        let mut rows = Vec::new();
        for e in 0..7u32 {
            for i in 0..6u32 {
                for t in 0..4u32 {
                    let k = f64::from(e * 31 + i * 17 + t * 7);
                    rows.push((
                        e * 4 + t,
                        i * 4 + t,
                        e * 6 + i,
                        t,
                        (k * 0.37).sin() * 10.0,
                        0.5 + (k * 0.11).cos().abs(),
                    ));
                }
            }
        }
        let ctl = SweepControl {
            tol: 1e-13,
            max_iter: 100_000,
        };
        let run = |rows: &[(u32, u32, u32, u32, f64, f64)], q: usize| -> Vec<f64> {
            let cols: [Vec<u32>; 4] = [
                rows.iter().map(|r| r.0).collect(),
                rows.iter().map(|r| r.1).collect(),
                rows.iter().map(|r| r.2).collect(),
                rows.iter().map(|r| r.3).collect(),
            ];
            let f = fes(cols[..q].to_vec());
            let v: Vec<f64> = rows.iter().map(|r| r.4).collect();
            let w: Vec<f64> = rows.iter().map(|r| r.5).collect();
            let d = Demeaner::new(&f, &w);
            let mut out = vec![0.0; v.len()];
            let st = d.demean(&v, &mut out, &mut Vec::new(), ctl);
            assert!(st.converged);
            for (ids, &g) in f.ids.iter().zip(&f.sizes) {
                let mut s = vec![0.0; g];
                for ((&id, o), w) in ids.iter().zip(&out).zip(&w) {
                    s[id as usize] += w * o;
                }
                assert!(s.iter().all(|x| x.abs() < 1e-8), "{s:?}");
            }
            out
        };
        // Sorted by the pair (third column): runs of 4; then the rows reversed and interleaved.
        let mut shuffled: Vec<(usize, _)> = rows.iter().copied().enumerate().collect();
        shuffled.sort_by_key(|(k, _)| (k * 37) % rows.len());
        let back = |out: Vec<f64>| {
            let mut o = vec![0.0; out.len()];
            for ((k, _), x) in shuffled.iter().zip(out) {
                o[*k] = x;
            }
            o
        };
        let plain: Vec<_> = shuffled.iter().map(|(_, r)| *r).collect();
        for q in [3, 4] {
            let a = run(&rows, q);
            let b = back(run(&plain, q));
            for (x, y) in a.iter().zip(&b) {
                assert!((x - y).abs() < 1e-9, "{q} fixed effects: {x} vs {y}");
            }
        }
    }

    #[test]
    fn drops_all_zero_groups_and_singletons() {
        let ids = [0, 0, 1, 1, 2];
        let y = vec![1.0, 0.0, 0.0, 0.0, 5.0];
        let mut keep = vec![true; 5];
        let mut d = Dropped::default();
        drop_degenerate(&[&ids], &[3], &y, &mut keep, true, false, &mut d);
        assert_eq!(keep, vec![true, true, false, false, true]);
        assert_eq!(d.separated, 2);
        drop_degenerate(&[&ids], &[3], &y, &mut keep, true, true, &mut d);
        assert_eq!(keep, vec![true, true, false, false, false]);
        assert_eq!(d.singletons, 1);
    }

    #[test]
    fn interaction_and_compaction() {
        let a = vec![0, 0, 1, 1];
        let b = vec![0, 1, 0, 0];
        let ab = interact(&[&a, &b], &[2, 2]);
        assert_eq!(ab, vec![0, 1, 2, 2]);
        let (c, g) = compact(&ab, &[false, true, true, true], 3);
        assert_eq!((c, g), (vec![0, 1, 1], 2));
    }
}
