//! The measurements of a GAN run (metrics.json, steps.csv) and its figures: the generator-gradient
//! norm against the mean D(G(z)) and over the steps, the losses, D(x) and D(G(z)) over the steps,
//! and one sample grid per loss with a row per epoch.

use super::Config;
use crate::data::Images;
use crate::jobs::JobError;
use crate::models::gan::GeneratorLoss;
use crate::models::gan::train::{GanEpoch, GanHistory, StepRecord, median};
use crate::plot::loglog_scatter;
use crate::plot::{GridRow, Line, image_grid, line_plot};
use serde::Serialize;

/// Steps whose mean D(G(z)) falls in one decade [lo, hi), and their median gradient norm.
#[derive(Clone, Debug, Serialize)]
pub struct DecadeBin {
    pub d_fake_lo: f64,
    pub d_fake_hi: f64,
    pub steps: usize,
    pub median_grad_norm: f64,
}

/// The summary of one training run.
#[derive(Clone, Debug, Serialize)]
pub struct RunSummary {
    pub loss: GeneratorLoss,
    pub train_seconds: f64,
    pub epochs: Vec<GanEpoch>,
    /// The first generator step (after the discriminator's head start).
    pub first_step: Option<StepRecord>,
    /// Median gradient norm by decade of D(G(z)).
    pub by_d_fake: Vec<DecadeBin>,
}

/// The first generator step of both runs: G, D, the data and z are identical there, so the
/// ratio of the gradient norms isolates the loss. Per sample it is D/(1 − D) exactly (see
/// [`crate::models::gan::loss`]); for the batch, the odds of the mean D are its first-order estimate.
#[derive(Clone, Debug, Serialize)]
pub struct FirstStepComparison {
    pub d_fake: f64,
    pub minimax_grad_norm: f64,
    pub nonsat_grad_norm: f64,
    pub ratio: f64,
    pub odds_of_mean_d_fake: f64,
}

/// Everything written to metrics.json.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub config: Config,
    pub data: String,
    pub images: usize,
    pub runs: Vec<RunSummary>,
    pub first_step: Option<FirstStepComparison>,
}

impl Report {
    /// Summarizes the runs (each with its training time in seconds).
    pub fn new(cfg: &Config, data: &Images, runs: &[(GanHistory, f64)]) -> Self {
        let summaries: Vec<RunSummary> = runs
            .iter()
            .map(|(h, secs)| RunSummary {
                loss: h.loss,
                train_seconds: *secs,
                epochs: h.epochs.clone(),
                first_step: h.steps.first().cloned(),
                by_d_fake: decade_bins(&h.steps),
            })
            .collect();
        let first = |loss| {
            summaries
                .iter()
                .find(|r| r.loss == loss)
                .and_then(|r| r.first_step.clone())
        };
        let first_step = match (first(GeneratorLoss::Minimax), first(GeneratorLoss::Nonsat)) {
            (Some(m), Some(n)) => Some(FirstStepComparison {
                d_fake: n.d_fake,
                minimax_grad_norm: m.grad_norm,
                nonsat_grad_norm: n.grad_norm,
                ratio: m.grad_norm / n.grad_norm,
                odds_of_mean_d_fake: n.d_fake / (1.0 - n.d_fake),
            }),
            _ => None,
        };
        Self {
            config: Config {
                train: cfg.training(),
                ..cfg.clone()
            },
            data: data.name.clone(),
            images: data.n,
            runs: summaries,
            first_step,
        }
    }
}

/// Median gradient norms of the steps grouped by decade of D(G(z)): [10^(k−1), 10^k), k ≤ 0.
pub fn decade_bins(steps: &[StepRecord]) -> Vec<DecadeBin> {
    let mut bins: std::collections::BTreeMap<i32, Vec<f64>> = Default::default();
    for s in steps
        .iter()
        .filter(|s| s.d_fake > 0.0 && s.grad_norm.is_finite())
    {
        let k = (s.d_fake.log10().floor() as i32).min(-1);
        bins.entry(k).or_default().push(s.grad_norm);
    }
    bins.into_iter()
        .map(|(k, mut norms)| {
            norms.sort_by(f64::total_cmp);
            DecadeBin {
                d_fake_lo: 10f64.powi(k),
                d_fake_hi: 10f64.powi(k + 1),
                steps: norms.len(),
                median_grad_norm: median(&norms),
            }
        })
        .collect()
}

/// Per-step records of every run as CSV (loss,step,epoch,d_loss,g_loss,d_real,d_fake,grad_norm).
pub fn steps_csv(runs: &[(GanHistory, f64)]) -> String {
    let mut s = String::from("loss,step,epoch,d_loss,g_loss,d_real,d_fake,grad_norm\n");
    for (h, _) in runs {
        for r in &h.steps {
            s += &format!(
                "{},{},{},{},{},{},{},{}\n",
                h.loss, r.step, r.epoch, r.d_loss, r.g_loss, r.d_real, r.d_fake, r.grad_norm
            );
        }
    }
    s
}

/// Means of `f` over consecutive windows of about steps/100 steps, at the windows' mean step
/// (a readable curve from thousands of noisy steps).
fn smoothed(steps: &[StepRecord], f: fn(&StepRecord) -> f64) -> Vec<(f64, f64)> {
    let w = steps.len().div_ceil(100).max(1);
    steps
        .chunks(w)
        .map(|c| {
            let n = c.len() as f64;
            let x = c.iter().map(|s| s.step as f64).sum::<f64>() / n;
            (x, c.iter().map(f).sum::<f64>() / n)
        })
        .collect()
}

/// Borrows named point lists as plot lines.
fn draw(v: &[(String, Vec<(f64, f64)>)]) -> Vec<Line<'_>> {
    v.iter().map(|(n, p)| Line { name: n, points: p }).collect()
}

/// Writes metrics.json, steps.csv, grad_norm_vs_d.png, grad_norm.png, loss.png,
/// discriminator.png and samples-<loss>.png into `cfg.env.out`.
pub fn write_outputs(
    cfg: &Config,
    data: &Images,
    runs: &[(GanHistory, f64)],
    report: &Report,
) -> Result<(), JobError> {
    let out = cfg.env.outputs();
    out.json("metrics.json", report)?;
    out.text("steps.csv", &steps_csv(runs))?;

    let names: Vec<String> = runs.iter().map(|(h, _)| h.loss.to_string()).collect();
    let series = |f: &dyn Fn(&GanHistory) -> Vec<(f64, f64)>| -> Vec<Vec<(f64, f64)>> {
        runs.iter().map(|(h, _)| f(h)).collect()
    };
    let lines = |pts: &'_ [Vec<(f64, f64)>], suffix: &str| -> Vec<(String, Vec<(f64, f64)>)> {
        names
            .iter()
            .zip(pts)
            .map(|(n, p)| (format!("{n}{suffix}"), p.clone()))
            .collect()
    };

    let vs_d = lines(
        &series(&|h| h.steps.iter().map(|s| (s.d_fake, s.grad_norm)).collect()),
        "",
    );
    loglog_scatter(
        out.figure("grad_norm_vs_d"),
        "Generator-gradient norm against D(G(z)), one dot per generator step",
        "mean D(G(z)) over the batch",
        "||grad_G L_G||_2",
        &draw(&vs_d),
    )?;
    let over_steps = lines(
        &series(&|h| {
            h.steps
                .iter()
                .map(|s| (s.step as f64, s.grad_norm))
                .collect()
        }),
        "",
    );
    line_plot(
        out.figure("grad_norm"),
        "Generator-gradient norm over training",
        "generator step",
        "||grad_G L_G||_2",
        &draw(&over_steps),
        true,
    )?;
    let mut losses = lines(&series(&|h| smoothed(&h.steps, |s| s.d_loss)), ": L_D");
    losses.extend(lines(
        &series(&|h| smoothed(&h.steps, |s| s.g_loss)),
        ": L_G",
    ));
    line_plot(
        out.figure("loss"),
        "Losses (means over windows of steps)",
        "generator step",
        "loss",
        &draw(&losses),
        false,
    )?;
    let mut probs = lines(&series(&|h| smoothed(&h.steps, |s| s.d_real)), ": D(x)");
    probs.extend(lines(
        &series(&|h| smoothed(&h.steps, |s| s.d_fake)),
        ": D(G(z))",
    ));
    line_plot(
        out.figure("discriminator"),
        "Discriminator outputs on real and generated images (window means)",
        "generator step",
        "mean D",
        &draw(&probs),
        true,
    )?;

    for (h, _) in runs.iter().filter(|(h, _)| !h.samples.is_empty()) {
        let rows: Vec<GridRow> = h
            .samples
            .iter()
            .enumerate()
            .map(|(e, imgs)| GridRow {
                label: if e == 0 {
                    "start".into()
                } else {
                    format!("epoch {e}")
                },
                images: imgs.iter().map(Vec::as_slice).collect(),
                captions: vec![],
            })
            .collect();
        if rows.iter().all(|r| r.images.is_empty()) {
            continue;
        }
        image_grid(
            out.figure(&format!("samples-{}", h.loss)),
            &format!("G(z) for fixed z after each epoch ({} loss)", h.loss),
            &rows,
            data.rows,
            data.cols,
        )?;
    }
    Ok(())
}
