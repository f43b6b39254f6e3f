//! `nnlab tsne`: embed an image selection, or a saved detector's codes of normal and anomalous
//! images, with t-SNE; print the final KL(P‖Q), the 10-NN label agreement, for codes the anomaly
//! separation, and the time of each phase; write embedding.csv, tsne.png and metrics.json.

use crate::common::Common;
use crate::progress::Bars;
use anyhow::Result;
use clap::Args;
use nnlab::jobs::tsne::{K, TsneConfig};
use nnlab::tsne::{Init, Method};
use std::path::PathBuf;

/// Options of `nnlab tsne`.
#[derive(Args)]
pub struct TsneArgs {
    /// Images to embed: a data selection (mnist:test, kmnist:test:0-4, a path to an IDX file,
    /// optionally `imgs+labels`) [default: mnist:test].
    #[arg(long)]
    data: Option<String>,
    /// Embed the latent codes of the detector saved in DIR (an anomaly run's model folder:
    /// autoencoder code, VAE mean, flow z) for the --normal and --anomaly images, instead of
    /// --data.
    #[arg(long, value_name = "DIR")]
    codes: Option<PathBuf>,
    /// With --codes: normal images, coloured by label [default: mnist:test].
    #[arg(long, requires = "codes")]
    normal: Option<String>,
    /// With --codes: anomalous images, marked [default: kmnist:test].
    #[arg(long, requires = "codes")]
    anomaly: Option<String>,
    /// Embed the first N images (of each set with --codes) only [default: 10000].
    #[arg(long)]
    limit: Option<usize>,
    /// Embed every image of the selection (no --limit).
    #[arg(long, conflicts_with = "limit")]
    all: bool,
    /// Target perplexity exp(H(P_i)) of each point's neighbourhood [default: 30].
    #[arg(long)]
    perplexity: Option<f64>,
    /// Gradient steps, early exaggeration included [default: 750].
    #[arg(long)]
    iterations: Option<usize>,
    /// Barnes–Hut opening angle theta, 0 = exact repulsion [default: 0.5].
    #[arg(long)]
    theta: Option<f64>,
    /// exact (all pairs, n ≤ 5000) or barnes-hut [default: barnes-hut].
    #[arg(long)]
    method: Option<Method>,
    /// Initial embedding: pca or random [default: pca].
    #[arg(long)]
    init: Option<Init>,
    /// Early exaggeration factor [default: 12].
    #[arg(long)]
    exaggeration: Option<f64>,
    /// Steps with early exaggeration [default: 250].
    #[arg(long)]
    exaggeration_iterations: Option<usize>,
    /// Learning rate [default: n / (4 * exaggeration) per phase].
    #[arg(long)]
    learning_rate: Option<f64>,
    /// Seed of the initial embedding [default: 0].
    #[arg(long)]
    seed: Option<u64>,
    /// Output folder [default: runs/tsne].
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
}

/// The job config of `args`: every option left out keeps [`TsneConfig::default`]'s value.
pub fn config(args: &TsneArgs) -> TsneConfig {
    let d = TsneConfig::default();
    let mut cfg = TsneConfig {
        // With codes the default selection gives way; a named one is an error of the job.
        data: match &args.codes {
            None => args.data.clone().or(d.data),
            Some(_) => args.data.clone(),
        },
        codes: args.codes.clone(),
        normal: args.normal.clone().unwrap_or(d.normal),
        anomaly: args.anomaly.clone().unwrap_or(d.anomaly),
        limit: if args.all {
            None
        } else {
            args.limit.or(d.limit)
        },
        ..d
    };
    let t = &mut cfg.tsne;
    t.perplexity = args.perplexity.unwrap_or(t.perplexity);
    t.iterations = args.iterations.unwrap_or(t.iterations);
    t.theta = args.theta.unwrap_or(t.theta);
    t.method = args.method.unwrap_or(t.method);
    t.init = args.init.unwrap_or(t.init);
    t.exaggeration = args.exaggeration.unwrap_or(t.exaggeration);
    t.exaggeration_iterations = args
        .exaggeration_iterations
        .unwrap_or(t.exaggeration_iterations);
    t.learning_rate = args.learning_rate.or(t.learning_rate);
    let env = &mut cfg.env;
    env.seed = args.seed.unwrap_or(env.seed);
    env.out = args.out.clone().unwrap_or(env.out.clone());
    env.data_dir = args.common.data_dir.clone();
    env.offline = args.common.offline;
    env.device = args.common.device;
    env.figures = args.common.figures.or(env.figures);
    cfg
}

pub fn run(args: TsneArgs) -> Result<()> {
    let cfg = config(&args);
    let r = nnlab::jobs::execute(&cfg, &mut Bars::new(args.common.quiet))?;
    let t = &cfg.tsne;
    let method = match t.method {
        Method::Exact => "exact".to_string(),
        Method::BarnesHut => format!("Barnes–Hut θ = {}", t.theta),
    };
    println!(
        "t-SNE of {} ({} points, {}-D): {method}, perplexity {}, {} iterations",
        r.source, r.n, r.dim, t.perplexity, t.iterations
    );
    if let Some(c) = &r.codes {
        println!(
            "detector                {} ({}, trained on {}): codes of {} {} and {} {}",
            c.model.display(),
            c.scorer,
            c.trained_on,
            c.normal_n,
            c.normal,
            c.anomaly_n,
            c.anomaly
        );
    }
    println!("KL(P‖Q)                 {:.4}", r.kl);
    match r.knn10_agreement {
        Some(a) if r.codes.is_some() => println!("10-NN label agreement   {a:.4} (normal points)"),
        Some(a) => println!("10-NN label agreement   {a:.4}"),
        None => println!("10-NN label agreement   n/a (no labels)"),
    }
    if let (Some(s), Some(c)) = (r.anomaly_separation, r.anomaly_separation_chance) {
        let (most, k) = (K / 2 + 1, K);
        println!(
            "anomaly separation      {s:.4} (anomalies with ≥ {most} of {k} nearest neighbours anomalous; {c:.4} by chance)"
        );
    }
    let c = &r.calibration;
    println!(
        "σ_i                     min {:.3}, median {:.3}, max {:.3} (|H(P_i) − log perplexity| ≤ {:.1e})",
        c.sigma_min, c.sigma_median, c.sigma_max, c.max_entropy_error
    );
    let s = &r.timings;
    let codes = r
        .codes_seconds
        .map(|c| format!(" codes {c:.1},"))
        .unwrap_or_default();
    println!(
        "seconds                 load {:.1},{codes} neighbours {:.1}, affinities {:.1}, init {:.1}, optimize {:.1}, total {:.1}",
        r.load_seconds, s.neighbours, s.affinities, s.init, s.optimize, r.total_seconds
    );
    let out = cfg.env.out.display();
    let fig = crate::common::figure_names(cfg.env.figures, &["tsne"]);
    println!("wrote                   {out}/embedding.csv, {out}/{fig}, {out}/metrics.json");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_flags_give_the_library_defaults() {
        let cli = crate::common::parse::<TsneArgs, _, _>(["tsne"]);
        assert_eq!(config(&cli), TsneConfig::default());
        let cli = crate::common::parse::<TsneArgs, _, _>([
            "tsne", "--all", "--theta", "0.2", "--seed", "4",
        ]);
        let c = config(&cli);
        assert_eq!((c.limit, c.tsne.theta, c.env.seed), (None, 0.2, 4));
        // --codes replaces the default selection; the sets keep their defaults.
        let cli = crate::common::parse::<TsneArgs, _, _>(["tsne", "--codes", "m"]);
        let (c, d) = (config(&cli), TsneConfig::default());
        assert_eq!((c.data, c.codes), (None, Some(PathBuf::from("m"))));
        assert_eq!((c.normal, c.anomaly), (d.normal, d.anomaly));
    }
}
