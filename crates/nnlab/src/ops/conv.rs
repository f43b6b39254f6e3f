//! Convolution-type operators on Burn tensors (batched, any channel count, no bias): 1-D and
//! 2-D convolution with stride, zero padding and dilation, their transposes (with output
//! padding) and adjoints, average / max / sum / LP pooling, and nearest-neighbour upsampling by
//! an integer factor.
//!
//! Layouts follow Burn: signals are `[batch, channels, length]` or `[batch, channels, h, w]`;
//! a convolution weight is `[c_out, c_in, k…]` and a transpose-convolution weight is
//! `[c_in, c_out, k…]`, so the same tensor serves a convolution and its adjoint.

use burn::prelude::*;
use burn::tensor::module;
use burn::tensor::ops::{AvgPoolOptions, ConvOptions, ConvTransposeOptions, MaxPoolOptions};

/// Stride s, symmetric zero padding p and dilation d of an N-D convolution, per spatial axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvGeometry<const N: usize> {
    /// Stride s ≥ 1.
    pub stride: [usize; N],
    /// Zero padding p on both ends.
    pub padding: [usize; N],
    /// Dilation d ≥ 1 (spacing between kernel taps).
    pub dilation: [usize; N],
}

impl<const N: usize> ConvGeometry<N> {
    /// A geometry from its stride, padding and dilation.
    pub fn new(stride: [usize; N], padding: [usize; N], dilation: [usize; N]) -> Self {
        Self {
            stride,
            padding,
            dilation,
        }
    }

    /// Output length of the convolution, per axis: o = ⌊(i + 2p − d(k−1) − 1) / s⌋ + 1.
    pub fn output_len(&self, input: [usize; N], kernel: [usize; N]) -> [usize; N] {
        std::array::from_fn(|a| self.span(input[a], kernel[a], a) / self.stride[a] + 1)
    }

    /// Output padding that makes the transpose convolution the adjoint (same shape as the
    /// convolution input). The transpose convolution of a length-o signal has length
    /// (o−1)s − 2p + d(k−1) + 1 + op; equating it to i with o = ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1
    /// gives op = (i + 2p − d(k−1) − 1) mod s, the input samples that the last window never
    /// reaches (their adjoint is zero).
    pub fn adjoint_output_padding(&self, input: [usize; N], kernel: [usize; N]) -> [usize; N] {
        std::array::from_fn(|a| self.span(input[a], kernel[a], a) % self.stride[a])
    }

    /// i + 2p − d(k−1) − 1 on axis `a`, panicking if the dilated kernel exceeds the padded input.
    fn span(&self, i: usize, k: usize, a: usize) -> usize {
        let reach = self.dilation[a] * (k - 1) + 1;
        (i + 2 * self.padding[a])
            .checked_sub(reach)
            .expect("dilated kernel is longer than the padded input")
    }

    fn conv_options(&self) -> ConvOptions<N> {
        ConvOptions::new(self.stride, self.padding, self.dilation, 1)
    }

    fn transpose_options(&self, output_padding: [usize; N]) -> ConvTransposeOptions<N> {
        ConvTransposeOptions::new(self.stride, self.padding, output_padding, self.dilation, 1)
    }
}

/// 2-D convolution (cross-correlation, no bias):
/// y[b, o, u, v] = Σ_{c, i, j} w[o, c, i, j] · x̃[b, c, s₀u + d₀i, s₁v + d₁j],
/// with x̃ the input zero-padded by p on each side. `w` is `[c_out, c_in, k_h, k_w]`.
pub fn conv2d(x: Tensor<4>, w: Tensor<4>, g: &ConvGeometry<2>) -> Tensor<4> {
    module::conv2d(x, w, None, g.conv_options())
}

/// 2-D transpose convolution (no bias): every input sample y[b, c, u, v] scatters
/// y · w[c, o, i, j] to output position (s₀u + d₀i − p₀, s₁v + d₁j − p₁) of channel o; the output
/// is (o−1)s − 2p + d(k−1) + 1 + op long per axis. `w` is `[c_in, c_out, k_h, k_w]`.
pub fn conv_transpose2d(
    y: Tensor<4>,
    w: Tensor<4>,
    g: &ConvGeometry<2>,
    output_padding: [usize; 2],
) -> Tensor<4> {
    module::conv_transpose2d(y, w, None, g.transpose_options(output_padding))
}

/// Adjoint of [`conv2d`] for an input of spatial size `input_hw`: the transpose convolution with
/// the same weight and geometry and output padding [`ConvGeometry::adjoint_output_padding`].
pub fn conv2d_adjoint(
    y: Tensor<4>,
    w: Tensor<4>,
    g: &ConvGeometry<2>,
    input_hw: [usize; 2],
) -> Tensor<4> {
    let [_, _, kh, kw] = w.dims();
    let op = g.adjoint_output_padding(input_hw, [kh, kw]);
    conv_transpose2d(y, w, g, op)
}

/// 1-D convolution (no bias): y[b, o, u] = Σ_{c, i} w[o, c, i] · x̃[b, c, s u + d i], with x̃
/// zero-padded by p on each side. `w` is `[c_out, c_in, k]`.
pub fn conv1d(x: Tensor<3>, w: Tensor<3>, g: &ConvGeometry<1>) -> Tensor<3> {
    module::conv1d(x, w, None, g.conv_options())
}

/// 1-D transpose convolution (no bias), the 1-D case of [`conv_transpose2d`].
/// `w` is `[c_in, c_out, k]`.
pub fn conv_transpose1d(
    y: Tensor<3>,
    w: Tensor<3>,
    g: &ConvGeometry<1>,
    output_padding: [usize; 1],
) -> Tensor<3> {
    module::conv_transpose1d(y, w, None, g.transpose_options(output_padding))
}

/// Adjoint of [`conv1d`] for an input of length `input_len` (see [`conv2d_adjoint`]).
pub fn conv1d_adjoint(
    y: Tensor<3>,
    w: Tensor<3>,
    g: &ConvGeometry<1>,
    input_len: usize,
) -> Tensor<3> {
    let [_, _, k] = w.dims();
    let op = g.adjoint_output_padding([input_len], [k]);
    conv_transpose1d(y, w, g, op)
}

/// Average pooling without padding: y = (1/n) Σ_window x, n = k_h·k_w.
pub fn avg_pool2d(x: Tensor<4>, kernel: [usize; 2], stride: [usize; 2]) -> Tensor<4> {
    module::avg_pool2d(x, AvgPoolOptions::new(kernel).with_stride(stride))
}

/// Sum pooling without padding: y = Σ_window x = n · avg_pool(x), n = k_h·k_w.
pub fn sum_pool2d(x: Tensor<4>, kernel: [usize; 2], stride: [usize; 2]) -> Tensor<4> {
    avg_pool2d(x, kernel, stride).mul_scalar((kernel[0] * kernel[1]) as f32)
}

/// Max pooling without padding: y = max_window x.
pub fn max_pool2d(x: Tensor<4>, kernel: [usize; 2], stride: [usize; 2]) -> Tensor<4> {
    module::max_pool2d(x, MaxPoolOptions::new(kernel).with_stride(stride))
}

/// LP pooling for p ≥ 1: y = (Σ_window |x|^p)^{1/p} = (n · avg_pool(|x|^p))^{1/p}, n = k_h·k_w.
/// p = 1 on nonnegative input is sum pooling; as p → ∞ it tends to max pooling of |x|, with
/// max ≤ LP_p ≤ n^{1/p} · max.
pub fn lp_pool2d(x: Tensor<4>, p: f64, kernel: [usize; 2], stride: [usize; 2]) -> Tensor<4> {
    assert!(p >= 1.0, "LP pooling needs p ≥ 1, got {p}");
    sum_pool2d(x.abs().powf_scalar(p as f32), kernel, stride).powf_scalar((1.0 / p) as f32)
}

/// Nearest-neighbour upsampling by an integer factor r: y[b, c, u, v] = x[b, c, ⌊u/r⌋, ⌊v/r⌋].
/// Built from reshape and broadcast (copies only, hence exact) rather than `interpolate`, whose
/// nearest mode maps coordinates through a floating-point ratio.
pub fn upsample_nearest2d(x: Tensor<4>, r: usize) -> Tensor<4> {
    assert!(r >= 1, "upsampling factor must be ≥ 1");
    let [n, c, h, w] = x.dims();
    x.reshape([n, c, h, 1, w, 1])
        .expand([n, c, h, r, w, r])
        .reshape([n, c, h * r, w * r])
}

/// The weight of the transpose convolution that equals nearest upsampling by r on c channels:
/// `[c, c, r, r]` with w[i, o] = 1_{r×r} if i = o and 0 otherwise (used with stride r).
pub fn upsample_kernel(channels: usize, r: usize, device: &Device) -> Tensor<4> {
    let mut v = vec![0.0f32; channels * channels * r * r];
    for c in 0..channels {
        let start = (c * channels + c) * r * r;
        v[start..start + r * r].fill(1.0);
    }
    Tensor::from_data(TensorData::new(v, [channels, channels, r, r]), device)
}
