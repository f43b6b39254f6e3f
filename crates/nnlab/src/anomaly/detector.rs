//! A trained detector: the scoring model plus its threshold τ = μ_val + k·σ_val, saved as a folder
//! (`weights.safetensors` + `detector.json`) so new data can be scored without retraining.

use super::scorer::{ScorerConfig, ScoringModel};
use crate::complexity::Correction;
use crate::data::Images;
use crate::io::md5_hex;
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
    /// MD5 of `weights.safetensors` (hex), set by [`Detector::save`] and verified by
    /// [`Detector::load`], so that weights and description always belong to one save: a save
    /// killed between its two files leaves a folder that does not load.
    #[serde(default)]
    pub weights_md5: String,
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
/// The largest weights file read: 4 bytes for each of 2.5·10⁸ parameters (above the training
/// jobs' cap of 2·10⁸) and room for the safetensors header.
const MAX_WEIGHTS_BYTES: u64 = 1 << 30;
/// The largest `detector.json` read (a real one is under a kilobyte).
const MAX_INFO_BYTES: u64 = 1 << 20;

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

    /// Writes `dir/weights.safetensors`, then `dir/detector.json` with the weights' MD5, each
    /// atomically.
    pub fn save(&self, dir: &Path) -> Result<(), DetectorError> {
        let weights = self
            .model
            .to_safetensors()
            .map_err(|msg| DetectorError::Format {
                path: dir.join(WEIGHTS),
                msg,
            })?;
        let info = DetectorInfo {
            weights_md5: md5_hex(&weights),
            ..self.info.clone()
        };
        let json = serde_json::to_vec_pretty(&info).expect("detector info serializes");
        for (name, bytes) in [(WEIGHTS, weights), (INFO, json)] {
            let path = dir.join(name);
            crate::io::write_atomic(&path, &bytes)
                .map_err(|source| DetectorError::Io { path, source })?;
        }
        Ok(())
    }

    /// Reads and checks `dir/detector.json`: it parses, its model config can be built, its
    /// numbers are finite and it records the weights' checksum. Nothing is allocated for the
    /// model, so a caller can bound its size before [`Detector::load`].
    pub fn read_info(dir: &Path) -> Result<DetectorInfo, DetectorError> {
        let info_path = dir.join(INFO);
        let text = crate::io::read_text_bounded(&info_path, MAX_INFO_BYTES).map_err(|source| {
            DetectorError::Io {
                path: info_path.clone(),
                source,
            }
        })?;
        let info: DetectorInfo =
            serde_json::from_str(&text).map_err(|e| DetectorError::Format {
                path: info_path.clone(),
                msg: e.to_string(),
            })?;
        info.model.validate().map_err(|msg| DetectorError::Format {
            path: info_path.clone(),
            msg,
        })?;
        for (name, value) in [
            ("validation_mean", info.validation_mean),
            ("validation_std", info.validation_std),
            ("sigmas", info.sigmas),
            ("threshold", info.threshold),
        ] {
            if !value.is_finite() {
                return Err(DetectorError::Format {
                    path: info_path,
                    msg: format!("{name} is {value}, not a finite number"),
                });
            }
        }
        if info.weights_md5.is_empty() {
            return Err(DetectorError::Format {
                path: info_path,
                msg: "records no weights_md5 (saved by an older nnlab?); save the \
                      detector again"
                    .into(),
            });
        }
        Ok(info)
    }

    /// Loads a folder written by [`Detector::save`] onto `device` ([`Detector::read_info`],
    /// then the weights, which must have the recorded MD5 and fit the model).
    pub fn load(dir: &Path, device: &Device) -> Result<Self, DetectorError> {
        let info = Self::read_info(dir)?;
        let path = dir.join(WEIGHTS);
        let weights = crate::io::read_bounded(&path, MAX_WEIGHTS_BYTES).map_err(|source| {
            DetectorError::Io {
                path: path.clone(),
                source,
            }
        })?;
        if md5_hex(&weights) != info.weights_md5 {
            return Err(DetectorError::Format {
                path: dir.join(WEIGHTS),
                msg: format!(
                    "its MD5 is not the weights_md5 recorded in {INFO}: the two files are from \
                     different saves (an interrupted save?); save the detector again"
                ),
            });
        }
        let model = info
            .model
            .init(device)
            .load_safetensors(weights)
            .map_err(|msg| DetectorError::Format {
                path: dir.join(WEIGHTS),
                msg,
            })?;
        Ok(Self { info, model })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::autoencoder::ModelConfig;

    fn detector(seed: u64, threshold: f64, device: &Device) -> Detector {
        let cfg = ScorerConfig::Ae(ModelConfig {
            hidden: vec![3],
            latent: 2,
            ..ModelConfig::mlp(4, 4)
        });
        Detector {
            model: crate::train::seeded(device, seed, || cfg.init(device)),
            info: DetectorInfo {
                model: cfg,
                validation_mean: 0.5,
                validation_std: 0.1,
                sigmas: 3.0,
                threshold,
                trained_on: "test".into(),
                nnlab_version: "0".into(),
                complexity: Correction::None,
                weights_md5: String::new(),
            },
        }
    }

    fn load_error(dir: &Path) -> String {
        Detector::load(dir, &Device::flex())
            .unwrap_err()
            .to_string()
    }

    /// A save torn between its two files (new weights beside the old description) does not
    /// load; the error names the weights file.
    #[test]
    fn weights_from_another_save_are_refused() {
        let device = Device::flex();
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        detector(1, 0.8, &device).save(a.path()).unwrap();
        detector(2, 0.9, &device).save(b.path()).unwrap();
        let det = Detector::load(a.path(), &device).unwrap();
        assert_eq!(det.info.threshold, 0.8);
        std::fs::copy(b.path().join(WEIGHTS), a.path().join(WEIGHTS)).unwrap();
        let err = load_error(a.path());
        assert!(
            err.contains(WEIGHTS) && err.contains("different saves"),
            "{err}"
        );
    }

    /// A description without a checksum, or with a threshold out of range, does not load.
    #[test]
    fn descriptions_without_checksum_or_finite_threshold_are_refused() {
        let device = Device::flex();
        let dir = tempfile::tempdir().unwrap();
        detector(1, 0.8, &device).save(dir.path()).unwrap();
        let path = dir.path().join(INFO);
        let json = std::fs::read_to_string(&path).unwrap();
        let edited = json.replace("\"threshold\": 0.8", "\"threshold\": 1e999");
        assert_ne!(edited, json);
        std::fs::write(&path, &edited).unwrap();
        let err = load_error(dir.path());
        assert!(err.contains(INFO), "{err}");
        let md5 = serde_json::from_str::<serde_json::Value>(&json).unwrap()["weights_md5"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(md5.len(), 32);
        std::fs::write(&path, json.replace(&md5, "")).unwrap();
        assert!(load_error(dir.path()).contains("no weights_md5"));
    }
}
