//! RealNVP on images: uniform dequantization, the logit transform of the RealNVP paper, the
//! negative log-likelihood of the discrete image in nats and bits/dim, training with
//! [`crate::train::fit`], deterministic scoring (the flow anomaly score), latent codes and
//! sampling.
//!
//! A pixel x ∈ {0, 1/255, …, 1} is dequantized to y = (255·x + u)/256 with u ~ U(0, 1), so y has
//! a density on [0, 1]^D, then mapped to v = logit(p) with p = α + (1 − 2α)·y (α = 0.05 keeps
//! p away from 0 and 1). The flow models v. By the change of variables and since each discrete
//! value owns a cube of volume 256^{−D} in y-space,
//!
//! −log P(x) ≈ −log p_V(v) − log|dv/dy| + D·log 256,
//! log|dv/dy| = Σ_i [log(1 − 2α) − log p_i − log(1 − p_i)],
//!
//! and bits/dim = nll / (D·ln 2) (8 bits/dim is the uniform distribution over 256 levels).

use super::{RealNvp, RealNvpConfig};
use crate::data::Images;
use crate::train::{
    self as fit, EpochStats, TrainConfig, TrainError, TrainObserver, uniform_noise,
};
use burn::prelude::*;
use burn::tensor::activation::sigmoid;
use rand::rngs::StdRng;

/// α of the logit transform p = α + (1 − 2α)·y (the RealNVP paper's value).
pub const LOGIT_ALPHA: f64 = 0.05;

/// Images scored per batch in [`score_images`] and [`test_nll`].
const SCORE_BATCH: usize = 500;

/// v = logit(α + (1 − 2α)·y) and log|dv/dy| per row, for dequantized y [batch, D] in [0, 1].
pub fn logit_transform(y: Tensor<2>) -> (Tensor<2>, Tensor<1>) {
    let b = y.dims()[0];
    let a = LOGIT_ALPHA;
    let p = y * (1.0 - 2.0 * a) + a;
    let log_p = p.clone().log();
    let log_1mp = p.neg().add_scalar(1.0).log();
    let v = log_p.clone() - log_1mp.clone();
    let log_det = (log_p + log_1mp).neg().add_scalar((1.0 - 2.0 * a).ln());
    (v, log_det.sum_dim(1).reshape([b]))
}

/// The inverse of the logit transform: y = (sigmoid(v) − α)/(1 − 2α), clamped to [0, 1].
pub fn inverse_logit(v: Tensor<2>) -> Tensor<2> {
    let a = LOGIT_ALPHA;
    ((sigmoid(v) - a) / (1.0 - 2.0 * a)).clamp(0.0, 1.0)
}

/// −log p of each discrete image in nats, given pixels in [0,1] [batch, D] and dequantization
/// noise u in [0,1) of the same shape: with y = (255·x + u)/256 and v = logit(α + (1−2α)y),
/// nll = −log p_V(v) − log|dv/dy| + D·ln 256 (see the module documentation).
pub fn image_nll(model: &RealNvp, pixels: Tensor<2>, u: Tensor<2>) -> Tensor<1> {
    let d = pixels.dims()[1];
    let y = (pixels * 255.0 + u) / 256.0;
    let (v, log_dv_dy) = logit_transform(y);
    (model.log_prob(v) + log_dv_dy)
        .neg()
        .add_scalar(d as f64 * 256f64.ln())
}

/// bits/dim = nll / (D · ln 2).
pub fn bits_per_dim(nll_nats: f64, dim: usize) -> f64 {
    nll_nats / (dim as f64 * std::f64::consts::LN_2)
}

/// Checks that `data` fits a flow of `cfg`.
fn check_data(cfg: &RealNvpConfig, data: &Images) -> Result<(), TrainError> {
    if data.n == 0 || data.dim() != cfg.dim {
        return Err(TrainError::Config(format!(
            "{} has {} images of {} pixels; the flow expects {} pixels",
            data.name,
            data.n,
            data.dim(),
            cfg.dim
        )));
    }
    Ok(())
}

/// Trains a fresh image flow (seeded init via train::seeded, dequantization noise from fit's
/// rng) by minimizing the batch sum of [`image_nll`] with Adam.
pub fn train_images(
    cfg: &RealNvpConfig,
    data: &Images,
    train: &TrainConfig,
    device: &Device,
    obs: &mut dyn TrainObserver,
) -> Result<(RealNvp, Vec<EpochStats>), TrainError> {
    cfg.validate().map_err(TrainError::Config)?;
    check_data(cfg, data)?;
    fit::fit_fresh(
        |device| cfg.init(device),
        data,
        train,
        device,
        |m: &RealNvp, x, rng| {
            let u = uniform_noise(rng, x.dims(), &x.device());
            image_nll(m, x, u).sum()
        },
        obs,
    )
}

/// Per-image NLL in nats of all of `data` with noise `u(batch_dims)` for each batch.
fn nll_in_batches(
    model: &RealNvp,
    data: &Images,
    device: &Device,
    mut noise: impl FnMut([usize; 2]) -> Tensor<2>,
) -> Vec<f32> {
    crate::train::score_in_batches(data, SCORE_BATCH, device, |x| {
        let u = noise(x.dims());
        image_nll(model, x, u)
    })
}

/// Deterministic per-image NLL in nats (u = ½ for every pixel), computed in batches: the anomaly score.
pub fn score_images(model: &RealNvp, data: &Images, device: &Device) -> Vec<f32> {
    nll_in_batches(model, data, device, |dims| Tensor::full(dims, 0.5, device))
}

/// The latent code of every image of `data`, row-major [n, D]: z = f(v) with the deterministic
/// dequantization of the score (u = ½), y = (255·x + ½)/256 and v = logit(α + (1 − 2α)·y).
pub fn latent_codes(model: &RealNvp, data: &Images, device: &Device) -> Vec<f32> {
    crate::train::score_in_batches(data, SCORE_BATCH, device, |x| {
        let y = (x * 255.0).add_scalar(0.5) / 256.0;
        model.forward(logit_transform(y).0).0
    })
}

/// Per-image NLL in nats with dequantization noise u ~ U(0,1) drawn from `rng` (the usual
/// test metric: its mean is the Monte Carlo estimate of the dequantized bound).
pub fn test_nll(model: &RealNvp, data: &Images, rng: &mut StdRng, device: &Device) -> Vec<f32> {
    nll_in_batches(model, data, device, |dims| uniform_noise(rng, dims, device))
}

/// `count` images y = inverse_logit(f⁻¹(T·z)), z ~ N(0, I) from `rng`, each a row-major `Vec`
/// of D values in [0, 1]. T = `temperature` = 1 samples the model; T < 1 (e.g. 0.7, as in the
/// Glow paper) draws from the more typical centre of the base and gives cleaner images.
pub fn sample_images(
    model: &RealNvp,
    count: usize,
    temperature: f64,
    rng: &mut StdRng,
    device: &Device,
) -> Vec<Vec<f32>> {
    if count == 0 {
        return Vec::new();
    }
    let z = crate::train::normal_noise(rng, [count, model.dim()], device) * temperature;
    let y = inverse_logit(model.inverse(z));
    let flat = crate::train::to_vec(y);
    flat.chunks(model.dim()).map(<[f32]>::to_vec).collect()
}
