//! Proof-sheet checks of the linear operators (see [`crate::verify`]): the adjoint of average
//! pooling, nearest upsampling as a transpose convolution, the adjoint of a strided / padded /
//! dilated convolution, and the 1-D CNN back-propagation by convolutions against autodiff. Each
//! measure takes the operator under test as a parameter, so its broken twin swaps in a wrong one.

use super::cnn1d::{Activation, Cnn1d, Gradients};
use super::*;
use crate::verify::{Check, Measurement, worst};
use burn::prelude::*;
use burn::tensor::module;
use burn::tensor::ops::ConvOptions;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn tensor<const D: usize>(v: Vec<f32>, shape: [usize; D], device: &Device) -> Tensor<D> {
    Tensor::from_data(TensorData::new(v, shape), device)
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .expect("f32 tensor")
}

/// The claimed adjoint of 2×2 average pooling with stride 2 (on `[n, c, h/2, w/2]`).
pub type PoolAdjoint = fn(Tensor<4>) -> Tensor<4>;

/// ¼ · nearest upsampling by 2: the adjoint of 2×2 average pooling with stride 2.
pub fn quarter_upsample(y: Tensor<4>) -> Tensor<4> {
    upsample_nearest2d(y, 2).mul_scalar(0.25)
}

/// max_ij |(A_pool)ᵀ_ij − B_ij| for the explicit matrices of 2×2 average pooling (stride 2) and
/// of `adjoint`, on a seeded shape `[n, c, h, w]` (n, c ∈ 1..=2, h, w ∈ {2, 4, 6}).
pub fn avg_pool_adjoint(adjoint: PoolAdjoint, seed: u64) -> Measurement {
    let mut rng = StdRng::seed_from_u64(seed);
    let device = Device::flex();
    let [n, c] = [rng.random_range(1..=2), rng.random_range(1..=2)];
    let [h, w] = [2 * rng.random_range(1..=3), 2 * rng.random_range(1..=3)];
    let pool = LinearOp::from_tensor([n, c, h, w], &device, |x| avg_pool2d(x, [2, 2], [2, 2]));
    let adj = LinearOp::from_tensor([n, c, h / 2, w / 2], &device, adjoint);
    if adj.out_shape != pool.in_shape {
        return Measurement::new(f64::INFINITY, "adjoint has the wrong output shape");
    }
    let at = transpose(&matrix(&pool), pool.out_len(), pool.in_len());
    let err = max_abs_diff(&matrix(&adj), &at);
    Measurement::new(
        err,
        format!(
            "{}×{} matrices, x: {n}×{c}×{h}×{w}",
            pool.out_len(),
            pool.in_len()
        ),
    )
}

/// Avg-pool adjoint = ¼ nearest upsampling (exact matrix equality).
pub const AVG_POOL_ADJOINT: Check = Check {
    id: "pool.avg-adjoint",
    identity: "adjoint of 2x2 average pooling (stride 2) = 1/4 * nearest upsampling by 2",
    method: "exact matrix equality: A_pool^T vs the matrix of 1/4*upsample (seeded shape)",
    tolerance: 0.0,
    why: "every entry is 1/4 or 0, exact in f32",
    measure: |seed| avg_pool_adjoint(quarter_upsample, seed),
    broken: |seed| avg_pool_adjoint(|y| upsample_nearest2d(y, 2).mul_scalar(0.5), seed),
    fault: "1/2 * upsampling (the adjoint of sum pooling / 2)",
};

/// max |upsample_r(x) − conv_transpose(x, kernel(c, r), stride r)| over seeded x `[2, c, 3, 4]`
/// for r = 1, 2, 3 and c = 2, with `kernel` the claimed transpose-convolution weight.
pub fn upsample_as_transpose_conv(
    kernel: fn(usize, usize, &Device) -> Tensor<4>,
    seed: u64,
) -> Measurement {
    let device = Device::flex();
    let mut rng = StdRng::seed_from_u64(seed);
    let c = 2;
    let mut errs = Vec::new();
    for r in 1..=3 {
        let x = tensor(random_vector(2 * c * 12, &mut rng), [2, c, 3, 4], &device);
        let up = values(upsample_nearest2d(x.clone(), r));
        let g = ConvGeometry::new([r, r], [0, 0], [1, 1]);
        let tc = values(conv_transpose2d(x, kernel(c, r, &device), &g, [0, 0]));
        errs.push(if tc.len() == up.len() {
            tc.iter()
                .zip(&up)
                .map(|(a, b)| (a - b).abs() as f64)
                .fold(0.0, f64::max)
        } else {
            f64::INFINITY
        });
    }
    Measurement::new(worst(errs), "r = 1, 2, 3; x: 2×2×3×4")
}

/// Nearest upsampling = transpose convolution with a ones kernel, stride r (exact).
pub const UPSAMPLE_TRANSPOSE_CONV: Check = Check {
    id: "upsample.transpose-conv",
    identity: "nearest upsampling by r = transpose conv with the r x r ones kernel (per channel), stride r",
    method: "exact equality of outputs, random x, r = 1, 2, 3, 2 channels",
    tolerance: 0.0,
    why: "each output is x*1 plus exact zeros",
    measure: |seed| upsample_as_transpose_conv(upsample_kernel, seed),
    broken: |seed| upsample_as_transpose_conv(|c, r, d| Tensor::ones([c, c, r, r], d), seed),
    fault: "a ones kernel on every channel pair (mixes channels)",
};

/// The claimed adjoint of [`conv2d`]: (y, w, geometry, input size) ↦ x̄.
pub type Conv2dAdjoint = fn(Tensor<4>, Tensor<4>, &ConvGeometry<2>, [usize; 2]) -> Tensor<4>;

/// (batch, c_in, c_out, [h, w], [k_h, k_w], stride, padding, dilation)
pub(crate) type Case = (
    usize,
    usize,
    usize,
    [usize; 2],
    [usize; 2],
    [usize; 2],
    [usize; 2],
    [usize; 2],
);

/// Strided, padded and dilated geometries (op ≠ 0 in several).
pub(crate) const CASES: [Case; 5] = [
    (1, 1, 1, [5, 5], [3, 3], [1, 1], [0, 0], [1, 1]),
    (2, 2, 3, [6, 7], [3, 2], [2, 2], [1, 0], [1, 1]),
    (1, 3, 2, [7, 6], [3, 3], [2, 3], [1, 2], [2, 1]),
    (1, 2, 2, [8, 5], [2, 3], [3, 2], [2, 1], [2, 2]),
    (2, 1, 4, [9, 9], [4, 4], [3, 3], [0, 2], [1, 2]),
];

/// The largest relative dot-product-test error |⟨T x, y⟩ − ⟨x, Tᵀ y⟩| / max(|·|) of conv2d
/// against `adjoint` over [`CASES`], with seeded weights, x and y.
pub fn conv2d_adjoint_error(adjoint: Conv2dAdjoint, seed: u64) -> Measurement {
    let device = Device::flex();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut errs = Vec::new();
    for (b, ci, co, hw, k, s, p, d) in CASES {
        let g = ConvGeometry::new(s, p, d);
        let w = tensor(
            random_vector(co * ci * k[0] * k[1], &mut rng),
            [co, ci, k[0], k[1]],
            &device,
        );
        let out = g.output_len(hw, k);
        let w2 = w.clone();
        let op = LinearOp::from_tensor([b, ci, hw[0], hw[1]], &device, move |x| {
            conv2d(x, w.clone(), &g)
        });
        let adj = LinearOp::from_tensor([b, co, out[0], out[1]], &device, move |y| {
            adjoint(y, w2.clone(), &g, hw)
        });
        if adj.out_shape != op.in_shape {
            errs.push(f64::INFINITY);
            continue;
        }
        errs.push(dot_product_test(&op, &adj, rng.random()).rel_error);
    }
    Measurement::new(
        worst(errs),
        format!(
            "{} geometries (stride ≤ 3, padding ≤ 2, dilation ≤ 2)",
            CASES.len()
        ),
    )
}

/// The transpose convolution with the kernel flipped in both spatial axes (a wrong adjoint: the
/// flip belongs to true convolution, not to the transpose).
fn flipped_adjoint(y: Tensor<4>, w: Tensor<4>, g: &ConvGeometry<2>, hw: [usize; 2]) -> Tensor<4> {
    conv2d_adjoint(y, w.flip([2, 3]), g, hw)
}

/// Conv adjoint = transpose conv with output padding (dot-product test).
pub const CONV_ADJOINT: Check = Check {
    id: "conv2d.adjoint",
    identity: "<conv(x), y> = <x, convT(y)>: adjoint of a strided/padded/dilated conv = transpose conv, op = (i+2p-d(k-1)-1) mod s",
    method: "dot-product test, 5 geometries, random w, x, y",
    tolerance: 1e-5,
    why: "f32 sums of <= 50 products: relative rounding <= 50*6e-8 = 3e-6",
    measure: |seed| conv2d_adjoint_error(conv2d_adjoint, seed),
    broken: |seed| conv2d_adjoint_error(flipped_adjoint, seed),
    fault: "transpose conv with the kernel flipped",
};

/// The claimed adjoint of [`conv1d`] used inside the CNN back-propagation.
pub type Conv1dAdjoint = fn(Tensor<3>, Tensor<3>, &ConvGeometry<1>, usize) -> Tensor<3>;

/// A seeded random CNN with filter sizes `ks` and an input for it.
fn random_cnn(ks: &[usize], act: Activation, rng: &mut StdRng) -> (Cnn1d, Vec<f64>) {
    let net = Cnn1d {
        filters: ks
            .iter()
            .map(|&k| (0..k).map(|_| rng.random_range(-1.0..1.0)).collect())
            .collect(),
        biases: ks.iter().map(|_| rng.random_range(-0.5..0.5)).collect(),
        activation: act,
    };
    let x = (0..net.input_len())
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    (net, x)
}

/// y_L and all parameter gradients (filter, then bias, per layer) by Burn's autodiff of
/// conv1d with bias and the activation (sigmoid or tanh).
pub fn cnn1d_autodiff(net: &Cnn1d, x: &[f64]) -> (f64, Vec<f64>) {
    let device = Device::flex().autodiff();
    let seq = |v: &[f64]| {
        let n = v.len();
        tensor(v.iter().map(|&t| t as f32).collect(), [1, 1, n], &device)
    };
    let ws: Vec<Tensor<3>> = net.filters.iter().map(|w| seq(w).require_grad()).collect();
    let bs: Vec<Tensor<1>> = net
        .biases
        .iter()
        .map(|&b| tensor(vec![b as f32], [1], &device).require_grad())
        .collect();
    let mut y = seq(x);
    for (l, (w, b)) in ws.iter().zip(&bs).enumerate() {
        let z = module::conv1d(
            y,
            w.clone(),
            Some(b.clone()),
            ConvOptions::new([1], [0], [1], 1),
        );
        y = match (l + 1 == ws.len(), net.activation) {
            (true, _) => z,
            (false, Activation::Sigmoid) => burn::tensor::activation::sigmoid(z),
            (false, Activation::Tanh) => z.tanh(),
            (false, Activation::Relu) => burn::tensor::activation::relu(z),
        };
    }
    let out = y.sum();
    let grads = out.clone().backward();
    let f = |t: Tensor<1>| values(t).into_iter().map(f64::from).collect::<Vec<_>>();
    let mut g = Vec::new();
    for (w, b) in ws.iter().zip(&bs) {
        g.extend(f(w.grad(&grads).expect("∂/∂w").reshape([-1])));
        g.extend(f(b.grad(&grads).expect("∂/∂b")));
    }
    (f(out.reshape([1]))[0], g)
}

/// Filter then bias, layer by layer.
pub fn flat_gradients(g: &Gradients) -> Vec<f64> {
    g.filters
        .iter()
        .zip(&g.biases)
        .flat_map(|(w, b)| w.iter().copied().chain([*b]))
        .collect()
}

/// The largest |hand-written − autodiff| / (1 + |autodiff|) over the output and all gradient
/// entries of seeded sigmoid and tanh CNNs (filters 3; 2,3; 3,1,4; 4,2,3,2), with the backward
/// pass's transpose convolution given by `adjoint`.
pub fn cnn1d_backprop(adjoint: Conv1dAdjoint, seed: u64) -> Measurement {
    let device = Device::flex();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut errs = Vec::new();
    let shapes: [&[usize]; 4] = [&[3], &[2, 3], &[3, 1, 4], &[4, 2, 3, 2]];
    for act in [Activation::Sigmoid, Activation::Tanh] {
        for ks in shapes {
            let (net, x) = random_cnn(ks, act, &mut rng);
            let (y_ad, g_ad) = cnn1d_autodiff(&net, &x);
            let (y, g) = net.backward_burn_with(&x, &device, adjoint);
            let g = flat_gradients(&g);
            let rel = |a: f64, b: f64| (a - b).abs() / (1.0 + b.abs());
            errs.push(rel(y, y_ad));
            errs.extend(g.iter().zip(&g_ad).map(|(&a, &b)| rel(a, b)));
            if g.len() != g_ad.len() {
                errs.push(f64::INFINITY);
            }
        }
    }
    Measurement::new(
        worst(errs),
        "8 networks (sigmoid, tanh; 1 to 4 layers), all weights and biases",
    )
}

/// The transpose convolution with the filter reversed (a wrong adjoint).
fn reversed_adjoint(y: Tensor<3>, w: Tensor<3>, g: &ConvGeometry<1>, n: usize) -> Tensor<3> {
    conv1d_adjoint(y, w.flip([2]), g, n)
}

/// 1-D CNN back-propagation by conv / transpose conv vs autodiff.
pub const CNN1D_BACKPROP: Check = Check {
    id: "cnn1d.backprop",
    identity: "dy/dw_l = corr(y_{l-1}, delta_l), delta_{l-1} = s'(z) * A_w^T delta_l (transpose conv), never forming A_w",
    method: "autodiff (Burn) vs the hand-written backward pass, f32, 8 random networks",
    tolerance: 1e-4,
    why: "f32 through <= 4 layers of <= 5-term sums with |w| < 1: rounding < 1e-5 relative",
    measure: |seed| cnn1d_backprop(conv1d_adjoint, seed),
    broken: |seed| cnn1d_backprop(reversed_adjoint, seed),
    fault: "the backward transpose conv with the filter reversed",
};
