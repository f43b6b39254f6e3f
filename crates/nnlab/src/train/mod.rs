//! Minibatch training of any Burn module on images: seeded initialization, seeded shuffling,
//! Adam, a per-batch loss supplied by the model family, progress callbacks and divergence checks.
//! The autoencoder, the VAE and the RealNVP flow all train through [`fit`], which also writes
//! checkpoints and resumes from them ([`checkpoint`]).

pub mod adam;
pub mod checkpoint;
pub mod shards;

use crate::data::Images;
use adam::FusedAdam;
use burn::grad_clipping::GradientClipping;
use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::{AdamConfig, ModuleOptimizer};
use burn::prelude::*;
pub use checkpoint::Checkpointing;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use std::time::Instant;

/// Optimization settings (defaults: the course recipe of the anomaly job).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TrainConfig {
    pub epochs: usize,
    pub batch_size: usize,
    pub lr: f64,
    pub seed: u64,
    /// Clip each parameter tensor's gradient to at most this L2 norm before the Adam step
    /// (Burn's `GradientClipping::Norm`); `None` = no clipping.
    #[serde(default)]
    pub grad_clip: Option<f64>,
    /// Checkpoints written and resumed from ([`checkpoint`]); off by default.
    #[serde(flatten, default)]
    pub checkpoint: Checkpointing,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            epochs: 10,
            batch_size: 100,
            lr: 1e-3,
            seed: 0,
            grad_clip: None,
            checkpoint: Checkpointing::default(),
        }
    }
}

impl TrainConfig {
    /// The same settings with seed `seed` (a job's run seed replaces the one stored here).
    pub fn with_seed(&self, seed: u64) -> Self {
        Self {
            seed,
            ..self.clone()
        }
    }

    /// Checks that epochs, batch size, learning rate and the clipping norm are positive.
    pub fn validate(&self) -> Result<(), TrainError> {
        match self.invalid() {
            Some((field, message)) => Err(TrainError::Config(format!("{field}: {message}"))),
            None => Ok(()),
        }
    }

    /// The first invalid setting, as (field name, what is wrong); `None` when all are valid.
    pub fn invalid(&self) -> Option<(&'static str, String)> {
        if let Some(c) = self.grad_clip.filter(|c| c.is_nan() || *c <= 0.0) {
            return Some(("grad_clip", format!("must be positive, got {c:?}")));
        }
        if self.checkpoint.checkpoint_every == Some(0) {
            return Some(("checkpoint_every", "must be at least 1".into()));
        }
        [
            ("epochs", self.epochs == 0, self.epochs.to_string()),
            (
                "batch_size",
                self.batch_size == 0,
                self.batch_size.to_string(),
            ),
            (
                "lr",
                self.lr.is_nan() || self.lr <= 0.0,
                format!("{:?}", self.lr),
            ),
        ]
        .into_iter()
        .find(|(_, bad, _)| *bad)
        .map(|(field, _, value)| (field, format!("must be positive, got {value}")))
    }
}

/// What happened in one epoch.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EpochStats {
    /// 1-based epoch number.
    pub epoch: usize,
    /// Mean over the epoch's images of the per-image loss (the batch loss divided by batch size).
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
         try a smaller learning rate (now {lr})"
    )]
    Diverged {
        epoch: usize,
        step: usize,
        loss: f64,
        lr: f64,
    },
    #[error("invalid training setting: {0}")]
    Config(String),
    /// A checkpoint could not be written, or the one to resume from is unusable.
    #[error("{}: {msg}", path.display())]
    Checkpoint {
        path: std::path::PathBuf,
        msg: String,
    },
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

/// The values of a tensor as f32, row-major (converted from the backend's float type).
pub fn to_vec<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .expect("f32 values")
}

/// `f(X)` for every batch X ([b, n], at most `batch` images of `data` in order), concatenated:
/// one value per image when `f` gives one per row (scores, log-likelihoods).
pub fn score_in_batches<const D: usize>(
    data: &Images,
    batch: usize,
    device: &Device,
    mut f: impl FnMut(Tensor<2>) -> Tensor<D>,
) -> Vec<f32> {
    let all: Vec<usize> = (0..data.n).collect();
    let mut out = Vec::with_capacity(data.n);
    for idx in all.chunks(batch.max(1)) {
        out.extend(to_vec(f(batch_tensor(data, idx, device))));
    }
    out
}

/// Runs `init` with Burn's random generator seeded by `seed`, so the weights it draws depend only
/// on `seed`. Burn's backend generator is global to the process, so seeding and drawing happen
/// under one lock, and every parameter is materialized inside it (Burn initializes parameters
/// lazily, on first use, which would otherwise draw from whatever state the generator is in
/// then): concurrent trainings (parallel tests, library users) cannot interleave their draws.
pub fn seeded<M: Module>(device: &Device, seed: u64, init: impl FnOnce() -> M) -> M {
    struct Materialize;
    impl ModuleVisitor for Materialize {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let _ = param.val();
        }
    }
    static INIT: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = INIT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    device.seed(seed);
    let model = init();
    model.visit(&mut Materialize);
    model
}

/// Adam (β = 0.9, 0.999, ε = 1e-8, as PyTorch) for training on `device`; see [`adam_with`].
pub fn adam_for(device: &Device) -> ModuleOptimizer {
    adam_with(device, FusedAdam::default())
}

/// Adam with the constants of `adam` for training on `device`: on the CPU the fused update
/// saves a large share of an epoch; elsewhere Burn's Adam keeps the work on the device. Both
/// compute the same update (see `adam::tests`).
pub fn adam_with(device: &Device, adam: FusedAdam) -> ModuleOptimizer {
    if *device == Device::flex() {
        adam.init()
    } else {
        AdamConfig::new()
            .with_beta_1(adam.beta_1)
            .with_beta_2(adam.beta_2)
            .with_epsilon(adam.epsilon)
            .init()
    }
}

/// Standard normal noise of `shape` drawn from `rng` ([`crate::prob::fill_standard_normal`]),
/// as a tensor on `device`:
/// the noise of reparameterized samples and dequantization comes from the run's own seeded
/// generator, never from Burn's global one, so parallel runs stay reproducible.
pub fn normal_noise<const D: usize>(
    rng: &mut StdRng,
    shape: [usize; D],
    device: &Device,
) -> Tensor<D> {
    let mut z = vec![0.0; shape.iter().product()];
    crate::prob::fill_standard_normal(rng, &mut z);
    let v: Vec<f32> = z.into_iter().map(|x| x as f32).collect();
    Tensor::from_data(TensorData::new(v, shape), device)
}

/// Uniform(0, 1) noise of `shape` drawn from `rng` (see [`normal_noise`]).
pub fn uniform_noise<const D: usize>(
    rng: &mut StdRng,
    shape: [usize; D],
    device: &Device,
) -> Tensor<D> {
    use rand::Rng;
    let n: usize = shape.iter().product();
    let v: Vec<f32> = (0..n).map(|_| rng.random::<f32>()).collect();
    Tensor::from_data(TensorData::new(v, shape), device)
}

/// Minimizes Σ_batches `loss(model, X_batch, rng)` over `cfg.epochs` passes through `data` with
/// Adam, reshuffling every epoch with a generator seeded by `cfg.seed` (the same generator is
/// handed to `loss` for any noise it needs). `model` must live on an autodiff device; `loss`
/// returns the batch loss as a one-element tensor, summed (not averaged) over the batch so
/// the reported per-image loss is `loss / batch size`. On the CPU a batch is cut into shards
/// computed in parallel ([`shards`]): `loss` then sees each shard as a batch, with a generator of
/// its own, and the shards' losses and gradients are added. Returns the trained model (without
/// autodiff) and per-epoch statistics; a non-finite loss stops with [`TrainError::Diverged`].
pub fn fit<M>(
    model: M,
    data: &Images,
    cfg: &TrainConfig,
    loss: impl Fn(&M, Tensor<2>, &mut StdRng) -> Tensor<1> + Sync,
    observer: &mut dyn TrainObserver,
) -> Result<(M, Vec<EpochStats>), TrainError>
where
    M: Module,
{
    cfg.validate()?;
    if data.n == 0 {
        return Err(TrainError::Config(format!("{} has no images", data.name)));
    }
    let batch = |idx: &[usize], device: &Device| batch_tensor(data, idx, device);
    fit_batches(model, data.n, cfg, batch, loss, observer)
}

/// The training preamble every model shares, then [`fit`]: checks `cfg`, builds the model with
/// `init` on the autodiff version of `device` inside [`seeded`] (so the initial weights depend
/// only on `cfg.seed`) and minimizes `loss` over `data`.
pub fn fit_fresh<M: Module>(
    init: impl FnOnce(&Device) -> M,
    data: &Images,
    cfg: &TrainConfig,
    device: &Device,
    loss: impl Fn(&M, Tensor<2>, &mut StdRng) -> Tensor<1> + Sync,
    observer: &mut dyn TrainObserver,
) -> Result<(M, Vec<EpochStats>), TrainError> {
    cfg.validate()?;
    let device = device.clone().autodiff();
    let model = seeded(&device, cfg.seed, || init(&device));
    fit(model, data, cfg, loss, observer)
}

/// [`fit`] for any training set of `n` items: `batch(idx, device)` builds the batch of the
/// items `idx` (images, 1-D samples, …) that `loss` takes.
///
/// Epoch e visits the items in a fresh random order and hands `loss` a generator, both drawn
/// from a generator seeded by [`checkpoint::epoch_seed`]`(cfg.seed, e)`: nothing random carries
/// over from one epoch to the next except through the weights and Adam's state. So a run
/// resumed from the checkpoint after epoch e (`cfg.checkpoint.resume`; weights, Adam's moments
/// and step count restored) computes bit for bit what the uninterrupted run computes.
/// With `cfg.checkpoint.checkpoint_every = Some(k)`, a checkpoint is written after every epoch
/// divisible by k ([`checkpoint::save`]).
pub fn fit_batches<M, X>(
    mut model: M,
    n: usize,
    cfg: &TrainConfig,
    batch: impl Fn(&[usize], &Device) -> X + Sync,
    loss: impl Fn(&M, X, &mut StdRng) -> Tensor<1> + Sync,
    observer: &mut dyn TrainObserver,
) -> Result<(M, Vec<EpochStats>), TrainError>
where
    M: Module,
{
    cfg.validate()?;
    if n == 0 {
        return Err(TrainError::Config("the training set is empty".into()));
    }
    let device = model
        .devices()
        .into_iter()
        .next()
        .ok_or_else(|| TrainError::Config("model has no parameters".into()))?;
    crate::device::apply_denormals();
    let mut optim = adam_for(&device);
    if let Some(c) = cfg.grad_clip {
        optim = optim.with_grad_clipping(GradientClipping::Norm(c as f32));
    }
    let mut history = Vec::with_capacity(cfg.epochs);
    let mut done = 0;
    if let Some(dir) = &cfg.checkpoint.resume {
        let r = checkpoint::load(dir, cfg, n, model, optim)?;
        (model, optim, history, done) = (r.model, r.optim, r.history, r.epoch);
    }
    let steps = n.div_ceil(cfg.batch_size);
    let shards = shards::count(cfg.batch_size, &device);
    for epoch in done + 1..=cfg.epochs {
        let mut rng = StdRng::seed_from_u64(checkpoint::epoch_seed(cfg.seed, epoch));
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut rng);
        observer.epoch_start(epoch, cfg.epochs, steps);
        let start = Instant::now();
        let mut total = 0.0;
        for (step, idx) in order.chunks(cfg.batch_size).enumerate() {
            let (value, grads) =
                shards::gradients(&model, &device, idx, shards, &mut rng, &batch, &loss);
            if !value.is_finite() {
                return Err(TrainError::Diverged {
                    epoch,
                    step: step + 1,
                    loss: value,
                    lr: cfg.lr,
                });
            }
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
            loss_per_image: total / n as f64,
            seconds,
            images_per_sec: n as f64 / seconds,
        };
        observer.epoch_end(&stats);
        history.push(stats);
        if cfg
            .checkpoint
            .checkpoint_every
            .is_some_and(|k| epoch % k == 0)
        {
            checkpoint::save(cfg, n, epoch, &model, &optim, &history)?;
        }
    }
    Ok((model.valid(), history))
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::nn::{Linear, LinearConfig};

    fn data() -> Images {
        let pixels: Vec<f32> = (0..64 * 4)
            .map(|i| ((i * 37) % 101) as f32 / 101.0)
            .collect();
        Images {
            n: 64,
            rows: 2,
            cols: 2,
            pixels,
            labels: None,
            name: "toy".into(),
        }
    }

    /// Trains a 4→4 linear map on ‖Wx − 3x‖² (large gradients) and returns its weights.
    fn weights(grad_clip: Option<f64>) -> Vec<f32> {
        let device = Device::flex().autodiff();
        let model = seeded(&device, 0, || LinearConfig::new(4, 4).init(&device));
        let cfg = TrainConfig {
            epochs: 3,
            batch_size: 16,
            lr: 1e-2,
            seed: 0,
            grad_clip,
            ..TrainConfig::default()
        };
        let loss = |m: &Linear, x: Tensor<2>, _: &mut StdRng| {
            (m.forward(x.clone()) - x * 3.0).square().sum()
        };
        let (m, _) = fit(model, &data(), &cfg, loss, &mut ()).unwrap();
        m.weight.val().into_data().try_to_vec::<f32>().unwrap()
    }

    #[test]
    fn gradient_clipping_acts_only_above_its_norm() {
        // A norm no gradient reaches leaves training bit-identical; a small one changes it.
        assert_eq!(weights(None), weights(Some(1e30)));
        assert_ne!(weights(None), weights(Some(1e-3)));
    }

    #[test]
    fn invalid_settings_are_errors() {
        for cfg in [
            TrainConfig {
                grad_clip: Some(0.0),
                ..TrainConfig::default()
            },
            TrainConfig {
                grad_clip: Some(f64::NAN),
                ..TrainConfig::default()
            },
            TrainConfig {
                epochs: 0,
                ..TrainConfig::default()
            },
            TrainConfig {
                lr: -1.0,
                ..TrainConfig::default()
            },
        ] {
            assert!(
                matches!(cfg.validate(), Err(TrainError::Config(_))),
                "{cfg:?}"
            );
        }
    }
}
