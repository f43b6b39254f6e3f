//! The exact (f64, plain loops) loss and gradient of softmax regression, the reference the Burn
//! training path and the gradient checks are measured against.

use crate::softmax::logsumexp_f64;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A softmax-regression problem in f64: `k` classes, `d` inputs, rows `x` (n×d, row-major),
/// labels `y` (n values below `k`) and the L2 weight `lambda`.
#[derive(Clone, Debug)]
pub struct Problem {
    pub k: usize,
    pub d: usize,
    pub x: Vec<f64>,
    pub y: Vec<usize>,
    pub lambda: f64,
}

/// Parameters in f64: `w` is k×d (row j = the weights of class j), `b` has k values.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    pub w: Vec<f64>,
    pub b: Vec<f64>,
}

/// The objective and its gradient at some parameters.
#[derive(Clone, Debug)]
pub struct LossGrad {
    pub loss: f64,
    pub grad: Params,
}

impl Problem {
    /// Number of examples.
    pub fn n(&self) -> usize {
        self.y.len()
    }

    /// The scores z = W x + b of example `i`.
    pub fn scores(&self, p: &Params, i: usize) -> Vec<f64> {
        let x = &self.x[i * self.d..(i + 1) * self.d];
        (0..self.k)
            .map(|j| {
                let w = &p.w[j * self.d..(j + 1) * self.d];
                p.b[j] + w.iter().zip(x).map(|(a, b)| a * b).sum::<f64>()
            })
            .collect()
    }

    /// The regularized mean cross-entropy and its gradient:
    ///
    /// L(W, b) = (1/n) Σ_i l_i + (λ/2)‖W‖²,  l_i = −log ŷ_{i,y_i} = logsumexp(z_i) − z_{i,y_i},
    /// ŷ_i = softmax(z_i), z_i = W x_i + b;
    ///
    /// ∂L/∂W = (1/n) Σ_i (ŷ_i − y_i) x_iᵀ + λW,  ∂L/∂b = (1/n) Σ_i (ŷ_i − y_i),
    ///
    /// with y_i the one-hot label. Every ŷ_j depends on every z_i (∂ŷ_j/∂z_i = ŷ_j(δ_ij − ŷ_i)),
    /// and the chain rule through all of them collapses to ŷ − y. The bias is not penalized
    /// (as scikit-learn's intercept). log ŷ is computed as z − logsumexp(z), stable for any z.
    pub fn loss_grad(&self, p: &Params) -> LossGrad {
        self.loss_grad_with(p, |yhat, label, j| {
            yhat[j] - f64::from(u8::from(j == label))
        })
    }

    /// The WRONG "own-score-only" gradient: it treats ŷ_j as a function of z_j alone, so
    /// ∂l/∂z_j = −y_j (1 − ŷ_j) (from ∂ log ŷ_j/∂z_j = 1 − ŷ_j) and every other class gets 0.
    /// It agrees with [`Problem::loss_grad`] on the label's own row only; the gradient checks
    /// must reject it.
    pub fn own_score_only_grad(&self, p: &Params) -> LossGrad {
        self.loss_grad_with(
            p,
            |yhat, label, j| {
                if j == label { -(1.0 - yhat[j]) } else { 0.0 }
            },
        )
    }

    /// The objective, and the gradient built from a rule `dz(ŷ, label, j)` = ∂l/∂z_j.
    fn loss_grad_with(&self, p: &Params, dz: impl Fn(&[f64], usize, usize) -> f64) -> LossGrad {
        let (k, d, n) = (self.k, self.d, self.n() as f64);
        let mut gw: Vec<f64> = p.w.iter().map(|w| self.lambda * w).collect();
        let mut gb = vec![0.0; k];
        let mut loss = 0.0;
        for (i, &label) in self.y.iter().enumerate() {
            let z = self.scores(p, i);
            let lse = logsumexp_f64(&z, 1.0);
            loss += (lse - z[label]) / n;
            let yhat: Vec<f64> = z.iter().map(|&zj| (zj - lse).exp()).collect();
            let x = &self.x[i * d..(i + 1) * d];
            for j in 0..k {
                let g = dz(&yhat, label, j) / n;
                gb[j] += g;
                for (gw, xv) in gw[j * d..(j + 1) * d].iter_mut().zip(x) {
                    *gw += g * xv;
                }
            }
        }
        loss += 0.5 * self.lambda * p.w.iter().map(|w| w * w).sum::<f64>();
        LossGrad {
            loss,
            grad: Params { w: gw, b: gb },
        }
    }

    /// A random problem: x ~ U(−1, 1)^d, labels uniform, and random parameters W, b ~ U(−1, 1).
    pub fn random(k: usize, d: usize, n: usize, lambda: f64, seed: u64) -> (Problem, Params) {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut u =
            |m: usize| -> Vec<f64> { (0..m).map(|_| rng.random_range(-1.0..1.0)).collect() };
        let x = u(n * d);
        let w = u(k * d);
        let b = u(k);
        let y = (0..n).map(|_| rng.random_range(0..k)).collect();
        (Problem { k, d, x, y, lambda }, Params { w, b })
    }
}

/// Central differences of the objective, one per parameter (W first, then b): for each θ,
/// (L(θ + h) − L(θ − h)) / 2h with h = 1e-5.
pub fn finite_difference_grad(problem: &Problem, p: &Params) -> Vec<f64> {
    const H: f64 = 1e-5;
    let nw = p.w.len();
    let loss = |theta: &[f64]| {
        let q = Params {
            w: theta[..nw].to_vec(),
            b: theta[nw..].to_vec(),
        };
        problem.loss_grad(&q).loss
    };
    let mut theta: Vec<f64> = p.w.iter().chain(&p.b).copied().collect();
    (0..theta.len())
        .map(|t| {
            let orig = theta[t];
            theta[t] = orig + H;
            let up = loss(&theta);
            theta[t] = orig - H;
            let down = loss(&theta);
            theta[t] = orig;
            (up - down) / (2.0 * H)
        })
        .collect()
}

/// Largest relative error max_t |g_t − f_t| / max(|f_t|, 1e-3) between a gradient `g` and the
/// finite differences `f` (the floor keeps near-zero components from dividing by ~0).
pub fn max_relative_error(g: &Params, fd: &[f64]) -> f64 {
    g.w.iter()
        .chain(&g.b)
        .zip(fd)
        .map(|(a, f)| (a - f).abs() / f.abs().max(1e-3))
        .fold(0.0, f64::max)
}

/// Tolerance of [`check_gradient`]. The central difference has truncation error
/// h²/6 · |L'''| ≈ 1e-11 (h = 1e-5, third derivatives of order 1 on these unit-scale data) and
/// rounding error ε·|L|/h ≈ 1e-16 · 3 / 1e-5 ≈ 3e-11; relative to components floored at 1e-3
/// that is below 1e-7. 1e-6 leaves margin; a wrong formula is off by O(1) relative.
pub const GRADCHECK_TOLERANCE: f64 = 1e-6;

/// The finite-difference gradient check of [`Problem::loss_grad`] on a random problem
/// (5 classes, 7 inputs, 12 examples, λ = 0.1) drawn from `seed`: returns the measured max
/// relative error and the tolerance it must stay below.
pub fn check_gradient(seed: u64) -> (f64, f64) {
    let (problem, p) = Problem::random(5, 7, 12, 0.1, seed);
    let g = problem.loss_grad(&p).grad;
    let fd = finite_difference_grad(&problem, &p);
    (max_relative_error(&g, &fd), GRADCHECK_TOLERANCE)
}

/// The relative gradient-check error of the gradient rule `grad` on the random problem of
/// [`check_gradient`] drawn from `seed`.
pub fn gradcheck_of(
    grad: fn(&Problem, &Params) -> LossGrad,
    seed: u64,
) -> crate::verify::Measurement {
    let (problem, p) = Problem::random(5, 7, 12, 0.1, seed);
    let g = grad(&problem, &p).grad;
    let fd = finite_difference_grad(&problem, &p);
    crate::verify::Measurement::new(
        max_relative_error(&g, &fd),
        "5 classes, 7 inputs, 12 examples, lambda 0.1; f64 central differences, h = 1e-5",
    )
}

/// Proof-sheet row: the softmax-regression gradient (ŷ − y)xᵀ + λW against finite differences.
pub const GRADIENT_CHECK: crate::verify::Check = crate::verify::Check {
    id: "softmax-regression.gradient",
    identity: "d/dW [-sum_j y_j log softmax(Wx+b)_j + (lambda/2)||W||^2] = (yhat - y) x^T + lambda W, d/db = yhat - y",
    method: "finite differences in f64 (central, h = 1e-5), max relative error over all entries",
    tolerance: GRADCHECK_TOLERANCE,
    why: "truncation h^2/6 |L'''| ~ 1e-11 plus rounding eps |L|/h ~ 3e-11, relative to entries floored at 1e-3",
    measure: |seed| gradcheck_of(Problem::loss_grad, seed),
    broken: |seed| gradcheck_of(Problem::own_score_only_grad, seed),
    fault: "the own-score-only gradient dl/dz_j = -y_j (1 - yhat_j) (yhat_j as a function of z_j alone)",
};
