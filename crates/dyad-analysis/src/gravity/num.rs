//! Small dense linear algebra (k×k, row-major) and the special functions needed for p-values and
//! the Poisson log-likelihood.

/// Cholesky factor `L` (lower, row-major) of a symmetric positive-definite `k×k` matrix. Returns
/// `Err(j)` if pivot `j` is not positive relative to the original diagonal (`rel_tol`).
pub fn cholesky(a: &[f64], k: usize, rel_tol: f64) -> Result<Vec<f64>, usize> {
    let mut l = vec![0.0; k * k];
    for j in 0..k {
        let mut d = a[j * k + j];
        for m in 0..j {
            d -= l[j * k + m] * l[j * k + m];
        }
        if d.is_nan() || d <= rel_tol * a[j * k + j].abs() || !d.is_finite() {
            return Err(j);
        }
        let d = d.sqrt();
        l[j * k + j] = d;
        for i in j + 1..k {
            let mut s = a[i * k + j];
            for m in 0..j {
                s -= l[i * k + m] * l[j * k + m];
            }
            l[i * k + j] = s / d;
        }
    }
    Ok(l)
}

/// Solves `L Lᵀ x = b`.
pub fn chol_solve(l: &[f64], k: usize, b: &[f64]) -> Vec<f64> {
    let mut y = b.to_vec();
    for i in 0..k {
        for m in 0..i {
            y[i] -= l[i * k + m] * y[m];
        }
        y[i] /= l[i * k + i];
    }
    for i in (0..k).rev() {
        for m in i + 1..k {
            y[i] -= l[m * k + i] * y[m];
        }
        y[i] /= l[i * k + i];
    }
    y
}

/// Inverse of `L Lᵀ`.
pub fn chol_inverse(l: &[f64], k: usize) -> Vec<f64> {
    let mut inv = vec![0.0; k * k];
    for c in 0..k {
        let mut e = vec![0.0; k];
        e[c] = 1.0;
        let x = chol_solve(l, k, &e);
        for r in 0..k {
            inv[r * k + c] = x[r];
        }
    }
    inv
}

/// `A B` for square `k×k` row-major matrices.
pub fn matmul(a: &[f64], b: &[f64], k: usize) -> Vec<f64> {
    let mut c = vec![0.0; k * k];
    for i in 0..k {
        for m in 0..k {
            let aim = a[i * k + m];
            for j in 0..k {
                c[i * k + j] += aim * b[m * k + j];
            }
        }
    }
    c
}

/// Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: (values, vectors as
/// columns, row-major).
pub fn sym_eigen(a: &[f64], k: usize) -> (Vec<f64>, Vec<f64>) {
    let mut a = a.to_vec();
    let mut v = vec![0.0; k * k];
    for i in 0..k {
        v[i * k + i] = 1.0;
    }
    for _ in 0..100 {
        let off: f64 = (0..k)
            .flat_map(|i| (0..k).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * k + j] * a[i * k + j])
            .sum();
        if off < 1e-30 {
            break;
        }
        for p in 0..k {
            for q in p + 1..k {
                let apq = a[p * k + q];
                if apq.abs() < 1e-300 {
                    continue;
                }
                let theta = (a[q * k + q] - a[p * k + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for r in 0..k {
                    let arp = a[r * k + p];
                    let arq = a[r * k + q];
                    a[r * k + p] = c * arp - s * arq;
                    a[r * k + q] = s * arp + c * arq;
                }
                for r in 0..k {
                    let apr = a[p * k + r];
                    let aqr = a[q * k + r];
                    a[p * k + r] = c * apr - s * aqr;
                    a[q * k + r] = s * apr + c * aqr;
                }
                for r in 0..k {
                    let vrp = v[r * k + p];
                    let vrq = v[r * k + q];
                    v[r * k + p] = c * vrp - s * vrq;
                    v[r * k + q] = s * vrp + c * vrq;
                }
            }
        }
    }
    ((0..k).map(|i| a[i * k + i]).collect(), v)
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error ~1e-15).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, &c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Regularised incomplete beta I_x(a, b) (continued fraction, modified Lentz).
pub fn inc_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    if x > (a + 1.0) / (a + b + 2.0) {
        return 1.0 - inc_beta(1.0 - x, b, a);
    }
    let tiny = 1e-300;
    let mut f = 1.0;
    let mut c = 1.0;
    let mut d = 1.0 - (a + b) * x / (a + 1.0);
    if d.abs() < tiny {
        d = tiny;
    }
    d = 1.0 / d;
    f *= d;
    for m in 1..10_000 {
        let m = m as f64;
        // Even step.
        let num = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
        d = 1.0 + num * d;
        if d.abs() < tiny {
            d = tiny;
        }
        c = 1.0 + num / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        f *= c * d;
        // Odd step.
        let num = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
        d = 1.0 + num * d;
        if d.abs() < tiny {
            d = tiny;
        }
        c = 1.0 + num / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < 1e-15 {
            break;
        }
    }
    ln_front.exp() * f / a
}

/// Two-sided p-value of a Student t statistic with `df` degrees of freedom.
pub fn t_pvalue(t: f64, df: f64) -> f64 {
    if !t.is_finite() {
        return if t.is_nan() { f64::NAN } else { 0.0 };
    }
    inc_beta(df / (df + t * t), df / 2.0, 0.5)
}

/// Complementary error function (W. J. Cody's rational approximations; ~1e-16 relative).
pub fn erfc(x: f64) -> f64 {
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x < 0.5 {
        return 1.0 - erf_small(x);
    }
    // erfc(x) = Q(x*sqrt2)*2 via the continued fraction of the upper incomplete gamma:
    // erfc(x) = Γ(1/2, x²)/√π.
    upper_gamma_half(x * x) / std::f64::consts::PI.sqrt()
}

fn erf_small(x: f64) -> f64 {
    // Maclaurin series, converges fast for |x| < 0.5.
    let mut sum = x;
    let mut term = x;
    let x2 = x * x;
    for n in 1..60 {
        term *= -x2 / n as f64;
        let add = term / (2 * n + 1) as f64;
        sum += add;
        if add.abs() < 1e-17 * sum.abs() {
            break;
        }
    }
    sum * 2.0 / std::f64::consts::PI.sqrt()
}

/// Γ(1/2, z) by Lentz's continued fraction (z ≥ 0.25).
fn upper_gamma_half(z: f64) -> f64 {
    let a = 0.5;
    let tiny = 1e-300;
    let mut b = z + 1.0 - a;
    let mut c = 1.0 / tiny;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..10_000 {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < tiny {
            d = tiny;
        }
        c = b + an / c;
        if c.abs() < tiny {
            c = tiny;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-16 {
            break;
        }
    }
    (-z + a * z.ln()).exp() * h
}

/// Two-sided p-value of a standard normal statistic.
pub fn z_pvalue(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn ln_gamma_known_values() {
        assert!(close(ln_gamma(1.0), 0.0_f64.max(1e-300), 1.0) || ln_gamma(1.0).abs() < 1e-14);
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-13);
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-13);
        // ln(100!) = 363.73937555556347
        assert!(close(ln_gamma(101.0), 363.739_375_555_563_47, 1e-14));
        // Stirling check for a large argument: ln Γ(1e9+1) = ln(1e9!)
        let x: f64 = 1e9;
        let stirling =
            x * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI * x).ln() + 1.0 / (12.0 * x);
        assert!(close(ln_gamma(x + 1.0), stirling, 1e-14));
    }

    #[test]
    fn normal_and_t_pvalues() {
        // 2 * (1 - Phi(1.96)) = 0.04999579...
        assert!(close(z_pvalue(1.96), 0.049_995_790_296_341_6, 1e-10));
        assert!(close(z_pvalue(0.1), 0.920_344_325_445_942, 1e-10));
        assert!(close(z_pvalue(6.0), 1.973_175_290_075_6e-9, 1e-8));
        // qt(0.975, 10) = 2.228138851986; qt(0.995, 14) = 2.976842734
        assert!(close(t_pvalue(2.228_138_851_986, 10.0), 0.05, 1e-9));
        assert!(close(t_pvalue(2.976_842_734_370_834, 14.0), 0.01, 1e-8));
        // t with 1 df is Cauchy: p = 1 - 2 atan(t)/pi
        let t: f64 = 3.0;
        assert!(close(
            t_pvalue(t, 1.0),
            1.0 - 2.0 * t.atan() / std::f64::consts::PI,
            1e-12
        ));
        assert!(close(t_pvalue(0.0, 5.0), 1.0, 1e-14));
    }

    #[test]
    fn cholesky_solves_and_inverts() {
        let a = [4.0, 2.0, 0.6, 2.0, 5.0, 1.0, 0.6, 1.0, 3.0];
        let l = cholesky(&a, 3, 1e-12).unwrap();
        let x = chol_solve(&l, 3, &[1.0, 2.0, 3.0]);
        for i in 0..3 {
            let r: f64 = (0..3).map(|j| a[i * 3 + j] * x[j]).sum();
            assert!((r - [1.0, 2.0, 3.0][i]).abs() < 1e-12);
        }
        let inv = chol_inverse(&l, 3);
        let id = matmul(&a, &inv, 3);
        for i in 0..3 {
            for j in 0..3 {
                assert!((id[i * 3 + j] - if i == j { 1.0 } else { 0.0 }).abs() < 1e-12);
            }
        }
        assert_eq!(cholesky(&[1.0, 1.0, 1.0, 1.0], 2, 1e-10), Err(1));
    }

    #[test]
    fn jacobi_eigen() {
        let a = [2.0, 1.0, 1.0, 2.0];
        let (mut vals, _) = sym_eigen(&a, 2);
        vals.sort_by(f64::total_cmp);
        assert!((vals[0] - 1.0).abs() < 1e-12 && (vals[1] - 3.0).abs() < 1e-12);
    }
}
