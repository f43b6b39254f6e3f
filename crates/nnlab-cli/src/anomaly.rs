//! `nnlab anomaly`: train a scoring model (autoencoder, VAE, flow or sparse coder) on normal data
//! and detect anomalies; `nnlab anomaly score` applies a saved detector to new data (`anomaly
//! export`: see anomaly_export.rs).

use crate::common::Common;
use crate::progress::Bars;
use anyhow::Result;
use clap::{Args, Subcommand};
use nnlab::anomaly::{Arch, Scorer, SparseConfig};
use nnlab::jobs::anomaly::{Config, Report};
use nnlab::jobs::{self, anomaly::benchmark, anomaly::score};
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
    /// Train on only the first N images of the training split (quick runs) [default: all;
    /// sparse: 10000].
    #[arg(long, value_name = "N")]
    train_limit: Option<usize>,
    /// Anomaly score: ae = autoencoder reconstruction error ||x - D(E(x))||^2; vae = negative
    /// ELBO of a VAE (784-400-20, Bernoulli decoder; --latent/--hidden apply); flow = negative
    /// log-likelihood of a RealNVP flow (6 checkerboard couplings; --hidden sets the width of
    /// its s, t networks); sparse = sparse-coding objective 1/2 ||x - Dz||^2 + lambda ||z||_1
    /// of a learned dictionary D, z by FISTA (--atoms, --lambda, --coding-iterations apply;
    /// its epochs are rounds of dictionary learning) [default: ae].
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
    /// Passes over the training data [default: 10; flow: 5; sparse: 5 rounds of coding and
    /// atom updates].
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
    /// Number K of dictionary atoms, the code size (sparse scorer) [default: 256].
    #[arg(long)]
    atoms: Option<usize>,
    /// Weight lambda of the l1 penalty on codes (sparse scorer) [default: 0.1].
    #[arg(long, allow_negative_numbers = true)]
    lambda: Option<f64>,
    /// FISTA iterations per code (sparse scorer) [default: 100].
    #[arg(long)]
    coding_iterations: Option<usize>,
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
    /// Correct scores for input complexity L(x) (bits of a zlib compression of the image):
    /// ratio = s(x)/L(x), difference = s(x) - L(x) ln 2 (for NLL scores) [default: none].
    #[arg(long, value_enum)]
    complexity: Option<nnlab::complexity::Correction>,
    #[command(flatten)]
    checkpoint: crate::common::CheckpointArgs,
    #[command(flatten)]
    common: Common,
}

#[derive(Subcommand)]
enum Action {
    /// Score new data with a saved detector (the `model/` folder of a run).
    Score(ScoreArgs),
    /// The one-class benchmark: for each class c of a labelled dataset, train on class c only
    /// and score the whole test set (c normal, every other class anomalous); a table of AUROC
    /// per class and scorer, with type I/II errors at mean + k*std. Each scorer uses its
    /// protocol recipe (ae: 50 epochs, error per bit of input complexity; flow: NLL minus the
    /// complexity in nats; vae: its main-job recipe). Writes benchmark.json, benchmark.csv, auroc.png and one anomaly
    /// run per task into --out.
    Benchmark(BenchmarkArgs),
    /// Write a saved autoencoder detector (ae scorer, mlp or conv) for PyTorch: --to DIR gets
    /// model.safetensors, the state_dict of the equivalent nn.Sequential (PyTorch names and
    /// layouts), and score.py, which rebuilds the network, loads the weights and scores IDX
    /// images with the detector's score and threshold.
    Export(crate::anomaly_export::ExportArgs),
}

#[derive(Args)]
struct BenchmarkArgs {
    /// Labelled training images; the classes are its labels (training split unless given)
    /// [default: mnist].
    #[arg(long)]
    dataset: Option<String>,
    /// Labelled test images [default: the test split of --dataset].
    #[arg(long)]
    test: Option<String>,
    /// Scorers to compare, comma separated [default: ae,vae,flow].
    #[arg(long, value_enum, value_delimiter = ',')]
    scorers: Option<Vec<Scorer>>,
    /// Seeds, comma separated; each cell is the mean +- std over them [default: 0].
    #[arg(long, value_delimiter = ',')]
    seeds: Option<Vec<u64>>,
    /// Validation images held out of each class's training images [default: 1000].
    #[arg(long)]
    validation: Option<usize>,
    /// k in the threshold mean + k*std of validation scores [default: 3].
    #[arg(long, allow_negative_numbers = true)]
    sigmas: Option<f64>,
    /// Output folder [default: runs/anomaly-benchmark-<UTC timestamp>].
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
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
    let out = args.out.unwrap_or_else(|| stamped(&d.env.out));
    let mut train = args.checkpoint.apply(crate::common::train(
        &d.train,
        args.epochs,
        args.batch_size,
        args.lr,
    ));
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
        sparse: SparseConfig {
            atoms: args.atoms.unwrap_or(d.sparse.atoms),
            lambda: args.lambda.unwrap_or(d.sparse.lambda),
            coding_iterations: args.coding_iterations.unwrap_or(d.sparse.coding_iterations),
        },
        train,
        sigmas: args.sigmas.unwrap_or(d.sigmas),
        env: args.common.env(d.env, Some(out), args.seed),
        log_histogram: d.log_histogram && !args.linear_histogram,
        complexity: args.complexity.unwrap_or(d.complexity),
    }
}

pub fn run(args: AnomalyArgs) -> Result<()> {
    match args.action {
        Some(Action::Score(s)) => return run_score(s),
        Some(Action::Benchmark(b)) => return run_benchmark(b),
        Some(Action::Export(e)) => return crate::anomaly_export::run(e),
        None => {}
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
        "reconstructions"
    } else {
        "extremes"
    };
    let figs =
        crate::common::figure_names(r.config.env.figures, &["histogram", "roc", grid, "loss"]);
    println!(
        "outputs     {}/ (metrics.json, scores.csv, {figs}, model/, report.html)",
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

/// The benchmark the arguments describe; options not given keep [`benchmark::Config`]'s defaults.
fn benchmark_config(args: BenchmarkArgs) -> benchmark::Config {
    let d = benchmark::Config::default();
    let out = args.out.unwrap_or_else(|| stamped(&d.env.out));
    benchmark::Config {
        dataset: args.dataset.unwrap_or(d.dataset),
        test: args.test.or(d.test),
        scorers: args.scorers.unwrap_or(d.scorers),
        seeds: args.seeds.unwrap_or(d.seeds),
        validation: args.validation.unwrap_or(d.validation),
        sigmas: args.sigmas.unwrap_or(d.sigmas),
        env: args.common.env(d.env, Some(out), None),
    }
}

fn run_benchmark(args: BenchmarkArgs) -> Result<()> {
    let mut bars = Bars::new(args.common.quiet);
    let cfg = benchmark_config(args);
    let r = jobs::execute(&cfg, &mut bars)?;
    let name = |s: Scorer| format!("{s:?}").to_lowercase();
    print!("class ");
    for c in &r.mean {
        print!("  {:>22}", name(c.scorer));
    }
    println!();
    let cell = |c: &benchmark::Cell| {
        format!(
            "{:.4}±{:.4} ({:>5.1}%/{:>5.1}%)",
            c.auroc_mean,
            c.auroc_std,
            100.0 * c.type_i_error,
            100.0 * c.type_ii_error
        )
    };
    for row in &r.rows {
        print!("{:>5} ", row.class);
        for c in &row.cells {
            print!("  {:>22}", cell(c));
        }
        println!();
    }
    print!(" mean ");
    for c in &r.mean {
        print!("  {:>22}", cell(c));
    }
    println!();
    println!(
        "cells: AUROC mean±std over seeds (type I / type II at mean + {} std); Deep SVDD (ICML 2018) mean AUROC {}",
        cfg.sigmas, r.deep_svdd_mean_auroc
    );
    println!(
        "time        {:.1} s; outputs {}/ (benchmark.json, benchmark.csv, {}, one run per task)",
        r.seconds,
        cfg.env.out.display(),
        crate::common::figure_names(cfg.env.figures, &["auroc"])
    );
    Ok(())
}

/// `dir` with the UTC time of the run appended, e.g. `runs/anomaly-20261201T020000Z`.
fn stamped(dir: &std::path::Path) -> PathBuf {
    let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    PathBuf::from(format!(
        "{}-{}",
        dir.display(),
        stamp.replace([':', '-'], "")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use nnlab::jobs::Env;

    fn parse(flags: &[&str]) -> Config {
        let argv = std::iter::once("anomaly").chain(flags.iter().copied());
        config(crate::common::parse::<AnomalyArgs, _, _>(argv))
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
        let sparse = parse(&["--scorer", "sparse", "--out", "runs/anomaly"]);
        assert_eq!(sparse, Config::for_scorer(Scorer::Sparse));
        // Each sparse flag reaches its field.
        let set = parse(&[
            "--scorer",
            "sparse",
            "--atoms",
            "7",
            "--lambda",
            "0.25",
            "--coding-iterations",
            "9",
        ]);
        assert_eq!(
            set.sparse,
            SparseConfig {
                atoms: 7,
                lambda: 0.25,
                coding_iterations: 9
            }
        );
    }

    /// With no flags `anomaly benchmark` runs `benchmark::Config::default()` (but the folder).
    #[test]
    fn benchmark_without_flags_runs_the_default_config() {
        let cfg = benchmark_config(crate::common::parse::<BenchmarkArgs, _, _>(["benchmark"]));
        let d = benchmark::Config::default();
        assert!(
            cfg.env
                .out
                .display()
                .to_string()
                .starts_with("runs/anomaly-benchmark-")
        );
        let cfg = benchmark::Config {
            env: Env {
                out: d.env.out.clone(),
                ..cfg.env
            },
            ..cfg
        };
        assert_eq!(cfg, d);
    }
}
