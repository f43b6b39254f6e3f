//! RealNVP: a stack of K affine coupling layers f = f_K ∘ … ∘ f_1 with a standard normal base,
//!
//! log p_X(x) = log N(f(x); 0, I) + Σ_k log|det ∂f_k/∂h_{k−1}|,
//!
//! sampled by the exact inverse x = f⁻¹(z), z ~ N(0, I). Masks alternate between a set and its
//! complement (parity of the index, a checkerboard on images, or seeded random halves), so
//! every coordinate is transformed in every other layer.
//!
//! Submodules: [`images`] (dequantization, the logit transform, bits/dim, training and scoring on
//! images) and [`toy`] (two moons and rings, the Gaussian baseline, training on points); the
//! `nnlab realnvp` run is the job [`crate::jobs::realnvp`].

pub mod images;
pub mod toy;

#[cfg(test)]
mod tests_flow;
#[cfg(test)]
mod tests_images;
#[cfg(test)]
mod tests_toy;

pub use images::{
    bits_per_dim, image_nll, latent_codes, sample_images, score_images, train_images,
};

use super::coupling::{Coupling, CouplingConfig};
use crate::train::normal_noise;
use burn::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

/// How the masks Ω_k of the K layers are chosen. In every kind, layer k+1 keeps exactly the
/// coordinates that layer k transformed when k is even (Ω_{2j+1} = Ω_{2j}ᶜ).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MaskKind {
    /// Ω = even indices in even layers, odd indices in odd layers.
    Alternating,
    /// For images `cols` wide: Ω = pixels with (row + col) even, then odd, alternately.
    Checkerboard { cols: usize },
    /// Ω_{2j} = a random half (⌊n/2⌋ coordinates) drawn with `StdRng::seed_from_u64(seed + j)`,
    /// Ω_{2j+1} = its complement.
    Random { seed: u64 },
}

impl MaskKind {
    /// The mask Ω_k of layer k of a flow on `dim` coordinates.
    pub fn mask(&self, k: usize, dim: usize) -> Vec<usize> {
        let parity = |i: usize| match *self {
            MaskKind::Checkerboard { cols } if cols > 0 => (i / cols + i % cols) % 2,
            _ => i % 2,
        };
        match *self {
            MaskKind::Random { seed } => {
                let mut rng = StdRng::seed_from_u64(seed.wrapping_add((k / 2) as u64));
                let mut all: Vec<usize> = (0..dim).collect();
                all.shuffle(&mut rng);
                let half = dim / 2;
                let mut m = if k.is_multiple_of(2) {
                    all[..half].to_vec()
                } else {
                    all[half..].to_vec()
                };
                m.sort_unstable();
                m
            }
            _ => (0..dim).filter(|&i| parity(i) == k % 2).collect(),
        }
    }
}

/// Shape of a RealNVP flow; serialized beside the weights so a saved model can be rebuilt.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RealNvpConfig {
    /// Dimension n of x.
    pub dim: usize,
    /// Number K of coupling layers.
    pub layers: usize,
    /// Width of the hidden layers of each s, t network.
    pub hidden: usize,
    /// Hidden layers per s, t network.
    pub depth: usize,
    pub masks: MaskKind,
    /// b in s = b·tanh(ŝ/b) (see [`crate::models::coupling`]).
    pub scale_bound: f64,
    /// Start every coupling as the identity (zero output layer).
    pub zero_init: bool,
}

impl RealNvpConfig {
    /// The default flow for points in R^`dim` (the 2-D toys): 10 layers, width 64, 2 hidden
    /// layers per net, alternating masks, scale bound 3, identity start.
    pub fn for_points(dim: usize) -> Self {
        Self {
            dim,
            layers: 10,
            hidden: 64,
            depth: 2,
            masks: MaskKind::Alternating,
            scale_bound: 3.0,
            zero_init: true,
        }
    }

    /// The default image model: 6 checkerboard couplings on the flattened `rows·cols` vector,
    /// s, t nets with 2 hidden layers of width 256, scale bound 2, identity start.
    pub fn for_images(rows: usize, cols: usize) -> Self {
        Self {
            dim: rows * cols,
            layers: 6,
            hidden: 256,
            depth: 2,
            masks: MaskKind::Checkerboard { cols },
            scale_bound: 2.0,
            zero_init: true,
        }
    }

    /// The config of coupling layer `k`.
    pub fn coupling(&self, k: usize) -> CouplingConfig {
        CouplingConfig {
            dim: self.dim,
            kept: self.masks.mask(k, self.dim),
            hidden: self.hidden,
            depth: self.depth,
            scale_bound: self.scale_bound,
            zero_init: self.zero_init,
        }
    }

    /// Checks that the flow can be built; the message names the offending field.
    pub fn validate(&self) -> Result<(), String> {
        if self.dim < 2 {
            return Err(format!(
                "a coupling flow needs dimension at least 2, got {}",
                self.dim
            ));
        }
        if self.layers == 0 {
            return Err("the number of layers must be positive".into());
        }
        if let MaskKind::Checkerboard { cols } = self.masks
            && (cols == 0 || !self.dim.is_multiple_of(cols))
        {
            return Err(format!(
                "checkerboard masks need an image width dividing the dimension {}, got {cols}",
                self.dim
            ));
        }
        for k in 0..self.layers.min(2) {
            self.coupling(k)
                .validate()
                .map_err(|e| format!("layer {}: {e}", k + 1))?;
        }
        Ok(())
    }

    /// Builds the flow on `device` (create it through `train::seeded`). Panics on an invalid
    /// config: call [`RealNvpConfig::validate`] first.
    pub fn init(&self, device: &Device) -> RealNvp {
        if let Err(e) = self.validate() {
            panic!("invalid RealNVP config: {e}");
        }
        RealNvp {
            couplings: (0..self.layers)
                .map(|k| self.coupling(k).init(device))
                .collect(),
            dim: self.dim,
        }
    }
}

/// A RealNVP flow (see the module documentation).
#[derive(Module, Debug)]
pub struct RealNvp {
    couplings: Vec<Coupling>,
    dim: usize,
}

/// ½ ln(2π).
const HALF_LN_2PI: f64 = 0.918_938_533_204_672_7;

impl RealNvp {
    /// Dimension n of x.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The coupling layers, in the order x passes through them.
    pub fn couplings(&self) -> &[Coupling] {
        &self.couplings
    }

    /// z = f(x) and Σ_k log|det| of each row of x [batch, n].
    pub fn forward(&self, x: Tensor<2>) -> (Tensor<2>, Tensor<1>) {
        let b = x.dims()[0];
        let zero = Tensor::zeros([b], &x.device());
        self.couplings.iter().fold((x, zero), |(h, ld), c| {
            let (h, l) = c.forward(h);
            (h, ld + l)
        })
    }

    /// x = f⁻¹(z) = f_1⁻¹ ∘ … ∘ f_K⁻¹(z).
    pub fn inverse(&self, z: Tensor<2>) -> Tensor<2> {
        self.couplings.iter().rev().fold(z, |h, c| c.inverse(h))
    }

    /// log p_X(x) in nats per row: log N(f(x); 0, I) + log|det ∂f/∂x|, with
    /// log N(z; 0, I) = −½‖z‖² − (n/2) ln 2π.
    pub fn log_prob(&self, x: Tensor<2>) -> Tensor<1> {
        let b = x.dims()[0];
        let (z, log_det) = self.forward(x);
        let log_base = z.square().sum_dim(1).reshape([b]) * -0.5 - HALF_LN_2PI * self.dim as f64;
        log_base + log_det
    }

    /// `count` samples x = f⁻¹(z), z ~ N(0, I) drawn from `rng`.
    pub fn sample(&self, count: usize, rng: &mut StdRng, device: &Device) -> Tensor<2> {
        self.inverse(normal_noise(rng, [count, self.dim], device))
    }
}
