//! The autoencoder as the equivalent PyTorch `nn.Sequential`: its modules in order and its
//! weights as a `state_dict` in PyTorch's names and layouts, so another tool can rebuild the
//! network (the export job writes them as safetensors and a Python script).
//!
//! Layouts: Burn's `Linear` stores W as [in, out] and computes y = x W + b; PyTorch's stores
//! W as [out, in] and computes y = x Wᵀ + b, so linear weights are transposed. `Conv2d`
//! ([out, in, kh, kw]) and `ConvTranspose2d` ([in, out, kh, kw]) have the same layout in both.

use super::{Autoencoder, ConvAe, MlpAe};
use crate::train::to_vec;
use burn::nn::conv::{Conv2d, ConvTranspose2d};
use burn::nn::{Linear, PaddingConfig2d};
use burn::prelude::*;

/// One module of a `torch.nn.Sequential`, with the arguments of its constructor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TorchModule {
    /// `nn.Linear(inputs, outputs)`.
    Linear { inputs: usize, outputs: usize },
    /// `nn.Conv2d(in_channels, out_channels, kernel, stride, padding)`.
    Conv2d {
        in_channels: usize,
        out_channels: usize,
        kernel: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
    },
    /// `nn.ConvTranspose2d(in_channels, out_channels, kernel, stride, padding,
    /// output_padding)`.
    ConvTranspose2d {
        in_channels: usize,
        out_channels: usize,
        kernel: [usize; 2],
        stride: [usize; 2],
        padding: [usize; 2],
        output_padding: [usize; 2],
    },
    /// `nn.ReLU()`.
    Relu,
    /// `nn.Sigmoid()`.
    Sigmoid,
    /// `nn.Flatten()`: [batch, c, h, w] → [batch, c·h·w], row-major.
    Flatten,
    /// `nn.Unflatten(1, (c, h, w))`: [batch, c·h·w] → [batch, c, h, w].
    Unflatten([usize; 3]),
}

/// One entry of a PyTorch `state_dict`: its key (`"0.weight"`), shape and row-major values.
#[derive(Clone, Debug, PartialEq)]
pub struct TorchTensor {
    pub name: String,
    pub shape: Vec<usize>,
    pub values: Vec<f32>,
}

/// A network as `nn.Sequential(*modules)` with the `state_dict` `tensors` (keys
/// `"<index>.weight"` and `"<index>.bias"` of the modules that have parameters).
#[derive(Clone, Debug, PartialEq)]
pub struct TorchSequential {
    pub modules: Vec<TorchModule>,
    pub tensors: Vec<TorchTensor>,
}

impl TorchSequential {
    fn new() -> Self {
        Self {
            modules: Vec::new(),
            tensors: Vec::new(),
        }
    }

    fn push(&mut self, module: TorchModule) {
        self.modules.push(module);
    }

    /// Appends module `module` with its weight and bias (shapes taken from the tensors).
    fn push_params(&mut self, module: TorchModule, weight: Tensor<4>, bias: Option<Tensor<1>>) {
        let i = self.modules.len();
        self.push(module);
        self.tensors
            .push(torch_tensor(format!("{i}.weight"), weight));
        if let Some(b) = bias {
            self.tensors.push(torch_tensor(format!("{i}.bias"), b));
        }
    }

    /// Appends `nn.Linear` with W transposed from Burn's [in, out] to PyTorch's [out, in].
    fn linear(&mut self, l: &Linear) {
        let w = l.weight.val();
        let [inputs, outputs] = w.dims();
        let i = self.modules.len();
        self.push(TorchModule::Linear { inputs, outputs });
        self.tensors
            .push(torch_tensor(format!("{i}.weight"), w.transpose()));
        if let Some(b) = &l.bias {
            self.tensors
                .push(torch_tensor(format!("{i}.bias"), b.val()));
        }
    }

    fn conv(&mut self, c: &Conv2d) {
        let w = c.weight.val();
        let [out_channels, in_channels, kh, kw] = w.dims();
        let padding = match &c.padding {
            PaddingConfig2d::Explicit(top, left, bottom, right)
                if top == bottom && left == right =>
            {
                [*top, *left]
            }
            other => unreachable!("the autoencoder builds explicit symmetric padding: {other:?}"),
        };
        let module = TorchModule::Conv2d {
            in_channels,
            out_channels,
            kernel: [kh, kw],
            stride: c.stride,
            padding,
        };
        self.push_params(module, w, c.bias.as_ref().map(|b| b.val()));
    }

    fn conv_transpose(&mut self, c: &ConvTranspose2d) {
        let w = c.weight.val();
        let [in_channels, out_channels, kh, kw] = w.dims();
        let module = TorchModule::ConvTranspose2d {
            in_channels,
            out_channels,
            kernel: [kh, kw],
            stride: c.stride,
            padding: c.padding,
            output_padding: c.padding_out,
        };
        self.push_params(module, w, c.bias.as_ref().map(|b| b.val()));
    }
}

impl TorchSequential {
    /// The `state_dict` entry `name`, if its shape is `shape`.
    fn param(&self, name: &str, shape: &[usize]) -> Result<&[f32], String> {
        let t = self
            .tensors
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| format!("no tensor {name}"))?;
        if t.shape != shape || t.values.len() != shape.iter().product::<usize>() {
            return Err(format!(
                "{name} has shape {:?} ({} values), the module needs {shape:?}",
                t.shape,
                t.values.len()
            ));
        }
        Ok(&t.values)
    }

    /// Runs the network on one input `x` (shape [n], n = rows·cols) exactly as PyTorch defines
    /// its modules, with plain loops in f64; a reference for checking exported weights, not a
    /// fast path. With input x of shape [C, H, W] (no batch axis):
    /// - `Linear`: y_o = b_o + Σ_i W[o, i] x_i;
    /// - `Conv2d` (stride s, padding p, kernel k): y[o, u, v] = b_o + Σ_{c, i, j}
    ///   W[o, c, i, j] x[c, s·u + i − p, s·v + j − p] (zero outside the image), output side
    ///   (H + 2p − k)/s + 1;
    /// - `ConvTranspose2d` (output padding q): every x[c, u, v] adds W[c, o, i, j] x[c, u, v] to
    ///   y[o, s·u + i − p, s·v + j − p] (dropped outside), output side (H − 1)s − 2p + k + q;
    /// - `ReLU` max(0, x), `Sigmoid` 1/(1 + e^(−x)); `Flatten`/`Unflatten` only reshape.
    ///
    /// Errors name the tensor whose shape does not fit.
    pub fn eval(&self, x: &[f32]) -> Result<Vec<f32>, String> {
        let mut h: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
        let mut dims = vec![x.len()];
        for (k, m) in self.modules.iter().enumerate() {
            let (w, b) = (format!("{k}.weight"), format!("{k}.bias"));
            match *m {
                TorchModule::Linear { inputs, outputs } => {
                    check_input(k, &dims, &[inputs])?;
                    let (wv, bv) = (
                        self.param(&w, &[outputs, inputs])?,
                        self.param(&b, &[outputs])?,
                    );
                    h = (0..outputs)
                        .map(|o| {
                            let row = &wv[o * inputs..(o + 1) * inputs];
                            f64::from(bv[o])
                                + row
                                    .iter()
                                    .zip(&h)
                                    .map(|(&a, &v)| f64::from(a) * v)
                                    .sum::<f64>()
                        })
                        .collect();
                    dims = vec![outputs];
                }
                TorchModule::Conv2d {
                    in_channels: ci,
                    out_channels: co,
                    kernel: [kh, kw],
                    stride: [sh, sw],
                    padding: [ph, pw],
                } => {
                    let [_, hi, wi] = image_dims(k, &dims, ci)?;
                    let (wv, bv) = (self.param(&w, &[co, ci, kh, kw])?, self.param(&b, &[co])?);
                    let (ho, wo) = ((hi + 2 * ph - kh) / sh + 1, (wi + 2 * pw - kw) / sw + 1);
                    let mut y = vec![0.0; co * ho * wo];
                    for o in 0..co {
                        for (u, v) in (0..ho).flat_map(|u| (0..wo).map(move |v| (u, v))) {
                            let mut acc = f64::from(bv[o]);
                            for (c, i, j) in (0..ci).flat_map(|c| {
                                (0..kh).flat_map(move |i| (0..kw).map(move |j| (c, i, j)))
                            }) {
                                let (r, q) = (
                                    (sh * u + i) as isize - ph as isize,
                                    (sw * v + j) as isize - pw as isize,
                                );
                                if (0..hi as isize).contains(&r) && (0..wi as isize).contains(&q) {
                                    acc += f64::from(wv[((o * ci + c) * kh + i) * kw + j])
                                        * h[(c * hi + r as usize) * wi + q as usize];
                                }
                            }
                            y[(o * ho + u) * wo + v] = acc;
                        }
                    }
                    (h, dims) = (y, vec![co, ho, wo]);
                }
                TorchModule::ConvTranspose2d {
                    in_channels: ci,
                    out_channels: co,
                    kernel: [kh, kw],
                    stride: [sh, sw],
                    padding: [ph, pw],
                    output_padding: [qh, qw],
                } => {
                    let [_, hi, wi] = image_dims(k, &dims, ci)?;
                    let (wv, bv) = (self.param(&w, &[ci, co, kh, kw])?, self.param(&b, &[co])?);
                    let ho = ((hi - 1) * sh + kh + qh)
                        .checked_sub(2 * ph)
                        .ok_or("padding too large")?;
                    let wo = ((wi - 1) * sw + kw + qw)
                        .checked_sub(2 * pw)
                        .ok_or("padding too large")?;
                    let mut y: Vec<f64> = (0..co * ho * wo)
                        .map(|t| f64::from(bv[t / (ho * wo)]))
                        .collect();
                    for (c, u, v) in (0..ci)
                        .flat_map(|c| (0..hi).flat_map(move |u| (0..wi).map(move |v| (c, u, v))))
                    {
                        let xv = h[(c * hi + u) * wi + v];
                        for (o, i, j) in (0..co).flat_map(|o| {
                            (0..kh).flat_map(move |i| (0..kw).map(move |j| (o, i, j)))
                        }) {
                            let (r, q) = (
                                (sh * u + i) as isize - ph as isize,
                                (sw * v + j) as isize - pw as isize,
                            );
                            if (0..ho as isize).contains(&r) && (0..wo as isize).contains(&q) {
                                y[(o * ho + r as usize) * wo + q as usize] +=
                                    f64::from(wv[((c * co + o) * kh + i) * kw + j]) * xv;
                            }
                        }
                    }
                    (h, dims) = (y, vec![co, ho, wo]);
                }
                TorchModule::Relu => h.iter_mut().for_each(|v| *v = v.max(0.0)),
                TorchModule::Sigmoid => h.iter_mut().for_each(|v| *v = 1.0 / (1.0 + (-*v).exp())),
                TorchModule::Flatten => dims = vec![h.len()],
                TorchModule::Unflatten(shape) => {
                    check_input(k, &dims, &[shape.iter().product()])?;
                    dims = shape.to_vec();
                }
            }
        }
        Ok(h.into_iter().map(|v| v as f32).collect())
    }
}

/// Checks that module `k` gets an input of shape `want`.
fn check_input(k: usize, dims: &[usize], want: &[usize]) -> Result<(), String> {
    if dims != want {
        return Err(format!("module {k} expects input {want:?}, gets {dims:?}"));
    }
    Ok(())
}

/// The [C, H, W] input of convolution `k`, which must have `channels` channels.
fn image_dims(k: usize, dims: &[usize], channels: usize) -> Result<[usize; 3], String> {
    match *dims {
        [c, h, w] if c == channels => Ok([c, h, w]),
        _ => Err(format!(
            "module {k} expects {channels} channels [C, H, W], gets {dims:?}"
        )),
    }
}

fn torch_tensor<const D: usize>(name: String, t: Tensor<D>) -> TorchTensor {
    TorchTensor {
        name,
        shape: t.dims().to_vec(),
        values: to_vec(t),
    }
}

impl Autoencoder {
    /// The equivalent `nn.Sequential` on flattened images [batch, rows·cols]: same modules,
    /// same activations (ReLU after every layer but the last, sigmoid output), same weights.
    pub fn to_torch(&self) -> TorchSequential {
        match self {
            Self::Mlp(m) => mlp(m),
            Self::Conv(m) => conv(m),
        }
    }
}

fn mlp(m: &MlpAe) -> TorchSequential {
    let mut seq = TorchSequential::new();
    let layers: Vec<&Linear> = m.encoder.iter().chain(&m.decoder).collect();
    for (k, l) in layers.iter().enumerate() {
        seq.linear(l);
        seq.push(if k + 1 < layers.len() {
            TorchModule::Relu
        } else {
            TorchModule::Sigmoid
        });
    }
    seq
}

fn conv(m: &ConvAe) -> TorchSequential {
    let mut seq = TorchSequential::new();
    let [_, r, c] = m.shape;
    seq.push(TorchModule::Unflatten([1, 4 * r, 4 * c]));
    seq.conv(&m.conv1);
    seq.push(TorchModule::Relu);
    seq.conv(&m.conv2);
    seq.push(TorchModule::Relu);
    seq.push(TorchModule::Flatten);
    seq.linear(&m.to_code);
    seq.push(TorchModule::Relu);
    seq.linear(&m.from_code);
    seq.push(TorchModule::Relu);
    seq.push(TorchModule::Unflatten(m.shape));
    seq.conv_transpose(&m.deconv1);
    seq.push(TorchModule::Relu);
    seq.conv_transpose(&m.deconv2);
    seq.push(TorchModule::Flatten);
    seq.push(TorchModule::Sigmoid);
    seq
}

#[cfg(test)]
#[path = "torch_tests.rs"]
mod tests;
