//! Training an autoencoder on normal images by minimizing Σ_batch ‖X − D(E(X))‖² with Adam, and
//! scoring images by their reconstruction error s(X) = ‖X − D(E(X))‖², and their codes E(X).

use super::{Autoencoder, ModelConfig};
use crate::data::Images;
use crate::train::{self as fit, EpochStats, TrainConfig, TrainError, TrainObserver, batch_tensor};
use burn::prelude::*;

/// Trains a fresh autoencoder of shape `model_cfg` on `data` with [`fit::fit`] on the batch
/// loss L = Σ_{x ∈ batch} ‖x − D(E(x))‖². The seed fixes both the initial weights and the
/// batch order. Returns the trained network (without autodiff) and per-epoch statistics.
pub fn train(
    model_cfg: &ModelConfig,
    data: &Images,
    cfg: &TrainConfig,
    device: &Device,
    observer: &mut dyn TrainObserver,
) -> Result<(Autoencoder, Vec<EpochStats>), TrainError> {
    model_cfg.validate().map_err(TrainError::Config)?;
    if data.n == 0 || data.dim() != model_cfg.input_dim() {
        return Err(TrainError::Config(format!(
            "training set has {} images of {} pixels; the model expects {} pixels",
            data.n,
            data.dim(),
            model_cfg.input_dim()
        )));
    }
    fit::fit_fresh(
        |device| model_cfg.init(device),
        data,
        cfg,
        device,
        |m: &Autoencoder, x, _| (m.forward(x.clone()) - x).square().sum(),
        observer,
    )
}

/// Anomaly scores s(x) = ‖x − D(E(x))‖² for every image of `data`, computed in batches.
pub fn score(model: &Autoencoder, data: &Images, device: &Device) -> Vec<f32> {
    fit::score_in_batches(data, 1000, device, |x| {
        (model.forward(x.clone()) - x).square().sum_dim(1)
    })
}

/// The code z = E(x) (the bottleneck) of every image of `data`, row-major [n, latent], computed
/// in batches.
pub fn codes(model: &Autoencoder, data: &Images, device: &Device) -> Vec<f32> {
    fit::score_in_batches(data, 1000, device, |x| model.encode(x))
}

/// The reconstructions D(E(x)) of the images `idx`, each a row-major `Vec` of n pixels.
pub fn reconstruct(
    model: &Autoencoder,
    data: &Images,
    idx: &[usize],
    device: &Device,
) -> Vec<Vec<f32>> {
    if idx.is_empty() {
        return Vec::new();
    }
    let y = model.forward(batch_tensor(data, idx, device));
    let flat = fit::to_vec(y);
    flat.chunks(data.dim()).map(<[f32]>::to_vec).collect()
}
