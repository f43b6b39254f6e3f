//! Linear operators A: ℝⁿ → ℝᵐ in f64 given by their action and their adjoint (dense matrices,
//! 2-D blurs), the largest eigenvalue of AᵀA by power iteration (the Lipschitz constant
//! L = ‖A‖₂² of ∇½‖Ax − b‖²), and the bridge to [`crate::ops`]'s dot-product test.

use crate::ops::LinearOp;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A linear map given by y = A x and x = Aᵀ y on flat vectors.
pub trait Operator {
    /// m, the output length.
    fn rows(&self) -> usize;
    /// n, the input length.
    fn cols(&self) -> usize;
    /// y = A x (`x.len()` = cols, `y.len()` = rows).
    fn apply(&self, x: &[f64], y: &mut [f64]);
    /// x = Aᵀ y (`y.len()` = rows, `x.len()` = cols).
    fn adjoint(&self, y: &[f64], x: &mut [f64]);
}

/// A dense m × n matrix, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Dense {
    pub rows: usize,
    pub cols: usize,
    /// rows·cols entries, row after row.
    pub data: Vec<f64>,
}

impl Dense {
    /// The matrix from its row-major entries; `None` if the length is not rows·cols.
    pub fn new(rows: usize, cols: usize, data: Vec<f64>) -> Option<Self> {
        (rows.checked_mul(cols) == Some(data.len())).then_some(Self { rows, cols, data })
    }

    /// Row i.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }
}

/// ⟨a, b⟩ with eight independent partial sums (so the compiler can vectorize it).
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    acc.iter().sum::<f64>() + tail
}

/// ‖a‖₂.
pub fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

impl Operator for Dense {
    fn rows(&self) -> usize {
        self.rows
    }
    fn cols(&self) -> usize {
        self.cols
    }
    fn apply(&self, x: &[f64], y: &mut [f64]) {
        for (i, yi) in y.iter_mut().enumerate() {
            *yi = dot(self.row(i), x);
        }
    }
    fn adjoint(&self, y: &[f64], x: &mut [f64]) {
        x.fill(0.0);
        for (i, &yi) in y.iter().enumerate() {
            for (xj, a) in x.iter_mut().zip(self.row(i)) {
                *xj += yi * a;
            }
        }
    }
}

/// The largest eigenvalue of AᵀA (= ‖A‖₂², the Lipschitz constant of ∇½‖Ax − b‖²) by power
/// iteration v ← AᵀAv/‖AᵀAv‖ from a seeded random start, using only A and Aᵀ. Returns the
/// Rayleigh quotient ‖Av‖² (v unit) once it changes by less than `rel_tol` relatively, or
/// after `max_iter` steps. It approaches from below: the error of the quotient decays like
/// (λ₂/λ₁)^{2k}. Returns 0 for A = 0.
pub fn power_iteration(op: &dyn Operator, max_iter: usize, rel_tol: f64, seed: u64) -> f64 {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut v: Vec<f64> = (0..op.cols())
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    let mut av = vec![0.0; op.rows()];
    let mut w = vec![0.0; op.cols()];
    let mut lambda = 0.0;
    for _ in 0..max_iter.max(1) {
        let nv = norm(&v);
        if nv == 0.0 {
            return 0.0;
        }
        v.iter_mut().for_each(|a| *a /= nv);
        op.apply(&v, &mut av);
        let next = dot(&av, &av);
        op.adjoint(&av, &mut w);
        std::mem::swap(&mut v, &mut w);
        let done = (next - lambda).abs() <= rel_tol * next;
        lambda = next;
        if done {
            break;
        }
    }
    lambda
}

/// `op` and its adjoint as [`LinearOp`]s on f32 vectors, for [`crate::ops::dot_product_test`].
pub fn linear_ops(op: &dyn Operator) -> (LinearOp<'_>, LinearOp<'_>) {
    let (m, n) = (op.rows(), op.cols());
    let forward = LinearOp::new(vec![n], vec![m], move |x| {
        let x: Vec<f64> = x.iter().map(|&a| a as f64).collect();
        let mut y = vec![0.0; m];
        op.apply(&x, &mut y);
        y.into_iter().map(|a| a as f32).collect()
    });
    let adjoint = LinearOp::new(vec![m], vec![n], move |y| {
        let y: Vec<f64> = y.iter().map(|&a| a as f64).collect();
        let mut x = vec![0.0; n];
        op.adjoint(&y, &mut x);
        x.into_iter().map(|a| a as f32).collect()
    });
    (forward, adjoint)
}
