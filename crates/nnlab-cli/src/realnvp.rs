//! `nnlab realnvp`: train a RealNVP flow on a 2-D toy or on MNIST and report its held-out
//! likelihood.

use crate::common::Common;
use crate::progress::Bars;
use anyhow::Result;
use clap::Args;
use nnlab::models::realnvp::job::{self, FlowData, FlowJob, FlowMetrics, FlowReport};
use std::path::PathBuf;

/// Options of `nnlab realnvp` (documented on the subcommand in main.rs).
#[derive(Args)]
pub struct RealNvpArgs {
    /// What to model: `moons` or `rings` (2-D toys), or an image dataset such as `mnist`.
    #[arg(long, default_value = "moons")]
    data: String,
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
    /// Seed of the initial weights, batch order, noise, samples and toy data.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Training points of a toy (test points: half as many).
    #[arg(long, default_value_t = 4000)]
    points: usize,
    /// Train on only the first N training images (quick runs).
    #[arg(long, value_name = "N")]
    train_limit: Option<usize>,
    /// Test on only the first N test images (quick runs).
    #[arg(long, value_name = "N")]
    test_limit: Option<usize>,
    /// Output folder.
    #[arg(long, default_value = "runs/realnvp")]
    out: PathBuf,
    #[command(flatten)]
    common: Common,
}

pub fn run(args: RealNvpArgs) -> Result<()> {
    let data: FlowData = args.data.parse()?;
    let mut job = FlowJob::new(data);
    job.layers = args.layers;
    job.hidden = args.hidden;
    job.train.epochs = args.epochs.unwrap_or(job.train.epochs);
    job.train.lr = args.lr.unwrap_or(job.train.lr);
    job.train.batch_size = args.batch_size.unwrap_or(job.train.batch_size);
    job.train.seed = args.seed;
    job.points = args.points;
    job.train_limit = args.train_limit;
    job.test_limit = args.test_limit;
    job.out = args.out;
    job.data_dir = args.common.data_dir;
    job.offline = args.common.offline;
    job.device = args.common.device;
    let report = job::run(&job, &mut Bars::new(args.common.quiet))?;
    print_summary(&report);
    Ok(())
}

fn print_summary(r: &FlowReport) {
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
        r.job.out.display(),
        r.files.join(", ")
    );
}
