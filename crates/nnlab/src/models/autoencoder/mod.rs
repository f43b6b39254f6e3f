//! Autoencoders E, D for anomaly detection: a fully connected one (784-256-64-32, mirrored) and a
//! small convolutional one (stride-2 convolutions down, stride-2 transpose convolutions up), with
//! their configuration, safetensors persistence and their PyTorch equivalent ([`torch`]).

pub mod conv_gemm;
pub mod torch;
pub mod train;

pub use torch::{TorchModule, TorchSequential, TorchTensor};
pub use train::{codes, reconstruct, score, train};

use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::{Linear, LinearConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::{relu, sigmoid};
use conv_gemm::Window;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which autoencoder family.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Arch {
    /// Fully connected: input → hidden… → latent, mirrored back, sigmoid output.
    #[default]
    Mlp,
    /// Convolutional: two 3×3 stride-2 convolutions (28→14→7), a linear bottleneck, and
    /// two 3×3 stride-2 transpose convolutions back (7→14→28), sigmoid output.
    Conv,
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Mlp => "mlp",
            Self::Conv => "conv",
        })
    }
}

/// Shape of an autoencoder; serialized beside the weights so a saved model can be rebuilt.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    pub arch: Arch,
    /// Image height and width (the conv net needs both divisible by 4).
    pub rows: usize,
    pub cols: usize,
    /// Hidden widths of the MLP encoder (mirrored in the decoder); channels of the two conv
    /// layers for `conv`.
    pub hidden: Vec<usize>,
    /// Width of the code E(X).
    pub latent: usize,
}

impl ModelConfig {
    /// The course recipe: MLP 784-256-64-32 mirrored.
    pub fn mlp(rows: usize, cols: usize) -> Self {
        Self {
            arch: Arch::Mlp,
            rows,
            cols,
            hidden: vec![256, 64],
            latent: 32,
        }
    }

    /// A small conv AE: 1→16→32 channels, latent 32.
    pub fn conv(rows: usize, cols: usize) -> Self {
        Self {
            arch: Arch::Conv,
            rows,
            cols,
            hidden: vec![16, 32],
            latent: 32,
        }
    }

    pub fn for_arch(arch: Arch, rows: usize, cols: usize) -> Self {
        match arch {
            Arch::Mlp => Self::mlp(rows, cols),
            Arch::Conv => Self::conv(rows, cols),
        }
    }

    /// Input dimension n = rows·cols.
    pub fn input_dim(&self) -> usize {
        self.rows * self.cols
    }

    /// Checks the configuration can be built; the message names the offending field.
    pub fn validate(&self) -> Result<(), String> {
        if self.latent == 0 || self.input_dim() == 0 {
            return Err("latent size and image size must be positive".into());
        }
        if self.hidden.contains(&0) {
            return Err(format!(
                "hidden widths must be positive, got {:?}",
                self.hidden
            ));
        }
        if self.arch == Arch::Conv {
            if self.hidden.len() != 2 {
                return Err(format!(
                    "conv needs exactly 2 channel counts, got {:?}",
                    self.hidden
                ));
            }
            if !self.rows.is_multiple_of(4) || !self.cols.is_multiple_of(4) {
                return Err(format!(
                    "conv needs image sides divisible by 4, got {}x{}",
                    self.rows, self.cols
                ));
            }
        }
        Ok(())
    }

    /// Builds the network with fresh (Kaiming-uniform) weights on `device`.
    pub fn init(&self, device: &Device) -> Autoencoder {
        match self.arch {
            Arch::Mlp => {
                let mut enc = vec![self.input_dim()];
                enc.extend(&self.hidden);
                enc.push(self.latent);
                let dec: Vec<usize> = enc.iter().rev().copied().collect();
                let stack = |w: &[usize]| -> Vec<Linear> {
                    w.windows(2)
                        .map(|p| LinearConfig::new(p[0], p[1]).init(device))
                        .collect()
                };
                Autoencoder::Mlp(MlpAe {
                    encoder: stack(&enc),
                    decoder: stack(&dec),
                })
            }
            Arch::Conv => {
                let (c1, c2) = (self.hidden[0], self.hidden[1]);
                let flat = c2 * (self.rows / 4) * (self.cols / 4);
                let Window { k, s, p, out_pad } = WINDOW;
                let down = |a, b| {
                    Conv2dConfig::new([a, b], [k, k])
                        .with_stride([s, s])
                        .with_padding(PaddingConfig2d::Explicit(p, p, p, p))
                        .init(device)
                };
                let up = |a, b| {
                    ConvTranspose2dConfig::new([a, b], [k, k])
                        .with_stride([s, s])
                        .with_padding([p, p])
                        .with_padding_out([out_pad, out_pad])
                        .init(device)
                };
                Autoencoder::Conv(ConvAe {
                    conv1: down(1, c1),
                    conv2: down(c1, c2),
                    to_code: LinearConfig::new(flat, self.latent).init(device),
                    from_code: LinearConfig::new(self.latent, flat).init(device),
                    deconv1: up(c2, c1),
                    deconv2: up(c1, 1),
                    shape: [c2, self.rows / 4, self.cols / 4],
                })
            }
        }
    }
}

/// MLP autoencoder: every layer but the last decoder layer is followed by ReLU (the code too,
/// as in the course recipe); the output goes through a sigmoid so reconstructions lie in (0, 1).
#[derive(Module, Debug)]
pub struct MlpAe {
    encoder: Vec<Linear>,
    decoder: Vec<Linear>,
}

/// The window of every convolution of the conv autoencoder: 3×3, stride 2, padding 1 (and output
/// padding 1 in the transpose convolutions, so sides go 28 → 14 → 7 → 14 → 28).
const WINDOW: Window = Window {
    k: 3,
    s: 2,
    p: 1,
    out_pad: 1,
};

/// Convolutional autoencoder (see [`Arch::Conv`]). The layers hold the weights in Burn's layout;
/// the forward pass runs them through [`conv_gemm`] in the `[C·H·W, batch]` layout.
#[derive(Module, Debug)]
pub struct ConvAe {
    conv1: Conv2d,
    conv2: Conv2d,
    to_code: Linear,
    from_code: Linear,
    deconv1: ConvTranspose2d,
    deconv2: ConvTranspose2d,
    /// Shape [channels, rows/4, cols/4] of the feature map around the bottleneck.
    shape: [usize; 3],
}

/// An autoencoder of either family; `forward` maps flattened images [batch, n] to
/// reconstructions of the same shape.
#[derive(Module, Debug)]
#[allow(clippy::large_enum_variant)] // one per run; boxing would hide the layers from Module
pub enum Autoencoder {
    Mlp(MlpAe),
    Conv(ConvAe),
}

impl Autoencoder {
    /// The code E(x), shape [batch, latent].
    pub fn encode(&self, x: Tensor<2>) -> Tensor<2> {
        match self {
            Self::Mlp(m) => m.encoder.iter().fold(x, |h, l| relu(l.forward(h))),
            Self::Conv(m) => {
                let side = (m.shape[1] * 4, m.shape[2] * 4);
                let (h, side) = conv_gemm::conv2d(x.transpose(), &m.conv1, WINDOW, side);
                let (h, _) = conv_gemm::conv2d(relu(h), &m.conv2, WINDOW, side);
                // [C·H·W, batch] → [batch, C·H·W]: Burn's NCHW flatten order.
                relu(m.to_code.forward(relu(h).transpose()))
            }
        }
    }

    /// The reconstruction D(z) ∈ (0, 1)ⁿ, shape [batch, n].
    pub fn decode(&self, z: Tensor<2>) -> Tensor<2> {
        match self {
            Self::Mlp(m) => {
                let last = m.decoder.len() - 1;
                let h = m.decoder[..last].iter().fold(z, |h, l| relu(l.forward(h)));
                sigmoid(m.decoder[last].forward(h))
            }
            Self::Conv(m) => {
                let side = (m.shape[1], m.shape[2]);
                let h = relu(m.from_code.forward(z)).transpose();
                let (h, side) = conv_gemm::conv_transpose2d(h, &m.deconv1, WINDOW, side);
                let (y, _) = conv_gemm::conv_transpose2d(relu(h), &m.deconv2, WINDOW, side);
                sigmoid(y.transpose())
            }
        }
    }

    /// D(E(x)).
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.decode(self.encode(x))
    }
}
