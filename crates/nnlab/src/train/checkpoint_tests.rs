//! Resuming from a checkpoint reproduces the uninterrupted run bit for bit; damaged or foreign
//! checkpoints are refused with the reason.

use super::*;
use crate::data::Images;
use crate::train::{TrainConfig, fit, seeded};
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use rand::Rng;
use rand::rngs::StdRng;

fn data() -> Images {
    let pixels: Vec<f32> = (0..50 * 4)
        .map(|i| ((i * 37) % 101) as f32 / 101.0)
        .collect();
    Images {
        n: 50,
        rows: 2,
        cols: 2,
        pixels,
        labels: None,
        name: "toy".into(),
    }
}

fn cfg(epochs: usize, dir: &Path) -> TrainConfig {
    let mut c = TrainConfig {
        epochs,
        // 50 items: the last batch of each epoch is short; on ≥ 2 cores a batch is cut into
        // shards, each with its own noise generator (see `shards`).
        batch_size: 2 * crate::train::shards::MIN_SHARD_ROWS,
        lr: 1e-2,
        seed: 7,
        ..TrainConfig::default()
    };
    c.checkpoint.dir = Some(dir.to_path_buf());
    c.checkpoint.context = serde_json::json!({"job": "test", "width": 4});
    c
}

/// Trains a 4→4 linear map on ‖Wx − 3x‖² plus noise drawn from the epoch's generator (so the
/// random state matters); returns the weights and the per-epoch losses.
fn run(cfg: &TrainConfig) -> Result<(Vec<f32>, Vec<f64>), TrainError> {
    let device = Device::flex().autodiff();
    let model = seeded(&device, 1, || LinearConfig::new(4, 4).init(&device));
    let loss = |m: &Linear, x: Tensor<2>, rng: &mut StdRng| {
        let shift: f32 = rng.random::<f32>();
        (m.forward(x.clone()) - x * (3.0 + shift)).square().sum()
    };
    let (m, h) = fit(model, &data(), cfg, loss, &mut ())?;
    let w = m.weight.val().into_data().try_to_vec::<f32>().unwrap();
    Ok((w, h.iter().map(|s| s.loss_per_image).collect()))
}

/// The uninterrupted 5-epoch run and the run stopped after 2 epochs and resumed to 5 agree
/// exactly (tolerance 0: the same f32 operations in the same order on the same values).
/// Resuming without Adam's state (a fresh optimizer on the saved weights, the plausible bug)
/// is shown to differ, so the comparison can fail.
#[test]
fn resumed_run_equals_the_uninterrupted_run() {
    let tmp = tempfile::tempdir().unwrap();
    let (straight, losses) = run(&cfg(5, tmp.path())).unwrap();

    let mut first = cfg(2, tmp.path());
    first.checkpoint.checkpoint_every = Some(2);
    run(&first).unwrap();
    let saved = tmp.path().join("checkpoint-epoch-2");
    assert!(saved.join(META).is_file() && saved.join(MODEL).is_file());

    let mut second = cfg(5, tmp.path());
    second.checkpoint.resume = Some(tmp.path().to_path_buf());
    let (resumed, resumed_losses) = run(&second).unwrap();
    assert_eq!(resumed, straight);
    assert_eq!(resumed_losses, losses, "history restored and continued");

    // The same resume with Adam's state replaced by an empty one (checksum updated).
    let empty = ModuleOptimizer::from(crate::train::adam::FusedAdam::default())
        .to_record()
        .into_bytes()
        .unwrap()
        .to_vec();
    std::fs::write(saved.join(OPTIMIZER), &empty).unwrap();
    let mut meta: Meta = serde_json::from_slice(&std::fs::read(saved.join(META)).unwrap()).unwrap();
    meta.optimizer_md5 = crate::io::md5_hex(&empty);
    std::fs::write(saved.join(META), serde_json::to_vec(&meta).unwrap()).unwrap();
    let (wrong, _) = run(&second).unwrap();
    assert_ne!(
        wrong, straight,
        "Adam's moments must be part of the checkpoint"
    );
}

/// Every k epochs a checkpoint replaces the previous one; a temporary folder of a dead process
/// is removed; the folder of the latest checkpoint is found from the output folder.
#[test]
fn checkpoints_replace_each_other_and_stale_temporaries_go() {
    let tmp = tempfile::tempdir().unwrap();
    let stale = tmp.path().join(".checkpoint-epoch-9.tmp-4294967294");
    std::fs::create_dir(&stale).unwrap();
    let mut c = cfg(3, tmp.path());
    c.checkpoint.checkpoint_every = Some(1);
    run(&c).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    if cfg!(target_os = "linux") {
        assert_eq!(names, ["checkpoint-epoch-3"]);
    }
    assert_eq!(
        locate(tmp.path()).unwrap(),
        tmp.path().join("checkpoint-epoch-3")
    );
    let meta: Meta = serde_json::from_slice(
        &std::fs::read(tmp.path().join("checkpoint-epoch-3").join(META)).unwrap(),
    )
    .unwrap();
    assert_eq!((meta.epoch, meta.items, meta.history.len()), (3, 50, 3));
    assert_eq!(meta.next_rng_seed, epoch_seed(7, 4));
}

/// A checkpoint of other settings, a damaged one, and a folder without one are refused, and
/// the message says why.
#[test]
fn foreign_or_damaged_checkpoints_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let mut c = cfg(2, tmp.path());
    c.checkpoint.checkpoint_every = Some(2);
    run(&c).unwrap();
    let resume = |edit: &dyn Fn(&mut TrainConfig)| {
        let mut r = cfg(4, tmp.path());
        r.checkpoint.resume = Some(tmp.path().to_path_buf());
        edit(&mut r);
        run(&r).unwrap_err().to_string()
    };
    type Edit<'a> = &'a dyn Fn(&mut TrainConfig);
    let cases: [(Edit<'_>, &str); 5] = [
        (&|r| r.lr = 2e-2, "learning rate 0.01, this run has 0.02"),
        (&|r| r.seed = 8, "seed 7, this run has 8"),
        (&|r| r.epochs = 1, "2 completed epochs"),
        (
            &|r| r.checkpoint.context["width"] = 5.into(),
            "another setting of `width`",
        ),
        (
            &|r| r.checkpoint.resume = Some(r.checkpoint.resume.clone().unwrap().join("x")),
            "x",
        ),
    ];
    for (edit, expected) in cases {
        let err = resume(edit);
        assert!(err.contains(expected), "{err}");
    }
    let model = tmp.path().join("checkpoint-epoch-2").join(MODEL);
    let mut bytes = std::fs::read(&model).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&model, bytes).unwrap();
    let err = resume(&|_| {});
    assert!(err.contains("MD5") && err.contains("model.bpk"), "{err}");
    let empty = tempfile::tempdir().unwrap();
    let err = locate(empty.path()).unwrap_err().to_string();
    assert!(err.contains("holds no checkpoint"), "{err}");
}

/// Epoch seeds differ between epochs and between run seeds (no two of the first 10⁴ epochs of
/// 8 seeds collide), so no epoch repeats another's batch order.
#[test]
fn epoch_seeds_are_distinct() {
    let mut seen = std::collections::HashSet::new();
    for seed in 0..8 {
        for epoch in 1..=10_000 {
            assert!(seen.insert(epoch_seed(seed, epoch)), "{seed} {epoch}");
        }
    }
}
