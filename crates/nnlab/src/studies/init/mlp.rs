//! The deep MLP of the initialization study on Burn: layers drawn by an [`Init`], the per-layer
//! activation spread and gradient norms at initialization, and the spread between the hidden
//! units of a layer (zero iff the layer's units are identical).

use super::{Activation, Init};
use crate::train::to_vec;
use burn::module::{Module, Param};
use burn::nn::Linear;
use burn::prelude::*;
use burn::tensor::activation::{log_softmax, relu, sigmoid, tanh};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// The sizes of an [`Mlp`].
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct MlpShape {
    pub inputs: usize,
    /// Units of every hidden layer.
    pub width: usize,
    /// Number of hidden layers L.
    pub depth: usize,
    pub classes: usize,
}

/// x ↦ W_{L+1} σ(W_L ⋯ σ(W_1 x + b_1) ⋯ + b_L) + b_{L+1}: `hidden` layers with the
/// nonlinearity σ, then a linear output layer (logits).
#[derive(Module, Debug)]
pub struct Mlp {
    pub hidden: Vec<Linear>,
    pub out: Linear,
    #[module(skip)]
    pub activation: Activation,
}

/// A linear layer with weights `w` ([fan_in, fan_out], row-major) and zero biases.
fn layer(w: Vec<f32>, fan_in: usize, fan_out: usize, device: &Device) -> Linear {
    Linear {
        weight: Param::from_tensor(Tensor::from_data(
            TensorData::new(w, [fan_in, fan_out]),
            device,
        )),
        bias: Some(Param::from_tensor(Tensor::zeros([fan_out], device))),
    }
}

impl Mlp {
    /// `depth` hidden layers of `width` units after `inputs` inputs, and `classes` outputs;
    /// every weight matrix (the output layer's too) drawn by `init` from a generator seeded by
    /// `seed`, biases 0.
    pub fn new(
        shape: MlpShape,
        init: Init,
        activation: Activation,
        seed: u64,
        device: &Device,
    ) -> Self {
        let MlpShape {
            inputs,
            width,
            depth,
            classes,
        } = shape;
        let mut rng = StdRng::seed_from_u64(seed);
        let hidden = (0..depth)
            .map(|l| {
                let fan_in = if l == 0 { inputs } else { width };
                layer(init.sample(fan_in, width, &mut rng), fan_in, width, device)
            })
            .collect();
        let fan_in = if depth == 0 { inputs } else { width };
        let out = layer(
            init.sample(fan_in, classes, &mut rng),
            fan_in,
            classes,
            device,
        );
        Mlp {
            hidden,
            out,
            activation,
        }
    }

    fn act(&self, z: Tensor<2>) -> Tensor<2> {
        match self.activation {
            Activation::Relu => relu(z),
            Activation::Tanh => tanh(z),
            Activation::Sigmoid => sigmoid(z),
        }
    }

    /// The hidden activations h_1 … h_L of a batch x [n, inputs] and the logits [n, classes].
    pub fn forward_all(&self, x: Tensor<2>) -> (Vec<Tensor<2>>, Tensor<2>) {
        let mut hs = Vec::with_capacity(self.hidden.len());
        let mut h = x;
        for l in &self.hidden {
            h = self.act(l.forward(h));
            hs.push(h.clone());
        }
        (hs, self.out.forward(h))
    }

    /// The logits of a batch [n, inputs] → [n, classes].
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.forward_all(x).1
    }

    /// The largest difference between two units of one hidden layer: the maximum over layers,
    /// units j and inputs i of |W[i, j] − W[i, 0]| and |b_j − b_0|. Zero iff every hidden layer's
    /// units compute the same function of the layer's input.
    pub fn unit_spread(&self) -> f64 {
        let mut worst = 0.0f64;
        for l in &self.hidden {
            let [fan_in, width] = l.weight.dims();
            let w = to_vec(l.weight.val());
            for i in 0..fan_in {
                let row = &w[i * width..(i + 1) * width];
                for &v in row {
                    worst = worst.max(f64::from((v - row[0]).abs()));
                }
            }
            if let Some(b) = &l.bias {
                let b = to_vec(b.val());
                for &v in &b {
                    worst = worst.max(f64::from((v - b[0]).abs()));
                }
            }
        }
        worst
    }

    /// The largest |weight| of the hidden layers (the scale [`Mlp::unit_spread`] compares with).
    pub fn hidden_scale(&self) -> f64 {
        self.hidden
            .iter()
            .flat_map(|l| to_vec(l.weight.val()))
            .fold(0.0f64, |m, v| m.max(f64::from(v.abs())))
    }
}

/// What one network looks like at initialization on a probe batch.
#[derive(Clone, Debug, serde::Serialize)]
pub struct AtInit {
    /// Standard deviation of all entries (examples × units) of h_l, l = 1 … L.
    pub activation_std: Vec<f64>,
    /// ‖∂L/∂W_l‖_F, l = 1 … L + 1 (the output layer last), for L the mean cross entropy of the
    /// probe batch.
    pub gradient_norm: Vec<f64>,
}

/// The population standard deviation of `v`.
fn std_of(v: &[f32]) -> f64 {
    let n = v.len().max(1) as f64;
    let mean = v.iter().map(|&x| f64::from(x)).sum::<f64>() / n;
    (v.iter()
        .map(|&x| (f64::from(x) - mean).powi(2))
        .sum::<f64>()
        / n)
        .sqrt()
}

/// Measures `model` (on an autodiff device) on the batch `x` [n, inputs] with labels `labels`:
/// activation standard deviations by depth and the gradient norm of every weight matrix of the
/// mean cross entropy −(1/n) Σ log softmax(f(x))_y.
pub fn at_init(model: &Mlp, x: Tensor<2>, labels: &[u8]) -> AtInit {
    let (hs, logits) = model.forward_all(x);
    let [n, classes] = logits.dims();
    let activation_std = hs.into_iter().map(|h| std_of(&to_vec(h))).collect();
    let mut onehot = vec![0f32; n * classes];
    for (r, &y) in labels.iter().enumerate().take(n) {
        onehot[r * classes + usize::from(y).min(classes - 1)] = 1.0;
    }
    let device = logits.device();
    let y = Tensor::<2>::from_data(TensorData::new(onehot, [n, classes]), &device);
    let loss = (log_softmax(logits, 1) * y).sum().neg() / n as f64;
    let grads = loss.backward();
    let norm = |l: &Linear| -> f64 {
        l.weight
            .grad(&grads)
            .map(|g| {
                to_vec(g)
                    .iter()
                    .map(|&v| f64::from(v).powi(2))
                    .sum::<f64>()
                    .sqrt()
            })
            .unwrap_or(0.0)
    };
    let gradient_norm = model
        .hidden
        .iter()
        .chain(std::iter::once(&model.out))
        .map(norm)
        .collect();
    AtInit {
        activation_std,
        gradient_norm,
    }
}

/// Var h_l / Var h_{l−1} for l = 2 … L (the square layers when all hidden layers have one
/// width), from the standard deviations `std`.
pub fn variance_ratios(std: &[f64]) -> Vec<f64> {
    std.windows(2).map(|w| (w[1] / w[0]).powi(2)).collect()
}

/// The geometric mean of the per-layer variance ratios, (Var h_L / Var h_1)^{1/(L−1)}; NaN for
/// fewer than two layers or a zero variance.
pub fn geometric_ratio(std: &[f64]) -> f64 {
    match (std.first(), std.last()) {
        (Some(&a), Some(&b)) if std.len() >= 2 && a > 0.0 => {
            (b / a).powi(2).powf(1.0 / (std.len() - 1) as f64)
        }
        _ => f64::NAN,
    }
}
