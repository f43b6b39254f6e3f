//! `nnlab vae`: train a variational autoencoder on images and report the test ELBO and the
//! importance-weighted bounds IW_k.

use crate::common::Common;
use crate::progress::Bars;
use anyhow::Result;
use clap::Args;
use nnlab::models::vae::TrainConfig;
use nnlab::models::vae::job::{self, VaeJobConfig, VaeReport};
use std::path::PathBuf;

/// Options of `nnlab vae` (documented on the subcommand in main.rs).
#[derive(Args)]
pub struct VaeArgs {
    /// Training images (training split unless given).
    #[arg(long, default_value = "mnist")]
    data: String,
    /// Test images [default: the test split of --data].
    #[arg(long)]
    test_data: Option<String>,
    /// Train on only the first N training images (quick runs).
    #[arg(long, value_name = "N")]
    train_limit: Option<usize>,
    /// Evaluate on only the first N test images (quick runs).
    #[arg(long, value_name = "N")]
    test_limit: Option<usize>,
    /// Dimension of the latent z.
    #[arg(long, default_value_t = 20)]
    latent: usize,
    /// Hidden widths of the encoder MLP, comma separated (mirrored in the decoder).
    #[arg(long, value_delimiter = ',', default_value = "400")]
    hidden: Vec<usize>,
    /// Passes over the training images.
    #[arg(long, default_value_t = 10)]
    epochs: usize,
    /// Images per Adam step (the loss is the batch sum of -ELBO).
    #[arg(long, default_value_t = 100)]
    batch_size: usize,
    /// Adam learning rate.
    #[arg(long, default_value_t = 1e-3)]
    lr: f64,
    /// Seed of the initial weights, batch order and noise (evaluation uses seed+1, samples seed+2).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Sample counts k of the importance-weighted bounds IW_k on the test set, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "1,10,100")]
    iw_samples: Vec<usize>,
    /// Output folder.
    #[arg(long, default_value = "runs/vae")]
    out: PathBuf,
    #[command(flatten)]
    common: Common,
}

pub fn run(args: VaeArgs) -> Result<()> {
    let cfg = VaeJobConfig {
        data: args.data,
        test_data: args.test_data,
        train_limit: args.train_limit,
        test_limit: args.test_limit,
        latent: Some(args.latent),
        hidden: Some(args.hidden),
        train: TrainConfig {
            epochs: args.epochs,
            batch_size: args.batch_size,
            lr: args.lr,
            seed: args.seed,
            grad_clip: None,
        },
        iw_samples: args.iw_samples,
        out: args.out,
        data_dir: args.common.data_dir,
        offline: args.common.offline,
        device: args.common.device,
    };
    let mut bars = Bars::new(args.common.quiet);
    let report = job::run(&cfg, &mut bars)?;
    print_summary(&report);
    Ok(())
}

fn print_summary(r: &VaeReport) {
    let t = &r.test;
    let m = &r.model;
    println!(
        "model       VAE {}x{} -> {:?} -> z in R^{} (Gaussian q), Bernoulli decoder",
        m.rows, m.cols, m.hidden, m.latent
    );
    println!(
        "data        train {} ({} images), test {} ({} images)",
        r.train_data, r.train_images, r.test_data, t.images
    );
    println!(
        "training    {} epochs in {:.1} s; final loss -ELBO {:.2} nats/image",
        r.epochs.len(),
        r.train_seconds,
        r.epochs.last().map_or(f64::NAN, |e| e.loss_per_image)
    );
    println!(
        "test ELBO   {:>9.2} ± {:.2} nats  = E log p(x|z) {:.2} - KL {:.2}",
        t.elbo.mean, t.elbo.stderr, t.reconstruction.mean, t.kl.mean
    );
    for iw in &t.iw {
        println!(
            "test IW_{:<4}{:>9.2} ± {:.2} nats",
            iw.k, iw.nats.mean, iw.nats.stderr
        );
    }
    println!("evaluation  {:.1} s", t.seconds);
    println!(
        "outputs     {}/ (metrics.json, samples.png, reconstructions.png, loss.png, {}, {})",
        r.config.out.display(),
        job::WEIGHTS,
        job::CONFIG
    );
}
