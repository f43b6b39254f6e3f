//! The proximal maps minimize ½‖x − v‖² + t·g(x): checked against brute force on a grid and
//! against the optimality condition v − x ∈ t∂g(x); plausible wrong formulas fail both.

use super::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Grid spacing of the 1-D brute force. A convex function's grid minimizer is a grid
/// neighbour of its true minimizer, so the two agree to within H.
const H: f64 = 1e-4;

/// The minimizer of ½(x − v)² + pen(x) over the grid −4, −4 + H, …, 4 and its value.
fn grid_min(v: f64, pen: impl Fn(f64) -> f64) -> (f64, f64) {
    (0..=(8.0 / H) as usize)
        .map(|i| -4.0 + i as f64 * H)
        .map(|x| (x, 0.5 * (x - v) * (x - v) + pen(x)))
        .fold(
            (f64::NAN, f64::INFINITY),
            |b, c| if c.1 < b.1 { c } else { b },
        )
}

/// Largest disagreement of `prox` with brute force over seeded (v, τ): the distance to the
/// grid minimizer minus H (≤ 0 when it agrees), and the excess of its objective over the grid
/// minimum (≤ rounding when it is the true minimizer).
fn brute_force_gap(
    prox: impl Fn(f64, f64) -> f64,
    pen: impl Fn(f64, f64) -> f64,
    seed: u64,
) -> f64 {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut worst = f64::NEG_INFINITY;
    for _ in 0..60 {
        let v: f64 = rng.random_range(-3.0..3.0);
        let tau: f64 = rng.random_range(0.05..1.5);
        let x = prox(v, tau);
        let (xg, fg) = grid_min(v, |y| pen(y, tau));
        let fx = 0.5 * (x - v) * (x - v) + pen(x, tau);
        worst = worst.max((x - xg).abs() - H).max(fx - fg - 1e-12);
    }
    worst
}

#[test]
fn soft_threshold_minimizes_l1_prox_objective_on_a_grid() {
    let gap = brute_force_gap(soft_threshold, |x, t| t * x.abs(), 1);
    assert!(
        gap <= 0.0,
        "soft thresholding misses the grid minimum by {gap}"
    );
}

#[test]
fn hard_thresholding_fails_the_brute_force_check() {
    let hard = |v: f64, t: f64| if v.abs() > t { v } else { 0.0 };
    let gap = brute_force_gap(hard, |x, t| t * x.abs(), 1);
    assert!(gap > 0.1, "the wrong prox must fail; gap {gap}");
}

#[test]
fn soft_threshold_satisfies_the_optimality_condition() {
    for seed in 0..3 {
        let (err, tol) = check_soft_threshold(seed);
        assert!(err <= tol, "residual {err} > {tol}");
    }
    // Shrinking without the max(·, 0) (x = v − τ sign v) violates 0 ∈ ... for |v| < τ.
    assert!(soft_threshold_residual(0.3, 0.3 - 1.0, 1.0) > 0.5);
    assert_eq!(soft_threshold(0.3, 1.0), 0.0);
}

#[test]
fn l1_penalty_prox_is_entrywise_soft_threshold_with_t_lambda() {
    let g = L1 { lambda: 0.5 };
    let mut out = [0.0; 4];
    g.prox(&[2.0, -0.2, -3.0, 0.9], 2.0, &mut out);
    assert_eq!(out, [1.0, 0.0, -2.0, 0.0]);
    assert_eq!(g.value(&[1.0, -2.0]), 1.5);
}

#[test]
fn nonnegativity_and_l1_box_proxes_minimize_on_a_grid() {
    let boxed = |lo: f64, hi: f64, x: f64| {
        if (lo..=hi).contains(&x) {
            0.0
        } else {
            f64::INFINITY
        }
    };
    let nn = |v: f64, _t: f64| {
        let mut o = [0.0];
        NonNegative.prox(&[v], 1.0, &mut o);
        o[0]
    };
    let gap = brute_force_gap(nn, |x, _| boxed(0.0, 10.0, x), 2);
    assert!(gap <= 0.0, "projection on x ≥ 0: gap {gap}");
    let l1box = |v: f64, t: f64| {
        let mut o = [0.0];
        L1Box { lambda: t, hi: 1.0 }.prox(&[v], 1.0, &mut o);
        o[0]
    };
    let gap = brute_force_gap(l1box, |x, t| t * x.abs() + boxed(0.0, 1.0, x), 3);
    assert!(gap <= 0.0, "λ‖·‖₁ on [0, 1]: gap {gap}");
    // Clipping before shrinking, clip(v, 0, 1) − tλ, is a plausible wrong order: it fails.
    let wrong = |v: f64, t: f64| v.clamp(0.0, 1.0) - t;
    assert!(brute_force_gap(wrong, |x, t| t * x.abs() + boxed(0.0, 1.0, x), 3) > 0.01);
}

/// max over seeded v ∈ [−2, 2]², τ of the residual of v − x ∈ τ∂‖x‖₂ at x = prox(v, τ).
fn block_residual(prox: impl Fn(&[f64], f64) -> Vec<f64>) -> f64 {
    let mut rng = StdRng::seed_from_u64(4);
    (0..200)
        .map(|_| {
            let v = [rng.random_range(-2.0..2.0), rng.random_range(-2.0..2.0)];
            let tau = rng.random_range(0.05..2.0);
            let x = prox(&v, tau);
            let nx = norm(&x);
            if nx == 0.0 {
                (norm(&v) - tau).max(0.0)
            } else {
                (0..2)
                    .map(|i| (v[i] - x[i] - tau * x[i] / nx).abs())
                    .fold(0.0, f64::max)
            }
        })
        .fold(0.0, f64::max)
}

#[test]
fn block_soft_threshold_satisfies_optimality_and_wrong_entrywise_shrink_fails() {
    let block = |v: &[f64], t: f64| {
        let mut o = vec![0.0; v.len()];
        block_soft_threshold(v, t, &mut o);
        o
    };
    // v − x = τ x/‖x‖ holds up to rounding of numbers of size ≤ 3.
    assert!(block_residual(block) <= 1e-14);
    let entrywise = |v: &[f64], t: f64| v.iter().map(|&a| soft_threshold(a, t)).collect();
    assert!(block_residual(entrywise) > 0.1);
}

#[test]
fn block_soft_threshold_minimizes_on_a_2d_grid() {
    let (v, tau) = ([1.2, -0.7], 0.6);
    let g = GroupL2 {
        lambda: tau,
        block: 2,
    };
    let mut x = [0.0; 2];
    g.prox(&v, 1.0, &mut x);
    let phi = |p: [f64; 2]| 0.5 * ((p[0] - v[0]).powi(2) + (p[1] - v[1]).powi(2)) + g.value(&p);
    let h = 2e-3;
    let grid = (0..=1000)
        .flat_map(|i| (0..=1000).map(move |j| [-1.0 + i as f64 * h, -1.0 + j as f64 * h]));
    let best = grid.fold(([0.0; 2], f64::INFINITY), |b, p| {
        let f = phi(p);
        if f < b.1 { (p, f) } else { b }
    });
    assert!(phi(x) <= best.1 + 1e-12, "{} > {}", phi(x), best.1);
    // ‖x*‖ = ‖v‖ − τ ≈ 0.79 > τ, so near x* φ is smooth with Hessian ≤ (1 + τ/‖x‖)I ≤ 2I: the
    // nearest grid point (within h/√2) has φ − φ* ≤ h²/2, and 1-strong convexity gives
    // ½‖x_g − x*‖² ≤ φ(x_g) − φ* ≤ h²/2, i.e. ‖x_g − x*‖ ≤ h (2h leaves room for rounding).
    assert!(norm(&[x[0] - best.0[0], x[1] - best.0[1]]) <= 2.0 * h);
}
