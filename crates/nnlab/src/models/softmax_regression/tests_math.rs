//! Checks of the exact loss and gradient: finite differences, rejection of the wrong
//! own-score-only gradient, convexity along random segments, and the two-class case.

use super::math::*;
use crate::softmax::sigmoid_f64;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

#[test]
fn gradient_matches_finite_differences() {
    for seed in 0..4 {
        let (err, tol) = check_gradient(seed);
        assert!(
            err < tol,
            "seed {seed}: max relative error {err:e} ≥ {tol:e}"
        );
    }
    // Larger scores (|z| up to ~20) and no penalty: the stable log-softmax keeps it exact.
    let (mut problem, mut p) = Problem::random(4, 6, 9, 0.0, 7);
    p.w.iter_mut().for_each(|w| *w *= 5.0);
    problem.lambda = 0.0;
    let g = problem.loss_grad(&p).grad;
    let fd = finite_difference_grad(&problem, &p);
    // Third derivatives grow with |x|·|W|; h²/6·|L'''| stays below 1e-8 here.
    assert!(max_relative_error(&g, &fd) < 1e-5);
}

#[test]
fn own_score_only_gradient_fails_the_check() {
    for seed in 0..4 {
        let (problem, p) = Problem::random(5, 7, 12, 0.1, seed);
        let wrong = problem.own_score_only_grad(&p).grad;
        let fd = finite_difference_grad(&problem, &p);
        let err = max_relative_error(&wrong, &fd);
        // Off-label rows get 0 instead of ŷ_j x/n: an O(1) relative error, far above 1e-6.
        assert!(
            err > 0.1,
            "seed {seed}: the wrong gradient passed ({err:e})"
        );
        // The right one passes on the same problem and the same differences.
        let right = problem.loss_grad(&p).grad;
        assert!(max_relative_error(&right, &fd) < GRADCHECK_TOLERANCE);
    }
}

#[test]
fn loss_is_convex_along_random_segments() {
    let mut rng = StdRng::seed_from_u64(11);
    for seed in 0..20 {
        let (problem, a) = Problem::random(4, 5, 10, 0.01, seed);
        let (_, mut c) = Problem::random(4, 5, 10, 0.01, seed + 100);
        c.w.iter_mut().for_each(|w| *w *= 4.0);
        let (la, lc) = (problem.loss_grad(&a).loss, problem.loss_grad(&c).loss);
        for _ in 0..10 {
            let t: f64 = rng.random();
            let mix = |u: &[f64], v: &[f64]| -> Vec<f64> {
                u.iter()
                    .zip(v)
                    .map(|(x, y)| t * x + (1.0 - t) * y)
                    .collect()
            };
            let m = Params {
                w: mix(&a.w, &c.w),
                b: mix(&a.b, &c.b),
            };
            let lm = problem.loss_grad(&m).loss;
            // L(tθ₁ + (1−t)θ₂) ≤ t L(θ₁) + (1−t) L(θ₂); 1e-12 absorbs f64 rounding of O(10) sums.
            assert!(lm <= t * la + (1.0 - t) * lc + 1e-12, "seed {seed} t {t}");
        }
    }
}

#[test]
fn convexity_check_can_fail() {
    // The same segment test rejects a non-convex function (−‖θ‖²), so it is not vacuous.
    let f = |x: f64| -x * x;
    let (a, c, t) = (-1.0, 2.0, 0.5);
    assert!(f(t * a + (1.0 - t) * c) > t * f(a) + (1.0 - t) * f(c));
}

#[test]
fn two_classes_reduce_to_logistic_regression() {
    let (problem, p) = Problem::random(2, 5, 15, 0.0, 3);
    let LossGrad { loss, grad } = problem.loss_grad(&p);
    let n = problem.n() as f64;
    let d = problem.d;
    // With u = w₁ − w₀, c = b₁ − b₀ and t = [y = 1]: l = −t log σ(uᵀx + c) − (1 − t) log(1 − σ(..)),
    // and ∂l/∂w₁ = −∂l/∂w₀ = (σ(uᵀx + c) − t) x.
    let mut want_loss = 0.0;
    let mut want_g1 = vec![0.0; d];
    for i in 0..problem.n() {
        let z = problem.scores(&p, i);
        let s = sigmoid_f64(z[1] - z[0]);
        let t = if problem.y[i] == 1 { 1.0 } else { 0.0 };
        want_loss -= (t * s.ln() + (1.0 - t) * (1.0 - s).ln()) / n;
        for (g, x) in want_g1.iter_mut().zip(&problem.x[i * d..(i + 1) * d]) {
            *g += (s - t) * x / n;
        }
    }
    // f64 sums of 15 O(1) terms: rounding ~1e-15; 1e-12 is safe.
    assert!((loss - want_loss).abs() < 1e-12, "{loss} vs {want_loss}");
    for (j, want) in want_g1.iter().enumerate() {
        assert!((grad.w[d + j] - want).abs() < 1e-12);
        assert!((grad.w[j] + want).abs() < 1e-12);
    }
}
