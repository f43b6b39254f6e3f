//! The `nnlab vae` run: load training and test images, train a VAE on the ELBO, measure the test
//! ELBO (with its reconstruction and KL terms) and IW_k, and write `samples.png`,
//! `reconstructions.png`, `loss.png`, `metrics.json` and the model (`weights.safetensors`,
//! `vae.json`).

use super::{EpochStats, Evaluation, TrainConfig, TrainError, Vae, VaeConfig};
use crate::data::{DataError, DataSource, Images, Selection, Split};
use crate::device::DeviceChoice;
use crate::plot::{self, GridRow, Line, PlotError};
use crate::train::JobObserver;
use burn::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Model weights and shape file names inside the output folder.
pub const WEIGHTS: &str = "weights.safetensors";
pub const CONFIG: &str = "vae.json";

/// Settings of one `nnlab vae` run. `Default` is the command's defaults.
#[derive(Clone, Debug, serde::Serialize)]
pub struct VaeJobConfig {
    /// Training images (training split unless given).
    pub data: String,
    /// Test images (test split unless given); `None` = the test split of `data`.
    pub test_data: Option<String>,
    /// Use only the first N training / test images (quick runs); `None` = all.
    pub train_limit: Option<usize>,
    pub test_limit: Option<usize>,
    /// Override the latent dimension / hidden widths of [`VaeConfig::for_images`].
    pub latent: Option<usize>,
    pub hidden: Option<Vec<usize>>,
    pub train: TrainConfig,
    /// The k of each reported IW_k.
    pub iw_samples: Vec<usize>,
    pub out: PathBuf,
    pub data_dir: Option<PathBuf>,
    /// Never download: missing dataset files are an error.
    pub offline: bool,
    pub device: DeviceChoice,
}

impl Default for VaeJobConfig {
    fn default() -> Self {
        Self {
            data: "mnist".into(),
            test_data: None,
            train_limit: None,
            test_limit: None,
            latent: None,
            hidden: None,
            train: TrainConfig::default(),
            iw_samples: vec![1, 10, 100],
            out: PathBuf::from("runs/vae"),
            data_dir: None,
            offline: false,
            device: DeviceChoice::Cpu,
        }
    }
}

/// Failures of the run, each saying what to fix.
#[derive(Debug, thiserror::Error)]
pub enum VaeError {
    #[error(transparent)]
    Data(#[from] DataError),
    #[error(transparent)]
    Train(#[from] TrainError),
    #[error(transparent)]
    Plot(#[from] PlotError),
    #[error("{0}")]
    Invalid(String),
    #[error("{}: {msg}", path.display())]
    File { path: PathBuf, msg: String },
}

/// Everything a run measured; serialized as `metrics.json`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct VaeReport {
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
    pub config: VaeJobConfig,
}

/// The model shape for `cfg` and images of `rows`×`cols`.
pub fn model_config(cfg: &VaeJobConfig, rows: usize, cols: usize) -> VaeConfig {
    let mut m = VaeConfig::for_images(rows, cols);
    if let Some(l) = cfg.latent {
        m.latent = l;
    }
    if let Some(h) = &cfg.hidden {
        m.hidden = h.clone();
    }
    m
}

/// Loads the training and test images named in `cfg`, cut to the limits.
pub fn load_data(
    cfg: &VaeJobConfig,
    obs: &mut dyn JobObserver,
) -> Result<(Images, Images), VaeError> {
    let source = DataSource::resolve(cfg.data_dir.as_deref()).with_download(!cfg.offline);
    let bar = obs.download_bar();
    obs.stage("loading data");
    let train_sel: Selection = cfg.data.parse()?;
    let test_sel = match &cfg.test_data {
        Some(spec) => spec.parse()?,
        None => train_sel.test_split().ok_or_else(|| {
            VaeError::Invalid(
                "--data is a file, so there is no default test set: give --test-data too".into(),
            )
        })?,
    };
    let train = train_sel
        .load(&source, Split::Train, &bar)?
        .limited(cfg.train_limit);
    let test = test_sel
        .load(&source, Split::Test, &bar)?
        .limited(cfg.test_limit);
    for set in [&train, &test] {
        if set.n == 0 {
            return Err(VaeError::Invalid(format!("{} has no images", set.name)));
        }
    }
    if (test.rows, test.cols) != (train.rows, train.cols) {
        return Err(VaeError::Invalid(format!(
            "{} has {}x{} images but the training data {} has {}x{}",
            test.name, test.rows, test.cols, train.name, train.rows, train.cols
        )));
    }
    Ok((train, test))
}

/// Runs the whole job: load, train, evaluate on the test set, write every output into
/// `cfg.out`. The evaluation noise comes from seed + 1 and the sample grid from seed + 2.
pub fn run(cfg: &VaeJobConfig, obs: &mut dyn JobObserver) -> Result<VaeReport, VaeError> {
    if cfg.iw_samples.contains(&0) {
        return Err(VaeError::Invalid(format!(
            "--iw-samples must all be positive, got {:?}",
            cfg.iw_samples
        )));
    }
    let device = cfg.device.device().map_err(VaeError::Invalid)?;
    let (train, test) = load_data(cfg, obs)?;
    let model_cfg = model_config(cfg, train.rows, train.cols);
    model_cfg.validate().map_err(VaeError::Invalid)?;

    obs.stage("training");
    let start = Instant::now();
    let (model, epochs) = super::train(&model_cfg, &train, &cfg.train, &device, obs)?;
    let train_seconds = start.elapsed().as_secs_f64();

    obs.stage(&format!(
        "evaluating on {} ({} images; IW_k for k = {:?})",
        test.name, test.n, cfg.iw_samples
    ));
    let seed = cfg.train.seed;
    let evaluation = super::evaluate(
        &model,
        &test,
        &device,
        &cfg.iw_samples,
        seed.wrapping_add(1),
    );
    let report = VaeReport {
        train_data: train.name.clone(),
        test_data: test.name.clone(),
        train_images: train.n,
        model: model_cfg.clone(),
        test: evaluation,
        train_seconds,
        epochs,
        config: cfg.clone(),
    };
    obs.stage("writing outputs");
    write_outputs(cfg, &model, &model_cfg, &test, &report, &device)?;
    Ok(report)
}

fn file_err(path: &Path, e: impl std::fmt::Display) -> VaeError {
    VaeError::File {
        path: path.to_path_buf(),
        msg: e.to_string(),
    }
}

/// Saves the model into `dir` as `weights.safetensors` and `vae.json` (its [`VaeConfig`]).
pub fn save_model(dir: &Path, cfg: &VaeConfig, model: &Vae) -> Result<(), VaeError> {
    let path = dir.join(WEIGHTS);
    let weights = crate::io::to_safetensors(model).map_err(|e| file_err(&path, e))?;
    crate::io::write_atomic(&path, &weights).map_err(|e| file_err(&path, e))?;
    let path = dir.join(CONFIG);
    let json = serde_json::to_vec_pretty(cfg).map_err(|e| file_err(&path, e))?;
    crate::io::write_atomic(&path, &json).map_err(|e| file_err(&path, e))
}

/// Loads a model saved by [`save_model`] from `dir` onto `device`.
pub fn load_model(dir: &Path, device: &Device) -> Result<(VaeConfig, Vae), VaeError> {
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

/// Writes metrics.json, loss.png, samples.png, reconstructions.png and the model into `cfg.out`.
fn write_outputs(
    cfg: &VaeJobConfig,
    model: &Vae,
    model_cfg: &VaeConfig,
    test: &Images,
    report: &VaeReport,
    device: &Device,
) -> Result<(), VaeError> {
    let out = &cfg.out;
    save_model(out, model_cfg, model)?;
    let path = out.join("metrics.json");
    let json = serde_json::to_vec_pretty(report).map_err(|e| file_err(&path, e))?;
    crate::io::write_atomic(&path, &json).map_err(|e| file_err(&path, e))?;

    let points: Vec<(f64, f64)> = report
        .epochs
        .iter()
        .map(|e| (e.epoch as f64, e.loss_per_image))
        .collect();
    let test_point = [(report.epochs.len() as f64, -report.test.elbo.mean)];
    plot::line_plot(
        &out.join("loss.png"),
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
    let mut rng = StdRng::seed_from_u64(cfg.train.seed.wrapping_add(2));
    let samples = super::sample_means(model, 40, device, &mut rng);
    let grid: Vec<GridRow> = samples
        .chunks(10)
        .map(|c| GridRow {
            label: String::new(),
            images: c.iter().map(Vec::as_slice).collect(),
            captions: Vec::new(),
        })
        .collect();
    plot::image_grid(
        &out.join("samples.png"),
        "Samples: Bernoulli means of p(x|z), z ~ N(0, I)",
        &grid,
        rows,
        cols,
    )?;

    let idx: Vec<usize> = (0..test.n.min(20)).collect();
    let x = crate::train::batch_tensor(test, &idx, device);
    let recon = super::measure::to_vec(model.reconstruct(x));
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
        &out.join("reconstructions.png"),
        &format!("{}: originals and reconstructions", test.name),
        &grid,
        rows,
        cols,
    )?;
    Ok(())
}
