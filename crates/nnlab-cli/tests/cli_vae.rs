//! `nnlab vae` end to end on tiny generated IDX files: a run prints the test ELBO and every
//! IW_k and writes all outputs; bad arguments fail with exit code 1 and a message naming them.

mod common;

use common::nnlab;
use std::path::Path;

/// `n` 8×8 images with one bright row and one bright column (positions from `seed`).
fn write_crosses(path: &Path, n: usize, seed: usize) -> String {
    let px: Vec<u8> = (0..n)
        .flat_map(|i| {
            let (r, c) = ((i * 7 + seed) % 8, (i * 3 + seed / 8) % 8);
            (0..64).map(move |k| if k / 8 == r || k % 8 == c { 230 } else { 12 })
        })
        .collect();
    nnlab::data::write_idx_u8(path, &[n, 8, 8], &px, false).unwrap();
    path.display().to_string()
}

#[test]
fn trains_and_reports_elbo_and_iw_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let train = write_crosses(&dir.path().join("train.idx"), 200, 1);
    let test = write_crosses(&dir.path().join("test.idx"), 40, 5);
    let out = dir.path().join("run");
    let o = nnlab(&[
        "vae",
        "--data",
        &train,
        "--test-data",
        &test,
        "--epochs",
        "2",
        "--batch-size",
        "20",
        "--hidden",
        "16",
        "--latent",
        "2",
        "--iw-samples",
        "1,5",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for word in ["test ELBO", "IW_1", "IW_5", "KL"] {
        assert!(stdout.contains(word), "missing {word} in:\n{stdout}");
    }
    for f in [
        "metrics.json",
        "samples.png",
        "reconstructions.png",
        "loss.png",
        "weights.safetensors",
        "vae.json",
    ] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    let metrics: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("metrics.json")).unwrap()).unwrap();
    assert_eq!(metrics["test"]["images"], 40);
    assert_eq!(metrics["test"]["iw"].as_array().unwrap().len(), 2);
    assert_eq!(metrics["model"]["latent"], 2);
}

#[test]
fn bad_arguments_fail_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let train = write_crosses(&dir.path().join("train.idx"), 20, 1);
    let out = dir.path().join("run");
    let out = out.to_str().unwrap();
    let cases: [(&[&str], &str); 3] = [
        (
            &["--test-data", &train, "--iw-samples", "0"],
            "--iw-samples",
        ),
        (&[], "--test-data"),
        (&["--test-data", &train, "--hidden", "0"], "hidden"),
    ];
    for (extra, word) in cases {
        let mut args = vec!["vae", "--data", &train, "--out", out, "--quiet"];
        args.extend_from_slice(extra);
        let o = nnlab(&args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(word), "{args:?}: {stderr}");
    }
}
