//! The results of an anomaly run and the files that record them: `metrics.json`, `scores.csv`,
//! `histogram.png`, `roc.png`, `reconstructions.png` (or `extremes.png` for scorers that do not
//! reconstruct), `loss.png` and the saved detector `model/`.

use super::{AnomalyConfig, AnomalyError, Detector, EpochStats, RunData, Scored};
use crate::data::Images;
use crate::metrics;
use crate::plot::{self, GridRow, Line, Series};
use burn::prelude::Device;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;

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

/// Everything a run measured; serialized as `metrics.json`.
#[derive(Clone, Debug, Serialize)]
pub struct AnomalyReport {
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
    pub data: [String; 4],
    pub config: AnomalyConfig,
}

impl AnomalyReport {
    /// Computes the metrics of a scored run.
    pub fn new(
        cfg: &AnomalyConfig,
        data: &RunData,
        s: &Scored,
        det: &Detector,
        epochs: Vec<EpochStats>,
        train_seconds: f64,
        score_seconds: f64,
    ) -> Self {
        let t = det.info.threshold;
        let flagged = |v: &[f32]| v.iter().filter(|&&x| x as f64 > t).count();
        let images = (data.train.n * cfg.train.epochs) as f64;
        Self {
            threshold: t,
            sigmas: det.info.sigmas,
            validation_mean: det.info.validation_mean,
            validation_std: det.info.validation_std,
            type_i_error: metrics::type_i_error(&s.normal_test, t),
            type_ii_error: metrics::type_ii_error(&s.anomaly, t),
            auroc: metrics::auroc(&s.normal_test, &s.anomaly),
            aupr: metrics::aupr(&s.normal_test, &s.anomaly),
            counts: Counts {
                train: data.train.n,
                validation: data.validation.n,
                normal_test: data.normal_test.n,
                anomaly: data.anomaly.n,
                normal_test_flagged: flagged(&s.normal_test),
                anomaly_flagged: flagged(&s.anomaly),
            },
            train_seconds,
            train_images_per_sec: images / train_seconds,
            score_seconds,
            epochs,
            data: [
                &data.train,
                &data.validation,
                &data.normal_test,
                &data.anomaly,
            ]
            .map(|d| d.name.clone()),
            config: cfg.clone(),
        }
    }
}

fn out_err(path: &Path, e: impl std::fmt::Display) -> AnomalyError {
    AnomalyError::Output {
        path: path.to_path_buf(),
        msg: e.to_string(),
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
                (s as f64 > threshold) as u8
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

/// Writes every output file of a run into `cfg.out`.
pub fn write_outputs(
    cfg: &AnomalyConfig,
    data: &RunData,
    s: &Scored,
    det: &Detector,
    report: &AnomalyReport,
    device: &Device,
) -> Result<(), AnomalyError> {
    let out = &cfg.out;
    let t = report.threshold;
    det.save(&out.join("model"))?;

    let path = out.join("metrics.json");
    let json = serde_json::to_vec_pretty(report).map_err(|e| out_err(&path, e))?;
    crate::io::write_atomic(&path, &json).map_err(|e| out_err(&path, e))?;

    let path = out.join("scores.csv");
    let sets: [(&str, &Images, &[f32]); 3] = [
        ("validation", &data.validation, &s.validation),
        ("normal_test", &data.normal_test, &s.normal_test),
        ("anomaly", &data.anomaly, &s.anomaly),
    ];
    crate::io::write_atomic(&path, scores_csv(&sets, t).as_bytes())
        .map_err(|e| out_err(&path, e))?;

    let path = out.join("histogram.png");
    let series = sets.map(|(name, _, v)| Series { name, values: v });
    let scorer = det.info.model.scorer();
    let title = format!(
        "{}, threshold = mean + {}σ",
        capitalize(scorer.formula()),
        cfg.sigmas
    );
    plot::score_histogram(&path, &title, &series, t, cfg.log_histogram, 80)
        .map_err(|e| out_err(&path, e))?;

    let path = out.join("roc.png");
    let roc = metrics::roc_curve(&s.normal_test, &s.anomaly);
    let op = (report.type_i_error, 1.0 - report.type_ii_error);
    plot::roc_curve(
        &path,
        "ROC: normal test vs anomalies",
        &roc,
        report.auroc,
        Some(op),
    )
    .map_err(|e| out_err(&path, e))?;

    let path = out.join("loss.png");
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
    )
    .map_err(|e| out_err(&path, e))?;

    // The best- and worst-scored images of each test set, under their reconstructions when
    // the model reconstructs (reconstructions.png), else alone (extremes.png).
    let reconstructs = det.info.model.scorer().reconstructs();
    let mut groups = Vec::new();
    for (name, images, scores) in [
        ("normal", &data.normal_test, &s.normal_test),
        ("anomaly", &data.anomaly, &s.anomaly),
    ] {
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
            "reconstructions.png",
            "Originals and reconstructions (caption: score)",
        )
    } else {
        (
            "extremes.png",
            "Lowest and highest scored images (caption: score)",
        )
    };
    let path = out.join(name);
    let (r, c) = (data.train.rows, data.train.cols);
    plot::image_grid(&path, title, &rows, r, c).map_err(|e| out_err(&path, e))?;
    Ok(())
}

/// `s` with its first letter upper-cased.
fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
