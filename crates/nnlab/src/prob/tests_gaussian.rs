//! Tests of the Gaussian KL: the 1-D formula, KL(P‖P) = 0, additivity over independent blocks,
//! Cholesky errors, and a Monte Carlo estimate of E_{P0}[ln p0 − ln p1].

use rand::SeedableRng;
use rand::rngs::StdRng;

use super::ProbError;
use super::gaussian::{Gaussian, cholesky, kl_gaussian, kl_univariate_normal};

/// A 3 × 3 symmetric positive-definite covariance with correlations.
const SIGMA0: [f64; 9] = [2.0, 0.6, -0.3, 0.6, 1.0, 0.2, -0.3, 0.2, 0.5];
const SIGMA1: [f64; 9] = [1.5, -0.4, 0.1, -0.4, 2.0, 0.5, 0.1, 0.5, 1.2];

/// The block-diagonal matrix diag(A, B) of an m × m and an r × r block, row-major.
fn block_diagonal(a: &[f64], m: usize, b: &[f64], r: usize) -> Vec<f64> {
    let n = m + r;
    let mut out = vec![0.0; n * n];
    for i in 0..m {
        out[i * n..i * n + m].copy_from_slice(&a[i * m..(i + 1) * m]);
    }
    for i in 0..r {
        out[(m + i) * n + m..(m + i + 1) * n].copy_from_slice(&b[i * r..(i + 1) * r]);
    }
    out
}

#[test]
fn cholesky_reproduces_the_matrix() {
    let l = cholesky(&SIGMA0, 3).unwrap();
    for i in 0..3 {
        for j in 0..3 {
            let llt: f64 = (0..3).map(|k| l[i * 3 + k] * l[j * 3 + k]).sum();
            assert!((llt - SIGMA0[i * 3 + j]).abs() < 1e-14);
            if j > i {
                assert_eq!(l[i * 3 + j], 0.0);
            }
        }
    }
}

#[test]
fn invalid_covariances_are_rejected() {
    let indefinite = [1.0, 2.0, 2.0, 1.0];
    assert!(matches!(
        cholesky(&indefinite, 2),
        Err(ProbError::NotPositiveDefinite { index: 1, .. })
    ));
    assert!(matches!(
        cholesky(&[1.0, 0.5, 0.4, 1.0], 2),
        Err(ProbError::NotSymmetric { row: 1, col: 0 })
    ));
    assert!(matches!(
        cholesky(&[1.0, 0.0, 0.0], 2),
        Err(ProbError::DimensionMismatch { .. })
    ));
    assert!(Gaussian::new(&[0.0, 0.0], &[0.0, 0.0, 0.0, 1.0]).is_err());
    let p = Gaussian::new(&[0.0], &[1.0]).unwrap();
    let q = Gaussian::new(&[0.0, 0.0], &[1.0, 0.0, 0.0, 1.0]).unwrap();
    assert!(matches!(
        kl_gaussian(&p, &q),
        Err(ProbError::DimensionMismatch { .. })
    ));
}

#[test]
fn one_dimensional_case_matches_the_scalar_formula() {
    for (m0, s0, m1, s1) in [
        (0.0, 1.0, 1.0, 1.5),
        (-2.0, 0.3, 0.5, 2.0),
        (1.0, 2.0, 1.0, 2.0),
    ] {
        let p = Gaussian::new(&[m0], &[s0 * s0]).unwrap();
        let q = Gaussian::new(&[m1], &[s1 * s1]).unwrap();
        let exact = kl_univariate_normal(m0, s0, m1, s1);
        assert!((kl_gaussian(&p, &q).unwrap() - exact).abs() < 1e-14);
    }
    // KL(N(0, 1) ‖ N(1, 1)) = ½.
    assert!((kl_univariate_normal(0.0, 1.0, 1.0, 1.0) - 0.5).abs() < 1e-15);
}

#[test]
fn kl_of_a_gaussian_with_itself_is_zero() {
    let p = Gaussian::new(&[1.0, -2.0, 0.5], &SIGMA0).unwrap();
    assert!(kl_gaussian(&p, &p).unwrap().abs() < 1e-14);
    let q = Gaussian::new(&[1.0, -2.0, 0.5], &SIGMA1).unwrap();
    assert!(kl_gaussian(&p, &q).unwrap() > 0.0);
}

#[test]
fn kl_is_additive_over_independent_blocks() {
    let (a0, a1) = ([2.0, 0.7, 0.7, 1.0], [1.0, -0.2, -0.2, 0.6]);
    let (b0, b1) = (&SIGMA0, &SIGMA1);
    let (ma0, ma1, mb0, mb1) = ([0.5, -1.0], [0.0, 1.0], [1.0, 2.0, 3.0], [0.0, 2.5, 2.0]);
    let part_a = kl_gaussian(
        &Gaussian::new(&ma0, &a0).unwrap(),
        &Gaussian::new(&ma1, &a1).unwrap(),
    )
    .unwrap();
    let part_b = kl_gaussian(
        &Gaussian::new(&mb0, b0).unwrap(),
        &Gaussian::new(&mb1, b1).unwrap(),
    )
    .unwrap();
    let joint = |m: &[f64], n: &[f64], a: &[f64], b: &[f64]| {
        Gaussian::new(&[m, n].concat(), &block_diagonal(a, 2, b, 3)).unwrap()
    };
    let whole = kl_gaussian(&joint(&ma0, &mb0, &a0, b0), &joint(&ma1, &mb1, &a1, b1)).unwrap();
    assert!(
        (whole - (part_a + part_b)).abs() < 1e-10,
        "{whole} vs {part_a} + {part_b}"
    );
}

#[test]
fn monte_carlo_log_ratio_matches_closed_form() {
    // KL = E_{x~P0}[ln p0(x) − ln p1(x)]: the sample mean of the log-ratio over n = 200 000 seeded
    // draws, with standard error s/√n from the sample standard deviation s, must land within
    // 4 standard errors of the closed form.
    let p0 = Gaussian::new(&[0.5, -1.0, 0.0], &SIGMA0).unwrap();
    let p1 = Gaussian::new(&[0.0, 0.0, 1.0], &SIGMA1).unwrap();
    let exact = kl_gaussian(&p0, &p1).unwrap();
    let mut rng = StdRng::seed_from_u64(20);
    let n = 200_000;
    let (mut sum, mut sum_sq) = (0.0, 0.0);
    for _ in 0..n {
        let x = p0.sample(&mut rng);
        let r = p0.log_density(&x) - p1.log_density(&x);
        sum += r;
        sum_sq += r * r;
    }
    let mean = sum / n as f64;
    let variance = (sum_sq - n as f64 * mean * mean) / (n - 1) as f64;
    let standard_error = (variance / n as f64).sqrt();
    assert!(
        (mean - exact).abs() < 4.0 * standard_error,
        "Monte Carlo {mean} ± {standard_error} vs closed form {exact}"
    );
}

#[test]
fn samples_have_the_requested_mean_and_covariance() {
    let mean = [0.5, -1.0, 0.0];
    let p = Gaussian::new(&mean, &SIGMA0).unwrap();
    let mut rng = StdRng::seed_from_u64(21);
    let n = 100_000;
    let xs: Vec<Vec<f64>> = (0..n).map(|_| p.sample(&mut rng)).collect();
    for i in 0..3 {
        let mi: f64 = xs.iter().map(|x| x[i]).sum::<f64>() / n as f64;
        // 5 standard errors of a mean with variance at most 2.
        assert!((mi - mean[i]).abs() < 5.0 * (2.0 / n as f64).sqrt());
        for j in 0..3 {
            let cij: f64 = xs
                .iter()
                .map(|x| (x[i] - mean[i]) * (x[j] - mean[j]))
                .sum::<f64>()
                / n as f64;
            assert!(
                (cij - SIGMA0[i * 3 + j]).abs() < 0.05,
                "Σ[{i}][{j}] ≈ {cij}"
            );
        }
    }
}
