//! A single-channel 1-D CNN with one output value and its hand-written backward pass, in which
//! every product with A_w is a (valid) cross-correlation and every product with A_wᵀ a transpose
//! convolution; never a dense matrix. Two implementations: `f64` scalar code built on
//! [`super::signal`], and Burn tensors built on [`super::conv1d`] / [`super::conv1d_adjoint`].

use super::signal::{self, Mode};
use super::{ConvGeometry, conv1d, conv1d_adjoint};
use burn::prelude::*;
use burn::tensor::activation;

/// The activation σ of the hidden layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    Sigmoid,
    Tanh,
    Relu,
}

impl Activation {
    /// σ(z).
    pub fn f(self, z: f64) -> f64 {
        match self {
            Activation::Sigmoid => 1.0 / (1.0 + (-z).exp()),
            Activation::Tanh => z.tanh(),
            Activation::Relu => z.max(0.0),
        }
    }

    /// σ'(z): σ(1 − σ), 1 − tanh², and the step 1{z > 0} (taken as 0 at the kink).
    pub fn df(self, z: f64) -> f64 {
        match self {
            Activation::Sigmoid => self.f(z) * (1.0 - self.f(z)),
            Activation::Tanh => 1.0 - z.tanh().powi(2),
            Activation::Relu => f64::from(u8::from(z > 0.0)),
        }
    }

    fn tensor(self, z: Tensor<3>) -> Tensor<3> {
        match self {
            Activation::Sigmoid => activation::sigmoid(z),
            Activation::Tanh => z.tanh(),
            Activation::Relu => activation::relu(z),
        }
    }

    fn tensor_df(self, z: Tensor<3>) -> Tensor<3> {
        match self {
            Activation::Sigmoid => {
                let s = activation::sigmoid(z);
                s.clone().mul(s.neg().add_scalar(1.0))
            }
            Activation::Tanh => z.tanh().powi_scalar(2).neg().add_scalar(1.0),
            Activation::Relu => z.sign().clamp_min(0.0),
        }
    }
}

/// The network y_ℓ = σ(A_{w_ℓ} y_{ℓ−1} + b_ℓ 1) for ℓ < L, y_L = A_{w_L} y_{L−1} + b_L 1, with
/// (A_w y)[i] = Σ_k w[k] y[i + k] the valid cross-correlation (stride 1, no padding, one
/// channel: Burn's conv1d), so n_ℓ = n_{ℓ−1} − k_ℓ + 1 and the input has n_0 = 1 + Σ (k_ℓ − 1)
/// values, making y_L a single number.
#[derive(Debug, Clone, PartialEq)]
pub struct Cnn1d {
    pub filters: Vec<Vec<f64>>,
    pub biases: Vec<f64>,
    pub activation: Activation,
}

/// ∂y_L/∂w_ℓ and ∂y_L/∂b_ℓ for every layer ℓ = 1, …, L (index ℓ − 1).
#[derive(Debug, Clone, PartialEq)]
pub struct Gradients {
    pub filters: Vec<Vec<f64>>,
    pub biases: Vec<f64>,
}

impl Cnn1d {
    /// The input length n_0 = 1 + Σ_ℓ (k_ℓ − 1) that gives one output value.
    pub fn input_len(&self) -> usize {
        1 + self.filters.iter().map(|w| w.len() - 1).sum::<usize>()
    }

    /// Checks the shapes (L ≥ 1 layers, k_ℓ ≥ 1, one bias per layer, |x| = n_0).
    ///
    /// # Errors
    /// A description of the first mismatch.
    pub fn check(&self, x: &[f64]) -> Result<(), String> {
        if self.filters.is_empty() || self.filters.iter().any(Vec::is_empty) {
            return Err("need at least one layer and non-empty filters".into());
        }
        if self.biases.len() != self.filters.len() {
            return Err(format!(
                "{} biases for {} layers",
                self.biases.len(),
                self.filters.len()
            ));
        }
        if x.len() != self.input_len() {
            return Err(format!(
                "input has {} values, the network needs n_0 = {}",
                x.len(),
                self.input_len()
            ));
        }
        Ok(())
    }

    /// Forward pass in `f64`: the pre-activations z_ℓ = A_{w_ℓ} y_{ℓ−1} + b_ℓ 1 and the layer
    /// outputs y_0 = x, …, y_L (y_L = z_L).
    fn trace(&self, x: &[f64]) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
        let last = self.filters.len() - 1;
        let mut ys = vec![x.to_vec()];
        let mut zs = Vec::new();
        for (l, (w, b)) in self.filters.iter().zip(&self.biases).enumerate() {
            let a = signal::correlate(&ys[l], w, Mode::Valid).expect("checked shapes");
            let z: Vec<f64> = a.values.iter().map(|v| v + b).collect();
            let y = if l == last {
                z.clone()
            } else {
                z.iter().map(|&v| self.activation.f(v)).collect()
            };
            zs.push(z);
            ys.push(y);
        }
        (zs, ys)
    }

    /// The output y_L in `f64`.
    ///
    /// # Panics
    /// If the shapes are inconsistent (see [`Cnn1d::check`]).
    pub fn forward(&self, x: &[f64]) -> f64 {
        self.check(x).expect("network shapes");
        self.trace(x).1.last().expect("one layer")[0]
    }

    /// y_L and its gradient by back-propagation in `f64`. With δ_L = 1 = ∂y_L/∂z_L,
    ///
    /// ∂y_L/∂w_ℓ[k] = Σ_i δ_ℓ[i] y_{ℓ−1}[i + k] (the valid correlation of y_{ℓ−1} with δ_ℓ),
    /// ∂y_L/∂b_ℓ = Σ_i δ_ℓ[i],  δ_{ℓ−1} = σ'(z_{ℓ−1}) ⊙ A_{w_ℓ}ᵀ δ_ℓ,
    ///
    /// where (A_wᵀ δ)[j] = Σ_i δ[i] w[j − i] is the full convolution of δ with w (length
    /// n_ℓ + k_ℓ − 1 = n_{ℓ−1}): the transpose convolution.
    ///
    /// # Panics
    /// If the shapes are inconsistent (see [`Cnn1d::check`]).
    pub fn backward(&self, x: &[f64]) -> (f64, Gradients) {
        self.check(x).expect("network shapes");
        let (zs, ys) = self.trace(x);
        let layers = self.filters.len();
        let mut g = Gradients {
            filters: vec![Vec::new(); layers],
            biases: vec![0.0; layers],
        };
        let mut delta = vec![1.0];
        for l in (0..layers).rev() {
            g.filters[l] = signal::correlate(&ys[l], &delta, Mode::Valid)
                .expect("checked shapes")
                .values;
            g.biases[l] = delta.iter().sum();
            if l > 0 {
                let back =
                    signal::convolve(&delta, &self.filters[l], Mode::Full).expect("checked shapes");
                delta = back
                    .values
                    .iter()
                    .zip(&zs[l - 1])
                    .map(|(v, &z)| v * self.activation.df(z))
                    .collect();
            }
        }
        (ys[layers][0], g)
    }

    /// The same back-propagation with Burn tensors `[1, 1, n]` in `f32` on `device`: A_w y is
    /// [`conv1d`], A_wᵀ δ is [`conv1d_adjoint`] (a transpose convolution), and ∂y_L/∂w_ℓ is
    /// [`conv1d`] of y_{ℓ−1} with δ_ℓ as the filter.
    ///
    /// # Panics
    /// If the shapes are inconsistent (see [`Cnn1d::check`]).
    pub fn backward_burn(&self, x: &[f64], device: &Device) -> (f64, Gradients) {
        self.backward_burn_with(x, device, conv1d_adjoint)
    }

    /// [`Cnn1d::backward_burn`] with the product A_wᵀ δ computed by `adjoint` (arguments as for
    /// [`conv1d_adjoint`]), so a check can swap in a wrong adjoint and see it fail.
    ///
    /// # Panics
    /// If the shapes are inconsistent (see [`Cnn1d::check`]).
    pub fn backward_burn_with(
        &self,
        x: &[f64],
        device: &Device,
        adjoint: impl Fn(Tensor<3>, Tensor<3>, &ConvGeometry<1>, usize) -> Tensor<3>,
    ) -> (f64, Gradients) {
        self.check(x).expect("network shapes");
        let geo = ConvGeometry::new([1], [0], [1]);
        let seq = |v: &[f64]| {
            let v: Vec<f32> = v.iter().map(|&t| t as f32).collect();
            let n = v.len();
            Tensor::<3>::from_data(TensorData::new(v, [1, 1, n]), device)
        };
        let layers = self.filters.len();
        let mut ys = vec![seq(x)];
        let mut zs = Vec::new();
        for (l, (w, &b)) in self.filters.iter().zip(&self.biases).enumerate() {
            let z = conv1d(ys[l].clone(), seq(w), &geo).add_scalar(b);
            let y = if l + 1 == layers {
                z.clone()
            } else {
                self.activation.tensor(z.clone())
            };
            zs.push(z);
            ys.push(y);
        }
        let mut g = Gradients {
            filters: vec![Vec::new(); layers],
            biases: vec![0.0; layers],
        };
        let mut delta = seq(&[1.0]);
        for l in (0..layers).rev() {
            g.filters[l] = values(conv1d(ys[l].clone(), delta.clone(), &geo));
            g.biases[l] = values(delta.clone().sum())[0];
            if l > 0 {
                let n_prev = ys[l].dims()[2];
                let back = adjoint(delta, seq(&self.filters[l]), &geo, n_prev);
                delta = back.mul(self.activation.tensor_df(zs[l - 1].clone()));
            }
        }
        (values(ys[layers].clone())[0], g)
    }
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f64> {
    let v = t.into_data().convert::<f32>();
    v.try_into_vec::<f32>()
        .expect("f32 tensor")
        .into_iter()
        .map(f64::from)
        .collect()
}
