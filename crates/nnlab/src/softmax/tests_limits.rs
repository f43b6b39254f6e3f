//! Tests of the large-β and large-k limits: ν_β → max with max ≤ ν_β ≤ max + log(K)/β and an
//! exactly derived rate, ∇ν_β → the one-hot of the argmax, and σ(kx) → H(x).

use super::tests::{EPS32, random_rows, rows, values};
use super::*;
use burn::prelude::*;

const BETAS: [f64; 9] = [0.01, 0.1, 1.0, 3.0, 10.0, 100.0, 1e3, 1e4, 1e6];

fn max_of(x: &[f64]) -> f64 {
    x.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

#[test]
fn logsumexp_is_squeezed_onto_the_max() {
    let dev = Device::flex();
    let x = random_rows(21, 12, 6, 10.0);
    let k = 6.0f64;
    for &beta in &BETAS {
        let nu32 = values(logsumexp(rows(&x, &dev), beta));
        for (r, n32) in x.iter().zip(nu32) {
            let m = max_of(r);
            let upper = m + k.ln() / beta;
            // f64: ν = m + (log s)/β with s ∈ [1, K] is rounded a few times relative to
            // |m| + log(K)/β: slack 4ε₆₄(1 + |upper|).
            let n = logsumexp_f64(r, beta);
            let tol = 4.0 * f64::EPSILON * (1.0 + upper.abs());
            assert!(
                m - tol <= n && n <= upper + tol,
                "β={beta}: {m} ≤ {n} ≤ {upper}"
            );
            // f32: the same, plus the f32 sum of K terms (relative error ≤ Kε) whose log error
            // is amplified by 1/β: slack ε(2(1 + |upper|) + 2K/β).
            let tol32 = EPS32 * (2.0 * (1.0 + upper.abs()) + 2.0 * k / beta);
            assert!(
                m - tol32 <= n32 && n32 <= upper + tol32,
                "f32 β={beta}: {m} ≤ {n32} ≤ {upper}"
            );
        }
    }
}

#[test]
fn logsumexp_rate_for_a_double_maximum() {
    // x = [3, 3, 1, 0]: two maxima, gaps 2 and 3. The shift identity gives exactly
    //   β(ν_β − max) = log(2 + e^{−2β} + e^{−3β}),
    // and since log(2 + t) − log 2 ≤ t/2, |β(ν_β − max) − log 2| ≤ (e^{−2β} + e^{−3β})/2:
    // the excess over the max decays like log(#argmax)/β, not log(K)/β.
    let x = [3.0, 3.0, 1.0, 0.0];
    let dev = Device::flex();
    for beta in [0.5f64, 1.0, 2.0, 5.0, 10.0, 50.0, 200.0] {
        let t = (-2.0 * beta).exp() + (-3.0 * beta).exp();
        let exact = (2.0 + t).ln();
        // ν − 3 loses ε₆₄·3 to cancellation, then is multiplied by β.
        let slack = 8.0 * f64::EPSILON * (1.0 + beta * 3.0);
        let lhs = beta * (logsumexp_f64(&x, beta) - 3.0);
        assert!((lhs - exact).abs() <= slack, "β={beta}: {lhs} vs {exact}");
        assert!((lhs - 2f64.ln()).abs() <= t / 2.0 + slack, "β={beta}: rate");
        // f32: ν is within ε(2·(1 + 4) + 2K/β) of m + exact/β (as in the bound test).
        let nu = values(logsumexp(rows(&[x.to_vec()], &dev), beta))[0];
        let tol32 = EPS32 * (10.0 + 8.0 / beta);
        assert!(
            (nu - (3.0 + exact / beta)).abs() <= tol32,
            "f32 β={beta}: {nu}"
        );
    }
}

#[test]
fn gradient_tends_to_one_hot_of_argmax() {
    // Unique maximum 2.0 at index 1, gap g = 2.0 − 1.25 = 0.75, K = 5. For i ≠ a,
    // softmax_β(x)_i = e^{−β(x_a − x_i)}/Z ≤ e^{−βg} (Z ≥ 1), so
    // ‖∇ν_β − e_a‖₁ = 2 Σ_{i≠a} softmax_β(x)_i ≤ 2(K − 1) e^{−βg}.
    let x = vec![0.5, 2.0, -1.0, 1.25, 0.0];
    let (a, gap, k) = (1usize, 0.75f64, 5.0f64);
    let ad = Device::flex().autodiff();
    for beta in [0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 1e3] {
        let xt = rows(std::slice::from_ref(&x), &ad).require_grad();
        let grads = logsumexp(xt.clone(), beta).sum().backward();
        let g = values(xt.grad(&grads).expect("∇ν_β"));
        let dist = |p: &[f64]| -> f64 {
            p.iter()
                .enumerate()
                .map(|(i, v)| (v - if i == a { 1.0 } else { 0.0 }).abs())
                .sum()
        };
        let bound = 2.0 * (k - 1.0) * (-beta * gap).exp();
        // f32 gradient entries carry ≲ 4ε each of rounding (1 − p_a is formed by rounding
        // p_a ≈ 1): slack 4Kε ≈ 2.4e-6. The f64 reference needs only 4Kε₆₄.
        let d32 = dist(&g);
        assert!(d32 <= bound + 4.0 * k * EPS32, "β={beta}: {d32} > {bound}");
        let d64 = dist(&softmax_beta_f64(&x, beta));
        assert!(
            d64 <= bound + 4.0 * k * f64::EPSILON,
            "β={beta}: {d64} > {bound}"
        );
        // …and the bound is attained up to a factor: the distance is ≥ 2e^{−βg}/Z, Z ≤ K.
        assert!(
            d64 >= 2.0 * (-beta * gap).exp() / k * (1.0 - 1e-12),
            "β={beta}: too small"
        );
    }
}

#[test]
fn scaled_sigmoid_tends_to_heaviside() {
    let dev = Device::flex();
    let xs = [-2.0, -0.5, -1e-3, 0.0, 1e-3, 0.5, 2.0];
    for k in [1.0, 10.0, 100.0, 1e3, 1e4, 1e6] {
        for &x in &xs {
            let h = heaviside_f64(x);
            let err = (sigmoid_f64(k * x) - h).abs();
            if x == 0.0 {
                // σ(k·0) = σ(0) = 1/2 = H(0) exactly: e^0/(e^0 + e^0) = 1/2.
                assert_eq!(err, 0.0);
            } else {
                // 1 − σ(z) = σ(−z) = 1/(1 + e^z) ≤ e^{−z} for z > 0 (and symmetrically), plus
                // one rounding of a value in [0, 1]: ε₆₄.
                let bound = (-k * x.abs()).exp();
                assert!(err <= bound + f64::EPSILON, "k={k}, x={x}: {err} > {bound}");
            }
        }
        // Burn (f32): input z = fl32(kx), same sign as x; the bound is applied to z itself,
        // and σ in f32 rounds a value in [0, 1] by ≲ ε.
        let z: Vec<Vec<f64>> = vec![xs.iter().map(|&x| f64::from((k * x) as f32)).collect()];
        let s = values(sigmoid(rows(&z, &dev)));
        for ((&x, &zi), si) in xs.iter().zip(&z[0]).zip(s) {
            let err = (si - heaviside_f64(x)).abs();
            if x == 0.0 {
                assert_eq!(si, 0.5, "σ(k·0) = 1/2 exactly in f32");
            } else {
                assert!(err <= (-zi.abs()).exp() + EPS32, "f32 k={k}, x={x}: {err}");
            }
        }
    }
}
