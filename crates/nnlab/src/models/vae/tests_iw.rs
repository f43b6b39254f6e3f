//! Tests of the importance-weighted bound: exact per-draw Jensen (IW_k ≥ mean of its k log
//! weights), chunked sampling equal to one draw, E[log w] = ELBO (the Monte Carlo KL agrees with
//! the closed form), and on a small trained VAE: IW_1 ≈ ELBO and IW_1 < IW_5 < IW_50 beyond Monte
//! Carlo error.

use super::elbo::logsumexp_rows;
use super::measure::to_vec;
use super::tests_train::{crosses, trained_tiny};
use super::{Vae, VaeConfig};
use crate::metrics::mean_std;
use crate::train::{batch_tensor, normal_noise, seeded, uniform_noise};
use burn::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// An untrained 6×6 VAE with 3 latent dimensions.
fn untrained(seed: u64) -> Vae {
    let cfg = VaeConfig {
        rows: 6,
        cols: 6,
        hidden: vec![16],
        latent: 3,
    };
    let d = Device::flex();
    seeded(&d, seed, || cfg.init(&d))
}

/// For the same k draws, IW_k = log mean_i exp(log w_i) ≥ mean_i log w_i (Jensen; log is
/// concave), exactly per image; the only slack allowed is f32 rounding (1e-4 nats). With k = 1
/// the two are equal.
#[test]
fn iw_bound_dominates_the_mean_of_its_log_weights() {
    let model = untrained(5);
    let mut rng = StdRng::seed_from_u64(6);
    let d = Device::flex();
    let (b, k) = (8, 7);
    let x = uniform_noise(&mut rng, [b, 36], &d);
    let eps = normal_noise(&mut rng, [k, b, 3], &d);
    let lw = model.log_importance_weights(x.clone(), eps);
    let iw = to_vec(logsumexp_rows(lw.clone()).sub_scalar((k as f64).ln()));
    let mean_lw = to_vec(lw.clone().mean_dim(0));
    for (i, m) in iw.iter().zip(&mean_lw) {
        assert!(i + 1e-4 >= *m, "IW_k {i} < mean log w {m}");
        assert!(i - m > 1e-3, "untrained weights vary, so the gap is strict");
    }
    let one = lw.narrow(0, 0, 1);
    let iw1 = to_vec(logsumexp_rows(one.clone()));
    for (a, w) in iw1.iter().zip(to_vec(one)) {
        assert!((a - w).abs() < 1e-4);
    }
}

/// `iw_log_likelihood` draws its noise in chunks of at most 4096 decodings; the result equals
/// one [k, batch, latent] draw of the same generator (each chunk has an even number of values,
/// so Box–Muller pairs line up), to f32 rounding (1e-4 nats).
#[test]
fn chunked_sampling_equals_one_draw() {
    let model = untrained(7);
    let d = Device::flex();
    let (b, k) = (1000, 10); // chunks of 4, 4, 2 samples
    let x = uniform_noise(&mut StdRng::seed_from_u64(8), [b, 36], &d);
    let got = to_vec(model.iw_log_likelihood(x.clone(), k, &mut StdRng::seed_from_u64(9)));
    let eps = normal_noise(&mut StdRng::seed_from_u64(9), [k, b, 3], &d);
    let lw = model.log_importance_weights(x, eps);
    let want = to_vec(logsumexp_rows(lw).sub_scalar((k as f64).ln()));
    for (g, w) in got.iter().zip(&want) {
        assert!((g - w).abs() < 1e-4, "{g} vs {w}");
    }
}

/// E_q[log w] = E_q[log p(x|z)] + E_q[log p(z) − log q(z|x)] = E_q[log p(x|z)] − KL, so the mean
/// of 20 000 log weights equals the mean of 20 000 closed-form-KL ELBO estimates (the
/// negatives of `neg_elbo`) within 4 standard errors of their paired difference (the same ε
/// in both, so the difference is log p(z) − log q(z|x) + KL, whose mean is 0).
#[test]
fn log_weights_are_unbiased_for_the_elbo() {
    let model = untrained(10);
    let d = Device::flex();
    let n = 20_000;
    let x1 = uniform_noise(&mut StdRng::seed_from_u64(11), [1, 36], &d);
    let eps = normal_noise(&mut StdRng::seed_from_u64(12), [n, 1, 3], &d);
    let lw = to_vec(model.log_importance_weights(x1.clone(), eps.clone()));
    let elbo = to_vec(
        model
            .neg_elbo(x1.repeat_dim(0, n), eps.reshape([n, 3]))
            .neg(),
    );
    let diff: Vec<f32> = lw.iter().zip(&elbo).map(|(a, b)| a - b).collect();
    let (mean, std) = mean_std(&diff);
    let se = std / (n as f64).sqrt();
    assert!(std > 0.0);
    assert!(mean.abs() < 4.0 * se, "mean {mean}, SE {se}");
}

/// On a small VAE trained on 8×8 crosses, averaged over 2000 test images with independent noise
/// for every estimate: IW_1 ≈ ELBO (|mean difference| < 4 SE, since both estimate the ELBO), and
/// IW_1 < IW_5 < IW_50 with each mean gain larger than 4 standard errors of the per-image
/// differences (the images are independent, so SE = std/√2000; 4 SE makes a false pass from
/// noise alone a ~3e-5 event). Monotonicity in k holds for the expectations (Burda et al.),
/// which the margin separates from Monte Carlo noise.
#[test]
fn iw_bound_grows_with_k_on_a_trained_vae() {
    let (model, _) = trained_tiny(3);
    let d = Device::flex();
    let test = crosses(2000, 99);
    let x = batch_tensor(&test, &(0..test.n).collect::<Vec<_>>(), &d);
    let mut rng = StdRng::seed_from_u64(13);
    let eps = normal_noise(&mut rng, [test.n, model.latent()], &d);
    let elbo = to_vec(model.neg_elbo(x.clone(), eps).neg());
    let mut iw = |k| to_vec(model.iw_log_likelihood(x.clone(), k, &mut rng));
    let (iw1, iw5, iw50) = (iw(1), iw(5), iw(50));
    let gap = |a: &[f32], b: &[f32]| {
        let diff: Vec<f32> = a.iter().zip(b).map(|(a, b)| a - b).collect();
        let (mean, std) = mean_std(&diff);
        (mean, std / (diff.len() as f64).sqrt())
    };
    let (m, se) = gap(&iw1, &elbo);
    eprintln!("IW_1 − ELBO {m} ± {se}");
    assert!(m.abs() < 4.0 * se, "IW_1 − ELBO = {m} ± {se}");
    let (m, se) = gap(&iw5, &iw1);
    eprintln!("IW_5 − IW_1 {m} ± {se}");
    assert!(m > 4.0 * se, "IW_5 − IW_1 = {m} ± {se}");
    let (m, se) = gap(&iw50, &iw5);
    eprintln!("IW_50 − IW_5 {m} ± {se}");
    assert!(m > 4.0 * se, "IW_50 − IW_5 = {m} ± {se}");
    let mean = |v: &[f32]| mean_std(v).0;
    eprintln!(
        "ELBO {:.3}, IW_1 {:.3}, IW_5 {:.3}, IW_50 {:.3}",
        mean(&elbo),
        mean(&iw1),
        mean(&iw5),
        mean(&iw50)
    );
}
