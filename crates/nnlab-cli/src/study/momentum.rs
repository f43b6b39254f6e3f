//! `nnlab study momentum`: GD, heavy ball and Nesterov on quadratics; SGD vs momentum on an
//! autoencoder with hand-derived gradients.

use super::EnvArgs;
use crate::progress::Bars;
use anyhow::Result;
use clap::Args;
use nnlab::jobs::studies::momentum::MomentumStudy;

/// Options of `nnlab study momentum` (defaults: [`MomentumStudy::default`]).
#[derive(Args)]
pub struct MomentumArgs {
    /// Condition numbers of the quadratics [default: 10,100,1000].
    #[arg(long, value_delimiter = ',')]
    kappas: Option<Vec<f64>>,
    /// Dimension of the quadratics [default: 50].
    #[arg(long)]
    dim: Option<usize>,
    /// Iterations per method [default: 3000].
    #[arg(long)]
    iterations: Option<usize>,
    /// Images for the autoencoder: `mnist`, `kmnist:test`, a path to an IDX file, ... [default: mnist].
    #[arg(long)]
    data: Option<String>,
    /// How many images (a seeded random subset) [default: 2000].
    #[arg(long)]
    images: Option<usize>,
    /// Hidden units of the autoencoder [default: 32].
    #[arg(long)]
    hidden: Option<usize>,
    /// Step size of both optimizers [default: 0.002].
    #[arg(long)]
    lr: Option<f64>,
    /// Momentum of the heavy-ball run [default: 0.9].
    #[arg(long)]
    beta: Option<f64>,
    /// Passes over the images [default: 20].
    #[arg(long)]
    epochs: Option<usize>,
    /// Images per step [default: 20].
    #[arg(long)]
    batch_size: Option<usize>,
    #[command(flatten)]
    env: EnvArgs,
}

/// The study config: each option given replaces the default.
pub fn config(a: MomentumArgs) -> MomentumStudy {
    let d = MomentumStudy::default();
    MomentumStudy {
        kappas: a.kappas.unwrap_or(d.kappas),
        dim: a.dim.unwrap_or(d.dim),
        iterations: a.iterations.unwrap_or(d.iterations),
        data: a.data.unwrap_or(d.data),
        images: a.images.unwrap_or(d.images),
        hidden: a.hidden.unwrap_or(d.hidden),
        lr: a.lr.unwrap_or(d.lr),
        beta: a.beta.unwrap_or(d.beta),
        epochs: a.epochs.unwrap_or(d.epochs),
        batch_size: a.batch_size.unwrap_or(d.batch_size),
        env: a.env.apply(d.env),
    }
}

pub fn run(args: MomentumArgs) -> Result<()> {
    let quiet = args.env.common.quiet;
    let cfg = config(args);
    let r = nnlab::jobs::execute(&cfg, &mut Bars::new(quiet))?;
    println!(
        "quadratics, dimension {}: contraction per step ρ (predicted vs measured)",
        cfg.dim
    );
    println!(
        "  κ        method             η          β        predicted  measured   |ln ρ̂/ln ρ − 1|"
    );
    for row in &r.rates {
        println!(
            "  {:<7}  {:<17}  {:<9.3e}  {:<7.4}  {:<9.5}  {:<9.5}  {:.3}",
            row.kappa,
            row.method.name(),
            row.eta,
            row.beta,
            row.theory,
            row.measured,
            row.log_rate_error
        );
    }
    let c = &r.gradient_check;
    println!(
        "autoencoder J = Σ‖W₂σ(W₁x) − x‖²: hand gradients, relative error (right < 1e-6 / 1e-4; wrong forms must fail)"
    );
    println!(
        "  2 r σ(W₁x)ᵀ, 2[σ' ⊙ W₂ᵀr]xᵀ     vs finite differences {:.1e}, vs autodiff (f32) {:.1e}",
        c.correct_fd, c.correct_autodiff
    );
    println!(
        "  drop σ(W₁x)ᵀ (wrong)            vs finite differences {:.1e}, vs autodiff (f32) {:.1e}",
        c.drop_hidden_fd, c.drop_hidden_autodiff
    );
    println!(
        "  drop σ' mask (wrong)            vs finite differences {:.1e}, vs autodiff (f32) {:.1e}",
        c.drop_mask_fd, c.drop_mask_autodiff
    );
    let last = |v: &[f64]| v.last().copied().unwrap_or(f64::NAN);
    println!(
        "autoencoder {}-{}-{} on {} images of {}, η = {}, batch {}, {} epochs: J/n {:.3} at start",
        r.image_dim,
        cfg.hidden,
        r.image_dim,
        cfg.images,
        cfg.data,
        cfg.lr,
        cfg.batch_size,
        cfg.epochs,
        r.sgd_loss[0]
    );
    println!(
        "  plain SGD {:.3}, heavy ball β = {} {:.3} (momentum predicted faster: ~1/(1 − β) larger effective step)",
        last(&r.sgd_loss),
        cfg.beta,
        last(&r.momentum_loss)
    );
    println!(
        "wrote {}, metrics.json in {}",
        crate::common::figure_names(cfg.env.figures, &["rates", "autoencoder"]),
        cfg.env.out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_flags_give_the_default_config() {
        let cli = crate::common::parse::<MomentumArgs, _, _>(["momentum"]);
        assert_eq!(config(cli), MomentumStudy::default());
    }
}
