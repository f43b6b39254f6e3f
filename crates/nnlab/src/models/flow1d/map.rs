//! The learned map in double precision: f_θ, log f_θ', the model density p_θ, its total mass and
//! the inverse f_θ⁻¹ by a safeguarded Newton–bisection solve. Used for plots, metrics and
//! sampling after training (training itself runs in Burn, see `model.rs`).

use burn::prelude::*;
use burn::tensor::DType;

/// ½ log(2π).
pub const HALF_LN_2PI: f64 = 0.918_938_533_204_672_8;

/// The parameters θ = (w, μ, τ) of f_θ(x) = Σ_i e^{w_i} (Φ((x − μ_i)/e^{τ_i}) − ½).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FlowMap {
    pub w: Vec<f64>,
    pub mu: Vec<f64>,
    pub tau: Vec<f64>,
}

/// erf of every entry, in f64, by Burn's `erf` on an f64 tensor on the CPU (`flex` computes it
/// with libm, accurate to a few ulps).
pub fn erf(xs: &[f64]) -> Vec<f64> {
    if xs.is_empty() {
        return Vec::new();
    }
    let device = Device::flex();
    let t = Tensor::<1>::from_data(
        TensorData::new(xs.to_vec(), [xs.len()]),
        (&device, DType::F64),
    );
    t.erf()
        .into_data()
        .convert::<f64>()
        .try_into_vec::<f64>()
        .expect("f64 data")
}

/// Φ(x) = ½(1 + erf(x/√2)) of every entry, in f64.
pub fn std_normal_cdf(xs: &[f64]) -> Vec<f64> {
    let scaled: Vec<f64> = xs.iter().map(|x| x / std::f64::consts::SQRT_2).collect();
    erf(&scaled).into_iter().map(|e| 0.5 * (1.0 + e)).collect()
}

impl FlowMap {
    /// Number of components n.
    pub fn len(&self) -> usize {
        self.w.len()
    }

    /// Whether the map has no components.
    pub fn is_empty(&self) -> bool {
        self.w.is_empty()
    }

    /// S = Σ e^{w_i}: f_θ maps ℝ onto (−S/2, S/2). Summed in the same order as [`FlowMap::eval`],
    /// so f_θ(±∞) evaluates to exactly ±S/2.
    pub fn scale(&self) -> f64 {
        self.w.iter().map(|w| w.exp() * 0.5).sum::<f64>() * 2.0
    }

    /// (f_θ(x), log f_θ'(x)) for every x, where
    /// f_θ(x) = Σ_i e^{w_i} · ½ erf(u_i/√2), u_i = (x − μ_i)/σ_i, σ_i = e^{τ_i}, and
    /// log f_θ'(x) = logsumexp_i (w_i − τ_i − ½ log 2π − u_i²/2), finite even where every
    /// φ underflows.
    pub fn eval(&self, xs: &[f64]) -> Vec<(f64, f64)> {
        let n = self.len();
        let u: Vec<f64> = xs
            .iter()
            .flat_map(|&x| (0..n).map(move |i| (x - self.mu[i]) / self.tau[i].exp()))
            .collect();
        let scaled: Vec<f64> = u.iter().map(|v| v / std::f64::consts::SQRT_2).collect();
        let e = erf(&scaled);
        (0..xs.len())
            .map(|j| {
                let row = j * n..(j + 1) * n;
                let f = (0..n)
                    .map(|i| self.w[i].exp() * 0.5 * e[row.start + i])
                    .sum();
                let logs: Vec<f64> = (0..n)
                    .map(|i| self.w[i] - self.tau[i] - HALF_LN_2PI - 0.5 * u[row.start + i].powi(2))
                    .collect();
                (f, log_sum_exp(&logs))
            })
            .collect()
    }

    /// log p_θ(x) = log φ(f_θ(x)) + log f_θ'(x) (change of variables with p_Z = N(0, 1)).
    pub fn log_density(&self, xs: &[f64]) -> Vec<f64> {
        self.eval(xs)
            .into_iter()
            .map(|(f, lfp)| -0.5 * f * f - HALF_LN_2PI + lfp)
            .collect()
    }

    /// The total mass ∫ p_θ = P(|Z| < S/2) = 2Φ(S/2) − 1 = erf(S/(2√2)) < 1: the part of
    /// N(0, 1) outside (−S/2, S/2) has no preimage under the bounded map f_θ.
    pub fn mass(&self) -> f64 {
        erf(&[self.scale() / (2.0 * std::f64::consts::SQRT_2)])[0]
    }

    /// x = f_θ⁻¹(z) for every z, or `None` where |z| ≥ S/2 (or z is not finite): no preimage.
    ///
    /// Safeguarded Newton (as `rtsafe` of Numerical Recipes), vectorized over all z: first a
    /// bracket [a, b] with f(a) ≤ z ≤ f(b) is found by doubling outward from the component
    /// centres; then each step takes the Newton point x − (f(x) − z)/f'(x) when it lies inside
    /// the bracket and the last step shrank fast enough, and the midpoint otherwise, and
    /// replaces the end of the bracket on the same side of z. The bracket always holds the root
    /// and at least halves every two bisections, so the solve converges; it stops when f(x) = z,
    /// when the bracket is a few ulps wide or after 400 steps.
    pub fn inverse(&self, zs: &[f64]) -> Vec<Option<f64>> {
        let half = 0.5 * self.scale();
        let sigma_max = self
            .tau
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max)
            .exp();
        let lo0 = self.mu.iter().copied().fold(f64::INFINITY, f64::min);
        let hi0 = self.mu.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let solvable: Vec<usize> = (0..zs.len()).filter(|&j| zs[j].abs() < half).collect();
        let m = solvable.len();
        let z: Vec<f64> = solvable.iter().map(|&j| zs[j]).collect();
        let (mut a, mut b) = (vec![lo0 - sigma_max; m], vec![hi0 + sigma_max; m]);
        // Widen until f(a) ≤ z ≤ f(b): f tends to ∓S/2 (exactly, in floating point, once every
        // erf saturates), and |z| < S/2, so this ends.
        let mut step = sigma_max.max(1.0);
        for _ in 0..64 {
            let fa = self.eval(&a);
            let fb = self.eval(&b);
            let mut done = true;
            for k in 0..m {
                if fa[k].0 > z[k] {
                    a[k] -= step;
                    done = false;
                }
                if fb[k].0 < z[k] {
                    b[k] += step;
                    done = false;
                }
            }
            if done {
                break;
            }
            step *= 2.0;
        }
        let mut x: Vec<f64> = (0..m).map(|k| 0.5 * (a[k] + b[k])).collect();
        let mut dx_old: Vec<f64> = (0..m).map(|k| b[k] - a[k]).collect();
        let mut dx: Vec<f64> = dx_old.clone();
        let mut active: Vec<usize> = (0..m).collect();
        for _ in 0..400 {
            if active.is_empty() {
                break;
            }
            let xs: Vec<f64> = active.iter().map(|&k| x[k]).collect();
            let vals = self.eval(&xs);
            let mut still = Vec::with_capacity(active.len());
            for (&k, &(f, lfp)) in active.iter().zip(&vals) {
                let g = f - z[k];
                if g == 0.0 {
                    continue;
                }
                if g < 0.0 {
                    a[k] = x[k];
                } else {
                    b[k] = x[k];
                }
                let fp = lfp.exp();
                let newton = x[k] - g / fp;
                let inside = newton > a[k] && newton < b[k];
                let fast = (2.0 * g).abs() <= (dx_old[k] * fp).abs();
                dx_old[k] = dx[k];
                if inside && fast {
                    dx[k] = x[k] - newton;
                    x[k] = newton;
                } else {
                    dx[k] = 0.5 * (b[k] - a[k]);
                    x[k] = a[k] + dx[k];
                }
                let ulps = 4.0 * f64::EPSILON * a[k].abs().max(b[k].abs()).max(f64::MIN_POSITIVE);
                if b[k] - a[k] > ulps && dx[k] != 0.0 {
                    still.push(k);
                }
            }
            active = still;
        }
        let mut out = vec![None; zs.len()];
        for (k, &j) in solvable.iter().enumerate() {
            out[j] = Some(x[k]);
        }
        out
    }
}

/// log Σ exp(v_i), shifted by the maximum (−∞ for an empty slice).
fn log_sum_exp(v: &[f64]) -> f64 {
    let top = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !top.is_finite() {
        return top;
    }
    top + v.iter().map(|l| (l - top).exp()).sum::<f64>().ln()
}
