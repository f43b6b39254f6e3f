//! Run reports people open in a browser: [`run_page`] builds one self-contained `report.html`
//! for a run (command line, config, headline metrics, every figure with a caption, timings,
//! nnlab's version) and [`index`] builds the page comparing every run under a folder. Pages
//! need no network: figures are embedded (PNG as base64 data URIs, SVG inline), the only
//! script is a few lines of plain JavaScript that sort the index table.

pub mod html;
pub mod index;

use html::escape;
use serde_json::Value;
use std::fmt::Write as _;
use std::path::Path;

/// File name of a run's report page.
pub const PAGE: &str = "report.html";
/// File name of a run's metadata (job, command line, date, wall time, version).
pub const RUN_JSON: &str = "run.json";

/// Who produced a run, when and how long it took (written as `run.json`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunInfo {
    /// The job's name (`anomaly`, `vae`, …).
    pub job: String,
    /// The command line of the process that ran the job.
    pub command: String,
    /// Seconds since the Unix epoch when the run finished.
    pub finished: u64,
    /// UTC date and time the run finished.
    pub date: String,
    /// Wall-clock seconds of validation and run.
    pub wall_seconds: f64,
    /// nnlab's version.
    pub version: String,
    /// Every file the run wrote, relative to its output folder (`/`-separated), sorted; a later
    /// run into the folder removes those it does not write again (`jobs::stale`).
    #[serde(default)]
    pub files: Vec<String>,
}

/// A figure of a run: its file name and bytes.
pub struct Figure {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The figures directly inside `dir`, one per figure, sorted by name: `NAME.svg` when there is
/// one (a vector image, shown inline), else `NAME.png`.
pub fn figures(dir: &Path) -> std::io::Result<Vec<Figure>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if path.is_file() && matches!(ext, "png" | "svg") {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into();
            out.push(Figure {
                name,
                bytes: std::fs::read(&path)?,
            });
        }
    }
    let svgs: std::collections::HashSet<String> = out
        .iter()
        .filter_map(|f| f.name.strip_suffix(".svg").map(str::to_string))
        .collect();
    out.retain(|f| {
        f.name
            .strip_suffix(".png")
            .is_none_or(|s| !svgs.contains(s))
    });
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// What to look for in a figure, by file name (stem without `.png`/`.svg`); unknown figures get
/// their file name.
pub fn caption(name: &str) -> String {
    let stem = name.trim_end_matches(".png").trim_end_matches(".svg");
    let known = match stem {
        "loss" => {
            "Loss per epoch: it should fall and level off; a validation curve that rises while training falls means overfitting."
        }
        "histogram" => {
            "Scores of normal and anomalous test images with the threshold: the less the two histograms overlap, the better the detector."
        }
        "roc" => {
            "ROC curve: the closer it hugs the top-left corner (AUROC 1), the better normal and anomalous images are separated."
        }
        "reconstructions" => {
            "Inputs above their reconstructions: good reconstructions of normal images and poor ones of anomalies make a good detector."
        }
        "extremes" => {
            "The lowest- and highest-scoring images: the highest should look unlike the training data."
        }
        "samples" => {
            "Samples drawn from the trained model: they should look like the training data."
        }
        "density" => {
            "Learned density over the plane: the mass should sit where the training points are."
        }
        "flow1d" => {
            "The learned flow: p_θ against the true mixture, the map f_θ, z = f_θ(x) against N(0, 1), and samples f_θ⁻¹(z)."
        }
        "grad_norm_vs_d" => {
            "Generator gradient norm against mean D(G(z)): the minimax gradient vanishes as D(G(z)) → 0, the non-saturating one does not."
        }
        "grad_norm" => "Generator gradient norm per step for each generator loss.",
        "discriminator" => "Mean discriminator outputs on real and generated images per step.",
        s if s.starts_with("samples-") => {
            "Generated images, one row per epoch: later rows should look more like digits."
        }
        _ => return name.to_string(),
    };
    known.to_string()
}

/// The metric value as shown: numbers exactly as `metrics.json` writes them.
fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Whether `v` is a scalar (shown in the metrics table rather than folded away).
fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Array(_) | Value::Object(_))
}

/// Pretty JSON of `v`, cut at 200 000 characters so a long history cannot bloat the page.
fn pretty(v: &Value) -> String {
    const MAX: usize = 200_000;
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    if s.len() > MAX {
        let cut = (0..=MAX)
            .rev()
            .find(|&i| s.is_char_boundary(i))
            .unwrap_or(0);
        s.truncate(cut);
        s.push_str("\n… (cut; see metrics.json)");
    }
    s
}

/// The self-contained report page of one run: `info` (job, command line, date, wall time,
/// version), the run's `config` and `metrics` (the job's report, as in `metrics.json`) and its
/// `figures`. Top-level scalar metrics form the headline table (each cell carries
/// `data-metric="<name>"` so tests can read it back); nested ones are folded in `<details>`;
/// metrics whose name contains `seconds` are repeated under Timings.
pub fn run_page(info: &RunInfo, config: &Value, metrics: &Value, figures: &[Figure]) -> String {
    let mut p = String::new();
    let title = format!("nnlab {} — {}", info.job, info.date);
    let _ = write!(
        p,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <style>{}</style></head><body>\n<h1>{}</h1>\n<p class=\"muted\">nnlab {} · finished {} UTC · wall time {:.2} s</p>\n\
         <h2>Command</h2><pre id=\"command\">{}</pre>\n",
        escape(&title),
        html::STYLE,
        escape(&info.job),
        escape(&info.version),
        escape(&info.date),
        info.wall_seconds,
        escape(&info.command)
    );
    let fields: Vec<(&String, &Value)> = metrics
        .as_object()
        .map(|m| m.iter().collect())
        .unwrap_or_default();
    p.push_str("<h2>Metrics</h2>\n<table id=\"metrics\"><tr><th>metric</th><th>value</th></tr>\n");
    for (name, v) in fields.iter().filter(|(_, v)| is_scalar(v)) {
        let _ = writeln!(
            p,
            "<tr><td>{0}</td><td class=\"num\" data-metric=\"{0}\">{1}</td></tr>",
            escape(name),
            escape(&show(v))
        );
    }
    p.push_str("</table>\n");
    for (name, v) in fields
        .iter()
        .filter(|(n, v)| !is_scalar(v) && n.as_str() != "config")
    {
        let _ = writeln!(
            p,
            "<details><summary>{}</summary><pre>{}</pre></details>",
            escape(name),
            escape(&pretty(v))
        );
    }
    p.push_str("<h2>Figures</h2>\n");
    if figures.is_empty() {
        p.push_str("<p class=\"muted\">This run wrote no figures.</p>\n");
    }
    for f in figures {
        let body = if f.name.ends_with(".svg") {
            let svg = String::from_utf8_lossy(&f.bytes);
            let start = svg.find("<svg").unwrap_or(0);
            svg[start..].to_string()
        } else {
            format!(
                "<img alt=\"{}\" src=\"data:image/png;base64,{}\">",
                escape(&f.name),
                html::base64(&f.bytes)
            )
        };
        let _ = writeln!(
            p,
            "<figure id=\"fig-{0}\">{1}<figcaption><b>{0}</b>: {2}</figcaption></figure>",
            escape(&f.name),
            body,
            escape(&caption(&f.name))
        );
    }
    p.push_str("<h2>Timings</h2>\n<table id=\"timings\"><tr><th>what</th><th>seconds</th></tr>\n");
    let _ = writeln!(
        p,
        "<tr><td>wall time (validate and run)</td><td class=\"num\">{:.3}</td></tr>",
        info.wall_seconds
    );
    for (name, v) in fields
        .iter()
        .filter(|(n, v)| n.contains("seconds") && v.is_number())
    {
        let _ = writeln!(
            p,
            "<tr><td>{}</td><td class=\"num\">{}</td></tr>",
            escape(name),
            show(v)
        );
    }
    p.push_str("</table>\n");
    let _ = write!(
        p,
        "<h2>Config</h2><pre id=\"config\">{}</pre>\n<p class=\"muted\">Written by nnlab {}.</p>\n</body></html>\n",
        escape(&pretty(config)),
        escape(&info.version)
    );
    p
}

#[cfg(test)]
mod tests;
