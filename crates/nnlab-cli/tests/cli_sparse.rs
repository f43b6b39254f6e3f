//! `nnlab anomaly --scorer sparse` end to end on tiny generated IDX files: training writes a
//! detector that `nnlab anomaly score` loads and applies; hostile values of the sparse flags
//! fail before any work with exit status 1 and a message naming the flag.

mod common;

use common::{fails_with, nnlab, text, write_images};

#[test]
fn sparse_scorer_trains_then_its_saved_detector_scores() {
    let dir = tempfile::tempdir().unwrap();
    let normal = write_images(&dir.path().join("normal.idx"), 200, true);
    let test = write_images(&dir.path().join("test.idx"), 40, true);
    let anomaly = write_images(&dir.path().join("anomaly.idx"), 40, false);
    let out = dir.path().join("run");
    let o = nnlab(&[
        "anomaly",
        "--scorer",
        "sparse",
        "--normal",
        &normal,
        "--normal-test",
        &test,
        "--anomaly",
        &anomaly,
        "--validation",
        "40",
        "--epochs",
        "2",
        "--atoms",
        "8",
        "--lambda",
        "0.05",
        "--coding-iterations",
        "30",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stdout.contains("sparse coding s(x)") && stdout.contains("AUROC"),
        "{stdout}"
    );
    assert!(stdout.contains("reconstructions.png"), "{stdout}");
    for f in ["model/detector.json", "report.html", "run.json"] {
        assert!(out.join(f).is_file(), "missing {f}");
    }

    let model = out.join("model");
    let csv = dir.path().join("scores.csv");
    let o = nnlab(&[
        "anomaly",
        "score",
        "--model",
        model.to_str().unwrap(),
        "--input",
        &anomaly,
        "--csv",
        csv.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(stdout.contains("of 40"), "{stdout}");
    // The scoring run gives the anomalies the scores the training run gave them.
    let scores = |text: &str, set: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with(set))
            .map(|l| l.split(',').nth(3).unwrap().to_string())
            .collect()
    };
    let run = std::fs::read_to_string(out.join("scores.csv")).unwrap();
    let again = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(scores(&again, "input,"), scores(&run, "anomaly,"));
    assert_eq!(scores(&again, "input,").len(), 40);
}

#[test]
fn hostile_sparse_settings_name_the_flag() {
    let sparse = |extra: &[&'static str]| {
        let mut a = vec!["anomaly", "--scorer", "sparse"];
        a.extend(extra);
        a
    };
    fails_with(
        &sparse(&["--atoms", "0"]),
        &["--atoms", "1..=4096", "got 0"],
    );
    fails_with(&sparse(&["--atoms", "100000"]), &["--atoms", "1..=4096"]);
    for bad in ["0", "-1", "NaN", "inf"] {
        fails_with(
            &sparse(&["--lambda", bad]),
            &["--lambda", "positive and finite"],
        );
    }
    fails_with(
        &sparse(&["--coding-iterations", "0"]),
        &["--coding-iterations", "1..=100000"],
    );
    fails_with(
        &sparse(&["--coding-iterations", "18446744073709551615"]),
        &["--coding-iterations", "1..=100000"],
    );
    fails_with(&sparse(&["--latent", "8"]), &["--latent", "sparse scorer"]);
    fails_with(&sparse(&["--hidden", "8"]), &["--hidden", "sparse scorer"]);
    fails_with(
        &sparse(&["--checkpoint-every", "1"]),
        &["--checkpoint-every", "sparse scorer"],
    );
    fails_with(
        &sparse(&["--resume", "/tmp"]),
        &["--resume", "sparse scorer"],
    );
    // Not a number: clap's usage error (exit status 2) names the flag.
    let o = nnlab(&sparse(&["--atoms", "x"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("--atoms"), "{}", text(&o).1);
}

/// More atoms than training images: found once the data are loaded, before training, naming
/// the flag and the data.
#[test]
fn more_atoms_than_training_images_names_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let normal = write_images(&dir.path().join("normal.idx"), 60, true);
    let out = dir.path().join("run");
    let o = nnlab(&[
        "anomaly",
        "--scorer",
        "sparse",
        "--normal",
        &normal,
        "--normal-test",
        &normal,
        "--anomaly",
        &normal,
        "--validation",
        "20",
        "--atoms",
        "64",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("--atoms") && err.contains("only 40") && err.contains("normal.idx"),
        "{err}"
    );
}
