//! Measurement (ignored by default; minutes): the sparse-coding anomaly score
//! s(x) = ½‖x − Dẑ(x)‖² + λ‖ẑ(x)‖₁ on the anomaly recipe (MNIST normal, KMNIST anomalous,
//! threshold mean + 3σ of 10 000 MNIST validation scores), and the comparison with an MLP
//! autoencoder 784-256-784 of equal code size (ReLU code, sigmoid output, the recipe's Adam
//! training): reconstruction error and code sparsity on MNIST test, and the same anomaly
//! metrics. Run: `NNLAB_DATA=/work/shared/data cargo test --workspace --test sparse_anomaly_real --
//! --ignored --nocapture`.
//! `NNLAB_SPARSE_TRAIN` sets how many training images learn the dictionary (default 10 000).

use nnlab::data::testing::shared_data_dir;
use nnlab::data::{DataSource, Images, Selection, Split};
use nnlab::metrics::{auroc, sigma_threshold, type_i_error, type_ii_error};
use nnlab::models::autoencoder::{Arch, ModelConfig};
use nnlab::models::sparse_coding::{Dictionary, DictionaryConfig};
use nnlab::train::{TrainConfig, batch_tensor};

fn load(src: &DataSource, spec: &str, split: Split) -> Images {
    let sel: Selection = spec.parse().unwrap();
    sel.load(src, split, &mut ()).unwrap()
}

fn report(name: &str, val: &[f32], normal: &[f32], anomalous: &[f32]) {
    let thr = sigma_threshold(val, 3.0);
    println!(
        "{name:<28} threshold {thr:.4}  type I {:.4}  type II {:.4}  AUROC {:.4}",
        type_i_error(normal, thr),
        type_ii_error(anomalous, thr),
        auroc(normal, anomalous)
    );
}

#[test]
#[ignore = "measurement on the real data sets; minutes"]
fn sparse_scorer_and_equal_code_autoencoder_on_mnist_vs_kmnist() {
    let Some(dir) = shared_data_dir() else {
        eprintln!("skipped: no real data");
        return;
    };
    let src = DataSource::resolve(Some(&dir)).with_download(false);
    let (train, val) = load(&src, "mnist", Split::Train)
        .train_val_split(10_000, 0)
        .unwrap();
    let test = load(&src, "mnist:test", Split::Test);
    let kmnist = load(&src, "kmnist:test", Split::Test);
    let device = burn::prelude::Device::flex();
    let n_dict: usize = std::env::var("NNLAB_SPARSE_TRAIN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let cfg = DictionaryConfig::default();
    let t = std::time::Instant::now();
    let (dict, stats) = Dictionary::train(
        &train.clone().limited(Some(n_dict)),
        &cfg,
        &device,
        &mut |s| {
            println!(
                "round {:>2}: F {:.5} -> {:.5}, nonzeros {:.1}, {:.1} s",
                s.round, s.objective_coded, s.objective_updated, s.mean_nonzeros, s.seconds
            )
        },
    )
    .unwrap();
    let train_s = t.elapsed().as_secs_f64();
    assert!(
        stats
            .iter()
            .all(|s| s.objective_updated <= s.objective_coded * (1.0 + 1e-9))
    );
    let t = std::time::Instant::now();
    let sv = dict.score(&val, &device);
    let codes = dict.encode(&test, &device, &mut |_, _| {});
    let lambda = dict.lambda as f32;
    let st: Vec<f32> = codes
        .residual
        .iter()
        .zip(&codes.l1)
        .map(|(r, l)| r + lambda * l)
        .collect();
    let sk = dict.score(&kmnist, &device);
    let score_s = t.elapsed().as_secs_f64();
    let sq: f64 = codes.residual.iter().map(|&r| 2.0 * r as f64).sum::<f64>() / test.n as f64;
    let nz: f64 = codes.nonzeros.iter().map(|&c| c as f64).sum::<f64>() / test.n as f64;
    println!(
        "sparse coding K={} lambda={} ({} train images, {} rounds, {} FISTA its): train {train_s:.1} s, scoring 30k images {score_s:.1} s",
        dict.atoms, dict.lambda, n_dict, cfg.rounds, cfg.coding_iterations
    );
    println!(
        "  MNIST test: mean ||x - Dz||^2 {sq:.4}, nonzeros {nz:.1} of {} ({:.1}%)",
        dict.atoms,
        100.0 * nz / dict.atoms as f64
    );
    report("sparse s(x)", &sv, &st, &sk);
    // Residual alone, for reference.
    let res = |c: &nnlab::models::sparse_coding::Codes| c.residual.clone();
    let rv = res(&dict.encode(&val, &device, &mut |_, _| {}));
    let rk = res(&dict.encode(&kmnist, &device, &mut |_, _| {}));
    report("sparse residual only", &rv, &codes.residual, &rk);

    // The autoencoder with the same code size K.
    let mc = ModelConfig {
        arch: Arch::Mlp,
        rows: 28,
        cols: 28,
        hidden: vec![],
        latent: dict.atoms,
    };
    let t = std::time::Instant::now();
    let (ae, _) = nnlab::models::autoencoder::train::train(
        &mc,
        &train,
        &TrainConfig::default(),
        &device,
        &mut (),
    )
    .unwrap();
    let ae_s = t.elapsed().as_secs_f64();
    let (av, at, ak) = (
        nnlab::models::autoencoder::train::score(&ae, &val, &device),
        nnlab::models::autoencoder::train::score(&ae, &test, &device),
        nnlab::models::autoencoder::train::score(&ae, &kmnist, &device),
    );
    let idx: Vec<usize> = (0..test.n).collect();
    let mut nz_ae = 0usize;
    for c in idx.chunks(1000) {
        let z = ae.encode(batch_tensor(&test, c, &device));
        let v = z
            .into_data()
            .convert::<f32>()
            .try_into_vec::<f32>()
            .unwrap();
        nz_ae += v.iter().filter(|x| **x != 0.0).count();
    }
    let nz_ae = nz_ae as f64 / test.n as f64;
    println!(
        "autoencoder 784-{}-784 (ReLU code, 50k images, 10 epochs): train {ae_s:.1} s",
        dict.atoms
    );
    println!(
        "  MNIST test: mean ||x - D(E(x))||^2 {:.4}, nonzeros {nz_ae:.1} of {} ({:.1}%)",
        at.iter().map(|&s| s as f64).sum::<f64>() / test.n as f64,
        dict.atoms,
        100.0 * nz_ae / dict.atoms as f64
    );
    report("autoencoder ||x - D(E(x))||^2", &av, &at, &ak);
}
