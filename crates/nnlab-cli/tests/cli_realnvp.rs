//! `nnlab realnvp` end to end on small settings: a toy run and an image run (on a tiny generated
//! IDX file) print their metrics and write their outputs; bad arguments fail with exit code 1
//! and a message naming the argument.

mod common;

use common::{nnlab, text};

fn metrics(dir: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("metrics.json")).unwrap()).unwrap()
}

#[test]
fn toy_run_prints_likelihoods_and_writes_figures() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let o = nnlab(&[
        "realnvp",
        "--data",
        "rings",
        "--points",
        "300",
        "--epochs",
        "2",
        "--layers",
        "2",
        "--hidden",
        "8",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("mean log-likelihood"), "{stdout}");
    assert!(stdout.contains("Gaussian fit"), "{stdout}");
    for f in ["metrics.json", "samples.png", "density.png", "loss.png"] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    let m = metrics(&out);
    assert_eq!(m["metrics"]["kind"], "toy");
    assert!(
        m["metrics"]["test_log_likelihood"]
            .as_f64()
            .unwrap()
            .is_finite()
    );
    assert_eq!(m["n_train"], 300);
    assert_eq!(m["epochs"].as_array().unwrap().len(), 2);
}

#[test]
fn image_run_on_a_tiny_idx_file_reports_bits_per_dim() {
    let dir = tempfile::tempdir().unwrap();
    // 40 8×8 images: a bright left half with a few grey levels.
    let px: Vec<u8> = (0..40 * 64)
        .map(|k| {
            if k % 8 < 4 {
                200 + (k % 5) as u8
            } else {
                (k % 3) as u8
            }
        })
        .collect();
    let file = dir.path().join("imgs.idx");
    nnlab::data::write_idx_u8(&file, &[40, 8, 8], &px, false).unwrap();
    let out = dir.path().join("run");
    let o = nnlab(&[
        "realnvp",
        "--data",
        file.to_str().unwrap(),
        "--epochs",
        "1",
        "--layers",
        "2",
        "--hidden",
        "8",
        "--batch-size",
        "20",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("bits/dim"), "{stdout}");
    let m = metrics(&out);
    let bpd = m["metrics"]["test_bits_per_dim"].as_f64().unwrap();
    assert!(bpd.is_finite() && bpd > 0.0, "{bpd}");
    for f in [
        "samples.png",
        "loss.png",
        "model/config.json",
        "model/flow.safetensors",
    ] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
}

#[test]
fn bad_arguments_fail_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let out = out.to_str().unwrap();
    let cases: [(&[&str], &str); 4] = [
        (&["--data", "spirals", "--offline"], "spirals"),
        (&["--layers", "0"], "layers"),
        (&["--epochs", "0"], "epochs"),
        (&["--points", "2"], "--points"),
    ];
    for (args, needle) in cases {
        let mut all = vec!["realnvp", "--quiet", "--out", out];
        all.extend_from_slice(args);
        let o = nnlab(&all);
        let (stdout, stderr) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {stdout}\n{stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
    let o = nnlab(&["realnvp", "--hidden", "many"]);
    assert_eq!(o.status.code(), Some(2), "clap rejects a non-number");
}
