//! The terms of the VAE objective as batched tensor formulas, one function each: the
//! reparameterized sample, the Bernoulli log-likelihood from logits, the closed-form KL to the
//! standard normal prior, diagonal-Gaussian log-densities and log-sum-exp. Every function works
//! row by row: rows are images (or image-sample pairs), columns are pixels or latent coordinates.

use burn::prelude::*;
use burn::tensor::activation::softplus;
use std::f64::consts::PI;

/// ln 2π, the constant of every Gaussian log-density.
fn ln_2pi() -> f64 {
    (2.0 * PI).ln()
}

/// The reparameterized sample z = μ + σ ⊙ ε with σ = exp(½ log σ²), so z ~ N(μ, diag σ²) when
/// ε ~ N(0, I), and z is a differentiable function of (μ, log σ²) for fixed ε.
pub fn reparameterize(mu: Tensor<2>, log_var: Tensor<2>, eps: Tensor<2>) -> Tensor<2> {
    mu + log_var.mul_scalar(0.5).exp() * eps
}

/// Bernoulli log-likelihood of every row x given decoder logits l (one value per row):
///
/// log p(x|z) = Σ_d x_d log σ(l_d) + (1 − x_d) log(1 − σ(l_d)) = Σ_d x_d l_d − softplus(l_d),
///
/// using log σ(l) = l − softplus(l) and log(1 − σ(l)) = −softplus(l), with the stable softplus
/// (log1p(exp l), and l itself beyond 20), so no σ(l) is ever rounded to 0 or 1 inside a log.
///
/// Pixels x_d are grey levels in [0, 1], not bits: this is the Bernoulli likelihood applied to
/// grey levels (the usual practice for MNIST VAEs, the binary cross-entropy of the decoder's
/// means against the image). For x ∉ {0, 1} it is not a normalized density, so the nats it
/// gives are comparable with other grey-level runs, not with binarized-MNIST results.
pub fn bernoulli_log_likelihood(x: Tensor<2>, logits: Tensor<2>) -> Tensor<1> {
    (x * logits.clone() - softplus(logits, 1.0))
        .sum_dim(1)
        .squeeze_dim(1)
}

/// Closed-form KL(N(μ, diag σ²) ‖ N(0, I)) of every row:
///
/// KL = ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²),
///
/// the special case Σ0 = diag σ², μ1 = 0, Σ1 = I of `prob::gaussian::kl_gaussian` (the tests
/// check the two agree).
pub fn kl_to_standard_normal(mu: Tensor<2>, log_var: Tensor<2>) -> Tensor<1> {
    (mu.square() + log_var.clone().exp() - log_var)
        .sub_scalar(1.0)
        .sum_dim(1)
        .mul_scalar(0.5)
        .squeeze_dim(1)
}

/// log N(z; 0, I) of every row: −½ Σ_j (z_j² + ln 2π).
pub fn log_standard_normal(z: Tensor<2>) -> Tensor<1> {
    z.square()
        .add_scalar(ln_2pi())
        .sum_dim(1)
        .mul_scalar(-0.5)
        .squeeze_dim(1)
}

/// log N(z; μ, diag σ²) of every row for z = μ + σ ⊙ ε, written in terms of ε = (z − μ)/σ:
/// −½ Σ_j (ε_j² + ln 2π + log σ_j²).
pub fn log_normal_diag_at(eps: Tensor<2>, log_var: Tensor<2>) -> Tensor<1> {
    (eps.square() + log_var)
        .add_scalar(ln_2pi())
        .sum_dim(1)
        .mul_scalar(-0.5)
        .squeeze_dim(1)
}

/// log Σ_i exp(a_i) along dimension 0 of `a` ([k, batch] → [batch]), computed as
/// m + log Σ_i exp(a_i − m) with m = max_i a_i, so no exp overflows and the largest term is 1.
pub fn logsumexp_rows(a: Tensor<2>) -> Tensor<1> {
    let m = a.clone().max_dim(0);
    let s = (a - m.clone()).exp().sum_dim(0).log();
    (m + s).squeeze_dim(0)
}
