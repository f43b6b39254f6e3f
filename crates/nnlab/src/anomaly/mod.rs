//! Autoencoder anomaly detection, the main job: train E, D on normal images with the loss
//! Σ‖X − D(E(X))‖², score s(X) = ‖X − D(E(X))‖², flag s > τ with τ = mean + k·std of the
//! validation scores, and report type I / II errors, AUROC and AUPR with plots and a saved model.
//! The VAE's negative ELBO and a flow's negative log-likelihood plug in as other scores
//! ([`scorer`]) with the same thresholding, metrics and outputs.

pub mod bench;
pub mod detector;
pub mod report;
pub mod scorer;

pub use crate::train::{EpochStats, JobObserver, TrainConfig, TrainError, TrainObserver};
pub use detector::{Detector, DetectorError, DetectorInfo};
pub use crate::models::autoencoder::{Arch, Autoencoder, ModelConfig};
// `bench` (and `scorer`) reach the autoencoder through these names.
use crate::models::autoencoder::{self as model, train};
pub use report::AnomalyReport;
pub use scorer::{Scorer, ScorerConfig, ScoringModel};

use crate::data::{DataError, DataSource, Images, Selection, Split};
use crate::device::DeviceChoice;
use crate::metrics;
use std::path::PathBuf;
use std::time::Instant;

/// Settings of one anomaly-detection run. `Default` is the course recipe.
#[derive(Clone, Debug, serde::Serialize)]
pub struct AnomalyConfig {
    /// Normal data for training and validation (training split by default).
    pub normal: String,
    /// Normal data held out for testing (test split by default); `None` = the test split of
    /// `normal`.
    pub normal_test: Option<String>,
    /// Anomalous test data (test split by default).
    pub anomaly: String,
    /// Size of the validation set cut from `normal` (seeded).
    pub validation: usize,
    /// Use only the first N training images after the split (quick runs); `None` = all.
    pub train_limit: Option<usize>,
    /// Which score: autoencoder reconstruction error, VAE negative ELBO or flow NLL.
    pub scorer: Scorer,
    /// Autoencoder family (for the `ae` scorer).
    pub arch: Arch,
    /// Override the code width / hidden widths of the architecture's defaults.
    pub latent: Option<usize>,
    pub hidden: Option<Vec<usize>>,
    pub train: TrainConfig,
    /// k in τ = mean + k·std.
    pub sigmas: f64,
    pub out: PathBuf,
    pub data_dir: Option<PathBuf>,
    /// Never download: missing dataset files are an error.
    pub offline: bool,
    pub device: DeviceChoice,
    /// Log-scale x axis on the score histogram.
    pub log_histogram: bool,
}

impl Default for AnomalyConfig {
    fn default() -> Self {
        Self {
            normal: "mnist".into(),
            normal_test: None,
            anomaly: "kmnist".into(),
            validation: 10_000,
            train_limit: None,
            scorer: Scorer::Ae,
            arch: Arch::Mlp,
            latent: None,
            hidden: None,
            train: TrainConfig::default(),
            sigmas: 3.0,
            out: PathBuf::from("runs/anomaly"),
            data_dir: None,
            offline: false,
            device: DeviceChoice::Cpu,
            log_histogram: true,
        }
    }
}

/// Failures of the job, each saying what to fix.
#[derive(Debug, thiserror::Error)]
pub enum AnomalyError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error(transparent)]
    Train(#[from] TrainError),
    #[error(transparent)]
    Detector(#[from] DetectorError),
    #[error("{0}")]
    Invalid(String),
    #[error("writing {path}: {msg}")]
    Output { path: PathBuf, msg: String },
}

/// The scored sets of a run.
pub struct Scored {
    pub validation: Vec<f32>,
    pub normal_test: Vec<f32>,
    pub anomaly: Vec<f32>,
}

/// The data of a run after loading and splitting.
pub struct RunData {
    pub train: Images,
    pub validation: Images,
    pub normal_test: Images,
    pub anomaly: Images,
}

/// Loads and splits the data named in `cfg` (the split is seeded by `cfg.train.seed` and made
/// before anything else touches the data, so validation images never reach training).
pub fn load_data(cfg: &AnomalyConfig, obs: &mut dyn JobObserver) -> Result<RunData, AnomalyError> {
    let source = DataSource::resolve(cfg.data_dir.as_deref()).with_download(!cfg.offline);
    let bar = obs.download_bar();
    let load = |spec: &str, split: Split| -> Result<Images, AnomalyError> {
        Ok(spec.parse::<Selection>()?.load(&source, split, &bar)?)
    };
    obs.stage("loading data");
    let normal = load(&cfg.normal, Split::Train)?;
    let normal_test = match &cfg.normal_test {
        Some(spec) => load(spec, Split::Test)?,
        None => test_split_of(&cfg.normal.parse()?)?.load(&source, Split::Test, &bar)?,
    };
    let anomaly = load(&cfg.anomaly, Split::Test)?;
    if cfg.validation == 0 || cfg.validation >= normal.n {
        return Err(AnomalyError::Invalid(format!(
            "--validation {} must be between 1 and {} (the number of normal images in {})",
            cfg.validation,
            normal.n.saturating_sub(1),
            normal.name
        )));
    }
    let (mut train, validation) = normal.train_val_split(cfg.validation, cfg.train.seed)?;
    train = train.limited(cfg.train_limit);
    for set in [&validation, &normal_test, &anomaly] {
        if (set.rows, set.cols) != (train.rows, train.cols) {
            return Err(AnomalyError::Invalid(format!(
                "{} has {}x{} images but the training data {} has {}x{}",
                set.name, set.rows, set.cols, train.name, train.rows, train.cols
            )));
        }
    }
    Ok(RunData {
        train,
        validation,
        normal_test,
        anomaly,
    })
}

/// The held-out counterpart of a normal training selection (see [`Selection::test_split`]).
/// A file or an explicit test split has no such counterpart.
fn test_split_of(normal: &Selection) -> Result<Selection, AnomalyError> {
    match normal {
        Selection::Dataset {
            split: Some(Split::Test),
            ..
        } => None,
        _ => normal.test_split(),
    }
    .ok_or_else(|| {
        AnomalyError::Invalid(
            "--normal is not a training split of a dataset, so there is no default normal test \
             set: give --normal-test too"
                .into(),
        )
    })
}

/// The scoring model's shape for `cfg` and images of `rows`×`cols`: the scorer's default with
/// `latent` / `hidden` overrides.
pub fn model_config(cfg: &AnomalyConfig, rows: usize, cols: usize) -> ScorerConfig {
    match cfg.scorer {
        Scorer::Ae => {
            let mut m = ModelConfig::for_arch(cfg.arch, rows, cols);
            if let Some(l) = cfg.latent {
                m.latent = l;
            }
            if let Some(h) = &cfg.hidden {
                m.hidden = h.clone();
            }
            ScorerConfig::Ae(m)
        }
        Scorer::Vae => {
            let mut m = crate::models::vae::VaeConfig::for_images(rows, cols);
            if let Some(l) = cfg.latent {
                m.latent = l;
            }
            if let Some(h) = &cfg.hidden {
                m.hidden = h.clone();
            }
            ScorerConfig::Vae(m)
        }
        Scorer::Flow => {
            let mut flow = crate::models::realnvp::RealNvpConfig::for_images(rows, cols);
            if let Some(&h) = cfg.hidden.as_ref().and_then(|h| h.first()) {
                flow.hidden = h;
            }
            ScorerConfig::Flow { rows, cols, flow }
        }
    }
}

/// Runs the whole job: load, split, train, score, threshold, measure, and write every output
/// into `cfg.out` (see [`report::write_outputs`]).
pub fn run(cfg: &AnomalyConfig, obs: &mut dyn JobObserver) -> Result<AnomalyReport, AnomalyError> {
    if !(cfg.sigmas.is_finite()) {
        return Err(AnomalyError::Invalid(format!(
            "--sigmas must be finite, got {}",
            cfg.sigmas
        )));
    }
    let device = cfg.device.device().map_err(AnomalyError::Invalid)?;
    let data = load_data(cfg, obs)?;
    let model_cfg = model_config(cfg, data.train.rows, data.train.cols);
    model_cfg.validate().map_err(AnomalyError::Invalid)?;

    obs.stage("training");
    let start = Instant::now();
    let (model, history) = scorer::train(&model_cfg, &data.train, &cfg.train, &device, obs)?;
    let train_seconds = start.elapsed().as_secs_f64();

    obs.stage("scoring");
    let score_start = Instant::now();
    let scored = Scored {
        validation: model.score(&data.validation, &device),
        normal_test: model.score(&data.normal_test, &device),
        anomaly: model.score(&data.anomaly, &device),
    };
    let score_seconds = score_start.elapsed().as_secs_f64();

    let (validation_mean, validation_std) = metrics::mean_std(&scored.validation);
    let detector = Detector {
        info: DetectorInfo {
            model: model_cfg,
            validation_mean,
            validation_std,
            sigmas: cfg.sigmas,
            threshold: validation_mean + cfg.sigmas * validation_std,
            trained_on: data.train.name.clone(),
            nnlab_version: env!("CARGO_PKG_VERSION").into(),
        },
        model,
    };
    let report = AnomalyReport::new(
        cfg,
        &data,
        &scored,
        &detector,
        history,
        train_seconds,
        score_seconds,
    );
    obs.stage("writing outputs");
    report::write_outputs(cfg, &data, &scored, &detector, &report, &device)?;
    Ok(report)
}
