//! Tests of the GAN job: a whole run on a tiny IDX file writes every output, and a short run on
//! real MNIST shows the vanishing minimax gradient (skipped without the data).

use super::Config;
use crate::jobs::{Env, execute};
use crate::models::gan::tests_train::{tiny_images, tiny_settings};
use crate::train::TrainConfig;

/// The whole job on a tiny IDX file: both runs, metrics.json with a first-step comparison, and
/// every figure.
#[test]
fn run_writes_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let data = tiny_images(32);
    let bytes: Vec<u8> = data.pixels.iter().map(|v| (v * 255.0) as u8).collect();
    let idx = dir.path().join("tiny.idx");
    crate::data::write_idx_u8(&idx, &[32, 4, 4], &bytes, false).unwrap();
    let s = tiny_settings();
    let cfg = Config {
        data: idx.display().to_string(),
        train_limit: Some(24),
        latent: s.shape.latent,
        hidden: s.shape.hidden.clone(),
        train: s.train.clone(),
        d_pretrain: 2,
        n_samples: 4,
        env: Env {
            out: dir.path().join("run"),
            offline: true,
            ..Env::named("gan")
        },
        ..Config::default()
    };
    let report = execute(&cfg, &mut ()).unwrap();
    assert_eq!(report.images, 24);
    assert_eq!(report.runs.len(), 2);
    let first = report.first_step.as_ref().unwrap();
    assert_eq!(
        first.ratio,
        first.minimax_grad_norm / first.nonsat_grad_norm
    );
    for f in [
        "metrics.json",
        "steps.csv",
        "grad_norm_vs_d.png",
        "grad_norm.png",
        "loss.png",
        "discriminator.png",
        "samples-minimax.png",
        "samples-nonsat.png",
    ] {
        assert!(cfg.env.out.join(f).is_file(), "missing {f}");
    }
    let csv = std::fs::read_to_string(cfg.env.out.join("steps.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 2 * 2 * 2); // header + 2 losses × 2 epochs × 2 steps
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(cfg.env.out.join("metrics.json")).unwrap())
            .unwrap();
    assert_eq!(json["runs"][1]["loss"], "nonsat");
    let empty = Config {
        losses: vec![],
        ..cfg
    };
    assert!(execute(&empty, &mut ()).is_err());
}

/// One short epoch on 1 024 real MNIST images after a 50-step head start for D: D tells real
/// from generated images, and at the first generator step (identical for both losses) the
/// minimax gradient is far smaller than the non-saturating one, as D(G(z)) is small.
#[test]
fn real_mnist_smoke_test() {
    let Some(dir) = crate::data::testing::shared_data_dir() else {
        eprintln!("skipped: no real data (set NNLAB_DATA or provide ../shared/data)");
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let cfg = Config {
        train_limit: Some(1024),
        hidden: vec![64],
        latent: 16,
        train: TrainConfig {
            epochs: 1,
            batch_size: 64,
            lr: 2e-4,
            seed: 0,
            grad_clip: None,
            ..TrainConfig::default()
        },
        d_pretrain: 50,
        n_samples: 4,
        env: Env {
            out: out.path().join("run"),
            data_dir: Some(dir),
            offline: true, // tests never touch the network
            ..Env::named("gan")
        },
        ..Config::default()
    };
    let r = execute(&cfg, &mut ()).unwrap();
    assert_eq!(r.images, 1024);
    let first = r.first_step.as_ref().unwrap();
    eprintln!("{first:?}");
    let e = &r.runs[1].epochs[0];
    assert!(e.d_real > e.d_fake, "{e:?}");
    assert!(first.d_fake < 0.2, "{first:?}");
    assert!(first.ratio < 0.5, "{first:?}");
}
