//! The figures of the initialization study: activation standard deviation and gradient norm by
//! depth at initialization (log scale), and validation accuracy by epoch, one panel per
//! activation with one line per initialization.

use super::init::InitReport;
use crate::jobs::{JobError, Outputs};
use crate::plot::{Panel, PanelLine, panel_figure};

/// (x, log10 y) of the positive finite values of `v` at x = 1, 2, …
fn log_by_depth(v: &[f64]) -> Vec<(f64, f64)> {
    v.iter()
        .enumerate()
        .filter(|(_, y)| y.is_finite() && **y > 0.0)
        .map(|(l, y)| (l as f64 + 1.0, y.log10()))
        .collect()
}

type Lines = Vec<(String, Vec<(f64, f64)>)>;

/// One panel per (title, y label, lines), drawn solid.
fn panels<'a>(specs: &'a [(String, &'a str, Lines)], x_label: &'a str) -> Vec<Panel<'a>> {
    specs
        .iter()
        .map(|(title, y_label, lines)| Panel {
            title,
            x_label,
            y_label,
            histograms: vec![],
            lines: lines
                .iter()
                .map(|(name, points)| PanelLine {
                    name,
                    points,
                    dashed: false,
                })
                .collect(),
            x_range: None,
        })
        .collect()
}

/// Writes at_init.png (when some measurement is positive: zeros under ReLU and tanh measure
/// exactly 0, which a log scale cannot show) and accuracy.png; returns the files written.
pub fn write(out: &Outputs, r: &InitReport) -> Result<Vec<String>, JobError> {
    let activations = &r.config.activations;
    // (panel title, y label, lines) for every panel of at_init.png.
    let mut at_init: Vec<(String, &str, Lines)> = vec![];
    for (what, y_label) in [
        ("activation std", "log10 std of h_l"),
        ("gradient norm", "log10 ||dL/dW_l||"),
    ] {
        for &a in activations {
            let lines: Lines = r
                .runs
                .iter()
                .filter(|run| run.activation == a)
                .map(|run| {
                    let v = if what == "activation std" {
                        &run.at_init.activation_std
                    } else {
                        &run.at_init.gradient_norm
                    };
                    (run.init.name().to_string(), log_by_depth(v))
                })
                .collect();
            if lines.iter().any(|(_, p)| !p.is_empty()) {
                at_init.push((format!("{}: {what}", a.name()), y_label, lines));
            }
        }
    }
    let mut written = vec![];
    let columns = activations.len().clamp(1, 3);
    if !at_init.is_empty() {
        panel_figure(
            out.path("at_init.png"),
            &format!(
                "At initialization: {} hidden layers of {} (output layer's gradient at l = {}; values of 0 not drawn)",
                r.shape.depth,
                r.shape.width,
                r.shape.depth + 1
            ),
            &panels(&at_init, "layer l"),
            columns,
        )?;
        written.push("at_init.png".to_string());
    }
    let accuracy: Vec<(String, &str, Lines)> = activations
        .iter()
        .map(|&a| {
            let lines = r
                .runs
                .iter()
                .filter(|run| run.activation == a)
                .map(|run| {
                    let points = run
                        .curve
                        .accuracy
                        .iter()
                        .enumerate()
                        .map(|(e, acc)| (e as f64, *acc))
                        .collect();
                    (run.init.name().to_string(), points)
                })
                .collect();
            (a.name().to_string(), "validation accuracy", lines)
        })
        .collect();
    panel_figure(
        out.path("accuracy.png"),
        &format!(
            "Validation accuracy by epoch ({} images, SGD η = {}, β = {})",
            r.config.images, r.config.train.lr, r.config.train.momentum
        ),
        &panels(&accuracy, "epoch"),
        columns,
    )?;
    written.push("accuracy.png".to_string());
    Ok(written)
}
