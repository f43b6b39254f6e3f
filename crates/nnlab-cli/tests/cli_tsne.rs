//! `nnlab tsne` end to end on tiny generated IDX files: a run prints the KL, the 10-NN label
//! agreement and the timings and writes its outputs; bad arguments fail with exit code 1 and a
//! message naming the setting.

mod common;

use common::{nnlab, text};
use std::path::Path;

/// `n` 8×8 images in three labelled groups (a bright row band, a column band, a corner block)
/// with seeded pixel noise; returns the `imgs+labels` selection.
fn write_groups(dir: &Path, n: usize) -> String {
    let mut px = Vec::with_capacity(n * 64);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let g = i % 3;
        labels.push(g as u8);
        for k in 0..64usize {
            let on = match g {
                0 => k / 8 < 3,
                1 => k % 8 < 3,
                _ => k / 8 >= 5 && k % 8 >= 5,
            };
            let noise = ((i * 131 + k * 71) % 40) as u8;
            px.push(if on { 200 + noise } else { noise });
        }
    }
    let (imgs, lbls) = (dir.join("x.idx"), dir.join("y.idx"));
    nnlab::data::write_idx_u8(&imgs, &[n, 8, 8], &px, false).unwrap();
    nnlab::data::write_idx_u8(&lbls, &[n], &labels, false).unwrap();
    format!("{}+{}", imgs.display(), lbls.display())
}

#[test]
fn small_run_prints_kl_agreement_and_writes_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let data = write_groups(dir.path(), 150);
    let out = dir.path().join("run");
    let o = nnlab(&[
        "tsne",
        "--data",
        &data,
        "--perplexity",
        "10",
        "--iterations",
        "300",
        "--exaggeration-iterations",
        "100",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    for needle in ["KL(P‖Q)", "10-NN label agreement", "neighbours", "optimize"] {
        assert!(stdout.contains(needle), "missing {needle} in:\n{stdout}");
    }
    // Three well separated groups: the embedding keeps them apart.
    let line = stdout.lines().find(|l| l.starts_with("10-NN")).unwrap();
    let agree: f64 = line.split_whitespace().last().unwrap().parse().unwrap();
    assert!(agree > 0.95, "{line}");
    for f in ["embedding.csv", "tsne.png", "metrics.json"] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    let csv = std::fs::read_to_string(out.join("embedding.csv")).unwrap();
    assert_eq!(csv.lines().count(), 151);
}

#[test]
fn bad_settings_fail_with_exit_1_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let data = write_groups(dir.path(), 30);
    let out = dir.path().join("run");
    for (flags, needle) in [
        (vec!["--perplexity", "0.5"], "perplexity"),
        (vec!["--perplexity", "40"], "perplexity"),
        (vec!["--theta", "3"], "theta"),
        (vec!["--iterations", "0"], "iterations"),
        (vec!["--learning-rate=-1"], "--learning-rate"),
        (vec!["--limit", "2"], "limit"),
    ] {
        let mut args = vec![
            "tsne",
            "--data",
            &data,
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(flags.iter().copied());
        let o = nnlab(&args);
        let (_, stderr) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{flags:?}: {stderr}");
        assert!(stderr.contains(needle), "{flags:?}: {stderr}");
    }
    let o = nnlab(&[
        "tsne",
        "--data",
        "/nonexistent/images.idx",
        "--quiet",
        "--offline",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("/nonexistent/images.idx"));
    assert!(!out.exists());
}
