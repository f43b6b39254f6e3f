//! Linear-layer collapse: a stack of affine layers without a nonlinearity between them is one
//! affine map, so depth alone adds no expressive power to softmax regression.

use burn::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// What [`linear_collapse`] measured.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Collapse {
    /// Layer widths, input first (e.g. 784, 256, 64, 10).
    pub widths: Vec<usize>,
    /// Shape of the product matrix W = W_L ⋯ W_1: [outputs, inputs].
    pub product_shape: [usize; 2],
    /// Inputs the two maps were compared on.
    pub inputs: usize,
    /// max |stack(x) − (W x + b)| over all inputs and outputs.
    pub max_abs_difference: f64,
    /// max |stack(x)|, the scale the difference is measured against.
    pub max_abs_output: f64,
}

impl Collapse {
    /// The difference relative to the outputs' scale.
    pub fn relative_difference(&self) -> f64 {
        self.max_abs_difference / self.max_abs_output.max(f64::MIN_POSITIVE)
    }
}

/// Random layers (W_l, b_l) of the given widths, entries U(−1, 1)/√fan-in, drawn from `seed`.
fn random_layers(widths: &[usize], seed: u64, device: &Device) -> Vec<(Tensor<2>, Tensor<1>)> {
    let mut rng = StdRng::seed_from_u64(seed);
    widths
        .windows(2)
        .map(|io| {
            let (fan_in, out) = (io[0], io[1]);
            let s = 1.0 / (fan_in as f32).sqrt();
            let mut u = |m: usize| -> Vec<f32> {
                (0..m).map(|_| s * rng.random_range(-1.0..1.0)).collect()
            };
            let w = Tensor::from_data(TensorData::new(u(out * fan_in), [out, fan_in]), device);
            let b = Tensor::from_data(TensorData::new(u(out), [out]), device);
            (w, b)
        })
        .collect()
}

/// Applies the stack to the rows of x, with `between` applied after every layer but the last.
fn apply(
    layers: &[(Tensor<2>, Tensor<1>)],
    x: Tensor<2>,
    between: impl Fn(Tensor<2>) -> Tensor<2>,
) -> Tensor<2> {
    let last = layers.len() - 1;
    layers.iter().enumerate().fold(x, |h, (l, (w, b))| {
        let z = h.matmul(w.clone().transpose()) + b.clone().unsqueeze::<2>();
        if l == last { z } else { between(z) }
    })
}

/// The collapse of an affine stack h_l = W_l h_{l−1} + b_l (l = 1..L, h_0 = x) into one map:
///
/// h_L = W x + b with W = W_L W_{L−1} ⋯ W_1 and b = Σ_l W_L ⋯ W_{l+1} b_l,
///
/// so rank W ≤ min_l width_l and the stack is no more expressive than one layer. Draws random
/// layers of `widths` (at least two) from `seed`, forms (W, b) by the products above, and
/// compares both maps on the rows of `x` ([n, widths[0]]). `between` is applied between layers
/// of the stack (the identity for the collapse; a nonlinearity such as ReLU breaks it).
pub fn linear_collapse(
    x: Tensor<2>,
    widths: &[usize],
    seed: u64,
    between: impl Fn(Tensor<2>) -> Tensor<2>,
) -> Collapse {
    assert!(widths.len() >= 2, "a stack needs at least one layer");
    let device = x.device();
    let layers = random_layers(widths, seed, &device);
    let (mut w, mut b) = layers[0].clone();
    for (wl, bl) in &layers[1..] {
        b = wl
            .clone()
            .matmul(b.unsqueeze_dim::<2>(1))
            .squeeze_dim::<1>(1)
            + bl.clone();
        w = wl.clone().matmul(w);
    }
    let inputs = x.dims()[0];
    let stacked = apply(&layers, x.clone(), between);
    let single = x.matmul(w.clone().transpose()) + b.unsqueeze::<2>();
    let abs_max = |t: Tensor<2>| f64::from(t.abs().max().into_scalar::<f32>());
    Collapse {
        widths: widths.to_vec(),
        product_shape: [w.dims()[0], w.dims()[1]],
        inputs,
        max_abs_difference: abs_max(stacked.clone() - single),
        max_abs_output: abs_max(stacked),
    }
}
