//! Instance noise is ridge regression. For least squares with inputs perturbed by independent
//! N(0, σ²) noise N (m × n), E‖(X + N)w − y‖² = ‖Xw − y‖² + mσ²‖w‖², so stochastic gradient
//! descent on freshly noised inputs converges to the ridge solution (XᵀX + mσ²I)⁻¹Xᵀy rather than
//! to least squares. In the scalar case the expected gradient-descent recurrence converges only
//! below the step-size bound 2/(x² + σ²).

use super::{distance, mean_se, normals, solve_spd};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A least-squares problem min_w ‖Xw − y‖² with X m × n (row-major).
#[derive(Clone, Debug)]
pub struct Problem {
    pub m: usize,
    pub n: usize,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

impl Problem {
    /// X with standard normal entries, y = X w° + ½ e for w° and e standard normal.
    pub fn random(m: usize, n: usize, rng: &mut StdRng) -> Self {
        let x = normals(rng, m * n);
        let w = normals(rng, n);
        let e = normals(rng, m);
        let y = (0..m)
            .map(|i| dot(&x[i * n..(i + 1) * n], &w) + 0.5 * e[i])
            .collect();
        Self { m, n, x, y }
    }

    fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.n..(i + 1) * self.n]
    }

    /// ‖Xw − y‖².
    pub fn loss(&self, w: &[f64]) -> f64 {
        (0..self.m)
            .map(|i| (dot(self.row(i), w) - self.y[i]).powi(2))
            .sum()
    }

    /// The ridge loss ‖Xw − y‖² + mσ²‖w‖², the expectation of [`Problem::noisy_loss`].
    pub fn ridge_loss(&self, w: &[f64], sigma: f64) -> f64 {
        self.loss(w) + self.m as f64 * sigma * sigma * dot(w, w)
    }

    /// One draw of ‖(X + N)w − y‖² with N_ij ~ N(0, σ²) independent.
    pub fn noisy_loss(&self, w: &[f64], sigma: f64, rng: &mut StdRng) -> f64 {
        let mut eps = vec![0.0; self.n];
        (0..self.m)
            .map(|i| {
                crate::prob::fill_standard_normal(rng, &mut eps);
                let r: f64 = self
                    .row(i)
                    .iter()
                    .zip(&eps)
                    .zip(w)
                    .map(|((x, e), w)| (x + sigma * e) * w)
                    .sum();
                (r - self.y[i]).powi(2)
            })
            .sum()
    }

    /// The ridge solution (XᵀX + λI)⁻¹Xᵀy with λ = mσ² (σ = 0: least squares). `None` if the
    /// system is singular.
    pub fn ridge(&self, sigma: f64) -> Option<Vec<f64>> {
        let n = self.n;
        let lambda = self.m as f64 * sigma * sigma;
        let mut a = vec![0.0; n * n];
        let mut b = vec![0.0; n];
        for i in 0..self.m {
            let r = self.row(i);
            for j in 0..n {
                b[j] += r[j] * self.y[i];
                for k in 0..n {
                    a[j * n + k] += r[j] * r[k];
                }
            }
        }
        for j in 0..n {
            a[j * n + j] += lambda;
        }
        solve_spd(&a, &b, n)
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// One weight vector of the identity check: the Monte Carlo mean of the noisy loss with its
/// standard error, the ridge loss (the prediction) and the plain loss.
#[derive(Clone, Debug, serde::Serialize)]
pub struct IdentityRow {
    pub w_norm: f64,
    pub noisy_mean: f64,
    pub std_error: f64,
    pub ridge: f64,
    pub plain: f64,
    /// (noisy mean − ridge) / standard error.
    pub z: f64,
}

/// For `weights` random w (standard normal, scaled by a uniform factor in [0, 2] so ‖w‖
/// varies), the mean of `draws` noisy losses ‖(X + N)w − y‖² against the ridge loss
/// ‖Xw − y‖² + mσ²‖w‖².
pub fn ridge_identity(
    p: &Problem,
    sigma: f64,
    weights: usize,
    draws: usize,
    rng: &mut StdRng,
) -> Vec<IdentityRow> {
    (0..weights)
        .map(|_| {
            let scale = 2.0 * rng.random::<f64>();
            let w: Vec<f64> = normals(rng, p.n).iter().map(|v| scale * v).collect();
            let losses: Vec<f64> = (0..draws).map(|_| p.noisy_loss(&w, sigma, rng)).collect();
            let (noisy_mean, std_error) = mean_se(&losses);
            let ridge = p.ridge_loss(&w, sigma);
            IdentityRow {
                w_norm: dot(&w, &w).sqrt(),
                noisy_mean,
                std_error,
                ridge,
                plain: p.loss(&w),
                z: (noisy_mean - ridge) / std_error,
            }
        })
        .collect()
}

/// The largest |z| of [`ridge_identity`] on a 50 × 4 problem with σ = 0.5, 20 weight vectors and
/// 2000 draws each, seeded by `seed`. Under the identity, z is about standard normal, so the
/// maximum of 20 stays below 4 with probability > 99.8 %; the plain loss misses by ~ mσ²‖w‖²,
/// tens of standard errors.
pub fn check_ridge_identity(seed: u64) -> f64 {
    let mut rng = StdRng::seed_from_u64(seed);
    let p = Problem::random(50, 4, &mut rng);
    ridge_identity(&p, 0.5, 20, 2000, &mut rng)
        .iter()
        .map(|r| r.z.abs())
        .fold(0.0, f64::max)
}

/// Distances of the SGD iterate to the ridge and to the least-squares solution, every
/// `record_every` steps.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SgdTrace {
    pub steps: Vec<usize>,
    pub to_ridge: Vec<f64>,
    pub to_least_squares: Vec<f64>,
}

/// SGD from w = 0 on the mean noisy loss (1/m)‖(X + N)w − y‖²: each step draws `batch` rows
/// uniformly (with replacement) and fresh noise ε for each, and steps along
/// −η_k (2/batch) Σ (x̃ᵀw − y) x̃ with x̃ = x + σε and η_k = η/(1 + 10k/steps) (decaying, so the
/// iterate settles). The expected step direction is −(2/m)[(XᵀX + mσ²I)w − Xᵀy], zero at the ridge
/// solution. Errors (as `None`) if either solution does not exist.
pub fn noisy_sgd(
    p: &Problem,
    sigma: f64,
    lr: f64,
    steps: usize,
    batch: usize,
    record_every: usize,
    rng: &mut StdRng,
) -> Option<SgdTrace> {
    let ridge = p.ridge(sigma)?;
    let ls = p.ridge(0.0)?;
    let n = p.n;
    let mut w = vec![0.0; n];
    let mut grad = vec![0.0; n];
    let mut eps = vec![0.0; n];
    let mut trace = SgdTrace {
        steps: vec![],
        to_ridge: vec![],
        to_least_squares: vec![],
    };
    for k in 0..=steps {
        if k % record_every.max(1) == 0 || k == steps {
            trace.steps.push(k);
            trace.to_ridge.push(distance(&w, &ridge));
            trace.to_least_squares.push(distance(&w, &ls));
        }
        if k == steps {
            break;
        }
        grad.iter_mut().for_each(|g| *g = 0.0);
        for _ in 0..batch {
            let i = rng.random_range(0..p.m);
            crate::prob::fill_standard_normal(rng, &mut eps);
            let xt: Vec<f64> = p
                .row(i)
                .iter()
                .zip(&eps)
                .map(|(x, e)| x + sigma * e)
                .collect();
            let r = dot(&xt, &w) - p.y[i];
            for j in 0..n {
                grad[j] += 2.0 * r * xt[j] / batch as f64;
            }
        }
        let eta = lr / (1.0 + 10.0 * k as f64 / steps as f64);
        for j in 0..n {
            w[j] -= eta * grad[j];
        }
    }
    Some(trace)
}

/// The scalar problem ½(x̃w − y)² with x̃ = x + ε, ε ~ N(0, σ²), solved by gradient descent
/// w_{k+1} = w_k − η(x̃_k w_k − y)x̃_k from w_0 with fresh ε each step.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScalarGd {
    pub x: f64,
    pub y: f64,
    pub sigma: f64,
    pub w0: f64,
}

impl ScalarGd {
    /// a = E x̃² = x² + σ².
    pub fn curvature(&self) -> f64 {
        self.x * self.x + self.sigma * self.sigma
    }

    /// The step-size bound 2/(x² + σ²): E w_k converges iff 0 < η < 2/(x² + σ²).
    pub fn eta_bound(&self) -> f64 {
        2.0 / self.curvature()
    }

    /// The limit xy/(x² + σ²) of E w_k.
    pub fn limit(&self) -> f64 {
        self.x * self.y / self.curvature()
    }

    /// The expected path. Since ε_k is independent of w_k, E w_{k+1} = (1 − ηa) E w_k + ηxy
    /// with a = x² + σ², so E w_k = w* + (1 − ηa)^k (w_0 − w*) with w* = xy/a; k = 0..=steps.
    pub fn expected_path(&self, eta: f64, steps: usize) -> Vec<f64> {
        let (c, w) = (1.0 - eta * self.curvature(), self.limit());
        (0..=steps)
            .map(|k| w + c.powi(k as i32) * (self.w0 - w))
            .collect()
    }

    /// The Monte Carlo mean of w_k over `runs` independent runs, and its standard error, for
    /// k = 0..=steps.
    pub fn monte_carlo(
        &self,
        eta: f64,
        steps: usize,
        runs: usize,
        rng: &mut StdRng,
    ) -> (Vec<f64>, Vec<f64>) {
        let mut paths = vec![Vec::with_capacity(runs); steps + 1];
        let mut eps = vec![0.0; steps];
        for _ in 0..runs {
            crate::prob::fill_standard_normal(rng, &mut eps);
            let mut w = self.w0;
            paths[0].push(w);
            for (k, e) in eps.iter().enumerate() {
                let xt = self.x + self.sigma * e;
                w -= eta * (xt * w - self.y) * xt;
                paths[k + 1].push(w);
            }
        }
        paths.iter().map(|p| mean_se(p)).unzip()
    }
}

/// One step size of the scalar sweep: prediction and Monte Carlo measurement.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SweepRow {
    /// η as a multiple of the bound 2/(x² + σ²).
    pub fraction: f64,
    pub eta: f64,
    pub predicted_converges: bool,
    /// |mean w_K − w*| / |w_0 − w*| at the last step K (Monte Carlo).
    pub final_ratio: f64,
    /// Measured convergence: the final ratio is below 0.1.
    pub converges: bool,
    /// Largest |Monte Carlo mean − closed form| / standard error over k.
    pub max_z: f64,
    pub mean: Vec<f64>,
    pub std_error: Vec<f64>,
    pub expected: Vec<f64>,
}

/// Runs the scalar sweep for η = fraction · 2/(x² + σ²) for each of `fractions`.
pub fn step_size_sweep(
    g: &ScalarGd,
    fractions: &[f64],
    steps: usize,
    runs: usize,
    rng: &mut StdRng,
) -> Vec<SweepRow> {
    let start = (g.w0 - g.limit()).abs();
    fractions
        .iter()
        .map(|&fraction| {
            let eta = fraction * g.eta_bound();
            let (mean, std_error) = g.monte_carlo(eta, steps, runs, rng);
            let expected = g.expected_path(eta, steps);
            let final_ratio = (mean[steps] - g.limit()).abs() / start;
            let max_z = (1..=steps)
                .map(|k| (mean[k] - expected[k]).abs() / std_error[k])
                .fold(0.0, f64::max);
            SweepRow {
                fraction,
                eta,
                predicted_converges: eta > 0.0 && eta < g.eta_bound(),
                final_ratio,
                converges: final_ratio < 0.1,
                max_z,
                mean,
                std_error,
                expected,
            }
        })
        .collect()
}

/// The sweep at 0.95 and 1.05 times the bound for x = 1, y = 1, σ = 0.1, w_0 = 0 (40 steps,
/// 20 000 runs): returns the measured final ratios |mean w_K − w*| / |w_0 − w*| below and above
/// the bound. Theory: 0.9^40 ≈ 0.015 and 1.1^40 ≈ 45.
pub fn check_step_size_bound(seed: u64) -> (f64, f64) {
    let g = ScalarGd {
        x: 1.0,
        y: 1.0,
        sigma: 0.1,
        w0: 0.0,
    };
    let rows = step_size_sweep(
        &g,
        &[0.95, 1.05],
        40,
        20_000,
        &mut StdRng::seed_from_u64(seed),
    );
    (rows[0].final_ratio, rows[1].final_ratio)
}

#[cfg(test)]
#[path = "tests_noise.rs"]
mod tests;
