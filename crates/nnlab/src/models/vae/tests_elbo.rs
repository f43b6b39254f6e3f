//! Tests of the ELBO terms against the f64 probability module and closed forms: the tensor KL
//! equals `prob::gaussian::kl_gaussian`, the log-densities equal `Gaussian::log_density`, the
//! Bernoulli term equals the direct formula (and stays finite for huge logits), log-sum-exp is
//! exact and stable, and the reparameterized gradient of E_q[‖z‖²] matches its closed form.

use super::elbo::{
    bernoulli_log_likelihood, kl_to_standard_normal, log_normal_diag_at, log_standard_normal,
    logsumexp_rows, reparameterize,
};
use super::measure::to_vec;
use crate::prob::gaussian::{Gaussian, kl_gaussian};
use crate::train::{normal_noise, uniform_noise};
use burn::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// A row-major diagonal matrix with `d` on the diagonal.
fn diag(d: &[f64]) -> Vec<f64> {
    let n = d.len();
    let mut m = vec![0.0; n * n];
    for (i, v) in d.iter().enumerate() {
        m[i * n + i] = *v;
    }
    m
}

/// Random (μ, log σ²) rows: μ ~ N(0, 1), log σ² ~ U(−2, 2); [rows, latent] each.
fn random_posterior(rng: &mut StdRng, rows: usize, latent: usize) -> (Tensor<2>, Tensor<2>) {
    let d = Device::flex();
    let mu = normal_noise(rng, [rows, latent], &d);
    let log_var = uniform_noise(rng, [rows, latent], &d)
        .mul_scalar(4.0)
        .sub_scalar(2.0);
    (mu, log_var)
}

fn rows_f64(t: Tensor<2>) -> Vec<Vec<f64>> {
    let cols = t.dims()[1];
    to_vec(t)
        .chunks(cols)
        .map(|r| r.iter().map(|&v| v as f64).collect())
        .collect()
}

/// The tensor KL(N(μ, diag σ²) ‖ N(0, I)) equals `kl_gaussian` (f64, Cholesky-based) on the same
/// f32 inputs to 1e-5 relative (absolute below 1): the only difference is f32 rounding of ~6
/// terms of size ≤ e² + 4, about 1e-6 absolute.
#[test]
fn kl_matches_the_probability_module() {
    let mut rng = StdRng::seed_from_u64(1);
    let (latent, rows) = (6, 16);
    let (mu, log_var) = random_posterior(&mut rng, rows, latent);
    let kl = to_vec(kl_to_standard_normal(mu.clone(), log_var.clone()));
    let prior = Gaussian::new(&vec![0.0; latent], &diag(&vec![1.0; latent])).unwrap();
    for ((m, lv), got) in rows_f64(mu).iter().zip(rows_f64(log_var)).zip(kl) {
        let var: Vec<f64> = lv.iter().map(|v| v.exp()).collect();
        let q = Gaussian::new(m, &diag(&var)).unwrap();
        let want = kl_gaussian(&q, &prior).unwrap();
        assert!(want > 0.0);
        assert!(
            (got as f64 - want).abs() <= 1e-5 * want.max(1.0),
            "{got} vs {want}"
        );
    }
}

/// log N(z; 0, I) and log N(z; μ, diag σ²) at z = μ + σ ⊙ ε equal `Gaussian::log_density` to
/// 1e-5 relative (f32 rounding of sums of a few O(1)–O(10) terms).
#[test]
fn log_densities_match_the_probability_module() {
    let mut rng = StdRng::seed_from_u64(2);
    let (latent, rows) = (5, 12);
    let (mu, log_var) = random_posterior(&mut rng, rows, latent);
    let eps = normal_noise(&mut rng, [rows, latent], &Device::flex());
    let z = reparameterize(mu.clone(), log_var.clone(), eps.clone());
    let log_prior = to_vec(log_standard_normal(z.clone()));
    let log_q = to_vec(log_normal_diag_at(eps, log_var.clone()));
    let prior = Gaussian::new(&vec![0.0; latent], &diag(&vec![1.0; latent])).unwrap();
    let (mu, log_var, z) = (rows_f64(mu), rows_f64(log_var), rows_f64(z));
    for i in 0..rows {
        let var: Vec<f64> = log_var[i].iter().map(|v| v.exp()).collect();
        let q = Gaussian::new(&mu[i], &diag(&var)).unwrap();
        for (got, want) in [
            (log_prior[i], prior.log_density(&z[i])),
            (log_q[i], q.log_density(&z[i])),
        ] {
            assert!(
                (got as f64 - want).abs() <= 1e-5 * want.abs().max(1.0),
                "{got} vs {want}"
            );
        }
    }
}

/// Σ_d x ln σ(l) + (1 − x) ln(1 − σ(l)) from logits equals the direct f64 formula to 1e-5
/// relative for |l| ≤ 8 (where the direct formula is itself accurate), and stays exact for
/// logits of ±60, where σ(l) rounds to 0 or 1 and the direct formula gives −∞ or NaN.
#[test]
fn bernoulli_term_matches_the_direct_formula_and_is_stable() {
    let mut rng = StdRng::seed_from_u64(3);
    let d = Device::flex();
    let (rows, n) = (6, 30);
    let x = uniform_noise(&mut rng, [rows, n], &d);
    let l = uniform_noise(&mut rng, [rows, n], &d)
        .mul_scalar(16.0)
        .sub_scalar(8.0);
    let got = to_vec(bernoulli_log_likelihood(x.clone(), l.clone()));
    for ((xr, lr), g) in rows_f64(x).iter().zip(rows_f64(l)).zip(got) {
        let want: f64 = xr
            .iter()
            .zip(&lr)
            .map(|(x, l)| {
                let p = 1.0 / (1.0 + (-l).exp());
                x * p.ln() + (1.0 - x) * (1.0 - p).ln()
            })
            .sum();
        assert!(
            (g as f64 - want).abs() <= 1e-5 * want.abs(),
            "{g} vs {want}"
        );
    }
    // x = 0 with l = 60 costs softplus(60) = 60 nats; x = 1 with l = −60 likewise; the two
    // confident correct pixels cost e^−60 ≈ 0.
    let x = Tensor::<2>::from_floats([[0.0, 1.0, 1.0, 0.0]], &d);
    let l = Tensor::<2>::from_floats([[60.0, -60.0, 60.0, -60.0]], &d);
    let got = to_vec(bernoulli_log_likelihood(x, l))[0];
    assert!((got + 120.0).abs() < 1e-4, "{got}");
}

/// log Σ exp along the sample axis equals the f64 formula for moderate values (1e-6 relative,
/// f32 rounding) and is exact where a naive exp would overflow: log(2 e^1000) = 1000 + ln 2.
#[test]
fn logsumexp_is_exact_and_stable() {
    let d = Device::flex();
    let a = [
        [0.5f32, -3.0, 1000.0],
        [2.0, -1.0, 1000.0],
        [-1.0, -7.0, 990.0],
    ];
    let got = to_vec(logsumexp_rows(Tensor::<2>::from_floats(a, &d)));
    for (j, g) in got.iter().take(2).enumerate() {
        let want = (0..3).map(|i| (a[i][j] as f64).exp()).sum::<f64>().ln();
        assert!((*g as f64 - want).abs() < 1e-6 * want.abs().max(1.0));
    }
    let want = 1000.0 + (1.0 + 1.0 + (-10.0f64).exp()).ln();
    assert!((got[2] as f64 - want).abs() < 1e-3, "{} vs {want}", got[2]);
}

/// The reparameterized gradient of E_q[g(z)] for g(z) = ‖z‖², averaged over N = 20 000 draws,
/// matches the closed form ∂/∂μ_j (μ_j² + σ_j²) = 2μ_j and ∂/∂log σ_j² = σ_j² within 4 Monte
/// Carlo standard errors: the estimates are 2μ + 2σ·mean(ε) (SE 2σ/√N) and
/// σ·mean(zε) = σ(μ·mean(ε) + σ·mean(ε²)) (SE σ√(μ² + 2σ²)/√N).
#[test]
fn reparameterized_gradient_matches_the_closed_form() {
    let device = Device::flex().autodiff();
    let mu0 = [0.7f32, -1.2, 0.0];
    let lv0 = [0.3f32, -1.0, 0.8];
    let n = 20_000;
    let mu = Tensor::<1>::from_floats(mu0, &device).require_grad();
    let log_var = Tensor::<1>::from_floats(lv0, &device).require_grad();
    let mut rng = StdRng::seed_from_u64(4);
    let eps = normal_noise(&mut rng, [n, 3], &device);
    let rep = |t: Tensor<1>| t.unsqueeze_dim::<2>(0).repeat_dim(0, n);
    let z = reparameterize(rep(mu.clone()), rep(log_var.clone()), eps);
    let loss = z.square().sum().div_scalar(n as f64);
    let grads = loss.backward();
    let g_mu = to_vec(mu.grad(&grads).unwrap());
    let g_lv = to_vec(log_var.grad(&grads).unwrap());
    let root_n = (n as f64).sqrt();
    for j in 0..3 {
        let (m, s) = (mu0[j] as f64, (lv0[j] as f64 / 2.0).exp());
        let se_mu = 2.0 * s / root_n;
        assert!((g_mu[j] as f64 - 2.0 * m).abs() < 4.0 * se_mu, "dμ {j}");
        let se_lv = s * (m * m + 2.0 * s * s).sqrt() / root_n;
        assert!((g_lv[j] as f64 - s * s).abs() < 4.0 * se_lv, "dlogσ² {j}");
    }
}
