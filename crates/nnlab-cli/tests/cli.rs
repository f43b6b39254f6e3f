//! The `nnlab` binary end to end on tiny generated IDX files: a training run and a scoring run
//! succeed and print their summaries; bad arguments fail with exit code 1 and a clear message.

use std::path::Path;
use std::process::{Command, Output};

fn nnlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nnlab"))
        .args(args)
        .output()
        .expect("runs nnlab")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

/// `n` 8×8 images: a bright top half (normal) or a bright bottom half (anomalous), plus noise.
fn write_images(path: &Path, n: usize, top: bool) -> String {
    let px: Vec<u8> = (0..n * 64)
        .map(|k| {
            let row = (k % 64) / 8;
            let bright = (row < 4) == top;
            (if bright { 200 } else { 10 }) + (k * 7919 % 40) as u8
        })
        .collect();
    nnlab::data::write_idx_u8(path, &[n, 8, 8], &px, false).unwrap();
    path.display().to_string()
}

#[test]
fn train_then_score_with_the_saved_model() {
    let dir = tempfile::tempdir().unwrap();
    let normal = write_images(&dir.path().join("normal.idx"), 300, true);
    let test = write_images(&dir.path().join("test.idx"), 50, true);
    let anomaly = write_images(&dir.path().join("anomaly.idx"), 50, false);
    let out = dir.path().join("run");
    let o = nnlab(&[
        "anomaly",
        "--normal",
        &normal,
        "--normal-test",
        &test,
        "--anomaly",
        &anomaly,
        "--validation",
        "50",
        "--epochs",
        "3",
        "--batch-size",
        "25",
        "--hidden",
        "16",
        "--latent",
        "4",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stdout.contains("AUROC") && stdout.contains("type II"),
        "{stdout}"
    );
    assert!(out.join("model/detector.json").is_file());

    let model = out.join("model");
    let o = nnlab(&[
        "anomaly",
        "score",
        "--model",
        model.to_str().unwrap(),
        "--input",
        &anomaly,
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stdout.contains("flagged") && stdout.contains("of 50"),
        "{stdout}"
    );
}

#[test]
fn bad_arguments_fail_with_a_clear_message() {
    let o = nnlab(&[
        "anomaly",
        "--normal",
        "mnist:12",
        "--data-dir",
        "/nonexistent",
        "-q",
    ]);
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr.contains("mnist:12") && stderr.contains("label 12"),
        "{stderr}"
    );

    let o = nnlab(&[
        "anomaly",
        "score",
        "--model",
        "/nonexistent/model",
        "--input",
        "mnist",
    ]);
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr.contains("/nonexistent/model/detector.json"),
        "{stderr}"
    );

    let o = nnlab(&["anomaly", "--arch", "resnet"]);
    assert!(!o.status.success());
    assert!(text(&o).1.contains("possible values: mlp, conv"));
}
