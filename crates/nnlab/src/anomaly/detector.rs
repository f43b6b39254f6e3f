//! A trained detector: the scoring model plus its threshold τ = μ_val + k·σ_val, saved as a folder
//! (`weights.safetensors` + `detector.json`) so new data can be scored without retraining.

use super::scorer::{ScorerConfig, ScoringModel};
use crate::complexity::Correction;
use crate::data::Images;
use burn::prelude::Device;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Everything about a detector except its weights; stored as `detector.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DetectorInfo {
    /// The scoring model's kind and shape.
    pub model: ScorerConfig,
    /// Mean and sample standard deviation of the validation scores.
    pub validation_mean: f64,
    pub validation_std: f64,
    /// k in τ = mean + k·std.
    pub sigmas: f64,
    /// τ: an image is anomalous iff its score is strictly greater.
    pub threshold: f64,
    /// Description of the training data, e.g. "mnist:train".
    pub trained_on: String,
    pub nnlab_version: String,
    /// The input-complexity correction applied to every score (absent = none).
    #[serde(default, skip_serializing_if = "Correction::is_none")]
    pub complexity: Correction,
}

/// A scoring model with its decision threshold.
#[derive(Debug)]
pub struct Detector {
    pub info: DetectorInfo,
    pub model: ScoringModel,
}

/// Problems loading or saving a detector folder; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum DetectorError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a valid detector description: {msg}")]
    Format { path: PathBuf, msg: String },
}

const INFO: &str = "detector.json";
const WEIGHTS: &str = "weights.safetensors";

impl Detector {
    /// The anomaly score of every image (see [`super::Scorer`]), corrected for input complexity
    /// as the detector was trained.
    pub fn score(&self, data: &Images, device: &Device) -> Vec<f32> {
        let mut scores = self.model.score(data, device);
        self.info.complexity.apply_all(&mut scores, data);
        scores
    }

    /// Whether each score is above the threshold.
    pub fn flag(&self, scores: &[f32]) -> Vec<bool> {
        scores
            .iter()
            .map(|&s| crate::metrics::flagged(s, self.info.threshold))
            .collect()
    }

    /// Checks that `data` has the image size this detector was trained on.
    pub fn check_input(&self, data: &Images) -> Result<(), String> {
        let (rows, cols) = self.info.model.image_size();
        if (data.rows, data.cols) != (rows, cols) {
            return Err(format!(
                "{}: images are {}x{}, but the model was trained on {rows}x{cols}",
                data.name, data.rows, data.cols
            ));
        }
        Ok(())
    }

    /// Writes `dir/detector.json` and `dir/weights.safetensors`, each atomically.
    pub fn save(&self, dir: &Path) -> Result<(), DetectorError> {
        let weights = self
            .model
            .to_safetensors()
            .map_err(|msg| DetectorError::Format {
                path: dir.join(WEIGHTS),
                msg,
            })?;
        let json = serde_json::to_vec_pretty(&self.info).expect("detector info serializes");
        for (name, bytes) in [(WEIGHTS, weights), (INFO, json)] {
            let path = dir.join(name);
            crate::io::write_atomic(&path, &bytes)
                .map_err(|source| DetectorError::Io { path, source })?;
        }
        Ok(())
    }

    /// Loads a folder written by [`Detector::save`] onto `device`.
    pub fn load(dir: &Path, device: &Device) -> Result<Self, DetectorError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|source| DetectorError::Io { path, source })
        };
        let info_path = dir.join(INFO);
        let info: DetectorInfo =
            serde_json::from_slice(&read(INFO)?).map_err(|e| DetectorError::Format {
                path: info_path.clone(),
                msg: e.to_string(),
            })?;
        info.model.validate().map_err(|msg| DetectorError::Format {
            path: info_path,
            msg,
        })?;
        let model = info
            .model
            .init(device)
            .load_safetensors(read(WEIGHTS)?)
            .map_err(|msg| DetectorError::Format {
                path: dir.join(WEIGHTS),
                msg,
            })?;
        Ok(Self { info, model })
    }
}
