//! Hostile arguments to the training jobs (issue 17, part 2): huge counts and model sizes,
//! out-of-range thresholds and learning rates fail in validation, before any data are loaded or
//! any training starts, with exit status 1 and a message naming the flag and its bound — never
//! a capacity-overflow panic (exit 101), an allocation abort (134) or a run without end.

mod common;

use common::{fails_with, nnlab, text};

const MAX: &str = "18446744073709551615";

#[test]
fn huge_epochs_and_counts_name_the_flag_and_the_cap() {
    for cmd in ["anomaly", "vae", "realnvp", "gan", "flow1d"] {
        fails_with(&[cmd, "--epochs", MAX], &["--epochs", "at most 1000000"]);
    }
    fails_with(
        &["vae", "--iw-samples", "1,1000000000"],
        &["--iw-samples", "at most 100000"],
    );
    fails_with(&["realnvp", "--points", MAX], &["--points", "at most"]);
    fails_with(&["gan", "--samples", MAX], &["--samples", "at most 10000"]);
    fails_with(&["gan", "--d-pretrain", MAX], &["--d-pretrain", "at most"]);
    for flag in ["--components", "--train", "--test", "--samples"] {
        fails_with(&["flow1d", flag, MAX], &[flag, "at most"]);
    }
}

#[test]
fn huge_models_are_rejected_by_the_parameter_cap() {
    let cap = ["more than", "200000000"];
    fails_with(
        &["vae", "--latent", "1000000000"],
        &["--latent", cap[0], cap[1]],
    );
    fails_with(&["vae", "--latent", MAX], &["--latent", cap[0]]);
    fails_with(&["vae", "--hidden", "100000000"], &["--hidden", cap[0]]);
    fails_with(
        &["anomaly", "--hidden", "100000000"],
        &["--hidden", cap[0], cap[1]],
    );
    fails_with(&["anomaly", "--latent", MAX], &["--latent", cap[0]]);
    fails_with(
        &["anomaly", "--scorer", "flow", "--hidden", "100000000"],
        &["--hidden", cap[0]],
    );
    fails_with(&["realnvp", "--layers", "100000000"], &["--layers", cap[0]]);
    fails_with(&["realnvp", "--hidden", MAX], &["--hidden", cap[0]]);
    fails_with(&["gan", "--latent", MAX], &["--latent", cap[0]]);
    fails_with(&["gan", "--hidden", "1000000000"], &["--hidden", cap[0]]);
}

#[test]
fn thresholds_and_learning_rates_must_be_usable() {
    fails_with(
        &["anomaly", "--sigmas", "1e308"],
        &["--sigmas", "between 0 and 1000000, got 1e308"],
    );
    fails_with(&["anomaly", "--sigmas", "-1"], &["--sigmas", "between 0"]);
    fails_with(&["anomaly", "--sigmas", "NaN"], &["--sigmas"]);
    fails_with(&["anomaly", "--lr", "inf"], &["--lr", "finite"]);
    fails_with(
        &["anomaly", "--train-limit", "0"],
        &["--train-limit", "at least 1"],
    );
}

/// An IDX of 2 images of 1000×1000 pixels as the normal data: the default autoencoder on
/// 10⁶ inputs would hold 2.6·10⁸ weights, so the run stops after reading the headers'
/// images (2 MB), before building the model.
#[test]
fn huge_images_are_rejected_by_the_parameter_cap() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.idx");
    nnlab::data::write_idx_u8(&path, &[2, 1000, 1000], &vec![7u8; 2_000_000], false).unwrap();
    let p = path.to_str().unwrap();
    let args = ["anomaly", "--normal", p, "--normal-test", p, "--anomaly", p];
    fails_with(
        &[&args[..], &["--validation", "1"]].concat(),
        &["1000x1000", "more than", "200000000"],
    );
}

/// A run owns its `--out`: a file there, or a folder another live run holds, fails before any
/// work, naming `--out`.
#[test]
fn the_output_folder_must_be_a_free_folder() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let o = nnlab(&["flow1d", "--out", file.to_str().unwrap()]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("--out") && err.contains("not a folder"),
        "{err}"
    );

    let busy = dir.path().join("busy");
    std::fs::create_dir(&busy).unwrap();
    // This test process is alive, so its lock is not stale.
    std::fs::write(busy.join(".nnlab.lock"), std::process::id().to_string()).unwrap();
    for cmd in ["flow1d", "vae", "anomaly"] {
        let o = nnlab(&[cmd, "--out", busy.to_str().unwrap()]);
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(
            err.contains("--out") && err.contains("in use by another run"),
            "{err}"
        );
    }
}

/// `gan --lr 1e9` on 64 random 8×8 images: the losses explode to ~1e32 nats while staying
/// finite; the run stops with a divergence error instead of plotting nonsense.
#[test]
fn an_exploding_gan_is_reported_as_diverged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.idx");
    let px: Vec<u8> = (0..64 * 64).map(|i| (i * 37 % 251) as u8).collect();
    nnlab::data::write_idx_u8(&path, &[64, 8, 8], &px, false).unwrap();
    let p = path.to_str().unwrap();
    fails_with(
        &[
            "gan",
            "--data",
            p,
            "--epochs",
            "2",
            "--d-pretrain",
            "2",
            "--lr",
            "1e9",
        ],
        &["diverged"],
    );
}
