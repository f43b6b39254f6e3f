//! `nnlab vae`: train a variational autoencoder on images and report the test ELBO and the
//! importance-weighted bounds IW_k.

use crate::common::Common;
use crate::progress::Bars;
use anyhow::Result;
use clap::Args;
use nnlab::jobs;
use nnlab::jobs::vae::{self, Config, Report};
use std::path::PathBuf;

/// Options of `nnlab vae` (documented on the subcommand in main.rs); every default is the
/// library's [`Config::default`].
#[derive(Args)]
pub struct VaeArgs {
    /// Training images (training split unless given) [default: mnist].
    #[arg(long)]
    data: Option<String>,
    /// Test images [default: the test split of --data].
    #[arg(long)]
    test_data: Option<String>,
    /// Train on only the first N training images (quick runs).
    #[arg(long, value_name = "N")]
    train_limit: Option<usize>,
    /// Evaluate on only the first N test images (quick runs).
    #[arg(long, value_name = "N")]
    test_limit: Option<usize>,
    /// Dimension of the latent z [default: 20].
    #[arg(long)]
    latent: Option<usize>,
    /// Hidden widths of the encoder MLP, comma separated (mirrored in the decoder) [default: 400].
    #[arg(long, value_delimiter = ',')]
    hidden: Option<Vec<usize>>,
    /// Passes over the training images [default: 10].
    #[arg(long)]
    epochs: Option<usize>,
    /// Images per Adam step (the loss is the batch sum of -ELBO) [default: 100].
    #[arg(long)]
    batch_size: Option<usize>,
    /// Adam learning rate [default: 1e-3].
    #[arg(long)]
    lr: Option<f64>,
    /// Seed of the initial weights, batch order and noise (evaluation uses seed+1, samples
    /// seed+2) [default: 0].
    #[arg(long)]
    seed: Option<u64>,
    /// Sample counts k of the importance-weighted bounds IW_k on the test set, comma separated
    /// [default: 1,10,100].
    #[arg(long, value_delimiter = ',')]
    iw_samples: Option<Vec<usize>>,
    /// Output folder [default: runs/vae].
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    checkpoint: crate::common::CheckpointArgs,
    #[command(flatten)]
    common: Common,
}

/// The job the arguments describe; options not given keep their [`Config::default`] value.
fn config(args: VaeArgs) -> Config {
    let d = Config::default();
    let train = args.checkpoint.apply(crate::common::train(
        &d.train,
        args.epochs,
        args.batch_size,
        args.lr,
    ));
    Config {
        data: args.data.unwrap_or(d.data),
        test_data: args.test_data.or(d.test_data),
        train_limit: args.train_limit.or(d.train_limit),
        test_limit: args.test_limit.or(d.test_limit),
        latent: args.latent.unwrap_or(d.latent),
        hidden: args.hidden.unwrap_or(d.hidden),
        train,
        iw_samples: args.iw_samples.unwrap_or(d.iw_samples),
        env: args.common.env(d.env, args.out, args.seed),
    }
}

pub fn run(args: VaeArgs) -> Result<()> {
    let mut bars = Bars::new(args.common.quiet);
    let report = jobs::execute(&config(args), &mut bars)?;
    print_summary(&report);
    Ok(())
}

fn print_summary(r: &Report) {
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
        "outputs     {}/ (metrics.json, {}, {}, {})",
        r.config.env.out.display(),
        crate::common::figure_names(
            r.config.env.figures,
            &["samples", "reconstructions", "loss"]
        ),
        vae::WEIGHTS,
        vae::CONFIG
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_flags_runs_the_default_config() {
        assert_eq!(
            config(crate::common::parse::<VaeArgs, _, _>(["vae"])),
            Config::default()
        );
    }
}
