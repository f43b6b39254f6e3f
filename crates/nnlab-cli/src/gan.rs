//! `nnlab gan`: train an MLP GAN with the minimax and/or the non-saturating generator loss and
//! compare their generator-gradient norms against D(G(z)).

use crate::common::Common;
use crate::progress::Bars;
use anyhow::Result;
use clap::Args;
use nnlab::models::gan::{self, GanConfig, GanReport, GeneratorLoss};
use nnlab::train::TrainConfig;
use std::path::PathBuf;

/// Options of `nnlab gan` (documented on the subcommand in main.rs).
#[derive(Args)]
pub struct GanArgs {
    /// Training images: a dataset (training split) or IDX file, e.g. mnist, mnist:3, kmnist.
    #[arg(long, default_value = "mnist")]
    data: String,
    /// Train on only the first N training images (quick runs) [default: all].
    #[arg(long, value_name = "N")]
    train_limit: Option<usize>,
    #[arg(long, default_value_t = 5)]
    epochs: usize,
    #[arg(long, default_value_t = 64)]
    batch_size: usize,
    /// Adam learning rate of both G and D (Adam beta1 = 0.5, beta2 = 0.999).
    #[arg(long, default_value_t = 1e-3)]
    lr: f64,
    /// Width of the latent code z ~ N(0, I).
    #[arg(long, default_value_t = 64)]
    latent: usize,
    /// Hidden widths of G, comma separated (D mirrors them).
    #[arg(long, value_delimiter = ',', default_value = "256,256")]
    hidden: Vec<usize>,
    /// Generator loss: minimax E log(1 - D(G(z))), nonsat -E log D(G(z)), or both (two runs,
    /// same seeds and data order).
    #[arg(long, default_value = "both", value_parser = ["minimax", "nonsat", "both"])]
    loss: String,
    /// Discriminator-only steps before the first generator step (drives D(G(z)) toward 0).
    #[arg(long, value_name = "STEPS", default_value_t = 100)]
    d_pretrain: usize,
    /// Samples per epoch in the sample grids (fixed z across epochs).
    #[arg(long, default_value_t = 12)]
    samples: usize,
    /// Seed of the initial weights (G: 2s, D: 2s+1), the batch order and z.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Output folder.
    #[arg(long, default_value = "runs/gan")]
    out: PathBuf,
    #[command(flatten)]
    common: Common,
}

pub fn run(args: GanArgs) -> Result<()> {
    let losses = match args.loss.as_str() {
        "both" => GeneratorLoss::BOTH.to_vec(),
        one => vec![one.parse::<GeneratorLoss>().map_err(anyhow::Error::msg)?],
    };
    let cfg = GanConfig {
        data: args.data,
        train_limit: args.train_limit,
        latent: args.latent,
        hidden: args.hidden,
        losses,
        train: TrainConfig {
            epochs: args.epochs,
            batch_size: args.batch_size,
            lr: args.lr,
            seed: args.seed,
            grad_clip: None,
        },
        d_pretrain: args.d_pretrain,
        n_samples: args.samples,
        out: args.out,
        data_dir: args.common.data_dir,
        offline: args.common.offline,
        device: args.common.device,
    };
    let mut bars = Bars::new(args.common.quiet);
    let report = gan::run(&cfg, &mut bars)?;
    print_summary(&report);
    Ok(())
}

fn print_summary(r: &GanReport) {
    println!("data        {} ({} images)", r.data, r.images);
    for run in &r.runs {
        let Some(last) = run.epochs.last() else {
            continue;
        };
        println!(
            "{:<11} {} epochs in {:.1} s; last epoch: L_D {:.3}, D(x) {:.3}, D(G(z)) {:.4}, \
             median ||grad_G|| {:.3e}",
            run.loss,
            run.epochs.len(),
            run.train_seconds,
            last.d_loss,
            last.d_real,
            last.d_fake,
            last.grad_norm_median
        );
        let bins: Vec<String> = run
            .by_d_fake
            .iter()
            .map(|b| {
                format!(
                    "[{:.0e},{:.0e}): {:.2e} ({} steps)",
                    b.d_fake_lo, b.d_fake_hi, b.median_grad_norm, b.steps
                )
            })
            .collect();
        println!(
            "            median ||grad_G|| by D(G(z)): {}",
            bins.join("; ")
        );
    }
    if let Some(f) = &r.first_step {
        println!(
            "first step  D(G(z)) {:.3e}: ||grad|| minimax {:.3e}, nonsat {:.3e}, ratio {:.3e} \
             (odds D/(1-D) = {:.3e})",
            f.d_fake, f.minimax_grad_norm, f.nonsat_grad_norm, f.ratio, f.odds_of_mean_d_fake
        );
    }
    println!(
        "outputs     {}/ (metrics.json, steps.csv, grad_norm_vs_d.png, grad_norm.png, loss.png, \
         discriminator.png, samples-<loss>.png)",
        r.config.out.display()
    );
}
