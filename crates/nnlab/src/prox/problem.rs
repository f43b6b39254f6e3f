//! Seeded sparse-recovery instances for min ½‖Ax − b‖² + λ‖x‖₁, built like the peer script
//! `lasso_fista.py`: A has i.i.d. N(0, 1/m) entries, x_true has k nonzeros N(0, 4) at random
//! positions, b = A x_true + 0.01·noise with N(0, 1) noise. (Same law, not the same numbers as
//! numpy's generator; use the peer's saved A.npy / b.npy to solve its exact instance.)

use super::operator::Dense;
use crate::prob::fill_standard_normal;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::index::sample;

/// A generated instance with its ground truth.
#[derive(Clone, Debug, PartialEq)]
pub struct SparseProblem {
    pub a: Dense,
    pub b: Vec<f64>,
    pub x_true: Vec<f64>,
}

/// The instance with m rows, n columns and k nonzeros (k ≤ n) from `seed`.
pub fn sparse_problem(m: usize, n: usize, k: usize, seed: u64) -> SparseProblem {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut data = vec![0.0; m * n];
    fill_standard_normal(&mut rng, &mut data);
    let scale = 1.0 / (m as f64).sqrt();
    data.iter_mut().for_each(|v| *v *= scale);
    let a = Dense::new(m, n, data).expect("m·n entries");
    let mut x_true = vec![0.0; n];
    let mut vals = vec![0.0; k];
    fill_standard_normal(&mut rng, &mut vals);
    for (pos, v) in sample(&mut rng, n, k.min(n)).into_iter().zip(vals) {
        x_true[pos] = 2.0 * v;
    }
    let mut noise = vec![0.0; m];
    fill_standard_normal(&mut rng, &mut noise);
    let mut b = vec![0.0; m];
    super::operator::Operator::apply(&a, &x_true, &mut b);
    b.iter_mut().zip(&noise).for_each(|(bi, e)| *bi += 0.01 * e);
    SparseProblem { a, b, x_true }
}

/// The support {i : |x_i| > tol}.
pub fn support(x: &[f64], tol: f64) -> Vec<usize> {
    (0..x.len()).filter(|&i| x[i].abs() > tol).collect()
}
