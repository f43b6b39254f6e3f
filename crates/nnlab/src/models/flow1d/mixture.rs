//! The data of the 1-D flow: a Gaussian mixture p(x) = Σ_k π_k N(x; m_k, s_k²) given by
//! unnormalized weights, with seeded sampling, its log-density and its entropy by quadrature.

use super::Flow1dError;
use crate::prob::fit::GaussianMixture;
use crate::prob::gaussian::fill_standard_normal;
use crate::prob::quadrature::Grid;
use rand::Rng;
use rand::rngs::StdRng;
use std::str::FromStr;

/// A 1-D Gaussian mixture. Weights are relative (1:1:2 means ¼, ¼, ½).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Mixture {
    /// Normalized weights π_k (summing to 1).
    pub weights: Vec<f64>,
    pub means: Vec<f64>,
    pub stds: Vec<f64>,
    #[serde(skip)]
    density: GaussianMixture,
}

impl Default for Mixture {
    /// The course mixture: weights 1:1:2 on N(−1, 0.25²), N(0.2, 0.25²), N(1.5, 0.25²).
    fn default() -> Self {
        Self::new(&[1.0, 1.0, 2.0], &[-1.0, 0.2, 1.5], &[0.25, 0.25, 0.25])
            .expect("the default mixture is valid")
    }
}

impl Mixture {
    /// Builds the mixture from relative weights (finite, > 0), finite means and stds > 0.
    pub fn new(weights: &[f64], means: &[f64], stds: &[f64]) -> Result<Self, Flow1dError> {
        let bad = |reason: String| Flow1dError::Mixture(reason);
        if weights.is_empty() {
            return Err(bad("no components given".into()));
        }
        if let Some(w) = weights.iter().find(|w| !(w.is_finite() && **w > 0.0)) {
            return Err(bad(format!("weight {w} must be finite and > 0")));
        }
        let total: f64 = weights.iter().sum();
        let weights: Vec<f64> = weights.iter().map(|w| w / total).collect();
        let density =
            GaussianMixture::new(&weights, means, stds).map_err(|e| bad(e.to_string()))?;
        Ok(Self {
            weights,
            means: means.to_vec(),
            stds: stds.to_vec(),
            density,
        })
    }

    /// log p(x) (stable log-sum-exp over the components).
    pub fn log_density(&self, x: f64) -> f64 {
        self.density.log_density(x)
    }

    /// The mean Σ π_k m_k.
    pub fn mean(&self) -> f64 {
        self.density.mean()
    }

    /// The standard deviation of the mixture.
    pub fn std(&self) -> f64 {
        self.density.std()
    }

    /// An interval holding all but a negligible mass: [min m_k − 10 max s_k, max m_k + 10 max s_k]
    /// (each component has mass < 2·10⁻²³ beyond 10 standard deviations).
    pub fn support(&self) -> (f64, f64) {
        let s = self.stds.iter().copied().fold(0.0, f64::max);
        let lo = self.means.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = self.means.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lo - 10.0 * s, hi + 10.0 * s)
    }

    /// `n` draws: a component k with probability π_k, then m_k + s_k ε with ε ~ N(0, 1)
    /// (Box–Muller), all from `rng`.
    pub fn sample(&self, n: usize, rng: &mut StdRng) -> Vec<f64> {
        let mut eps = vec![0.0; n];
        fill_standard_normal(rng, &mut eps);
        eps.into_iter()
            .map(|e| {
                let u: f64 = rng.random();
                let mut k = 0;
                let mut acc = self.weights[0];
                while u >= acc && k + 1 < self.weights.len() {
                    k += 1;
                    acc += self.weights[k];
                }
                self.means[k] + self.stds[k] * e
            })
            .collect()
    }

    /// The differential entropy H(p) = −∫ p log p, by Simpson's rule on [`Mixture::support`]
    /// with 20 000 intervals (h ≤ (span)/20 000, far below the component widths, so the
    /// quadrature error is below 1e-10 for the default mixture).
    pub fn entropy(&self) -> f64 {
        let (lo, hi) = self.support();
        let grid = Grid::simpson(lo, hi, 20_000).expect("finite support with lo < hi");
        -grid
            .nodes
            .iter()
            .zip(&grid.weights)
            .map(|(&x, &w)| {
                let lp = self.log_density(x);
                w * lp.exp() * lp
            })
            .sum::<f64>()
    }
}

impl FromStr for Mixture {
    type Err = Flow1dError;

    /// Parses `"w:mu:sigma,w:mu:sigma,…"` (relative weights), e.g. `"1:-1:0.25,1:0.2:0.25,2:1.5:0.25"`.
    fn from_str(spec: &str) -> Result<Self, Flow1dError> {
        let (mut w, mut m, mut s) = (Vec::new(), Vec::new(), Vec::new());
        for token in spec.split(',').map(str::trim) {
            let nums: Vec<Option<f64>> = token.split(':').map(|t| t.trim().parse().ok()).collect();
            match nums[..] {
                [Some(a), Some(b), Some(c)] => {
                    w.push(a);
                    m.push(b);
                    s.push(c);
                }
                _ => {
                    return Err(Flow1dError::Mixture(format!(
                        "bad component '{token}': expected w:mu:sigma with three numbers"
                    )));
                }
            }
        }
        Self::new(&w, &m, &s)
    }
}
