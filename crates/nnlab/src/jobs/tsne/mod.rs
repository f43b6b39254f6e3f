//! The t-SNE job: embeds an image selection (default the first 10 000 MNIST test images), or
//! the latent codes a saved anomaly detector gives a normal and an anomalous set (default MNIST
//! test and KMNIST test), in the plane; measures the final KL(P‖Q), the 10-nearest-neighbour
//! label agreement and, for codes, how well the anomalies keep to themselves; writes
//! embedding.csv, tsne.png and metrics.json.

mod points;

use super::{Env, Job, JobError, Observer};
use crate::anomaly::{Detector, Scorer};
use crate::tsne::{self, Params, Timings};
use std::path::PathBuf;
use std::time::Instant;

/// Neighbours of the embedding's measures (label agreement, anomaly separation).
pub const K: usize = 10;

/// Settings of a t-SNE run.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TsneConfig {
    /// Output folder, data root, device, and the seed of the initial embedding.
    pub env: Env,
    /// The images to embed (a data selection, e.g. `mnist:test`, `kmnist:test:0-4`); must be
    /// `None` when `codes` is set.
    pub data: Option<String>,
    /// Embed, instead of images, the latent codes of the detector saved in this folder (the
    /// `model/` folder of an anomaly run; see [`crate::anomaly::ScoringModel::codes`]) for the
    /// images of `normal` and of `anomaly`.
    pub codes: Option<PathBuf>,
    /// With `codes`: the normal images (test split unless named), coloured by label.
    pub normal: String,
    /// With `codes`: the anomalous images (test split unless named), marked.
    pub anomaly: String,
    /// Embed only the first `limit` images of each set (`None` = all).
    pub limit: Option<usize>,
    /// The t-SNE settings.
    pub tsne: Params,
}

impl Default for TsneConfig {
    fn default() -> Self {
        Self {
            env: Env::named("tsne"),
            data: Some("mnist:test".into()),
            codes: None,
            normal: "mnist:test".into(),
            anomaly: "kmnist:test".into(),
            limit: Some(10_000),
            tsne: Params::default(),
        }
    }
}

/// σ_i statistics of the perplexity calibration.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CalibrationSummary {
    pub sigma_min: f64,
    pub sigma_median: f64,
    pub sigma_max: f64,
    /// max_i |H(P_i) − log perplexity| in nats.
    pub max_entropy_error: f64,
}

/// What was embedded in a run of codes.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CodesSummary {
    /// The detector's folder, its scorer and the data it was trained on.
    pub model: PathBuf,
    pub scorer: Scorer,
    pub trained_on: String,
    /// The two sets and their sizes.
    pub normal: String,
    pub normal_n: usize,
    pub anomaly: String,
    pub anomaly_n: usize,
}

/// What a t-SNE run measured.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TsneReport {
    /// What was embedded.
    pub source: String,
    pub n: usize,
    /// Dimension of the embedded points (pixels, or the code width).
    pub dim: usize,
    /// For codes: the detector and the two sets.
    pub codes: Option<CodesSummary>,
    /// KL(P‖Q) of the final embedding.
    pub kl: f64,
    /// KL(P‖Q) every 50 iterations.
    pub kl_trace: Vec<(usize, f64)>,
    /// Share of the 10 nearest embedded neighbours of each labelled (normal) point that carry
    /// its label; an anomaly never does (`None` without labels).
    pub knn10_agreement: Option<f64>,
    /// For codes: the share of anomalies whose 10 nearest embedded neighbours are mostly
    /// anomalies (at least 6 of 10) — 1 when the anomalies form their own islands.
    pub anomaly_separation: Option<f64>,
    /// The value of `anomaly_separation` for anomalies placed at random
    /// ([`tsne::majority_chance`]).
    pub anomaly_separation_chance: Option<f64>,
    pub calibration: CalibrationSummary,
    /// Seconds to load the data (and the detector).
    pub load_seconds: f64,
    /// Seconds to compute the codes (`None` for images).
    pub codes_seconds: Option<f64>,
    pub timings: Timings,
    /// Seconds from the start of loading to the written outputs.
    pub total_seconds: f64,
    pub params: Params,
    /// Seed of the initial embedding (`env.seed`).
    pub seed: u64,
}

impl TsneConfig {
    /// The most points the run embeds, if known before loading: `limit`, per set.
    fn max_points(&self) -> Option<usize> {
        let sets = if self.codes.is_some() { 2 } else { 1 };
        self.limit.map(|l| sets * l)
    }
}

impl Job for TsneConfig {
    const NAME: &'static str = "tsne";
    type Report = TsneReport;

    fn env(&self) -> &Env {
        &self.env
    }

    fn validate(&self) -> Result<(), JobError> {
        match (&self.data, &self.codes) {
            (Some(_), Some(_)) => {
                return Err(JobError::setting(
                    "data",
                    "an image selection cannot be combined with codes (a detector's codes of \
                     the normal and the anomalous images): choose one",
                ));
            }
            (None, None) => {
                return Err(JobError::setting(
                    "data",
                    "name the images to embed, or a saved detector whose codes to embed",
                ));
            }
            (Some(d), None) => {
                if d.trim().is_empty() {
                    return Err(JobError::setting(
                        "data",
                        "the data selection must not be empty",
                    ));
                }
            }
            (None, Some(dir)) => {
                if dir.as_os_str().is_empty() {
                    return Err(JobError::setting(
                        "codes",
                        "name the folder of a saved detector",
                    ));
                }
                Env::selection("normal", &self.normal)?;
                Env::selection("anomaly", &self.anomaly)?;
                // Cheap (one small file and the weights), and the folder is checked before
                // any output is written.
                load_detector(dir, &self.env.device()?)?;
            }
        }
        if let Some(l) = self.limit
            && l < 3
        {
            return Err(JobError::setting("limit", "must be at least 3 images"));
        }
        self.tsne.validate_settings().map_err(param_error)?;
        if let Some(n) = self.max_points() {
            // The perplexity and the exact method's size against the limit, before loading.
            self.tsne.validate(n).map_err(param_error)?;
        }
        self.env.device()?;
        Ok(())
    }

    fn run(&self, obs: &mut dyn Observer) -> Result<TsneReport, JobError> {
        let start = Instant::now();
        let device = self.env.device()?;
        let (pts, codes_seconds) = match (&self.data, &self.codes) {
            (_, Some(dir)) => {
                obs.stage("loading the detector");
                let det = load_detector(dir, &device)?;
                points::codes(self, dir, &det, &device, obs)?
            }
            (Some(data), None) => (points::images(self, data, obs)?, None),
            (None, None) => unreachable!("validate requires data or codes"),
        };
        let load_seconds = start.elapsed().as_secs_f64() - codes_seconds.unwrap_or(0.0);
        self.tsne.validate(pts.n).map_err(param_error)?;
        obs.stage(&format!(
            "t-SNE of {} points ({:?})",
            pts.n, self.tsne.method
        ));
        let e = tsne::embed(
            &pts.x,
            pts.n,
            pts.dim,
            &self.tsne,
            self.env.seed,
            &device,
            &mut |d, t| obs.progress(d as u64, t as u64),
        )
        .map_err(param_error)?;
        if !e.kl.is_finite() {
            return Err(JobError::Run(
                "t-SNE diverged: the final KL(P‖Q) is not finite".into(),
            ));
        }
        obs.stage("measuring neighbourhoods");
        let m = pts.measure(&e.y);
        obs.stage("writing outputs");
        let out = self.env.outputs();
        out.text("embedding.csv", &pts.csv(&e.y))?;
        pts.plot(&out.figure("tsne"), &e.y, e.kl)?;
        let report = TsneReport {
            source: pts.name.clone(),
            n: pts.n,
            dim: pts.dim,
            codes: pts.codes.clone(),
            kl: e.kl,
            kl_trace: e.kl_trace,
            knn10_agreement: m.agreement,
            anomaly_separation: m.separation,
            anomaly_separation_chance: m.separation_chance,
            calibration: summarize(&e.calibrations, self.tsne.perplexity),
            load_seconds,
            codes_seconds,
            timings: e.timings,
            total_seconds: start.elapsed().as_secs_f64(),
            params: self.tsne.clone(),
            seed: self.env.seed,
        };
        out.json("metrics.json", &report)?;
        Ok(report)
    }
}

/// The detector saved in `dir`; errors name the setting `codes` and the file.
fn load_detector(
    dir: &std::path::Path,
    device: &burn::prelude::Device,
) -> Result<Detector, JobError> {
    Detector::load(dir, device).map_err(|e| JobError::setting("codes", e.to_string()))
}

fn param_error(e: tsne::ParamError) -> JobError {
    match e.field {
        "data" => JobError::setting("data", e.message),
        f => JobError::setting(format!("tsne.{f}"), e.message),
    }
}

fn summarize(c: &[tsne::Calibration], perplexity: f64) -> CalibrationSummary {
    let mut s: Vec<f64> = c.iter().map(|c| c.sigma).collect();
    s.sort_by(f64::total_cmp);
    CalibrationSummary {
        sigma_min: s[0],
        sigma_median: s[s.len() / 2],
        sigma_max: s[s.len() - 1],
        max_entropy_error: c
            .iter()
            .map(|c| (c.entropy - perplexity.ln()).abs())
            .fold(0.0, f64::max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(cfg: &TsneConfig) -> String {
        match cfg.validate() {
            Err(JobError::Setting { field, .. }) => field,
            other => panic!("expected a setting error, got {other:?}"),
        }
    }

    #[test]
    fn images_and_codes_exclude_each_other_and_the_detector_is_checked() {
        let d = TsneConfig::default();
        assert!(d.validate().is_ok());
        let both = TsneConfig {
            codes: Some("runs/anomaly/model".into()),
            ..d.clone()
        };
        assert_eq!(field(&both), "data");
        let neither = TsneConfig {
            data: None,
            ..d.clone()
        };
        assert_eq!(field(&neither), "data");
        let missing = TsneConfig {
            data: None,
            codes: Some("/nonexistent/model".into()),
            ..d.clone()
        };
        assert_eq!(field(&missing), "codes");
        let err = missing.validate().unwrap_err().to_string();
        assert!(err.contains("/nonexistent/model/detector.json"), "{err}");
        let bad_set = TsneConfig {
            anomaly: "nosuchset:test".into(),
            ..missing
        };
        assert_eq!(field(&bad_set), "anomaly");
        // 10 points have 9 neighbours: too few for perplexity 12.
        let tight = TsneConfig {
            limit: Some(10),
            tsne: Params {
                perplexity: 12.0,
                ..Params::default()
            },
            ..d
        };
        assert_eq!(field(&tight), "tsne.perplexity");
    }
}
