//! `nnlab gan` end to end on a tiny generated IDX file: both losses train and the summary and
//! outputs appear; bad arguments fail with exit code 1 (or clap's 2) and a clear message.

mod common;

use common::{nnlab, text};

/// 48 images of 6×6: bright left or top halves with a little pattern noise.
fn write_images(path: &std::path::Path) -> String {
    let px: Vec<u8> = (0..48 * 36)
        .map(|k| {
            let (i, p) = (k / 36, k % 36);
            let bright = if i % 2 == 0 { p % 6 < 3 } else { p < 18 };
            (if bright { 210 } else { 20 }) + (k * 7919 % 30) as u8
        })
        .collect();
    nnlab::data::write_idx_u8(path, &[48, 6, 6], &px, false).unwrap();
    path.display().to_string()
}

#[test]
fn trains_both_losses_on_small_settings() {
    let dir = tempfile::tempdir().unwrap();
    let data = write_images(&dir.path().join("imgs.idx"));
    let out = dir.path().join("run");
    let o = nnlab(&[
        "gan",
        "--data",
        &data,
        "--epochs",
        "2",
        "--batch-size",
        "16",
        "--latent",
        "4",
        "--hidden",
        "16",
        "--d-pretrain",
        "3",
        "--samples",
        "4",
        "--out",
        out.to_str().unwrap(),
        "--offline",
        "--quiet",
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stdout.contains("minimax") && stdout.contains("nonsat") && stdout.contains("first step"),
        "{stdout}"
    );
    for f in ["metrics.json", "grad_norm_vs_d.png", "samples-nonsat.png"] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    // One loss only: no first-step comparison, only its own sample grid.
    let out1 = dir.path().join("one");
    let o = nnlab(&[
        "gan",
        "--data",
        &data,
        "--epochs",
        "1",
        "--hidden",
        "8",
        "--loss",
        "minimax",
        "--out",
        out1.to_str().unwrap(),
        "--offline",
        "--quiet",
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(!stdout.contains("first step"), "{stdout}");
    assert!(out1.join("samples-minimax.png").is_file());
    assert!(!out1.join("samples-nonsat.png").exists());
}

#[test]
fn bad_arguments_fail_clearly() {
    let o = nnlab(&["gan", "--loss", "wasserstein"]);
    let (_, stderr) = text(&o);
    assert!(!o.status.success());
    assert!(
        stderr.contains("wasserstein") && stderr.contains("nonsat"),
        "{stderr}"
    );

    let dir = tempfile::tempdir().unwrap();
    let data = write_images(&dir.path().join("imgs.idx"));
    let o = nnlab(&[
        "gan",
        "--data",
        &data,
        "--latent",
        "0",
        "--offline",
        "--quiet",
    ]);
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("--latent"), "{stderr}");

    let missing = dir.path().join("none.idx");
    let o = nnlab(&[
        "gan",
        "--data",
        missing.to_str().unwrap(),
        "--offline",
        "-q",
    ]);
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("none.idx"), "{stderr}");
}
