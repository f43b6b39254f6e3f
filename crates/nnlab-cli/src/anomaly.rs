//! `nnlab anomaly`: train an autoencoder on normal data and detect anomalies; `nnlab anomaly
//! score` applies a saved detector to new data.

use crate::common::Common;
use crate::progress::Bars;
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use nnlab::anomaly::{
    self, AnomalyConfig, AnomalyReport, Arch, Detector, JobObserver, Scorer, TrainConfig,
};
use nnlab::data::{DataSource, Selection, Split};
use std::path::PathBuf;

/// Options of `nnlab anomaly` (documented on the subcommand in main.rs).
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AnomalyArgs {
    #[command(subcommand)]
    action: Option<Action>,
    /// Normal data to train and validate on (training split unless given).
    #[arg(long, default_value = "mnist")]
    normal: String,
    /// Normal data for testing [default: the test split of --normal].
    #[arg(long)]
    normal_test: Option<String>,
    /// Anomalous data to test on (test split unless given).
    #[arg(long, default_value = "kmnist")]
    anomaly: String,
    /// Number of normal training images held out for validation (threshold).
    #[arg(long, default_value_t = 10_000)]
    validation: usize,
    /// Train on only the first N images of the training split (quick runs).
    #[arg(long, value_name = "N")]
    train_limit: Option<usize>,
    /// Anomaly score: ae = autoencoder reconstruction error ||x - D(E(x))||^2; vae = negative
    /// ELBO of a VAE (784-400-20, Bernoulli decoder; --latent/--hidden apply); flow = negative
    /// log-likelihood of a RealNVP flow (6 checkerboard couplings; --hidden sets the width of
    /// its s, t networks).
    #[arg(long, default_value = "ae", value_parser = ["ae", "vae", "flow"])]
    scorer: String,
    /// Autoencoder architecture (ae scorer).
    #[arg(long, default_value = "mlp", value_parser = ["mlp", "conv"])]
    arch: String,
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
    /// Clip each weight tensor's gradient to this L2 norm before the Adam step [default: none].
    #[arg(long, value_name = "NORM")]
    grad_clip: Option<f64>,
    /// k in the threshold mean + k*std of validation scores.
    #[arg(long, default_value_t = 3.0, allow_negative_numbers = true)]
    sigmas: f64,
    /// Seed of the split, the initial weights and the batch order.
    #[arg(long, default_value_t = 0)]
    seed: u64,
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

pub fn run(args: AnomalyArgs) -> Result<()> {
    if let Some(Action::Score(s)) = args.action {
        return score(s);
    }
    let out = args.out.unwrap_or_else(|| {
        let stamp = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
        PathBuf::from(format!("runs/anomaly-{}", stamp.replace([':', '-'], "")))
    });
    let scorer = args.scorer.parse::<Scorer>().map_err(anyhow::Error::msg)?;
    let defaults = scorer.train_defaults();
    let cfg = AnomalyConfig {
        normal: args.normal,
        normal_test: args.normal_test,
        anomaly: args.anomaly,
        validation: args.validation,
        train_limit: args.train_limit,
        scorer,
        arch: args.arch.parse::<Arch>().map_err(anyhow::Error::msg)?,
        latent: args.latent,
        hidden: args.hidden,
        train: TrainConfig {
            epochs: args.epochs.unwrap_or(defaults.epochs),
            batch_size: args.batch_size.unwrap_or(defaults.batch_size),
            lr: args.lr.unwrap_or(defaults.lr),
            seed: args.seed,
            grad_clip: args.grad_clip.or(defaults.grad_clip),
        },
        sigmas: args.sigmas,
        out,
        data_dir: args.common.data_dir,
        offline: args.common.offline,
        device: args.common.device,
        log_histogram: !args.linear_histogram,
    };
    let mut bars = Bars::new(args.common.quiet);
    let report = anomaly::run(&cfg, &mut bars)?;
    print_summary(&report);
    Ok(())
}

fn print_summary(r: &AnomalyReport) {
    let c = &r.counts;
    let pct = |x: f64| format!("{:.2}%", 100.0 * x);
    println!(
        "normal      {} ({} train, {} validation); test {}",
        r.data[0], c.train, c.validation, r.data[2]
    );
    println!("anomalies   {}", r.data[3]);
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
        r.config.out.display()
    );
}

fn score(args: ScoreArgs) -> Result<()> {
    let device = args.common.device.device().map_err(anyhow::Error::msg)?;
    let det = Detector::load(&args.model, &device)?;
    let mut bars = Bars::new(args.common.quiet);
    let source =
        DataSource::resolve(args.common.data_dir.as_deref()).with_download(!args.common.offline);
    let data = args
        .input
        .parse::<Selection>()?
        .load(&source, Split::Test, &bars.download_bar())?;
    det.check_input(&data).map_err(anyhow::Error::msg)?;
    let scores = det.score(&data, &device);
    let flags = det.flag(&scores);
    let flagged = flags.iter().filter(|&&f| f).count();
    if let Some(path) = &args.csv {
        let csv = anomaly::report::scores_csv(&[("input", &data, &scores)], det.info.threshold);
        nnlab::io::write_atomic(path, csv.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let (mean, _) = nnlab::metrics::mean_std(&scores);
    println!("input       {} ({} images)", data.name, data.n);
    println!(
        "threshold   {:.3} (trained on {})",
        det.info.threshold, det.info.trained_on
    );
    println!(
        "flagged     {} of {} ({:.2}%); mean score {:.3}",
        flagged,
        data.n,
        100.0 * flagged as f64 / data.n.max(1) as f64,
        mean
    );
    if let Some(path) = &args.csv {
        println!("scores      {}", path.display());
    }
    Ok(())
}
