//! The GAN job (`nnlab gan`): load images, train one GAN per requested generator loss from the
//! same seeds and data order ([`crate::models::gan::train_gan`]), and write metrics.json,
//! steps.csv and the figures of [`report`].

pub mod report;

#[cfg(test)]
mod tests;

pub use report::Report;

use super::{Env, Job, JobError, Observer, check_counts, check_train, limits};
use crate::data::Split;
use crate::models::gan::{GanSettings, GanShape, GeneratorLoss, train_gan};
use crate::train::TrainConfig;
use std::time::Instant;

/// Settings of one GAN run. `Default` holds the defaults.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Config {
    /// Training images (a data selection such as `mnist` or `mnist:3`; training split).
    pub data: String,
    /// Use only the first N training images (quick runs); `None` = all.
    pub train_limit: Option<usize>,
    /// Width of the latent code z ~ N(0, I).
    pub latent: usize,
    /// Hidden widths of G (D mirrors them).
    pub hidden: Vec<usize>,
    /// The generator losses to train with, one run each.
    pub losses: Vec<GeneratorLoss>,
    /// Optimization settings of both G and D; the run's seed is `env.seed` (it replaces
    /// `train.seed`).
    pub train: TrainConfig,
    /// Discriminator-only steps before the first generator step.
    pub d_pretrain: usize,
    /// Samples per epoch in the sample grids (fixed z across epochs).
    pub n_samples: usize,
    #[serde(flatten)]
    pub env: Env,
}

impl Default for Config {
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
                ..TrainConfig::default()
            },
            d_pretrain: 100,
            n_samples: 12,
            env: Env::named(<Self as Job>::NAME),
        }
    }
}

impl Config {
    /// The training settings of the run: `train` with the run's seed.
    pub fn training(&self) -> TrainConfig {
        self.train.with_seed(self.env.seed)
    }

    /// The training settings for images of `data_dim` pixels.
    pub fn settings(&self, data_dim: usize) -> GanSettings {
        GanSettings {
            shape: GanShape {
                latent: self.latent,
                hidden: self.hidden.clone(),
                data_dim,
            },
            train: self.training(),
            d_pretrain: self.d_pretrain,
            n_samples: self.n_samples,
        }
    }
}

/// Most images in the sample grid: 10⁴.
pub const MAX_GRID: usize = 10_000;

impl Job for Config {
    const NAME: &'static str = "gan";
    type Report = Report;

    fn env(&self) -> &Env {
        &self.env
    }

    fn validate(&self) -> Result<(), JobError> {
        Env::selection("data", &self.data)?;
        if let Some(field) = [
            (
                "train.checkpoint_every",
                self.train.checkpoint.checkpoint_every.is_some(),
            ),
            ("train.resume", self.train.checkpoint.resume.is_some()),
        ]
        .into_iter()
        .find_map(|(f, set)| set.then_some(f))
        {
            return Err(JobError::setting(
                field,
                "the gan job trains its two networks in its own loop and writes no checkpoints",
            ));
        }
        check_counts(&[
            ("train_limit", self.train_limit),
            ("latent", Some(self.latent)),
        ])?;
        if self.losses.is_empty() {
            return Err(JobError::setting(
                "losses",
                "name at least one generator loss",
            ));
        }
        if self.hidden.contains(&0) {
            return Err(JobError::setting(
                "hidden",
                format!("every width must be at least 1, got {:?}", self.hidden),
            ));
        }
        check_train("train", &self.train)?;
        limits::check_max(&[
            ("d_pretrain", Some(self.d_pretrain), limits::MAX_EPOCHS),
            ("n_samples", Some(self.n_samples), MAX_GRID),
        ])?;
        let rev: Vec<usize> = self.hidden.iter().rev().copied().collect();
        let params = |latent: usize, hidden: &[usize], rev: &[usize]| {
            let g = limits::dense_params(&limits::chain(latent, hidden, 784))?;
            g.checked_add(limits::dense_params(&limits::chain(784, rev, 1))?)
        };
        limits::check_params("latent", params(self.latent, &[], &[]))?;
        limits::check_params("hidden", params(self.latent, &self.hidden, &rev))?;
        self.env.device()?;
        Ok(())
    }

    fn run(&self, obs: &mut dyn Observer) -> Result<Report, JobError> {
        obs.stage("loading data");
        let data = self
            .env
            .load("data", &self.data, Split::Train, obs)?
            .limited(self.train_limit);
        let settings = self.settings(data.dim());
        settings.shape.validate().map_err(JobError::Run)?;
        let device = self.env.device()?;
        let mut runs = Vec::with_capacity(self.losses.len());
        for &loss in &self.losses {
            obs.stage(&format!("training with the {loss} generator loss"));
            let start = Instant::now();
            let (_, _, history) = train_gan(&data, &settings, loss, &device, obs)?;
            runs.push((history, start.elapsed().as_secs_f64()));
        }
        obs.stage("writing outputs");
        let report = Report::new(self, &data, &runs);
        report::write_outputs(self, &data, &runs, &report)?;
        Ok(report)
    }
}
