//! The VAE job (`nnlab vae`): load training and test images, train a VAE on the ELBO, measure the test
//! ELBO (with its reconstruction and KL terms) and IW_k, and write `samples.png`,
//! `reconstructions.png`, `loss.png`, `metrics.json` and the model (`weights.safetensors`,
//! `vae.json`).

use super::{Env, Job, JobError, Observer, Outputs, check_counts, check_train, limits};
use crate::data::{Images, Split};
use crate::models::vae::{self, EpochStats, Evaluation, TrainConfig, Vae, VaeConfig};
use crate::plot::{self, GridRow, Line};
use burn::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::path::Path;
use std::time::Instant;

/// Model weights and shape file names inside the output folder.
pub const WEIGHTS: &str = "weights.safetensors";
pub const CONFIG: &str = "vae.json";

/// Settings of one VAE run. `Default` holds the defaults.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Config {
    /// Training images (training split unless given).
    pub data: String,
    /// Test images (test split unless given); `None` = the test split of `data`.
    pub test_data: Option<String>,
    /// Use only the first N training / test images (quick runs); `None` = all.
    pub train_limit: Option<usize>,
    pub test_limit: Option<usize>,
    /// Dimension of the latent z.
    pub latent: usize,
    /// Hidden widths of the encoder MLP (mirrored in the decoder).
    pub hidden: Vec<usize>,
    /// Optimization settings; the run's seed is `env.seed` (it replaces `train.seed`).
    pub train: TrainConfig,
    /// The k of each reported IW_k.
    pub iw_samples: Vec<usize>,
    #[serde(flatten)]
    pub env: Env,
}

impl Default for Config {
    fn default() -> Self {
        let shape = VaeConfig::for_images(28, 28);
        Self {
            data: "mnist".into(),
            test_data: None,
            train_limit: None,
            test_limit: None,
            latent: shape.latent,
            hidden: shape.hidden,
            train: TrainConfig::default(),
            iw_samples: vec![1, 10, 100],
            env: Env::named(<Self as Job>::NAME),
        }
    }
}

/// Everything a run measured; serialized as `metrics.json`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Report {
    /// Names of the training and test sets.
    pub train_data: String,
    pub test_data: String,
    pub train_images: usize,
    pub model: VaeConfig,
    /// Measurements on the test set (nats per image): ELBO, its terms, IW_k.
    pub test: Evaluation,
    pub train_seconds: f64,
    /// Per-epoch training loss (mean −ELBO per image, one sample each).
    pub epochs: Vec<EpochStats>,
    pub config: Config,
}

impl Config {
    /// The training settings of the run: `train` with the run's seed and checkpoints in the
    /// output folder ([`crate::jobs::training`]).
    pub fn training(&self) -> TrainConfig {
        crate::jobs::training(self, &self.train)
    }

    /// The model shape for images of `rows`×`cols`.
    pub fn model(&self, rows: usize, cols: usize) -> VaeConfig {
        VaeConfig {
            latent: self.latent,
            hidden: self.hidden.clone(),
            ..VaeConfig::for_images(rows, cols)
        }
    }

    /// Loads the training and test images, cut to the limits.
    fn load_data(&self, obs: &mut dyn Observer) -> Result<(Images, Images), JobError> {
        obs.stage("loading data");
        let train_sel = Env::selection("data", &self.data)?;
        let test_sel = match &self.test_data {
            Some(spec) => Env::selection("test_data", spec)?,
            None => train_sel.test_split().ok_or_else(|| {
                JobError::setting(
                    "test_data",
                    "the training data are a file, so there is no default test set: name one",
                )
            })?,
        };
        let train = self
            .env
            .load_selection(&train_sel, Split::Train, obs)?
            .limited(self.train_limit);
        let test = self
            .env
            .load_selection(&test_sel, Split::Test, obs)?
            .limited(self.test_limit);
        for set in [&train, &test] {
            if set.n == 0 {
                return Err(JobError::Run(format!("{} has no images", set.name)));
            }
        }
        if (test.rows, test.cols) != (train.rows, train.cols) {
            return Err(JobError::Run(format!(
                "{} has {}x{} images but the training data {} has {}x{}",
                test.name, test.rows, test.cols, train.name, train.rows, train.cols
            )));
        }
        Ok((train, test))
    }
}

impl Job for Config {
    const NAME: &'static str = "vae";
    type Report = Report;

    fn env(&self) -> &Env {
        &self.env
    }

    fn training_settings(&self) -> Option<&TrainConfig> {
        Some(&self.train)
    }

    fn validate(&self) -> Result<(), JobError> {
        Env::selection("data", &self.data)?;
        if let Some(spec) = &self.test_data {
            Env::selection("test_data", spec)?;
        }
        check_counts(&[
            ("train_limit", self.train_limit),
            ("test_limit", self.test_limit),
        ])?;
        if self.iw_samples.is_empty() || self.iw_samples.contains(&0) {
            return Err(JobError::setting(
                "iw_samples",
                format!("must all be positive, got {:?}", self.iw_samples),
            ));
        }
        let shape = self.model(28, 28);
        if let Err(e) = shape.validate() {
            let field = if e.contains("latent") {
                "latent"
            } else {
                "hidden"
            };
            return Err(JobError::setting(field, e));
        }
        check_train("train", &self.train)?;
        limits::check_max(&[(
            "iw_samples",
            self.iw_samples.iter().copied().max(),
            limits::MAX_IW_SAMPLES,
        )])?;
        let params = |latent: usize, hidden: &[usize]| {
            let rev: Vec<usize> = hidden.iter().rev().copied().collect();
            let enc = limits::dense_params(&limits::chain(784, hidden, latent))?.checked_mul(2)?;
            enc.checked_add(limits::dense_params(&limits::chain(latent, &rev, 784))?)
        };
        limits::check_params("latent", params(shape.latent, &[]))?;
        limits::check_params("hidden", params(shape.latent, &shape.hidden))?;
        self.env.device()?;
        Ok(())
    }

    /// Loads, trains, evaluates on the test set and writes every output. The evaluation noise
    /// comes from seed + 1 and the sample grid from seed + 2.
    fn run(&self, obs: &mut dyn Observer) -> Result<Report, JobError> {
        let device = self.env.device()?;
        let (train, test) = self.load_data(obs)?;
        let model_cfg = self.model(train.rows, train.cols);
        model_cfg.validate().map_err(JobError::Run)?;

        obs.stage("training");
        let start = Instant::now();
        let (model, epochs) = vae::train(&model_cfg, &train, &self.training(), &device, obs)?;
        let train_seconds = start.elapsed().as_secs_f64();

        obs.stage(&format!(
            "evaluating on {} ({} images; IW_k for k = {:?})",
            test.name, test.n, self.iw_samples
        ));
        let seed = self.env.seed;
        let evaluation = vae::evaluate(
            &model,
            &test,
            &device,
            &self.iw_samples,
            seed.wrapping_add(1),
        );
        let report = Report {
            train_data: train.name.clone(),
            test_data: test.name.clone(),
            train_images: train.n,
            model: model_cfg.clone(),
            test: evaluation,
            train_seconds,
            epochs,
            config: Config {
                train: self.training(),
                ..self.clone()
            },
        };
        obs.stage("writing outputs");
        write_outputs(self, &model, &model_cfg, &test, &report, &device)?;
        Ok(report)
    }
}

fn file_err(path: &Path, e: impl std::fmt::Display) -> JobError {
    JobError::file(path, e)
}

/// Saves the model into `dir` as `weights.safetensors` and `vae.json` (its [`VaeConfig`]).
pub fn save_model(dir: &Path, cfg: &VaeConfig, model: &Vae) -> Result<(), JobError> {
    let out = Outputs::new(dir);
    let weights = crate::io::to_safetensors(model).map_err(|e| file_err(&out.path(WEIGHTS), e))?;
    out.bytes(WEIGHTS, &weights)?;
    out.json(CONFIG, cfg)?;
    Ok(())
}

/// Loads a model saved by [`save_model`] from `dir` onto `device`.
pub fn load_model(dir: &Path, device: &Device) -> Result<(VaeConfig, Vae), JobError> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read(&path).map_err(|e| file_err(&path, e))
    };
    let path = dir.join(CONFIG);
    let cfg: VaeConfig = serde_json::from_slice(&read(CONFIG)?).map_err(|e| file_err(&path, e))?;
    cfg.validate().map_err(|e| file_err(&path, e))?;
    let fresh = crate::train::seeded(device, 0, || cfg.init(device));
    let model = crate::io::load_safetensors(fresh, read(WEIGHTS)?)
        .map_err(|e| file_err(&dir.join(WEIGHTS), e))?;
    Ok((cfg, model))
}

/// Writes metrics.json, loss.png, samples.png, reconstructions.png and the model into
/// `cfg.env.out`.
fn write_outputs(
    cfg: &Config,
    model: &Vae,
    model_cfg: &VaeConfig,
    test: &Images,
    report: &Report,
    device: &Device,
) -> Result<(), JobError> {
    let out = cfg.env.outputs();
    save_model(out.dir(), model_cfg, model)?;
    out.json("metrics.json", report)?;

    let points: Vec<(f64, f64)> = report
        .epochs
        .iter()
        .map(|e| (e.epoch as f64, e.loss_per_image))
        .collect();
    let test_point = [(report.epochs.len() as f64, -report.test.elbo.mean)];
    plot::line_plot(
        out.figure("loss"),
        "VAE training loss: -ELBO per image (nats)",
        "epoch",
        "-ELBO (nats)",
        &[
            Line {
                name: "training (one sample per image, per epoch)",
                points: &points,
            },
            Line {
                name: "test (after training)",
                points: &test_point,
            },
        ],
        false,
    )?;

    let (rows, cols) = (model_cfg.rows, model_cfg.cols);
    let mut rng = StdRng::seed_from_u64(cfg.env.seed.wrapping_add(2));
    let samples = vae::sample_means(model, 40, device, &mut rng);
    let grid: Vec<GridRow> = samples
        .chunks(10)
        .map(|c| GridRow {
            label: String::new(),
            images: c.iter().map(Vec::as_slice).collect(),
            captions: Vec::new(),
        })
        .collect();
    plot::image_grid(
        out.figure("samples"),
        "Samples: Bernoulli means of p(x|z), z ~ N(0, I)",
        &grid,
        rows,
        cols,
    )?;

    let idx: Vec<usize> = (0..test.n.min(20)).collect();
    let x = crate::train::batch_tensor(test, &idx, device);
    let recon = crate::train::to_vec(model.reconstruct(x));
    let recon: Vec<&[f32]> = recon.chunks(rows * cols).collect();
    let mut grid = Vec::new();
    for (orig, means) in idx.chunks(10).zip(recon.chunks(10)) {
        grid.push(GridRow {
            label: "original".into(),
            images: orig.iter().map(|&i| test.image(i)).collect(),
            captions: Vec::new(),
        });
        grid.push(GridRow {
            label: "mean at z = μ(x)".into(),
            images: means.to_vec(),
            captions: Vec::new(),
        });
    }
    plot::image_grid(
        out.figure("reconstructions"),
        &format!("{}: originals and reconstructions", test.name),
        &grid,
        rows,
        cols,
    )?;
    Ok(())
}
