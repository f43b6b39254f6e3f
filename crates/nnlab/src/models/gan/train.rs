//! Alternating GAN training: per minibatch one Adam step of D on L_D, then one Adam step of G on
//! the chosen generator loss, recording per generator step the gradient norm ‖∇_θG L_G‖₂ (taken
//! before the optimizer step) and the mean D(G(z)).

use super::loss::{GeneratorLoss, discriminator_loss, grad_norm};
use super::model::{Discriminator, GanShape, Generator};
use crate::data::Images;
use crate::train::adam::FusedAdam;
use crate::train::{EpochStats, TrainConfig, TrainError, TrainObserver, batch_tensor};
use crate::train::{adam_with, normal_noise, seeded};
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::prelude::*;
use burn::tensor::activation::sigmoid;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::Serialize;
use std::time::Instant;

/// β₁ of both Adam optimizers: 0.5 instead of 0.9, as usual for GANs (Radford et al. 2015), since
/// a long momentum memory chases a moving adversary; β₂ = 0.999, ε = 1e-8.
pub const ADAM_BETA1: f32 = 0.5;

/// Everything that fixes one GAN training run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GanSettings {
    pub shape: GanShape,
    /// Epochs, batch size, learning rate (of both optimizers) and seed.
    pub train: TrainConfig,
    /// Discriminator-only steps before the first generator step (a head start for D, which
    /// drives D(G(z)) toward 0: the regime where the two generator losses differ).
    pub d_pretrain: usize,
    /// Generated images per epoch in the sample grid (from one fixed set of codes z).
    pub n_samples: usize,
}

/// What one generator step measured.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StepRecord {
    /// 1-based generator step.
    pub step: usize,
    pub epoch: usize,
    /// L_D of the discriminator step before it (before D's update).
    pub d_loss: f64,
    /// L_G of this step (before G's update).
    pub g_loss: f64,
    /// Mean D(x) over the real batch (in the discriminator step).
    pub d_real: f64,
    /// Mean D(G(z)) over this step's generated batch.
    pub d_fake: f64,
    /// ‖∇_θG L_G‖₂ over all generator parameters.
    pub grad_norm: f64,
}

/// Per-epoch means of the step records.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GanEpoch {
    pub epoch: usize,
    pub d_loss: f64,
    pub g_loss: f64,
    pub d_real: f64,
    pub d_fake: f64,
    pub grad_norm_mean: f64,
    pub grad_norm_median: f64,
    pub seconds: f64,
}

/// The record of one training run.
#[derive(Clone, Debug, Serialize)]
pub struct GanHistory {
    pub loss: GeneratorLoss,
    pub steps: Vec<StepRecord>,
    pub epochs: Vec<GanEpoch>,
    /// `samples[e][k]`: G(z_k) after epoch e (e = 0: before the first generator step), for
    /// the same codes z_k in every epoch; each image has `shape.data_dim` pixels.
    #[serde(skip)]
    pub samples: Vec<Vec<Vec<f32>>>,
}

/// Largest per-batch loss (nats) taken as training: a binary cross-entropy above 10⁴ nats
/// means logits of magnitude ≥ 10⁴, probabilities of e^(−10⁴), which no healthy GAN reaches;
/// there (or at a non-finite loss) training has diverged, e.g. with a learning rate of 10⁹.
pub const MAX_LOSS: f64 = 1e4;

/// Seeds of G's and D's initial weights derived from the run's seed (2s and 2s + 1: distinct
/// for every seed, and different seeds never share one).
pub fn model_seeds(seed: u64) -> (u64, u64) {
    (seed.wrapping_mul(2), seed.wrapping_mul(2).wrapping_add(1))
}

/// Adam with β₁ = [`ADAM_BETA1`] for training on `device` (see [`adam_with`]).
pub fn gan_adam(device: &Device) -> ModuleOptimizer {
    adam_with(
        device,
        FusedAdam {
            beta_1: ADAM_BETA1,
            ..FusedAdam::default()
        },
    )
}

/// Trains a fresh GAN on `data` with generator loss `loss`: `d_pretrain` discriminator-only
/// steps, then per minibatch (data reshuffled every epoch) one D step on
/// L_D = −mean log D(x) − mean log(1 − D(G(z))) with G(z) held fixed, then one G step on L_G
/// with fresh z. All randomness (order, z) comes from one generator seeded by the run's seed,
/// and G, D are initialized from [`model_seeds`], so two runs with the same settings but
/// different `loss` see the same data order and start from the same networks.
/// Returns the trained networks (without autodiff) and the [`GanHistory`].
pub fn train_gan(
    data: &Images,
    settings: &GanSettings,
    loss: GeneratorLoss,
    device: &Device,
    observer: &mut dyn TrainObserver,
) -> Result<(Generator, Discriminator, GanHistory), TrainError> {
    let (shape, cfg) = (&settings.shape, &settings.train);
    cfg.validate()?;
    shape.validate().map_err(TrainError::Config)?;
    if data.n == 0 || data.dim() != shape.data_dim {
        return Err(TrainError::Config(format!(
            "{} has {} images of {} pixels; the GAN expects {} pixels",
            data.name,
            data.n,
            data.dim(),
            shape.data_dim
        )));
    }
    let ad = device.clone().autodiff();
    let (g_seed, d_seed) = model_seeds(cfg.seed);
    let mut g = seeded(&ad, g_seed, || shape.generator(&ad));
    let mut d = seeded(&ad, d_seed, || shape.discriminator(&ad));
    let mut opt_g = gan_adam(device);
    let mut opt_d = gan_adam(device);
    let mut rng = StdRng::seed_from_u64(cfg.seed);
    // The sample codes come from their own generator so they do not shift the training draws.
    let mut sample_rng = StdRng::seed_from_u64(cfg.seed ^ 0x5a4d_504c_4553);
    let z_fixed = normal_noise(&mut sample_rng, [settings.n_samples, shape.latent], device);
    let scalar = |t: Tensor<1>| t.into_scalar::<f32>() as f64;
    let diverged = |epoch, step, loss: f64| TrainError::Diverged {
        epoch,
        step,
        loss,
        lr: cfg.lr,
    };

    // One discriminator step on the real images `idx`; returns (L_D, mean D(x)).
    let mut d_step = |d: Discriminator, g: &Generator, idx: &[usize], rng: &mut StdRng| {
        let x = batch_tensor(data, idx, &ad);
        let z = normal_noise(rng, [idx.len(), shape.latent], &ad);
        let fake = g.forward(z).detach();
        let real_logits = d.logits(x);
        let d_real = scalar(sigmoid(real_logits.clone().detach()).mean());
        let l = discriminator_loss(real_logits, d.logits(fake));
        let value = scalar(l.clone().detach());
        let grads = GradientsParams::from_grads(l.backward(), &d);
        (opt_d.step(cfg.lr, d, grads), value, d_real)
    };

    let mut order: Vec<usize> = (0..data.n).collect();
    order.shuffle(&mut rng);
    for (s, idx) in order
        .chunks(cfg.batch_size)
        .cycle()
        .take(settings.d_pretrain)
        .enumerate()
    {
        let (d_new, value, _) = d_step(d, &g, idx, &mut rng);
        d = d_new;
        if !value.is_finite() || value.abs() > MAX_LOSS {
            return Err(diverged(0, s + 1, value));
        }
    }

    let grid = |g: &Generator| -> Vec<Vec<f32>> {
        if settings.n_samples == 0 {
            return Vec::new();
        }
        let x = g.valid().forward(z_fixed.clone());
        let flat = x
            .into_data()
            .convert::<f32>()
            .try_into_vec::<f32>()
            .expect("f32");
        flat.chunks(shape.data_dim).map(<[f32]>::to_vec).collect()
    };
    let mut history = GanHistory {
        loss,
        steps: Vec::new(),
        epochs: Vec::with_capacity(cfg.epochs),
        samples: vec![grid(&g)],
    };
    let steps_per_epoch = data.n.div_ceil(cfg.batch_size);
    for epoch in 1..=cfg.epochs {
        order.shuffle(&mut rng);
        observer.epoch_start(epoch, cfg.epochs, steps_per_epoch);
        let start = Instant::now();
        let first = history.steps.len();
        for (k, idx) in order.chunks(cfg.batch_size).enumerate() {
            let (d_new, d_loss, d_real) = d_step(d, &g, idx, &mut rng);
            d = d_new;
            let z = normal_noise(&mut rng, [idx.len(), shape.latent], &ad);
            let fake_logits = d.logits(g.forward(z));
            let d_fake = scalar(sigmoid(fake_logits.clone().detach()).mean());
            let l = loss.loss(fake_logits);
            let g_loss = scalar(l.clone().detach());
            for v in [d_loss, g_loss] {
                if !v.is_finite() || v.abs() > MAX_LOSS {
                    return Err(diverged(epoch, k + 1, v));
                }
            }
            let grads = GradientsParams::from_grads(l.backward(), &g);
            let norm = grad_norm(&g, &grads);
            g = opt_g.step(cfg.lr, g, grads);
            history.steps.push(StepRecord {
                step: history.steps.len() + 1,
                epoch,
                d_loss,
                g_loss,
                d_real,
                d_fake,
                grad_norm: norm,
            });
            let seen = (k * cfg.batch_size + idx.len()) as f64;
            observer.step(d_loss, seen / start.elapsed().as_secs_f64());
        }
        let seconds = start.elapsed().as_secs_f64();
        let e = epoch_means(epoch, &history.steps[first..], seconds);
        observer.epoch_end(&EpochStats {
            epoch,
            loss_per_image: e.d_loss,
            seconds,
            images_per_sec: data.n as f64 / seconds,
        });
        history.epochs.push(e);
        history.samples.push(grid(&g));
    }
    Ok((g.valid(), d.valid(), history))
}

/// The means (and the median gradient norm) of one epoch's step records.
fn epoch_means(epoch: usize, steps: &[StepRecord], seconds: f64) -> GanEpoch {
    let n = steps.len().max(1) as f64;
    let mean = |f: fn(&StepRecord) -> f64| steps.iter().map(f).sum::<f64>() / n;
    let mut norms: Vec<f64> = steps.iter().map(|s| s.grad_norm).collect();
    norms.sort_by(f64::total_cmp);
    GanEpoch {
        epoch,
        d_loss: mean(|s| s.d_loss),
        g_loss: mean(|s| s.g_loss),
        d_real: mean(|s| s.d_real),
        d_fake: mean(|s| s.d_fake),
        grad_norm_mean: mean(|s| s.grad_norm),
        grad_norm_median: median(&norms),
        seconds,
    }
}

/// The median of sorted values (NaN when empty).
pub(crate) fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => sorted[n / 2],
        n => 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]),
    }
}
