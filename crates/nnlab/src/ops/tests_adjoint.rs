//! The adjoint of a strided / dilated / zero-padded convolution (no bias) is the transpose
//! convolution with the same weight and output padding op = (i + 2p − d(k−1) − 1) mod s:
//! dot-product tests and explicit matrices, in 2-D and 1-D.

use super::checks::{self, Case};
use super::*;
use burn::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// f32 rounding in sums of ≤ c_in·k_h·k_w ≤ 50 products (see [`dot_product_test`]).
const DOT_TOL: f64 = 1e-5;
/// Matrix entries are single weights w (|w| < 1) copied or multiplied by 1: exact in both
/// operators, so the matrices agree exactly.
const MATRIX_TOL: f64 = 0.0;

fn random_tensor<const D: usize>(shape: [usize; D], seed: u64, device: &Device) -> Tensor<D> {
    let n = shape.iter().product();
    let v = random_vector(n, &mut StdRng::seed_from_u64(seed));
    Tensor::from_data(TensorData::new(v, shape), device)
}

/// The proof sheet's strided, padded and dilated geometries ([`checks::CASES`]) and one more
/// (a 1×2 kernel, stride 2×4).
fn cases_2d() -> impl Iterator<Item = &'static Case> {
    const EXTRA: Case = (1, 2, 1, [5, 8], [1, 2], [2, 4], [0, 1], [1, 3]);
    checks::CASES.iter().chain(std::iter::once(&EXTRA))
}

fn conv2d_pair(case: &Case, device: &Device) -> (LinearOp<'static>, LinearOp<'static>) {
    let &(b, ci, co, hw, k, s, p, d) = case;
    let g = ConvGeometry::new(s, p, d);
    let w = random_tensor([co, ci, k[0], k[1]], 7, device);
    let out = g.output_len(hw, k);
    let w2 = w.clone();
    let op = LinearOp::from_tensor([b, ci, hw[0], hw[1]], device, move |x| {
        conv2d(x, w.clone(), &g)
    });
    let adj = LinearOp::from_tensor([b, co, out[0], out[1]], device, move |y| {
        conv2d_adjoint(y, w2.clone(), &g, hw)
    });
    (op, adj)
}

#[test]
fn conv2d_output_len_matches_burn() {
    let device = Device::flex();
    for case in cases_2d() {
        let (op, _) = conv2d_pair(case, &device);
        let &(b, _, co, hw, k, s, p, d) = case;
        let o = ConvGeometry::new(s, p, d).output_len(hw, k);
        assert_eq!(op.out_shape, vec![b, co, o[0], o[1]], "{case:?}");
    }
}

#[test]
fn conv2d_adjoint_passes_dot_product_test() {
    let device = Device::flex();
    for (i, case) in cases_2d().enumerate() {
        let (op, adj) = conv2d_pair(case, &device);
        for seed in 0..3 {
            let t = dot_product_test(&op, &adj, 100 * i as u64 + seed);
            assert!(t.rel_error < DOT_TOL, "{case:?}: {t:?}");
        }
    }
}

#[test]
fn conv2d_adjoint_matrix_is_transpose() {
    let device = Device::flex();
    for case in cases_2d() {
        let (op, adj) = conv2d_pair(case, &device);
        let a = matrix(&op);
        let at = transpose(&a, op.out_len(), op.in_len());
        let err = max_abs_diff(&matrix(&adj), &at);
        assert!(err <= MATRIX_TOL, "{case:?}: max |Tᵀ − adjoint| = {err}");
        assert!(a.iter().any(|&v| v != 0.0), "{case:?}: zero operator");
    }
}

#[test]
fn wrong_output_padding_is_detected() {
    // With stride 2 and i + 2p − d(k−1) − 1 odd, op = 1: op = 0 gives the wrong shape.
    let g = ConvGeometry::new([2, 2], [1, 1], [1, 1]);
    assert_eq!(g.adjoint_output_padding([6, 7], [3, 3]), [1, 0]);
    let device = Device::flex();
    let y = Tensor::<4>::zeros([1, 1, 3, 4], &device);
    let w = Tensor::<4>::zeros([1, 1, 3, 3], &device);
    assert_eq!(
        conv_transpose2d(y.clone(), w.clone(), &g, [0, 0]).dims(),
        [1, 1, 5, 7]
    );
    assert_eq!(conv2d_adjoint(y, w, &g, [6, 7]).dims(), [1, 1, 6, 7]);
}

/// (batch, c_in, c_out, length, k, stride, padding, dilation)
type Case1 = (usize, usize, usize, usize, usize, usize, usize, usize);

const CASES_1D: [Case1; 5] = [
    (1, 1, 1, 8, 3, 1, 0, 1),
    (2, 2, 3, 11, 3, 2, 1, 1),
    (1, 3, 2, 13, 4, 3, 2, 2),
    (2, 1, 2, 10, 2, 4, 3, 3),
    (1, 2, 2, 9, 5, 2, 0, 1),
];

fn conv1d_pair(case: &Case1, device: &Device) -> (LinearOp<'static>, LinearOp<'static>) {
    let &(b, ci, co, l, k, s, p, d) = case;
    let g = ConvGeometry::new([s], [p], [d]);
    let w = random_tensor([co, ci, k], 11, device);
    let [out] = g.output_len([l], [k]);
    let w2 = w.clone();
    let op = LinearOp::from_tensor([b, ci, l], device, move |x| conv1d(x, w.clone(), &g));
    let adj = LinearOp::from_tensor([b, co, out], device, move |y| {
        conv1d_adjoint(y, w2.clone(), &g, l)
    });
    (op, adj)
}

#[test]
fn conv1d_adjoint_passes_dot_product_test_and_matrix() {
    let device = Device::flex();
    for (i, case) in CASES_1D.iter().enumerate() {
        let (op, adj) = conv1d_pair(case, &device);
        let &(b, _, co, l, k, s, p, d) = case;
        let o = ConvGeometry::new([s], [p], [d]).output_len([l], [k]);
        assert_eq!(op.out_shape, vec![b, co, o[0]], "{case:?}");
        let t = dot_product_test(&op, &adj, 7 + i as u64);
        assert!(t.rel_error < DOT_TOL, "{case:?}: {t:?}");
        let at = transpose(&matrix(&op), op.out_len(), op.in_len());
        let err = max_abs_diff(&matrix(&adj), &at);
        assert!(err <= MATRIX_TOL, "{case:?}: max |Tᵀ − adjoint| = {err}");
    }
}

#[test]
fn dot_product_test_rejects_a_wrong_adjoint() {
    // The convolution itself (square, stride 1, same padding) is not self-adjoint for a
    // non-symmetric kernel: the test must report an error of order one.
    let device = Device::flex();
    let g = ConvGeometry::new([1, 1], [1, 1], [1, 1]);
    let w = random_tensor([1, 1, 3, 3], 3, &device);
    let w2 = w.clone();
    let op = LinearOp::from_tensor([1, 1, 6, 6], &device, move |x| conv2d(x, w.clone(), &g));
    let not_adj = LinearOp::from_tensor([1, 1, 6, 6], &device, move |x| conv2d(x, w2.clone(), &g));
    assert!(dot_product_test(&op, &not_adj, 1).rel_error > 1e-2);
}
