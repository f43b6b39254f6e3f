//! `nnlab softmax-regression`: train softmax regression on labelled images (MNIST by default)
//! and report the test loss and top-k errors.

use crate::common::Common;
use crate::progress::Bars;
use anyhow::Result;
use clap::Args;
use nnlab::jobs;
use nnlab::jobs::softmax_regression::{Config, Report, SHAPE, WEIGHTS};
use nnlab::models::softmax_regression::Optimizer;
use std::path::PathBuf;

/// Options of `nnlab softmax-regression` (documented on the subcommand in main.rs); unset
/// options take the library's defaults (`Config::default()`).
#[derive(Args)]
pub struct SoftmaxRegressionArgs {
    /// Training images with labels [default: mnist, training split].
    #[arg(long)]
    data: Option<String>,
    /// Test images with labels [default: the test split of --data].
    #[arg(long)]
    test_data: Option<String>,
    /// Train on only the first N training images.
    #[arg(long, value_name = "N")]
    train_limit: Option<usize>,
    /// Test on only the first N test images.
    #[arg(long, value_name = "N")]
    test_limit: Option<usize>,
    /// Update rule [default: sgd].
    #[arg(long, value_enum)]
    optimizer: Option<Optimizer>,
    /// Passes over the training images [default: 10].
    #[arg(long)]
    epochs: Option<usize>,
    /// Images per step [default: 100].
    #[arg(long)]
    batch_size: Option<usize>,
    /// Learning rate of the first epoch [default: 0.1].
    #[arg(long)]
    lr: Option<f64>,
    /// Learning-rate decay d: epoch e uses lr / (1 + (e - 1) d) [default: 0.5].
    #[arg(long)]
    lr_decay: Option<f64>,
    /// SGD momentum in [0, 1) [default: 0.9].
    #[arg(long)]
    momentum: Option<f64>,
    /// L2 weight lambda of (lambda/2)||W||^2 (scikit-learn's C = 1/(lambda n)) [default: 1e-4].
    #[arg(long)]
    lambda: Option<f64>,
    /// Also report the top-K test error.
    #[arg(long, value_name = "K")]
    top_k: Option<usize>,
    /// Seed of the batch order [default: 0].
    #[arg(long)]
    seed: Option<u64>,
    /// Output folder [default: runs/softmax-regression].
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
}

/// The job config of `args`: every unset option keeps `Config::default()`'s value.
pub fn config(args: &SoftmaxRegressionArgs) -> Config {
    let d = Config::default();
    let c = &args.common;
    let mut cfg = Config {
        data: args.data.clone().unwrap_or(d.data),
        test_data: args.test_data.clone().or(d.test_data),
        train_limit: args.train_limit.or(d.train_limit),
        test_limit: args.test_limit.or(d.test_limit),
        top_k: args.top_k.or(d.top_k),
        ..d
    };
    let t = &mut cfg.train;
    t.optimizer = args.optimizer.unwrap_or(t.optimizer);
    t.epochs = args.epochs.unwrap_or(t.epochs);
    t.batch_size = args.batch_size.unwrap_or(t.batch_size);
    t.lr = args.lr.unwrap_or(t.lr);
    t.lr_decay = args.lr_decay.unwrap_or(t.lr_decay);
    t.momentum = args.momentum.unwrap_or(t.momentum);
    t.lambda = args.lambda.unwrap_or(t.lambda);
    let e = &mut cfg.env;
    e.seed = args.seed.unwrap_or(e.seed);
    e.out = args.out.clone().unwrap_or(e.out.clone());
    e.data_dir = c.data_dir.clone().or(e.data_dir.take());
    e.offline |= c.offline;
    e.device = c.device;
    e.figures = c.figures.or(e.figures);
    cfg
}

pub fn run(args: SoftmaxRegressionArgs) -> Result<()> {
    let cfg = config(&args);
    let mut bars = Bars::new(args.common.quiet);
    let report = jobs::execute(&cfg, &mut bars)?;
    print_summary(&report);
    Ok(())
}

fn print_summary(r: &Report) {
    let t = &r.config.train;
    println!(
        "model       softmax regression, {} classes x {} inputs (+ bias), lambda {}",
        r.classes, r.inputs, t.lambda
    );
    println!(
        "data        train {} ({} images), test {} ({} images)",
        r.train_data, r.train_images, r.test_data, r.test_images
    );
    println!(
        "training    {:?}, {} epochs, batch {}, lr {} (decay {}), in {:.1} s ({:.1} s total)",
        t.optimizer, t.epochs, t.batch_size, t.lr, t.lr_decay, r.train_seconds, r.total_seconds
    );
    println!(
        "loss        train {:.4}  test {:.4} (mean cross-entropy, nats)",
        r.train_loss, r.test_loss
    );
    for k in &r.top_k_errors {
        println!("top-{:<8}test error {:.2}%", k.k, 100.0 * k.error);
    }
    let c = &r.collapse;
    let widths: Vec<String> = c.widths.iter().map(|w| w.to_string()).collect();
    println!(
        "collapse    linear stack {} = one {}x{} matrix: max |difference| {:.1e} (relative {:.1e}) on {} test images",
        widths.join("-"),
        c.product_shape[0],
        c.product_shape[1],
        c.max_abs_difference,
        c.relative_difference(),
        c.inputs
    );
    println!(
        "outputs     {}/ (metrics.json, {}, model/{WEIGHTS}, model/{SHAPE})",
        r.config.env.out.display(),
        crate::common::figure_names(r.config.env.figures, &["loss", "confusion", "weights"])
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_flags_give_the_library_defaults() {
        let cli = crate::common::parse::<SoftmaxRegressionArgs, _, _>(["x"]);
        assert_eq!(config(&cli), Config::default());
    }

    #[test]
    fn flags_set_their_fields() {
        let cli = crate::common::parse::<SoftmaxRegressionArgs, _, _>([
            "x",
            "--lambda",
            "0.5",
            "--optimizer",
            "adam",
            "--seed",
            "3",
        ]);
        let cfg = config(&cli);
        assert_eq!(cfg.train.lambda, 0.5);
        assert_eq!(cfg.train.optimizer, Optimizer::Adam);
        assert_eq!(cfg.env.seed, 3);
    }

    #[test]
    fn setting_errors_name_the_flag() {
        let e = nnlab::jobs::JobError::setting("train.lr_decay", "bad");
        assert_eq!(crate::flags::message(&e), "--lr-decay: bad");
    }
}
