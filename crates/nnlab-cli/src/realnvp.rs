//! `nnlab realnvp`: train a RealNVP flow on a 2-D toy or on MNIST and report its held-out
//! likelihood.

use crate::common::Common;
use crate::progress::Bars;
use anyhow::Result;
use clap::Args;
use nnlab::jobs;
use nnlab::jobs::realnvp::{Config, FlowData, FlowMetrics, Report};
use std::path::PathBuf;

/// Options of `nnlab realnvp` (documented on the subcommand in main.rs); every default is the
/// library's [`Config::for_data`].
#[derive(Args)]
pub struct RealNvpArgs {
    /// What to model: `moons` or `rings` (2-D toys), or an image dataset such as `mnist`
    /// [default: moons].
    #[arg(long)]
    data: Option<String>,
    /// Number of coupling layers [default: toys 10, images 6].
    #[arg(long)]
    layers: Option<usize>,
    /// Width of the hidden layers of each s, t network [default: toys 64, images 256].
    #[arg(long)]
    hidden: Option<usize>,
    /// Passes through the training data [default: toys 150, images 3].
    #[arg(long)]
    epochs: Option<usize>,
    /// Adam learning rate [default: toys 2e-3, images 5e-4].
    #[arg(long)]
    lr: Option<f64>,
    /// Minibatch size [default: toys 200, images 100].
    #[arg(long)]
    batch_size: Option<usize>,
    /// Seed of the initial weights, batch order, noise, samples and toy data [default: 0].
    #[arg(long)]
    seed: Option<u64>,
    /// Training points of a toy (test points: half as many) [default: 4000].
    #[arg(long)]
    points: Option<usize>,
    /// Train on only the first N training images (quick runs).
    #[arg(long, value_name = "N")]
    train_limit: Option<usize>,
    /// Test on only the first N test images (quick runs).
    #[arg(long, value_name = "N")]
    test_limit: Option<usize>,
    /// Output folder [default: runs/realnvp].
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    checkpoint: crate::common::CheckpointArgs,
    #[command(flatten)]
    common: Common,
}

/// The job the arguments describe; options not given keep their value in
/// [`Config::for_data`] of the chosen data.
fn config(args: RealNvpArgs) -> Result<Config> {
    let data = match &args.data {
        Some(spec) => spec.parse::<FlowData>()?,
        None => Config::default().data,
    };
    let d = Config::for_data(data);
    let train = args.checkpoint.apply(crate::common::train(
        &d.train,
        args.epochs,
        args.batch_size,
        args.lr,
    ));
    Ok(Config {
        data: d.data.clone(),
        layers: args.layers.or(d.layers),
        hidden: args.hidden.or(d.hidden),
        train,
        points: args.points.unwrap_or(d.points),
        train_limit: args.train_limit.or(d.train_limit),
        test_limit: args.test_limit.or(d.test_limit),
        env: args.common.env(d.env, args.out, args.seed),
    })
}

pub fn run(args: RealNvpArgs) -> Result<()> {
    let mut bars = Bars::new(args.common.quiet);
    let report = jobs::execute(&config(args)?, &mut bars)?;
    print_summary(&report);
    Ok(())
}

fn print_summary(r: &Report) {
    let f = &r.flow;
    println!(
        "flow        {} coupling layers, s,t nets {}x{} hidden, masks {:?}, scale bound {}",
        f.layers, f.depth, f.hidden, f.masks, f.scale_bound
    );
    println!(
        "data        train {} ({}), test {} ({})",
        r.train_set, r.n_train, r.test_set, r.n_test
    );
    match r.metrics {
        FlowMetrics::Toy {
            test_log_likelihood,
            gaussian_test_log_likelihood,
            train_log_likelihood,
        } => {
            println!(
                "test        mean log-likelihood {test_log_likelihood:.4} nats/point \
                 (train {train_log_likelihood:.4})"
            );
            println!("baseline    Gaussian fit {gaussian_test_log_likelihood:.4} nats/point");
        }
        FlowMetrics::Images {
            test_nll_nats,
            test_bits_per_dim,
            test_nll_nats_half_noise,
        } => {
            println!(
                "test        NLL {test_nll_nats:.2} nats/image = {test_bits_per_dim:.4} bits/dim \
                 (u ~ U(0,1)); {test_nll_nats_half_noise:.2} nats with u = 1/2"
            );
        }
    }
    let last = r.epochs.last().map_or(f64::NAN, |s| s.loss_per_image);
    println!(
        "training    {} epochs in {:.1} s; last epoch loss {:.4} per item",
        r.epochs.len(),
        r.train_seconds,
        last
    );
    println!(
        "outputs     {}/ ({})",
        r.job.env.out.display(),
        r.files.join(", ")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_flags_runs_the_default_config() {
        let cfg = config(crate::common::parse::<RealNvpArgs, _, _>(["realnvp"])).unwrap();
        assert_eq!(cfg, Config::default());
    }
}
