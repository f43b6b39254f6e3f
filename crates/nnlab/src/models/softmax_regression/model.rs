//! The softmax-regression model on Burn: scores z = W x + b, the batched hand-written gradient,
//! and its evaluation (loss, scores) over whole image sets.

use crate::data::Images;
use crate::softmax::log_softmax;
use crate::train::batch_tensor;
use burn::module::{Module, Param};
use burn::prelude::*;

/// Softmax regression ŷ = softmax(W x + b): `weight` is [classes, inputs] (row j is the
/// template of class j), `bias` is [classes].
#[derive(Module, Debug)]
pub struct SoftmaxRegression {
    pub weight: Param<Tensor<2>>,
    pub bias: Param<Tensor<1>>,
}

/// The settings that fix the model's shape, saved next to its weights.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ModelShape {
    pub classes: usize,
    /// Image rows and columns: inputs = rows × cols.
    pub rows: usize,
    pub cols: usize,
}

impl ModelShape {
    /// Number of inputs (pixels).
    pub fn inputs(&self) -> usize {
        self.rows * self.cols
    }

    /// The model with W = 0 and b = 0 (the loss is convex, so no random start is needed; this is
    /// also scikit-learn's start).
    pub fn zeros(&self, device: &Device) -> SoftmaxRegression {
        SoftmaxRegression::new(
            Tensor::zeros([self.classes, self.inputs()], device),
            Tensor::zeros([self.classes], device),
        )
    }
}

/// The mean cross-entropy of a batch and the gradient of the regularized objective.
pub struct BatchGradient {
    /// (1/n) Σ_i −log ŷ_{i,y_i}, shape [1] (without the penalty).
    pub cross_entropy: Tensor<1>,
    /// ∂L/∂W = (Ŷ − Y)ᵀ X / n + λW, [classes, inputs].
    pub weight: Tensor<2>,
    /// ∂L/∂b = 1ᵀ(Ŷ − Y) / n, [classes].
    pub bias: Tensor<1>,
}

impl SoftmaxRegression {
    /// The model with the given parameters.
    pub fn new(weight: Tensor<2>, bias: Tensor<1>) -> Self {
        Self {
            weight: Param::from_tensor(weight),
            bias: Param::from_tensor(bias),
        }
    }

    /// Scores Z = X Wᵀ + 1 bᵀ of a batch X [n, inputs]: [n, classes].
    pub fn scores(&self, x: Tensor<2>) -> Tensor<2> {
        scores(&self.weight.val(), &self.bias.val(), x)
    }

    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.weight.dims()[0]
    }

    /// The scores of every image of `data`, row-major [n, classes], in chunks of 10 000 rows.
    pub fn scores_of(&self, data: &Images, device: &Device) -> Vec<f32> {
        let mut out = Vec::with_capacity(data.n * self.classes());
        let idx: Vec<usize> = (0..data.n).collect();
        for chunk in idx.chunks(10_000) {
            let z = self.scores(batch_tensor(data, chunk, device));
            out.extend(z.into_data().convert::<f32>().iter::<f32>());
        }
        out
    }
}

/// Z = X Wᵀ + 1 bᵀ.
pub fn scores(w: &Tensor<2>, b: &Tensor<1>, x: Tensor<2>) -> Tensor<2> {
    x.matmul(w.clone().transpose()) + b.clone().unsqueeze::<2>()
}

/// One-hot rows Y [n, classes] of `labels`.
pub fn one_hot(labels: &[u8], classes: usize, device: &Device) -> Tensor<2> {
    let mut y = vec![0.0f32; labels.len() * classes];
    for (i, &l) in labels.iter().enumerate() {
        y[i * classes + l as usize] = 1.0;
    }
    Tensor::from_data(TensorData::new(y, [labels.len(), classes]), device)
}

/// The hand-written gradient of the objective L = (1/n) Σ_i −log ŷ_{i,y_i} + (λ/2)‖W‖² on a
/// batch X [n, inputs] with one-hot labels Y [n, classes] (the formula and why it is ŷ − y:
/// [`super::math::Problem::loss_grad`]):
///
/// ∂L/∂W = (Ŷ − Y)ᵀ X / n + λW,  ∂L/∂b = 1ᵀ(Ŷ − Y) / n,  Ŷ = softmax(X Wᵀ + 1 bᵀ) row-wise,
///
/// with log Ŷ from the stable log-softmax (z − max z − log Σ exp(z − max z)).
pub fn batch_gradient(
    w: &Tensor<2>,
    b: &Tensor<1>,
    x: Tensor<2>,
    y: Tensor<2>,
    lambda: f64,
) -> BatchGradient {
    let n = x.dims()[0] as f64;
    let log_yhat = log_softmax(scores(w, b, x.clone()));
    let cross_entropy = (log_yhat.clone() * y.clone()).sum().neg().div_scalar(n);
    let delta = (log_yhat.exp() - y).div_scalar(n);
    let weight = delta.clone().transpose().matmul(x) + w.clone().mul_scalar(lambda);
    let bias = delta.sum_dim(0).squeeze::<1>();
    BatchGradient {
        cross_entropy,
        weight,
        bias,
    }
}

/// The mean cross-entropy (1/n) Σ_i −log ŷ_{i,y_i} of the model on all of `data` (labels
/// required; in chunks of 10 000 rows), in f64.
pub fn mean_cross_entropy(
    model: &SoftmaxRegression,
    data: &Images,
    labels: &[u8],
    device: &Device,
) -> f64 {
    let classes = model.classes();
    let idx: Vec<usize> = (0..data.n).collect();
    let mut total = 0.0;
    for chunk in idx.chunks(10_000) {
        let x = batch_tensor(data, chunk, device);
        let y = one_hot(
            &chunk.iter().map(|&i| labels[i]).collect::<Vec<u8>>(),
            classes,
            device,
        );
        let s: f32 = (log_softmax(model.scores(x)) * y).sum().neg().into_scalar();
        total += f64::from(s);
    }
    total / data.n.max(1) as f64
}
