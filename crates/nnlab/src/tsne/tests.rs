//! Tests of t-SNE: the gradient against finite differences and Burn autodiff, the
//! symmetric-SNE formula failing the t-SNE check, Barnes–Hut converging to the exact gradient as
//! θ → 0, and Barnes–Hut reaching the exact method's KL.

use super::exact::{
    GRADIENT_TOLERANCE, finite_differences, kl, kl_gradient, random_problem, relative_error,
    sne_cost, sne_gradient,
};
use super::*;
use burn::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

#[test]
fn tsne_gradient_matches_finite_differences_and_sne_formula_fails() {
    for seed in 0..4 {
        let c = check_gradient(seed);
        assert!(
            c.tsne < GRADIENT_TOLERANCE,
            "seed {seed}: t-SNE gradient error {}",
            c.tsne
        );
        // The Gaussian-kernel formula is off by O(1) relative to the gradient's scale.
        assert!(
            c.sne_formula > 0.1,
            "seed {seed}: SNE formula error only {}",
            c.sne_formula
        );
    }
}

#[test]
fn sne_formula_is_the_gradient_of_the_gaussian_kernel_cost() {
    // The same check passes for the cost the formula belongs to: it is a correct formula for
    // the wrong cost. Embedding scaled down so the Gaussian kernel is not vanishingly small.
    let (p, y) = random_problem(7, 12);
    let y: Vec<[f64; 2]> = y.iter().map(|v| [0.5 * v[0], 0.5 * v[1]]).collect();
    let fd = finite_differences(|y| sne_cost(&p, y), &y);
    let mut g = vec![[0.0; 2]; y.len()];
    sne_gradient(&p, &y, &mut g);
    let err = relative_error(&g, &fd);
    assert!(err < GRADIENT_TOLERANCE, "SNE gradient error {err}");
}

#[test]
fn a_wrong_factor_fails_the_check() {
    // The check can fail: 2 Σ (p − q) w (y_i − y_j) (a factor 2 instead of 4) is rejected.
    let (p, y) = random_problem(1, 12);
    let fd = finite_differences(|y| kl(&p, y), &y);
    let mut g = vec![[0.0; 2]; y.len()];
    kl_gradient(&p, &y, 1.0, &mut g);
    let half: Vec<[f64; 2]> = g.iter().map(|v| [0.5 * v[0], 0.5 * v[1]]).collect();
    assert!(relative_error(&half, &fd) > 0.4);
}

/// KL(P‖Q) of the t-SNE kernel as a Burn graph: Σ p log p − Σ p log w + log(Σ w − n) with
/// w = 1 / (1 + d²), d² = ‖y_i‖² + ‖y_j‖² − 2 y_i·y_j (w_ii = 1 and p_ii = 0, so the diagonal
/// adds nothing to the cross term and exactly n to Σ w).
fn burn_kl(p: &[f64], y: Tensor<2>, n: usize, device: &Device) -> Tensor<1> {
    let pt: Tensor<2> = Tensor::from_data(
        TensorData::new(p.iter().map(|&v| v as f32).collect::<Vec<_>>(), [n, n]),
        device,
    );
    let entropy: f64 = p.iter().filter(|&&v| v > 0.0).map(|v| v * v.ln()).sum();
    let s = y.clone().powi_scalar(2).sum_dim(1);
    let d2 = s.clone() + s.transpose() - y.clone().matmul(y.transpose()).mul_scalar(2.0);
    let w = d2.add_scalar(1.0).recip();
    let z = w.clone().sum().sub_scalar(n as f64);
    let cross = (pt * w.log()).sum();
    z.log() - cross + entropy
}

#[test]
fn tsne_gradient_matches_burn_autodiff() {
    let device = Device::flex().autodiff();
    for seed in 0..3 {
        let (p, y) = random_problem(seed, 10);
        let n = y.len();
        let flat: Vec<f32> = y.iter().flatten().map(|&v| v as f32).collect();
        let y32: Vec<[f64; 2]> = flat.chunks(2).map(|c| [c[0].into(), c[1].into()]).collect();
        let yt: Tensor<2> =
            Tensor::from_data(TensorData::new(flat, [n, 2]), &device).require_grad();
        let cost = burn_kl(&p, yt.clone(), n, &device);
        let grads = cost.clone().backward();
        let g: Vec<f32> = yt
            .grad(&grads)
            .expect("gradient")
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        let auto: Vec<[f64; 2]> = g.chunks(2).map(|c| [c[0].into(), c[1].into()]).collect();
        let mut exact = vec![[0.0; 2]; n];
        let c = kl_gradient(&p, &y32, 1.0, &mut exact);
        let c_burn: Vec<f32> = cost.into_data().try_to_vec::<f32>().unwrap();
        // f32 graph: d² from ‖y‖² sums loses ~ε·‖y‖² ≈ 1e-6, propagated through w, log and 90
        // summed terms: a few 1e-5 relative; a wrong formula is off by > 0.1 (test above).
        assert!((f64::from(c_burn[0]) - c).abs() < 1e-5 * c.abs().max(1.0));
        let err = relative_error(&auto, &exact);
        assert!(err < 1e-4, "seed {seed}: autodiff vs analytic {err}");
    }
}

/// `n` points in 10-D around `clusters` well separated centres, with their labels.
fn clusters(seed: u64, n: usize, clusters: usize) -> (Vec<f32>, Vec<u8>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let centres: Vec<Vec<f32>> = (0..clusters)
        .map(|_| (0..10).map(|_| rng.random_range(-5.0..5.0)).collect())
        .collect();
    let labels: Vec<u8> = (0..n).map(|i| (i % clusters) as u8).collect();
    let x = labels
        .iter()
        .flat_map(|&l| {
            let c = centres[l as usize].clone();
            c.into_iter()
                .map(|v| v + rng.random_range(-1.0..1.0))
                .collect::<Vec<_>>()
        })
        .collect();
    (x, labels)
}

#[test]
fn barnes_hut_gradient_approaches_the_exact_one_as_theta_shrinks() {
    let n = 80;
    let (x, _) = clusters(2, n, 4);
    let nb = affinity::knn(&x, n, 10, 30, &Device::flex());
    let (sp, _) = affinity::sparse_p(&nb, 10.0);
    let dense = sp.to_dense();
    assert!((dense.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    let mut rng = StdRng::seed_from_u64(5);
    let y: Vec<[f64; 2]> = (0..n)
        .map(|_| [rng.random_range(-10.0..10.0), rng.random_range(-10.0..10.0)])
        .collect();
    let mut exact = vec![[0.0; 2]; n];
    let c_exact = kl_gradient(&dense, &y, 1.0, &mut exact);
    let mut errors = Vec::new();
    for theta in [0.8, 0.5, 0.2, 0.0] {
        let mut g = vec![[0.0; 2]; n];
        let c = barnes_hut::gradient(&sp, &y, 1.0, theta, true, &mut g).unwrap();
        errors.push((relative_error(&g, &exact), (c - c_exact).abs()));
    }
    // θ = 0 opens every cell: the same sums in another order, so equal to rounding (1e-12).
    let (g0, c0) = errors[3];
    assert!(g0 < 1e-12 && c0 < 1e-12, "θ = 0: {errors:?}");
    // The error shrinks with θ (measured 0.075, 0.032, 0.0013 at θ = 0.8, 0.5, 0.2 on points
    // spread over [−10, 10]²): at θ = 0.5 below 0.05 of the largest gradient entry.
    assert!(errors.windows(2).all(|w| w[1].0 <= w[0].0), "{errors:?}");
    assert!(errors[1].0 < 0.05, "θ = 0.5: {errors:?}");
}

#[test]
fn barnes_hut_final_kl_is_close_to_exact_tsne() {
    let n = 240;
    let (x, labels) = clusters(9, n, 6);
    let params = Params {
        perplexity: 15.0,
        iterations: 400,
        exaggeration_iterations: 100,
        ..Params::default()
    };
    let device = Device::flex();
    let exact = embed(
        &x,
        n,
        10,
        &Params {
            method: Method::Exact,
            ..params.clone()
        },
        0,
        &device,
        &mut |_, _| {},
    )
    .unwrap();
    let bh = embed(&x, n, 10, &params, 0, &device, &mut |_, _| {}).unwrap();
    // Both optimize the same kind of objective; the kNN P drops the far pairs' tiny p_ij and
    // θ = 0.5 perturbs the descent: final KLs agree within 5 % (measured within 1-2 %).
    let rel = (bh.kl - exact.kl).abs() / exact.kl;
    assert!(rel < 0.05, "BH KL {} vs exact {}", bh.kl, exact.kl);
    // The tree's Z gives nearly the exact KL of the BH embedding under its own P.
    let nb = affinity::knn(&x, n, 10, params.neighbours(n), &device);
    let dense = affinity::sparse_p(&nb, params.perplexity).0.to_dense();
    let true_kl = kl(&dense, &bh.y);
    assert!(
        (true_kl - bh.kl).abs() < 0.01 * true_kl,
        "{true_kl} vs {}",
        bh.kl
    );
    // Separated clusters stay separated.
    for e in [&exact, &bh] {
        let agree = knn_agreement(&e.y, &labels, 10).unwrap();
        assert!(agree > 0.95, "10-NN agreement {agree}");
    }
    // Every neighbourhood is calibrated.
    for c in &bh.calibrations {
        assert!((c.entropy - params.perplexity.ln()).abs() <= perplexity::ENTROPY_TOLERANCE);
    }
}

#[test]
fn same_seed_same_embedding_and_bad_settings_are_named() {
    let n = 60;
    let (x, _) = clusters(4, n, 3);
    let params = Params {
        perplexity: 5.0,
        iterations: 60,
        exaggeration_iterations: 20,
        ..Params::default()
    };
    let device = Device::flex();
    let a = embed(&x, n, 10, &params, 0, &device, &mut |_, _| {}).unwrap();
    let b = embed(&x, n, 10, &params, 0, &device, &mut |_, _| {}).unwrap();
    assert_eq!(a.y, b.y);
    let mut calls = 0;
    embed(
        &x,
        n,
        10,
        &Params {
            init: Init::Random,
            ..params.clone()
        },
        0,
        &device,
        &mut |_, _| calls += 1,
    )
    .unwrap();
    assert_eq!(calls, 60);
    for (p, field) in [
        (
            Params {
                perplexity: 70.0,
                ..params.clone()
            },
            "perplexity",
        ),
        (
            Params {
                perplexity: f64::NAN,
                ..params.clone()
            },
            "perplexity",
        ),
        (
            Params {
                theta: 2.0,
                ..params.clone()
            },
            "theta",
        ),
        (
            Params {
                iterations: 0,
                ..params.clone()
            },
            "iterations",
        ),
        (
            Params {
                exaggeration_iterations: 100,
                ..params.clone()
            },
            "exaggeration_iterations",
        ),
        (
            Params {
                learning_rate: Some(-1.0),
                ..params.clone()
            },
            "learning_rate",
        ),
    ] {
        let e = embed(&x, n, 10, &p, 0, &device, &mut |_, _| {}).unwrap_err();
        assert_eq!(e.field, field, "{e}");
    }
    let mut bad = x.clone();
    bad[3] = f32::NAN;
    assert_eq!(
        embed(&bad, n, 10, &params, 0, &device, &mut |_, _| {})
            .unwrap_err()
            .field,
        "data"
    );
}

/// A stored p_ij = 0 (a far neighbour whose Gaussian weight underflowed, as in tight clusters of
/// a detector's codes) adds 0 · log 0 = 0 to the Barnes–Hut KL, as in the exact KL, instead of
/// NaN. At θ = 0 the two agree to rounding (1e-12).
#[test]
fn zero_affinities_add_nothing_to_the_barnes_hut_kl() {
    let (mut p, y) = random_problem(2, 12);
    let n = y.len();
    let cut = p[1] + p[n];
    (p[1], p[n]) = (0.0, 0.0);
    p.iter_mut().for_each(|v| *v /= 1.0 - cut);
    let mut sparse = affinity::SparseP {
        n,
        indptr: vec![0],
        indices: Vec::new(),
        values: Vec::new(),
    };
    for i in 0..n {
        for j in (0..n).filter(|&j| j != i) {
            sparse.indices.push(j as u32);
            sparse.values.push(p[i * n + j]);
        }
        sparse.indptr.push(sparse.indices.len());
    }
    let mut g = vec![[0.0; 2]; n];
    let bh = barnes_hut::gradient(&sparse, &y, 1.0, 0.0, true, &mut g).unwrap();
    let exact = kl(&p, &y);
    assert!((bh - exact).abs() < 1e-12, "BH {bh} vs exact {exact}");
}
