//! `nnlab flow1d` end to end on small settings: it prints the metrics and writes flow1d.png and
//! metrics.json; bad arguments fail with exit code 1 (or clap's 2) and a message naming them.

mod common;

use common::{nnlab, text};

#[test]
fn small_run_writes_figure_and_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("flow");
    let o = nnlab(&[
        "flow1d",
        "--epochs",
        "3",
        "--train",
        "500",
        "--test",
        "300",
        "--samples",
        "500",
        "--batch-size",
        "50",
        "--components",
        "4",
        "--seed",
        "7",
        "--quiet",
        "--mixture",
        "1:-1:0.3,1:1:0.3",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    for needle in [
        "held-out NLL",
        "entropy",
        "KS(z, N(0,1))",
        "mass of p_θ",
        "no preimage",
    ] {
        assert!(stdout.contains(needle), "missing '{needle}' in:\n{stdout}");
    }
    assert!(stderr.is_empty(), "--quiet draws no bars: {stderr}");
    let png = std::fs::read(out.join("flow1d.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    let metrics: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap();
    assert_eq!(metrics["config"]["components"], 4);
    assert_eq!(metrics["config"]["mixture"]["means"][1], 1.0);
    assert_eq!(metrics["history"].as_array().unwrap().len(), 3);
    let (nll, h) = (
        metrics["test_nll"].as_f64().unwrap(),
        metrics["entropy"].as_f64().unwrap(),
    );
    assert!(nll.is_finite() && h.is_finite());
}

#[test]
fn bad_arguments_are_reported_by_name() {
    let o = nnlab(&["flow1d", "--mixture", "1:0", "--quiet"]);
    let (_, stderr) = text(&o);
    assert!(!o.status.success());
    assert!(
        stderr.contains("--mixture") && stderr.contains("w:mu:sigma"),
        "{stderr}"
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    let o = nnlab(&[
        "flow1d",
        "--test",
        "0",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr.contains("--test"), "{stderr}");
    let o = nnlab(&[
        "flow1d",
        "--epochs",
        "0",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("epochs"), "{}", text(&o).1);
    assert!(!out.join("metrics.json").exists());
}
