//! Tests of training and measurement: the loss falls below the coin-flip cost n·ln 2, training
//! and scoring are reproducible from the seed, `score` is the mean of `neg_elbo` draws, the
//! evaluation's terms add up, saved models load back identically, bad shapes are rejected, and
//! a short run on real MNIST writes every output (skipped without the data).

use super::measure::to_vec;
use super::{EpochStats, TrainConfig, TrainError, Vae, VaeConfig, evaluate, score, train};
use crate::data::Images;
use crate::jobs::vae::{self as job, load_model, save_model};
use crate::jobs::{Env, Job};
use crate::train::{batch_tensor, normal_noise};
use burn::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// `n` 8×8 grey-level "crosses": one bright row and one bright column (≈ 0.9) on a dark
/// background (≈ 0.05), uniform jitter of ±0.05, positions drawn from a generator seeded by
/// `seed`. Two latent factors (row, column) explain the images.
pub(super) fn crosses(n: usize, seed: u64) -> Images {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut pixels = Vec::with_capacity(n * 64);
    for _ in 0..n {
        let (r, c) = (rng.random_range(0..8), rng.random_range(0..8));
        for i in 0..64 {
            let on = i / 8 == r || i % 8 == c;
            let base = if on { 0.9 } else { 0.05 };
            pixels.push((base + rng.random_range(-0.05f32..0.05)).clamp(0.0, 1.0));
        }
    }
    Images {
        n,
        rows: 8,
        cols: 8,
        pixels,
        labels: None,
        name: format!("crosses({n}, seed {seed})"),
    }
}

fn tiny_cfg() -> VaeConfig {
    VaeConfig {
        rows: 8,
        cols: 8,
        hidden: vec![32],
        latent: 2,
    }
}

/// A VAE 64-32-(2, 2) trained 8 epochs on 600 crosses with batch 50, lr 1e-2, seed `seed`.
pub(super) fn trained_tiny(seed: u64) -> (Vae, Vec<EpochStats>) {
    let cfg = TrainConfig {
        epochs: 8,
        batch_size: 50,
        lr: 1e-2,
        seed,
        grad_clip: None,
        ..TrainConfig::default()
    };
    train(
        &tiny_cfg(),
        &crosses(600, 1),
        &cfg,
        &Device::flex(),
        &mut (),
    )
    .unwrap()
}

/// Training lowers the loss, and ends below n·ln 2 = 44.4 nats: the cost of decoding every pixel
/// as a fair coin (logits 0), which is −log p(x|z) for any grey levels x when σ(l) = ½ — a
/// model that learned nothing but the KL-free guess cannot go below it on these images.
#[test]
fn loss_decreases_below_the_coin_flip_cost() {
    let (_, history) = trained_tiny(0);
    let first = history[0].loss_per_image;
    let last = history.last().unwrap().loss_per_image;
    let coin = 64.0 * std::f64::consts::LN_2;
    assert!(last < first, "{first} → {last}");
    assert!(last < coin, "final loss {last} ≥ {coin}");
    eprintln!(
        "loss per image by epoch: {:?}",
        history.iter().map(|e| e.loss_per_image).collect::<Vec<_>>()
    );
}

/// Every parameter's effect on fixed inputs: (μ, log σ²) of three crosses and the logits at
/// three latent points (the safetensors bytes themselves are not canonical: the header's
/// tensor order varies).
fn outputs(m: &Vae) -> Vec<Vec<f32>> {
    let d = Device::flex();
    let x = batch_tensor(&crosses(3, 11), &[0, 1, 2], &d);
    let (mu, lv) = m.encode(x);
    let z = Tensor::<2>::from_floats([[0.0, 0.0], [1.0, -1.0], [-2.0, 0.5]], &d);
    vec![to_vec(mu), to_vec(lv), to_vec(m.decode_logits(z))]
}

/// The same seed gives the same weights and scores, bit for bit (all noise comes from seeded
/// generators); another scoring seed gives other scores.
#[test]
fn training_and_scoring_are_reproducible() {
    let d = Device::flex();
    let (a, _) = trained_tiny(4);
    let (b, _) = trained_tiny(4);
    assert_eq!(outputs(&a), outputs(&b));
    let data = crosses(30, 5);
    let s1 = score(&a, &data, &d, 2, 7);
    assert_eq!(s1, score(&b, &data, &d, 2, 7));
    assert_ne!(s1, score(&a, &data, &d, 2, 8));
}

/// `score` with S samples is the mean of S `neg_elbo` draws taken in order from the seeded
/// generator (one batch here), to f32 rounding of the running sum (1e-5 relative).
#[test]
fn score_is_the_mean_of_neg_elbo_draws() {
    let d = Device::flex();
    let (model, _) = trained_tiny(0);
    let data = crosses(40, 6);
    let got = score(&model, &data, &d, 3, 21);
    let x = batch_tensor(&data, &(0..40).collect::<Vec<_>>(), &d);
    let mut rng = StdRng::seed_from_u64(21);
    let mut want = vec![0.0f64; 40];
    for _ in 0..3 {
        let eps = normal_noise(&mut rng, [40, 2], &d);
        for (w, v) in want.iter_mut().zip(to_vec(model.neg_elbo(x.clone(), eps))) {
            *w += v as f64 / 3.0;
        }
    }
    for (g, w) in got.iter().zip(&want) {
        assert!((*g as f64 - w).abs() <= 1e-5 * w.abs(), "{g} vs {w}");
    }
}

/// The evaluation's ELBO is its reconstruction term minus its KL (per image, so also in the
/// mean, to f32 rounding), the KL is positive, and IW_k is reported for every k asked.
#[test]
fn evaluation_terms_add_up() {
    let (model, _) = trained_tiny(0);
    let e = evaluate(&model, &crosses(100, 7), &Device::flex(), &[1, 4], 3);
    assert_eq!(e.images, 100);
    let sum = e.reconstruction.mean - e.kl.mean;
    assert!((e.elbo.mean - sum).abs() < 1e-4 * sum.abs(), "{e:?}");
    assert!(e.kl.mean > 0.0 && e.elbo.stderr > 0.0);
    assert_eq!(e.iw.iter().map(|i| i.k).collect::<Vec<_>>(), [1, 4]);
}

/// A saved model loads back with identical weights; weights of another shape are refused.
#[test]
fn saved_models_load_back() {
    let d = Device::flex();
    let (model, _) = trained_tiny(0);
    let dir = tempfile::tempdir().unwrap();
    save_model(dir.path(), &tiny_cfg(), &model).unwrap();
    let (cfg, loaded) = load_model(dir.path(), &d).unwrap();
    assert_eq!(cfg, tiny_cfg());
    assert_eq!(outputs(&loaded), outputs(&model));
    let other = VaeConfig {
        latent: 3,
        ..tiny_cfg()
    };
    let bytes = crate::io::to_safetensors(&model).unwrap();
    assert!(crate::io::load_safetensors(other.init(&d), bytes).is_err());
}

/// Zero sizes are configuration errors naming the field; data of the wrong size is refused.
#[test]
fn bad_shapes_are_rejected() {
    let bad = [
        VaeConfig {
            latent: 0,
            ..tiny_cfg()
        },
        VaeConfig {
            hidden: vec![4, 0],
            ..tiny_cfg()
        },
        VaeConfig {
            rows: 0,
            ..tiny_cfg()
        },
    ];
    for (cfg, word) in bad.iter().zip(["latent", "hidden", "image size"]) {
        assert!(cfg.validate().unwrap_err().contains(word));
    }
    let wide = VaeConfig {
        cols: 9,
        ..tiny_cfg()
    };
    let err = train(
        &wide,
        &crosses(10, 0),
        &TrainConfig::default(),
        &Device::flex(),
        &mut (),
    );
    assert!(matches!(err, Err(TrainError::Config(m)) if m.contains("72 pixels")));
}

/// Two short epochs on 3 000 real MNIST images already give a sensible model: measured test
/// −ELBO 203 nats, IW_10 = −195.8 > IW_1 = −203.3 (seed 0); the bound −300 < ELBO < 0 sits far
/// from both (the coin-flip cost is 784·ln 2 = 543 nats). Every output file is written.
#[test]
fn short_run_on_real_mnist_writes_every_output() {
    let Some(dir) = crate::data::testing::shared_data_dir() else {
        eprintln!("skipped: no real data (set NNLAB_DATA or provide ../shared/data)");
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let cfg = job::Config {
        env: Env {
            data_dir: Some(dir),
            offline: true, // tests never touch the network
            out: out.path().join("run"),
            ..Env::named("vae")
        },
        train_limit: Some(3000),
        test_limit: Some(500),
        iw_samples: vec![1, 10],
        train: TrainConfig {
            epochs: 2,
            ..TrainConfig::default()
        },
        ..job::Config::default()
    };
    let r = crate::jobs::execute(&cfg, &mut ()).unwrap();
    assert_eq!((r.train_images, r.test.images), (3000, 500));
    let elbo = r.test.elbo.mean;
    assert!(elbo > -300.0 && elbo < 0.0, "ELBO {elbo}");
    assert!(r.test.iw[1].nats.mean > r.test.iw[0].nats.mean);
    for f in [
        "metrics.json",
        "loss.png",
        "samples.png",
        "reconstructions.png",
        job::WEIGHTS,
        job::CONFIG,
    ] {
        assert!(cfg.env().out.join(f).is_file(), "missing {f}");
    }
}
