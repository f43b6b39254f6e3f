//! `nnlab flow1d`: train the 1-D flow f_θ(x) = Σ e^{w_i}(Φ_{μ_i,e^{τ_i}}(x) − ½) to N(0, 1) on a
//! Gaussian mixture by maximum likelihood, print the metrics and write the figure and JSON.

use crate::progress::Bars;
use anyhow::Result;
use clap::Args;
use nnlab::jobs;
use nnlab::jobs::flow1d::Config;
use nnlab::models::flow1d::Mixture;
use std::path::PathBuf;

/// Options of `nnlab flow1d` (documented on the subcommand in main.rs); every default is the
/// library's [`Config::default`].
#[derive(Args)]
pub struct Flow1dArgs {
    /// Number n of components of f_θ [default: 5].
    #[arg(long)]
    components: Option<usize>,
    /// Passes over the training set [default: 50].
    #[arg(long)]
    epochs: Option<usize>,
    /// Adam learning rate on (w, μ, τ) [default: 5e-2].
    #[arg(long)]
    lr: Option<f64>,
    /// Samples per Adam step (1000: 5 steps an epoch; smaller batches leave the parameters
    /// noisy at lr 5e-2) [default: 1000].
    #[arg(long)]
    batch_size: Option<usize>,
    /// Training draws from the mixture [default: 5000].
    #[arg(long)]
    train: Option<usize>,
    /// Held-out draws (NLL, KS distance, z histogram) [default: 5000].
    #[arg(long)]
    test: Option<usize>,
    /// Draws z ~ N(0, 1) pushed through the inverse f_θ^-1 for the sample histogram
    /// [default: 10000].
    #[arg(long)]
    samples: Option<usize>,
    /// Seed of the data, the batch order and the z draws [default: 0].
    #[arg(long)]
    seed: Option<u64>,
    /// The data mixture as relative-weight:mean:std triples [default: 1:-1:0.25,1:0.2:0.25,2:1.5:0.25].
    #[arg(long, allow_hyphen_values = true)]
    mixture: Option<Mixture>,
    /// Folder for flow1d.png and metrics.json [default: runs/flow1d].
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    checkpoint: crate::common::CheckpointArgs,
    /// No progress bars.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    figures: crate::common::FigureArgs,
}

/// The job the arguments describe; options not given keep their [`Config::default`] value.
fn config(args: Flow1dArgs) -> Config {
    let d = Config::default();
    let train = args.checkpoint.apply(crate::common::train(
        &d.train,
        args.epochs,
        args.batch_size,
        args.lr,
    ));
    Config {
        mixture: args.mixture.unwrap_or(d.mixture),
        components: args.components.unwrap_or(d.components),
        train,
        n_train: args.train.unwrap_or(d.n_train),
        n_test: args.test.unwrap_or(d.n_test),
        samples: args.samples.unwrap_or(d.samples),
        env: nnlab::jobs::Env {
            figures: args.figures.or(d.env.figures),
            ..crate::common::env(d.env, args.out, args.seed)
        },
    }
}

pub fn run(args: Flow1dArgs) -> Result<()> {
    let mut bars = Bars::new(args.quiet);
    let cfg = config(args);
    let start = std::time::Instant::now();
    let r = jobs::execute(&cfg, &mut bars)?;
    let (png, json) = (
        cfg.env
            .out
            .join(crate::common::figure_names(cfg.env.figures, &["flow1d"])),
        cfg.env.out.join("metrics.json"),
    );
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
        cfg.env.seed
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_flags_runs_the_default_config() {
        assert_eq!(
            config(crate::common::parse::<Flow1dArgs, _, _>(["flow1d"])),
            Config::default()
        );
    }
}
