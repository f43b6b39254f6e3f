//! Checks of the image likelihood: the change-of-variables formula computed by hand, the
//! logit-transform log-derivative by finite differences, deterministic scores, and a short run
//! on real MNIST (skipped without the data).

use super::images::{LOGIT_ALPHA, logit_transform, test_nll};
use super::*;
use crate::data::testing::shared_data_dir;
use crate::data::{DataSource, Images, Selection, Split};
use crate::train::{TrainConfig, seeded};
use rand::Rng;

fn to_vec<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .unwrap()
}

/// A 2×3 "image" flow with random (non-identity) couplings.
fn tiny_flow(device: &Device) -> RealNvp {
    let cfg = RealNvpConfig {
        zero_init: false,
        hidden: 8,
        layers: 3,
        ..RealNvpConfig::for_images(2, 3)
    };
    seeded(device, 4, || cfg.init(device))
}

#[test]
fn image_nll_matches_the_change_of_variables_by_hand() {
    let device = Device::flex();
    let flow = tiny_flow(&device);
    let d = 6;
    let pixels: Vec<f32> = [0u8, 255, 17, 128, 3, 200, 90, 91, 0, 254, 60, 1]
        .iter()
        .map(|&b| b as f32 / 255.0)
        .collect();
    let mut rng = StdRng::seed_from_u64(2);
    let u: Vec<f32> = (0..12).map(|_| rng.random::<f32>()).collect();
    let t = |v: &[f32]| Tensor::<2>::from_data(TensorData::new(v.to_vec(), [2, d]), &device);
    let nll = to_vec(image_nll(&flow, t(&pixels), t(&u)));
    // By hand, in f64: y = (255x + u)/256, p = α + (1−2α)y, v = logit p,
    // log|dv/dy| = Σ log((1−2α)/(p(1−p))), nll = −log p_V(v) − log|dv/dy| + D ln 256, with
    // log p_V from the flow (whose log-determinant the Jacobian test checks).
    let a = LOGIT_ALPHA;
    let mut v = vec![0f32; 12];
    let mut log_dv = [0f64; 2];
    for k in 0..12 {
        let y = (255.0 * f64::from(pixels[k]) + f64::from(u[k])) / 256.0;
        let p = a + (1.0 - 2.0 * a) * y;
        v[k] = (p / (1.0 - p)).ln() as f32;
        log_dv[k / d] += ((1.0 - 2.0 * a) / (p * (1.0 - p))).ln();
    }
    let log_pv = to_vec(flow.log_prob(t(&v)));
    for r in 0..2 {
        let want = -f64::from(log_pv[r]) - log_dv[r] + d as f64 * 256f64.ln();
        // f32 evaluation of terms of size ~10 nats: 1e-3 nats is ~50 ulps.
        assert!(
            (f64::from(nll[r]) - want).abs() < 1e-3,
            "row {r}: {} vs {want}",
            nll[r]
        );
    }
}

#[test]
fn logit_log_derivative_matches_finite_differences() {
    let device = Device::flex();
    let ys = [0.0f32, 0.01, 0.3, 0.5, 0.77, 0.999];
    let y = Tensor::<2>::from_data(TensorData::new(ys.to_vec(), [1, 6]), &device);
    let (_, ld) = logit_transform(y);
    // Central differences of v(y) = logit(α + (1−2α)y) in f64, h = 1e-5: truncation error
    // ~h²·v'''/6 ≲ 1e-8 relative, far below the f32 tolerance 1e-4 of the tensor result.
    let a = LOGIT_ALPHA;
    let v = |y: f64| {
        let p = a + (1.0 - 2.0 * a) * y;
        (p / (1.0 - p)).ln()
    };
    let h = 1e-5;
    let want: f64 = ys
        .iter()
        .map(|&y| ((v(y as f64 + h) - v(y as f64 - h)) / (2.0 * h)).ln())
        .sum();
    let got = f64::from(to_vec(ld)[0]);
    assert!((got - want).abs() < 1e-4, "{got} vs {want}");
}

#[test]
fn scores_are_the_nll_at_half_noise_and_bits_per_dim_scales() {
    let device = Device::flex();
    let flow = tiny_flow(&device);
    let mut rng = StdRng::seed_from_u64(8);
    let data = Images {
        n: 3,
        rows: 2,
        cols: 3,
        pixels: (0..18)
            .map(|_| (rng.random_range(0..256) as f32) / 255.0)
            .collect(),
        labels: None,
        name: "tiny".into(),
    };
    let s = score_images(&flow, &data, &device);
    assert_eq!(s, score_images(&flow, &data, &device), "deterministic");
    let x = crate::train::batch_tensor(&data, &[0, 1, 2], &device);
    let u = Tensor::full([3, 6], 0.5, &device);
    // The same computation in the same batch: identical.
    assert_eq!(s, to_vec(image_nll(&flow, x, u)));
    // Uniform over 256 levels: D ln 256 nats is exactly 8 bits per dimension.
    assert!((bits_per_dim(784.0 * 256f64.ln(), 784) - 8.0).abs() < 1e-12);
    // Samples are images in [0, 1].
    let imgs = sample_images(&flow, 2, 0.7, &mut rng, &device);
    assert_eq!(imgs.len(), 2);
    assert!(imgs.iter().flatten().all(|p| (0.0..=1.0).contains(p)));
}

#[test]
fn short_run_on_real_mnist_beats_uniform_and_repeats_exactly() {
    let Some(dir) = shared_data_dir() else {
        eprintln!("skipped: no real data (set NNLAB_DATA or provide ../shared/data)");
        return;
    };
    let source = DataSource::new(dir).with_download(false); // tests never touch the network
    let load = |split| -> Images {
        "mnist"
            .parse::<Selection>()
            .unwrap()
            .load(&source, split, &mut ())
            .unwrap()
    };
    let train = load(Split::Train).subset(&(0..1000).collect::<Vec<_>>());
    let test = load(Split::Test).subset(&(0..300).collect::<Vec<_>>());
    let device = Device::flex();
    let cfg = RealNvpConfig {
        layers: 4,
        hidden: 64,
        ..RealNvpConfig::for_images(28, 28)
    };
    let tc = TrainConfig {
        epochs: 1,
        batch_size: 100,
        lr: 1e-3,
        seed: 3,
        grad_clip: None,
        ..TrainConfig::default()
    };
    let run = || {
        let (flow, hist) = train_images(&cfg, &train, &tc, &device, &mut ()).unwrap();
        let nll = test_nll(&flow, &test, &mut StdRng::seed_from_u64(1), &device);
        let mean = nll.iter().map(|&v| f64::from(v)).sum::<f64>() / nll.len() as f64;
        (hist[0].loss_per_image, mean)
    };
    let (loss, nll) = run();
    let bpd = bits_per_dim(nll, 784);
    // The identity flow starts near 11 bits/dim (N(0, 1) is a poor fit to logit pixels piled
    // up at logit(0.05) ≈ −2.9); 10 Adam steps bring it below uniform noise (8 bits/dim):
    // measured 7.13 bits/dim.
    assert!(bpd.is_finite() && bpd < 8.0, "bits/dim {bpd}");
    // Same seed, same weights, batches and noise: the same numbers.
    assert_eq!(run(), (loss, nll));
}
