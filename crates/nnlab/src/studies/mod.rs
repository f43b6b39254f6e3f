//! Optimization studies: small experiments whose outcome theory predicts, each measured next to
//! its prediction.
//!
//! - [`noise`]: instance noise on the inputs of least squares is ridge regression; the step-size
//!   bound of the scalar gradient-descent recurrence.
//! - [`quadratic`]: gradient descent, heavy-ball and Nesterov momentum on quadratics of condition
//!   number κ, measured contraction rates against (κ−1)/(κ+1), (√κ−1)/(√κ+1) and 1 − 1/√κ.
//! - [`autoencoder`]: the hand-derived gradients of J(W₁, W₂) = Σ‖W₂σ(W₁x) − x‖², and plain SGD
//!   against momentum on it.
//! - [`leak`]: augmenting before the train/validation split inflates validation accuracy.
//! - [`init`]: zeros, Xavier and He initialization of a deep MLP: activation variance and
//!   gradient norms by depth at initialization, the symmetry of zeros, accuracy by epoch.
//!
//! The mathematics is plain `f64` where the problems are small; the classifiers of [`leak`] and
//! the MLP of [`init`] train with Burn. Each study exposes `check_*` functions returning measured errors; [`checks`]
//! holds the proof-sheet rows of the noise and quadratic studies.

pub mod autoencoder;
pub mod checks;
pub mod init;
pub mod leak;
pub mod noise;
pub mod quadratic;

use rand::rngs::StdRng;

/// The mean and its standard error s/√n (s the sample standard deviation) of `xs`; (NaN, NaN)
/// for fewer than two values.
pub fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    if xs.len() < 2 {
        return (f64::NAN, f64::NAN);
    }
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Solves A x = b for symmetric positive-definite A (row-major n × n) through A = L Lᵀ: forward
/// substitution L z = b, then back substitution Lᵀ x = z. `None` if A is not positive definite.
pub fn solve_spd(a: &[f64], b: &[f64], n: usize) -> Option<Vec<f64>> {
    let l = crate::prob::cholesky(a, n).ok()?;
    let mut z = vec![0.0; n];
    for i in 0..n {
        z[i] = (b[i] - (0..i).map(|k| l[i * n + k] * z[k]).sum::<f64>()) / l[i * n + i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        x[i] = (z[i] - (i + 1..n).map(|k| l[k * n + i] * x[k]).sum::<f64>()) / l[i * n + i];
    }
    Some(x)
}

/// The Euclidean distance ‖a − b‖.
pub fn distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        .sqrt()
}

/// `n` independent standard normals from `rng`.
pub fn normals(rng: &mut StdRng, n: usize) -> Vec<f64> {
    let mut v = vec![0.0; n];
    crate::prob::fill_standard_normal(rng, &mut v);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solve_spd_inverts_the_product() {
        // A = [[4, 1], [1, 3]], x = (1, −2): b = A x = (2, −5); exact up to rounding (1e-12).
        let a = [4.0, 1.0, 1.0, 3.0];
        let x = solve_spd(&a, &[2.0, -5.0], 2).unwrap();
        assert!(distance(&x, &[1.0, -2.0]) < 1e-12, "{x:?}");
        assert!(solve_spd(&[1.0, 2.0, 2.0, 1.0], &[1.0, 1.0], 2).is_none());
    }

    #[test]
    fn mean_se_of_known_values() {
        // 1, 2, 3: mean 2, s² = 1, se = 1/√3 exactly.
        let (m, se) = mean_se(&[1.0, 2.0, 3.0]);
        assert_eq!(m, 2.0);
        assert!((se - 1.0 / 3f64.sqrt()).abs() < 1e-15);
        assert!(mean_se(&[1.0]).0.is_nan());
    }
}
