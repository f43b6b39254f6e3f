//! Fitting one Gaussian q = N(m, s²) to a 1-D Gaussian mixture p by gradient descent on the
//! forward KL(p‖q) (mass-covering: it matches the mean and variance of p) or the reverse KL(q‖p)
//! (mode-seeking: it locks onto one component).
//!
//! Both divergences are Simpson sums on a grid (default [−10, 10], 2000 intervals) and the
//! gradients with respect to θ = (m, log s) are the exact derivatives of those sums, so they
//! agree with finite differences of the same sums up to rounding. The optimizer is Adam
//! (β₁ = 0.9, β₂ = 0.999, ε = 1e-8) with default learning rate 0.05, 2000 steps, starting from
//! m = 0.5, s = 1 (so the reverse fit picks the mode at +2 of the default target).

use super::quadrature::Grid;
use super::{ProbError, check_finite, check_probabilities};

/// ½ log(2π).
const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;

/// The most mixture components accepted.
pub const MAX_COMPONENTS: usize = 1000;

/// The most Adam steps of one fit.
pub const MAX_STEPS: usize = 100_000;

/// The most density evaluations of one fit, steps · (intervals + 1) · components: about ten
/// seconds (the default fit does 8 · 10⁶).
pub const MAX_FIT_WORK: u64 = 2_000_000_000;

/// A mixture p(x) = Σ_k w_k N(x; μ_k, σ_k²).
#[derive(Debug, Clone, PartialEq)]
pub struct GaussianMixture {
    weights: Vec<f64>,
    means: Vec<f64>,
    stds: Vec<f64>,
}

impl Default for GaussianMixture {
    /// ½ N(−2, 0.5²) + ½ N(2, 0.5²).
    fn default() -> Self {
        Self {
            weights: vec![0.5, 0.5],
            means: vec![-2.0, 2.0],
            stds: vec![0.5, 0.5],
        }
    }
}

impl GaussianMixture {
    /// Checks equal lengths, weights summing to 1, finite means and positive stds.
    pub fn new(weights: &[f64], means: &[f64], stds: &[f64]) -> Result<Self, ProbError> {
        super::check_count("weights", weights.len(), 1, MAX_COMPONENTS)?;
        for (what, other) in [("mixture means", means), ("mixture stds", stds)] {
            if other.len() != weights.len() {
                return Err(ProbError::LengthMismatch {
                    what,
                    left: weights.len(),
                    right: other.len(),
                });
            }
        }
        check_probabilities("mixture weights", weights)?;
        check_finite("mixture means", means)?;
        if let Some(&value) = stds.iter().find(|s| !(s.is_finite() && **s > 0.0)) {
            return Err(ProbError::NotPositive {
                what: "mixture std",
                value,
            });
        }
        Ok(Self {
            weights: weights.to_vec(),
            means: means.to_vec(),
            stds: stds.to_vec(),
        })
    }

    /// log p(x) = logsumexp_k [log w_k − log σ_k − ½ log 2π − (x − μ_k)²/(2σ_k²)], stable where
    /// every component underflows.
    pub fn log_density(&self, x: f64) -> f64 {
        let terms = self.weights.iter().zip(&self.means).zip(&self.stds);
        let logs: Vec<f64> = terms
            .map(|((w, mu), s)| w.ln() - s.ln() - HALF_LN_2PI - 0.5 * ((x - mu) / s).powi(2))
            .collect();
        let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        top + logs.iter().map(|l| (l - top).exp()).sum::<f64>().ln()
    }

    /// E_p[X] = Σ w_k μ_k.
    pub fn mean(&self) -> f64 {
        self.weights
            .iter()
            .zip(&self.means)
            .map(|(w, m)| w * m)
            .sum()
    }

    /// √Var_p[X] with Var = Σ w_k (σ_k² + μ_k²) − (E X)².
    pub fn std(&self) -> f64 {
        let second: f64 = (self.weights.iter().zip(&self.means).zip(&self.stds))
            .map(|((w, m), s)| w * (s * s + m * m))
            .sum();
        (second - self.mean().powi(2)).max(0.0).sqrt()
    }
}

/// log N(x; m, s²) = −log s − ½ log 2π − (x − m)²/(2s²).
pub fn normal_log_density(x: f64, m: f64, s: f64) -> f64 {
    -s.ln() - HALF_LN_2PI - 0.5 * ((x - m) / s).powi(2)
}

/// Which divergence to minimize.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// KL(p‖q) = ∫ p (log p − log q).
    Forward,
    /// KL(q‖p) = ∫ q (log q − log p).
    Reverse,
}

/// The divergence and its gradient [∂/∂m, ∂/∂log s] at q = N(m, s²), s = e^{log_s}, as Simpson
/// sums Σ_i w_i (…)(x_i).
///
/// With d = (x − m)/s, ∂log q/∂m = d/s and ∂log q/∂log s = d² − 1.
/// Forward: KL = Σ w p (log p − log q); ∂/∂m = −Σ w p d/s; ∂/∂log s = Σ w p (1 − d²).
/// Reverse: KL = Σ w q (log q − log p); since ∂q = q ∂log q, the derivative of the sum is
/// ∂/∂θ = Σ w q (∂log q/∂θ)(log q − log p + 1) (the "+1" is the derivative of the grid mass of
/// q, zero in the exact integral but kept so the gradient is exact for the sum).
pub fn kl_and_gradient(
    dir: Direction,
    target: &GaussianMixture,
    grid: &Grid,
    m: f64,
    log_s: f64,
) -> (f64, [f64; 2]) {
    let s = log_s.exp();
    let (mut kl, mut gm, mut gs) = (0.0, 0.0, 0.0);
    for (&x, &w) in grid.nodes.iter().zip(&grid.weights) {
        let d = (x - m) / s;
        let log_q = -log_s - HALF_LN_2PI - 0.5 * d * d;
        let log_p = target.log_density(x);
        match dir {
            Direction::Forward => {
                let p = log_p.exp();
                kl += w * p * (log_p - log_q);
                gm -= w * p * d / s;
                gs += w * p * (1.0 - d * d);
            }
            Direction::Reverse => {
                let q = log_q.exp();
                let r = log_q - log_p;
                kl += w * q * r;
                gm += w * q * (d / s) * (r + 1.0);
                gs += w * q * (d * d - 1.0) * (r + 1.0);
            }
        }
    }
    (kl, [gm, gs])
}

/// Settings of [`fit_gaussian`]; see the module doc for the defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct FitConfig {
    pub start_mean: f64,
    pub start_std: f64,
    pub steps: usize,
    pub lr: f64,
    /// Quadrature interval and number of Simpson intervals.
    pub lo: f64,
    pub hi: f64,
    pub intervals: usize,
}

impl Default for FitConfig {
    fn default() -> Self {
        Self {
            start_mean: 0.5,
            start_std: 1.0,
            steps: 2000,
            lr: 0.05,
            lo: -10.0,
            hi: 10.0,
            intervals: 2000,
        }
    }
}

impl FitConfig {
    /// Checks every setting before any work; errors name the field (`start_mean`,
    /// `start_std`, `steps`, `lr`, `lo`/`hi`, `intervals`).
    pub fn validate(&self) -> Result<(), ProbError> {
        let setting = |field, message: String| Err(ProbError::Setting { field, message });
        if !self.start_mean.is_finite() {
            return setting("start_mean", format!("{} is not finite", self.start_mean));
        }
        for (field, v) in [("start_std", self.start_std), ("lr", self.lr)] {
            if !(v.is_finite() && v > 0.0) {
                return setting(field, format!("must be positive and finite (got {v})"));
            }
        }
        super::check_count("steps", self.steps, 1, MAX_STEPS)?;
        // ln s must be finite for the parametrization θ = (m, log s).
        if !self.start_std.ln().is_finite() {
            return setting(
                "start_std",
                format!("{} has no finite logarithm", self.start_std),
            );
        }
        Ok(())
    }
}

/// A fitted Gaussian.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub direction: Direction,
    pub mean: f64,
    pub std: f64,
    /// The divergence at the fit.
    pub divergence: f64,
    /// The divergence before each step (length `steps`).
    pub trace: Vec<f64>,
}

/// Minimizes the divergence over θ = (m, log s) with Adam: g = ∇KL(θ), a = β₁a + (1 − β₁)g,
/// v = β₂v + (1 − β₂)g², θ −= lr · (a/(1 − β₁ᵗ)) / (√(v/(1 − β₂ᵗ)) + ε).
pub fn fit_gaussian(
    target: &GaussianMixture,
    dir: Direction,
    cfg: &FitConfig,
) -> Result<Fit, ProbError> {
    cfg.validate()?;
    let work = (cfg.steps as u64)
        .saturating_mul(cfg.intervals as u64 + 1)
        .saturating_mul(target.weights.len() as u64);
    if work > MAX_FIT_WORK {
        return Err(ProbError::Setting {
            field: "steps",
            message: format!(
                "{} steps × {} grid points × {} components = {work} density evaluations, \
                 more than {MAX_FIT_WORK}",
                cfg.steps,
                cfg.intervals + 1,
                target.weights.len()
            ),
        });
    }
    let grid = Grid::simpson(cfg.lo, cfg.hi, cfg.intervals)?;
    let (b1, b2, eps) = (0.9, 0.999, 1e-8);
    let mut theta = [cfg.start_mean, cfg.start_std.ln()];
    let (mut a, mut v) = ([0.0; 2], [0.0; 2]);
    let mut trace = Vec::with_capacity(cfg.steps);
    for t in 1..=cfg.steps {
        let (kl, g) = kl_and_gradient(dir, target, &grid, theta[0], theta[1]);
        trace.push(kl);
        for k in 0..2 {
            a[k] = b1 * a[k] + (1.0 - b1) * g[k];
            v[k] = b2 * v[k] + (1.0 - b2) * g[k] * g[k];
            let a_hat = a[k] / (1.0 - f64::powi(b1, t as i32));
            let v_hat = v[k] / (1.0 - f64::powi(b2, t as i32));
            theta[k] -= cfg.lr * a_hat / (v_hat.sqrt() + eps);
        }
        let what = if !kl.is_finite() {
            Some("the divergence")
        } else if !(theta[0].is_finite() && theta[1].exp().is_finite()) {
            Some("the mean or the standard deviation")
        } else {
            None
        };
        if let Some(what) = what {
            return Err(ProbError::Diverged { step: t, what });
        }
    }
    let (divergence, _) = kl_and_gradient(dir, target, &grid, theta[0], theta[1]);
    if !(divergence.is_finite() && theta[1].exp() > 0.0) {
        return Err(ProbError::Diverged {
            step: cfg.steps,
            what: "the final divergence or standard deviation",
        });
    }
    Ok(Fit {
        direction: dir,
        mean: theta[0],
        std: theta[1].exp(),
        divergence,
        trace,
    })
}

/// Density curves on `points` ≥ 2 equally spaced x in [lo, hi]: the target p, then N(m, s²)
/// for each (m, s) in `fits`.
pub fn density_curves(
    target: &GaussianMixture,
    fits: &[(f64, f64)],
    lo: f64,
    hi: f64,
    points: usize,
) -> Vec<Vec<(f64, f64)>> {
    let m = points.max(2);
    let xs: Vec<f64> = (0..m)
        .map(|i| lo + (hi - lo) * i as f64 / (m - 1) as f64)
        .collect();
    let mut out = vec![
        xs.iter()
            .map(|&x| (x, target.log_density(x).exp()))
            .collect(),
    ];
    for &(mu, s) in fits {
        out.push(
            xs.iter()
                .map(|&x| (x, normal_log_density(x, mu, s).exp()))
                .collect(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradients_match_central_differences() {
        // Central differences with h = 1e-5 on the same Simpson sum: truncation O(h²) ≈ 1e-10,
        // rounding ≈ 1e-16/h ≈ 1e-11; tolerance 1e-7 absolute + 1e-6 relative.
        let p = GaussianMixture::new(&[0.3, 0.7], &[-1.5, 2.0], &[0.6, 1.1]).unwrap();
        let grid = Grid::simpson(-10.0, 10.0, 2000).unwrap();
        let h = 1e-5;
        for dir in [Direction::Forward, Direction::Reverse] {
            for (m, log_s) in [(0.5, 0.0), (-1.0, -0.7), (2.2, 0.4)] {
                let f = |m, ls| kl_and_gradient(dir, &p, &grid, m, ls).0;
                let (_, g) = kl_and_gradient(dir, &p, &grid, m, log_s);
                let fd = [
                    (f(m + h, log_s) - f(m - h, log_s)) / (2.0 * h),
                    (f(m, log_s + h) - f(m, log_s - h)) / (2.0 * h),
                ];
                for k in 0..2 {
                    let tol = 1e-7 + 1e-6 * fd[k].abs();
                    assert!((g[k] - fd[k]).abs() < tol, "{dir:?} {k}: {g:?} vs {fd:?}");
                }
            }
        }
    }

    #[test]
    fn forward_fit_matches_moments() {
        let p = GaussianMixture::default();
        assert!((p.std() - 4.25f64.sqrt()).abs() < 1e-15);
        let fit = fit_gaussian(&p, Direction::Forward, &FitConfig::default()).unwrap();
        assert!((fit.mean - p.mean()).abs() < 1e-3, "{fit:?}");
        assert!((fit.std - p.std()).abs() < 1e-3, "{fit:?}");
        assert!(fit.divergence < fit.trace[0]);
    }

    #[test]
    fn reverse_fit_locks_onto_one_mode() {
        let p = GaussianMixture::default();
        let fit = fit_gaussian(&p, Direction::Reverse, &FitConfig::default()).unwrap();
        assert!(
            (fit.mean - 2.0).abs() < 0.05 && (fit.std - 0.5).abs() < 0.05,
            "{fit:?}"
        );
        // KL(q‖p) at q = one component is about log 2 (p has half its mass there).
        assert!((fit.divergence - 2f64.ln()).abs() < 0.01, "{fit:?}");
        let left = FitConfig {
            start_mean: -0.5,
            ..FitConfig::default()
        };
        let fit = fit_gaussian(&p, Direction::Reverse, &left).unwrap();
        assert!(
            (fit.mean + 2.0).abs() < 0.05 && (fit.std - 0.5).abs() < 0.05,
            "{fit:?}"
        );
    }

    #[test]
    fn rejects_bad_mixtures_and_settings() {
        assert!(GaussianMixture::new(&[0.5, 0.6], &[0.0, 1.0], &[1.0, 1.0]).is_err());
        assert!(GaussianMixture::new(&[1.0], &[0.0, 1.0], &[1.0]).is_err());
        assert!(GaussianMixture::new(&[1.0], &[0.0], &[0.0]).is_err());
        let bad = FitConfig {
            start_std: -1.0,
            ..FitConfig::default()
        };
        let p = GaussianMixture::default();
        assert!(fit_gaussian(&p, Direction::Forward, &bad).is_err());
    }
}
