//! Multivariate Gaussians N(μ, Σ) with full covariance, through the Cholesky factor Σ = L Lᵀ
//! (never an explicit inverse): log-densities, sampling, and the closed-form KL divergence.
//!
//! Matrices are dense, row-major `Vec<f64>` of size n × n.

use std::f64::consts::PI;

use rand::Rng;

use super::{ProbError, check_finite};

/// The lower-triangular Cholesky factor L of a symmetric positive-definite A = L Lᵀ (row-major
/// n × n), by l_jj = √(a_jj − Σ_{k<j} l_jk²) and l_ij = (a_ij − Σ_{k<j} l_ik l_jk) / l_jj for i > j.
///
/// Errors if `a` is not n × n, not finite, not symmetric (relative tolerance 1e-12), or a pivot
/// is not positive (A not positive definite).
pub fn cholesky(a: &[f64], n: usize) -> Result<Vec<f64>, ProbError> {
    if a.len() != n * n {
        return Err(ProbError::DimensionMismatch {
            what: "matrix entries (n × n)",
            expected: n * n,
            got: a.len(),
        });
    }
    check_finite("matrix", a)?;
    for i in 0..n {
        for j in 0..i {
            let (x, y) = (a[i * n + j], a[j * n + i]);
            if (x - y).abs() > 1e-12 * x.abs().max(y.abs()) {
                return Err(ProbError::NotSymmetric { row: i, col: j });
            }
        }
    }
    let mut l = vec![0.0_f64; n * n];
    for j in 0..n {
        let pivot = a[j * n + j] - (0..j).map(|k| l[j * n + k].powi(2)).sum::<f64>();
        if pivot.is_nan() || pivot <= 0.0 {
            return Err(ProbError::NotPositiveDefinite { index: j, pivot });
        }
        let ljj = pivot.sqrt();
        l[j * n + j] = ljj;
        for i in j + 1..n {
            let s = a[i * n + j] - (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum::<f64>();
            l[i * n + j] = s / ljj;
        }
    }
    Ok(l)
}

/// Solves L y = b in place by forward substitution, y_i = (b_i − Σ_{k<i} l_ik y_k) / l_ii.
fn forward_substitute(l: &[f64], n: usize, b: &mut [f64]) {
    for i in 0..n {
        let s: f64 = (0..i).map(|k| l[i * n + k] * b[k]).sum();
        b[i] = (b[i] - s) / l[i * n + i];
    }
}

/// ln det Σ = 2 Σ_i ln l_ii for Σ = L Lᵀ.
fn log_det(l: &[f64], n: usize) -> f64 {
    2.0 * (0..n).map(|i| l[i * n + i].ln()).sum::<f64>()
}

/// A k-dimensional Gaussian N(μ, Σ), stored with the Cholesky factor of Σ.
#[derive(Debug, Clone, PartialEq)]
pub struct Gaussian {
    mean: Vec<f64>,
    chol: Vec<f64>,
}

impl Gaussian {
    /// Builds N(μ, Σ) from a mean of length k and a row-major k × k covariance; errors if Σ is
    /// not symmetric positive definite.
    pub fn new(mean: &[f64], covariance: &[f64]) -> Result<Self, ProbError> {
        check_finite("mean", mean)?;
        let chol = cholesky(covariance, mean.len())?;
        Ok(Self {
            mean: mean.to_vec(),
            chol,
        })
    }

    /// The dimension k.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// The mean μ.
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// The lower-triangular Cholesky factor L of Σ, row-major.
    pub fn cholesky_factor(&self) -> &[f64] {
        &self.chol
    }

    /// ln p(x) = −½[k ln 2π + ln det Σ + ‖L⁻¹(x − μ)‖²].
    ///
    /// # Panics
    /// If `x` does not have length k.
    pub fn log_density(&self, x: &[f64]) -> f64 {
        let k = self.dim();
        assert_eq!(x.len(), k, "point of the wrong dimension");
        let mut y: Vec<f64> = x.iter().zip(&self.mean).map(|(xi, mi)| xi - mi).collect();
        forward_substitute(&self.chol, k, &mut y);
        let mahalanobis: f64 = y.iter().map(|v| v * v).sum();
        -0.5 * (k as f64 * (2.0 * PI).ln() + log_det(&self.chol, k) + mahalanobis)
    }

    /// Draws x = μ + L z with z a vector of independent standard normals (Box–Muller).
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Vec<f64> {
        let k = self.dim();
        let mut z = vec![0.0; k];
        fill_standard_normal(rng, &mut z);
        (0..k)
            .map(|i| self.mean[i] + (0..=i).map(|j| self.chol[i * k + j] * z[j]).sum::<f64>())
            .collect()
    }
}

/// Fills `out` with independent standard normals by the Box–Muller transform: for U1 in (0, 1]
/// and U2 in [0, 1), √(−2 ln U1) cos(2π U2) and √(−2 ln U1) sin(2π U2) are independent N(0, 1).
pub fn fill_standard_normal<R: Rng + ?Sized>(rng: &mut R, out: &mut [f64]) {
    for pair in out.chunks_mut(2) {
        let u1 = 1.0 - rng.random::<f64>();
        let u2 = rng.random::<f64>();
        let r = (-2.0 * u1.ln()).sqrt();
        let (s, c) = (2.0 * PI * u2).sin_cos();
        pair[0] = r * c;
        if let Some(second) = pair.get_mut(1) {
            *second = r * s;
        }
    }
}

/// KL(N(μ0, Σ0) ‖ N(μ1, Σ1)) = ½[tr(Σ1⁻¹Σ0) + (μ1 − μ0)ᵀ Σ1⁻¹ (μ1 − μ0) − k + ln det Σ1 − ln det Σ0].
///
/// With Σ0 = L0 L0ᵀ and Σ1 = L1 L1ᵀ: tr(Σ1⁻¹Σ0) = ‖L1⁻¹L0‖_F² and the quadratic form is ‖L1⁻¹(μ1 − μ0)‖²,
/// both by forward substitution; ln det Σ = 2 Σ ln l_ii. Errors if the dimensions differ.
pub fn kl_gaussian(p0: &Gaussian, p1: &Gaussian) -> Result<f64, ProbError> {
    let k = p0.dim();
    if p1.dim() != k {
        return Err(ProbError::DimensionMismatch {
            what: "second Gaussian",
            expected: k,
            got: p1.dim(),
        });
    }
    let (l0, l1) = (&p0.chol, &p1.chol);
    let mut trace = 0.0;
    let mut column = vec![0.0; k];
    for j in 0..k {
        column
            .iter_mut()
            .enumerate()
            .for_each(|(i, c)| *c = l0[i * k + j]);
        forward_substitute(l1, k, &mut column);
        trace += column.iter().map(|v| v * v).sum::<f64>();
    }
    let mut d: Vec<f64> = p1
        .mean
        .iter()
        .zip(&p0.mean)
        .map(|(m1, m0)| m1 - m0)
        .collect();
    forward_substitute(l1, k, &mut d);
    let quadratic: f64 = d.iter().map(|v| v * v).sum();
    Ok(0.5 * (trace + quadratic - k as f64 + log_det(l1, k) - log_det(l0, k)))
}

/// The 1-D case: KL(N(μ0, σ0²) ‖ N(μ1, σ1²)) = ln(σ1/σ0) + (σ0² + (μ0 − μ1)²)/(2σ1²) − ½,
/// for standard deviations σ0, σ1 > 0.
pub fn kl_univariate_normal(mu0: f64, sigma0: f64, mu1: f64, sigma1: f64) -> f64 {
    (sigma1 / sigma0).ln() + (sigma0 * sigma0 + (mu0 - mu1).powi(2)) / (2.0 * sigma1 * sigma1) - 0.5
}
