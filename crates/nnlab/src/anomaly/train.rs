//! Training an autoencoder on normal images by minimizing Σ_batch ‖X − D(E(X))‖² with Adam, and
//! scoring images by their reconstruction error s(X) = ‖X − D(E(X))‖².

use super::adam::FusedAdam;
use super::model::{Autoencoder, ModelConfig};
use crate::data::Images;
use burn::optim::{AdamConfig, GradientsParams};
use burn::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use std::time::Instant;

/// Optimization settings (defaults: the course recipe).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrainConfig {
    pub epochs: usize,
    pub batch_size: usize,
    pub lr: f64,
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 10,
            batch_size: 100,
            lr: 1e-3,
            seed: 0,
        }
    }
}

/// What happened in one epoch.
#[derive(Clone, Debug, serde::Serialize)]
pub struct EpochStats {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Mean over the epoch's images of ‖x − D(E(x))‖² (the batch loss divided by batch size).
    pub loss_per_image: f64,
    pub seconds: f64,
    pub images_per_sec: f64,
}

/// Receives training progress (the CLI draws progress bars from it). All methods default to
/// doing nothing, so `()` is a silent observer.
pub trait TrainObserver {
    fn epoch_start(&mut self, _epoch: usize, _epochs: usize, _steps: usize) {}
    fn step(&mut self, _loss_per_image: f64, _images_per_sec: f64) {}
    fn epoch_end(&mut self, _stats: &EpochStats) {}
}

impl TrainObserver for () {}

/// Training failures.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error(
        "training diverged: loss became {loss} at epoch {epoch}, step {step}; \
         try a smaller --lr (now {lr})"
    )]
    Diverged {
        epoch: usize,
        step: usize,
        loss: f64,
        lr: f64,
    },
    #[error("invalid training setting: {0}")]
    Config(String),
}

/// Copies the images `idx` of `data` into one [idx.len(), n] tensor.
pub fn batch_tensor(data: &Images, idx: &[usize], device: &Device) -> Tensor<2> {
    let n = data.dim();
    let mut buf = Vec::with_capacity(idx.len() * n);
    for &i in idx {
        buf.extend_from_slice(data.image(i));
    }
    Tensor::from_data(TensorData::new(buf, [idx.len(), n]), device)
}

/// A fresh network whose weights depend only on `seed`. Burn's backend random generator is
/// global to the process, so seeding and drawing happen under one lock: concurrent trainings
/// (parallel tests, library users) cannot interleave their draws.
fn seeded_init(model_cfg: &ModelConfig, device: &Device, seed: u64) -> Autoencoder {
    static INIT: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = INIT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    device.seed(seed);
    model_cfg.init(device)
}

/// Trains a fresh autoencoder of shape `model_cfg` on `data`: Adam (β = 0.9, 0.999, ε = 1e-8,
/// as PyTorch) on the batch loss L = Σ_{x ∈ batch} ‖x − D(E(x))‖², reshuffling every epoch.
/// The seed fixes both the initial weights and the batch order. Returns the trained network
/// (without autodiff) and per-epoch statistics. A non-finite loss stops training with
/// [`TrainError::Diverged`].
pub fn train(
    model_cfg: &ModelConfig,
    data: &Images,
    cfg: &TrainConfig,
    device: &Device,
    observer: &mut dyn TrainObserver,
) -> Result<(Autoencoder, Vec<EpochStats>), TrainError> {
    model_cfg.validate().map_err(TrainError::Config)?;
    if cfg.batch_size == 0 || cfg.epochs == 0 || cfg.lr.is_nan() || cfg.lr <= 0.0 {
        return Err(TrainError::Config(format!(
            "epochs, batch size and learning rate must be positive (got {}, {}, {})",
            cfg.epochs, cfg.batch_size, cfg.lr
        )));
    }
    if data.n == 0 || data.dim() != model_cfg.input_dim() {
        return Err(TrainError::Config(format!(
            "training set has {} images of {} pixels; the model expects {} pixels",
            data.n,
            data.dim(),
            model_cfg.input_dim()
        )));
    }
    // On the CPU the fused update saves a large share of an epoch; elsewhere Burn's Adam keeps
    // the work on the device. Both compute the same update (see `adam::tests`).
    let mut optim = if *device == Device::flex() {
        FusedAdam::default().init()
    } else {
        AdamConfig::new().with_epsilon(1e-8).init()
    };
    let device = device.clone().autodiff();
    let mut model = seeded_init(model_cfg, &device, cfg.seed);
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    let mut order: Vec<usize> = (0..data.n).collect();
    let steps = data.n.div_ceil(cfg.batch_size);
    let mut history = Vec::with_capacity(cfg.epochs);
    for epoch in 1..=cfg.epochs {
        order.shuffle(&mut rng);
        observer.epoch_start(epoch, cfg.epochs, steps);
        let start = Instant::now();
        let mut total = 0.0;
        for (step, idx) in order.chunks(cfg.batch_size).enumerate() {
            let x = batch_tensor(data, idx, &device);
            let loss = (model.forward(x.clone()) - x).square().sum();
            let value = loss.clone().into_scalar::<f32>() as f64;
            if !value.is_finite() {
                return Err(TrainError::Diverged {
                    epoch,
                    step: step + 1,
                    loss: value,
                    lr: cfg.lr,
                });
            }
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            model = optim.step(cfg.lr, model, grads);
            total += value;
            let seen = (step * cfg.batch_size + idx.len()) as f64;
            observer.step(
                value / idx.len() as f64,
                seen / start.elapsed().as_secs_f64(),
            );
        }
        let seconds = start.elapsed().as_secs_f64();
        let stats = EpochStats {
            epoch,
            loss_per_image: total / data.n as f64,
            seconds,
            images_per_sec: data.n as f64 / seconds,
        };
        observer.epoch_end(&stats);
        history.push(stats);
    }
    Ok((model.valid(), history))
}

/// Anomaly scores s(x) = ‖x − D(E(x))‖² for every image of `data`, computed in batches.
pub fn score(model: &Autoencoder, data: &Images, device: &Device) -> Vec<f32> {
    let all: Vec<usize> = (0..data.n).collect();
    let mut out = Vec::with_capacity(data.n);
    for idx in all.chunks(1000) {
        let x = batch_tensor(data, idx, device);
        let s = (model.forward(x.clone()) - x).square().sum_dim(1);
        out.extend(s.into_data().try_into_vec::<f32>().expect("f32 scores"));
    }
    out
}

/// The reconstructions D(E(x)) of the images `idx`, each a row-major `Vec` of n pixels.
pub fn reconstruct(
    model: &Autoencoder,
    data: &Images,
    idx: &[usize],
    device: &Device,
) -> Vec<Vec<f32>> {
    if idx.is_empty() {
        return Vec::new();
    }
    let y = model.forward(batch_tensor(data, idx, device));
    let flat = y.into_data().try_into_vec::<f32>().expect("f32 pixels");
    flat.chunks(data.dim()).map(<[f32]>::to_vec).collect()
}
