//! `nnlab deblur`: an image blurred by a Gaussian kernel plus noise, recovered by FISTA with an
//! l1 penalty on pixels and the box [0, 1]; prints PSNRs and writes the figures.

use crate::progress::Bars;
use anyhow::Result;
use clap::Args;
use nnlab::jobs::deblur::DeblurConfig;
use std::path::PathBuf;

/// Options of `nnlab deblur`.
#[derive(Args, Debug, Default)]
pub struct DeblurArgs {
    /// Image set (data selection, e.g. mnist:test, kmnist:test) [default: mnist:test].
    #[arg(long)]
    data: Option<String>,
    /// Which image of the set [default: 0].
    #[arg(long)]
    index: Option<usize>,
    /// Standard deviation of the Gaussian kernel in pixels [default: 1.5].
    #[arg(long)]
    sigma: Option<f64>,
    /// Kernel radius r (side 2r+1) [default: 4].
    #[arg(long)]
    radius: Option<usize>,
    /// Standard deviation of the added noise [default: 0.01].
    #[arg(long)]
    noise: Option<f64>,
    /// Weight lambda of the l1 penalty on pixels [default: 0.002].
    #[arg(long = "lambda")]
    lambda: Option<f64>,
    /// FISTA (and ISTA) iterations [default: 300].
    #[arg(long)]
    iterations: Option<usize>,
    /// Seed of the noise [default: 0].
    #[arg(long)]
    seed: Option<u64>,
    /// Folder for deblur.png, psnr.png, recovered.npy, metrics.json [default: runs/deblur].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Dataset folder (default $NNLAB_DATA, then ~/.cache/nnlab).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Never download datasets.
    #[arg(long)]
    offline: bool,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    figures: crate::common::FigureArgs,
}

/// The job config the flags describe; no flags gives [`DeblurConfig::default`].
pub fn config(args: &DeblurArgs) -> DeblurConfig {
    let d = DeblurConfig::default();
    DeblurConfig {
        data: args.data.clone().unwrap_or(d.data),
        index: args.index.unwrap_or(d.index),
        sigma: args.sigma.unwrap_or(d.sigma),
        radius: args.radius.unwrap_or(d.radius),
        noise: args.noise.unwrap_or(d.noise),
        lambda: args.lambda.unwrap_or(d.lambda),
        iterations: args.iterations.unwrap_or(d.iterations),
        env: nnlab::jobs::Env {
            out: args.out.clone().unwrap_or(d.env.out.clone()),
            seed: args.seed.unwrap_or(d.env.seed),
            figures: args.figures.or(d.env.figures),
            data_dir: args.data_dir.clone().or(d.env.data_dir.clone()),
            offline: args.offline || d.env.offline,
            ..d.env
        },
    }
}

pub fn run(args: DeblurArgs) -> Result<()> {
    let cfg = config(&args);
    let r = nnlab::jobs::execute(&cfg, &mut Bars::new(args.quiet))?;
    println!(
        "deblur: {}, Gaussian kernel sigma {} ({}x{}), noise {}, lambda {}, L = {:.4}",
        r.image,
        cfg.sigma,
        2 * cfg.radius + 1,
        2 * cfg.radius + 1,
        cfg.noise,
        cfg.lambda,
        r.lipschitz
    );
    println!("PSNR blurred   {:.2} dB", r.psnr_blurred);
    println!(
        "PSNR ISTA      {:.2} dB  (objective {:.6})",
        r.psnr_ista, r.objective_ista
    );
    println!(
        "PSNR FISTA     {:.2} dB  (objective {:.6}, {} iterations, ||G_t|| {:.2e}, {:.3} s)",
        r.psnr_fista, r.objective_fista, r.iterations, r.grad_map_norm_fista, r.seconds_fista
    );
    println!(
        "best FISTA     {:.2} dB at iteration {} (the iterates pass closer to x than the minimizer)",
        r.best_psnr_fista, r.best_iteration_fista
    );
    println!(
        "wrote {}, recovered.npy, metrics.json in {}",
        crate::common::figure_names(cfg.env.figures, &["deblur", "psnr"]),
        cfg.env.out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_flags_give_the_default_config() {
        let cli = crate::common::parse::<DeblurArgs, _, _>(["deblur"]);
        assert_eq!(config(&cli), DeblurConfig::default());
    }
}
