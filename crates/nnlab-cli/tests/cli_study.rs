//! `nnlab study noise|momentum|leak|init` end to end on tiny settings (generated IDX images for the
//! studies that read data): each prints its predictions and measurements and writes its files;
//! bad settings fail with exit status 1 and name the setting.

mod common;

use common::{nnlab, text};
use std::path::Path;

/// 120 labelled 8×8 images (class c: a bright bar in column c or row c − 5) as IDX files;
/// returns the `images+labels` selection.
fn idx_files(dir: &Path) -> String {
    let n = 120;
    let mut pixels = Vec::with_capacity(n * 64);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let c = i % 10;
        labels.push(c as u8);
        for y in 0..8 {
            for x in 0..8 {
                let on = if c < 5 { x == c + 1 } else { y == c - 4 };
                pixels.push(if on {
                    230
                } else {
                    ((i * 7 + y * 3 + x) % 60) as u8
                });
            }
        }
    }
    let (imgs, labs) = (dir.join("imgs.idx"), dir.join("labels.idx"));
    nnlab::data::write_idx_u8(&imgs, &[n, 8, 8], &pixels, false).unwrap();
    nnlab::data::write_idx_u8(&labs, &[n], &labels, false).unwrap();
    format!("{}+{}", imgs.display(), labs.display())
}

fn metrics(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap()
}

fn png(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(bytes.starts_with(b"\x89PNG"), "{}", path.display());
}

#[test]
fn noise_study_runs_small() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("noise");
    let o = nnlab(&[
        "study",
        "noise",
        "--rows",
        "30",
        "--features",
        "3",
        "--weights",
        "5",
        "--draws",
        "200",
        "--sgd-steps",
        "2000",
        "--runs",
        "2000",
        "--scalar-steps",
        "30",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    for needle in ["identity", "ridge", "converges", "diverges", "2/(x² + σ²)"] {
        assert!(stdout.contains(needle), "missing '{needle}' in:\n{stdout}");
    }
    for f in ["identity.png", "sgd.png", "scalar.png"] {
        png(&out.join(f));
    }
    let m = metrics(&out);
    let sweep = m["sweep"].as_array().unwrap();
    assert_eq!(sweep.len(), 4);
    for row in sweep {
        assert_eq!(row["predicted_converges"], row["converges"], "{row}");
    }
}

#[test]
fn momentum_study_runs_small() {
    let dir = tempfile::tempdir().unwrap();
    let data = idx_files(dir.path());
    let out = dir.path().join("momentum");
    let o = nnlab(&[
        "study",
        "momentum",
        "--kappas",
        "10,100",
        "--dim",
        "10",
        "--iterations",
        "500",
        "--data",
        &data,
        "--images",
        "50",
        "--hidden",
        "4",
        "--epochs",
        "3",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    for needle in ["heavy ball", "Nesterov", "finite differences", "plain SGD"] {
        assert!(stdout.contains(needle), "missing '{needle}' in:\n{stdout}");
    }
    png(&out.join("rates.png"));
    png(&out.join("autoencoder.png"));
    let m = metrics(&out);
    assert_eq!(m["rates"].as_array().unwrap().len(), 6);
    assert!(m["gradient_check"]["correct_fd"].as_f64().unwrap() < 1e-6);
    assert_eq!(m["sgd_loss"].as_array().unwrap().len(), 4);
}

#[test]
fn leak_study_runs_small() {
    let dir = tempfile::tempdir().unwrap();
    let data = idx_files(dir.path());
    let out = dir.path().join("leak");
    let o = nnlab(&[
        "study",
        "leak",
        "--data",
        &data,
        "--images",
        "100",
        "--test",
        &data,
        "--test-images",
        "50",
        "--hidden",
        "8",
        "--epochs",
        "2",
        "--copies",
        "2",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stdout.contains("inflation"), "{stdout}");
    png(&out.join("accuracy.png"));
    png(&out.join("examples.png"));
    let m = metrics(&out);
    assert_eq!(m["leaky"]["train_images"], 240);
    assert_eq!(m["honest"]["train_images"], 240);
    assert!(m["leaky_shared_sources"].as_f64().unwrap() > 0.5);
}

#[test]
fn init_study_runs_small() {
    let dir = tempfile::tempdir().unwrap();
    let data = idx_files(dir.path());
    let out = dir.path().join("init");
    let o = nnlab(&[
        "study",
        "init",
        "--data",
        &data,
        "--images",
        "100",
        "--validation",
        &data,
        "--validation-images",
        "40",
        "--probe",
        "50",
        "--inits",
        "zeros,he",
        "--activations",
        "relu,sigmoid",
        "--depth",
        "3",
        "--width",
        "16",
        "--epochs",
        "2",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    for needle in ["zeros/sigmoid", "he/relu", "predicted 1", "unit spread"] {
        assert!(stdout.contains(needle), "missing '{needle}' in:\n{stdout}");
    }
    png(&out.join("at_init.png"));
    png(&out.join("accuracy.png"));
    let m = metrics(&out);
    let runs = m["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 4);
    for run in runs {
        assert_eq!(
            run["curve"]["accuracy"].as_array().unwrap().len(),
            3,
            "{run}"
        );
        assert_eq!(
            run["at_init"]["activation_std"].as_array().unwrap().len(),
            3
        );
        assert_eq!(run["at_init"]["gradient_norm"].as_array().unwrap().len(), 4);
        let spread = run["curve"]["unit_spread"].as_f64().unwrap();
        if run["init"] == "zeros" {
            assert_eq!(spread, 0.0, "{run}");
        } else {
            assert!(spread > 0.0, "{run}");
        }
    }
}

#[test]
fn bad_settings_fail_with_their_names() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x");
    let o_str = out.to_str().unwrap();
    for (args, name) in [
        (vec!["study", "noise", "--sigma", "0"], "--sigma"),
        (
            vec!["study", "noise", "--fractions", "0.5,-1"],
            "--fractions",
        ),
        (vec!["study", "noise", "--runs", "1"], "--runs"),
        (vec!["study", "momentum", "--kappas", "1"], "--kappas"),
        (vec!["study", "momentum", "--beta", "1"], "--beta"),
        (
            vec!["study", "leak", "--val-fraction", "0.95"],
            "--val-fraction",
        ),
        (vec!["study", "leak", "--copies", "0"], "--copies"),
        (vec!["study", "init", "--inits", "he,he"], "--inits"),
        (vec!["study", "init", "--depth", "1"], "--depth"),
        (vec!["study", "init", "--momentum", "1"], "--momentum"),
        (vec!["study", "init", "--lr", "0"], "--lr"),
        (vec!["study", "init", "--probe", "9000"], "--probe"),
    ] {
        let mut args = args.clone();
        args.extend(["--quiet", "--out", o_str]);
        let o = nnlab(&args);
        let (_, stderr) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(name), "{args:?}: {stderr}");
    }
    assert!(!out.exists(), "nothing is written before validation passes");
}
