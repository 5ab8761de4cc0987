//! Fixed effects: building group ids, dropping separated observations and singletons, and
//! sweeping the fixed effects out of a variable by weighted alternating projections
//! (Gauss–Seidel over the fixed-effect coefficients) with Irons–Tuck acceleration.

use super::frame::{FxMap, MISSING};

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
/// with `singletons`, those alone in a group. Repeats until nothing changes.
pub fn drop_degenerate(
    ids: &[Vec<u32>],
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
                for i in 0..y.len() {
                    if keep[i] {
                        sum[id[i] as usize] += y[i];
                    }
                }
                for i in 0..y.len() {
                    if keep[i] && sum[id[i] as usize] <= 0.0 {
                        keep[i] = false;
                        dropped.separated += 1;
                        changed = true;
                    }
                }
            }
        }
        if singletons {
            for (id, &g) in ids.iter().zip(sizes) {
                let mut count = vec![0u32; g];
                for i in 0..y.len() {
                    if keep[i] {
                        count[id[i] as usize] += 1;
                    }
                }
                for i in 0..y.len() {
                    if keep[i] && count[id[i] as usize] == 1 {
                        keep[i] = false;
                        dropped.singletons += 1;
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
}

/// Tolerance and iteration cap of the fixed-effect sweep.
#[derive(Debug, Clone, Copy)]
pub struct SweepControl {
    /// Stop when every coefficient moves by less than `tol * (0.1 + |coef|)` (fixest's rule).
    pub tol: f64,
    /// Maximum number of sweeps.
    pub max_iter: usize,
}

/// Outcome of one demeaning.
#[derive(Debug, Clone, Copy, Default)]
pub struct SweepStats {
    /// Sweeps (applications of the Gauss–Seidel map) used.
    pub iterations: usize,
    /// Whether the tolerance was met.
    pub converged: bool,
}

/// Weighted demeaning by several fixed effects, for fixed weights.
pub struct Demeaner<'a> {
    w: &'a [f64],
    /// ids in processing order; the last (largest) fixed effect is implied by the others.
    ids: Vec<&'a [u32]>,
    wsum: Vec<Vec<f64>>,
    offsets: Vec<usize>,
    state_len: usize,
}

impl<'a> Demeaner<'a> {
    /// Prepares the group weights. `w` must be positive.
    pub fn new(fes: &'a FeSet, w: &'a [f64]) -> Demeaner<'a> {
        let mut order: Vec<usize> = (0..fes.len()).collect();
        // Largest last: its coefficients are recomputed from the others, not iterated on.
        order.sort_by_key(|&q| fes.sizes[q]);
        let ids: Vec<&[u32]> = order.iter().map(|&q| fes.ids[q].as_slice()).collect();
        let mut wsum: Vec<Vec<f64>> = order.iter().map(|&q| vec![0.0; fes.sizes[q]]).collect();
        match (ids.as_slice(), wsum.as_mut_slice()) {
            ([a, b, c], [sa, sb, sc]) => {
                for i in 0..w.len() {
                    sa[a[i] as usize] += w[i];
                    sb[b[i] as usize] += w[i];
                    sc[c[i] as usize] += w[i];
                }
            }
            _ => {
                for (id, s) in ids.iter().zip(wsum.iter_mut()) {
                    for (&g, &wi) in id.iter().zip(w) {
                        s[g as usize] += wi;
                    }
                }
            }
        }
        let mut offsets = Vec::new();
        let mut state_len = 0;
        for &q in order.iter().take(order.len().saturating_sub(1)) {
            offsets.push(state_len);
            state_len += fes.sizes[q];
        }
        Demeaner {
            w,
            ids,
            wsum,
            offsets,
            state_len,
        }
    }

    /// Length of the warm-start state vector.
    pub fn state_len(&self) -> usize {
        self.state_len
    }

    /// Writes `v` minus its weighted projection on the fixed effects into `out`. `state` holds
    /// the coefficients of all but the largest fixed effect: it is used as the starting point
    /// (warm start; resized to zeros if its length is wrong) and updated.
    pub fn demean(
        &self,
        v: &[f64],
        out: &mut [f64],
        state: &mut Vec<f64>,
        ctl: SweepControl,
    ) -> SweepStats {
        let q = self.ids.len();
        if q == 0 {
            out.copy_from_slice(v);
            return SweepStats {
                iterations: 0,
                converged: true,
            };
        }
        let w = self.w;
        // Weighted sums of v per group (one pass over the data for all fixed effects).
        let mut sums: Vec<Vec<f64>> = self.wsum.iter().map(|ws| vec![0.0; ws.len()]).collect();
        match (self.ids.as_slice(), sums.as_mut_slice()) {
            ([a, b], [sa, sb]) => {
                for i in 0..v.len() {
                    let wv = w[i] * v[i];
                    sa[a[i] as usize] += wv;
                    sb[b[i] as usize] += wv;
                }
            }
            ([a, b, c], [sa, sb, sc]) => {
                for i in 0..v.len() {
                    let wv = w[i] * v[i];
                    sa[a[i] as usize] += wv;
                    sb[b[i] as usize] += wv;
                    sc[c[i] as usize] += wv;
                }
            }
            _ => {
                for (id, s) in self.ids.iter().zip(sums.iter_mut()) {
                    for i in 0..v.len() {
                        s[id[i] as usize] += w[i] * v[i];
                    }
                }
            }
        }
        let last = q - 1;
        let mut alast = vec![0.0; self.wsum[last].len()];
        if q == 1 {
            for ((a, s), ws) in alast.iter_mut().zip(&sums[0]).zip(&self.wsum[0]) {
                *a = s / ws;
            }
            let id = self.ids[0];
            for i in 0..v.len() {
                out[i] = v[i] - alast[id[i] as usize];
            }
            return SweepStats {
                iterations: 1,
                converged: true,
            };
        }
        if state.len() != self.state_len {
            state.clear();
            state.resize(self.state_len, 0.0);
        }
        let mut x = std::mem::take(state);
        let mut gx = vec![0.0; self.state_len];
        let mut ggx = vec![0.0; self.state_len];
        let mut acc: Vec<f64> = Vec::new();
        let mut stats = SweepStats::default();
        let tol = ctl.tol;
        let done = |a: &[f64], b: &[f64]| {
            a.iter()
                .zip(b)
                .all(|(&a, &b)| (a - b).abs() <= tol * (0.1 + a.abs()))
        };
        loop {
            self.sweep(&sums, &x, &mut gx, &mut alast, &mut acc);
            stats.iterations += 1;
            if done(&x, &gx) {
                std::mem::swap(&mut x, &mut gx);
                stats.converged = true;
                break;
            }
            if stats.iterations >= ctl.max_iter {
                std::mem::swap(&mut x, &mut gx);
                break;
            }
            self.sweep(&sums, &gx, &mut ggx, &mut alast, &mut acc);
            stats.iterations += 1;
            if done(&gx, &ggx) {
                std::mem::swap(&mut x, &mut ggx);
                stats.converged = true;
                break;
            }
            if stats.iterations >= ctl.max_iter {
                std::mem::swap(&mut x, &mut ggx);
                break;
            }
            // Irons–Tuck extrapolation.
            let mut vprod = 0.0;
            let mut ssq = 0.0;
            for j in 0..x.len() {
                let d_gx = ggx[j] - gx[j];
                let d2 = d_gx - gx[j] + x[j];
                vprod += d_gx * d2;
                ssq += d2 * d2;
            }
            if ssq == 0.0 || !ssq.is_finite() {
                std::mem::swap(&mut x, &mut ggx);
            } else {
                let coef = vprod / ssq;
                for j in 0..x.len() {
                    x[j] = ggx[j] - coef * (ggx[j] - gx[j]);
                }
            }
        }
        // Coefficients of the last fixed effect, then residuals.
        self.last_from(&sums[last], &x, &mut alast, &mut acc);
        let idl = self.ids[last];
        match self.ids.as_slice() {
            [a, _] => {
                let ca = &x[self.offsets[0]..];
                for i in 0..v.len() {
                    out[i] = v[i] - ca[a[i] as usize] - alast[idl[i] as usize];
                }
            }
            [a, b, _] => {
                let ca = &x[self.offsets[0]..];
                let cb = &x[self.offsets[1]..];
                for i in 0..v.len() {
                    out[i] = v[i] - ca[a[i] as usize] - cb[b[i] as usize] - alast[idl[i] as usize];
                }
            }
            _ => {
                out.copy_from_slice(v);
                for (p, id) in self.ids[..last].iter().enumerate() {
                    let c = &x[self.offsets[p]..];
                    for i in 0..v.len() {
                        out[i] -= c[id[i] as usize];
                    }
                }
                for i in 0..v.len() {
                    out[i] -= alast[idl[i] as usize];
                }
            }
        }
        *state = x;
        stats
    }

    /// Coefficients of the last fixed effect given the others (`x`).
    fn last_from(&self, sums: &[f64], x: &[f64], alast: &mut [f64], acc: &mut Vec<f64>) {
        let last = self.ids.len() - 1;
        let srcs: Vec<(&[u32], &[f64])> = (0..last)
            .map(|p| (self.ids[p], &x[self.offsets[p]..]))
            .collect();
        self.pass(last, sums, &srcs, acc);
        for ((a, s), ws) in alast.iter_mut().zip(acc.iter()).zip(&self.wsum[last]) {
            *a = s / ws;
        }
    }

    /// One Gauss–Seidel sweep: from `x` (all but the last FE) to `gx`.
    fn sweep(
        &self,
        sums: &[Vec<f64>],
        x: &[f64],
        gx: &mut [f64],
        alast: &mut [f64],
        acc: &mut Vec<f64>,
    ) {
        let last = self.ids.len() - 1;
        self.last_from(&sums[last], x, alast, acc);
        for p in (0..last).rev() {
            let mut srcs: Vec<(&[u32], &[f64])> = Vec::with_capacity(last);
            for r in 0..p {
                srcs.push((self.ids[r], &x[self.offsets[r]..]));
            }
            for r in p + 1..last {
                srcs.push((self.ids[r], &gx[self.offsets[r]..]));
            }
            srcs.push((self.ids[last], &*alast));
            self.pass(p, &sums[p], &srcs, acc);
            let out = &mut gx[self.offsets[p]..self.offsets[p] + self.wsum[p].len()];
            for ((o, s), ws) in out.iter_mut().zip(acc.iter()).zip(&self.wsum[p]) {
                *o = s / ws;
            }
        }
    }

    /// `acc[g] = sums[g] - Σ_{i in g} w_i Σ_src coef_src[id_src(i)]` for fixed effect `p`.
    fn pass(&self, p: usize, sums: &[f64], srcs: &[(&[u32], &[f64])], acc: &mut Vec<f64>) {
        acc.clear();
        acc.extend_from_slice(sums);
        let id = self.ids[p];
        let w = self.w;
        let n = w.len();
        match srcs {
            [] => {}
            [(a, ca)] => {
                for i in 0..n {
                    acc[id[i] as usize] -= w[i] * ca[a[i] as usize];
                }
            }
            [(a, ca), (b, cb)] => {
                // Accumulate runs of equal ids in a register: sorted data (e.g. by pair) then
                // avoids a store-to-load dependency on acc for every observation.
                let mut cur = id[0] as usize;
                let mut run = 0.0;
                for i in 0..n {
                    let g = id[i] as usize;
                    if g != cur {
                        acc[cur] -= run;
                        run = 0.0;
                        cur = g;
                    }
                    run += w[i] * (ca[a[i] as usize] + cb[b[i] as usize]);
                }
                acc[cur] -= run;
            }
            [(a, ca), (b, cb), (c, cc)] => {
                for i in 0..n {
                    acc[id[i] as usize] -=
                        w[i] * (ca[a[i] as usize] + cb[b[i] as usize] + cc[c[i] as usize]);
                }
            }
            _ => {
                for i in 0..n {
                    let s: f64 = srcs.iter().map(|(a, c)| c[a[i] as usize]).sum();
                    acc[id[i] as usize] -= w[i] * s;
                }
            }
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

    #[test]
    fn drops_all_zero_groups_and_singletons() {
        let ids = vec![vec![0, 0, 1, 1, 2]];
        let y = vec![1.0, 0.0, 0.0, 0.0, 5.0];
        let mut keep = vec![true; 5];
        let mut d = Dropped::default();
        drop_degenerate(&ids, &[3], &y, &mut keep, true, false, &mut d);
        assert_eq!(keep, vec![true, true, false, false, true]);
        assert_eq!(d.separated, 2);
        drop_degenerate(&ids, &[3], &y, &mut keep, true, true, &mut d);
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
