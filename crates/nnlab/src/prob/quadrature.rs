//! Quadrature on an interval: composite Simpson nodes and weights, shared by the divergences of
//! densities and the Gaussian fits.

use super::ProbError;

/// Composite Simpson nodes and weights on [lo, hi] with `intervals` (rounded up to even).
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub nodes: Vec<f64>,
    pub weights: Vec<f64>,
}

impl Grid {
    /// Simpson's rule (h/3)[1, 4, 2, 4, …, 4, 1], h = (hi − lo)/n.
    pub fn simpson(lo: f64, hi: f64, intervals: usize) -> Result<Self, ProbError> {
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(ProbError::BadInterval { lo, hi });
        }
        if intervals == 0 {
            return Err(ProbError::NotPositive {
                what: "number of Simpson intervals",
                value: 0.0,
            });
        }
        let n = intervals + intervals % 2;
        let h = (hi - lo) / n as f64;
        let nodes = (0..=n)
            .map(|i| if i == n { hi } else { lo + i as f64 * h })
            .collect();
        let weights = (0..=n)
            .map(|i| match i {
                0 => h / 3.0,
                i if i == n => h / 3.0,
                i if i % 2 == 1 => 4.0 * h / 3.0,
                _ => 2.0 * h / 3.0,
            })
            .collect();
        Ok(Self { nodes, weights })
    }
}
