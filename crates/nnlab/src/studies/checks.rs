//! The proof-sheet rows of the instance-noise and quadratic studies: each `measure` is the
//! study's own `check_*` function (the one its unit tests call), each `broken` twin the same
//! measurement against a plausible wrong prediction.

use super::noise::{
    Problem, ScalarGd, check_ridge_identity, check_step_size_bound, ridge_identity,
};
use super::quadratic::{Method, check_rates, rate_study};
use crate::verify::{Check, Measurement};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// The largest |z| of the noisy-loss Monte Carlo means against the plain loss ‖Xw − y‖² (the
/// ridge term mσ²‖w‖² dropped), on the problem of [`check_ridge_identity`].
fn plain_loss_max_z(seed: u64) -> f64 {
    let mut rng = StdRng::seed_from_u64(seed);
    let p = Problem::random(50, 4, &mut rng);
    ridge_identity(&p, 0.5, 20, 2000, &mut rng)
        .iter()
        .map(|r| ((r.noisy_mean - r.plain) / r.std_error).abs())
        .fold(0.0, f64::max)
}

/// Instance noise is ridge: E‖(X + N)w − y‖² = ‖Xw − y‖² + mσ²‖w‖².
pub const RIDGE_IDENTITY: Check = Check {
    id: "study.noise-ridge",
    identity: "E||(X+N)w - y||^2 = ||Xw - y||^2 + m sigma^2 ||w||^2, N iid N(0, sigma^2)",
    method: "Monte Carlo, 50x4 X, sigma 0.5, 20 random w x 2000 noise draws: max |z| = |mean - ridge loss| / standard error",
    tolerance: 4.0,
    why: "20 roughly standard normal z-scores: max |z| < 4 with probability > 99.8 %; the plain loss misses by tens of standard errors",
    measure: |seed| Measurement::new(check_ridge_identity(seed), "20 w, 2000 draws each"),
    broken: |seed| Measurement::new(plain_loss_max_z(seed), "20 w, 2000 draws each"),
    fault: "the plain loss ||Xw - y||^2 (no m sigma^2 ||w||^2 term)",
};

/// max(r_below, 1/r_above) of the scalar sweep at 0.95 and 1.05 times `bound`, r the final
/// ratio |mean w_K − w*| / |w_0 − w*| (x = y = 1, σ = 0.1, 40 steps, 20 000 runs).
fn step_size_error(seed: u64, bound_factor: f64) -> f64 {
    if bound_factor == 1.0 {
        let (below, above) = check_step_size_bound(seed);
        return below.max(1.0 / above);
    }
    let g = ScalarGd {
        x: 1.0,
        y: 1.0,
        sigma: 0.1,
        w0: 0.0,
    };
    let fractions = [0.95 * bound_factor, 1.05 * bound_factor];
    let rows =
        super::noise::step_size_sweep(&g, &fractions, 40, 20_000, &mut StdRng::seed_from_u64(seed));
    rows[0].final_ratio.max(1.0 / rows[1].final_ratio)
}

/// The step-size bound of scalar GD with a noisy input, from both sides.
pub const STEP_SIZE_BOUND: Check = Check {
    id: "study.noise-step-bound",
    identity: "E w_k -> xy/(x^2 + sigma^2) iff 0 < eta < 2/(x^2 + sigma^2), x~ = x + eps",
    method: "Monte Carlo (20 000 runs, 40 steps, x = y = 1, sigma = 0.1) at 0.95 and 1.05 x bound: error = max(r_below, 1/r_above), r = |E w_40 - w*|/|w_0 - w*|",
    tolerance: 0.1,
    why: "theory r_below = 0.9^40 = 0.015, 1/r_above = 1/1.1^40 = 0.022; a wrong bound converges on both sides (1/r_above huge) or diverges below",
    measure: |seed| {
        Measurement::new(
            step_size_error(seed, 1.0),
            "eta = 0.95 and 1.05 x 2/(x^2 + sigma^2)",
        )
    },
    broken: |seed| {
        Measurement::new(
            step_size_error(seed, 0.5),
            "eta = 0.95 and 1.05 x 1/(x^2 + sigma^2)",
        )
    },
    fault: "the bound 1/(x^2 + sigma^2) (the factor 2 dropped)",
};

/// The rate check of [`check_rates`] with each method compared against another method's
/// theoretical rate (gradient descent against heavy ball's, the momentum methods against
/// gradient descent's).
fn swapped_rate_error(seed: u64) -> f64 {
    rate_study(&[10.0, 100.0, 1000.0], 30, 4000, seed)
        .iter()
        .map(|r| {
            let other = match r.method {
                Method::GradientDescent => Method::HeavyBall,
                _ => Method::GradientDescent,
            };
            (r.measured.ln() / other.theory_rate(r.kappa).ln() - 1.0).abs()
        })
        .fold(0.0, f64::max)
}

/// Contraction rates of gradient descent, heavy ball and Nesterov on quadratics.
pub const RATES: Check = Check {
    id: "study.momentum-rates",
    identity: "rho_GD = (k-1)/(k+1), rho_HB = (sqrt k - 1)/(sqrt k + 1), rho_Nesterov = 1 - 1/sqrt k (optimal constants)",
    method: "measured per-step rate over the second half of the error path, random quadratics of dimension 30, k = 10, 100, 1000: max |ln rho_measured / ln rho - 1|",
    tolerance: 0.12,
    why: "the double root of the momentum methods biases the measured rate by 2^(2/j) (<= 6 %), the second GD mode at k = 1000 by ~7 %; a wrong rate misses by > 50 %",
    measure: |seed| Measurement::new(check_rates(seed), "3 methods x 3 condition numbers"),
    broken: |seed| Measurement::new(swapped_rate_error(seed), "3 methods x 3 condition numbers"),
    fault: "gradient descent's rate for the momentum methods and heavy ball's for gradient descent",
};
