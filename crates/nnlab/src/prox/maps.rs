//! Proximal maps prox_{tg}(v) = argmin_x ½‖x − v‖² + t·g(x) of the penalties g the solvers
//! accept: λ‖·‖₁ (soft thresholding), the nonnegativity constraint (projection), λ‖·‖₂ (block
//! soft thresholding) and λ‖·‖₁ restricted to a box [0, hi] (shifted clipping).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A convex penalty g with a computable proximal map.
pub trait Penalty {
    /// g(x); +∞ outside the domain of a constraint.
    fn value(&self, x: &[f64]) -> f64;
    /// Writes prox_{tg}(v) = argmin_x ½‖x − v‖² + t·g(x) into `out` (t > 0).
    fn prox(&self, v: &[f64], t: f64, out: &mut [f64]);
}

/// Soft thresholding S_τ(v) = sign(v)·max(|v| − τ, 0), the proximal map of τ|·|: it minimizes
/// ½(x − v)² + τ|x|, whose optimality condition v − x ∈ τ∂|x| reads x = v − τ·sign(x) for
/// x ≠ 0 and |v| ≤ τ for x = 0.
pub fn soft_threshold(v: f64, tau: f64) -> f64 {
    if v > tau {
        v - tau
    } else if v < -tau {
        v + tau
    } else {
        0.0
    }
}

/// Block soft thresholding: prox of τ‖·‖₂ (the Euclidean norm, not squared) is
/// v·max(1 − τ/‖v‖₂, 0): the whole block shrinks toward 0 and vanishes when ‖v‖₂ ≤ τ.
/// Optimality: v − x = τ x/‖x‖₂ for x ≠ 0, ‖v‖₂ ≤ τ for x = 0.
pub fn block_soft_threshold(v: &[f64], tau: f64, out: &mut [f64]) {
    let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
    let scale = if norm > tau { 1.0 - tau / norm } else { 0.0 };
    for (o, a) in out.iter_mut().zip(v) {
        *o = scale * a;
    }
}

/// g(x) = λ‖x‖₁; prox_{tg} = S_{tλ} entrywise.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct L1 {
    pub lambda: f64,
}

impl Penalty for L1 {
    fn value(&self, x: &[f64]) -> f64 {
        self.lambda * x.iter().map(|a| a.abs()).sum::<f64>()
    }
    fn prox(&self, v: &[f64], t: f64, out: &mut [f64]) {
        let tau = t * self.lambda;
        for (o, &a) in out.iter_mut().zip(v) {
            *o = soft_threshold(a, tau);
        }
    }
}

/// g(x) = ι_{x ≥ 0}(x), the nonnegativity constraint; prox = projection max(v, 0) (any t).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NonNegative;

impl Penalty for NonNegative {
    fn value(&self, x: &[f64]) -> f64 {
        if x.iter().all(|&a| a >= 0.0) {
            0.0
        } else {
            f64::INFINITY
        }
    }
    fn prox(&self, v: &[f64], _t: f64, out: &mut [f64]) {
        for (o, &a) in out.iter_mut().zip(v) {
            *o = a.max(0.0);
        }
    }
}

/// g(x) = λ‖x‖₂ on consecutive blocks of `block` entries (group lasso; `block` = length of x
/// is the plain norm); prox = [`block_soft_threshold`] with τ = tλ on each block.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GroupL2 {
    pub lambda: f64,
    pub block: usize,
}

impl Penalty for GroupL2 {
    fn value(&self, x: &[f64]) -> f64 {
        x.chunks(self.block.max(1))
            .map(|c| c.iter().map(|a| a * a).sum::<f64>().sqrt())
            .sum::<f64>()
            * self.lambda
    }
    fn prox(&self, v: &[f64], t: f64, out: &mut [f64]) {
        let b = self.block.max(1);
        for (vc, oc) in v.chunks(b).zip(out.chunks_mut(b)) {
            block_soft_threshold(vc, t * self.lambda, oc);
        }
    }
}

/// g(x) = λ‖x‖₁ + ι_{[0, hi]ⁿ}(x): sparse pixels in a box. On the box |x| = x, so
/// ½(x − v)² + tλx = ½(x − (v − tλ))² + const and prox_{tg}(v) = clip(v − tλ, 0, hi).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct L1Box {
    pub lambda: f64,
    pub hi: f64,
}

impl Penalty for L1Box {
    fn value(&self, x: &[f64]) -> f64 {
        if x.iter().all(|&a| (0.0..=self.hi).contains(&a)) {
            self.lambda * x.iter().sum::<f64>()
        } else {
            f64::INFINITY
        }
    }
    fn prox(&self, v: &[f64], t: f64, out: &mut [f64]) {
        for (o, &a) in out.iter_mut().zip(v) {
            *o = (a - t * self.lambda).clamp(0.0, self.hi);
        }
    }
}

/// The distance of v − x from τ∂|x| (0 iff x = S_τ(v)): |v − x − τ·sign(x)| for x ≠ 0 and
/// max(|v − x| − τ, 0) for x = 0.
pub fn soft_threshold_residual(v: f64, x: f64, tau: f64) -> f64 {
    let r = v - x;
    if x == 0.0 {
        (r.abs() - tau).max(0.0)
    } else {
        (r - tau * x.signum()).abs()
    }
}

/// The optimality check of soft thresholding for the verify sheet: 1000 seeded pairs (v, τ)
/// with v ∈ [−3, 3], τ ∈ (0, 2]; returns (max residual of v − S_τ(v) ∈ τ∂|S_τ(v)|, tolerance).
/// The residual is v − (v ∓ τ) ∓ τ in floating point: a few ulps of |v| ≤ 3, so 1e-14.
pub fn check_soft_threshold(seed: u64) -> (f64, f64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let err = (0..1000)
        .map(|_| {
            let v = rng.random_range(-3.0..3.0);
            let tau = rng.random_range(1e-3..2.0);
            soft_threshold_residual(v, soft_threshold(v, tau), tau)
        })
        .fold(0.0, f64::max);
    (err, 1e-14)
}

/// The worst optimality residual of the scalar map `prox` as the prox of τ|·| over the 1000
/// seeded pairs (v, τ) of [`check_soft_threshold`].
pub fn prox_l1_residual(prox: fn(f64, f64) -> f64, seed: u64) -> crate::verify::Measurement {
    let mut rng = StdRng::seed_from_u64(seed);
    let err = (0..1000)
        .map(|_| {
            let v = rng.random_range(-3.0..3.0);
            let tau = rng.random_range(1e-3..2.0);
            soft_threshold_residual(v, prox(v, tau), tau)
        })
        .fold(0.0, f64::max);
    crate::verify::Measurement::new(err, "1000 pairs v in [-3, 3], tau in (0, 2]")
}

/// Proof-sheet row: soft thresholding is the proximal map of τ‖·‖₁.
pub const SOFT_THRESHOLD_CHECK: crate::verify::Check = crate::verify::Check {
    id: "prox.soft-threshold",
    identity: "x = S_tau(v) = sign(v) max(|v| - tau, 0) satisfies v - x in tau d|x| (x = prox of tau|.| at v)",
    method: "optimality condition, exact arithmetic up to rounding, 1000 seeded (v, tau)",
    tolerance: 1e-14,
    why: "the residual is v - (v -+ tau) -+ tau in floating point: a few ulps of |v| <= 3",
    measure: |seed| prox_l1_residual(soft_threshold, seed),
    broken: |seed| prox_l1_residual(|v, tau| if v.abs() > tau { v } else { 0.0 }, seed),
    fault: "hard thresholding v 1{|v| > tau}",
};
