//! The gather/matmul convolutions equal Burn's convolution modules: values, gradients, and the
//! adjoint identity between the two. Tolerance 1e-5 (values) and 1e-4 (gradients), absolute, on
//! O(1) data: both sides sum the same ≤ 50 products of f32 in different orders, which moves the
//! result by a few ulps (≈1e-6), while any wrong index (a flipped kernel, an off-by-one tap) moves
//! it by O(0.1) — the last test shows a transposed kernel fails by far more than the tolerance.

use super::*;
use crate::models::autoencoder::{Autoencoder, ModelConfig};
use burn::module::Param;
use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2dConfig, ConvTranspose2dConfig};
use burn::tensor::Distribution;
use burn::tensor::activation::{relu, sigmoid};

const WIN: Window = Window {
    k: 3,
    s: 2,
    p: 1,
    out_pad: 1,
};

fn device() -> Device {
    Device::flex().autodiff()
}

fn conv(c: usize, o: usize) -> Conv2d {
    Conv2dConfig::new([c, o], [WIN.k, WIN.k])
        .with_stride([WIN.s, WIN.s])
        .with_padding(PaddingConfig2d::Explicit(WIN.p, WIN.p, WIN.p, WIN.p))
        .init(&device())
}

fn deconv(c: usize, o: usize) -> ConvTranspose2d {
    ConvTranspose2dConfig::new([c, o], [WIN.k, WIN.k])
        .with_stride([WIN.s, WIN.s])
        .with_padding([WIN.p, WIN.p])
        .with_padding_out([WIN.out_pad, WIN.out_pad])
        .init(&device())
}

/// [B, C, H, W] → [C·H·W, B] and back.
fn to_rows(x: Tensor<4>) -> Tensor<2> {
    let [b, c, h, w] = x.dims();
    x.permute([1, 2, 3, 0]).reshape([c * h * w, b])
}

fn max_abs(a: Tensor<2>, b: Tensor<2>) -> f32 {
    (a - b).abs().max().into_scalar::<f32>()
}

fn random(shape: [usize; 4]) -> Tensor<4> {
    Tensor::random(shape, Distribution::Normal(0.0, 1.0), &device())
}

#[test]
fn conv2d_equals_burn_on_odd_and_even_maps() {
    for side in [9, 14] {
        let (m, x) = (conv(2, 3), random([4, 2, side, side]));
        let (y, out) = conv2d(to_rows(x.clone()), &m, WIN, (side, side));
        assert_eq!(out, (WIN.conv_out(side), WIN.conv_out(side)));
        let err = max_abs(y, to_rows(m.forward(x)));
        assert!(err < 1e-5, "side {side}: max error {err}");
    }
}

#[test]
fn conv_transpose2d_equals_burn() {
    let (m, x) = (deconv(3, 2), random([4, 3, 7, 7]));
    let (y, out) = conv_transpose2d(to_rows(x.clone()), &m, WIN, (7, 7));
    assert_eq!(out, (14, 14));
    let err = max_abs(y, to_rows(m.forward(x)));
    assert!(err < 1e-5, "max error {err}");
}

/// Gradients of L = Σ y ⊙ g with respect to input, weight and bias, ours vs Burn's autodiff of
/// its own module.
#[test]
fn gradients_equal_burn_autodiff() {
    let (m, g) = (conv(2, 3), random([4, 3, 5, 5]));
    let x = random([4, 2, 10, 10]).require_grad();
    let grads = (m.forward(x.clone()) * g.clone()).sum().backward();
    let (gx, gw) = (x.grad(&grads).unwrap(), m.weight.grad(&grads).unwrap());
    let gb = m.bias.as_ref().unwrap().grad(&grads).unwrap();

    let xr = to_rows(x.detach()).detach().require_grad();
    let (y, _) = conv2d(xr.clone(), &m, WIN, (10, 10));
    let grads = (y * to_rows(g)).sum().backward();
    let ours_x = xr.grad(&grads).unwrap();
    let ours_w = m.weight.grad(&grads).unwrap();
    let ours_b = m.bias.as_ref().unwrap().grad(&grads).unwrap();
    assert!(max_abs(ours_x, to_rows(gx)) < 1e-4);
    assert!(max_abs(ours_w.flatten(1, 3), gw.flatten(1, 3)) < 1e-4);
    assert!(max_abs(ours_b.unsqueeze(), gb.unsqueeze()) < 1e-4);
}

/// ⟨conv(x), y⟩ = ⟨x, conv_transpose(y)⟩ when the transpose convolution has the convolution's
/// weights and no bias (the dot-product test of the adjoint; tolerance 1e-3 relative to the
/// product's size, for sums over ~10⁴ f32 terms).
#[test]
fn the_transpose_is_the_adjoint() {
    let mut down = conv(2, 3);
    down.bias = None;
    let mut up = deconv(3, 2);
    up.weight = Param::from_tensor(down.weight.val());
    up.bias = None;
    let win = Window { out_pad: 1, ..WIN };
    let x = to_rows(random([5, 2, 8, 8]));
    let y = to_rows(random([5, 3, 4, 4]));
    let (ax, _) = conv2d(x.clone(), &down, win, (8, 8));
    let (aty, out) = conv_transpose2d(y.clone(), &up, win, (4, 4));
    assert_eq!(out, (8, 8));
    let lhs = (ax * y).sum().into_scalar::<f32>();
    let rhs = (x * aty).sum().into_scalar::<f32>();
    assert!(
        (lhs - rhs).abs() < 1e-3 * lhs.abs().max(1.0),
        "{lhs} vs {rhs}"
    );
}

/// The value check can fail: the same convolution with its kernel transposed (ky ↔ kx, a
/// plausible indexing slip) differs from Burn's by far more than the tolerance.
#[test]
fn a_transposed_kernel_fails_the_check() {
    let (mut m, x) = (conv(2, 3), random([4, 2, 9, 9]));
    let burn = to_rows(m.forward(x.clone()));
    m.weight = Param::from_tensor(m.weight.val().swap_dims(2, 3).detach());
    let (y, _) = conv2d(to_rows(x), &m, WIN, (9, 9));
    assert!(max_abs(y, burn) > 1e-2);
}

/// The conv autoencoder's forward pass equals the same layers run through Burn's modules in NCHW
/// (the model before this file existed), so saved detectors keep their meaning.
#[test]
fn conv_autoencoder_equals_burn_modules() {
    let dev = device();
    let Autoencoder::Conv(m) = ModelConfig::conv(28, 28).init(&dev) else {
        panic!("conv config built another family");
    };
    let x = Tensor::<2>::random([3, 784], Distribution::Default, &dev);
    let reference = {
        let h = relu(
            m.conv2
                .forward(relu(m.conv1.forward(x.clone().reshape([3, 1, 28, 28])))),
        );
        let z = relu(m.to_code.forward(h.flatten::<2>(1, 3)));
        let h = relu(m.from_code.forward(z)).reshape([3, 32, 7, 7]);
        sigmoid(
            m.deconv2
                .forward(relu(m.deconv1.forward(h)))
                .flatten::<2>(1, 3),
        )
    };
    let ae = Autoencoder::Conv(m);
    assert!(max_abs(ae.forward(x), reference) < 1e-5);
}
