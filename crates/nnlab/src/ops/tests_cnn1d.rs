//! The hand-written back-propagation of the 1-D CNN against central finite differences (`f64`
//! scalar path) and against Burn's autodiff (`f32`, both the scalar and the Burn-tensor path),
//! for several depths, filter sizes and activations (ReLU away from its kink).

use super::cnn1d::*;
use burn::prelude::*;
use burn::tensor::module;
use burn::tensor::ops::ConvOptions;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const ACTS: [Activation; 3] = [Activation::Sigmoid, Activation::Tanh, Activation::Relu];
/// Filter sizes k_1, …, k_L.
const SHAPES: [&[usize]; 6] = [&[3], &[1, 1], &[2, 3], &[3, 1, 4], &[4, 2, 3, 2], &[5, 5]];

/// A random network and input; for ReLU, one whose pre-activations all have |z| > 0.05.
fn case(ks: &[usize], act: Activation, seed: u64) -> (Cnn1d, Vec<f64>) {
    let mut rng = StdRng::seed_from_u64(seed);
    loop {
        let net = Cnn1d {
            filters: ks
                .iter()
                .map(|&k| (0..k).map(|_| rng.random_range(-1.0..1.0)).collect())
                .collect(),
            biases: ks.iter().map(|_| rng.random_range(-0.5..0.5)).collect(),
            activation: act,
        };
        let x: Vec<f64> = (0..net.input_len())
            .map(|_| rng.random_range(-1.0..1.0))
            .collect();
        if act != Activation::Relu || away_from_kink(&net, &x) {
            return (net, x);
        }
    }
}

/// Whether every hidden pre-activation is at least 0.05 away from 0: then a step of 1e-6 in
/// any parameter (moving z by ≲ 1e-6 · n_0 · Π|w|) never crosses the kink.
fn away_from_kink(net: &Cnn1d, x: &[f64]) -> bool {
    let mut y = x.to_vec();
    let hidden = net.filters.len() - 1;
    for (w, b) in net.filters.iter().zip(&net.biases).take(hidden) {
        let z: Vec<f64> = (0..=y.len() - w.len())
            .map(|i| {
                w.iter()
                    .enumerate()
                    .map(|(k, wk)| wk * y[i + k])
                    .sum::<f64>()
                    + b
            })
            .collect();
        if z.iter().any(|v| v.abs() < 0.05) {
            return false;
        }
        y = z.into_iter().map(|v| v.max(0.0)).collect();
    }
    true
}

/// All parameters (filter then bias, layer by layer) in one flat list; `perturbed` moves one.
fn flat(g: &Gradients) -> Vec<f64> {
    g.filters
        .iter()
        .zip(&g.biases)
        .flat_map(|(w, b)| w.iter().copied().chain([*b]))
        .collect()
}

fn perturbed(net: &Cnn1d, index: usize, by: f64) -> Cnn1d {
    let mut out = net.clone();
    let mut i = index;
    for (w, b) in out.filters.iter_mut().zip(out.biases.iter_mut()) {
        if i < w.len() {
            w[i] += by;
            return out;
        }
        if i == w.len() {
            *b += by;
            return out;
        }
        i -= w.len() + 1;
    }
    panic!("parameter {index} out of range")
}

#[test]
fn backprop_matches_finite_differences() {
    let step = 1e-6;
    for act in ACTS {
        for (s, ks) in SHAPES.iter().enumerate() {
            let (net, x) = case(ks, act, 10 + s as u64);
            let (y, g) = net.backward(&x);
            assert_eq!(y, net.forward(&x));
            let g = flat(&g);
            for (i, gi) in g.iter().enumerate() {
                let f = |by| perturbed(&net, i, by).forward(&x);
                let fd = (f(step) - f(-step)) / (2.0 * step);
                // Central differences: truncation O(step²·|y'''|) ≈ 1e-12, rounding
                // ≈ ε·|y|/step ≈ 1e-10 for |y| ≲ 10; 1e-7 leaves a wide margin.
                assert!(
                    (fd - gi).abs() <= 1e-7 * (1.0 + gi.abs()),
                    "{act:?} {ks:?} parameter {i}: backprop {gi} vs fd {fd}"
                );
            }
        }
    }
}

/// y_L and its gradient from Burn's autodiff of conv1d (with bias) and the activations.
fn autodiff(net: &Cnn1d, x: &[f64]) -> (f64, Vec<f64>) {
    let device = Device::flex().autodiff();
    let seq = |v: &[f64]| {
        let v: Vec<f32> = v.iter().map(|&t| t as f32).collect();
        let n = v.len();
        Tensor::<3>::from_data(TensorData::new(v, [1, 1, n]), &device)
    };
    let ws: Vec<Tensor<3>> = net.filters.iter().map(|w| seq(w).require_grad()).collect();
    let bs: Vec<Tensor<1>> = net
        .biases
        .iter()
        .map(|&b| Tensor::<1>::from_floats([b as f32], &device).require_grad())
        .collect();
    let mut y = seq(x);
    for (l, (w, b)) in ws.iter().zip(&bs).enumerate() {
        let opts = ConvOptions::new([1], [0], [1], 1);
        let z = module::conv1d(y, w.clone(), Some(b.clone()), opts);
        y = match (l + 1 == ws.len(), net.activation) {
            (true, _) => z,
            (false, Activation::Sigmoid) => burn::tensor::activation::sigmoid(z),
            (false, Activation::Tanh) => z.tanh(),
            (false, Activation::Relu) => burn::tensor::activation::relu(z),
        };
    }
    let out = y.sum();
    let grads = out.clone().backward();
    let get = |t: Vec<f32>| t.into_iter().map(f64::from).collect::<Vec<f64>>();
    let vals = |t: burn::tensor::TensorData| get(t.convert::<f32>().try_into_vec::<f32>().unwrap());
    let mut g = Vec::new();
    for (w, b) in ws.iter().zip(&bs) {
        g.extend(vals(w.grad(&grads).expect("∂/∂w").into_data()));
        g.extend(vals(b.grad(&grads).expect("∂/∂b").into_data()));
    }
    (vals(out.into_data())[0], g)
}

#[test]
fn backprop_matches_burn_autodiff() {
    let device = Device::flex();
    for act in ACTS {
        for (s, ks) in SHAPES.iter().enumerate() {
            let (net, x) = case(ks, act, 100 + s as u64);
            let (y_ad, g_ad) = autodiff(&net, &x);
            let (y, g) = net.backward(&x);
            let (y_b, g_b) = net.backward_burn(&x, &device);
            // f32 (ε ≈ 1.2e-7) through ≤ 4 layers of ≤ 5-term sums with weights |w| < 1: the
            // rounding stays below 1e-5 of the sizes involved; 1e-4 (relative, floor 1) is
            // safe and far below the O(1) error of a wrong rule.
            let tol = |v: f64| 1e-4 * (1.0 + v.abs());
            assert!(
                (y_ad - y).abs() <= tol(y),
                "{act:?} {ks:?}: y {y} vs {y_ad}"
            );
            assert!((y_b - y).abs() <= tol(y), "{act:?} {ks:?}: y {y} vs {y_b}");
            let (g, g_b) = (flat(&g), flat(&g_b));
            assert_eq!(g.len(), g_ad.len());
            for (i, ((a, b), c)) in g.iter().zip(&g_ad).zip(&g_b).enumerate() {
                assert!(
                    (a - b).abs() <= tol(*a),
                    "{act:?} {ks:?} #{i}: f64 {a} vs autodiff {b}"
                );
                assert!(
                    (c - b).abs() <= tol(*b),
                    "{act:?} {ks:?} #{i}: burn {c} vs autodiff {b}"
                );
            }
        }
    }
}
