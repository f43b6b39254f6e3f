//! The softmax family on Burn tensors, batched over the last dimension of a `[batch, K]` tensor:
//! the log-sum-exp ν_β at inverse temperature β, softmax (its gradient), log-softmax, and the
//! scalar activations built from it (the logistic sigmoid, i.e. two-class softmax), with ReLU and
//! its derivative, the Heaviside step. `f64` slice versions serve as references in tests.

use burn::prelude::*;
use burn::tensor::activation;

/// Panics unless β is finite and positive (ν_β and softmax at β ≤ 0 are not the maximum's
/// smooth relatives, and β = 0 divides by zero).
fn check_beta(beta: f64) {
    assert!(
        beta.is_finite() && beta > 0.0,
        "inverse temperature β must be finite and > 0, got {beta}"
    );
}

/// Panics unless β is finite and ≥ 0 (softmax at β = 0 is the uniform distribution, the limit
/// of softmax_β as β → 0).
fn check_softmax_beta(beta: f64) {
    assert!(
        beta.is_finite() && beta >= 0.0,
        "inverse temperature β must be finite and ≥ 0, got {beta}"
    );
}

/// Row maxima m = max_i x_i of a `[batch, K]` tensor, shape `[batch, 1]`, detached from the
/// autodiff graph: the formulas below are exactly invariant under the shift by m, so m carries
/// no gradient.
fn row_max(x: &Tensor<2>) -> Tensor<2> {
    x.clone().max_dim(1).detach()
}

/// Log-sum-exp at inverse temperature β > 0, row by row on a `[batch, K]` tensor (result
/// `[batch]`):
///
/// ν_β(x) = (1/β) log Σ_i exp(β x_i),
///
/// computed as ν_β(x) = m + (1/β) log Σ_i exp(β (x_i − m)) with m = max_i x_i. This is an exact
/// identity in which every exponent is ≤ 0 and the sum lies in [1, K], so nothing overflows for
/// any finite x and the log never sees 0. The same bracket gives
/// max x ≤ ν_β(x) ≤ max x + log(K)/β, hence ν_β → max as β → ∞, and ∇ν_β = [`softmax_beta`].
///
/// # Panics
/// If β is not finite and positive.
pub fn logsumexp(x: Tensor<2>, beta: f64) -> Tensor<1> {
    check_beta(beta);
    let [batch, _] = x.dims();
    let m = row_max(&x);
    let s = (x - m.clone())
        .mul_scalar(beta)
        .exp()
        .sum_dim(1)
        .log()
        .div_scalar(beta);
    (m + s).reshape([batch])
}

/// Softmax at inverse temperature β ≥ 0, row by row on a `[batch, K]` tensor:
///
/// softmax_β(x)_i = exp(β x_i) / Σ_j exp(β x_j) = ∂ν_β(x)/∂x_i,
///
/// computed with the shift by m = max x (exponents ≤ 0, denominator in [1, K]). Rows are
/// probability vectors, invariant under x ↦ x + c·1. With a unique maximiser a and gap
/// g = min_{i≠a} (x_a − x_i): softmax_β(x)_i ≤ e^{−βg} for i ≠ a, so
/// ‖softmax_β(x) − e_a‖₁ = 2 Σ_{i≠a} softmax_β(x)_i ≤ 2(K−1) e^{−βg} → 0 as β → ∞. At the other
/// end, with r = max x − min x, every entry lies in [e^{−βr}, e^{βr}]/K, so softmax_β(x) → 1/K
/// as β → 0, and β = 0 gives the uniform distribution exactly (every exponent is 0).
///
/// # Panics
/// If β is not finite and ≥ 0.
pub fn softmax_beta(x: Tensor<2>, beta: f64) -> Tensor<2> {
    check_softmax_beta(beta);
    let m = row_max(&x);
    let e = (x - m).mul_scalar(beta).exp();
    let z = e.clone().sum_dim(1);
    e / z
}

/// Softmax, [`softmax_beta`] at β = 1, row by row on a `[batch, K]` tensor.
pub fn softmax(x: Tensor<2>) -> Tensor<2> {
    softmax_beta(x, 1.0)
}

/// Log-softmax, row by row on a `[batch, K]` tensor:
///
/// log softmax(x)_i = x_i − ν_1(x),
///
/// computed as (x_i − m) − log Σ_j exp(x_j − m), m = max x, so that large |x| cancels before
/// rounding (finite whenever x is).
pub fn log_softmax(x: Tensor<2>) -> Tensor<2> {
    let m = row_max(&x);
    let d = x - m;
    let l = d.clone().exp().sum_dim(1).log();
    d - l
}

/// The logistic sigmoid, element-wise:
///
/// σ(x) = 1 / (1 + e^{−x}) = softmax([x, 0])_1,
///
/// computed as the two-class softmax σ(x) = e^{x−m} / (e^{−m} + e^{x−m}) with m = max(x, 0)
/// (detached; the quotient does not depend on m). Both exponentials lie in (0, 1] and one of
/// them is 1, so there is no overflow, no 0/0 and no NaN gradient for any finite x; σ(0) = 1/2
/// exactly; σ' = σ(1 − σ). Since σ(−x) = 1 − σ(x) ≤ e^{−x} for x > 0,
/// |σ(kx) − H(x)| ≤ e^{−k|x|} ([`heaviside`]), so σ(k·) → H pointwise as k → ∞.
pub fn sigmoid<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    let m = activation::relu(x.clone()).detach();
    let a = m.clone().neg().exp();
    let u = (x - m).exp();
    u.clone() / (a + u)
}

/// The rectified linear unit, element-wise: relu(x) = max(0, x). Its derivative is the
/// Heaviside step H(x) wherever it exists (x ≠ 0); at 0 it has no derivative.
pub fn relu<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    activation::relu(x)
}

/// The Heaviside step, element-wise, with the half-maximum convention at 0:
///
/// H(x) = 1 for x > 0, H(0) = 1/2, H(x) = 0 for x < 0,
///
/// computed as (1[x > 0] + 1[x ≥ 0]) / 2. It is the limit of σ(kx) as k → ∞ (see
/// [`sigmoid`]) and the derivative of [`relu`] away from 0. Not differentiable: the result
/// carries no gradient.
pub fn heaviside<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    let gt = x.clone().greater_elem(0.0).float();
    let ge = x.greater_equal_elem(0.0).float();
    (gt + ge).mul_scalar(0.5).detach()
}

/// `f64` reference of [`logsumexp`] on one vector (same stable shift).
///
/// # Panics
/// If `x` is empty, or β is not finite and positive.
pub fn logsumexp_f64(x: &[f64], beta: f64) -> f64 {
    check_beta(beta);
    assert!(!x.is_empty(), "logsumexp of an empty vector");
    let m = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    m + x.iter().map(|&v| (beta * (v - m)).exp()).sum::<f64>().ln() / beta
}

/// `f64` reference of [`softmax_beta`] on one vector (same stable shift).
///
/// # Panics
/// If `x` is empty, or β is not finite and ≥ 0.
pub fn softmax_beta_f64(x: &[f64], beta: f64) -> Vec<f64> {
    check_softmax_beta(beta);
    assert!(!x.is_empty(), "softmax of an empty vector");
    let m = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = x.iter().map(|&v| (beta * (v - m)).exp()).collect();
    let z: f64 = e.iter().sum();
    e.into_iter().map(|v| v / z).collect()
}

/// `f64` reference of [`sigmoid`] (same two-class form).
pub fn sigmoid_f64(x: f64) -> f64 {
    let m = x.max(0.0);
    let u = (x - m).exp();
    u / ((-m).exp() + u)
}

/// `f64` reference of [`heaviside`].
pub fn heaviside_f64(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        0.0
    } else {
        0.5
    }
}
