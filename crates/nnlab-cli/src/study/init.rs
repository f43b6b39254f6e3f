//! `nnlab study init`: zeros, Xavier and He initialization of a deep MLP under ReLU, tanh and
//! sigmoid.

use super::EnvArgs;
use crate::progress::Bars;
use anyhow::Result;
use clap::Args;
use nnlab::jobs::studies::init::{InitReport, InitStudy, Run};
use nnlab::studies::init::{Activation, Init, TrainSettings};

/// Options of `nnlab study init` (defaults: [`InitStudy::default`]).
#[derive(Args)]
pub struct InitArgs {
    /// Initializations to compare, comma-separated [default: all].
    #[arg(long, value_enum, value_delimiter = ',')]
    inits: Option<Vec<Init>>,
    /// Activations to compare, comma-separated [default: all].
    #[arg(long, value_enum, value_delimiter = ',')]
    activations: Option<Vec<Activation>>,
    /// Hidden layers [default: 10].
    #[arg(long)]
    depth: Option<usize>,
    /// Units per hidden layer [default: 256].
    #[arg(long)]
    width: Option<usize>,
    /// Labelled training images: `mnist`, `kmnist:0-4`, an IDX `imgs+labels` path [default: mnist].
    #[arg(long)]
    data: Option<String>,
    /// How many train (a seeded random subset) [default: 5000].
    #[arg(long)]
    images: Option<usize>,
    /// Labelled validation images [default: mnist:test].
    #[arg(long)]
    validation: Option<String>,
    /// How many validate (a seeded random subset) [default: 2000].
    #[arg(long)]
    validation_images: Option<usize>,
    /// Training images measured at initialization [default: 500].
    #[arg(long)]
    probe: Option<usize>,
    /// Passes over the training images [default: 3].
    #[arg(long)]
    epochs: Option<usize>,
    /// Images per SGD step [default: 64].
    #[arg(long)]
    batch_size: Option<usize>,
    /// SGD step size [default: 0.01].
    #[arg(long)]
    lr: Option<f64>,
    /// Heavy-ball momentum of SGD [default: 0.9].
    #[arg(long)]
    momentum: Option<f64>,
    #[command(flatten)]
    env: EnvArgs,
}

/// The study config: each option given replaces the default.
pub fn config(a: InitArgs) -> InitStudy {
    let d = InitStudy::default();
    InitStudy {
        data: a.data.unwrap_or(d.data),
        images: a.images.unwrap_or(d.images),
        validation: a.validation.unwrap_or(d.validation),
        validation_images: a.validation_images.unwrap_or(d.validation_images),
        probe: a.probe.unwrap_or(d.probe),
        inits: a.inits.unwrap_or(d.inits),
        activations: a.activations.unwrap_or(d.activations),
        depth: a.depth.unwrap_or(d.depth),
        width: a.width.unwrap_or(d.width),
        train: TrainSettings {
            epochs: a.epochs.unwrap_or(d.train.epochs),
            batch_size: a.batch_size.unwrap_or(d.train.batch_size),
            lr: a.lr.unwrap_or(d.train.lr),
            momentum: a.momentum.unwrap_or(d.train.momentum),
        },
        env: a.env.apply(d.env),
    }
}

fn find(r: &InitReport, init: Init, activation: Activation) -> Option<&Run> {
    r.runs
        .iter()
        .find(|run| run.init == init && run.activation == activation)
}

fn last(v: &[f64]) -> f64 {
    v.last().copied().unwrap_or(f64::NAN)
}

pub fn run(args: InitArgs) -> Result<()> {
    let quiet = args.env.common.quiet;
    let cfg = config(args);
    let r = nnlab::jobs::execute(&cfg, &mut Bars::new(quiet))?;
    println!(
        "MLP {}-{}×{}-{} on {} images of {}, validation {} of {}; SGD η = {}, β = {}, batch {}, {} epochs",
        r.shape.inputs,
        r.shape.width,
        r.shape.depth,
        r.shape.classes,
        cfg.images,
        cfg.data,
        cfg.validation_images,
        cfg.validation,
        cfg.train.lr,
        cfg.train.momentum,
        cfg.train.batch_size,
        cfg.train.epochs
    );
    println!(
        "  init            activation  std h_1 … h_L at init        ‖∂L/∂W_l‖ l = 1 … L+1      accuracy by epoch   unit spread / max|w|"
    );
    for run in &r.runs {
        let s = &run.at_init.activation_std;
        let g = &run.at_init.gradient_norm;
        println!(
            "  {:<15} {:<10}  {:.2e} … {:.2e}          {:.2e} … {:.2e}        {}   {:.1e} / {:.1e}",
            run.init.name(),
            run.activation.name(),
            s.first().copied().unwrap_or(f64::NAN),
            last(s),
            g.first().copied().unwrap_or(f64::NAN),
            last(g),
            super::list(&run.curve.accuracy, 3),
            run.curve.unit_spread,
            run.curve.hidden_scale
        );
    }
    println!("predictions next to measurements:");
    for run in r.runs.iter().filter(|run| run.init == Init::Zeros) {
        println!(
            "  zeros/{}: hidden units stay identical: predicted spread 0, measured {:e} (max|w| {:.2e}); accuracy {:.3}",
            run.activation.name(),
            run.curve.unit_spread,
            run.curve.hidden_scale,
            last(&run.curve.accuracy)
        );
    }
    for run in r
        .runs
        .iter()
        .filter(|run| run.init != Init::Zeros && run.activation == Activation::Relu)
    {
        let p = run.predicted_ratio.unwrap_or(f64::NAN);
        let verdict = match run.ratio_in_band {
            Some(true) => "inside",
            _ => "OUTSIDE",
        };
        println!(
            "  {}/relu: Var h_l / Var h_(l-1) predicted {p}, measured geometric mean {:.3} ({verdict} ×/÷ {}); per layer {}",
            run.init.name(),
            run.mean_variance_ratio,
            r.ratio_band,
            super::list(&run.variance_ratios, 2)
        );
    }
    let tanh: Vec<String> = Init::ALL
        .iter()
        .filter_map(|&i| find(&r, i, Activation::Tanh))
        .filter(|run| run.init != Init::Zeros)
        .map(|run| {
            format!(
                "{} ratio {:.3}, accuracy {:.3}",
                run.init.name(),
                run.mean_variance_ratio,
                last(&run.curve.accuracy)
            )
        })
        .collect();
    if !tanh.is_empty() {
        println!(
            "  tanh: Xavier predicted to suit it (tanh is linear near 0, so Xavier keeps Var h_l about constant, He lets it grow toward saturation); measured {}",
            tanh.join("; ")
        );
    }
    println!(
        "wrote {}, metrics.json in {}",
        r.figures.join(", "),
        cfg.env.out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_flags_give_the_default_config() {
        let cli = crate::common::parse::<InitArgs, _, _>(["init"]);
        assert_eq!(config(cli), InitStudy::default());
    }

    #[test]
    fn subsets_parse_by_name() {
        let cli = crate::common::parse::<InitArgs, _, _>([
            "init",
            "--inits",
            "zeros,xavier-normal",
            "--activations",
            "tanh",
        ]);
        let c = config(cli);
        assert_eq!(c.inits, vec![Init::Zeros, Init::XavierNormal]);
        assert_eq!(c.activations, vec![Activation::Tanh]);
    }
}
