//! Augment after you split. Augmenting a data set *before* splitting it into training and
//! validation puts near-copies (shifted, rotated) of validation images into training, so the
//! validation accuracy overstates the accuracy on new data; splitting first and augmenting only
//! the training part keeps validation honest. The study trains the same classifier on both
//! pipelines and compares validation with test accuracy.

use crate::data::Images;
use crate::data::augment::{self, Augment};
use crate::train::{TrainError, TrainObserver, adam_for, batch_tensor, seeded};
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::optim::GradientsParams;
use burn::prelude::*;
use burn::tensor::activation::{log_softmax, relu};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// The classifier: x ↦ W₂ ReLU(W₁x + b₁) + b₂ (logits of 10 digits).
#[derive(Module, Debug)]
pub struct Classifier {
    hidden: Linear,
    out: Linear,
}

impl Classifier {
    /// A classifier of `dim` inputs, `hidden` units and `classes` outputs on `device`, with
    /// weights drawn from `seed`.
    pub fn new(dim: usize, hidden: usize, classes: usize, device: &Device, seed: u64) -> Self {
        seeded(device, seed, || Classifier {
            hidden: LinearConfig::new(dim, hidden).init(device),
            out: LinearConfig::new(hidden, classes).init(device),
        })
    }

    /// The logits of a batch [n, dim] → [n, classes].
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.out.forward(relu(self.hidden.forward(x)))
    }
}

/// Training settings of the classifier (Adam).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ClassifierConfig {
    pub hidden: usize,
    pub epochs: usize,
    pub batch_size: usize,
    pub lr: f64,
}

/// Accuracy of one pipeline after each epoch.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Curve {
    pub validation: Vec<f64>,
    pub test: Vec<f64>,
    pub train_images: usize,
    pub validation_images: usize,
}

/// The labels of `images` (an error if unlabelled).
fn labels(images: &Images) -> Result<&[u8], TrainError> {
    images
        .labels
        .as_deref()
        .ok_or_else(|| TrainError::Config(format!("{} has no labels", images.name)))
}

/// The fraction of `images` whose largest logit is at their label.
pub fn accuracy(model: &Classifier, images: &Images, device: &Device) -> Result<f64, TrainError> {
    let labels = labels(images)?;
    let mut right = 0usize;
    let idx: Vec<usize> = (0..images.n).collect();
    for chunk in idx.chunks(1000) {
        let logits = model.forward(batch_tensor(images, chunk, device));
        let classes = logits.dims()[1];
        let v = logits
            .into_data()
            .convert::<f32>()
            .try_into_vec::<f32>()
            .map_err(|e| TrainError::Config(format!("{e:?}")))?;
        for (row, &i) in v.chunks(classes).zip(chunk) {
            let best = (0..classes).max_by(|&a, &b| row[a].total_cmp(&row[b]));
            right += usize::from(best == Some(labels[i] as usize));
        }
    }
    Ok(right as f64 / images.n.max(1) as f64)
}

/// Trains a fresh classifier (weights from `seed`) on `train` with Adam on the summed cross
/// entropy −Σ log softmax(f(x))_y, and measures validation and test accuracy after every
/// epoch.
pub fn train_and_measure(
    train: &Images,
    validation: &Images,
    test: &Images,
    cfg: &ClassifierConfig,
    device: &Device,
    seed: u64,
    obs: &mut dyn TrainObserver,
) -> Result<Curve, TrainError> {
    let train_labels = labels(train)?;
    let classes = 10;
    if let Some(&bad) = train_labels.iter().find(|&&l| l as usize >= classes) {
        return Err(TrainError::Config(format!(
            "{}: label {bad} is not a digit 0-9",
            train.name
        )));
    }
    let ad = device.clone().autodiff();
    let mut model = Classifier::new(train.dim(), cfg.hidden, classes, &ad, seed);
    let mut optim = adam_for(&ad);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut order: Vec<usize> = (0..train.n).collect();
    let steps = train.n.div_ceil(cfg.batch_size);
    let mut curve = Curve {
        validation: vec![],
        test: vec![],
        train_images: train.n,
        validation_images: validation.n,
    };
    for epoch in 1..=cfg.epochs {
        order.shuffle(&mut rng);
        obs.epoch_start(epoch, cfg.epochs, steps);
        let start = std::time::Instant::now();
        let mut total = 0.0;
        for (step, idx) in order.chunks(cfg.batch_size).enumerate() {
            let x = batch_tensor(train, idx, &ad);
            let mut onehot = vec![0f32; idx.len() * classes];
            for (r, &i) in idx.iter().enumerate() {
                onehot[r * classes + train_labels[i] as usize] = 1.0;
            }
            let y = Tensor::<2>::from_data(TensorData::new(onehot, [idx.len(), classes]), &ad);
            let loss = (log_softmax(model.forward(x), 1) * y).sum().neg();
            let value = loss.clone().into_scalar::<f32>() as f64;
            if !value.is_finite() {
                return Err(TrainError::Diverged {
                    epoch,
                    step: step + 1,
                    loss: value,
                    lr: cfg.lr,
                });
            }
            total += value;
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optim.step(cfg.lr, model, grads);
            let seen = (step * cfg.batch_size + idx.len()) as f64;
            obs.step(
                value / idx.len() as f64,
                seen / start.elapsed().as_secs_f64(),
            );
        }
        let seconds = start.elapsed().as_secs_f64();
        obs.epoch_end(&crate::train::EpochStats {
            epoch,
            loss_per_image: total / train.n as f64,
            seconds,
            images_per_sec: train.n as f64 / seconds,
        });
        let eval = model.valid();
        curve.validation.push(accuracy(&eval, validation, device)?);
        curve.test.push(accuracy(&eval, test, device)?);
    }
    Ok(curve)
}

/// The leaky pipeline: augment all of `images` (originals plus `aug.copies` copies each), then
/// split the pool by a permutation seeded with `seed`, `val_fraction` of it validating. Returns
/// (train, validation, shared): `shared` is the fraction of validation images whose source
/// image (the original or another copy of it) is also in training.
pub fn augment_then_split(
    images: &Images,
    aug: &Augment,
    val_fraction: f64,
    seed: u64,
) -> Result<(Images, Images, f64), crate::data::DataError> {
    let pool = augment::augment_images(images, aug, seed);
    let n_val = (val_fraction * pool.n as f64).round() as usize;
    if n_val == 0 || n_val >= pool.n {
        return Err(crate::data::DataError::BadSplit {
            origin: pool.name.clone(),
            n: pool.n,
            n_val,
        });
    }
    let mut order: Vec<usize> = (0..pool.n).collect();
    order.shuffle(&mut StdRng::seed_from_u64(seed));
    let (val_idx, train_idx) = order.split_at(n_val);
    // Pool image j is a version of original j mod n.
    let mut in_train = vec![false; images.n];
    for &j in train_idx {
        in_train[j % images.n] = true;
    }
    let shared = val_idx.iter().filter(|&&j| in_train[j % images.n]).count() as f64 / n_val as f64;
    Ok((pool.subset(train_idx), pool.subset(val_idx), shared))
}

/// The honest pipeline: split the originals first (`val_fraction` validating), then augment
/// the training part only ([`augment::TrainingPart::augmented`]). Returns (train, validation).
pub fn split_then_augment(
    images: &Images,
    aug: &Augment,
    val_fraction: f64,
    seed: u64,
) -> Result<(Images, Images), crate::data::DataError> {
    let n_val = (val_fraction * images.n as f64).round() as usize;
    let (train, val) = augment::split(images, n_val, seed)?;
    Ok((train.augmented(aug, seed).into_images(), val))
}

#[cfg(test)]
#[path = "tests_leak.rs"]
mod tests;
