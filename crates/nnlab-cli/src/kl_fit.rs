//! `nnlab kl-fit`: fit one Gaussian to a 1-D Gaussian mixture by minimizing the forward
//! KL(p‖q) and the reverse KL(q‖p), print both fits and plot them against the target.

use anyhow::{Result, anyhow};
use clap::Args;
use nnlab::plot::{Line, line_plot};
use nnlab::prob::ProbError;
use nnlab::prob::fit::{self, Direction, FitConfig, GaussianMixture};
use std::path::PathBuf;

/// Options of `nnlab kl-fit`.
#[derive(Args)]
pub struct KlFitArgs {
    /// Mixture means, comma separated.
    #[arg(
        long,
        value_delimiter = ',',
        allow_hyphen_values = true,
        default_value = "-2,2"
    )]
    means: Vec<f64>,
    /// Mixture standard deviations, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "0.5,0.5")]
    stds: Vec<f64>,
    /// Mixture weights, comma separated (must sum to 1).
    #[arg(long, value_delimiter = ',', default_value = "0.5,0.5")]
    weights: Vec<f64>,
    /// Initial mean m of q = N(m, s^2).
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    start_mean: f64,
    /// Initial standard deviation s of q.
    #[arg(long, default_value_t = 1.0)]
    start_std: f64,
    /// Adam steps.
    #[arg(long, default_value_t = 2000)]
    steps: usize,
    /// Adam learning rate on (m, log s).
    #[arg(long, default_value_t = 0.05)]
    lr: f64,
    /// Plot of the target and both fitted densities.
    #[arg(long, default_value = "kl-fit.png")]
    out: PathBuf,
}

pub fn run(args: KlFitArgs) -> Result<()> {
    let cfg = FitConfig {
        start_mean: args.start_mean,
        start_std: args.start_std,
        steps: args.steps,
        lr: args.lr,
        ..FitConfig::default()
    };
    // Every setting is checked before any work.
    cfg.validate().map_err(flag_error)?;
    nnlab::io::writable_target(&args.out).map_err(|e| anyhow!("--out: {e}"))?;
    let target =
        GaussianMixture::new(&args.weights, &args.means, &args.stds).map_err(flag_error)?;
    let fwd = fit::fit_gaussian(&target, Direction::Forward, &cfg).map_err(flag_error)?;
    let rev = fit::fit_gaussian(&target, Direction::Reverse, &cfg).map_err(flag_error)?;
    println!(
        "target       mixture with mean {:.6}, std {:.6}",
        target.mean(),
        target.std()
    );
    println!(
        "start        m = {}, s = {}; Adam lr {}, {} steps; Simpson on [{}, {}], {} intervals",
        cfg.start_mean, cfg.start_std, cfg.lr, cfg.steps, cfg.lo, cfg.hi, cfg.intervals
    );
    for (label, f) in [("forward KL(p||q)", &fwd), ("reverse KL(q||p)", &rev)] {
        println!(
            "{label}  mean {:.6}  std {:.6}  divergence {:.6}",
            f.mean, f.std, f.divergence
        );
    }
    let curves = fit::density_curves(
        &target,
        &[(fwd.mean, fwd.std), (rev.mean, rev.std)],
        cfg.lo,
        cfg.hi,
        801,
    );
    let names = [
        "target p".to_string(),
        format!("forward KL fit N({:.2}, {:.2}^2)", fwd.mean, fwd.std),
        format!("reverse KL fit N({:.2}, {:.2}^2)", rev.mean, rev.std),
    ];
    let lines: Vec<Line> = names
        .iter()
        .zip(&curves)
        .map(|(name, points)| Line { name, points })
        .collect();
    let title = "One Gaussian fitted to a mixture: forward vs reverse KL";
    line_plot(&args.out, title, "x", "density", &lines, false)?;
    println!("plot         {}", args.out.display());
    Ok(())
}

/// A library error naming the flag: a setting (`start_std` → `--start-std`), or divergence
/// (→ `--lr`).
fn flag_error(e: ProbError) -> anyhow::Error {
    match e {
        ProbError::Setting { field, message } => {
            anyhow!("{}: {message}", crate::flags::flag(field))
        }
        ProbError::Diverged { step, what } => anyhow!(
            "--lr: the fit diverged at step {step} ({what} is not finite); lower the learning rate"
        ),
        e => e.into(),
    }
}
