//! Tests of the run page and the index: content read back from the HTML, no hard-coded pages.

use super::*;
use serde_json::json;

fn info(job: &str) -> RunInfo {
    RunInfo {
        job: job.into(),
        command: "nnlab flow1d --epochs 2 <x>".into(),
        finished: 0,
        date: html::utc_date(0),
        wall_seconds: 1.25,
        version: "9.9.9".into(),
        files: Vec::new(),
    }
}

/// A tiny PNG's bytes appear base64-encoded in a data URI (a PNG with an SVG of the same name is
/// left out: the SVG is shown), every scalar metric appears in its
/// `data-metric` cell exactly as serde_json prints it, nested metrics are folded, markup in
/// the command is escaped and the seconds fields are listed under Timings.
#[test]
fn run_page_embeds_figures_and_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let png = [0x89u8, b'P', b'N', b'G', 1, 2, 3, 250];
    std::fs::write(dir.path().join("loss.png"), png).unwrap();
    std::fs::write(
        dir.path().join("plot.svg"),
        "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><text>hi</text></svg>",
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a figure").unwrap();
    std::fs::write(dir.path().join("plot.png"), png).unwrap(); // shadowed by plot.svg
    let figs = figures(dir.path()).unwrap();
    assert_eq!(
        figs.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
        ["loss.png", "plot.svg"]
    );
    let metrics = json!({"auroc": 0.987654321, "train_seconds": 3.5, "name": "a<b",
        "history": [{"epoch": 1}], "config": {"lr": 0.001}});
    let page = run_page(&info("flow1d"), &json!({"lr": 0.001}), &metrics, &figs);
    assert!(page.contains(&format!("data:image/png;base64,{}", html::base64(&png))));
    assert!(page.contains("<svg xmlns") && !page.contains("<?xml"));
    for (k, v) in metrics.as_object().unwrap() {
        if is_scalar(v) {
            let cell = format!("data-metric=\"{k}\">{}</td>", html::escape(&show(v)));
            assert!(page.contains(&cell), "{cell}");
        }
    }
    assert!(page.contains("0.987654321"));
    assert!(page.contains("<details><summary>history</summary>"));
    assert!(page.contains("--epochs 2 &lt;x&gt;"));
    assert!(page.contains("<td>train_seconds</td><td class=\"num\">3.5</td>"));
    assert!(page.contains(&caption("loss.png")) && caption("loss.png") != "loss.png");
    assert!(!page.contains("http://") || page.matches("http://").count() == 1); // only the SVG xmlns
    assert!(!page.contains("<script"), "the run page needs no script");
}

/// The index finds run folders at any depth up to four (not `model/`), links the ones with a
/// page, takes job and date from `run.json` (else the folder name), and lists the union of the
/// numeric metrics.
#[test]
fn index_lists_runs_with_metrics_and_links() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("group/b");
    std::fs::create_dir_all(a.join("model")).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    std::fs::write(a.join("metrics.json"), r#"{"auroc": 0.9, "s": "x"}"#).unwrap();
    std::fs::write(a.join("model/metrics.json"), r#"{"auroc": 0.1}"#).unwrap();
    std::fs::write(a.join(PAGE), "<html></html>").unwrap();
    std::fs::write(
        a.join(RUN_JSON),
        serde_json::to_vec(&info("anomaly")).unwrap(),
    )
    .unwrap();
    std::fs::write(b.join("metrics.json"), r#"{"test_nll": 1.5}"#).unwrap();
    let (path, runs) = index::write(dir.path()).unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(
        (runs[0].rel.as_str(), runs[0].job.as_str()),
        ("a", "anomaly")
    );
    assert_eq!(runs[0].metrics, [("auroc".to_string(), 0.9)]);
    assert_eq!(runs[0].date, "1970-01-01 00:00:00");
    assert_eq!(
        (runs[1].rel.as_str(), runs[1].job.as_str()),
        ("group/b", "b")
    );
    assert!(!runs[1].has_page);
    let page = std::fs::read_to_string(path).unwrap();
    assert!(page.contains("<a href=\"a/report.html\">a</a>"));
    assert!(
        page.contains("<th class=\"sort\">auroc</th>")
            && page.contains("<th class=\"sort\">test_nll</th>")
    );
    assert!(page.contains("title=\"1.5\">1.5</td>") && page.contains("title=\"0.9\">0.9</td>"));
    assert_eq!(index::short(0.18332700720705253), "0.1833");
    assert_eq!(index::short(27.0), "27");
    assert!(!page.contains(">0.1<"), "model/ is not a run");
}

/// An unreadable folder is an error naming nothing is written; an empty folder is an empty index.
#[test]
fn index_of_missing_folder_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    assert!(index::write(&dir.path().join("nope")).is_err());
    let (_, runs) = index::write(dir.path()).unwrap();
    assert!(runs.is_empty());
}
