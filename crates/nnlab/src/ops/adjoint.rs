//! Linear operators on flat `f32` vectors, their explicit matrices and the dot-product
//! (adjoint) test ⟨T x, y⟩ = ⟨x, Tᵀ y⟩.
//!
//! An operator maps a flat vector of length `in_len` (a tensor of shape `in_shape`, row-major)
//! to a flat vector of length `out_len`; the closure inside reshapes to whatever 3-D / 4-D
//! layout the underlying Burn op expects.

use burn::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A closure mapping a flat input vector to a flat output vector.
type FlatMap<'a> = Box<dyn Fn(&[f32]) -> Vec<f32> + 'a>;

/// A linear map T: ℝ^{in_len} → ℝ^{out_len} given by a closure on flat row-major vectors.
pub struct LinearOp<'a> {
    /// Shape of the input tensor (its product is the input length).
    pub in_shape: Vec<usize>,
    /// Shape of the output tensor (its product is the output length).
    pub out_shape: Vec<usize>,
    map: FlatMap<'a>,
}

impl<'a> LinearOp<'a> {
    /// An operator from its shapes and a closure on flat vectors (the closure is trusted to be
    /// linear; [`dot_product_test`] checks it against a claimed adjoint).
    pub fn new(
        in_shape: Vec<usize>,
        out_shape: Vec<usize>,
        map: impl Fn(&[f32]) -> Vec<f32> + 'a,
    ) -> Self {
        Self {
            in_shape,
            out_shape,
            map: Box::new(map),
        }
    }

    /// Wraps a map on rank-`D` tensors (e.g. `[n, c, h, w]` or `[n, c, l]`); the output shape is
    /// found by applying it once.
    pub fn from_tensor<const D: usize>(
        in_shape: [usize; D],
        device: &Device,
        f: impl Fn(Tensor<D>) -> Tensor<D> + 'a,
    ) -> Self {
        let device = device.clone();
        let out_shape = f(Tensor::zeros(in_shape, &device)).dims().to_vec();
        Self::new(in_shape.to_vec(), out_shape, move |x| {
            let t = Tensor::<D>::from_data(TensorData::new(x.to_vec(), in_shape), &device);
            to_vec(f(t).into_data())
        })
    }

    /// Length of the input vector.
    pub fn in_len(&self) -> usize {
        self.in_shape.iter().product()
    }

    /// Length of the output vector.
    pub fn out_len(&self) -> usize {
        self.out_shape.iter().product()
    }

    /// Applies the operator: y = T x.
    pub fn apply(&self, x: &[f32]) -> Vec<f32> {
        assert_eq!(
            x.len(),
            self.in_len(),
            "input length does not match in_shape"
        );
        let y = (self.map)(x);
        assert_eq!(
            y.len(),
            self.out_len(),
            "output length does not match out_shape"
        );
        y
    }
}

fn to_vec(data: TensorData) -> Vec<f32> {
    data.convert::<f32>()
        .try_into_vec::<f32>()
        .expect("f32 tensor data")
}

/// The two sides of the dot-product test and their relative discrepancy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DotTest {
    /// ⟨T x, y⟩, accumulated in f64.
    pub lhs: f64,
    /// ⟨x, Tᵀ y⟩, accumulated in f64.
    pub rhs: f64,
    /// |lhs − rhs| / max(|lhs|, |rhs|, tiny).
    pub rel_error: f64,
}

/// ⟨a, b⟩ = Σ_i a_i b_i accumulated in f64.
pub fn dot(a: &[f32], b: &[f32]) -> f64 {
    assert_eq!(a.len(), b.len(), "dot of vectors of different lengths");
    a.iter().zip(b).map(|(&u, &v)| u as f64 * v as f64).sum()
}

/// Uniform random vector in [-1, 1)^n from a seeded generator.
pub fn random_vector(n: usize, rng: &mut StdRng) -> Vec<f32> {
    (0..n).map(|_| rng.random_range(-1.0f32..1.0)).collect()
}

/// The dot-product test: for random x ∈ ℝ^{in}, y ∈ ℝ^{out} (uniform in [-1, 1), seeded),
/// `adjoint` is the adjoint of `op` iff ⟨T x, y⟩ = ⟨x, Tᵀ y⟩ for all x, y.
///
/// Inner products are accumulated in f64, so the only rounding is inside the f32 operators:
/// each output entry is an f32 sum of at most m products, with relative error ≲ m·ε
/// (ε = 2⁻²⁴ ≈ 6e-8). For the kernel/window sizes in the tests (m ≤ ~50) this is ≲ 3e-6, and
/// random signs make the final inner products well conditioned, so 1e-5 separates rounding from
/// a wrong adjoint (which gives errors of order 1).
pub fn dot_product_test(op: &LinearOp, adjoint: &LinearOp, seed: u64) -> DotTest {
    assert_eq!(
        op.in_shape, adjoint.out_shape,
        "adjoint output shape ≠ op input"
    );
    assert_eq!(
        op.out_shape, adjoint.in_shape,
        "adjoint input shape ≠ op output"
    );
    let mut rng = StdRng::seed_from_u64(seed);
    let x = random_vector(op.in_len(), &mut rng);
    let y = random_vector(op.out_len(), &mut rng);
    let lhs = dot(&op.apply(&x), &y);
    let rhs = dot(&x, &adjoint.apply(&y));
    let scale = lhs.abs().max(rhs.abs()).max(f64::MIN_POSITIVE);
    DotTest {
        lhs,
        rhs,
        rel_error: (lhs - rhs).abs() / scale,
    }
}

/// The matrix of T (row-major, out_len × in_len): column j is T e_j for the basis vector e_j.
/// Costs in_len applications, so it is meant for small operators.
pub fn matrix(op: &LinearOp) -> Vec<f64> {
    let (m, n) = (op.out_len(), op.in_len());
    let mut a = vec![0.0f64; m * n];
    let mut e = vec![0.0f32; n];
    for j in 0..n {
        e[j] = 1.0;
        for (i, v) in op.apply(&e).into_iter().enumerate() {
            a[i * n + j] = v as f64;
        }
        e[j] = 0.0;
    }
    a
}

/// Transpose of a row-major rows × cols matrix: (Aᵀ)_{ji} = A_{ij}.
pub fn transpose(a: &[f64], rows: usize, cols: usize) -> Vec<f64> {
    assert_eq!(
        a.len(),
        rows * cols,
        "matrix size does not match rows × cols"
    );
    let mut t = vec![0.0; a.len()];
    for i in 0..rows {
        for j in 0..cols {
            t[j * rows + i] = a[i * cols + j];
        }
    }
    t
}

/// max_ij |A_ij − B_ij| (∞ if the sizes differ).
pub fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    if a.len() != b.len() {
        return f64::INFINITY;
    }
    a.iter()
        .zip(b)
        .map(|(u, v)| (u - v).abs())
        .fold(0.0, f64::max)
}
