//! Probability on the real line and in R^k, in plain `f64` scalar code: sampling by the
//! generalized inverse transform, f-divergences between discrete distributions and 1-D densities,
//! and the closed-form Kullback–Leibler divergence between multivariate Gaussians.
//!
//! ```
//! use nnlab::prob::{FDivergence, InverseCdf, StepCdf};
//! let die = StepCdf::new(&[1.0, 2.0, 3.0], &[0.5, 0.25, 0.25]).unwrap();
//! assert_eq!(die.quantile(0.6), 2.0);
//! let kl = FDivergence::KullbackLeibler.discrete(&[0.5, 0.5], &[0.25, 0.75]).unwrap();
//! assert!((kl - (0.5 * 2f64.ln() + 0.5 * (2.0f64 / 3.0).ln())).abs() < 1e-15);
//! ```
//!
//! Files: `sampling` (inverse-transform sampling from function, piecewise-linear and step CDFs),
//! `divergence` (f-divergences, discrete and by Simpson quadrature), `gaussian` (Cholesky,
//! Gaussian log-densities, sampling and KL).

pub mod checks;
pub mod divergence;
pub mod fit;
pub mod gaussian;
pub mod named;
pub mod quadrature;
pub mod sampling;

#[cfg(test)]
mod tests_divergence;
#[cfg(test)]
mod tests_gaussian;
#[cfg(test)]
mod tests_sampling;

pub use divergence::FDivergence;
pub use fit::{Direction, FitConfig, GaussianMixture, fit_gaussian};
pub use gaussian::{Gaussian, cholesky, fill_standard_normal, kl_gaussian, kl_univariate_normal};
pub use named::{Cdf, CdfParseError, ks_distance};
pub use sampling::{FnCdf, InverseCdf, PiecewiseLinearCdf, StepCdf};

/// Checks `min ≤ value ≤ max` for a count setting named `field`.
pub fn check_count(
    field: &'static str,
    value: usize,
    min: usize,
    max: usize,
) -> Result<(), ProbError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(ProbError::Setting {
            field,
            message: format!("{value} is outside the accepted range {min} ..= {max}"),
        })
    }
}

/// Everything that can go wrong when building distributions or evaluating divergences.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProbError {
    /// No points, values or probabilities were given.
    #[error("{0}: nothing given")]
    Empty(&'static str),
    /// Two lists that must pair up have different lengths.
    #[error("{what}: lengths differ ({left} vs {right})")]
    LengthMismatch {
        what: &'static str,
        left: usize,
        right: usize,
    },
    /// A NaN or infinite entry.
    #[error("{what}: entry {index} is not finite ({value})")]
    NotFinite {
        what: &'static str,
        index: usize,
        value: f64,
    },
    /// A probability or CDF value outside [0, 1].
    #[error("{what}: entry {index} = {value} lies outside [0, 1]")]
    OutOfUnitInterval {
        what: &'static str,
        index: usize,
        value: f64,
    },
    /// A sequence that must be nondecreasing decreases at `index`.
    #[error("{what}: entry {index} decreases ({previous} then {value})")]
    Decreasing {
        what: &'static str,
        index: usize,
        previous: f64,
        value: f64,
    },
    /// Support values of a discrete distribution that are not strictly increasing.
    #[error("{what}: entry {index} is not strictly greater than the one before")]
    NotStrictlyIncreasing { what: &'static str, index: usize },
    /// A piecewise-linear CDF that does not start at 0 and end at 1.
    #[error("a CDF must start at F = 0 and end at F = 1 (got first {first}, last {last})")]
    BadEnds { first: f64, last: f64 },
    /// Probabilities that do not sum to 1.
    #[error("{what}: probabilities sum to {sum}, not 1")]
    NotNormalized { what: &'static str, sum: f64 },
    /// A negative probability or density value.
    #[error("{what}: entry {index} = {value} is negative")]
    Negative {
        what: &'static str,
        index: usize,
        value: f64,
    },
    /// An interval [lo, hi] that is not finite with lo < hi.
    #[error("interval [{lo}, {hi}] must be finite with lo < hi")]
    BadInterval { lo: f64, hi: f64 },
    /// A tolerance or subdivision count that is not positive.
    #[error("{what} must be positive and finite (got {value})")]
    NotPositive { what: &'static str, value: f64 },
    /// A function CDF whose values at the bracket ends are not ordered probabilities.
    #[error("F(lo) = {f_lo} and F(hi) = {f_hi} must satisfy 0 <= F(lo) <= F(hi) <= 1")]
    BadBracket { f_lo: f64, f_hi: f64 },
    /// A matrix that is not symmetric.
    #[error("matrix is not symmetric: entries ({row}, {col}) and ({col}, {row}) differ")]
    NotSymmetric { row: usize, col: usize },
    /// Cholesky factorization met a non-positive pivot.
    #[error("matrix is not positive definite (pivot {index} = {pivot})")]
    NotPositiveDefinite { index: usize, pivot: f64 },
    /// A setting outside its documented range; `field` names the setting (a config field
    /// or parameter name), so a front end can point at the option that set it.
    #[error("{field}: {message}")]
    Setting {
        field: &'static str,
        message: String,
    },
    /// An iterative fit left the finite numbers (too large a learning rate, typically).
    #[error("the fit diverged at step {step}: {what} is not finite; lower the learning rate (lr)")]
    Diverged { step: usize, what: &'static str },
    /// Vectors or matrices of incompatible dimensions.
    #[error("{what}: expected dimension {expected}, got {got}")]
    DimensionMismatch {
        what: &'static str,
        expected: usize,
        got: usize,
    },
}

/// Checks that every entry is finite, reporting the first offender.
fn check_finite(what: &'static str, values: &[f64]) -> Result<(), ProbError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(ProbError::NotFinite {
            what,
            index,
            value: values[index],
        }),
        None => Ok(()),
    }
}

/// Checks that a sequence is nondecreasing, reporting the first decrease.
fn check_nondecreasing(what: &'static str, values: &[f64]) -> Result<(), ProbError> {
    match values.windows(2).position(|w| w[1] < w[0]) {
        Some(i) => Err(ProbError::Decreasing {
            what,
            index: i + 1,
            previous: values[i],
            value: values[i + 1],
        }),
        None => Ok(()),
    }
}

/// Checks that `p` is a probability vector: finite, nonnegative entries summing to 1 within
/// `1e-9`.
fn check_probabilities(what: &'static str, p: &[f64]) -> Result<(), ProbError> {
    if p.is_empty() {
        return Err(ProbError::Empty(what));
    }
    check_finite(what, p)?;
    if let Some(index) = p.iter().position(|&v| v < 0.0) {
        return Err(ProbError::Negative {
            what,
            index,
            value: p[index],
        });
    }
    let sum: f64 = p.iter().sum();
    if (sum - 1.0).abs() > 1e-9 {
        return Err(ProbError::NotNormalized { what, sum });
    }
    Ok(())
}
