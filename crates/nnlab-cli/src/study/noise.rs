//! `nnlab study noise`: instance noise is ridge regression, and the scalar step-size bound.

use super::{EnvArgs, list};
use crate::progress::Bars;
use anyhow::Result;
use clap::Args;
use nnlab::jobs::studies::noise::NoiseStudy;
use nnlab::studies::noise::ScalarGd;

/// Options of `nnlab study noise` (defaults: [`NoiseStudy::default`]).
#[derive(Args)]
pub struct NoiseArgs {
    /// Rows m of X [default: 200].
    #[arg(long)]
    rows: Option<usize>,
    /// Columns n of X [default: 5].
    #[arg(long)]
    features: Option<usize>,
    /// Input noise standard deviation of the least-squares part [default: 0.5].
    #[arg(long)]
    sigma: Option<f64>,
    /// Random weight vectors of the identity check [default: 30].
    #[arg(long)]
    weights: Option<usize>,
    /// Noise draws per weight vector [default: 2000].
    #[arg(long)]
    draws: Option<usize>,
    /// SGD steps on noisy inputs [default: 50000].
    #[arg(long)]
    sgd_steps: Option<usize>,
    /// Initial SGD step size (decays as lr/(1 + 10k/steps)) [default: 0.05].
    #[arg(long)]
    sgd_lr: Option<f64>,
    /// Rows per SGD step [default: 10].
    #[arg(long)]
    sgd_batch: Option<usize>,
    /// Scalar problem: input x [default: 1].
    #[arg(long, allow_hyphen_values = true)]
    x: Option<f64>,
    /// Scalar problem: target y [default: 1].
    #[arg(long, allow_hyphen_values = true)]
    y: Option<f64>,
    /// Scalar problem: input noise standard deviation [default: 0.1].
    #[arg(long)]
    scalar_sigma: Option<f64>,
    /// Scalar problem: starting weight [default: 0].
    #[arg(long, allow_hyphen_values = true)]
    w0: Option<f64>,
    /// Step sizes as multiples of 2/(x^2 + sigma^2) [default: 0.5,0.95,1.05,1.5].
    #[arg(long, value_delimiter = ',')]
    fractions: Option<Vec<f64>>,
    /// Gradient steps per scalar run [default: 40].
    #[arg(long)]
    scalar_steps: Option<usize>,
    /// Independent scalar runs per step size [default: 20000].
    #[arg(long)]
    runs: Option<usize>,
    #[command(flatten)]
    env: EnvArgs,
}

/// The study config: each option given replaces the default.
pub fn config(a: NoiseArgs) -> NoiseStudy {
    let d = NoiseStudy::default();
    NoiseStudy {
        rows: a.rows.unwrap_or(d.rows),
        features: a.features.unwrap_or(d.features),
        sigma: a.sigma.unwrap_or(d.sigma),
        weights: a.weights.unwrap_or(d.weights),
        draws: a.draws.unwrap_or(d.draws),
        sgd_steps: a.sgd_steps.unwrap_or(d.sgd_steps),
        sgd_lr: a.sgd_lr.unwrap_or(d.sgd_lr),
        sgd_batch: a.sgd_batch.unwrap_or(d.sgd_batch),
        scalar: ScalarGd {
            x: a.x.unwrap_or(d.scalar.x),
            y: a.y.unwrap_or(d.scalar.y),
            sigma: a.scalar_sigma.unwrap_or(d.scalar.sigma),
            w0: a.w0.unwrap_or(d.scalar.w0),
        },
        fractions: a.fractions.unwrap_or(d.fractions),
        scalar_steps: a.scalar_steps.unwrap_or(d.scalar_steps),
        runs: a.runs.unwrap_or(d.runs),
        env: a.env.apply(d.env),
    }
}

pub fn run(args: NoiseArgs) -> Result<()> {
    let quiet = args.env.common.quiet;
    let cfg = config(args);
    let r = nnlab::jobs::execute(&cfg, &mut Bars::new(quiet))?;
    println!(
        "instance noise = ridge: X {}×{}, σ = {}, λ = mσ² = {}",
        cfg.rows, cfg.features, cfg.sigma, r.ridge_lambda
    );
    println!(
        "  identity   predicted E noisy loss = ridge loss; measured over {} w × {} draws: max |z| = {:.2} (plain loss: max |z| = {:.1})",
        cfg.weights, cfg.draws, r.identity_max_z, r.plain_max_z
    );
    println!(
        "  SGD        predicted limit w_ridge = [{}]",
        list(&r.ridge_solution, 4)
    );
    println!(
        "             (least squares          [{}], gap {:.4})",
        list(&r.least_squares_solution, 4),
        r.solution_gap
    );
    println!(
        "             measured after {} steps: ‖w − w_ridge‖ = {:.2e}, ‖w − w_ls‖ = {:.2e}",
        cfg.sgd_steps,
        r.sgd.to_ridge.last().copied().unwrap_or(f64::NAN),
        r.sgd.to_least_squares.last().copied().unwrap_or(f64::NAN)
    );
    let s = &cfg.scalar;
    println!(
        "scalar GD, x̃ = {} + ε, ε ~ N(0, {}²), y = {}: E w_k → xy/(x² + σ²) = {:.4} iff η < 2/(x² + σ²) = {:.4}",
        s.x, s.sigma, s.y, r.scalar_limit, r.eta_bound
    );
    println!(
        "  η/bound   η        predicted   measured (|E w_K − w*|/|w_0 − w*| at K = {})   max |z| MC vs closed form",
        cfg.scalar_steps
    );
    for row in &r.sweep {
        let verdict = |c: bool| if c { "converges" } else { "diverges " };
        println!(
            "  {:<8}  {:<7.4}  {}   {}  ({:.3e})   {:.2}",
            row.fraction,
            row.eta,
            verdict(row.predicted_converges),
            verdict(row.converges),
            row.final_ratio,
            row.max_z
        );
    }
    println!(
        "wrote {}, metrics.json in {}",
        crate::common::figure_names(cfg.env.figures, &["identity", "sgd", "scalar"]),
        cfg.env.out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_flags_give_the_default_config() {
        let cli = crate::common::parse::<NoiseArgs, _, _>(["noise"]);
        assert_eq!(config(cli), NoiseStudy::default());
    }
}
