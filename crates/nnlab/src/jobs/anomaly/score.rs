//! The scoring job (`nnlab anomaly score`): apply a saved detector (the `model/` folder of an
//! anomaly run) to new images, flag those above its threshold ([`metrics::flagged`]) and
//! optionally write the per-image scores as CSV.

use super::report::scores_csv;
use crate::anomaly::Detector;
use crate::data::Split;
use crate::jobs::limits;
use crate::jobs::{Env, Job, JobError, Observer, Outputs};
use crate::metrics;
use burn::prelude::Device;
use std::path::{Path, PathBuf};

/// Settings of one scoring run. `Default` has empty paths, which [`Job::validate`] rejects:
/// the detector and the input must be named.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Config {
    /// Folder of a saved detector (`detector.json` + `weights.safetensors`).
    pub model: PathBuf,
    /// Images to score (test split unless the selection names one).
    pub input: String,
    /// Write the per-image scores (`set,index,label,score,flagged`) to this file.
    pub csv: Option<PathBuf>,
    /// Data root, device and offline mode (`out` and `seed` are not used: scoring is
    /// deterministic and writes only `csv`).
    pub env: Env,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            model: PathBuf::new(),
            input: String::new(),
            csv: None,
            env: Env::named("anomaly-score"),
        }
    }
}

/// Loads the saved detector in folder `dir`: its description first
/// ([`Detector::read_info`]), whose network must hold at most [`limits::MAX_PARAMS`]
/// parameters ([`super::model_params`]; a description claiming a huge network is refused
/// before anything is allocated), then its weights ([`Detector::load`]). Errors name the file.
pub fn load_detector(dir: &Path, device: &Device) -> Result<Detector, JobError> {
    let info = Detector::read_info(dir)?;
    if let Err(e) = limits::check_params("model", super::model_params(&info.model)) {
        let msg = match e {
            JobError::Setting { message, .. } => message,
            other => other.to_string(),
        };
        return Err(JobError::file(&dir.join("detector.json"), msg));
    }
    Ok(Detector::load(dir, device)?)
}

/// What a scoring run found.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Report {
    /// Name of the scored images.
    pub input: String,
    pub images: usize,
    /// The detector's threshold τ and its training data.
    pub threshold: f64,
    pub trained_on: String,
    /// How many images have a score above τ.
    pub flagged: usize,
    pub mean_score: f64,
    /// Where the scores were written, if asked.
    pub csv: Option<PathBuf>,
}

impl Report {
    /// The share of images flagged (0 for no images).
    pub fn flagged_rate(&self) -> f64 {
        self.flagged as f64 / self.images.max(1) as f64
    }
}

impl Job for Config {
    const NAME: &'static str = "anomaly-score";
    type Report = Report;
    const WRITES_OUT: bool = false;

    fn env(&self) -> &Env {
        &self.env
    }

    fn validate(&self) -> Result<(), JobError> {
        if self.model.as_os_str().is_empty() {
            return Err(JobError::setting(
                "model",
                "name the folder of a saved detector",
            ));
        }
        if self.input.is_empty() {
            return Err(JobError::setting("input", "name the images to score"));
        }
        Env::selection("input", &self.input)?;
        if self.csv.as_ref().is_some_and(|p| p.as_os_str().is_empty()) {
            return Err(JobError::setting("csv", "the file name must not be empty"));
        }
        self.env.device()?;
        Ok(())
    }

    fn run(&self, obs: &mut dyn Observer) -> Result<Report, JobError> {
        let device = self.env.device()?;
        obs.stage("loading the detector");
        let det = load_detector(&self.model, &device)?;
        obs.stage("loading data");
        let data = self.env.load("input", &self.input, Split::Test, obs)?;
        det.check_input(&data).map_err(JobError::Run)?;
        obs.stage("scoring");
        let scores = det.score(&data, &device);
        if let Some(i) = scores.iter().position(|v| !v.is_finite()) {
            return Err(JobError::file(
                &self.model,
                format!(
                    "the detector gives a non-finite score ({}) to image {i} of {}: its \
                     weights are not usable",
                    scores[i], data.name
                ),
            ));
        }
        let threshold = det.info.threshold;
        if let Some(path) = &self.csv {
            let csv = scores_csv(&[("input", &data, &scores)], threshold);
            let dir = path.parent().unwrap_or(std::path::Path::new(""));
            let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
                JobError::setting("csv", format!("{} is not a file name", path.display()))
            })?;
            Outputs::new(dir).text(name, &csv)?;
        }
        Ok(Report {
            input: data.name.clone(),
            images: data.n,
            threshold,
            trained_on: det.info.trained_on.clone(),
            flagged: metrics::count_flagged(&scores, threshold),
            mean_score: metrics::mean_std(&scores).0,
            csv: self.csv.clone(),
        })
    }
}

#[cfg(test)]
#[path = "score_fuzz.rs"]
mod fuzz_tests;
