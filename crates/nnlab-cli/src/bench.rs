//! `nnlab bench`: time training epochs and scoring of an autoencoder on random images, to
//! compare with the PyTorch peer (`shared/bench/torch_recipe_epoch.py`) on the same machine.

use crate::progress::Bars;
use anyhow::Result;
use clap::Args;
use nnlab::anomaly::{Arch, ModelConfig, bench};
use nnlab::device::DeviceChoice;
use nnlab::train::TrainConfig;

/// Time one (or more) training epochs of the anomaly autoencoder and a scoring pass.
///
/// Uses the anomaly recipe's model (mlp 784-256-64-32 mirrored, sigmoid output; or the conv
/// autoencoder), sum-of-squares loss, Adam, batch 100, on uniform random 28x28 images, like
/// the PyTorch peer script torch_recipe_epoch.py. Prints seconds, images/s and achieved
/// GFLOP/s (2 FLOPs per multiply-add; training = 3 forward passes) next to the device's
/// matrix-product peak. NNLAB_DENORMALS=keep turns off flushing subnormal floats to zero.
#[derive(Args)]
pub struct BenchArgs {
    #[arg(long, value_enum, default_value_t = Arch::Mlp)]
    arch: Arch,
    /// Hidden widths (mlp default 256,64; conv channels 16,32).
    #[arg(long, value_delimiter = ',')]
    hidden: Option<Vec<usize>>,
    /// Code width [default: 32].
    #[arg(long)]
    latent: Option<usize>,
    /// Number of random images per epoch.
    #[arg(long, default_value_t = 50_000)]
    images: usize,
    /// Timed training epochs (the peer's default is 3).
    #[arg(long, default_value_t = 3)]
    epochs: usize,
    #[arg(long, default_value_t = 100)]
    batch_size: usize,
    #[arg(long, default_value = "cpu")]
    device: DeviceChoice,
    /// No progress bars.
    #[arg(long, short)]
    quiet: bool,
    /// Also print the results as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: BenchArgs) -> Result<()> {
    let device = args.device.device().map_err(anyhow::Error::msg)?;
    let mut model = ModelConfig::for_arch(args.arch, 28, 28);
    if let Some(h) = args.hidden {
        model.hidden = h;
    }
    if let Some(l) = args.latent {
        model.latent = l;
    }
    model.validate().map_err(anyhow::Error::msg)?;
    let data = bench::random_images(args.images, 28, 28, 0);
    let cfg = TrainConfig {
        epochs: args.epochs,
        batch_size: args.batch_size,
        ..TrainConfig::default()
    };
    let mut bars = Bars::new(args.quiet);
    let timings = bench::run(&model, &data, &cfg, &device, &mut bars)?;
    let peak = bench::gemm_peak(&device, 1024, 10);
    println!(
        "model {} {:?} latent {}, {} MMAC/image forward, device {}, subnormals {:?}, \
         {} rayon threads, {} batch shards",
        model.arch,
        model.hidden,
        model.latent,
        model.forward_macs() as f64 / 1e6,
        args.device,
        nnlab::device::denormals(),
        nnlab::device::compute_threads(),
        nnlab::train::shards::count(args.batch_size, &device),
    );
    println!("gemm peak (1024x1024 matmul, best of 10): {peak:.1} GFLOP/s");
    for t in &timings {
        println!(
            "{:<28} {:>8.3} s  {:>9.0} images/s  {:>6.1} GFLOP/s ({:.0}% of peak)",
            t.what,
            t.seconds,
            t.images_per_sec,
            t.gflops,
            100.0 * t.gflops / peak
        );
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&timings)?);
    }
    Ok(())
}
