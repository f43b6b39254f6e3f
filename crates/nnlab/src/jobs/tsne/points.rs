//! The points a t-SNE run embeds, with what is known about each (label, anomalous or not): an
//! image selection, or a detector's codes of a normal and an anomalous set; and what the job
//! makes of their embedding: neighbourhood measures, embedding.csv and the figure.

use super::{CodesSummary, K, TsneConfig};
use crate::anomaly::Detector;
use crate::data::{Images, Split};
use crate::jobs::{JobError, Observer};
use crate::plot::{Cloud, Target, embedding_scatter};
use crate::tsne;
use burn::prelude::Device;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

/// Points to embed, row-major, with per-point labels and anomaly marks.
pub(super) struct Points {
    /// What they are, for titles and the report.
    pub name: String,
    pub x: Vec<f32>,
    pub n: usize,
    pub dim: usize,
    /// Each point's label, when its set has labels.
    pub labels: Vec<Option<u8>>,
    /// Whether each point belongs to the anomalous set (all false for images).
    pub anomalous: Vec<bool>,
    /// For codes: the detector and the two sets.
    pub codes: Option<CodesSummary>,
    /// For codes: the scorer and the code width, for the figure's title.
    kind: Option<String>,
}

/// The neighbourhood measures of an embedding (see [`super::TsneReport`]).
pub(super) struct Measures {
    pub agreement: Option<f64>,
    pub separation: Option<f64>,
    pub separation_chance: Option<f64>,
}

/// The first `limit` images of the selection `data`.
pub(super) fn images(
    cfg: &TsneConfig,
    data: &str,
    obs: &mut dyn Observer,
) -> Result<Points, JobError> {
    obs.stage(&format!("loading {data}"));
    let im = cfg
        .env
        .load("data", data, Split::Test, obs)?
        .limited(cfg.limit);
    Ok(Points {
        name: im.name.clone(),
        n: im.n,
        dim: im.dim(),
        labels: (0..im.n).map(|i| im.label(i)).collect(),
        anomalous: vec![false; im.n],
        x: im.pixels,
        codes: None,
        kind: None,
    })
}

/// The codes `det` gives the first `limit` images of `cfg.normal` and of `cfg.anomaly`, normal
/// first; and the seconds spent computing them.
pub(super) fn codes(
    cfg: &TsneConfig,
    dir: &Path,
    det: &Detector,
    device: &Device,
    obs: &mut dyn Observer,
) -> Result<(Points, Option<f64>), JobError> {
    let mut sets: Vec<Images> = Vec::with_capacity(2);
    for (field, spec) in [("normal", &cfg.normal), ("anomaly", &cfg.anomaly)] {
        obs.stage(&format!("loading {spec}"));
        let im = cfg
            .env
            .load(field, spec, Split::Test, obs)?
            .limited(cfg.limit);
        det.check_input(&im)
            .map_err(|m| JobError::setting(field, m))?;
        sets.push(im);
    }
    let clock = Instant::now();
    let width = det.info.model.code_width();
    let mut x = Vec::with_capacity((sets[0].n + sets[1].n) * width);
    for im in &sets {
        obs.stage(&format!("codes of {}", im.name));
        let c = det.model.codes(im, device);
        if let Some(i) = c.iter().position(|v| !v.is_finite()) {
            return Err(JobError::file(
                dir,
                format!(
                    "the detector gives image {} of {} a non-finite code: its weights are not \
                     usable",
                    i / width,
                    im.name
                ),
            ));
        }
        x.extend(c);
    }
    let seconds = clock.elapsed().as_secs_f64();
    let (normal, anomaly) = (&sets[0], &sets[1]);
    let scorer = det.info.model.scorer();
    let n = normal.n + anomaly.n;
    let summary = CodesSummary {
        model: dir.to_path_buf(),
        scorer,
        trained_on: det.info.trained_on.clone(),
        normal: normal.name.clone(),
        normal_n: normal.n,
        anomaly: anomaly.name.clone(),
        anomaly_n: anomaly.n,
    };
    let labels = sets
        .iter()
        .flat_map(|im| (0..im.n).map(|i| im.label(i)))
        .collect();
    Ok((
        Points {
            name: format!("{scorer} codes of {} and {}", normal.name, anomaly.name),
            x,
            n,
            dim: width,
            labels,
            anomalous: (0..n).map(|i| i >= normal.n).collect(),
            codes: Some(summary),
            kind: Some(format!("{scorer} codes ({width}-D)")),
        },
        Some(seconds),
    ))
}

impl Points {
    /// The 10-NN label agreement over the labelled normal points (an anomalous neighbour never
    /// agrees) and, with anomalies, their separation and its chance value.
    pub fn measure(&self, y: &[[f64; 2]]) -> Measures {
        let none = Measures {
            agreement: None,
            separation: None,
            separation_chance: None,
        };
        let Some(nb) = tsne::nearest(y, K) else {
            return none;
        };
        let key: Vec<Option<u8>> = (0..self.n)
            .map(|i| {
                if self.anomalous[i] {
                    None
                } else {
                    self.labels[i]
                }
            })
            .collect();
        let agreement = tsne::neighbours::label_agreement(&nb, &key, |i| key[i].is_some());
        let m = self.anomalous.iter().filter(|&&a| a).count();
        let separation = tsne::majority_share(&nb, &self.anomalous);
        let chance =
            separation.map(|_| tsne::majority_chance(K, (m - 1) as f64 / (self.n - 1) as f64));
        Measures {
            agreement,
            separation,
            separation_chance: chance,
        }
    }

    /// `x,y,label` rows (label empty when unknown); for codes `x,y,set,label` with set
    /// `normal` or `anomaly`.
    pub fn csv(&self, y: &[[f64; 2]]) -> String {
        let codes = self.codes.is_some();
        let mut s = String::from(if codes {
            "x,y,set,label\n"
        } else {
            "x,y,label\n"
        });
        for (i, p) in y.iter().enumerate() {
            let label = self.labels[i].map(|l| l.to_string()).unwrap_or_default();
            let set = match (codes, self.anomalous[i]) {
                (false, _) => "",
                (true, false) => "normal,",
                (true, true) => "anomaly,",
            };
            let _ = writeln!(s, "{},{},{set}{label}", p[0], p[1]);
        }
        s
    }

    /// One cloud per label of the normal points (or one for all unlabelled ones), the
    /// anomalies as one marked cloud.
    pub fn plot(&self, to: &Target, y: &[[f64; 2]], kl: f64) -> Result<(), JobError> {
        // (legend name, points, marked as anomalies)
        type Group = (String, Vec<(f64, f64)>, bool);
        let mut groups: Vec<Group> = Vec::new();
        let normal = |i: &usize| !self.anomalous[*i];
        for label in (0..=255u8).map(Some).chain([None]) {
            let pts: Vec<(f64, f64)> = (0..self.n)
                .filter(normal)
                .filter(|&i| self.labels[i] == label)
                .map(|i| (y[i][0], y[i][1]))
                .collect();
            let name = label.map_or_else(|| "unlabelled".to_string(), |l| l.to_string());
            if !pts.is_empty() {
                groups.push((name, pts, false));
            }
        }
        let anomalies: Vec<(f64, f64)> = (0..self.n)
            .filter(|&i| self.anomalous[i])
            .map(|i| (y[i][0], y[i][1]))
            .collect();
        if let Some(c) = &self.codes {
            groups.push((format!("anomaly: {}", c.anomaly), anomalies, true));
        }
        let clouds: Vec<Cloud> = groups
            .iter()
            .map(|(name, points, marked)| Cloud {
                name,
                points,
                marked: *marked,
            })
            .collect();
        let title = match (&self.kind, &self.codes) {
            (Some(kind), Some(c)) => format!(
                "t-SNE of {kind}: {} ({}) and {} ({}, x), KL {kl:.3}",
                c.normal, c.normal_n, c.anomaly, c.anomaly_n
            ),
            _ => format!("t-SNE of {} ({} images), KL {kl:.3}", self.name, self.n),
        };
        Ok(embedding_scatter(to, &title, &clouds)?)
    }
}
