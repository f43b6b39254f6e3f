//! The t-SNE job: embeds an image selection (default the first 10 000 MNIST test images) in the
//! plane, measures the final KL(P‖Q) and the 10-nearest-neighbour label agreement, and writes
//! embedding.csv, tsne.png and metrics.json.

use super::{Env, Job, JobError, Observer};
use crate::data::{Images, Split};
use crate::plot::{Cloud, Target, embedding_scatter};
use crate::tsne::{self, Params, Timings};
use std::fmt::Write as _;
use std::time::Instant;

/// Settings of a t-SNE run.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TsneConfig {
    pub env: Env,
    /// The images to embed (a data selection, e.g. `mnist:test`, `kmnist:test:0-4`).
    pub data: String,
    /// Embed only the first `limit` images (`None` = all).
    pub limit: Option<usize>,
    /// The t-SNE settings.
    pub tsne: Params,
}

impl Default for TsneConfig {
    fn default() -> Self {
        Self {
            env: Env::named("tsne"),
            data: "mnist:test".into(),
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

/// What a t-SNE run measured.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TsneReport {
    /// What was embedded.
    pub source: String,
    pub n: usize,
    pub dim: usize,
    /// KL(P‖Q) of the final embedding.
    pub kl: f64,
    /// KL(P‖Q) every 50 iterations.
    pub kl_trace: Vec<(usize, f64)>,
    /// Share of each point's 10 nearest embedded neighbours that carry its label (`None`
    /// without labels).
    pub knn10_agreement: Option<f64>,
    pub calibration: CalibrationSummary,
    /// Seconds to load the data.
    pub load_seconds: f64,
    pub timings: Timings,
    /// Seconds from the start of loading to the written outputs.
    pub total_seconds: f64,
    pub params: Params,
}

impl Job for TsneConfig {
    const NAME: &'static str = "tsne";
    type Report = TsneReport;

    fn env(&self) -> &Env {
        &self.env
    }

    fn validate(&self) -> Result<(), JobError> {
        if self.data.trim().is_empty() {
            return Err(JobError::setting(
                "data",
                "the data selection must not be empty",
            ));
        }
        if let Some(l) = self.limit
            && l < 3
        {
            return Err(JobError::setting("limit", "must be at least 3 images"));
        }
        self.tsne.validate_settings().map_err(param_error)?;
        if let Some(l) = self.limit {
            // The perplexity and the exact method's size against the limit, before loading.
            self.tsne.validate(l).map_err(param_error)?;
        }
        Ok(())
    }

    fn run(&self, obs: &mut dyn Observer) -> Result<TsneReport, JobError> {
        let start = Instant::now();
        obs.stage(&format!("loading {}", self.data));
        let images = self
            .env
            .load("data", &self.data, Split::Test, obs)?
            .limited(self.limit);
        let load_seconds = start.elapsed().as_secs_f64();
        self.tsne.validate(images.n).map_err(param_error)?;
        let device = self.env.device()?;
        obs.stage(&format!(
            "t-SNE of {} images ({:?})",
            images.n, self.tsne.method
        ));
        let e = tsne::embed(
            &images.pixels,
            images.n,
            images.dim(),
            &self.tsne,
            &device,
            &mut |d, t| obs.progress(d as u64, t as u64),
        )
        .map_err(param_error)?;
        if !e.kl.is_finite() {
            return Err(JobError::Run(
                "t-SNE diverged: the final KL(P‖Q) is not finite".into(),
            ));
        }
        let knn = images
            .labels
            .as_deref()
            .and_then(|l| tsne::knn_agreement(&e.y, l, 10));
        obs.stage("writing outputs");
        let out = self.env.outputs();
        out.text("embedding.csv", &csv(&e.y, &images))?;
        plot(&out.figure("tsne"), &images, &e.y, e.kl)?;
        let report = TsneReport {
            source: images.name.clone(),
            n: images.n,
            dim: images.dim(),
            kl: e.kl,
            kl_trace: e.kl_trace,
            knn10_agreement: knn,
            calibration: summarize(&e.calibrations, self.tsne.perplexity),
            load_seconds,
            timings: e.timings,
            total_seconds: start.elapsed().as_secs_f64(),
            params: self.tsne.clone(),
        };
        out.json("metrics.json", &report)?;
        Ok(report)
    }
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

/// `x,y,label` rows (label empty when unknown).
fn csv(y: &[[f64; 2]], images: &Images) -> String {
    let mut s = String::from("x,y,label\n");
    for (i, p) in y.iter().enumerate() {
        let label = images.label(i).map(|l| l.to_string()).unwrap_or_default();
        let _ = writeln!(s, "{},{},{label}", p[0], p[1]);
    }
    s
}

/// One cloud per label (or one for all points without labels).
fn plot(to: &Target, images: &Images, y: &[[f64; 2]], kl: f64) -> Result<(), JobError> {
    let pts: Vec<(f64, f64)> = y.iter().map(|p| (p[0], p[1])).collect();
    let groups: Vec<(String, Vec<(f64, f64)>)> = match &images.labels {
        Some(l) => (0..=255u8)
            .filter_map(|c| {
                let v: Vec<_> = pts
                    .iter()
                    .zip(l)
                    .filter(|(_, k)| **k == c)
                    .map(|(p, _)| *p)
                    .collect();
                (!v.is_empty()).then(|| (c.to_string(), v))
            })
            .collect(),
        None => vec![("all".into(), pts)],
    };
    let clouds: Vec<Cloud> = groups
        .iter()
        .map(|(name, points)| Cloud {
            name,
            points,
            marked: false,
        })
        .collect();
    let title = format!("t-SNE of {} ({} images), KL {kl:.3}", images.name, images.n);
    Ok(embedding_scatter(to, &title, &clouds)?)
}
