//! `nnlab gan`: train an MLP GAN with the minimax and/or the non-saturating generator loss and
//! compare their generator-gradient norms against D(G(z)).

use crate::common::Common;
use crate::progress::Bars;
use anyhow::Result;
use clap::{Args, ValueEnum};
use nnlab::jobs;
use nnlab::jobs::gan::{Config, Report};
use nnlab::models::gan::GeneratorLoss;
use std::path::PathBuf;

/// Options of `nnlab gan` (documented on the subcommand in main.rs); every default is the
/// library's [`Config::default`].
#[derive(Args)]
pub struct GanArgs {
    /// Training images: a dataset (training split) or IDX file, e.g. mnist, mnist:3, kmnist
    /// [default: mnist].
    #[arg(long)]
    data: Option<String>,
    /// Train on only the first N training images (quick runs) [default: all].
    #[arg(long, value_name = "N")]
    train_limit: Option<usize>,
    /// Passes over the training images [default: 5].
    #[arg(long)]
    epochs: Option<usize>,
    /// Images per step [default: 64].
    #[arg(long)]
    batch_size: Option<usize>,
    /// Adam learning rate of both G and D (Adam beta1 = 0.5, beta2 = 0.999) [default: 1e-3].
    #[arg(long)]
    lr: Option<f64>,
    /// Width of the latent code z ~ N(0, I) [default: 64].
    #[arg(long)]
    latent: Option<usize>,
    /// Hidden widths of G, comma separated (D mirrors them) [default: 256,256].
    #[arg(long, value_delimiter = ',')]
    hidden: Option<Vec<usize>>,
    /// Generator loss: minimax E log(1 - D(G(z))), nonsat -E log D(G(z)), or both (two runs,
    /// same seeds and data order) [default: both].
    #[arg(long, value_enum)]
    loss: Option<Losses>,
    /// Discriminator-only steps before the first generator step (drives D(G(z)) toward 0)
    /// [default: 100].
    #[arg(long, value_name = "STEPS")]
    d_pretrain: Option<usize>,
    /// Samples per epoch in the sample grids (fixed z across epochs) [default: 12].
    #[arg(long)]
    samples: Option<usize>,
    /// Seed of the initial weights (G: 2s, D: 2s+1), the batch order and z [default: 0].
    #[arg(long)]
    seed: Option<u64>,
    /// Output folder [default: runs/gan].
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
}

/// The `--loss` choices: one generator loss or both.
#[derive(Clone, Copy, ValueEnum)]
enum Losses {
    Minimax,
    Nonsat,
    Both,
}

/// The job the arguments describe; options not given keep their [`Config::default`] value.
fn config(args: GanArgs) -> Config {
    let d = Config::default();
    let train = crate::common::train(&d.train, args.epochs, args.batch_size, args.lr);
    let losses = match args.loss {
        None => d.losses,
        Some(Losses::Both) => GeneratorLoss::BOTH.to_vec(),
        Some(Losses::Minimax) => vec![GeneratorLoss::Minimax],
        Some(Losses::Nonsat) => vec![GeneratorLoss::Nonsat],
    };
    Config {
        data: args.data.unwrap_or(d.data),
        train_limit: args.train_limit.or(d.train_limit),
        latent: args.latent.unwrap_or(d.latent),
        hidden: args.hidden.unwrap_or(d.hidden),
        losses,
        train,
        d_pretrain: args.d_pretrain.unwrap_or(d.d_pretrain),
        n_samples: args.samples.unwrap_or(d.n_samples),
        env: args.common.env(d.env, args.out, args.seed),
    }
}

pub fn run(args: GanArgs) -> Result<()> {
    let mut bars = Bars::new(args.common.quiet);
    let report = jobs::execute(&config(args), &mut bars)?;
    print_summary(&report);
    Ok(())
}

fn print_summary(r: &Report) {
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
        "outputs     {}/ (metrics.json, steps.csv, {})",
        r.config.env.out.display(),
        crate::common::figure_names(
            r.config.env.figures,
            &[
                "grad_norm_vs_d",
                "grad_norm",
                "loss",
                "discriminator",
                "samples-<loss>"
            ]
        )
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_flags_runs_the_default_config() {
        assert_eq!(
            config(crate::common::parse::<GanArgs, _, _>(["gan"])),
            Config::default()
        );
    }
}
