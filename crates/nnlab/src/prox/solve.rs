//! Solvers for min_x F(x) = f(x) + g(x) with f smooth (∇f L-Lipschitz) and g a [`Penalty`]:
//! the proximal gradient method (ISTA), its accelerated form (FISTA), both with a fixed step
//! 1/L or backtracking, and the subgradient method for f + λ‖·‖₁. The gradient map
//! G_t(x) = (x − prox_{tg}(x − t∇f(x)))/t is the stopping criterion (‖G_t‖ ≤ tol) and is
//! reported: it vanishes exactly at the minimizers.

use super::maps::Penalty;
use super::operator::{Operator, dot, norm};

/// A differentiable function with a gradient.
pub trait Smooth {
    /// The input length.
    fn dim(&self) -> usize;
    /// f(x).
    fn value(&self, x: &[f64]) -> f64;
    /// f(x), writing ∇f(x) into `grad`.
    fn value_grad(&self, x: &[f64], grad: &mut [f64]) -> f64;
}

/// f(x) = ½‖Ax − b‖², ∇f(x) = Aᵀ(Ax − b), Lipschitz constant ‖A‖₂² = λ_max(AᵀA).
pub struct LeastSquares<'a> {
    pub op: &'a dyn Operator,
    pub b: &'a [f64],
}

impl LeastSquares<'_> {
    fn residual(&self, x: &[f64]) -> Vec<f64> {
        let mut r = vec![0.0; self.op.rows()];
        self.op.apply(x, &mut r);
        r.iter_mut().zip(self.b).for_each(|(ri, bi)| *ri -= bi);
        r
    }
}

impl Smooth for LeastSquares<'_> {
    fn dim(&self) -> usize {
        self.op.cols()
    }
    fn value(&self, x: &[f64]) -> f64 {
        let r = self.residual(x);
        0.5 * dot(&r, &r)
    }
    fn value_grad(&self, x: &[f64], grad: &mut [f64]) -> f64 {
        let r = self.residual(x);
        self.op.adjoint(&r, grad);
        0.5 * dot(&r, &r)
    }
}

/// How the step t = 1/L is chosen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Step {
    /// L known (e.g. from [`super::power_iteration`]).
    Fixed { lipschitz: f64 },
    /// L unknown: start from `initial` and multiply by `factor` > 1 until the sufficient
    /// decrease f(p) ≤ f(y) + ⟨∇f(y), p − y⟩ + (L/2)‖p − y‖² holds at p = prox_{g/L}(y − ∇f(y)/L)
    /// (Beck–Teboulle); L never decreases.
    Backtracking { initial: f64, factor: f64 },
}

/// Settings of the proximal gradient solvers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Options {
    pub max_iter: usize,
    /// Stop once ‖G_t‖₂ ≤ tol at the point the step is taken from.
    pub tol: f64,
    pub step: Step,
    /// Record F(x_k) for every k (one extra evaluation of f per iteration).
    pub record: bool,
}

/// What a solver returns.
#[derive(Clone, Debug, PartialEq)]
pub struct Solution {
    pub x: Vec<f64>,
    /// F(x) = f(x) + g(x) at the returned x.
    pub objective: f64,
    pub iterations: usize,
    /// ‖G_{1/L}(x)‖₂ at the returned x (subgradient method: ‖G_{1/L}‖ with the L it was given).
    pub grad_map_norm: f64,
    /// Whether the stopping test ‖G_t‖ ≤ tol was met before `max_iter`.
    pub converged: bool,
    /// The L of the last step.
    pub lipschitz: f64,
    /// F(x_k) for k = 0, 1, …, iterations when recorded (subgradient method: the best F so far).
    pub history: Vec<f64>,
}

/// The gradient map G_t(x) = (x − prox_{tg}(x − t∇f(x)))/t. For g = 0 it is ∇f(x); x minimizes
/// f + g iff G_t(x) = 0, and F decreases by at least (t/2)‖G_t‖² along a step when t ≤ 1/L.
pub fn gradient_map(f: &dyn Smooth, g: &dyn Penalty, x: &[f64], t: f64) -> Vec<f64> {
    let mut grad = vec![0.0; x.len()];
    f.value_grad(x, &mut grad);
    let v: Vec<f64> = x.iter().zip(&grad).map(|(a, d)| a - t * d).collect();
    let mut p = vec![0.0; x.len()];
    g.prox(&v, t, &mut p);
    x.iter().zip(&p).map(|(a, q)| (a - q) / t).collect()
}

/// ISTA: x_{k+1} = prox_{tg}(x_k − t∇f(x_k)), t = 1/L. F(x_k) − F* ≤ L‖x₀ − x*‖²/(2k).
pub fn ista(
    f: &dyn Smooth,
    g: &dyn Penalty,
    x0: &[f64],
    opts: &Options,
    on_iter: &mut dyn FnMut(usize, &[f64]),
) -> Solution {
    proximal_gradient(f, g, x0, opts, false, on_iter)
}

/// FISTA (Beck–Teboulle): x_k = prox_{tg}(y_k − t∇f(y_k)), t_{k+1} = (1 + √(1 + 4t_k²))/2,
/// y_{k+1} = x_k + ((t_k − 1)/t_{k+1})(x_k − x_{k−1}), y₁ = x₀, t₁ = 1.
/// F(x_k) − F* ≤ 2L‖x₀ − x*‖²/(k + 1)² (with backtracking, L → ηL).
pub fn fista(
    f: &dyn Smooth,
    g: &dyn Penalty,
    x0: &[f64],
    opts: &Options,
    on_iter: &mut dyn FnMut(usize, &[f64]),
) -> Solution {
    proximal_gradient(f, g, x0, opts, true, on_iter)
}

fn proximal_gradient(
    f: &dyn Smooth,
    g: &dyn Penalty,
    x0: &[f64],
    opts: &Options,
    accelerated: bool,
    on_iter: &mut dyn FnMut(usize, &[f64]),
) -> Solution {
    let n = x0.len();
    let (mut lip, factor) = match opts.step {
        Step::Fixed { lipschitz } => (lipschitz, None),
        Step::Backtracking { initial, factor } => (initial, Some(factor)),
    };
    let mut x = x0.to_vec();
    let mut y = x0.to_vec();
    let mut x_prev = x0.to_vec();
    let (mut grad, mut v, mut p) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let mut t_k = 1.0f64;
    let mut history = Vec::new();
    if opts.record {
        history.push(f.value(&x) + g.value(&x));
    }
    let mut converged = false;
    let mut iterations = 0;
    for k in 1..=opts.max_iter {
        let fy = f.value_grad(&y, &mut grad);
        loop {
            let t = 1.0 / lip;
            v.iter_mut()
                .zip(y.iter().zip(&grad))
                .for_each(|(vi, (yi, gi))| *vi = yi - t * gi);
            g.prox(&v, t, &mut p);
            let Some(eta) = factor else { break };
            let d: Vec<f64> = p.iter().zip(&y).map(|(a, b)| a - b).collect();
            let model = fy + dot(&grad, &d) + 0.5 * lip * dot(&d, &d);
            // A relative slack of 1e-12 keeps rounding in f(p) from inflating L forever.
            if f.value(&p) <= model + 1e-12 * fy.abs() || !lip.is_finite() {
                break;
            }
            lip *= eta;
        }
        let gmap = y
            .iter()
            .zip(&p)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt()
            * lip;
        std::mem::swap(&mut x_prev, &mut x);
        x.copy_from_slice(&p);
        if accelerated {
            let t_next = (1.0 + (1.0 + 4.0 * t_k * t_k).sqrt()) / 2.0;
            let beta = (t_k - 1.0) / t_next;
            y.iter_mut()
                .zip(x.iter().zip(&x_prev))
                .for_each(|(yi, (a, b))| *yi = a + beta * (a - b));
            t_k = t_next;
        } else {
            y.copy_from_slice(&x);
        }
        if opts.record {
            history.push(f.value(&x) + g.value(&x));
        }
        on_iter(k, &x);
        iterations = k;
        if gmap <= opts.tol {
            converged = true;
            break;
        }
    }
    let grad_map_norm = norm(&gradient_map(f, g, &x, 1.0 / lip));
    Solution {
        objective: f.value(&x) + g.value(&x),
        x,
        iterations,
        grad_map_norm,
        converged,
        lipschitz: lip,
        history,
    }
}

/// The subgradient method for F = f + λ‖·‖₁: x_{k+1} = x_k − α_k s_k with the subgradient
/// s_k = ∇f(x_k) + λ·sign(x_k) and diminishing steps α_k = 1/(L√(k+1)). F(x_k) is not
/// monotone; the history holds the best F so far, which converges like O(1/√k). The returned
/// x is the best iterate.
pub fn subgradient(
    f: &dyn Smooth,
    lambda: f64,
    lipschitz: f64,
    x0: &[f64],
    iterations: usize,
) -> Solution {
    let l1 = super::maps::L1 { lambda };
    let objective = |x: &[f64]| f.value(x) + l1.value(x);
    let mut x = x0.to_vec();
    let mut grad = vec![0.0; x.len()];
    let mut best = x.clone();
    let mut best_f = objective(&x);
    let mut history = vec![best_f];
    for k in 0..iterations {
        let fx = f.value_grad(&x, &mut grad) + l1.value(&x);
        if fx < best_f {
            best_f = fx;
            best.copy_from_slice(&x);
        }
        let alpha = 1.0 / (lipschitz * ((k + 1) as f64).sqrt());
        for (xi, gi) in x.iter_mut().zip(&grad) {
            let s = gi + lambda * if *xi == 0.0 { 0.0 } else { xi.signum() };
            *xi -= alpha * s;
        }
        if k > 0 {
            history.push(best_f);
        }
    }
    let fx = objective(&x);
    if fx < best_f {
        best_f = fx;
        best.copy_from_slice(&x);
    }
    history.push(best_f);
    let grad_map_norm = norm(&gradient_map(f, &l1, &best, 1.0 / lipschitz));
    Solution {
        x: best,
        objective: best_f,
        iterations,
        grad_map_norm,
        converged: false,
        lipschitz,
        history,
    }
}
