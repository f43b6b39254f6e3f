//! Proof-sheet check of the importance-weighted bound (see [`crate::verify`]): ELBO ≤ IW_k, by
//! Jensen's inequality on the same k draws, on a small untrained VAE.

use super::elbo::logsumexp_rows;
use super::{Vae, VaeConfig};
use crate::train::{normal_noise, seeded, uniform_noise};
use crate::verify::{Check, Measurement, worst};
use burn::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// A bound under test: log weights [k, batch] ↦ IW_k of each column.
pub type Bound = fn(Tensor<2>) -> Tensor<1>;

/// IW_k = logsumexp_i(log w_i) − log k, per column of `[k, batch]` log weights.
pub fn iw_bound(log_w: Tensor<2>) -> Tensor<1> {
    let k = log_w.dims()[0];
    logsumexp_rows(log_w).sub_scalar((k as f64).ln())
}

fn to_vec(t: Tensor<1>) -> Vec<f64> {
    let v = t.into_data().convert::<f32>();
    v.iter::<f32>().map(f64::from).collect()
}

/// The largest (mean_i log w_i − bound)⁺ over 8 images and k = 2, 7, 20 draws of a seeded
/// untrained 6×6 VAE (latent 3), where mean_i log w_i is the k-sample ELBO estimate
/// (E log w = ELBO) and `bound` computes IW_k from the same log weights.
pub fn elbo_below_iw(bound: Bound, seed: u64) -> Measurement {
    let device = Device::flex();
    let cfg = VaeConfig {
        rows: 6,
        cols: 6,
        hidden: vec![16],
        latent: 3,
    };
    let model: Vae = seeded(&device, seed, || cfg.init(&device));
    let mut rng = StdRng::seed_from_u64(seed);
    let x = uniform_noise(&mut rng, [8, 36], &device);
    let mut errs = Vec::new();
    for k in [2, 7, 20] {
        let lw =
            model.log_importance_weights(x.clone(), normal_noise(&mut rng, [k, 8, 3], &device));
        let elbo = to_vec(lw.clone().mean_dim(0).reshape([8]));
        let iw = to_vec(bound(lw));
        errs.extend(elbo.iter().zip(&iw).map(|(e, i)| (e - i).max(0.0)));
    }
    Measurement::new(worst(errs), "8 images, k = 2, 7, 20, untrained 36-16-3 VAE")
}

/// ELBO ≤ IW_k.
pub const ELBO_BELOW_IW: Check = Check {
    id: "vae.elbo-le-iw",
    identity: "ELBO = E[(1/k) sum log w_i] <= E[log (1/k) sum w_i] = IW_k, w_i = p(x, z_i)/q(z_i|x) (Jensen)",
    method: "Jensen on the same k draws (exact per draw), Monte Carlo log weights of a random VAE",
    tolerance: 1e-4,
    why: "f32 rounding of log-sum-exp over <= 20 terms of size ~30 nats",
    measure: |seed| elbo_below_iw(iw_bound, seed),
    broken: |seed| {
        elbo_below_iw(
            |lw| iw_bound(lw.clone()).sub_scalar((lw.dims()[0] as f64).ln()),
            seed,
        )
    },
    fault: "log of the weights' sum divided by k twice",
};
