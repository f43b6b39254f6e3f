//! `nnlab study <name>`: optimization studies whose outcome theory predicts; each prints the
//! prediction next to the measurement and writes metrics.json and its figures into --out.

mod init;
mod leak;
mod momentum;
mod noise;

use crate::common::Common;
use anyhow::Result;
use clap::{Args, Subcommand};
use nnlab::jobs::Env;
use std::path::PathBuf;

/// Options of `nnlab study`.
#[derive(Args)]
pub struct StudyArgs {
    #[command(subcommand)]
    study: Study,
}

#[derive(Subcommand)]
enum Study {
    /// Instance noise is ridge regression: E||(X+N)w - y||^2 = ||Xw - y||^2 + m sigma^2 ||w||^2.
    ///
    /// Checks the identity by Monte Carlo over random w, runs SGD on noisy inputs (it converges
    /// to the ridge solution, not least squares), and sweeps the step size of scalar GD with a
    /// noisy input across the bound 2/(x^2 + sigma^2). Writes identity.png, sgd.png,
    /// scalar.png and metrics.json.
    Noise(noise::NoiseArgs),
    /// Gradient descent, heavy-ball and Nesterov momentum on quadratics; SGD vs momentum on an
    /// autoencoder with hand-derived gradients.
    ///
    /// Measures contraction rates for several condition numbers kappa against (k-1)/(k+1),
    /// (sqrt k - 1)/(sqrt k + 1) and 1 - 1/sqrt k; checks the autoencoder gradients against
    /// finite differences and autodiff, then trains it on MNIST images with both optimizers.
    /// Writes rates.png, autoencoder.png and metrics.json.
    Momentum(momentum::MomentumArgs),
    /// Augment after you split: the validation accuracy of augmenting before the split is
    /// inflated by near-copies of validation images in training.
    ///
    /// Trains the same classifier on a leaky pipeline (augment, then split) and an honest one
    /// (split, then augment the training part only); compares validation with test accuracy.
    /// Writes accuracy.png, examples.png and metrics.json.
    Leak(leak::LeakArgs),
    /// Initialization of a deep MLP: zeros, Xavier (uniform, normal) and He under ReLU, tanh and
    /// sigmoid.
    ///
    /// Measures the activation standard deviation and gradient norm of every layer at
    /// initialization, the per-layer variance ratio of ReLU activations (predicted 1 for He, 1/2
    /// for Xavier), validation accuracy by epoch, and the spread between the hidden units after
    /// training (predicted 0 for zeros). Writes at_init.png, accuracy.png and metrics.json.
    Init(init::InitArgs),
}

pub fn run(args: StudyArgs) -> Result<()> {
    match args.study {
        Study::Noise(a) => noise::run(a),
        Study::Momentum(a) => momentum::run(a),
        Study::Leak(a) => leak::run(a),
        Study::Init(a) => init::run(a),
    }
}

/// Output, seed, data and progress options of every study.
#[derive(Args)]
pub struct EnvArgs {
    /// Output folder [default: runs/study-<name>].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Seed of every random draw of the study [default: 0].
    #[arg(long)]
    seed: Option<u64>,
    #[command(flatten)]
    pub common: Common,
}

impl EnvArgs {
    /// `env` with the options given on the command line.
    fn apply(self, env: Env) -> Env {
        Env {
            out: self.out.unwrap_or(env.out),
            seed: self.seed.unwrap_or(env.seed),
            data_dir: self.common.data_dir.or(env.data_dir),
            offline: self.common.offline || env.offline,
            device: self.common.device,
            figures: self.common.figures.or(env.figures),
        }
    }
}

/// `{x:.prec$}` for a list, comma-separated.
fn list(v: &[f64], prec: usize) -> String {
    v.iter()
        .map(|x| format!("{x:.prec$}"))
        .collect::<Vec<_>>()
        .join(", ")
}
