//! The results of an anomaly run and the files that record them: `metrics.json`, `scores.csv`,
//! `histogram.png`, `roc.png`, `reconstructions.png` (or `extremes.png` for scorers that do not
//! reconstruct), `loss.png` and the saved detector `model/`.

use super::{Config, Sets};
use crate::anomaly::Detector;
use crate::data::Images;
use crate::jobs::JobError;
use crate::metrics;
use crate::plot::{self, GridRow, Line, Series};
use crate::train::EpochStats;
use burn::prelude::Device;
use serde::Serialize;
use std::fmt::Write as _;

/// Sizes of the data sets of a run, and how many of each were flagged.
#[derive(Clone, Debug, Serialize)]
pub struct Counts {
    pub train: usize,
    pub validation: usize,
    pub normal_test: usize,
    pub anomaly: usize,
    pub normal_test_flagged: usize,
    pub anomaly_flagged: usize,
}

/// The names of the data sets of a run, by role.
#[derive(Clone, Debug, Serialize)]
pub struct DataNames {
    pub train: String,
    pub validation: String,
    pub normal_test: String,
    pub anomaly: String,
}

/// Everything a run measured; serialized as `metrics.json`.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub threshold: f64,
    pub sigmas: f64,
    pub validation_mean: f64,
    pub validation_std: f64,
    /// Share of normal test images flagged.
    pub type_i_error: f64,
    /// Share of anomalous images not flagged.
    pub type_ii_error: f64,
    pub auroc: f64,
    pub aupr: f64,
    pub counts: Counts,
    pub train_seconds: f64,
    pub train_images_per_sec: f64,
    pub score_seconds: f64,
    pub epochs: Vec<EpochStats>,
    pub data: DataNames,
    pub config: Config,
}

impl Report {
    /// Computes the metrics of a scored run.
    pub fn new(
        cfg: &Config,
        sets: &Sets,
        det: &Detector,
        epochs: Vec<EpochStats>,
        train_seconds: f64,
        score_seconds: f64,
    ) -> Self {
        let t = det.info.threshold;
        let (normal, anomaly) = (&sets.normal_test.scores, &sets.anomaly.scores);
        let images = (sets.train.n * cfg.train.epochs) as f64;
        Self {
            threshold: t,
            sigmas: det.info.sigmas,
            validation_mean: det.info.validation_mean,
            validation_std: det.info.validation_std,
            type_i_error: metrics::type_i_error(normal, t),
            type_ii_error: metrics::type_ii_error(anomaly, t),
            auroc: metrics::auroc(normal, anomaly),
            aupr: metrics::aupr(normal, anomaly),
            counts: Counts {
                train: sets.train.n,
                validation: sets.validation.images.n,
                normal_test: sets.normal_test.images.n,
                anomaly: sets.anomaly.images.n,
                normal_test_flagged: metrics::count_flagged(normal, t),
                anomaly_flagged: metrics::count_flagged(anomaly, t),
            },
            train_seconds,
            train_images_per_sec: images / train_seconds,
            score_seconds,
            epochs,
            data: DataNames {
                train: sets.train.name.clone(),
                validation: sets.validation.images.name.clone(),
                normal_test: sets.normal_test.images.name.clone(),
                anomaly: sets.anomaly.images.name.clone(),
            },
            config: Config {
                train: cfg.training(),
                ..cfg.clone()
            },
        }
    }
}

/// One CSV row per scored image: `set,index,label,score,flagged`.
pub fn scores_csv(sets: &[(&str, &Images, &[f32])], threshold: f64) -> String {
    let mut csv = String::from("set,index,label,score,flagged\n");
    for (name, images, scores) in sets {
        for (i, &s) in scores.iter().enumerate() {
            let label = images
                .labels
                .as_ref()
                .map(|l| l[i].to_string())
                .unwrap_or_default();
            let _ = writeln!(
                csv,
                "{name},{i},{label},{s},{}",
                metrics::flagged(s, threshold) as u8
            );
        }
    }
    csv
}

/// Indices of the `k` lowest and `k` highest scores (each list best-first / worst-first).
fn extremes(scores: &[f32], k: usize) -> (Vec<usize>, Vec<usize>) {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let k = k.min(order.len());
    (
        order[..k].to_vec(),
        order[order.len() - k..].iter().rev().copied().collect(),
    )
}

/// Writes every output file of a run into `cfg.env.out`.
pub fn write_outputs(
    cfg: &Config,
    data: &Sets,
    det: &Detector,
    report: &Report,
    device: &Device,
) -> Result<(), JobError> {
    let out = cfg.env.outputs();
    let t = report.threshold;
    det.save(&out.path("model"))?;
    out.json("metrics.json", report)?;
    let sets: [(&str, &Images, &[f32]); 3] = [
        (
            "validation",
            &data.validation.images,
            &data.validation.scores,
        ),
        (
            "normal_test",
            &data.normal_test.images,
            &data.normal_test.scores,
        ),
        ("anomaly", &data.anomaly.images, &data.anomaly.scores),
    ];
    out.text("scores.csv", &scores_csv(&sets, t))?;

    let path = out.figure("histogram");
    let series = sets.map(|(name, _, v)| Series { name, values: v });
    let scorer = det.info.model.scorer();
    let title = format!(
        "{}, threshold = mean + {}σ",
        capitalize(scorer.formula()),
        cfg.sigmas
    );
    // A score corrected by subtraction can be negative: no log axis then.
    let log_x = cfg.log_histogram && cfg.complexity != crate::complexity::Correction::Difference;
    plot::score_histogram(&path, &title, &series, t, log_x, 80)?;

    let path = out.figure("roc");
    let roc = metrics::roc_curve(&data.normal_test.scores, &data.anomaly.scores);
    let op = (report.type_i_error, 1.0 - report.type_ii_error);
    plot::roc_curve(
        &path,
        "ROC: normal test vs anomalies",
        &roc,
        report.auroc,
        Some(op),
    )?;

    let path = out.figure("loss");
    let pts: Vec<(f64, f64)> = report
        .epochs
        .iter()
        .map(|e| (e.epoch as f64, e.loss_per_image))
        .collect();
    let lines = [Line {
        name: "training loss per image",
        points: &pts,
    }];
    plot::line_plot(
        &path,
        "Training loss",
        "epoch",
        scorer.loss_label(),
        &lines,
        true,
    )?;

    // The best- and worst-scored images of each test set, under their reconstructions when
    // the model reconstructs (reconstructions.png), else alone (extremes.png).
    let reconstructs = det.info.model.scorer().reconstructs();
    let mut groups = Vec::new();
    for (name, set) in [("normal", &data.normal_test), ("anomaly", &data.anomaly)] {
        let (images, scores) = (&set.images, &set.scores);
        let (best, worst) = extremes(scores, 8);
        for (kind, idx) in [("best", best), ("worst", worst)] {
            let recon = det.model.reconstruct(images, &idx, device);
            groups.push((format!("{kind} {name}"), images, scores, idx, recon));
        }
    }
    let mut rows = Vec::new();
    for (label, images, scores, idx, recon) in &groups {
        let captions: Vec<String> = idx.iter().map(|&i| format!("{:.1}", scores[i])).collect();
        let originals = idx.iter().map(|&i| images.image(i)).collect();
        match recon {
            Some(recon) => {
                rows.push(GridRow {
                    label: label.clone(),
                    images: originals,
                    captions: vec![String::new(); idx.len()],
                });
                rows.push(GridRow {
                    label: "reconstruction".into(),
                    images: recon.iter().map(Vec::as_slice).collect(),
                    captions,
                });
            }
            None => rows.push(GridRow {
                label: label.clone(),
                images: originals,
                captions,
            }),
        }
    }
    let (name, title) = if reconstructs {
        (
            "reconstructions",
            "Originals and reconstructions (caption: score)",
        )
    } else {
        (
            "extremes",
            "Lowest and highest scored images (caption: score)",
        )
    };
    let path = out.figure(name);
    let (r, c) = (data.train.rows, data.train.cols);
    plot::image_grid(&path, title, &rows, r, c)?;
    Ok(())
}

/// `s` with its first letter upper-cased.
fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
