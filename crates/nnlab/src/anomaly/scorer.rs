//! The scoring models of the anomaly job behind one interface: the autoencoder's reconstruction
//! error ‖x − D(E(x))‖², the VAE's negative ELBO, the RealNVP flow's negative log-likelihood and
//! the optimal value of the sparse-coding problem. Each trains on normal images and gives every
//! image one score; larger means more anomalous.

use crate::data::Images;
use crate::io::{load_safetensors, to_safetensors};
use crate::models::autoencoder::{self, Autoencoder, ModelConfig};
use crate::models::realnvp::{self, RealNvp, RealNvpConfig};
use crate::models::sparse_coding::{Dictionary, DictionaryConfig, RoundStats, SparseCoder};
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
    /// Sparse-coding objective s(x) = ½‖x − Dẑ(x)‖² + λ‖ẑ(x)‖₁ of a learned dictionary D, ẑ(x)
    /// by FISTA (see [`crate::models::sparse_coding`]).
    Sparse,
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
            Self::Sparse => "sparse coding s(x) = 1/2 ||x - Dz(x)||^2 + lambda ||z(x)||_1",
        }
    }

    /// The training settings a run of this scorer starts from: the course recipe (Adam lr 1e-3,
    /// batch 100, 10 epochs) for the autoencoder and the VAE; for the flow lr 5e-4, gradients
    /// clipped to norm 1e4 per weight tensor (without both its loss spikes: single batches blow
    /// up), and 5 epochs (it is about 10 times slower per image than the autoencoder). The
    /// sparse scorer's epochs are rounds of dictionary learning (code every training image, then
    /// update every atom); it takes 5 (batch size and learning rate do not apply to it).
    pub fn train_defaults(self) -> TrainConfig {
        match self {
            Self::Ae | Self::Vae => TrainConfig::default(),
            Self::Sparse => TrainConfig {
                epochs: 5,
                ..TrainConfig::default()
            },
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
            Self::Ae | Self::Vae | Self::Sparse => true,
            Self::Flow => false,
        }
    }

    /// The per-image training loss, for axis labels.
    pub fn loss_label(self) -> &'static str {
        match self {
            Self::Ae => "mean ||x - D(E(x))||^2",
            Self::Vae => "mean -ELBO (nats)",
            Self::Flow => "mean -log p(x) (nats, dequantized)",
            Self::Sparse => "mean 1/2 ||x - Dz||^2 + lambda ||z||_1",
        }
    }
}

impl fmt::Display for Scorer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Ae => "ae",
            Self::Vae => "vae",
            Self::Flow => "flow",
            Self::Sparse => "sparse",
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
    /// A sparse coder of flattened `rows`×`cols` images.
    Sparse {
        rows: usize,
        cols: usize,
        sparse: SparseConfig,
    },
}

/// The sparse-coding scorer's settings: K atoms, λ and the FISTA iterations per code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SparseConfig {
    /// K, the number of atoms (the code size).
    pub atoms: usize,
    /// λ > 0 of the coding problem ½‖x − Dz‖² + λ‖z‖₁.
    pub lambda: f64,
    /// FISTA iterations per code.
    pub coding_iterations: usize,
}

impl SparseConfig {
    /// The dictionary-learning settings for `rounds` rounds from initial atoms drawn with `seed`.
    pub fn dictionary(&self, rounds: usize, seed: u64) -> DictionaryConfig {
        DictionaryConfig {
            atoms: self.atoms,
            lambda: self.lambda,
            rounds,
            coding_iterations: self.coding_iterations,
            seed,
        }
    }

    /// Checks every setting; the error is (field, message).
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        self.dictionary(0, 0).validate()
    }
}

impl ScorerConfig {
    pub fn scorer(&self) -> Scorer {
        match self {
            Self::Ae(_) => Scorer::Ae,
            Self::Vae(_) => Scorer::Vae,
            Self::Flow { .. } => Scorer::Flow,
            Self::Sparse { .. } => Scorer::Sparse,
        }
    }

    /// Image height and width the model takes.
    pub fn image_size(&self) -> (usize, usize) {
        match self {
            Self::Ae(m) => (m.rows, m.cols),
            Self::Vae(m) => (m.rows, m.cols),
            Self::Flow { rows, cols, .. } | Self::Sparse { rows, cols, .. } => (*rows, *cols),
        }
    }

    /// The width of a code ([`ScoringModel::codes`]): the code width of the autoencoder and the
    /// VAE, the image dimension for the flow (its z has the image's dimension), the number of
    /// atoms for the sparse coder.
    pub fn code_width(&self) -> usize {
        match self {
            Self::Ae(m) => m.latent,
            Self::Vae(m) => m.latent,
            Self::Flow { flow, .. } => flow.dim,
            Self::Sparse { sparse, .. } => sparse.atoms,
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
            Self::Sparse { sparse, .. } => sparse.validate().map_err(|(f, m)| format!("{f} {m}")),
        }
    }

    /// The network with fresh weights on `device`.
    pub fn init(&self, device: &Device) -> ScoringModel {
        match self {
            Self::Ae(m) => ScoringModel::Ae(m.init(device)),
            Self::Vae(m) => ScoringModel::Vae(m.init(device)),
            Self::Flow { flow, .. } => ScoringModel::Flow(flow.init(device)),
            Self::Sparse { rows, cols, sparse } => ScoringModel::Sparse(SparseCoder::zeros(
                rows * cols,
                sparse.atoms,
                sparse.lambda,
                sparse.coding_iterations,
                device,
            )),
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
    Sparse(SparseCoder),
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
        ScorerConfig::Sparse { sparse, .. } => {
            let (coder, h) = train_sparse(sparse, data, train_cfg, device, obs)?;
            (ScoringModel::Sparse(coder), h)
        }
    })
}

/// Learns the dictionary of a sparse scorer: `train_cfg.epochs` rounds of
/// [`Dictionary::train`] from atoms drawn with `train_cfg.seed`. An epoch's loss is the mean
/// coding objective of the training images at the start of its round.
fn train_sparse(
    cfg: &SparseConfig,
    data: &Images,
    train_cfg: &TrainConfig,
    device: &Device,
    obs: &mut dyn TrainObserver,
) -> Result<(SparseCoder, Vec<EpochStats>), TrainError> {
    let rounds = train_cfg.epochs;
    let epoch = |s: &RoundStats| EpochStats {
        epoch: s.round,
        loss_per_image: s.objective_coded,
        seconds: s.seconds,
        images_per_sec: data.n as f64 / s.seconds.max(1e-9),
    };
    if rounds > 0 {
        obs.epoch_start(1, rounds, 1);
    }
    let dict_cfg = cfg.dictionary(rounds, train_cfg.seed);
    let (dict, stats) = Dictionary::train(data, &dict_cfg, device, &mut |s| {
        let e = epoch(s);
        obs.step(e.loss_per_image, e.images_per_sec);
        obs.epoch_end(&e);
        if s.round < rounds {
            obs.epoch_start(s.round + 1, rounds, 1);
        }
    })
    .map_err(TrainError::Config)?;
    let history = stats.iter().map(epoch).collect();
    Ok((SparseCoder::from_dictionary(&dict, device), history))
}

impl ScoringModel {
    /// The anomaly score of every image of `data` (deterministic).
    pub fn score(&self, data: &Images, device: &Device) -> Vec<f32> {
        match self {
            Self::Ae(m) => autoencoder::score(m, data, device),
            Self::Vae(m) => vae::score(m, data, device, VAE_SCORE_SAMPLES, VAE_SCORE_SEED),
            Self::Flow(m) => realnvp::score_images(m, data, device),
            Self::Sparse(m) => m.score(data, device),
        }
    }

    /// The latent code of every image, row-major [n, width] ([`ScorerConfig::code_width`]):
    /// the autoencoder's bottleneck E(x), the VAE's posterior mean μ(x), the flow's z = f(v) of
    /// the image dequantized at u = ½ (see [`realnvp::latent_codes`]), the sparse coder's ẑ(x).
    pub fn codes(&self, data: &Images, device: &Device) -> Vec<f32> {
        match self {
            Self::Ae(m) => autoencoder::codes(m, data, device),
            Self::Vae(m) => vae::codes(m, data, device),
            Self::Flow(m) => realnvp::latent_codes(m, data, device),
            Self::Sparse(m) => m.codes(data, device),
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
            Self::Sparse(m) => Some(m.reconstruct(data, idx, device)),
            Self::Flow(_) => None,
        }
    }

    /// The weights in safetensors format.
    pub fn to_safetensors(&self) -> Result<Vec<u8>, String> {
        match self {
            Self::Ae(m) => to_safetensors(m),
            Self::Vae(m) => to_safetensors(m),
            Self::Flow(m) => to_safetensors(m),
            Self::Sparse(m) => to_safetensors(m),
        }
    }

    /// Loads weights saved by [`ScoringModel::to_safetensors`] into a model built from the
    /// same config.
    pub fn load_safetensors(self, bytes: Vec<u8>) -> Result<Self, String> {
        Ok(match self {
            Self::Ae(m) => Self::Ae(load_safetensors(m, bytes)?),
            Self::Vae(m) => Self::Vae(load_safetensors(m, bytes)?),
            Self::Flow(m) => Self::Flow(load_safetensors(m, bytes)?),
            Self::Sparse(m) => Self::Sparse(load_safetensors(m, bytes)?),
        })
    }
}

#[cfg(test)]
mod tests {
    //! The codes are the models' latent variables: decoding them gives the reconstructions
    //! (AE: D(E(x)); VAE: σ(l(μ(x)))), and inverting the flow's z gives back the dequantized
    //! image. Tolerances: f32 arithmetic of the same operations, 1e-6 for the decoders (the same
    //! ops in the same order) and 1e-4 for the flow (a round trip through three couplings and
    //! the logit; a wrong dequantization u = 0 is off by 0.5/256 ≈ 2e-3). The sparse coder's
    //! codes ẑ(x) give its score ½‖x − Dẑ‖² + λ‖ẑ‖₁ (1e-4 relative: f32 sums of 16 pixels).
    use super::*;
    use crate::models::realnvp::images::inverse_logit;
    use crate::train::{seeded, to_vec};
    use burn::tensor::activation::sigmoid;

    fn images(n: usize) -> Images {
        Images {
            n,
            rows: 4,
            cols: 4,
            pixels: (0..n * 16)
                .map(|k| ((k * 37 + 11) % 256) as f32 / 255.0)
                .collect(),
            labels: None,
            name: "generated".into(),
        }
    }

    fn tensor(v: Vec<f32>, n: usize, device: &Device) -> Tensor<2> {
        let w = v.len() / n;
        Tensor::from_data(TensorData::new(v, [n, w]), device)
    }

    fn max_diff(a: &[f32], b: &[f32]) -> f32 {
        assert_eq!(a.len(), b.len());
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f32::max)
    }

    fn model(cfg: &ScorerConfig, device: &Device) -> ScoringModel {
        seeded(device, 3, || cfg.init(device))
    }

    #[test]
    fn autoencoder_and_vae_codes_decode_to_the_reconstructions() {
        let device = Device::flex();
        let data = images(7);
        let all: Vec<usize> = (0..data.n).collect();
        let ae = ScorerConfig::Ae(ModelConfig {
            hidden: vec![6],
            latent: 3,
            ..ModelConfig::mlp(4, 4)
        });
        let vae = ScorerConfig::Vae(VaeConfig {
            hidden: vec![6],
            latent: 2,
            ..VaeConfig::for_images(4, 4)
        });
        for cfg in [ae, vae] {
            let m = model(&cfg, &device);
            let codes = m.codes(&data, &device);
            assert_eq!(codes.len(), data.n * cfg.code_width(), "{cfg:?}");
            let z = tensor(codes, data.n, &device);
            let decoded = match &m {
                ScoringModel::Ae(a) => to_vec(a.decode(z.clone())),
                ScoringModel::Vae(v) => to_vec(sigmoid(v.decode_logits(z.clone()))),
                ScoringModel::Flow(_) | ScoringModel::Sparse(_) => unreachable!(),
            };
            let rec = m.reconstruct(&data, &all, &device).unwrap().concat();
            assert!(max_diff(&decoded, &rec) < 1e-6, "{cfg:?}");
            if let ScoringModel::Vae(v) = &m {
                // A sample z = μ + σ (ε = 1) instead of μ decodes elsewhere: the check can fail.
                let x = crate::train::batch_tensor(&data, &all, &device);
                let (mu, log_var) = v.encode(x);
                let sample = to_vec(sigmoid(v.decode_logits(mu + (log_var * 0.5).exp())));
                assert!(max_diff(&sample, &rec) > 1e-3);
            }
        }
    }

    #[test]
    fn flow_codes_invert_to_the_dequantized_image() {
        let device = Device::flex();
        let data = images(5);
        let cfg = ScorerConfig::Flow {
            rows: 4,
            cols: 4,
            flow: RealNvpConfig {
                zero_init: false,
                hidden: 8,
                layers: 3,
                ..RealNvpConfig::for_images(4, 4)
            },
        };
        let m = model(&cfg, &device);
        let ScoringModel::Flow(flow) = &m else {
            unreachable!()
        };
        let codes = m.codes(&data, &device);
        assert_eq!(codes.len(), data.n * cfg.code_width());
        let back = to_vec(inverse_logit(flow.inverse(tensor(codes, data.n, &device))));
        let at = |u: f32| -> Vec<f32> {
            data.pixels
                .iter()
                .map(|x| (255.0 * x + u) / 256.0)
                .collect()
        };
        assert!(max_diff(&back, &at(0.5)) < 1e-4);
        assert!(max_diff(&back, &at(0.0)) > 1e-3);
        // z is not the logit-space input itself: the couplings moved it.
        let y = tensor(at(0.5), data.n, &device);
        let v = to_vec(crate::models::realnvp::images::logit_transform(y).0);
        assert!(max_diff(&v, &m.codes(&data, &device)) > 1e-2);
    }

    #[test]
    fn sparse_codes_give_the_coding_objective() {
        let device = Device::flex();
        let data = images(6);
        let sparse = SparseConfig {
            atoms: 5,
            lambda: 0.05,
            coding_iterations: 100,
        };
        let dict = Dictionary::initial(&data, &sparse.dictionary(0, 3)).unwrap();
        let m = ScoringModel::Sparse(SparseCoder::from_dictionary(&dict, &device));
        let cfg = ScorerConfig::Sparse {
            rows: 4,
            cols: 4,
            sparse,
        };
        let codes = m.codes(&data, &device);
        assert_eq!(codes.len(), data.n * cfg.code_width());
        assert!(codes.iter().any(|&z| z != 0.0), "some atom is used");
        let rec = dict.reconstruct(&codes);
        let scores = m.score(&data, &device);
        for i in 0..data.n {
            let x = &data.pixels[i * 16..(i + 1) * 16];
            let r: f32 = x
                .iter()
                .zip(&rec[i * 16..])
                .map(|(a, b)| (a - b).powi(2))
                .sum();
            let l1: f32 = codes[i * 5..(i + 1) * 5].iter().map(|z| z.abs()).sum();
            let objective = 0.5 * r + 0.05 * l1;
            assert!(
                (objective - scores[i]).abs() <= 1e-4 * scores[i],
                "{objective} vs {}",
                scores[i]
            );
        }
    }
}
