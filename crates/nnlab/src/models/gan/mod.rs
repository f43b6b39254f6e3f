//! An MLP GAN on MNIST with the two generator losses — minimax E log(1 − D(G(z))) and
//! non-saturating −E log D(G(z)) — trained from the same seeds and data order, measuring the
//! generator-gradient norm ‖∇_θG L_G‖₂ against the mean D(G(z)) to show the minimax gradient
//! vanishing as D(G(z)) → 0 (the mathematics is in [`loss`]).
//!
//! Both optimizers are Adam with β₁ = 0.5 (see [`train::ADAM_BETA1`]). Adam divides each step
//! by a running RMS of the gradient, so a uniformly small minimax gradient still moves G; the
//! norm recorded is that of the raw gradient ∇_θG L_G, before the optimizer sees it. Measured
//! with the defaults (all of MNIST, 5 epochs, seed 0): the minimax run ends with D winning
//! (D(x) ≈ 1, D(G(z)) ≈ 1e-4, gradient norm ≈ 1e-3), the non-saturating one with
//! D(G(z)) ≈ 0.2 and recognizable digits.
//!
//! [`run`] loads the data, trains one GAN per requested loss ([`train::train_gan`]) and writes
//! its outputs ([`report::write_outputs`]).

pub mod check;
pub mod loss;
pub mod model;
pub mod report;
pub mod train;

#[cfg(test)]
mod tests_loss;
#[cfg(test)]
mod tests_train;

pub use loss::{GeneratorLoss, discriminator_loss, grad_norm};
pub use model::{Discriminator, GanShape, Generator};
pub use report::GanReport;
pub use train::{GanEpoch, GanHistory, GanSettings, StepRecord, train_gan};

use crate::data::{DataError, DataSource, Images, Selection, Split};
use crate::train::JobObserver;
use crate::train::{TrainConfig, TrainError};
use std::path::PathBuf;
use std::time::Instant;

/// Settings of one `nnlab gan` run. `Default` is the CLI's defaults.
#[derive(Clone, Debug, serde::Serialize)]
pub struct GanConfig {
    /// Training images (a data selection such as `mnist` or `mnist:3`; training split).
    pub data: String,
    /// Use only the first N training images (quick runs); `None` = all.
    pub train_limit: Option<usize>,
    pub latent: usize,
    /// Hidden widths of G (D mirrors them).
    pub hidden: Vec<usize>,
    /// The generator losses to train with, one run each.
    pub losses: Vec<GeneratorLoss>,
    pub train: TrainConfig,
    pub d_pretrain: usize,
    pub n_samples: usize,
    pub out: PathBuf,
    pub data_dir: Option<PathBuf>,
    /// Never download: missing dataset files are an error.
    pub offline: bool,
    pub device: crate::device::DeviceChoice,
}

impl Default for GanConfig {
    fn default() -> Self {
        Self {
            data: "mnist".into(),
            train_limit: None,
            latent: 64,
            hidden: vec![256, 256],
            losses: GeneratorLoss::BOTH.to_vec(),
            train: TrainConfig {
                epochs: 5,
                batch_size: 64,
                lr: 1e-3,
                seed: 0,
                grad_clip: None,
            },
            d_pretrain: 100,
            n_samples: 12,
            out: PathBuf::from("runs/gan"),
            data_dir: None,
            offline: false,
            device: crate::device::DeviceChoice::Cpu,
        }
    }
}

/// Failures of a GAN run, each saying what to fix.
#[derive(Debug, thiserror::Error)]
pub enum GanError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error(transparent)]
    Train(#[from] TrainError),
    #[error("{0}")]
    Invalid(String),
    #[error("writing {path}: {msg}")]
    Output { path: PathBuf, msg: String },
}

/// Loads the training images named by `cfg.data` (training split unless the selection says
/// otherwise), cut to `cfg.train_limit`.
pub fn load_data(cfg: &GanConfig, obs: &mut dyn JobObserver) -> Result<Images, GanError> {
    let source = DataSource::resolve(cfg.data_dir.as_deref()).with_download(!cfg.offline);
    let bar = obs.download_bar();
    obs.stage("loading data");
    let images = cfg
        .data
        .parse::<Selection>()?
        .load(&source, Split::Train, &bar)?;
    if cfg.train_limit == Some(0) {
        return Err(GanError::Invalid("--train-limit must be at least 1".into()));
    }
    Ok(images.limited(cfg.train_limit))
}

/// The training settings of `cfg` for images of `data_dim` pixels.
pub fn settings(cfg: &GanConfig, data_dim: usize) -> GanSettings {
    GanSettings {
        shape: GanShape {
            latent: cfg.latent,
            hidden: cfg.hidden.clone(),
            data_dim,
        },
        train: cfg.train.clone(),
        d_pretrain: cfg.d_pretrain,
        n_samples: cfg.n_samples,
    }
}

/// Runs the whole job: load, train one GAN per loss in `cfg.losses` (same seeds, same data
/// order), and write metrics.json, steps.csv and the figures into `cfg.out`.
pub fn run(cfg: &GanConfig, obs: &mut dyn JobObserver) -> Result<GanReport, GanError> {
    if cfg.losses.is_empty() {
        return Err(GanError::Invalid("no generator loss given".into()));
    }
    cfg.train.validate()?;
    let data = load_data(cfg, obs)?;
    let settings = settings(cfg, data.dim());
    settings.shape.validate().map_err(GanError::Invalid)?;
    let device = cfg.device.device().map_err(GanError::Invalid)?;
    let mut runs = Vec::with_capacity(cfg.losses.len());
    for &loss in &cfg.losses {
        obs.stage(&format!("training with the {loss} generator loss"));
        let start = Instant::now();
        let (_, _, history) = train_gan(&data, &settings, loss, &device, obs)?;
        runs.push((history, start.elapsed().as_secs_f64()));
    }
    obs.stage("writing outputs");
    let report = GanReport::new(cfg, &data, &runs);
    report::write_outputs(cfg, &data, &runs, &report)?;
    Ok(report)
}
