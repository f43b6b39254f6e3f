//! The two MLPs of the GAN: a generator G: z ↦ x (LeakyReLU hidden layers, sigmoid output in
//! [0, 1]) and a discriminator D: x ↦ logit a (LeakyReLU hidden layers), with D(x) = σ(a).

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::{leaky_relu, sigmoid};
use serde::{Deserialize, Serialize};

/// Negative slope of the LeakyReLUs (the usual GAN choice; in G too, where plain ReLUs
/// measured a generator that ignored z after the first epoch).
pub const LEAKY_SLOPE: f64 = 0.2;

/// Shapes of both networks: G is latent → hidden… → data_dim, D is data_dim → hidden reversed… → 1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GanShape {
    /// Width of the latent code z ~ N(0, I).
    pub latent: usize,
    /// Hidden widths of G in order (D uses them reversed, mirroring G).
    pub hidden: Vec<usize>,
    /// Pixels per image (784 for MNIST).
    pub data_dim: usize,
}

impl GanShape {
    /// Checks that every width is positive.
    pub fn validate(&self) -> Result<(), String> {
        if self.latent == 0 || self.data_dim == 0 || self.hidden.contains(&0) {
            return Err(format!(
                "the latent width and every hidden width must be positive (got latent {}, hidden {:?})",
                self.latent, self.hidden
            ));
        }
        Ok(())
    }

    /// A fresh generator on `device` (use it inside [`crate::train::seeded`]).
    pub fn generator(&self, device: &Device) -> Generator {
        Generator {
            layers: mlp(self.latent, &self.hidden, self.data_dim, device),
        }
    }

    /// A fresh discriminator on `device` (use it inside [`crate::train::seeded`]).
    pub fn discriminator(&self, device: &Device) -> Discriminator {
        let hidden: Vec<usize> = self.hidden.iter().rev().copied().collect();
        Discriminator {
            layers: mlp(self.data_dim, &hidden, 1, device),
        }
    }
}

/// Linear layers input → hidden… → output.
fn mlp(input: usize, hidden: &[usize], output: usize, device: &Device) -> Vec<Linear> {
    let widths: Vec<usize> = std::iter::once(input)
        .chain(hidden.iter().copied())
        .chain(std::iter::once(output))
        .collect();
    widths
        .windows(2)
        .map(|w| LinearConfig::new(w[0], w[1]).init(device))
        .collect()
}

/// G(z) = σ(W_L lrelu(… lrelu(W_1 z + b_1) …) + b_L): images with pixels in (0, 1).
#[derive(Module, Debug)]
pub struct Generator {
    pub layers: Vec<Linear>,
}

impl Generator {
    /// Images G(z) of shape [batch, data_dim] from codes z of shape [batch, latent].
    pub fn forward(&self, z: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        let mut h = z;
        for (i, layer) in self.layers.iter().enumerate() {
            h = layer.forward(h);
            if i < last {
                h = leaky_relu(h, LEAKY_SLOPE);
            }
        }
        sigmoid(h)
    }
}

/// The logit a(x) = W_L lrelu(… lrelu(W_1 x + b_1) …) + b_L; D(x) = σ(a(x)) is the probability
/// that x is real.
#[derive(Module, Debug)]
pub struct Discriminator {
    pub layers: Vec<Linear>,
}

impl Discriminator {
    /// Logits a(x) of shape [batch] for images x of shape [batch, data_dim].
    pub fn logits(&self, x: Tensor<2>) -> Tensor<1> {
        let last = self.layers.len() - 1;
        let mut h = x;
        for (i, layer) in self.layers.iter().enumerate() {
            h = layer.forward(h);
            if i < last {
                h = leaky_relu(h, LEAKY_SLOPE);
            }
        }
        h.flatten(0, 1)
    }
}
