//! `nnlab tsne` end to end on tiny generated IDX files: a run prints the KL, the 10-NN label
//! agreement and the timings and writes its outputs; a detector trained by `nnlab anomaly` has
//! its codes embedded with `--codes`; bad arguments fail with exit code 1 and a message naming
//! the setting.

mod common;

use common::{nnlab, text};
use std::path::Path;

/// `n` 8×8 images in three labelled groups (a bright row band, a column band, a corner block)
/// with seeded pixel noise; returns the `imgs+labels` selection.
fn write_groups(dir: &Path, n: usize) -> String {
    write_patterns(dir, "", n, false)
}

/// [`write_groups`] into files named after `tag`; `inverted` swaps bright and dark (the
/// anomalies of the codes test).
fn write_patterns(dir: &Path, tag: &str, n: usize, inverted: bool) -> String {
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
            px.push(if on != inverted { 200 + noise } else { noise });
        }
    }
    let (imgs, lbls) = (
        dir.join(format!("x{tag}.idx")),
        dir.join(format!("y{tag}.idx")),
    );
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

/// The number after `label` on the line of `stdout` starting with `label`.
fn value(stdout: &str, label: &str) -> f64 {
    let line = stdout.lines().find(|l| l.starts_with(label)).unwrap();
    let rest = line[label.len()..].split_whitespace().next().unwrap();
    rest.parse().unwrap_or_else(|_| panic!("{line}"))
}

/// Trains a tiny autoencoder detector with `nnlab anomaly` on generated images and returns the
/// model folder the run wrote, with the normal and anomalous test selections.
fn train_detector(dir: &Path) -> (std::path::PathBuf, String, String) {
    let train = write_patterns(dir, "train", 300, false);
    let normal = write_patterns(dir, "normal", 90, false);
    let anomaly = write_patterns(dir, "anomaly", 60, true);
    let run = dir.join("anomaly-run");
    let o = nnlab(&[
        "anomaly",
        "--normal",
        &train,
        "--normal-test",
        &normal,
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
        run.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    (run.join("model"), normal, anomaly)
}

#[test]
fn codes_of_a_trained_detector_are_embedded_with_the_anomalies_marked() {
    let dir = tempfile::tempdir().unwrap();
    let (model, normal, anomaly) = train_detector(dir.path());
    let out = dir.path().join("codes");
    let o = nnlab(&[
        "tsne",
        "--codes",
        model.to_str().unwrap(),
        "--normal",
        &normal,
        "--anomaly",
        &anomaly,
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
    assert!(
        stdout.contains("ae codes") && stdout.contains(", 4-D)"),
        "{stdout}"
    );
    // Inverted images get codes of their own: the anomalies' neighbours are anomalies far
    // more often than chance (60 of 150 points: 0.15 by chance), and the normal groups keep
    // their labels.
    let separation = value(&stdout, "anomaly separation");
    let chance = stdout.split("; ").nth(1).unwrap();
    assert!(separation > 0.9, "{stdout}");
    assert!(chance.starts_with("0.1"), "{stdout}");
    assert!(value(&stdout, "10-NN label agreement") > 0.8, "{stdout}");
    let csv = std::fs::read_to_string(out.join("embedding.csv")).unwrap();
    assert_eq!(csv.lines().next(), Some("x,y,set,label"));
    let count = |set: &str| csv.lines().filter(|l| l.contains(set)).count();
    assert_eq!((count(",normal,"), count(",anomaly,")), (90, 60));
    let metrics = std::fs::read_to_string(out.join("metrics.json")).unwrap();
    assert!(metrics.contains("\"anomaly_separation\""));
    assert!(out.join("tsne.png").is_file());
    // --limit counts per set.
    let o = nnlab(&[
        "tsne",
        "--codes",
        model.to_str().unwrap(),
        "--normal",
        &normal,
        "--anomaly",
        &anomaly,
        "--limit",
        "40",
        "--perplexity",
        "10",
        "--iterations",
        "50",
        "--exaggeration-iterations",
        "20",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    assert!(text(&o).0.contains("(80 points"), "{}", text(&o).0);
}

#[test]
fn a_missing_or_invalid_detector_fails_naming_codes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let bad = dir.path().join("bad-model");
    std::fs::create_dir(&bad).unwrap();
    std::fs::write(bad.join("detector.json"), "{\"scorer\": \"ae\"").unwrap();
    let missing = dir.path().join("no-model");
    for (model, file) in [(&missing, "detector.json"), (&bad, "detector.json")] {
        let o = nnlab(&[
            "tsne",
            "--codes",
            model.to_str().unwrap(),
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ]);
        let (_, stderr) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{stderr}");
        let path = model.join(file).display().to_string();
        assert!(
            stderr.contains("--codes") && stderr.contains(&path),
            "{stderr}"
        );
    }
    // An image selection and codes exclude each other.
    let o = nnlab(&[
        "tsne",
        "--codes",
        missing.to_str().unwrap(),
        "--data",
        "mnist:test",
        "--quiet",
    ]);
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("--data") && stderr.contains("codes"),
        "{stderr}"
    );
    // --normal and --anomaly belong to --codes (a usage error of the parser).
    let o = nnlab(&["tsne", "--anomaly", "kmnist:test", "--quiet"]);
    assert!(!o.status.success());
    assert!(text(&o).1.contains("--codes"), "{}", text(&o).1);
    assert!(!out.exists());
}

#[test]
fn codes_of_images_of_another_size_fail_naming_the_set() {
    let dir = tempfile::tempdir().unwrap();
    let (model, normal, _) = train_detector(dir.path());
    let small = dir.path().join("small.idx");
    nnlab::data::write_idx_u8(&small, &[20, 6, 6], &[7u8; 720], false).unwrap();
    let o = nnlab(&[
        "tsne",
        "--codes",
        model.to_str().unwrap(),
        "--normal",
        &normal,
        "--anomaly",
        small.to_str().unwrap(),
        "--quiet",
        "--out",
        dir.path().join("run").to_str().unwrap(),
    ]);
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("--anomaly") && stderr.contains("6x6") && stderr.contains("8x8"),
        "{stderr}"
    );
}
