//! Tests of the initialization study: the variance formulas by sampling, the symmetry of zeros
//! (exact) against random starts (broken), and the ReLU variance ratio per layer of He (≈ 1)
//! and Xavier (≈ ½), each outside the other's band.

use super::*;
use crate::data::Images;
use burn::prelude::*;
use rand::SeedableRng;

#[test]
fn variance_formulas_hold_by_sampling() {
    // Relative standard error of a 60 000-draw sample variance ≤ 0.6 %: 3 % is 5 of them.
    for seed in 0..3 {
        let err = variance_formula_error(seed, false);
        assert!(err < 0.03, "seed {seed}: {err}");
        // The bound taken as √variance draws a third of the variance: off by 67 %.
        let wrong = variance_formula_error(seed, true);
        assert!(wrong > 0.3, "seed {seed}: the wrong bound passed ({wrong})");
    }
}

#[test]
fn xavier_uniform_stays_inside_its_bound() {
    // U(−a, a) with a = √(6/(fan_in + fan_out)): every draw inside, the largest within 1 % of a
    // (P(all 20 000 below 0.99 a) = 0.995^20000 ≈ 0).
    let (fi, fo) = (120, 80);
    let a = (6.0f64 / 200.0).sqrt();
    let w = Init::XavierUniform.sample(fi, fo, &mut StdRng::seed_from_u64(1));
    let max = w.iter().fold(0.0f64, |m, &v| m.max(f64::from(v.abs())));
    assert!(max <= a && max > 0.99 * a, "max {max}, bound {a}");
    assert!(
        Init::Zeros
            .sample(fi, fo, &mut StdRng::seed_from_u64(1))
            .iter()
            .all(|&v| v == 0.0)
    );
}

#[test]
fn predicted_ratios_are_one_and_a_half() {
    // n · Var w / 2 for a square layer: He 2/n → 1, Xavier 2/(2n) → ½, exactly.
    assert_eq!(predicted_relu_ratio(Init::He, 256), 1.0);
    assert_eq!(predicted_relu_ratio(Init::XavierNormal, 256), 0.5);
    assert_eq!(predicted_relu_ratio(Init::XavierUniform, 100), 0.5);
    assert_eq!(predicted_relu_ratio(Init::Zeros, 100), 0.0);
}

/// 90 labelled 4 × 5 images of 3 classes (class c: bright column c), plus a little texture.
fn tiny_images() -> Images {
    let n = 90;
    let mut pixels = Vec::with_capacity(n * 20);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let c = i % 3;
        labels.push(c as u8);
        for y in 0..4 {
            for x in 0..5 {
                let texture = ((i * 7 + y * 3 + x) % 11) as f32 / 40.0;
                pixels.push(if x == c + 1 { 0.9 } else { texture });
            }
        }
    }
    Images {
        n,
        rows: 4,
        cols: 5,
        pixels,
        labels: Some(labels),
        name: "tiny".into(),
    }
}

/// Trains a 20-16-16-16-3 MLP drawn by `init` on [`tiny_images`] for 3 epochs (η = 0.1, β = 0.9,
/// batches of 10) and returns (unit spread, hidden weight scale, accuracies).
fn trained(init: Init, activation: Activation) -> (f64, f64, Vec<f64>) {
    let device = Device::flex();
    let ad = device.clone().autodiff();
    let shape = MlpShape {
        inputs: 20,
        width: 16,
        depth: 3,
        classes: 3,
    };
    let model = Mlp::new(shape, init, activation, 4, &ad);
    let images = tiny_images();
    let s = TrainSettings {
        epochs: 3,
        batch_size: 10,
        lr: 0.1,
        momentum: 0.9,
    };
    let (_, c) = train_and_measure(model, &images, &images, &s, &device, 5, &mut ()).unwrap();
    (c.unit_spread, c.hidden_scale, c.accuracy)
}

#[test]
fn zeros_never_break_symmetry() {
    for activation in Activation::ALL {
        let (spread, scale, _) = trained(Init::Zeros, activation);
        // Identical units get identical gradients and identical updates: the spread stays 0
        // exactly (the same f32 operations on the same values).
        assert_eq!(spread, 0.0, "{activation:?}: spread {spread}");
        if activation == Activation::Sigmoid {
            // σ(0) = ½ ≠ 0: the hidden weights do move, all alike (so the check is not vacuous).
            assert!(
                scale > 1e-3,
                "sigmoid: hidden weights did not move ({scale})"
            );
        } else {
            // relu(0) = tanh(0) = 0: no signal reaches any hidden weight, which stays 0.
            assert_eq!(scale, 0.0, "{activation:?}: hidden weights moved ({scale})");
        }
    }
}

#[test]
fn random_starts_break_symmetry() {
    for init in [Init::XavierUniform, Init::XavierNormal, Init::He] {
        let (spread, scale, _) = trained(init, Activation::Tanh);
        // Units start different (spread of order the weight scale) and stay different.
        assert!(
            spread > 0.1 * scale && scale > 0.0,
            "{init:?}: {spread} vs {scale}"
        );
    }
}

/// The geometric-mean variance ratio of ReLU activations through a 256-wide, 10-deep MLP at
/// initialization by `init`, on 256 standard normal inputs of dimension 256 (every layer square).
fn relu_ratio(init: Init, seed: u64) -> (f64, Vec<f64>) {
    let device = Device::flex().autodiff();
    let shape = MlpShape {
        inputs: 256,
        width: 256,
        depth: 10,
        classes: 10,
    };
    let model = Mlp::new(shape, init, Activation::Relu, seed, &device);
    let mut rng = StdRng::seed_from_u64(seed ^ 0xfeed);
    let x = crate::train::normal_noise(&mut rng, [256, 256], &device);
    let labels: Vec<u8> = (0..256).map(|i| (i % 10) as u8).collect();
    let m = at_init(&model, x, &labels);
    (
        geometric_ratio(&m.activation_std),
        variance_ratios(&m.activation_std),
    )
}

#[test]
fn he_keeps_relu_variance_and_xavier_halves_it() {
    // Band ×/÷ 1.25 around the prediction (see RATIO_BAND: the geometric mean of 9 layers
    // scatters by ~5 %); the bands around 1 and ½ are disjoint, so each initialization fails
    // the other's prediction.
    for seed in 0..3 {
        let (he, he_layers) = relu_ratio(Init::He, seed);
        assert!(in_band(he, 1.0), "He seed {seed}: {he} ({he_layers:?})");
        assert!(
            !in_band(he, 0.5),
            "He seed {seed} passes Xavier's band: {he}"
        );
        for init in [Init::XavierNormal, Init::XavierUniform] {
            let (x, layers) = relu_ratio(init, seed);
            assert!(in_band(x, 0.5), "{init:?} seed {seed}: {x} ({layers:?})");
            assert!(
                !in_band(x, 1.0),
                "{init:?} seed {seed} passes He's band: {x}"
            );
            // Single layers scatter more (±10 %) but none comes near the other prediction.
            assert!(layers.iter().all(|&r| r < 0.75), "{init:?}: {layers:?}");
        }
        assert!(he_layers.iter().all(|&r| r > 0.75), "He: {he_layers:?}");
    }
}

#[test]
fn zeros_have_no_hidden_gradient_under_relu() {
    // W = 0 everywhere: h_l = relu(0) = 0, so ∂L/∂W_l = δ_l h_{l−1}ᵀ = 0 and δ_l = W_{l+1}ᵀ… = 0.
    let device = Device::flex().autodiff();
    let shape = MlpShape {
        inputs: 20,
        width: 8,
        depth: 3,
        classes: 3,
    };
    let model = Mlp::new(shape, Init::Zeros, Activation::Relu, 0, &device);
    let images = tiny_images();
    let idx: Vec<usize> = (0..30).collect();
    let x = crate::train::batch_tensor(&images, &idx, &device);
    let m = at_init(&model, x, &images.labels.as_ref().unwrap()[..30]);
    assert!(m.gradient_norm.iter().all(|&g| g == 0.0), "{m:?}");
    assert!(m.activation_std.iter().all(|&s| s == 0.0), "{m:?}");
    assert!(geometric_ratio(&m.activation_std).is_nan());
}
