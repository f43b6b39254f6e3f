//! `nnlab lasso`: min ½‖Ax − b‖² + λ‖x‖₁ on .npy files or a generated problem, by ISTA, FISTA
//! and the subgradient method; prints objectives, iterations, ‖G_t‖, support and times.

use crate::progress::Bars;
use anyhow::Result;
use clap::Args;
use nnlab::jobs::lasso::LassoConfig;
use std::path::PathBuf;

/// Options of `nnlab lasso`.
#[derive(Args, Debug, Default)]
pub struct LassoArgs {
    /// The matrix A as an m x n .npy file (float64 or float32, C order); needs --b.
    /// Without --a/--b a seeded problem is generated (A Gaussian / sqrt(m), k-sparse truth).
    #[arg(long)]
    a: Option<PathBuf>,
    /// The vector b as an m-entry .npy file.
    #[arg(long)]
    b: Option<PathBuf>,
    /// Rows m of the generated problem [default: 200].
    #[arg(long)]
    m: Option<usize>,
    /// Columns n of the generated problem [default: 500].
    #[arg(long)]
    n: Option<usize>,
    /// Nonzeros k of the generated truth [default: 10].
    #[arg(long)]
    k: Option<usize>,
    /// The penalty weight lambda > 0 [default: 0.05].
    #[arg(long = "lambda")]
    lambda: Option<f64>,
    /// Maximum iterations of every solver [default: 500].
    #[arg(long)]
    iterations: Option<usize>,
    /// Stop ISTA/FISTA once the gradient map ||G_t|| <= tol; 0 runs all iterations [default: 1e-10].
    #[arg(long)]
    tol: Option<f64>,
    /// Seed of the generated problem and of the power iteration [default: 0].
    #[arg(long)]
    seed: Option<u64>,
    /// Folder for x.npy, convergence.png, history.csv, metrics.json [default: runs/lasso].
    #[arg(long)]
    out: Option<PathBuf>,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    figures: crate::common::FigureArgs,
}

/// The job config the flags describe; no flags gives [`LassoConfig::default`].
pub fn config(args: &LassoArgs) -> LassoConfig {
    let d = LassoConfig::default();
    LassoConfig {
        a: args.a.clone(),
        b: args.b.clone(),
        m: args.m.unwrap_or(d.m),
        n: args.n.unwrap_or(d.n),
        k: args.k.unwrap_or(d.k),
        lambda: args.lambda.unwrap_or(d.lambda),
        iterations: args.iterations.unwrap_or(d.iterations),
        tol: args.tol.unwrap_or(d.tol),
        env: nnlab::jobs::Env {
            out: args.out.clone().unwrap_or(d.env.out.clone()),
            seed: args.seed.unwrap_or(d.env.seed),
            figures: args.figures.or(d.env.figures),
            ..d.env
        },
    }
}

pub fn run(args: LassoArgs) -> Result<()> {
    let cfg = config(&args);
    let r = nnlab::jobs::execute(&cfg, &mut Bars::new(args.quiet))?;
    println!(
        "lasso: {}  ({} x {}), lambda {}",
        r.problem, r.m, r.n, r.lambda
    );
    println!(
        "L = ||A||^2 = {:.6} (power iteration, {:.4} s)",
        r.lipschitz, r.lipschitz_seconds
    );
    println!(
        "{:<12} {:>18} {:>10} {:>12} {:>9} {:>10}",
        "solver", "objective", "iterations", "||G_t||", "support", "seconds"
    );
    for s in &r.solvers {
        let rec = match (s.support_recovered, r.true_support) {
            (Some(found), Some(t)) => format!(" ({found}/{t} true)"),
            _ => String::new(),
        };
        println!(
            "{:<12} {:>18.10} {:>10} {:>12.3e} {:>9} {:>10.4}{rec}",
            s.solver, s.objective, s.iterations, s.grad_map_norm, s.support, s.seconds
        );
    }
    println!("F* = {:.10} (FISTA to ||G|| <= 1e-12)", r.f_star);
    println!(
        "rates: max_k k(F_k - F*) = {:.4e} <= L|x*|^2/2 = {:.4e} (ISTA); max_k (k+1)^2(F_k - F*) = {:.4e} <= 2L|x*|^2 = {:.4e} (FISTA)",
        r.ista_rate_constant, r.ista_bound, r.fista_rate_constant, r.fista_bound
    );
    println!(
        "wrote x.npy, {}, history.csv, metrics.json in {}",
        crate::common::figure_names(cfg.env.figures, &["convergence"]),
        cfg.env.out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_flags_give_the_default_config() {
        let cli = crate::common::parse::<LassoArgs, _, _>(["lasso"]);
        assert_eq!(config(&cli), LassoConfig::default());
    }
}
