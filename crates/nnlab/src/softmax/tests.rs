//! Tests of the softmax family: ∇ν_1 = softmax (autodiff), overflow safety at |x| ~ 1e4,
//! shift invariance, two-class softmax = sigmoid, the K−1-parameter form, and ReLU' = H.

use super::*;
use burn::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// f32 machine epsilon (2^-23), as f64.
pub(super) const EPS32: f64 = f32::EPSILON as f64;

/// A `[batch, K]` f32 tensor from rows.
pub(super) fn rows(x: &[Vec<f64>], device: &Device) -> Tensor<2> {
    let k = x[0].len();
    assert!(x.iter().all(|r| r.len() == k), "ragged rows");
    let flat: Vec<f32> = x.iter().flatten().map(|&v| v as f32).collect();
    Tensor::from_data(TensorData::new(flat, [x.len(), k]), device)
}

/// The values of a tensor, row-major, as f64.
pub(super) fn values<const D: usize>(t: Tensor<D>) -> Vec<f64> {
    let v = t.into_data().try_into_vec::<f32>().expect("f32 tensor");
    v.into_iter().map(f64::from).collect()
}

/// Seeded random rows, uniform in [−scale, scale), already rounded to f32 so that f64
/// references see exactly the tensor's inputs.
pub(super) fn random_rows(seed: u64, batch: usize, k: usize, scale: f64) -> Vec<Vec<f64>> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..batch)
        .map(|_| {
            (0..k)
                .map(|_| f64::from(rng.random_range(-scale..scale) as f32))
                .collect()
        })
        .collect()
}

/// Asserts |a_i − b_i| ≤ tol for all i.
pub(super) fn assert_close(a: &[f64], b: &[f64], tol: f64, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= tol,
            "{what}[{i}]: {x} vs {y} (tol {tol:e})"
        );
    }
}

#[test]
fn gradient_of_logsumexp_is_softmax() {
    let ad = Device::flex().autodiff();
    // Entries of the gradient and of softmax lie in [0, 1] and come from a handful of f32
    // operations (exp, a sum of K = 5 terms, a division, scalings by β and 1/β): the rounding
    // is ≲ 8 ε ≈ 1e-6 absolute, while a wrong gradient is off by O(0.1).
    let tol = 1e-6;
    for (seed, beta) in [(1, 1.0), (2, 1.0), (3, 0.5), (4, 3.0)] {
        let x = random_rows(seed, 8, 5, 4.0);
        let xt = rows(&x, &ad).require_grad();
        let grads = logsumexp(xt.clone(), beta).sum().backward();
        let g = values(xt.grad(&grads).expect("gradient of ν_β"));
        let p = values(softmax_beta(rows(&x, &ad), beta));
        assert_close(&g, &p, tol, "∇ν_β vs softmax_β");
        let reference: Vec<f64> = x.iter().flat_map(|r| softmax_beta_f64(r, beta)).collect();
        assert_close(&p, &reference, tol, "softmax_β vs f64 reference");
        // log softmax(βx) = log softmax_β(x), computed as (βx − m) − log Σ e^{βx_j − m}: each
        // term is rounded relative to its own size (|·| ≤ 24 here), so 1e-6 + 8ε·|value|.
        let ls = values(log_softmax(rows(&x, &ad).mul_scalar(beta)));
        let log_ref: Vec<f64> = reference.iter().map(|v| v.ln()).collect();
        for (a, b) in ls.iter().zip(&log_ref) {
            assert!((a - b).abs() <= tol + 8.0 * EPS32 * b.abs(), "{a} vs {b}");
        }
    }
}

#[test]
fn no_overflow_at_large_magnitudes() {
    let dev = Device::flex();
    // The naive formula would overflow: exp(1e4) = ∞ in f32 (and in f64).
    assert!(1e4f32.exp().is_infinite() && 1e4f64.exp().is_infinite());
    let x = vec![
        vec![1e4, -1e4, 1e4, 5e3],
        vec![-1e4, -1e4, -2e4, -1.5e4],
        vec![1e4, 1e4, 1e4, 1e4],
        vec![-3e4, 1e4, 2e4, -2e4],
    ];
    // Others are ≥ 5e3 below the maximum, so e^{−gap} underflows to exactly 0 and
    // ν = max + log(#maxima) up to one rounding of the sum: half an f32 ulp of |max| ≤ 2e4,
    // i.e. ≤ 2^-10 ≈ 9.8e-4; we allow ε·|max| (one ulp).
    let expected = [1e4 + 2f64.ln(), -1e4 + 2f64.ln(), 1e4 + 4f64.ln(), 2e4];
    let nu = values(logsumexp(rows(&x, &dev), 1.0));
    for (n, e) in nu.iter().zip(expected) {
        assert!(n.is_finite(), "ν must be finite");
        assert!((n - e).abs() <= EPS32 * e.abs(), "ν = {n}, expected {e}");
    }
    // Softmax puts mass 1/#maxima on each maximum and exactly 0 elsewhere (e^0 = 1 and
    // quotients by 2 or 4 are exact).
    let p = values(softmax(rows(&x, &dev)));
    let expected_p = [
        [0.5, 0.0, 0.5, 0.0],
        [0.5, 0.5, 0.0, 0.0],
        [0.25, 0.25, 0.25, 0.25],
        [0.0, 0.0, 1.0, 0.0],
    ];
    assert_close(&p, expected_p.as_flattened(), 0.0, "softmax at ±1e4");
    // Log-softmax stays finite (−log 2 on the maxima, ≈ −gap elsewhere), and so does a large β.
    let ls = values(log_softmax(rows(&x, &dev)));
    assert!(
        ls.iter().all(|v| v.is_finite()),
        "log-softmax finite: {ls:?}"
    );
    assert!(
        (ls[0] + 2f64.ln()).abs() <= 1e-6,
        "log-softmax of a double maximum"
    );
    let nu_big = values(logsumexp(rows(&x, &dev), 1e3));
    assert!(nu_big.iter().all(|v| v.is_finite()), "ν_1000 finite");
    // The sigmoid saturates to exactly 0 and 1 with finite (zero) gradients, no NaN.
    let ad = Device::flex().autodiff();
    let t = Tensor::<1>::from_data(TensorData::new(vec![-1e4f32, 1e4], [2]), &ad).require_grad();
    let s = sigmoid(t.clone());
    let grads = s.clone().sum().backward();
    assert_eq!(values(s), vec![0.0, 1.0]);
    assert_eq!(values(t.grad(&grads).expect("σ gradient")), vec![0.0, 0.0]);
}

#[test]
fn softmax_is_shift_invariant() {
    let dev = Device::flex();
    let x = random_rows(7, 6, 5, 3.0);
    let p0 = values(softmax(rows(&x, &dev)));
    let nu0 = values(logsumexp(rows(&x, &dev), 1.0));
    for c in [-100.0, -1.5, 0.0, 2.25, 1e3] {
        let shifted: Vec<Vec<f64>> = x
            .iter()
            .map(|r| r.iter().map(|v| v + c).collect())
            .collect();
        // Storing x_i + c in f32 rounds each entry by ≤ ε/2·(|c| + 3), shifting the differences
        // x_i − x_j by ≤ ε(|c| + 3); softmax moves by at most half that in each entry
        // (Σ_j |∂p_i/∂x_j| = 2p_i(1 − p_i) ≤ 1/2). Plus 1e-6 for the kernels' own rounding.
        let tol = 1e-6 + EPS32 * (c.abs() + 3.0);
        let p = values(softmax(rows(&shifted, &dev)));
        assert_close(&p, &p0, tol, &format!("softmax(x + {c}·1)"));
        // ν(x + c·1) = ν(x) + c, up to the same input rounding and one rounding of |ν| ≤ |c|+5.
        let nu = values(logsumexp(rows(&shifted, &dev), 1.0));
        let expect: Vec<f64> = nu0.iter().map(|v| v + c).collect();
        assert_close(
            &nu,
            &expect,
            1e-6 + 2.0 * EPS32 * (c.abs() + 5.0),
            "ν(x + c·1)",
        );
    }
}

#[test]
fn two_class_softmax_is_sigmoid_of_difference() {
    let dev = Device::flex();
    let ab = random_rows(11, 64, 2, 8.0);
    let p = values(softmax(rows(&ab, &dev)));
    let diff: Vec<Vec<f64>> = ab.iter().map(|r| vec![r[0] - r[1]]).collect();
    let s = values(sigmoid(rows(&diff, &dev)));
    // Values in [0, 1] from a few f32 operations; a − b (exact in f64) is rounded to f32 by
    // ≤ ε/2·16 ≈ 1e-6 and σ' ≤ 1/4 damps that: 1e-6 absolute.
    for (i, r) in ab.iter().enumerate() {
        assert!(
            (p[2 * i] - s[i]).abs() <= 1e-6,
            "softmax([a,b])_1 = σ(a − b) at {r:?}"
        );
        assert!(
            (s[i] - sigmoid_f64(r[0] - r[1])).abs() <= 1e-6,
            "σ vs f64 at {r:?}"
        );
    }
}

#[test]
fn softmax_has_k_minus_one_free_parameters() {
    let dev = Device::flex();
    let x = random_rows(13, 10, 6, 5.0);
    let reduced: Vec<Vec<f64>> = x
        .iter()
        .map(|r| r.iter().map(|v| v - r[0]).collect())
        .collect();
    assert!(reduced.iter().all(|r| r[0] == 0.0));
    // x_j − x_1 (exact in f64, |·| ≤ 10) is rounded to f32 by ≤ 6e-7; softmax moves by at most
    // half of that, plus kernel rounding: 1e-6.
    let p = values(softmax(rows(&x, &dev)));
    let q = values(softmax(rows(&reduced, &dev)));
    assert_close(&p, &q, 1e-6, "softmax(x) vs softmax([0, x_2 − x_1, …])");
}

#[test]
fn relu_derivative_is_heaviside_and_sigmoid_derivative() {
    let ad = Device::flex().autodiff();
    let pts: Vec<f64> = random_rows(17, 1, 200, 5.0)[0]
        .iter()
        .copied()
        .filter(|v| v.abs() >= 1e-2)
        .collect();
    let n = pts.len();
    let data: Vec<f32> = pts.iter().map(|&v| v as f32).collect();
    let x = Tensor::<1>::from_data(TensorData::new(data, [n]), &ad).require_grad();
    let grads = relu(x.clone()).sum().backward();
    let g = values(x.grad(&grads).expect("ReLU gradient"));
    let h = values(heaviside(x.clone()));
    // Away from 0 the ReLU derivative is a 0/1 mask, no arithmetic: exact equality.
    assert_eq!(g, h, "relu' = H away from 0");
    assert!(h.contains(&0.0) && h.contains(&1.0), "both sides sampled");
    let h_ref: Vec<f64> = pts.iter().map(|&v| heaviside_f64(v)).collect();
    assert_eq!(h, h_ref);
    // H(0) = 1/2 by convention.
    let zero = Tensor::<1>::from_data(TensorData::new(vec![0.0f32], [1]), &ad);
    assert_eq!(values(heaviside(zero)), vec![0.5]);
    // σ' = σ(1 − σ) everywhere, including 0 (= 1/4; the detached shift max(x, 0) has a kink
    // there, but carries no gradient). Values ≤ 1/4 from a few f32 operations: 1e-6.
    let mut with_zero = pts.clone();
    with_zero.push(0.0);
    let data: Vec<f32> = with_zero.iter().map(|&v| v as f32).collect();
    let x = Tensor::<1>::from_data(TensorData::new(data, [n + 1]), &ad).require_grad();
    let grads = sigmoid(x.clone()).sum().backward();
    let g = values(x.grad(&grads).expect("σ gradient"));
    let expect: Vec<f64> = with_zero
        .iter()
        .map(|&v| sigmoid_f64(v) * (1.0 - sigmoid_f64(v)))
        .collect();
    assert_close(&g, &expect, 1e-6, "σ' = σ(1 − σ)");
    assert_eq!(g[n], 0.25, "σ'(0) = 1/4");
}
