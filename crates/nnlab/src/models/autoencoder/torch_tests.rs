//! The PyTorch view of the autoencoder: module lists and `state_dict` names/shapes as PyTorch
//! has them, and the network evaluated with PyTorch's definitions ([`TorchSequential::eval`])
//! equal to Burn's forward pass — which fails when a layout is wrong.

use super::*;
use crate::models::autoencoder::ModelConfig;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn model(cfg: &ModelConfig) -> Autoencoder {
    let device = Device::flex();
    crate::train::seeded(&device, 3, || cfg.init(&device))
}

fn mlp_cfg() -> ModelConfig {
    ModelConfig {
        hidden: vec![5, 3],
        latent: 2,
        ..ModelConfig::mlp(4, 4)
    }
}

/// Square channel counts (4, 4) so that swapping the transpose convolution's two channel axes
/// keeps its shape (the layout test below needs that).
fn conv_cfg() -> ModelConfig {
    ModelConfig {
        hidden: vec![4, 4],
        latent: 3,
        ..ModelConfig::conv(8, 8)
    }
}

/// `n` images of `d` pixels in [0, 1].
fn inputs(n: usize, d: usize) -> Vec<f32> {
    let mut rng = StdRng::seed_from_u64(11);
    (0..n * d).map(|_| rng.random::<f32>()).collect()
}

/// Largest |Burn forward − PyTorch-semantics forward of `seq`| over a few random images.
fn max_gap(m: &Autoencoder, seq: &TorchSequential, d: usize) -> f64 {
    let n = 4;
    let x = inputs(n, d);
    let t = Tensor::<2>::from_data(TensorData::new(x.clone(), [n, d]), &Device::flex());
    let burn = to_vec(m.forward(t));
    let mut gap = 0.0f64;
    for (xi, yi) in x.chunks(d).zip(burn.chunks(d)) {
        let torch = seq.eval(xi).unwrap();
        for (a, b) in torch.iter().zip(yi) {
            gap = gap.max(f64::from((a - b).abs()));
        }
    }
    gap
}

/// Outputs are sigmoids in (0, 1), sums of at most 64 f32 products per unit: Burn's f32 and
/// the reference's f64 agree to ~1e-6; 1e-5 leaves room for accumulation order.
const TOL: f64 = 1e-5;

#[test]
fn exported_networks_compute_what_burn_computes() {
    for cfg in [mlp_cfg(), conv_cfg()] {
        let m = model(&cfg);
        let gap = max_gap(&m, &m.to_torch(), cfg.input_dim());
        assert!(gap < TOL, "{:?}: gap {gap:e}", cfg.arch);
    }
}

fn names_shapes(seq: &TorchSequential) -> Vec<(&str, Vec<usize>)> {
    seq.tensors
        .iter()
        .map(|t| (t.name.as_str(), t.shape.clone()))
        .collect()
}

/// `Linear` weights are [out, in]; the activations sit between the layers as in the model.
#[test]
fn mlp_has_pytorch_names_shapes_and_modules() {
    let seq = model(&mlp_cfg()).to_torch();
    let want: Vec<(&str, Vec<usize>)> = vec![
        ("0.weight", vec![5, 16]),
        ("0.bias", vec![5]),
        ("2.weight", vec![3, 5]),
        ("2.bias", vec![3]),
        ("4.weight", vec![2, 3]),
        ("4.bias", vec![2]),
        ("6.weight", vec![3, 2]),
        ("6.bias", vec![3]),
        ("8.weight", vec![5, 3]),
        ("8.bias", vec![5]),
        ("10.weight", vec![16, 5]),
        ("10.bias", vec![16]),
    ];
    assert_eq!(names_shapes(&seq), want);
    assert_eq!(seq.modules.len(), 12);
    assert_eq!(seq.modules[1], TorchModule::Relu);
    assert_eq!(seq.modules[11], TorchModule::Sigmoid);
}

/// Conv2d [out, in, kh, kw], ConvTranspose2d [in, out, kh, kw], the bottleneck's Linear
/// [out, in]; padding 1 and output padding 1 take 8 → 4 → 2 → 4 → 8.
#[test]
fn conv_has_pytorch_names_shapes_and_modules() {
    let cfg = ModelConfig {
        hidden: vec![3, 4],
        ..conv_cfg()
    };
    let seq = model(&cfg).to_torch();
    let shapes: Vec<(&str, Vec<usize>)> = vec![
        ("1.weight", vec![3, 1, 3, 3]),
        ("1.bias", vec![3]),
        ("3.weight", vec![4, 3, 3, 3]),
        ("3.bias", vec![4]),
        ("6.weight", vec![3, 16]),
        ("6.bias", vec![3]),
        ("8.weight", vec![16, 3]),
        ("8.bias", vec![16]),
        ("11.weight", vec![4, 3, 3, 3]),
        ("11.bias", vec![3]),
        ("13.weight", vec![3, 1, 3, 3]),
        ("13.bias", vec![1]),
    ];
    assert_eq!(names_shapes(&seq), shapes);
    assert_eq!(seq.modules[0], TorchModule::Unflatten([1, 8, 8]));
    assert_eq!(seq.modules[10], TorchModule::Unflatten([4, 2, 2]));
    assert_eq!(
        seq.modules[11],
        TorchModule::ConvTranspose2d {
            in_channels: 4,
            out_channels: 3,
            kernel: [3, 3],
            stride: [2, 2],
            padding: [1, 1],
            output_padding: [1, 1],
        }
    );
    assert_eq!(seq.modules.last(), Some(&TorchModule::Sigmoid));
    assert!(max_gap(&model(&cfg), &seq, 64) < TOL);
}

/// The values of `name`, shape [a, b, rest…], rewritten as if its two leading axes were swapped
/// (the shape label is kept).
fn swap_leading_axes(seq: &mut TorchSequential, name: &str) {
    let t = seq.tensors.iter_mut().find(|t| t.name == name).unwrap();
    let (a, b) = (t.shape[0], t.shape[1]);
    let rest: usize = t.shape[2..].iter().product();
    let old = t.values.clone();
    for i in 0..a {
        for j in 0..b {
            for r in 0..rest {
                t.values[((j * a) + i) * rest + r] = old[(i * b + j) * rest + r];
            }
        }
    }
}

/// The plausible wrong exports — Burn's [in, out] linear buffer under PyTorch's [out, in]
/// label, a transpose convolution written [out, in] — compute a different network: the check
/// above can fail.
#[test]
fn wrong_layouts_are_caught() {
    let cfg = conv_cfg();
    let m = model(&cfg);
    for name in ["6.weight", "11.weight"] {
        let mut seq = m.to_torch();
        swap_leading_axes(&mut seq, name);
        let gap = max_gap(&m, &seq, 64);
        assert!(gap > 100.0 * TOL, "{name}: gap {gap:e}");
    }
    // A weight labelled [in, out] does not fit `nn.Linear`: refused, naming the tensor.
    let m = model(&mlp_cfg());
    let mut seq = m.to_torch();
    let t = seq
        .tensors
        .iter_mut()
        .find(|t| t.name == "0.weight")
        .unwrap();
    t.shape.reverse();
    let err = seq.eval(&inputs(1, 16)).unwrap_err();
    assert!(err.contains("0.weight"), "{err}");
}
