//! `nnlab flow1d`: train the 1-D flow f_θ(x) = Σ e^{w_i}(Φ_{μ_i,e^{τ_i}}(x) − ½) to N(0, 1) on a
//! Gaussian mixture by maximum likelihood, print the metrics and write the figure and JSON.

use crate::progress::Bars;
use anyhow::Result;
use clap::Args;
use nnlab::device::DeviceChoice;
use nnlab::models::flow1d::{self, Flow1dConfig, Mixture};
use nnlab::train::TrainConfig;
use std::path::PathBuf;

/// Options of `nnlab flow1d`.
#[derive(Args)]
pub struct Flow1dArgs {
    /// Number n of components of f_θ.
    #[arg(long, default_value_t = 5)]
    components: usize,
    /// Passes over the training set.
    #[arg(long, default_value_t = 50)]
    epochs: usize,
    /// Adam learning rate on (w, μ, τ).
    #[arg(long, default_value_t = 5e-2)]
    lr: f64,
    /// Samples per Adam step (1000: 5 steps an epoch; smaller batches leave the parameters
    /// noisy at lr 5e-2).
    #[arg(long, default_value_t = 1000)]
    batch_size: usize,
    /// Training draws from the mixture.
    #[arg(long, default_value_t = 5000)]
    train: usize,
    /// Held-out draws (NLL, KS distance, z histogram).
    #[arg(long, default_value_t = 5000)]
    test: usize,
    /// Draws z ~ N(0, 1) pushed through the inverse f_θ^-1 for the sample histogram.
    #[arg(long, default_value_t = 10_000)]
    samples: usize,
    /// Seed of the data, the batch order and the z draws.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The data mixture as relative-weight:mean:std triples [default: 1:-1:0.25,1:0.2:0.25,2:1.5:0.25].
    #[arg(long, allow_hyphen_values = true)]
    mixture: Option<Mixture>,
    /// Folder for flow1d.png and metrics.json.
    #[arg(long, default_value = "runs/flow1d")]
    out: PathBuf,
    /// No progress bars.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(args: Flow1dArgs) -> Result<()> {
    let cfg = Flow1dConfig {
        mixture: args.mixture.unwrap_or_default(),
        components: args.components,
        train: TrainConfig {
            epochs: args.epochs,
            batch_size: args.batch_size,
            lr: args.lr,
            seed: args.seed,
            grad_clip: None,
        },
        n_train: args.train,
        n_test: args.test,
        samples: args.samples,
    };
    // A model of 3n numbers: the CPU backend is the right place for it.
    let device = DeviceChoice::Cpu.device().map_err(anyhow::Error::msg)?;
    let mut bars = Bars::new(args.quiet);
    let start = std::time::Instant::now();
    let result = flow1d::run(&cfg, &device, &mut bars)?;
    let (png, json) = result.write(&args.out)?;
    let r = &result.report;
    let show = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{x:.3}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "flow1d: {} components, {} epochs, Adam lr {}, batch {}, {} train / {} held-out draws, seed {}",
        cfg.components,
        cfg.train.epochs,
        cfg.train.lr,
        cfg.train.batch_size,
        cfg.n_train,
        cfg.n_test,
        cfg.train.seed
    );
    println!("learned w      [{}]", show(&r.learned.w));
    println!("learned mu     [{}]", show(&r.learned.mu));
    println!("learned tau    [{}]", show(&r.learned.tau));
    println!(
        "held-out NLL   {:.4} nats   (entropy H(p) of the mixture {:.4}: gap {:+.4})",
        r.test_nll,
        r.entropy,
        r.test_nll - r.entropy
    );
    println!(
        "               true mixture on the same draws {:.4}: excess {:+.4} (estimates KL(p||p_θ))",
        r.test_nll_true,
        r.test_nll - r.test_nll_true
    );
    println!(
        "KS(z, N(0,1))  {:.4}   (z = f_θ(x) on the held-out draws)",
        r.ks_z
    );
    println!(
        "bounded map    S = {:.4}: f_θ maps onto (-S/2, S/2); mass of p_θ = 2Φ(S/2) - 1 = {:.6}",
        r.scale, r.mass
    );
    println!(
        "no preimage    {} of {} draws z ~ N(0,1) have |z| >= S/2 ({:.4}%; expected {:.4}%)",
        r.no_preimage,
        cfg.samples,
        100.0 * r.no_preimage_fraction,
        100.0 * (1.0 - r.mass)
    );
    println!(
        "wrote          {} and {} in {:.1?}",
        png.display(),
        json.display(),
        start.elapsed()
    );
    Ok(())
}
