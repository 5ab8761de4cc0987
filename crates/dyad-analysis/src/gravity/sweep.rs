//! Sweeping the fixed effects out of variables: weighted alternating projections (Gauss–Seidel
//! over the fixed-effect coefficients, the largest fixed effect solved from the others inside
//! each sweep) with Irons–Tuck acceleration every two sweeps, warm-started from the previous
//! IRLS iteration's coefficients.
//!
//! Up to four variables with the same weights are swept together: each pass over the data reads
//! the group ids and weights once for all of them, with their coefficients side by side, which
//! on one thread is most of the gain of doing them in parallel. Each variable keeps its own
//! acceleration and stopping rule and is left alone once it has converged, so the arithmetic on
//! it, and its result, are those of sweeping it by itself.

use super::fe::FeSet;

/// Tolerance and iteration cap of the fixed-effect sweep.
#[derive(Debug, Clone, Copy)]
pub struct SweepControl {
    /// Stop when every coefficient moves by less than `tol * (0.1 + |coef|)` (fixest's relative
    /// rule).
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

/// One fixed effect as the sweeps see it.
#[derive(Debug, Clone)]
struct Dim<'a> {
    ids: &'a [u32],
    groups: usize,
    /// Its coefficient arrays have `mask + 1` entries (the power of two at or above `groups`),
    /// and are indexed with `id & mask`: in bounds by construction, so the compiler drops the
    /// bounds checks of the hot loops (they cost a third of a sweep) without `unsafe`. Ids are
    /// below `groups` (checked when the layout is built), so the mask never changes one.
    mask: usize,
    /// Equal ids come in runs (the data is sorted by this fixed effect): sums into its groups
    /// are then accumulated in registers rather than through memory for every observation.
    runs: bool,
}

/// How the fixed effects of an estimation sample are laid out for sweeping: built once per
/// estimation and shared by the [`Demeaner`] of every IRLS iteration.
#[derive(Debug, Clone)]
pub struct FeLayout<'a> {
    /// In processing order: the last (largest) fixed effect is implied by the others.
    dims: Vec<Dim<'a>>,
    /// Start of each fixed effect but the last in the coefficient state.
    offsets: Vec<usize>,
    state_len: usize,
    /// Observations.
    n: usize,
}

impl<'a> FeLayout<'a> {
    /// Orders the fixed effects (largest last) and pads their coefficient arrays.
    ///
    /// # Panics
    /// If an id is not below its fixed effect's number of groups, or the id vectors differ in
    /// length.
    pub fn new(fes: &'a FeSet) -> FeLayout<'a> {
        let mut order: Vec<usize> = (0..fes.len()).collect();
        // Largest last: its coefficients are recomputed from the others, not iterated on.
        order.sort_by_key(|&q| fes.sizes[q]);
        let n = fes.ids.first().map_or(0, Vec::len);
        let dims: Vec<Dim<'a>> = order
            .iter()
            .map(|&q| {
                let ids = fes.ids[q].as_slice();
                let groups = fes.sizes[q];
                assert_eq!(
                    ids.len(),
                    n,
                    "fixed effect {q}: {} ids for {n} rows",
                    ids.len()
                );
                let mut changes = 0usize;
                let mut prev = ids.first().copied().unwrap_or(0);
                let mut max = 0u32;
                for &g in ids {
                    changes += usize::from(g != prev);
                    prev = g;
                    max = max.max(g);
                }
                assert!(
                    n == 0 || (max as usize) < groups,
                    "fixed effect {q}: id {max} for {groups} groups"
                );
                Dim {
                    ids,
                    groups,
                    mask: groups.max(1).next_power_of_two() - 1,
                    // Runs of two or more on average.
                    runs: 2 * (changes + 1) <= n,
                }
            })
            .collect();
        let mut offsets = Vec::new();
        let mut state_len = 0;
        for d in dims.iter().take(dims.len().saturating_sub(1)) {
            offsets.push(state_len);
            state_len += d.mask + 1;
        }
        FeLayout {
            dims,
            offsets,
            state_len,
            n,
        }
    }

    /// Length of the warm-start state vector.
    pub fn state_len(&self) -> usize {
        self.state_len
    }

    /// The coefficients of fixed effect `p` (not the last) in a state vector.
    fn seg<'s, T>(&self, x: &'s [T], p: usize) -> &'s [T] {
        &x[self.offsets[p]..self.offsets[p] + self.dims[p].mask + 1]
    }
}

/// `out[q][g][v] = Σ_{i in group g of q} val(i)[v]` for every fixed effect, in one pass over the
/// data for two or three fixed effects. `out[q]` is resized to the padded length and zeroed.
fn group_sums<const V: usize>(
    dims: &[Dim<'_>],
    n: usize,
    val: impl Fn(usize) -> [f64; V],
    out: &mut [Vec<[f64; V]>],
) {
    for (o, d) in out.iter_mut().zip(dims) {
        o.clear();
        o.resize(d.mask + 1, [0.0; V]);
    }
    let add = |s: &mut [f64; V], x: &[f64; V]| {
        for v in 0..V {
            s[v] += x[v];
        }
    };
    match (dims, out) {
        ([a, b], [sa, sb]) => {
            let (ma, mb) = (a.mask, b.mask);
            let (sa, sb) = (&mut sa[..=ma], &mut sb[..=mb]);
            let (ia, ib) = (&a.ids[..n], &b.ids[..n]);
            for i in 0..n {
                let x = val(i);
                add(&mut sa[ia[i] as usize & ma], &x);
                add(&mut sb[ib[i] as usize & mb], &x);
            }
        }
        ([a, b, c], [sa, sb, sc]) => {
            let (ma, mb, mc) = (a.mask, b.mask, c.mask);
            let (sa, sb, sc) = (&mut sa[..=ma], &mut sb[..=mb], &mut sc[..=mc]);
            let (ia, ib, ic) = (&a.ids[..n], &b.ids[..n], &c.ids[..n]);
            for i in 0..n {
                let x = val(i);
                add(&mut sa[ia[i] as usize & ma], &x);
                add(&mut sb[ib[i] as usize & mb], &x);
                add(&mut sc[ic[i] as usize & mc], &x);
            }
        }
        (dims, out) => {
            for (d, s) in dims.iter().zip(out) {
                let m = d.mask;
                let s = &mut s[..=m];
                let ids = &d.ids[..n];
                for i in 0..n {
                    add(&mut s[ids[i] as usize & m], &val(i));
                }
            }
        }
    }
}

/// `acc[id_i] -= term(i)` for every observation; with `runs`, the terms of equal consecutive
/// ids are summed in registers first (a store-to-load round trip per observation otherwise).
#[inline(always)]
fn scatter_sub<const V: usize>(
    acc: &mut [[f64; V]],
    d: &Dim<'_>,
    n: usize,
    term: impl Fn(usize) -> [f64; V],
) {
    let m = d.mask;
    let acc = &mut acc[..=m];
    let ids = &d.ids[..n];
    if d.runs {
        let mut cur = ids.first().map_or(0, |&g| g as usize & m);
        let mut run = [0.0; V];
        for (i, &g) in ids.iter().enumerate() {
            let g = g as usize & m;
            if g != cur {
                for v in 0..V {
                    acc[cur][v] -= run[v];
                }
                run = [0.0; V];
                cur = g;
            }
            let t = term(i);
            for v in 0..V {
                run[v] += t[v];
            }
        }
        for v in 0..V {
            acc[cur][v] -= run[v];
        }
    } else {
        for (i, &g) in ids.iter().enumerate() {
            let t = term(i);
            let a = &mut acc[g as usize & m];
            for v in 0..V {
                a[v] -= t[v];
            }
        }
    }
}

/// A source of coefficients in a pass: a fixed effect's ids, its coefficients (padded) and mask.
type Src<'s, const V: usize> = (&'s [u32], &'s [[f64; V]], usize);

/// Weighted demeaning by several fixed effects, for fixed weights.
pub struct Demeaner<'a> {
    w: &'a [f64],
    layout: FeLayout<'a>,
    /// Σ w per group, per fixed effect (padded).
    wsum: Vec<Vec<[f64; 1]>>,
}

impl<'a> Demeaner<'a> {
    /// Prepares the group weights. `w` must be positive.
    pub fn new(fes: &'a FeSet, w: &'a [f64]) -> Demeaner<'a> {
        Demeaner::with_layout(FeLayout::new(fes), w)
    }

    /// As [`Demeaner::new`], with the layout built once for all IRLS iterations.
    ///
    /// # Panics
    /// If `w` and the ids differ in length.
    pub fn with_layout(layout: FeLayout<'a>, w: &'a [f64]) -> Demeaner<'a> {
        if !layout.dims.is_empty() {
            assert_eq!(
                layout.n,
                w.len(),
                "weights and fixed effects differ in length"
            );
        }
        let mut wsum = vec![Vec::new(); layout.dims.len()];
        let n = w.len();
        let ws = &w[..n];
        group_sums(&layout.dims, n, |i| [ws[i]], &mut wsum);
        Demeaner { w, layout, wsum }
    }

    /// Length of the warm-start state vector.
    pub fn state_len(&self) -> usize {
        self.layout.state_len
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
        let mut outs = [vec![0.0; out.len()]];
        let stats = self.group::<1>(&[v], &mut outs, std::slice::from_mut(state), ctl);
        out.copy_from_slice(&outs[0]);
        stats[0]
    }

    /// Demeans every variable of `vars` into the matching `outs`, with its warm-start `states`
    /// (as [`Demeaner::demean`]), sweeping up to four at a time. Returns the sweeps summed over
    /// the variables and whether all converged.
    ///
    /// # Panics
    /// If the three slices differ in length, or a variable or output has the wrong length.
    pub fn demean_many(
        &self,
        vars: &[&[f64]],
        outs: &mut [Vec<f64>],
        states: &mut [Vec<f64>],
        ctl: SweepControl,
    ) -> (usize, bool) {
        assert!(vars.len() == outs.len() && vars.len() == states.len());
        let mut sweeps = 0;
        let mut converged = true;
        let mut k = 0;
        while k < vars.len() {
            let r = (vars.len() - k).min(4);
            let (v, o, s) = (&vars[k..k + r], &mut outs[k..k + r], &mut states[k..k + r]);
            let stats: Vec<SweepStats> = match r {
                1 => self.group::<1>(v, o, s, ctl).to_vec(),
                2 => self.group::<2>(v, o, s, ctl).to_vec(),
                3 => self.group::<3>(v, o, s, ctl).to_vec(),
                _ => self.group::<4>(v, o, s, ctl).to_vec(),
            };
            for st in stats {
                sweeps += st.iterations;
                converged &= st.converged;
            }
            k += r;
        }
        (sweeps, converged)
    }

    /// [`Demeaner::demean_many`] for exactly `V` variables.
    fn group<const V: usize>(
        &self,
        vars: &[&[f64]],
        outs: &mut [Vec<f64>],
        states: &mut [Vec<f64>],
        ctl: SweepControl,
    ) -> [SweepStats; V] {
        let n = self.w.len();
        let vars: [&[f64]; V] = std::array::from_fn(|v| {
            assert_eq!(vars[v].len(), n, "variable of the wrong length");
            assert_eq!(outs[v].len(), n, "output of the wrong length");
            &vars[v][..n]
        });
        let dims = &self.layout.dims;
        let q = dims.len();
        if q == 0 {
            for (o, v) in outs.iter_mut().zip(vars) {
                o.copy_from_slice(v);
            }
            return [SweepStats {
                iterations: 0,
                converged: true,
            }; V];
        }
        let w = &self.w[..n];
        // Weighted sums of the variables per group (one pass over the data for all fixed
        // effects and variables).
        let mut sums: Vec<Vec<[f64; V]>> = vec![Vec::new(); q];
        group_sums(
            dims,
            n,
            |i| std::array::from_fn(|v| w[i] * vars[v][i]),
            &mut sums,
        );
        let last = q - 1;
        let dl = &dims[last];
        let mut alast = vec![[0.0; V]; dl.mask + 1];
        if q == 1 {
            self.divide(0, &sums[0], &mut alast);
            let a = &alast[..=dl.mask];
            let ids = &dl.ids[..n];
            for (v, o) in outs.iter_mut().enumerate() {
                let o = &mut o[..n];
                for i in 0..n {
                    o[i] = vars[v][i] - a[ids[i] as usize & dl.mask][v];
                }
            }
            return [SweepStats {
                iterations: 1,
                converged: true,
            }; V];
        }
        let len = self.layout.state_len;
        // The warm starts side by side.
        let mut x: Vec<[f64; V]> = vec![[0.0; V]; len];
        for (v, s) in states.iter().enumerate() {
            if s.len() == len {
                for (x, &s) in x.iter_mut().zip(s.iter()) {
                    x[v] = s;
                }
            }
        }
        let mut gx = vec![[0.0; V]; len];
        let mut ggx = vec![[0.0; V]; len];
        // Each variable's final coefficients, written when it stops.
        let mut fin = vec![[0.0; V]; len];
        let mut acc: Vec<[f64; V]> = Vec::new();
        let mut stats = [SweepStats::default(); V];
        let mut active = [true; V];
        let tol = ctl.tol;
        let done = |v: usize, a: &[[f64; V]], b: &[[f64; V]]| {
            a.iter()
                .zip(b)
                .all(|(a, b)| (a[v] - b[v]).abs() <= tol * (0.1 + a[v].abs()))
        };
        // After a sweep from `from` to `to`: the variables that converged (or hit the cap) stop,
        // with `to` as their coefficients.
        let settle = |from: &[[f64; V]],
                      to: &[[f64; V]],
                      active: &mut [bool; V],
                      stats: &mut [SweepStats; V],
                      fin: &mut [[f64; V]]| {
            for v in 0..V {
                if !active[v] {
                    continue;
                }
                stats[v].iterations += 1;
                let conv = done(v, from, to);
                if conv || stats[v].iterations >= ctl.max_iter {
                    stats[v].converged = conv;
                    active[v] = false;
                    for (f, t) in fin.iter_mut().zip(to) {
                        f[v] = t[v];
                    }
                }
            }
            active.iter().any(|&a| a)
        };
        loop {
            self.sweep(&sums, &x, &mut gx, &mut alast, &mut acc);
            if !settle(&x, &gx, &mut active, &mut stats, &mut fin) {
                break;
            }
            self.sweep(&sums, &gx, &mut ggx, &mut alast, &mut acc);
            if !settle(&gx, &ggx, &mut active, &mut stats, &mut fin) {
                break;
            }
            // Irons–Tuck extrapolation, per variable still going; the others just follow the
            // sweeps (their results are kept in `fin`).
            for v in 0..V {
                let mut vprod = 0.0;
                let mut ssq = 0.0;
                if active[v] {
                    for ((x, g), gg) in x.iter().zip(&gx).zip(&ggx) {
                        let d_gx = gg[v] - g[v];
                        let d2 = d_gx - g[v] + x[v];
                        vprod += d_gx * d2;
                        ssq += d2 * d2;
                    }
                }
                if !active[v] || ssq == 0.0 || !ssq.is_finite() {
                    for (x, gg) in x.iter_mut().zip(&ggx) {
                        x[v] = gg[v];
                    }
                } else {
                    let coef = vprod / ssq;
                    for ((x, g), gg) in x.iter_mut().zip(&gx).zip(&ggx) {
                        x[v] = gg[v] - coef * (gg[v] - g[v]);
                    }
                }
            }
        }
        // Coefficients of the last fixed effect, then residuals.
        self.last_from(&sums[last], &fin, &mut alast, &mut acc);
        let ml = dl.mask;
        let cl = &alast[..=ml];
        let il = &dl.ids[..n];
        match dims.as_slice() {
            [a, _] => {
                let ca = self.layout.seg(&fin, 0);
                let (ia, ma) = (&a.ids[..n], a.mask);
                for (v, o) in outs.iter_mut().enumerate() {
                    let o = &mut o[..n];
                    let x = vars[v];
                    for i in 0..n {
                        o[i] = x[i] - ca[ia[i] as usize & ma][v] - cl[il[i] as usize & ml][v];
                    }
                }
            }
            [a, b, _] => {
                let (ca, cb) = (self.layout.seg(&fin, 0), self.layout.seg(&fin, 1));
                let (ia, ma, ib, mb) = (&a.ids[..n], a.mask, &b.ids[..n], b.mask);
                for (v, o) in outs.iter_mut().enumerate() {
                    let o = &mut o[..n];
                    let x = vars[v];
                    for i in 0..n {
                        o[i] = x[i]
                            - ca[ia[i] as usize & ma][v]
                            - cb[ib[i] as usize & mb][v]
                            - cl[il[i] as usize & ml][v];
                    }
                }
            }
            _ => {
                for (v, o) in outs.iter_mut().enumerate() {
                    let o = &mut o[..n];
                    o.copy_from_slice(vars[v]);
                    for (p, d) in dims[..last].iter().enumerate() {
                        let c = self.layout.seg(&fin, p);
                        let ids = &d.ids[..n];
                        for i in 0..n {
                            o[i] -= c[ids[i] as usize & d.mask][v];
                        }
                    }
                    for i in 0..n {
                        o[i] -= cl[il[i] as usize & ml][v];
                    }
                }
            }
        }
        for (v, s) in states.iter_mut().enumerate() {
            s.clear();
            s.extend(fin.iter().map(|f| f[v]));
        }
        stats
    }

    /// `out[g] = acc[g] / Σ w` over the groups of fixed effect `p` (padding left alone).
    fn divide<const V: usize>(&self, p: usize, acc: &[[f64; V]], out: &mut [[f64; V]]) {
        let g = self.layout.dims[p].groups;
        for ((o, s), ws) in out[..g].iter_mut().zip(&acc[..g]).zip(&self.wsum[p][..g]) {
            for v in 0..V {
                o[v] = s[v] / ws[0];
            }
        }
    }

    /// Coefficients of the last fixed effect given the others (`x`).
    fn last_from<const V: usize>(
        &self,
        sums: &[[f64; V]],
        x: &[[f64; V]],
        alast: &mut [[f64; V]],
        acc: &mut Vec<[f64; V]>,
    ) {
        let dims = &self.layout.dims;
        let last = dims.len() - 1;
        let srcs: Vec<Src<'_, V>> = (0..last)
            .map(|p| (dims[p].ids, self.layout.seg(x, p), dims[p].mask))
            .collect();
        self.pass(last, sums, &srcs, acc);
        self.divide(last, acc, alast);
    }

    /// One Gauss–Seidel sweep: from `x` (all but the last FE) to `gx`.
    fn sweep<const V: usize>(
        &self,
        sums: &[Vec<[f64; V]>],
        x: &[[f64; V]],
        gx: &mut [[f64; V]],
        alast: &mut [[f64; V]],
        acc: &mut Vec<[f64; V]>,
    ) {
        let dims = &self.layout.dims;
        let last = dims.len() - 1;
        self.last_from(&sums[last], x, alast, acc);
        for p in (0..last).rev() {
            let mut srcs: Vec<Src<'_, V>> = Vec::with_capacity(last);
            for (r, d) in dims.iter().enumerate().take(p) {
                srcs.push((d.ids, self.layout.seg(x, r), d.mask));
            }
            for (r, d) in dims.iter().enumerate().take(last).skip(p + 1) {
                srcs.push((d.ids, self.layout.seg(gx, r), d.mask));
            }
            srcs.push((dims[last].ids, &*alast, dims[last].mask));
            self.pass(p, &sums[p], &srcs, acc);
            let off = self.layout.offsets[p];
            self.divide(p, acc, &mut gx[off..]);
        }
    }

    /// `acc[g] = sums[g] - Σ_{i in g} w_i Σ_src coef_src[id_src(i)]` for fixed effect `p`.
    fn pass<const V: usize>(
        &self,
        p: usize,
        sums: &[[f64; V]],
        srcs: &[Src<'_, V>],
        acc: &mut Vec<[f64; V]>,
    ) {
        acc.clear();
        acc.extend_from_slice(sums);
        let d = &self.layout.dims[p];
        let n = self.w.len();
        let w = &self.w[..n];
        match *srcs {
            [] => {}
            [(a, ca, ma)] => {
                let (a, ca) = (&a[..n], &ca[..=ma]);
                scatter_sub(acc, d, n, |i| {
                    let x = &ca[a[i] as usize & ma];
                    std::array::from_fn(|v| w[i] * x[v])
                });
            }
            [(a, ca, ma), (b, cb, mb)] => {
                let (a, ca, b, cb) = (&a[..n], &ca[..=ma], &b[..n], &cb[..=mb]);
                scatter_sub(acc, d, n, |i| {
                    let (x, y) = (&ca[a[i] as usize & ma], &cb[b[i] as usize & mb]);
                    std::array::from_fn(|v| w[i] * (x[v] + y[v]))
                });
            }
            [(a, ca, ma), (b, cb, mb), (c, cc, mc)] => {
                let (a, ca, b, cb, c, cc) = (
                    &a[..n],
                    &ca[..=ma],
                    &b[..n],
                    &cb[..=mb],
                    &c[..n],
                    &cc[..=mc],
                );
                scatter_sub(acc, d, n, |i| {
                    let (x, y, z) = (
                        &ca[a[i] as usize & ma],
                        &cb[b[i] as usize & mb],
                        &cc[c[i] as usize & mc],
                    );
                    std::array::from_fn(|v| w[i] * (x[v] + y[v] + z[v]))
                });
            }
            _ => {
                scatter_sub(acc, d, n, |i| {
                    std::array::from_fn(|v| {
                        w[i] * srcs
                            .iter()
                            .map(|&(a, c, m)| c[a[i] as usize & m][v])
                            .sum::<f64>()
                    })
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sweeping variables together gives each, bit for bit, what sweeping it alone gives (they
    /// converge after different numbers of sweeps), warm starts included, for two, three and
    /// four fixed effects, and five variables (a group of four and one alone).
    #[test]
    fn together_equals_alone() {
        let mut ids: [Vec<u32>; 4] = Default::default();
        let mut w = Vec::new();
        for e in 0..9u32 {
            for i in 0..7u32 {
                for t in 0..5u32 {
                    ids[0].push(e * 5 + t);
                    ids[1].push(i * 5 + t);
                    ids[2].push(e * 7 + i);
                    ids[3].push((e + i + t) % 4);
                    w.push(0.3 + f64::from((e * 13 + i * 7 + t * 3) % 11) / 4.0);
                }
            }
        }
        let n = w.len();
        let vars: Vec<Vec<f64>> = (0..5)
            .map(|v| {
                (0..n)
                    .map(|k| ((k * (v + 2)) as f64 * 0.37).sin() * (v + 1) as f64)
                    .collect()
            })
            .collect();
        let var_refs: Vec<&[f64]> = vars.iter().map(Vec::as_slice).collect();
        let ctl = SweepControl {
            tol: 1e-9,
            max_iter: 10_000,
        };
        for q in 2..=4 {
            let sizes = ids[..q]
                .iter()
                .map(|c| *c.iter().max().unwrap() as usize + 1)
                .collect();
            let fes = FeSet {
                ids: ids[..q].to_vec(),
                sizes,
            };
            let dm = Demeaner::new(&fes, &w);
            let mut outs = vec![vec![0.0; n]; 5];
            let mut states = vec![Vec::new(); 5];
            // Twice: the second run starts from the first one's coefficients.
            for _ in 0..2 {
                let mut alone = Vec::new();
                for (v, s) in var_refs.iter().zip(&states) {
                    let mut out = vec![0.0; n];
                    let mut state = s.clone();
                    let st = dm.demean(v, &mut out, &mut state, ctl);
                    alone.push((out, state, st.iterations));
                }
                let (sweeps, conv) = dm.demean_many(&var_refs, &mut outs, &mut states, ctl);
                assert!(conv);
                assert_eq!(sweeps, alone.iter().map(|a| a.2).sum::<usize>(), "{q} FE");
                for (v, (out, state, _)) in alone.iter().enumerate() {
                    assert_eq!(state.len(), states[v].len());
                    assert!(out
                        .iter()
                        .zip(&outs[v])
                        .all(|(a, b)| a.to_bits() == b.to_bits()));
                    assert!(state
                        .iter()
                        .zip(&states[v])
                        .all(|(a, b)| a.to_bits() == b.to_bits()));
                }
            }
        }
    }
}
