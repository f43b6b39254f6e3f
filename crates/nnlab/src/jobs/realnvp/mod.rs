//! The RealNVP job (`nnlab realnvp`): train a RealNVP flow on a 2-D toy (two moons, rings) or on images
//! (MNIST by default), measure it on held-out data, and write metrics.json and the figures.
//!
//! Toys: `points` training points drawn with seed 2·seed and half as many test points with
//! seed 2·seed + 1; the metric is the mean test log-likelihood in nats per point, next to the
//! maximum-likelihood Gaussian's. Images: the training split (first `train_limit` images) and
//! the test split (first `test_limit`); the metric is the test NLL in nats per image and in
//! bits/dim, with dequantization noise u ~ U(0,1) from a generator seeded by the run's seed.

pub mod figures;

use super::{Env, Job, JobError, Observer, Outputs, check_counts, check_train, limits};
use crate::data::{DataError, Selection, Split};
use crate::models::realnvp::toy::{self, Toy};
use crate::models::realnvp::{RealNvp, RealNvpConfig, bits_per_dim, images};
use crate::train::{EpochStats, TrainConfig};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;
use std::time::Instant;

/// What to train on.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FlowData {
    /// A 2-D toy distribution.
    Toy(Toy),
    /// An image selection such as `mnist` (training split for training, test split for testing).
    Images(String),
}

impl std::str::FromStr for FlowData {
    type Err = DataError;
    /// `moons` and `rings` are toys; anything else must be an image dataset selection.
    fn from_str(s: &str) -> Result<Self, DataError> {
        match s.parse::<Toy>() {
            Ok(t) => Ok(Self::Toy(t)),
            Err(_) => {
                s.parse::<Selection>()?;
                Ok(Self::Images(s.to_string()))
            }
        }
    }
}

/// Settings of one run. `Default` trains on the two moons; [`Config::for_data`] gives the
/// defaults of other data.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Config {
    pub data: FlowData,
    /// Override the default number of coupling layers / hidden width.
    pub layers: Option<usize>,
    pub hidden: Option<usize>,
    /// Optimization settings; the run's seed is `env.seed` (it replaces `train.seed`).
    pub train: TrainConfig,
    /// Training points of a toy (test points: half as many).
    pub points: usize,
    /// Use only the first N training / test images.
    pub train_limit: Option<usize>,
    pub test_limit: Option<usize>,
    #[serde(flatten)]
    pub env: Env,
}

impl Default for Config {
    fn default() -> Self {
        Self::for_data(FlowData::Toy(Toy::Moons))
    }
}

impl Config {
    /// Defaults for `data`: toys 4000 points, 10 layers of width 64, 150 epochs, batch 200, lr
    /// 2e-3; images 6 layers of width 256, 3 epochs, batch 100, lr 5e-4 with gradients clipped
    /// to norm 1e4 per weight tensor (docs/BENCHMARKS.md has the measurements behind these).
    /// Seed 0, out `runs/realnvp`.
    pub fn for_data(data: FlowData) -> Self {
        let train = match data {
            FlowData::Toy(_) => TrainConfig {
                epochs: 150,
                batch_size: 200,
                lr: 2e-3,
                seed: 0,
                grad_clip: None,
                ..TrainConfig::default()
            },
            FlowData::Images(_) => TrainConfig {
                epochs: 3,
                batch_size: 100,
                lr: 5e-4,
                seed: 0,
                grad_clip: Some(1e4),
                ..TrainConfig::default()
            },
        };
        Self {
            data,
            layers: None,
            hidden: None,
            train,
            points: 4000,
            train_limit: None,
            test_limit: None,
            env: Env::named(<Self as Job>::NAME),
        }
    }

    /// The training settings of the run: `train` with the run's seed and checkpoints in the
    /// output folder ([`crate::jobs::training`]).
    pub fn training(&self) -> TrainConfig {
        crate::jobs::training(self, &self.train)
    }

    /// The flow shape: the data's default with the overrides applied.
    pub fn flow_config(&self, rows: usize, cols: usize) -> RealNvpConfig {
        let mut c = match self.data {
            FlowData::Toy(_) => RealNvpConfig::for_points(2),
            FlowData::Images(_) => RealNvpConfig::for_images(rows, cols),
        };
        c.layers = self.layers.unwrap_or(c.layers);
        c.hidden = self.hidden.unwrap_or(c.hidden);
        c
    }
}

/// The held-out measurements.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum FlowMetrics {
    Toy {
        /// Mean log p_X(x) over the test points, nats per point.
        test_log_likelihood: f64,
        /// The same for the maximum-likelihood Gaussian fitted to the training points.
        gaussian_test_log_likelihood: f64,
        train_log_likelihood: f64,
    },
    Images {
        /// Mean −log P(x) of the test images in nats (u ~ U(0,1) dequantization).
        test_nll_nats: f64,
        test_bits_per_dim: f64,
        /// The same with u = ½ (the deterministic anomaly score).
        test_nll_nats_half_noise: f64,
    },
}

/// What a run did and measured (written as metrics.json).
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub job: Config,
    pub flow: RealNvpConfig,
    /// Train / test set descriptions and sizes.
    pub train_set: String,
    pub test_set: String,
    pub n_train: usize,
    pub n_test: usize,
    pub metrics: FlowMetrics,
    pub epochs: Vec<EpochStats>,
    pub train_seconds: f64,
    /// Files written into the output folder.
    pub files: Vec<String>,
}

impl Job for Config {
    const NAME: &'static str = "realnvp";
    type Report = Report;

    fn env(&self) -> &Env {
        &self.env
    }

    fn training_settings(&self) -> Option<&TrainConfig> {
        Some(&self.train)
    }

    fn validate(&self) -> Result<(), JobError> {
        if let FlowData::Images(spec) = &self.data {
            Env::selection("data", spec)?;
        }
        check_counts(&[
            ("layers", self.layers),
            ("hidden", self.hidden),
            ("train_limit", self.train_limit),
            ("test_limit", self.test_limit),
        ])?;
        if matches!(self.data, FlowData::Toy(_)) && self.points < 4 {
            return Err(JobError::setting(
                "points",
                format!("must be at least 4, got {}", self.points),
            ));
        }
        check_train("train", &self.train)?;
        limits::check_max(&[("points", Some(self.points), limits::MAX_POINTS)])?;
        // Images are checked at 28x28 here and at their real size in `run_images`.
        let flow = self.flow_config(28, 28);
        let field = if self.layers.is_some_and(|l| l > 1_000) {
            "layers"
        } else {
            "hidden"
        };
        limits::check_params(field, limits::flow_params(&flow))?;
        self.env.device()?;
        Ok(())
    }

    /// Loads or draws the data, trains, measures and writes every output.
    fn run(&self, obs: &mut dyn Observer) -> Result<Report, JobError> {
        let device = self.env.device()?;
        match &self.data {
            FlowData::Toy(t) => run_toy(self, *t, &device, obs),
            FlowData::Images(spec) => run_images(self, spec, &device, obs),
        }
    }
}

fn validated(cfg: RealNvpConfig) -> Result<RealNvpConfig, JobError> {
    cfg.validate().map_err(|e| JobError::setting("layers", e))?;
    limits::check_params("data", limits::flow_params(&cfg))?;
    Ok(cfg)
}

fn run_toy(
    job: &Config,
    t: Toy,
    device: &burn::prelude::Device,
    obs: &mut dyn Observer,
) -> Result<Report, JobError> {
    let cfg = validated(job.flow_config(1, 2))?;
    let seed = job.env.seed;
    let train = t.sample(job.points, seed.wrapping_mul(2));
    let test = t.sample(job.points / 2, seed.wrapping_mul(2).wrapping_add(1));
    obs.stage(&format!("training on {} {t} points", train.len()));
    let start = Instant::now();
    let (flow, epochs) = toy::train_points(&cfg, &train, &job.training(), device, obs)?;
    let train_seconds = start.elapsed().as_secs_f64();
    obs.stage("measuring and plotting");
    let mean = |v: Vec<f64>| v.iter().sum::<f64>() / v.len() as f64;
    let gauss = toy::gaussian_fit(&train).map_err(JobError::Run)?;
    let metrics = FlowMetrics::Toy {
        test_log_likelihood: mean(toy::log_prob_points(&flow, &test, device)),
        gaussian_test_log_likelihood: toy::gaussian_mean_log_likelihood(&gauss, &test),
        train_log_likelihood: mean(toy::log_prob_points(&flow, &train, device)),
    };
    let files = figures::toy_figures(
        &job.env.outputs(),
        t,
        &flow,
        &gauss,
        &test,
        &epochs,
        seed,
        device,
    )?;
    write_report(Report {
        job: Config {
            train: job.training(),
            ..job.clone()
        },
        flow: cfg,
        train_set: format!("{t}:train"),
        test_set: format!("{t}:test"),
        n_train: train.len(),
        n_test: test.len(),
        metrics,
        epochs,
        train_seconds,
        files,
    })
}

fn run_images(
    job: &Config,
    spec: &str,
    device: &burn::prelude::Device,
    obs: &mut dyn Observer,
) -> Result<Report, JobError> {
    obs.stage("loading data");
    let sel = Env::selection("data", spec)?;
    let train = job
        .env
        .load_selection(&sel, Split::Train, obs)?
        .limited(job.train_limit);
    let test = job
        .env
        .load_selection(&sel, Split::Test, obs)?
        .limited(job.test_limit);
    if train.n == 0 || test.n == 0 || (train.rows, train.cols) != (test.rows, test.cols) {
        return Err(JobError::Run(format!(
            "need non-empty train and test images of one size, got {} ({}x{}, {} images) and {} \
             ({}x{}, {} images)",
            train.name, train.rows, train.cols, train.n, test.name, test.rows, test.cols, test.n
        )));
    }
    let cfg = validated(job.flow_config(train.rows, train.cols))?;
    obs.stage(&format!("training on {} images of {}", train.n, train.name));
    let start = Instant::now();
    let (flow, epochs) = images::train_images(&cfg, &train, &job.training(), device, obs)?;
    let train_seconds = start.elapsed().as_secs_f64();
    obs.stage("measuring and plotting");
    let mean = |v: Vec<f32>| v.iter().map(|&x| f64::from(x)).sum::<f64>() / v.len() as f64;
    let mut rng = StdRng::seed_from_u64(job.env.seed);
    let nll = mean(images::test_nll(&flow, &test, &mut rng, device));
    let metrics = FlowMetrics::Images {
        test_nll_nats: nll,
        test_bits_per_dim: bits_per_dim(nll, cfg.dim),
        test_nll_nats_half_noise: mean(images::score_images(&flow, &test, device)),
    };
    let mut files =
        figures::image_figures(&job.env.outputs(), &flow, &test, &epochs, &mut rng, device)?;
    files.extend(save_model(&job.env.outputs().sub("model"), &cfg, &flow)?);
    write_report(Report {
        job: Config {
            train: job.training(),
            ..job.clone()
        },
        flow: cfg,
        train_set: train.name.clone(),
        test_set: test.name.clone(),
        n_train: train.n,
        n_test: test.n,
        metrics,
        epochs,
        train_seconds,
        files,
    })
}

/// Writes model/config.json and model/flow.safetensors.
fn save_model(out: &Outputs, cfg: &RealNvpConfig, flow: &RealNvp) -> Result<Vec<String>, JobError> {
    out.json("config.json", cfg)?;
    let bytes = crate::io::to_safetensors(flow)
        .map_err(|e| JobError::file(&out.path("flow.safetensors"), e))?;
    out.bytes("flow.safetensors", &bytes)?;
    Ok(vec![
        "model/config.json".into(),
        "model/flow.safetensors".into(),
    ])
}

/// Writes metrics.json (listing itself first among the files) and returns the report.
fn write_report(mut report: Report) -> Result<Report, JobError> {
    report.files.insert(0, "metrics.json".into());
    report.job.env.outputs().json("metrics.json", &report)?;
    Ok(report)
}
