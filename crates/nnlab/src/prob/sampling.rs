//! Generalized inverse-transform sampling: if U is uniform on [0, 1) and
//! G(u) = inf{x : u < F(x)}, then G(U) has CDF F, for every CDF F (continuous, discrete or mixed).
//!
//! Three ways to give F: a function with a bracketing interval ([`FnCdf`], bisection), points of
//! a piecewise-linear CDF that may have vertical jumps and flat parts ([`PiecewiseLinearCdf`]),
//! and the step CDF of a discrete distribution ([`StepCdf`]).

use rand::Rng;

use super::{ProbError, check_finite, check_nondecreasing, check_probabilities};

/// A distribution on the real line that can be sampled by the inverse transform.
pub trait InverseCdf {
    /// The generalized inverse G(u) = inf{x : u < F(x)} for u in [0, 1).
    ///
    /// The strict `<` makes G right-continuous: at an atom (F jumps from a to b at x0) G(u) = x0
    /// for all u in [a, b); on a flat part (F = c on [a, b]) G(c) = b while G(c - ε) <= a. G(0) is
    /// the left end of the support. At u = 1 (where the infimum is over an empty set) G returns
    /// its left limit, the smallest x with F(x) = 1.
    fn quantile(&self, u: f64) -> f64;

    /// The CDF F(x) = P(X <= x).
    fn cdf(&self, x: f64) -> f64;

    /// Draws G(U) with U uniform on [0, 1) from `rng`.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64
    where
        Self: Sized,
    {
        self.quantile(rng.random::<f64>())
    }
}

/// A CDF given as a function, with a bracket [lo, hi] holding the support (F(x) = 0 for x < lo).
///
/// The quantile is found by bisection on the monotone predicate u < F(x) down to an interval of
/// width `tol`; its right end is returned, so the result is within `tol` above G(u). Results are
/// clamped to [lo, hi]: G(u) = lo when u < F(lo), and hi when u >= F(hi).
pub struct FnCdf<F: Fn(f64) -> f64> {
    cdf: F,
    lo: f64,
    hi: f64,
    tol: f64,
}

impl<F: Fn(f64) -> f64> FnCdf<F> {
    /// Checks that lo < hi are finite, `tol` is positive and 0 <= F(lo) <= F(hi) <= 1.
    pub fn new(cdf: F, lo: f64, hi: f64, tol: f64) -> Result<Self, ProbError> {
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(ProbError::BadInterval { lo, hi });
        }
        if !(tol.is_finite() && tol > 0.0) {
            return Err(ProbError::NotPositive {
                what: "bisection tolerance",
                value: tol,
            });
        }
        let (f_lo, f_hi) = (cdf(lo), cdf(hi));
        if !(0.0 <= f_lo && f_lo <= f_hi && f_hi <= 1.0) {
            return Err(ProbError::BadBracket { f_lo, f_hi });
        }
        Ok(Self { cdf, lo, hi, tol })
    }
}

impl<F: Fn(f64) -> f64> InverseCdf for FnCdf<F> {
    fn quantile(&self, u: f64) -> f64 {
        let f = &self.cdf;
        if u < f(self.lo) {
            return self.lo;
        }
        if u >= 1.0 {
            // The left limit of G at 1: the smallest x with F(x) = 1 (or hi).
            return bisect(|x| 1.0 <= f(x), self.lo, self.hi, self.tol);
        }
        bisect(|x| u < f(x), self.lo, self.hi, self.tol)
    }

    fn cdf(&self, x: f64) -> f64 {
        (self.cdf)(x)
    }
}

/// The smallest x in (lo, hi] where the monotone predicate holds, to within `tol` above; `hi` if
/// it never holds. Assumes the predicate is false at `lo`.
fn bisect(holds: impl Fn(f64) -> bool, mut lo: f64, mut hi: f64, tol: f64) -> f64 {
    // 200 halvings exhaust f64 precision for any finite bracket.
    for _ in 0..200 {
        if hi - lo <= tol {
            break;
        }
        let mid = lo + 0.5 * (hi - lo);
        if mid <= lo || mid >= hi {
            break;
        }
        if holds(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// A CDF that is linear between consecutive points (x_i, F_i).
///
/// Both coordinates are nondecreasing, F starts at 0 and ends at 1. Two points with the same x
/// make a vertical jump (an atom of mass F_{i+1} - F_i); two points with the same F make a flat
/// part. F is right-continuous: at a repeated x it takes the last (largest) F; F = 0 left of x_0
/// and 1 right of the last point.
#[derive(Debug, Clone, PartialEq)]
pub struct PiecewiseLinearCdf {
    xs: Vec<f64>,
    fs: Vec<f64>,
}

impl PiecewiseLinearCdf {
    /// Validates the points: nonempty, equal lengths, finite, nondecreasing, F in [0, 1],
    /// F_0 = 0 and F_last = 1.
    pub fn new(xs: &[f64], fs: &[f64]) -> Result<Self, ProbError> {
        if xs.is_empty() {
            return Err(ProbError::Empty("CDF points"));
        }
        if xs.len() != fs.len() {
            return Err(ProbError::LengthMismatch {
                what: "CDF points (x, F)",
                left: xs.len(),
                right: fs.len(),
            });
        }
        check_finite("CDF x coordinates", xs)?;
        check_finite("CDF values", fs)?;
        if let Some(index) = fs.iter().position(|f| !(0.0..=1.0).contains(f)) {
            return Err(ProbError::OutOfUnitInterval {
                what: "CDF values",
                index,
                value: fs[index],
            });
        }
        check_nondecreasing("CDF x coordinates", xs)?;
        check_nondecreasing("CDF values", fs)?;
        let (first, last) = (fs[0], fs[fs.len() - 1]);
        if first != 0.0 || last != 1.0 {
            return Err(ProbError::BadEnds { first, last });
        }
        Ok(Self {
            xs: xs.to_vec(),
            fs: fs.to_vec(),
        })
    }

    /// The step CDF of a discrete distribution as a piecewise-linear CDF with vertical jumps.
    pub fn from_discrete(step: &StepCdf) -> Self {
        let mut xs = Vec::with_capacity(2 * step.values.len());
        let mut fs = Vec::with_capacity(2 * step.values.len());
        let mut below = 0.0;
        for (&x, &c) in step.values.iter().zip(&step.cumulative) {
            xs.extend([x, x]);
            fs.extend([below, c]);
            below = c;
        }
        Self { xs, fs }
    }
}

impl InverseCdf for PiecewiseLinearCdf {
    fn quantile(&self, u: f64) -> f64 {
        let (xs, fs) = (&self.xs, &self.fs);
        let u = u.max(0.0);
        if u >= 1.0 {
            return xs[fs.partition_point(|&f| f < 1.0)];
        }
        // j: the first point with u < F_j; F_{j-1} <= u because F_0 = 0 <= u.
        let j = fs.partition_point(|&f| f <= u);
        let (x0, x1, f0, f1) = (xs[j - 1], xs[j], fs[j - 1], fs[j]);
        if x0 == x1 {
            x1
        } else {
            x0 + (u - f0) / (f1 - f0) * (x1 - x0)
        }
    }

    fn cdf(&self, x: f64) -> f64 {
        let (xs, fs) = (&self.xs, &self.fs);
        // j: the first point with x < x_j.
        let j = xs.partition_point(|&xi| xi <= x);
        if j == 0 {
            0.0
        } else if j == xs.len() {
            1.0
        } else {
            let (x0, x1, f0, f1) = (xs[j - 1], xs[j], fs[j - 1], fs[j]);
            f0 + (x - x0) / (x1 - x0) * (f1 - f0)
        }
    }
}

/// The step CDF F(x) = Σ_{v_i <= x} p_i of a discrete distribution on values v_1 < … < v_m.
#[derive(Debug, Clone, PartialEq)]
pub struct StepCdf {
    values: Vec<f64>,
    probabilities: Vec<f64>,
    /// C_i = p_1 + … + p_i, with C_m set to exactly 1.
    cumulative: Vec<f64>,
}

impl StepCdf {
    /// Validates strictly increasing finite values and probabilities that are nonnegative and sum
    /// to 1 within 1e-9.
    pub fn new(values: &[f64], probabilities: &[f64]) -> Result<Self, ProbError> {
        if values.len() != probabilities.len() {
            return Err(ProbError::LengthMismatch {
                what: "values and probabilities",
                left: values.len(),
                right: probabilities.len(),
            });
        }
        check_probabilities("probabilities", probabilities)?;
        check_finite("values", values)?;
        if let Some(i) = values.windows(2).position(|w| w[1] <= w[0]) {
            return Err(ProbError::NotStrictlyIncreasing {
                what: "values",
                index: i + 1,
            });
        }
        let mut cumulative: Vec<f64> = probabilities
            .iter()
            .scan(0.0, |c, &p| {
                *c = f64::min(*c + p, 1.0);
                Some(*c)
            })
            .collect();
        *cumulative.last_mut().expect("nonempty") = 1.0;
        Ok(Self {
            values: values.to_vec(),
            probabilities: probabilities.to_vec(),
            cumulative,
        })
    }

    /// The support values v_i.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The probabilities p_i.
    pub fn probabilities(&self) -> &[f64] {
        &self.probabilities
    }
}

impl InverseCdf for StepCdf {
    fn quantile(&self, u: f64) -> f64 {
        let c = &self.cumulative;
        let j = if u >= 1.0 {
            c.partition_point(|&ci| ci < 1.0)
        } else {
            c.partition_point(|&ci| ci <= u)
        };
        self.values[j.min(c.len() - 1)]
    }

    fn cdf(&self, x: f64) -> f64 {
        match self.values.partition_point(|&v| v <= x) {
            0 => 0.0,
            j => self.cumulative[j - 1],
        }
    }
}
