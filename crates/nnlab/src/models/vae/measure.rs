//! Training a VAE on the negative ELBO, and measuring a trained one on data: per-image anomaly
//! scores (−ELBO), codes μ(x), the test ELBO with its two terms, importance-weighted bounds
//! IW_k, and samples.

use super::{Vae, VaeConfig};
use crate::data::Images;
use crate::train::{self as fit, EpochStats, TrainConfig, TrainError, TrainObserver};
use crate::train::{batch_tensor, normal_noise, score_in_batches};
use burn::prelude::*;
use burn::tensor::activation::sigmoid;
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::time::Instant;

/// Images per evaluation batch.
const EVAL_BATCH: usize = 500;

/// Trains a fresh VAE of shape `cfg` on `data` with [`fit::fit`] on the batch loss
/// L = Σ_{x ∈ batch} −ELBO(x), one reparameterized sample per image, the noise ε drawn from the
/// run's seeded generator. The seed fixes the initial weights, the batch order and the noise.
pub fn train(
    cfg: &VaeConfig,
    data: &Images,
    train: &TrainConfig,
    device: &Device,
    obs: &mut dyn TrainObserver,
) -> Result<(Vae, Vec<EpochStats>), TrainError> {
    cfg.validate().map_err(TrainError::Config)?;
    if data.n == 0 || data.dim() != cfg.input_dim() {
        return Err(TrainError::Config(format!(
            "training set {} has {} images of {} pixels; the VAE expects {} pixels",
            data.name,
            data.n,
            data.dim(),
            cfg.input_dim()
        )));
    }
    let latent = cfg.latent;
    fit::fit_fresh(
        |device| cfg.init(device),
        data,
        train,
        device,
        |m: &Vae, x, rng| {
            let eps = normal_noise(rng, [x.dims()[0], latent], &x.device());
            m.neg_elbo(x, eps).sum()
        },
        obs,
    )
}

/// The code of every image of `data`: the mean μ(x) of q(z|x), row-major [n, latent], in
/// batches.
pub fn codes(model: &Vae, data: &Images, device: &Device) -> Vec<f32> {
    score_in_batches(data, EVAL_BATCH, device, |x| model.encode(x).0)
}

/// −ELBO per image averaged over `samples` reparameterized draws from a StdRng seeded by `seed`,
/// in batches: the anomaly score s(x) = −(1/S) Σ_s [log p(x|z_s) − KL(q(z|x) ‖ N(0, I))].
/// `samples` = 0 is treated as 1.
pub fn score(model: &Vae, data: &Images, device: &Device, samples: usize, seed: u64) -> Vec<f32> {
    let mut rng = StdRng::seed_from_u64(seed);
    let samples = samples.max(1);
    score_in_batches(data, EVAL_BATCH, device, |x| {
        let b = x.dims()[0];
        let (mu, log_var) = model.encode(x.clone()); // q(z|x) does not depend on the sample
        let mut total = Tensor::<1>::zeros([b], device);
        for _ in 0..samples {
            let eps = normal_noise(&mut rng, [b, model.latent()], device);
            let (recon, kl) = model.elbo_terms_at(x.clone(), mu.clone(), log_var.clone(), eps);
            total = total + (kl - recon);
        }
        total.div_scalar(samples as f64)
    })
}

/// A mean over images with its standard error (sample std / √n), in nats.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Estimate {
    pub mean: f64,
    pub stderr: f64,
}

impl Estimate {
    fn of(v: &[f32]) -> Self {
        let (mean, std) = crate::metrics::mean_std(v); // std with the n − 1 denominator
        Self {
            mean,
            stderr: std / (v.len().max(1) as f64).sqrt(),
        }
    }
}

/// The importance-weighted bound IW_k averaged over the images.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct IwEstimate {
    pub k: usize,
    /// Mean of IW_k over the images, in nats.
    pub nats: Estimate,
}

/// The measurements of a trained VAE on a data set (all in nats per image).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Evaluation {
    pub images: usize,
    /// Mean single-sample ELBO estimate log p(x|z) − KL (one reparameterized z per image).
    pub elbo: Estimate,
    /// Mean of the reconstruction term log p(x|z) of that estimate.
    pub reconstruction: Estimate,
    /// Mean of the closed-form KL(q(z|x) ‖ N(0, I)).
    pub kl: Estimate,
    /// IW_k for each requested k (each with fresh samples).
    pub iw: Vec<IwEstimate>,
    pub seconds: f64,
}

/// Measures `model` on `data`: the ELBO with its terms and IW_k for every k in `iw_samples`,
/// with noise from a StdRng seeded by `seed` (ks of 0 are skipped).
pub fn evaluate(
    model: &Vae,
    data: &Images,
    device: &Device,
    iw_samples: &[usize],
    seed: u64,
) -> Evaluation {
    let start = Instant::now();
    let mut rng = StdRng::seed_from_u64(seed);
    let all: Vec<usize> = (0..data.n).collect();
    let (mut recon, mut kl, mut elbo) = (Vec::new(), Vec::new(), Vec::new());
    for idx in all.chunks(EVAL_BATCH) {
        let x = batch_tensor(data, idx, device);
        let eps = normal_noise(&mut rng, [idx.len(), model.latent()], device);
        let (r, k) = model.elbo_terms(x, eps);
        let (r, k) = (to_vec(r), to_vec(k));
        elbo.extend(r.iter().zip(&k).map(|(r, k)| r - k));
        recon.extend(r);
        kl.extend(k);
    }
    let iw = iw_samples
        .iter()
        .filter(|&&k| k > 0)
        .map(|&k| {
            let mut v = Vec::with_capacity(data.n);
            for idx in all.chunks(EVAL_BATCH) {
                let x = batch_tensor(data, idx, device);
                v.extend(to_vec(model.iw_log_likelihood(x, k, &mut rng)));
            }
            IwEstimate {
                k,
                nats: Estimate::of(&v),
            }
        })
        .collect();
    Evaluation {
        images: data.n,
        elbo: Estimate::of(&elbo),
        reconstruction: Estimate::of(&recon),
        kl: Estimate::of(&kl),
        iw,
        seconds: start.elapsed().as_secs_f64(),
    }
}

/// `n` samples from the model: z ~ N(0, I) from `rng`, decoded to the Bernoulli means σ(l(z)),
/// each a row-major `Vec` of rows·cols pixels in (0, 1).
pub fn sample_means(model: &Vae, n: usize, device: &Device, rng: &mut StdRng) -> Vec<Vec<f32>> {
    if n == 0 {
        return Vec::new();
    }
    let z = normal_noise(rng, [n, model.latent()], device);
    let means = sigmoid(model.decode_logits(z));
    let d = means.dims()[1];
    to_vec(means).chunks(d).map(<[f32]>::to_vec).collect()
}

pub(crate) use crate::train::to_vec;
