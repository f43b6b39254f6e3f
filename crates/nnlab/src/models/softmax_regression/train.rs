//! Training of softmax regression by minibatch SGD with momentum or Adam on the hand-written
//! gradient (no autodiff in the loop), with per-epoch train and test cross-entropy.

use super::model::{ModelShape, SoftmaxRegression, batch_gradient, mean_cross_entropy, one_hot};
use crate::data::Images;
use crate::train::{EpochStats, TrainError, TrainObserver, batch_tensor};
use burn::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use std::time::Instant;

/// The update rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum Optimizer {
    /// Heavy-ball momentum: v ← μ v + g, θ ← θ − η v.
    Sgd,
    /// Adam (β₁ = 0.9, β₂ = 0.999, ε = 1e-8, bias-corrected moments).
    Adam,
}

/// Optimization settings of softmax regression.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Training {
    pub optimizer: Optimizer,
    /// Passes over the training images.
    pub epochs: usize,
    /// Images per step.
    pub batch_size: usize,
    /// Learning rate η of the first epoch.
    pub lr: f64,
    /// Momentum μ of SGD (unused by Adam), in [0, 1).
    pub momentum: f64,
    /// L2 weight λ of the penalty (λ/2)‖W‖² (scikit-learn's C = 1/(λ n)).
    pub lambda: f64,
    /// Step decay: the learning rate of epoch e (1-based) is η / (1 + (e − 1) · decay).
    pub lr_decay: f64,
}

impl Default for Training {
    fn default() -> Self {
        Self {
            optimizer: Optimizer::Sgd,
            epochs: 10,
            batch_size: 100,
            lr: 0.1,
            momentum: 0.9,
            lambda: 1e-4,
            lr_decay: 0.5,
        }
    }
}

impl Training {
    /// Checks every setting; the error names the field (`epochs`, `batch_size`, `lr`,
    /// `momentum`, `lambda`, `lr_decay`).
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        let finite_pos = |v: f64| v.is_finite() && v > 0.0;
        if self.epochs == 0 {
            return Err(("epochs", "must be at least 1".into()));
        }
        if self.batch_size == 0 {
            return Err(("batch_size", "must be at least 1".into()));
        }
        if !finite_pos(self.lr) {
            return Err((
                "lr",
                format!("must be positive and finite, got {}", self.lr),
            ));
        }
        if !(0.0..1.0).contains(&self.momentum) {
            return Err((
                "momentum",
                format!("must be in [0, 1), got {}", self.momentum),
            ));
        }
        if !(self.lambda.is_finite() && self.lambda >= 0.0) {
            let l = self.lambda;
            return Err(("lambda", format!("must be ≥ 0 and finite, got {l}")));
        }
        if !(self.lr_decay.is_finite() && self.lr_decay >= 0.0) {
            let d = self.lr_decay;
            return Err(("lr_decay", format!("must be ≥ 0 and finite, got {d}")));
        }
        Ok(())
    }

    /// The learning rate of 1-based epoch `epoch`.
    pub fn lr_at(&self, epoch: usize) -> f64 {
        self.lr / (1.0 + (epoch - 1) as f64 * self.lr_decay)
    }
}

/// One epoch's record.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct EpochRecord {
    pub epoch: usize,
    pub lr: f64,
    /// Mean cross-entropy on all training images after the epoch.
    pub train_loss: f64,
    /// Mean cross-entropy on the test images after the epoch (when given).
    pub test_loss: Option<f64>,
    /// Training seconds of the epoch (steps only, not the evaluation).
    pub seconds: f64,
}

/// The trained model and its history.
pub struct Fitted {
    pub model: SoftmaxRegression,
    pub epochs: Vec<EpochRecord>,
    /// Seconds spent in training steps, all epochs.
    pub train_seconds: f64,
}

/// Optimizer state of one parameter tensor.
struct Moments<const D: usize> {
    m: Tensor<D>,
    v: Tensor<D>,
}

impl<const D: usize> Moments<D> {
    fn new(like: &Tensor<D>) -> Self {
        Self {
            m: like.zeros_like(),
            v: like.zeros_like(),
        }
    }

    /// θ after one step of `opt` with gradient g at step t (1-based, for Adam's correction).
    fn step(
        &mut self,
        cfg: &Training,
        lr: f64,
        t: i32,
        theta: Tensor<D>,
        g: Tensor<D>,
    ) -> Tensor<D> {
        match cfg.optimizer {
            Optimizer::Sgd => {
                self.m = self.m.clone().mul_scalar(cfg.momentum) + g;
                theta - self.m.clone().mul_scalar(lr)
            }
            Optimizer::Adam => {
                let (b1, b2, eps) = (0.9f64, 0.999f64, 1e-8);
                self.m = self.m.clone().mul_scalar(b1) + g.clone().mul_scalar(1.0 - b1);
                self.v = self.v.clone().mul_scalar(b2) + (g.clone() * g).mul_scalar(1.0 - b2);
                let m_hat = self.m.clone().div_scalar(1.0 - b1.powi(t));
                let v_hat = self.v.clone().div_scalar(1.0 - b2.powi(t));
                theta - (m_hat / (v_hat.sqrt().add_scalar(eps))).mul_scalar(lr)
            }
        }
    }
}

/// Trains softmax regression of `shape` from W = 0, b = 0 on `train` (labels below
/// `shape.classes`), shuffling with `seed` every epoch, and evaluates the cross-entropy on
/// `train` and `test` after each epoch.
///
/// # Errors
/// [`TrainError::Diverged`] (naming the epoch and step) when a batch loss is not finite;
/// [`TrainError::Config`] when `train` has no labels.
pub fn fit(
    shape: &ModelShape,
    train: &Images,
    test: Option<&Images>,
    cfg: &Training,
    seed: u64,
    device: &Device,
    obs: &mut dyn TrainObserver,
) -> Result<Fitted, TrainError> {
    let labels = train
        .labels
        .as_deref()
        .ok_or_else(|| TrainError::Config("the training images have no labels".into()))?;
    let zero = shape.zeros(device);
    let (mut w, mut b) = (zero.weight.val(), zero.bias.val());
    let (mut mw, mut mb) = (Moments::new(&w), Moments::new(&b));
    let mut rng = StdRng::seed_from_u64(seed);
    let mut order: Vec<usize> = (0..train.n).collect();
    let steps = train.n.div_ceil(cfg.batch_size);
    let mut records = Vec::with_capacity(cfg.epochs);
    let mut total = 0.0;
    let mut t = 0;
    for epoch in 1..=cfg.epochs {
        let lr = cfg.lr_at(epoch);
        obs.epoch_start(epoch, cfg.epochs, steps);
        order.shuffle(&mut rng);
        let start = Instant::now();
        let mut loss_sum = 0.0;
        for (step, idx) in order.chunks(cfg.batch_size).enumerate() {
            let x = batch_tensor(train, idx, device);
            let batch_labels: Vec<u8> = idx.iter().map(|&i| labels[i]).collect();
            let y = one_hot(&batch_labels, shape.classes, device);
            let g = batch_gradient(&w, &b, x, y, cfg.lambda);
            let loss = f64::from(g.cross_entropy.into_scalar::<f32>());
            if !loss.is_finite() {
                return Err(TrainError::Diverged {
                    epoch,
                    step: step + 1,
                    loss,
                    lr,
                });
            }
            t += 1;
            w = mw.step(cfg, lr, t, w, g.weight);
            b = mb.step(cfg, lr, t, b, g.bias);
            loss_sum += loss * idx.len() as f64;
            let seen = (step * cfg.batch_size + idx.len()) as f64;
            obs.step(loss, seen / start.elapsed().as_secs_f64().max(1e-9));
        }
        let seconds = start.elapsed().as_secs_f64();
        total += seconds;
        let model = SoftmaxRegression::new(w.clone(), b.clone());
        let train_loss = mean_cross_entropy(&model, train, labels, device);
        let test_loss = test
            .and_then(|d| d.labels.as_deref().map(|l| (d, l)))
            .map(|(d, l)| mean_cross_entropy(&model, d, l, device));
        obs.epoch_end(&EpochStats {
            epoch,
            loss_per_image: loss_sum / train.n.max(1) as f64,
            seconds,
            images_per_sec: train.n as f64 / seconds.max(1e-9),
        });
        records.push(EpochRecord {
            epoch,
            lr,
            train_loss,
            test_loss,
            seconds,
        });
    }
    Ok(Fitted {
        model: SoftmaxRegression::new(w, b),
        epochs: records,
        train_seconds: total,
    })
}
