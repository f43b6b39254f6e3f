//! Throughput benchmark of the autoencoder: training epochs (Adam, batch loss
//! Σ‖x − D(E(x))‖²) and one scoring pass, in seconds, images/s and achieved GFLOP/s, next to
//! the matrix-product peak of the device.

use super::model::{Arch, ModelConfig};
use super::train;
use crate::data::Images;
use crate::train::{TrainConfig, TrainError, TrainObserver};
use burn::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::time::Instant;

impl ModelConfig {
    /// Multiply–accumulates of one forward pass for one image: Σ n_in·n_out over linear layers,
    /// and H_out·W_out·C_out·C_in·k² over (transpose) convolutions.
    pub fn forward_macs(&self) -> u64 {
        match self.arch {
            Arch::Mlp => {
                let mut w = vec![self.input_dim()];
                w.extend(&self.hidden);
                w.push(self.latent);
                2 * w.windows(2).map(|p| (p[0] * p[1]) as u64).sum::<u64>()
            }
            Arch::Conv => {
                let (c1, c2) = (self.hidden[0], self.hidden[1]);
                let (h1, h2) = (self.input_dim() / 4, self.input_dim() / 16);
                let conv = (h1 * c1 * 9 + h2 * c2 * c1 * 9) as u64;
                let linear = (h2 * c2 * self.latent) as u64;
                2 * (conv + linear)
            }
        }
    }
}

/// One timed measurement.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Timing {
    pub what: String,
    pub images: usize,
    pub seconds: f64,
    pub images_per_sec: f64,
    /// Achieved rate counting 2 FLOPs per multiply–accumulate; training counts 3 forward
    /// passes per image (forward, and the two products of the backward pass).
    pub gflops: f64,
}

impl Timing {
    fn new(what: String, images: usize, seconds: f64, flops_per_image: f64) -> Self {
        Self {
            what,
            images,
            seconds,
            images_per_sec: images as f64 / seconds,
            gflops: images as f64 * flops_per_image / seconds / 1e9,
        }
    }
}

/// `n` uniform random images of `rows`×`cols` (the same inputs as the PyTorch peer script).
pub fn random_images(n: usize, rows: usize, cols: usize, seed: u64) -> Images {
    let mut rng = StdRng::seed_from_u64(seed);
    let pixels = (0..n * rows * cols).map(|_| rng.random::<f32>()).collect();
    Images {
        n,
        rows,
        cols,
        pixels,
        labels: None,
        name: format!("random:{n}"),
    }
}

/// The device's matrix-product rate in GFLOP/s: the best of `reps` timed products of two
/// `n`×`n` matrices (2n³ FLOPs each) after one untimed warm-up, through Burn's `matmul` — the
/// ceiling any training on this device could reach.
pub fn gemm_peak(device: &Device, n: usize, reps: usize) -> f64 {
    use burn::tensor::Distribution;
    let a = Tensor::<2>::random([n, n], Distribution::Default, device);
    let b = Tensor::<2>::random([n, n], Distribution::Default, device);
    let run = || {
        let c = a.clone().matmul(b.clone());
        // Reading one element waits for the product on asynchronous devices.
        let _ = c.slice([0..1, 0..1]).into_scalar::<f32>();
    };
    run();
    let best = (0..reps.max(1))
        .map(|_| {
            let t = Instant::now();
            run();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min);
    2.0 * (n as f64).powi(3) / best / 1e9
}

/// Times `epochs` training epochs on `data` (after one untimed warm-up epoch on a small
/// slice) and then scoring `data`.
pub fn run(
    model: &ModelConfig,
    data: &Images,
    cfg: &TrainConfig,
    device: &Device,
    observer: &mut dyn TrainObserver,
) -> Result<Vec<Timing>, TrainError> {
    let macs = model.forward_macs() as f64;
    let warm = data.subset(&(0..data.n.min(10 * cfg.batch_size)).collect::<Vec<_>>());
    train::train(
        model,
        &warm,
        &TrainConfig {
            epochs: 1,
            ..cfg.clone()
        },
        device,
        &mut (),
    )?;
    let (trained, history) = train::train(model, data, cfg, device, observer)?;
    let mut out: Vec<Timing> = history
        .iter()
        .map(|e| {
            let what = format!("train epoch {} (batch {})", e.epoch, cfg.batch_size);
            Timing::new(what, data.n, e.seconds, 3.0 * 2.0 * macs)
        })
        .collect();
    let start = Instant::now();
    let scores = train::score(&trained, data, device);
    let secs = start.elapsed().as_secs_f64();
    debug_assert_eq!(scores.len(), data.n);
    out.push(Timing::new(
        "score (batch 1000)".into(),
        data.n,
        secs,
        2.0 * macs,
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The peak is a positive, finite rate (its value is machine-dependent; nothing else to
    /// assert), and the timed epoch list has one entry per epoch plus scoring.
    #[test]
    fn peak_and_timings_have_their_shape() {
        let device = Device::flex();
        let peak = gemm_peak(&device, 64, 2);
        assert!(peak.is_finite() && peak > 0.0, "{peak}");
        let data = random_images(40, 4, 4, 0);
        let model = ModelConfig {
            hidden: vec![3],
            latent: 2,
            ..ModelConfig::mlp(4, 4)
        };
        let cfg = TrainConfig {
            epochs: 2,
            batch_size: 10,
            ..TrainConfig::default()
        };
        let t = run(&model, &data, &cfg, &device, &mut ()).unwrap();
        assert_eq!(t.len(), 3);
        assert!(t.iter().all(|t| t.images == 40 && t.seconds > 0.0));
        // 2 FLOPs per MAC, 3 passes in training: gflops·seconds = n · 6 · MACs / 1e9.
        let want = 40.0 * 6.0 * model.forward_macs() as f64 / 1e9;
        assert!((t[0].gflops * t[0].seconds - want).abs() <= 1e-9 * want.max(1.0));
    }

    #[test]
    fn mac_counts_match_hand_computation() {
        // 784·256 + 256·64 + 64·32, twice (encoder and mirrored decoder).
        let m = ModelConfig::mlp(28, 28);
        assert_eq!(m.forward_macs(), 2 * (784 * 256 + 256 * 64 + 64 * 32));
        // conv: 14·14·16·1·9 + 7·7·32·16·9 + 1568·32, twice.
        let c = ModelConfig::conv(28, 28);
        assert_eq!(
            c.forward_macs(),
            2 * (14 * 14 * 16 * 9 + 7 * 7 * 32 * 16 * 9 + 1568 * 32)
        );
    }
}
