//! One-hidden-layer networks y = V a(W x + b) + c with a = σ (sigmoid) or a = tanh, as plain
//! structs of Burn tensors, and the exact converters between the two activations.

use super::family::sigmoid;
use burn::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A one-hidden-layer sigmoid network y = V σ(W x + b) + c: `w` is `[hidden, n_in]`, `b` is
/// `[hidden]`, `v` is `[n_out, hidden]`, `c` is `[n_out]`.
#[derive(Clone, Debug)]
pub struct SigmoidNet {
    /// Hidden weights W, `[hidden, n_in]`.
    pub w: Tensor<2>,
    /// Hidden biases b, `[hidden]`.
    pub b: Tensor<1>,
    /// Output weights V, `[n_out, hidden]`.
    pub v: Tensor<2>,
    /// Output biases c, `[n_out]`.
    pub c: Tensor<1>,
}

/// A one-hidden-layer tanh network y = V tanh(W x + b) + c, shapes as in [`SigmoidNet`].
#[derive(Clone, Debug)]
pub struct TanhNet {
    /// Hidden weights W, `[hidden, n_in]`.
    pub w: Tensor<2>,
    /// Hidden biases b, `[hidden]`.
    pub b: Tensor<1>,
    /// Output weights V, `[n_out, hidden]`.
    pub v: Tensor<2>,
    /// Output biases c, `[n_out]`.
    pub c: Tensor<1>,
}

/// The hidden pre-activation W x + b for a batch `x` of rows, `[batch, n_in]` → `[batch, hidden]`.
fn pre_activation(w: &Tensor<2>, b: &Tensor<1>, x: Tensor<2>) -> Tensor<2> {
    x.matmul(w.clone().transpose()) + b.clone().unsqueeze::<2>()
}

/// The output layer V h + c for a batch of hidden rows, `[batch, hidden]` → `[batch, n_out]`.
fn output(v: &Tensor<2>, c: &Tensor<1>, h: Tensor<2>) -> Tensor<2> {
    h.matmul(v.clone().transpose()) + c.clone().unsqueeze::<2>()
}

/// V·1, the row sums of V, as a `[n_out]` vector.
fn row_sums(v: &Tensor<2>) -> Tensor<1> {
    let [n_out, _] = v.dims();
    v.clone().sum_dim(1).reshape([n_out])
}

/// A `[rows, cols]` tensor with entries drawn uniformly from [−scale, scale).
fn uniform(rng: &mut StdRng, shape: [usize; 2], scale: f64, device: &Device) -> Tensor<2> {
    let vals: Vec<f32> = (0..shape[0] * shape[1])
        .map(|_| rng.random_range(-scale..scale) as f32)
        .collect();
    Tensor::from_data(TensorData::new(vals, shape), device)
}

impl SigmoidNet {
    /// A random network (seeded): all parameters uniform in [−scale, scale).
    ///
    /// # Panics
    /// If `scale` is not finite and positive.
    pub fn random(
        n_in: usize,
        hidden: usize,
        n_out: usize,
        scale: f64,
        seed: u64,
        device: &Device,
    ) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let w = uniform(&mut rng, [hidden, n_in], scale, device);
        let b = uniform(&mut rng, [1, hidden], scale, device).reshape([hidden]);
        let v = uniform(&mut rng, [n_out, hidden], scale, device);
        let c = uniform(&mut rng, [1, n_out], scale, device).reshape([n_out]);
        Self { w, b, v, c }
    }

    /// y = V σ(W x + b) + c for a batch of rows `x`, `[batch, n_in]` → `[batch, n_out]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        output(
            &self.v,
            &self.c,
            sigmoid(pre_activation(&self.w, &self.b, x)),
        )
    }
}

impl TanhNet {
    /// y = V tanh(W x + b) + c for a batch of rows `x`, `[batch, n_in]` → `[batch, n_out]`.
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        output(&self.v, &self.c, pre_activation(&self.w, &self.b, x).tanh())
    }
}

/// The tanh network computing the same function as a sigmoid network. From
/// σ(z) = (tanh(z/2) + 1)/2,
///
/// V σ(W x + b) + c = (V/2) tanh((W/2) x + b/2) + c + V·1/2,
///
/// so W' = W/2, b' = b/2, V' = V/2, c' = c + V·1/2 (exact in real arithmetic; the halvings are
/// exact in binary floating point, only c' is rounded).
pub fn sigmoid_to_tanh(net: &SigmoidNet) -> TanhNet {
    TanhNet {
        w: net.w.clone().mul_scalar(0.5),
        b: net.b.clone().mul_scalar(0.5),
        v: net.v.clone().mul_scalar(0.5),
        c: net.c.clone() + row_sums(&net.v).mul_scalar(0.5),
    }
}

/// The inverse of [`sigmoid_to_tanh`]: from tanh(z) = 2σ(2z) − 1, W = 2W', b = 2b', V = 2V',
/// c = c' − V'·1.
pub fn tanh_to_sigmoid(net: &TanhNet) -> SigmoidNet {
    SigmoidNet {
        w: net.w.clone().mul_scalar(2.0),
        b: net.b.clone().mul_scalar(2.0),
        v: net.v.clone().mul_scalar(2.0),
        c: net.c.clone() - row_sums(&net.v),
    }
}
