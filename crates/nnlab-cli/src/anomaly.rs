//! `nnlab anomaly`: train an autoencoder on normal data and detect anomalies; `nnlab anomaly
//! score` applies a saved detector to new data.

use crate::common::Common;
use crate::progress::Bars;
use anyhow::Result;
use clap::{Args, Subcommand};
use nnlab::anomaly::{Arch, Scorer};
use nnlab::jobs::anomaly::{Config, Report};
use nnlab::jobs::{self, anomaly::score};
use std::path::PathBuf;

/// Options of `nnlab anomaly` (documented on the subcommand in main.rs).
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AnomalyArgs {
    #[command(subcommand)]
    action: Option<Action>,
    /// Normal data to train and validate on (training split unless given) [default: mnist].
    #[arg(long)]
    normal: Option<String>,
    /// Normal data for testing [default: the test split of --normal].
    #[arg(long)]
    normal_test: Option<String>,
    /// Anomalous data to test on (test split unless given) [default: kmnist].
    #[arg(long)]
    anomaly: Option<String>,
    /// Number of normal training images held out for validation (threshold) [default: 10000].
    #[arg(long)]
    validation: Option<usize>,
    /// Train on only the first N images of the training split (quick runs).
    #[arg(long, value_name = "N")]
    train_limit: Option<usize>,
    /// Anomaly score: ae = autoencoder reconstruction error ||x - D(E(x))||^2; vae = negative
    /// ELBO of a VAE (784-400-20, Bernoulli decoder; --latent/--hidden apply); flow = negative
    /// log-likelihood of a RealNVP flow (6 checkerboard couplings; --hidden sets the width of
    /// its s, t networks) [default: ae].
    #[arg(long, value_enum)]
    scorer: Option<Scorer>,
    /// Autoencoder architecture (ae scorer) [default: mlp].
    #[arg(long, value_enum)]
    arch: Option<Arch>,
    /// Width of the code E(x) [default: 32].
    #[arg(long)]
    latent: Option<usize>,
    /// Hidden widths of the encoder, comma separated (mlp: 256,64; conv: channels 16,32).
    #[arg(long, value_delimiter = ',')]
    hidden: Option<Vec<usize>>,
    /// Passes over the training data [default: 10; flow: 5].
    #[arg(long)]
    epochs: Option<usize>,
    #[arg(long)]
    /// Images per Adam step [default: 100].
    batch_size: Option<usize>,
    /// Adam learning rate [default: 1e-3; flow: 5e-4].
    #[arg(long)]
    lr: Option<f64>,
    /// Clip each weight tensor's gradient to this L2 norm before the Adam step [default: none;
    /// flow: 1e4].
    #[arg(long, value_name = "NORM")]
    grad_clip: Option<f64>,
    /// k in the threshold mean + k*std of validation scores [default: 3].
    #[arg(long, allow_negative_numbers = true)]
    sigmas: Option<f64>,
    /// Seed of the split, the initial weights and the batch order [default: 0].
    #[arg(long)]
    seed: Option<u64>,
    /// Output folder [default: runs/anomaly-<UTC timestamp>].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Linear instead of logarithmic score axis in histogram.png.
    #[arg(long)]
    linear_histogram: bool,
    #[command(flatten)]
    common: Common,
}

#[derive(Subcommand)]
enum Action {
    /// Score new data with a saved detector (the `model/` folder of a run).
    Score(ScoreArgs),
}

#[derive(Args)]
struct ScoreArgs {
    /// Folder of a saved detector, e.g. runs/anomaly-<time>/model.
    #[arg(long)]
    model: PathBuf,
    /// Images to score (test split unless given).
    #[arg(long)]
    input: String,
    /// Write per-image scores to this CSV file (set,index,label,score,flagged).
    #[arg(long)]
    csv: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
}

/// The job the arguments describe: every option not given keeps its value in
/// [`Config::for_scorer`] (the defaults). Without `--out`, the output folder is stamped with
/// the time of the run.
fn config(args: AnomalyArgs) -> Config {
    let d = Config::for_scorer(args.scorer.unwrap_or(Config::default().scorer));
    let out = args.out.unwrap_or_else(|| {
        let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
        let dir = d.env.out.display().to_string();
        PathBuf::from(format!("{dir}-{}", stamp.replace([':', '-'], "")))
    });
    let mut train = crate::common::train(&d.train, args.epochs, args.batch_size, args.lr);
    train.grad_clip = args.grad_clip.or(train.grad_clip);
    Config {
        normal: args.normal.unwrap_or(d.normal),
        normal_test: args.normal_test.or(d.normal_test),
        anomaly: args.anomaly.unwrap_or(d.anomaly),
        validation: args.validation.unwrap_or(d.validation),
        train_limit: args.train_limit.or(d.train_limit),
        scorer: d.scorer,
        arch: args.arch.unwrap_or(d.arch),
        latent: args.latent.or(d.latent),
        hidden: args.hidden.or(d.hidden),
        train,
        sigmas: args.sigmas.unwrap_or(d.sigmas),
        env: args.common.env(d.env, Some(out), args.seed),
        log_histogram: d.log_histogram && !args.linear_histogram,
    }
}

pub fn run(args: AnomalyArgs) -> Result<()> {
    if let Some(Action::Score(s)) = args.action {
        return run_score(s);
    }
    let mut bars = Bars::new(args.common.quiet);
    let cfg = config(args);
    let report = jobs::execute(&cfg, &mut bars)?;
    print_summary(&report);
    Ok(())
}

fn print_summary(r: &Report) {
    let c = &r.counts;
    let pct = |x: f64| format!("{:.2}%", 100.0 * x);
    println!(
        "normal      {} ({} train, {} validation); test {}",
        r.data.train, c.train, c.validation, r.data.normal_test
    );
    println!("anomalies   {}", r.data.anomaly);
    println!("score       {}", r.config.scorer.formula());
    println!(
        "threshold   {:.3} = validation mean {:.3} + {} x std {:.3}",
        r.threshold, r.validation_mean, r.sigmas, r.validation_std
    );
    println!(
        "type I      {:>7}  ({} of {} normal test images flagged)",
        pct(r.type_i_error),
        c.normal_test_flagged,
        c.normal_test
    );
    println!(
        "type II     {:>7}  ({} of {} anomalies missed)",
        pct(r.type_ii_error),
        c.anomaly - c.anomaly_flagged,
        c.anomaly
    );
    println!("AUROC       {:.4}", r.auroc);
    println!("AUPR        {:.4}", r.aupr);
    println!(
        "training    {} epochs in {:.1} s ({:.0} images/s); scoring {} images in {:.2} s",
        r.epochs.len(),
        r.train_seconds,
        r.train_images_per_sec,
        c.validation + c.normal_test + c.anomaly,
        r.score_seconds
    );
    let grid = if r.config.scorer.reconstructs() {
        "reconstructions.png"
    } else {
        "extremes.png"
    };
    println!(
        "outputs     {}/ (metrics.json, scores.csv, histogram.png, roc.png, {grid}, loss.png, model/)",
        r.config.env.out.display()
    );
}

fn run_score(args: ScoreArgs) -> Result<()> {
    let mut bars = Bars::new(args.common.quiet);
    let d = score::Config::default();
    let cfg = score::Config {
        model: args.model,
        input: args.input,
        csv: args.csv,
        env: args.common.env(d.env, None, None),
    };
    let r = jobs::execute(&cfg, &mut bars)?;
    println!("input       {} ({} images)", r.input, r.images);
    println!(
        "threshold   {:.3} (trained on {})",
        r.threshold, r.trained_on
    );
    println!(
        "flagged     {} of {} ({:.2}%); mean score {:.3}",
        r.flagged,
        r.images,
        100.0 * r.flagged_rate(),
        r.mean_score
    );
    if let Some(path) = &r.csv {
        println!("scores      {}", path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;
    use nnlab::jobs::Env;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: AnomalyArgs,
    }

    fn parse(flags: &[&str]) -> Config {
        let argv = std::iter::once("anomaly").chain(flags.iter().copied());
        config(Cli::parse_from(argv).args)
    }

    /// With no flags the CLI runs `Config::default()`, except for the time-stamped folder.
    #[test]
    fn no_flags_runs_the_default_config() {
        let cfg = parse(&[]);
        let d = Config::default();
        assert!(
            cfg.env
                .out
                .display()
                .to_string()
                .starts_with("runs/anomaly-")
        );
        let cfg = Config {
            env: Env {
                out: d.env.out.clone(),
                ..cfg.env
            },
            ..cfg
        };
        assert_eq!(cfg, d);
        // A scorer's own defaults apply when only the scorer is named.
        let flow = parse(&["--scorer", "flow", "--out", "runs/anomaly"]);
        assert_eq!(flow, Config::for_scorer(Scorer::Flow));
    }
}
