//! The index of a folder of runs: one row per run folder (a folder holding `metrics.json` or
//! `report.html`) with its job, date, numeric headline metrics and a link to its report. Click
//! a column header to sort (a few lines of plain JavaScript; no framework).

use super::html::{self, escape};
use super::{PAGE, RUN_JSON, RunInfo};
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// File name of the index page.
pub const INDEX: &str = "index.html";
/// How deep below the indexed folder run folders are looked for.
const MAX_DEPTH: usize = 4;

/// One run found under the indexed folder.
#[derive(Clone, Debug)]
pub struct Run {
    /// Path relative to the indexed folder, `/`-separated.
    pub rel: String,
    /// Job name (`run.json`; else the folder name).
    pub job: String,
    /// UTC date (`run.json`; else the modification time of `metrics.json`).
    pub date: String,
    /// Wall seconds from `run.json`, if recorded.
    pub wall_seconds: Option<f64>,
    /// Top-level numeric fields of `metrics.json`.
    pub metrics: Vec<(String, f64)>,
    /// Whether the folder has a `report.html` to link to.
    pub has_page: bool,
}

/// Every run folder under `dir` (itself included), sorted by relative path. Sub-folders named
/// `model` and folders deeper than four levels are not searched; unreadable or malformed
/// files make the row show less, never fail the index.
pub fn scan(dir: &Path) -> std::io::Result<Vec<Run>> {
    let mut runs = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), 0usize)];
    std::fs::read_dir(dir)?; // the folder itself must be readable
    while let Some((d, depth)) = stack.pop() {
        if let Some(run) = read_run(dir, &d) {
            runs.push(run);
        }
        if depth >= MAX_DEPTH {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            if is_dir && p.file_name().is_some_and(|n| n != "model") {
                stack.push((p, depth + 1));
            }
        }
    }
    runs.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(runs)
}

/// The run in folder `d` (relative to `root`), if `d` holds `metrics.json` or `report.html`.
fn read_run(root: &Path, d: &Path) -> Option<Run> {
    let metrics_path = d.join("metrics.json");
    let has_page = d.join(PAGE).is_file();
    if !metrics_path.is_file() && !has_page {
        return None;
    }
    let rel_path: PathBuf = d.strip_prefix(root).unwrap_or(d).to_path_buf();
    let rel = rel_path
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    let info: Option<RunInfo> = std::fs::read(d.join(RUN_JSON))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let metrics_value: Option<Value> = std::fs::read(&metrics_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let metrics = metrics_value
        .as_ref()
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_f64().map(|x| (k.clone(), x)))
                .collect()
        })
        .unwrap_or_default();
    let folder = d
        .file_name()
        .map_or(String::from("."), |n| n.to_string_lossy().into());
    let mtime = std::fs::metadata(if has_page { d.join(PAGE) } else { metrics_path })
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |t| t.as_secs());
    Some(Run {
        rel: if rel.is_empty() { ".".into() } else { rel },
        job: info.as_ref().map_or(folder, |i| i.job.clone()),
        date: info
            .as_ref()
            .map_or_else(|| html::utc_date(mtime), |i| i.date.clone()),
        wall_seconds: info.as_ref().map(|i| i.wall_seconds),
        metrics,
        has_page,
    })
}

/// Sorts the table whose header cell was clicked by that column (numbers numerically, text
/// alphabetically; a second click reverses).
const SORT_JS: &str = "document.querySelectorAll('th.sort').forEach(function(th){th.onclick=function(){\
var t=th.closest('table'),i=th.cellIndex,b=t.tBodies[0],r=Array.from(b.rows),d=th.dataset.dir==='1'?-1:1;\
r.sort(function(x,y){var a=x.cells[i].textContent,c=y.cells[i].textContent,na=parseFloat(a),nc=parseFloat(c);\
if(!isNaN(na)&&!isNaN(nc))return d*(na-nc);return d*a.localeCompare(c);});\
r.forEach(function(e){b.appendChild(e);});th.dataset.dir=d===1?'1':'0';};});";

/// `x` for a table cell: integers in full, other values to four significant digits (the full
/// value is the cell's tooltip).
pub fn short(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x}")
    } else {
        format!("{}", format!("{x:.3e}").parse::<f64>().unwrap_or(x))
    }
}

/// The index page of `runs`: columns run (linked to its report), job, date, wall seconds and the
/// union of the runs' numeric metrics (blank where a run lacks one).
pub fn page(title: &str, runs: &[Run]) -> String {
    let keys: BTreeSet<&str> = runs
        .iter()
        .flat_map(|r| r.metrics.iter().map(|(k, _)| k.as_str()))
        .collect();
    let mut p = String::new();
    let _ = write!(
        p,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>nnlab runs — {0}</title>\
         <style>{1}</style></head><body>\n<h1>nnlab runs in {0}</h1>\n<p class=\"muted\">{2} runs; click a column header to sort.</p>\n\
         <div style=\"overflow-x:auto;white-space:nowrap\"><table id=\"runs\"><thead><tr><th class=\"sort\">run</th><th class=\"sort\">job</th>\
         <th class=\"sort\">date (UTC)</th><th class=\"sort\">wall s</th>",
        escape(title),
        html::STYLE,
        runs.len()
    );
    for k in &keys {
        let _ = write!(p, "<th class=\"sort\">{}</th>", escape(k));
    }
    p.push_str("</tr></thead><tbody>\n");
    for r in runs {
        let link = if r.has_page {
            let href = if r.rel == "." {
                PAGE.to_string()
            } else {
                format!("{}/{PAGE}", r.rel)
            };
            format!("<a href=\"{}\">{}</a>", escape(&href), escape(&r.rel))
        } else {
            escape(&r.rel)
        };
        let wall = r.wall_seconds.map_or(String::new(), |s| format!("{s:.1}"));
        let _ = write!(
            p,
            "<tr><td>{link}</td><td>{}</td><td>{}</td><td class=\"num\">{wall}</td>",
            escape(&r.job),
            escape(&r.date)
        );
        for k in &keys {
            match r.metrics.iter().find(|(m, _)| m == k) {
                Some((_, x)) => {
                    let _ = write!(p, "<td class=\"num\" title=\"{x}\">{}</td>", short(*x));
                }
                None => p.push_str("<td class=\"num\"></td>"),
            }
        }
        p.push_str("</tr>\n");
    }
    let _ = write!(
        p,
        "</tbody></table></div>\n<script>{SORT_JS}</script>\n</body></html>\n"
    );
    p
}

/// Scans `dir` and writes its index page `dir/index.html` (atomically); returns the page's
/// path and the runs found.
pub fn write(dir: &Path) -> std::io::Result<(PathBuf, Vec<Run>)> {
    let runs = scan(dir)?;
    let path = dir.join(INDEX);
    crate::io::write_atomic(&path, page(&dir.display().to_string(), &runs).as_bytes())?;
    Ok((path, runs))
}
