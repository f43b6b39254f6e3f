//! `nnlab softmax-regression` end to end on tiny generated IDX files: a run prints the losses and
//! top-k errors and writes every output; bad arguments fail with exit code 1 naming the flag.

mod common;

use common::{nnlab, text};
use std::path::Path;

/// `n` 8×8 images of 4 classes (a bright row at 2·label) with their labels; returns "imgs+labels".
fn write_set(dir: &Path, name: &str, n: usize) -> String {
    let labels: Vec<u8> = (0..n).map(|i| (i % 4) as u8).collect();
    let px: Vec<u8> = labels
        .iter()
        .enumerate()
        .flat_map(|(i, &l)| {
            (0..64).map(move |k| {
                if k / 8 == 2 * l as usize {
                    220
                } else {
                    ((i * 7 + k) % 40) as u8
                }
            })
        })
        .collect();
    let (imgs, labs) = (
        dir.join(format!("{name}-images.idx")),
        dir.join(format!("{name}-labels.idx")),
    );
    nnlab::data::write_idx_u8(&imgs, &[n, 8, 8], &px, false).unwrap();
    nnlab::data::write_idx_u8(&labs, &[n], &labels, false).unwrap();
    format!("{}+{}", imgs.display(), labs.display())
}

#[test]
fn trains_reports_and_writes_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let train = write_set(dir.path(), "train", 200);
    let test = write_set(dir.path(), "test", 40);
    let out = dir.path().join("run");
    let o = nnlab(&[
        "softmax-regression",
        "--data",
        &train,
        "--test-data",
        &test,
        "--epochs",
        "3",
        "--batch-size",
        "20",
        "--top-k",
        "2",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stderr}");
    for want in ["top-1", "top-2", "top-3", "collapse", "loss"] {
        assert!(stdout.contains(want), "missing {want}: {stdout}");
    }
    for f in [
        "metrics.json",
        "loss.png",
        "confusion.png",
        "weights.png",
        "model/weights.safetensors",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
}

#[test]
fn bad_arguments_name_the_flag_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let train = write_set(dir.path(), "train", 40);
    let out = dir.path().join("run");
    let out = out.to_str().unwrap();
    for (args, flag) in [
        (vec!["--data", &train, "--lambda=-1"], "--lambda"),
        (vec!["--data", &train, "--top-k", "0"], "--top-k"),
        (vec!["--data", &train, "--top-k", "5"], "--top-k"),
        (vec!["--data", &train, "--epochs", "0"], "--epochs"),
        (vec!["--data", "mnist:nonsense"], "--data"),
    ] {
        let mut all = vec!["softmax-regression", "--test-data", &train, "--out", out];
        all.extend(["--offline", "-q"]);
        all.extend(args.iter());
        let o = nnlab(&all);
        let (_, stderr) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(flag), "{args:?}: {stderr}");
    }
}
