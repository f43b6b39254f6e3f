//! Training the initialization study's MLP: minibatch SGD with heavy-ball momentum on the mean
//! cross entropy, validation accuracy before training and after every epoch, and the spread
//! between hidden units at the end.

use super::Mlp;
use crate::data::Images;
use crate::train::{EpochStats, TrainError, TrainObserver, batch_tensor, to_vec};
use burn::optim::momentum::MomentumConfig;
use burn::optim::{GradientsParams, SgdConfig};
use burn::prelude::*;
use burn::tensor::activation::log_softmax;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// Optimizer settings of one training run.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrainSettings {
    pub epochs: usize,
    pub batch_size: usize,
    /// Step size η.
    pub lr: f64,
    /// Heavy-ball momentum β (0: plain SGD).
    pub momentum: f64,
}

/// What one training run measured.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Curve {
    /// Validation accuracy before training (index 0) and after each epoch.
    pub accuracy: Vec<f64>,
    /// Mean training cross entropy of each epoch.
    pub loss: Vec<f64>,
    /// [`Mlp::unit_spread`] after training.
    pub unit_spread: f64,
    /// [`Mlp::hidden_scale`] after training.
    pub hidden_scale: f64,
}

/// The labels of `images`, each checked to be a class below `classes`.
fn labels(images: &Images, classes: usize) -> Result<&[u8], TrainError> {
    let labels = images
        .labels
        .as_deref()
        .ok_or_else(|| TrainError::Config(format!("{} has no labels", images.name)))?;
    match labels.iter().find(|&&l| usize::from(l) >= classes) {
        Some(bad) => Err(TrainError::Config(format!(
            "{}: label {bad} is not a class below {classes}",
            images.name
        ))),
        None => Ok(labels),
    }
}

/// The fraction of `images` whose largest logit is at their label (batches of 1000).
pub fn accuracy(model: &Mlp, images: &Images, device: &Device) -> Result<f64, TrainError> {
    let classes = model.out.weight.dims()[1];
    let labels = labels(images, classes)?;
    let idx: Vec<usize> = (0..images.n).collect();
    let mut right = 0usize;
    for chunk in idx.chunks(1000) {
        let logits = to_vec(model.forward(batch_tensor(images, chunk, device)));
        for (row, &i) in logits.chunks(classes).zip(chunk) {
            let best = (0..classes).max_by(|&a, &b| row[a].total_cmp(&row[b]));
            right += usize::from(best == Some(usize::from(labels[i])));
        }
    }
    Ok(right as f64 / images.n.max(1) as f64)
}

/// Trains `model` (on an autodiff device) on `train` by minibatch SGD with heavy-ball momentum,
/// v ← βv + g, W ← W − ηv, on the mean cross entropy −(1/b) Σ log softmax(f(x))_y of each
/// batch (order reshuffled every epoch with a generator seeded by `seed`), and measures the
/// accuracy on `validation` (on `device`) before training and after every epoch.
pub fn train_and_measure(
    mut model: Mlp,
    train: &Images,
    validation: &Images,
    s: &TrainSettings,
    device: &Device,
    seed: u64,
    obs: &mut dyn TrainObserver,
) -> Result<(Mlp, Curve), TrainError> {
    let classes = model.out.weight.dims()[1];
    let train_labels = labels(train, classes)?;
    let ad = model.out.weight.device();
    let mut optim = SgdConfig::new()
        .with_momentum(Some(
            MomentumConfig::new()
                .with_momentum(s.momentum)
                .with_dampening(0.0),
        ))
        .init();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut order: Vec<usize> = (0..train.n).collect();
    let batch = s.batch_size.max(1);
    let steps = train.n.div_ceil(batch);
    let mut curve = Curve {
        accuracy: vec![accuracy(&model.valid(), validation, device)?],
        loss: vec![],
        unit_spread: 0.0,
        hidden_scale: 0.0,
    };
    for epoch in 1..=s.epochs {
        order.shuffle(&mut rng);
        obs.epoch_start(epoch, s.epochs, steps);
        let start = std::time::Instant::now();
        let mut total = 0.0;
        for (step, idx) in order.chunks(batch).enumerate() {
            let x = batch_tensor(train, idx, &ad);
            let mut onehot = vec![0f32; idx.len() * classes];
            for (r, &i) in idx.iter().enumerate() {
                onehot[r * classes + usize::from(train_labels[i])] = 1.0;
            }
            let y = Tensor::<2>::from_data(TensorData::new(onehot, [idx.len(), classes]), &ad);
            let loss = (log_softmax(model.forward(x), 1) * y).sum().neg() / idx.len() as f64;
            let value = loss.clone().into_scalar::<f32>() as f64;
            if !value.is_finite() {
                return Err(TrainError::Diverged {
                    epoch,
                    step: step + 1,
                    loss: value,
                    lr: s.lr,
                });
            }
            total += value * idx.len() as f64;
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optim.step(s.lr, model, grads);
            let seen = (step * batch + idx.len()) as f64;
            obs.step(value, seen / start.elapsed().as_secs_f64());
        }
        let seconds = start.elapsed().as_secs_f64();
        obs.epoch_end(&EpochStats {
            epoch,
            loss_per_image: total / train.n as f64,
            seconds,
            images_per_sec: train.n as f64 / seconds,
        });
        curve.loss.push(total / train.n as f64);
        curve
            .accuracy
            .push(accuracy(&model.valid(), validation, device)?);
    }
    let trained = model.valid();
    curve.unit_spread = trained.unit_spread();
    curve.hidden_scale = trained.hidden_scale();
    Ok((model, curve))
}
