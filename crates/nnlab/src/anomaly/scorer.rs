//! The scoring models of the anomaly job behind one interface: the autoencoder's reconstruction
//! error ‖x − D(E(x))‖², the VAE's negative ELBO and the RealNVP flow's negative log-likelihood.
//! Each trains on normal images and gives every image one score; larger means more anomalous.

use crate::data::Images;
use crate::io::{load_safetensors, to_safetensors};
use crate::models::autoencoder::{self, Autoencoder, ModelConfig};
use crate::models::realnvp::{self, RealNvp, RealNvpConfig};
use crate::models::vae::{self, Vae, VaeConfig};
use crate::train::{EpochStats, TrainConfig, TrainError, TrainObserver};
use burn::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which score an anomaly detector uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Scorer {
    /// Autoencoder reconstruction error s(x) = ‖x − D(E(x))‖².
    #[default]
    Ae,
    /// VAE negative evidence lower bound s(x) = −ELBO(x) in nats (see [`VAE_SCORE_SAMPLES`]).
    Vae,
    /// RealNVP flow negative log-likelihood s(x) = −log p(x) in nats of the discrete image
    /// (dequantized at u = ½, logit transform; see [`realnvp::image_nll`]).
    Flow,
}

/// Reparameterized samples averaged in the VAE score −ELBO(x) = −(1/S) Σ_s [log p(x|z_s) −
/// KL(q(z|x) ‖ N(0, I))], drawn from a generator with seed [`VAE_SCORE_SEED`] so a saved detector
/// reproduces its scores.
pub const VAE_SCORE_SAMPLES: usize = 8;
/// Seed of the VAE score's samples.
pub const VAE_SCORE_SEED: u64 = 0;

impl Scorer {
    /// The score as a formula, for plot titles.
    pub fn formula(self) -> &'static str {
        match self {
            Self::Ae => "reconstruction error s(x) = ||x - D(E(x))||^2",
            Self::Vae => "VAE negative ELBO s(x) = -ELBO(x) (nats)",
            Self::Flow => "RealNVP negative log-likelihood s(x) = -log p(x) (nats)",
        }
    }

    /// The training settings a run of this scorer starts from: the course recipe (Adam lr 1e-3,
    /// batch 100, 10 epochs) for the autoencoder and the VAE; for the flow lr 5e-4, gradients
    /// clipped to norm 1e4 per weight tensor (without both its loss spikes: single batches blow
    /// up), and 5 epochs (it is about 10 times slower per image than the autoencoder).
    pub fn train_defaults(self) -> TrainConfig {
        match self {
            Self::Ae | Self::Vae => TrainConfig::default(),
            Self::Flow => TrainConfig {
                epochs: 5,
                lr: 5e-4,
                grad_clip: Some(1e4),
                ..TrainConfig::default()
            },
        }
    }

    /// Whether the model reconstructs its input (writes `reconstructions.png`, not
    /// `extremes.png`).
    pub fn reconstructs(self) -> bool {
        match self {
            Self::Ae | Self::Vae => true,
            Self::Flow => false,
        }
    }

    /// The per-image training loss, for axis labels.
    pub fn loss_label(self) -> &'static str {
        match self {
            Self::Ae => "mean ||x - D(E(x))||^2",
            Self::Vae => "mean -ELBO (nats)",
            Self::Flow => "mean -log p(x) (nats, dequantized)",
        }
    }
}

impl fmt::Display for Scorer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Ae => "ae",
            Self::Vae => "vae",
            Self::Flow => "flow",
        })
    }
}

/// Shape of a scoring model; saved in `detector.json` (tagged by `"scorer"`) so a detector can
/// be rebuilt.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "scorer", rename_all = "lowercase")]
pub enum ScorerConfig {
    Ae(ModelConfig),
    Vae(VaeConfig),
    /// A flow on flattened `rows`×`cols` images.
    Flow {
        rows: usize,
        cols: usize,
        flow: RealNvpConfig,
    },
}

impl ScorerConfig {
    pub fn scorer(&self) -> Scorer {
        match self {
            Self::Ae(_) => Scorer::Ae,
            Self::Vae(_) => Scorer::Vae,
            Self::Flow { .. } => Scorer::Flow,
        }
    }

    /// Image height and width the model takes.
    pub fn image_size(&self) -> (usize, usize) {
        match self {
            Self::Ae(m) => (m.rows, m.cols),
            Self::Vae(m) => (m.rows, m.cols),
            Self::Flow { rows, cols, .. } => (*rows, *cols),
        }
    }

    /// Checks the configuration can be built; the message names the offending field.
    pub fn validate(&self) -> Result<(), String> {
        let (rows, cols) = self.image_size();
        if rows.checked_mul(cols).is_none() {
            return Err(format!("the image size {rows}x{cols} has too many pixels"));
        }
        match self {
            Self::Ae(m) => m.validate(),
            Self::Vae(m) => m.validate(),
            Self::Flow { rows, cols, flow } => {
                if flow.dim != rows * cols {
                    return Err(format!(
                        "the flow has dimension {} but the images have {rows}x{cols} pixels",
                        flow.dim
                    ));
                }
                flow.validate()
            }
        }
    }

    /// The network with fresh weights on `device`.
    pub fn init(&self, device: &Device) -> ScoringModel {
        match self {
            Self::Ae(m) => ScoringModel::Ae(m.init(device)),
            Self::Vae(m) => ScoringModel::Vae(m.init(device)),
            Self::Flow { flow, .. } => ScoringModel::Flow(flow.init(device)),
        }
    }
}

/// A trained scoring model of any kind.
#[derive(Module, Debug)]
#[allow(clippy::large_enum_variant)] // one per run
pub enum ScoringModel {
    Ae(Autoencoder),
    Vae(Vae),
    Flow(RealNvp),
}

/// Trains a fresh scoring model of shape `cfg` on the normal images `data`; the seed fixes the
/// initial weights, the batch order and any sampling noise.
pub fn train(
    cfg: &ScorerConfig,
    data: &Images,
    train_cfg: &TrainConfig,
    device: &Device,
    obs: &mut dyn TrainObserver,
) -> Result<(ScoringModel, Vec<EpochStats>), TrainError> {
    let (rows, cols) = cfg.image_size();
    if data.n > 0 && (data.rows, data.cols) != (rows, cols) {
        return Err(TrainError::Config(format!(
            "{} has {}x{} images; the model expects {rows}x{cols}",
            data.name, data.rows, data.cols
        )));
    }
    Ok(match cfg {
        ScorerConfig::Ae(m) => {
            let (model, h) = autoencoder::train(m, data, train_cfg, device, obs)?;
            (ScoringModel::Ae(model), h)
        }
        ScorerConfig::Vae(m) => {
            let (model, h) = vae::train(m, data, train_cfg, device, obs)?;
            (ScoringModel::Vae(model), h)
        }
        ScorerConfig::Flow { flow, .. } => {
            let (model, h) = realnvp::train_images(flow, data, train_cfg, device, obs)?;
            (ScoringModel::Flow(model), h)
        }
    })
}

impl ScoringModel {
    /// The anomaly score of every image of `data` (deterministic).
    pub fn score(&self, data: &Images, device: &Device) -> Vec<f32> {
        match self {
            Self::Ae(m) => autoencoder::score(m, data, device),
            Self::Vae(m) => vae::score(m, data, device, VAE_SCORE_SAMPLES, VAE_SCORE_SEED),
            Self::Flow(m) => realnvp::score_images(m, data, device),
        }
    }

    /// Reconstructions of the images `idx` (each a row-major `Vec` of pixels), for the models
    /// that reconstruct.
    pub fn reconstruct(
        &self,
        data: &Images,
        idx: &[usize],
        device: &Device,
    ) -> Option<Vec<Vec<f32>>> {
        match self {
            Self::Ae(m) => Some(autoencoder::reconstruct(m, data, idx, device)),
            Self::Vae(m) => {
                let x = crate::train::batch_tensor(data, idx, device);
                let flat = crate::train::to_vec(m.reconstruct(x));
                Some(flat.chunks(data.dim()).map(<[f32]>::to_vec).collect())
            }
            Self::Flow(_) => None,
        }
    }

    /// The weights in safetensors format.
    pub fn to_safetensors(&self) -> Result<Vec<u8>, String> {
        match self {
            Self::Ae(m) => to_safetensors(m),
            Self::Vae(m) => to_safetensors(m),
            Self::Flow(m) => to_safetensors(m),
        }
    }

    /// Loads weights saved by [`ScoringModel::to_safetensors`] into a model built from the
    /// same config.
    pub fn load_safetensors(self, bytes: Vec<u8>) -> Result<Self, String> {
        Ok(match self {
            Self::Ae(m) => Self::Ae(load_safetensors(m, bytes)?),
            Self::Vae(m) => Self::Vae(load_safetensors(m, bytes)?),
            Self::Flow(m) => Self::Flow(load_safetensors(m, bytes)?),
        })
    }
}
