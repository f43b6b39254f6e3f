//! Checks of the Burn model: the batched hand gradient against Burn's autodiff and against the
//! f64 reference, training on separable toy data, determinism, divergence, and the collapse.

use super::math::Problem;
use super::model::{ModelShape, batch_gradient, one_hot};
use super::*;
use crate::data::Images;
use crate::softmax::log_softmax;
use burn::prelude::*;

fn values<const D: usize>(t: Tensor<D>) -> Vec<f64> {
    t.into_data()
        .convert::<f32>()
        .iter::<f32>()
        .map(f64::from)
        .collect()
}

fn tensor2(v: &[f64], shape: [usize; 2], device: &Device) -> Tensor<2> {
    let v: Vec<f32> = v.iter().map(|&x| x as f32).collect();
    Tensor::from_data(TensorData::new(v, shape), device)
}

fn tensor1(v: &[f64], device: &Device) -> Tensor<1> {
    let v: Vec<f32> = v.iter().map(|&x| x as f32).collect();
    let n = v.len();
    Tensor::from_data(TensorData::new(v, [n]), device)
}

/// |a − b| ≤ tol·(1 + |b|) componentwise.
fn close(a: &[f64], b: &[f64], tol: f64) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= tol * (1.0 + y.abs()))
}

#[test]
fn hand_gradient_equals_burn_autodiff_and_the_f64_reference() {
    for seed in 0..3 {
        let (pr, p) = Problem::random(6, 9, 20, 0.05, seed);
        let labels: Vec<u8> = pr.y.iter().map(|&y| y as u8).collect();
        let dev = Device::flex();
        let g = batch_gradient(
            &tensor2(&p.w, [pr.k, pr.d], &dev),
            &tensor1(&p.b, &dev),
            tensor2(&pr.x, [pr.n(), pr.d], &dev),
            one_hot(&labels, pr.k, &dev),
            pr.lambda,
        );
        let ad = dev.autodiff();
        let w = tensor2(&p.w, [pr.k, pr.d], &ad).require_grad();
        let b = tensor1(&p.b, &ad).require_grad();
        let z = model::scores(&w, &b, tensor2(&pr.x, [pr.n(), pr.d], &ad));
        let ce = (log_softmax(z) * one_hot(&labels, pr.k, &ad))
            .sum()
            .neg()
            .div_scalar(pr.n() as f64);
        let loss = ce + (w.clone() * w.clone()).sum().mul_scalar(0.5 * pr.lambda);
        let grads = loss.backward();
        let (aw, ab) = (
            values(w.grad(&grads).unwrap()),
            values(b.grad(&grads).unwrap()),
        );
        let exact = pr.loss_grad(&p);
        // f32 (ε ≈ 6e-8) sums of 20 terms of size ≤ 9: rounding below 1e-5; a wrong formula is
        // off by O(1/n) = 5e-2 on these sizes.
        assert!(
            close(&values(g.weight.clone()), &aw, 1e-5),
            "W vs autodiff, seed {seed}"
        );
        assert!(
            close(&values(g.bias.clone()), &ab, 1e-5),
            "b vs autodiff, seed {seed}"
        );
        assert!(
            close(&values(g.weight), &exact.grad.w, 1e-5),
            "W vs f64, seed {seed}"
        );
        assert!(
            close(&values(g.bias), &exact.grad.b, 1e-5),
            "b vs f64, seed {seed}"
        );
        let ce = values(g.cross_entropy)[0];
        let penalty = 0.5 * pr.lambda * p.w.iter().map(|w| w * w).sum::<f64>();
        assert!((ce + penalty - exact.loss).abs() < 1e-5 * (1.0 + exact.loss));
    }
}

/// Two blobs per class in 2-D around (±2, 0) and (0, ±2): 4 classes, separable.
fn toy(n_per: usize, seed: u64) -> Images {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let centers = [(2.0, 0.0), (-2.0, 0.0), (0.0, 2.0), (0.0, -2.0)];
    let (mut pixels, mut labels) = (Vec::new(), Vec::new());
    for _ in 0..n_per {
        for (c, &(cx, cy)) in centers.iter().enumerate() {
            pixels.push(cx + rng.random_range(-0.5f32..0.5));
            pixels.push(cy + rng.random_range(-0.5f32..0.5));
            labels.push(c as u8);
        }
    }
    Images {
        n: labels.len(),
        rows: 1,
        cols: 2,
        pixels,
        labels: Some(labels),
        name: "toy".into(),
    }
}

#[test]
fn training_separates_toy_classes_and_is_deterministic() {
    let dev = Device::flex();
    let (train, test) = (toy(50, 1), toy(25, 2));
    let shape = ModelShape {
        classes: 4,
        rows: 1,
        cols: 2,
    };
    for optimizer in [Optimizer::Sgd, Optimizer::Adam] {
        let cfg = Training {
            optimizer,
            epochs: 5,
            batch_size: 20,
            lr: if optimizer == Optimizer::Adam {
                0.05
            } else {
                0.1
            },
            ..Training::default()
        };
        let a = fit(&shape, &train, Some(&test), &cfg, 3, &dev, &mut ()).unwrap();
        let b = fit(&shape, &train, Some(&test), &cfg, 3, &dev, &mut ()).unwrap();
        assert_eq!(values(a.model.weight.val()), values(b.model.weight.val()));
        let first = a.epochs[0].train_loss;
        let last = a.epochs.last().unwrap().train_loss;
        // Starting loss is log 4 ≈ 1.386 at W = 0; separable blobs must fall far below.
        assert!(
            last < 0.3 && last < first,
            "{optimizer:?}: {first} -> {last}"
        );
        let scores = a.model.scores_of(&test, &dev);
        let err = crate::metrics::top_k_error(&scores, 4, test.labels.as_ref().unwrap(), 1);
        assert_eq!(err, Ok(0.0), "{optimizer:?}");
    }
}

#[test]
fn nan_loss_stops_training_naming_the_epoch() {
    let dev = Device::flex();
    let train = toy(10, 1);
    let shape = ModelShape {
        classes: 4,
        rows: 1,
        cols: 2,
    };
    let cfg = Training {
        lr: 1e38,
        momentum: 0.0,
        ..Training::default()
    };
    let err = fit(&shape, &train, None, &cfg, 0, &dev, &mut ())
        .err()
        .unwrap();
    // W grows by ~1e38 a step: the scores overflow to ±inf and log-softmax gives inf − inf =
    // NaN in epoch 3 (seed 0); the error names that epoch.
    assert!(
        matches!(err, crate::train::TrainError::Diverged { epoch: 3, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("epoch 3"), "{err}");
}

#[test]
fn a_linear_stack_collapses_to_its_product_and_relu_breaks_it() {
    let dev = Device::flex();
    let x = tensor2(&Problem::random(1, 30, 40, 0.0, 5).0.x, [40, 30], &dev);
    let c = linear_collapse(x.clone(), &[30, 20, 15, 4], 1, |z| z);
    assert_eq!(c.product_shape, [4, 30]);
    // f32 products of three ≤ 30-term sums: relative rounding ~1e-6; 1e-5 is safe.
    assert!(c.relative_difference() < 1e-5, "{c:?}");
    let r = linear_collapse(x, &[30, 20, 15, 4], 1, burn::tensor::activation::relu);
    // With ReLU between layers the product is not the map: the difference is O(1) of the scale.
    assert!(r.relative_difference() > 1e-2, "{r:?}");
}
