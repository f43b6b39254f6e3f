//! `nnlab dictionary`: learn a sparse-coding dictionary on images and report the test
//! reconstruction error and code sparsity.

use crate::progress::Bars;
use anyhow::Result;
use clap::Args;
use nnlab::jobs::dictionary::DictionaryJob;
use nnlab::models::sparse_coding::DictionaryConfig;
use std::path::PathBuf;

/// Options of `nnlab dictionary`.
#[derive(Args, Debug, Default)]
pub struct DictionaryArgs {
    /// Training images (data selection) [default: mnist:train].
    #[arg(long)]
    train: Option<String>,
    /// Use only the first N training images, 0 = all [default: 10000].
    #[arg(long)]
    train_limit: Option<usize>,
    /// Test images [default: mnist:test].
    #[arg(long)]
    test: Option<String>,
    /// Number K of atoms (the code size) [default: 256].
    #[arg(long)]
    atoms: Option<usize>,
    /// Weight lambda of the l1 penalty on codes [default: 0.1].
    #[arg(long = "lambda")]
    lambda: Option<f64>,
    /// Alternations of coding and atom updates [default: 10].
    #[arg(long)]
    rounds: Option<usize>,
    /// FISTA iterations per code [default: 100].
    #[arg(long)]
    coding_iterations: Option<usize>,
    /// Seed of the initial atoms [default: 0].
    #[arg(long)]
    seed: Option<u64>,
    /// Folder for atoms.png, reconstructions.png, objective.png, metrics.json, model/ [default: runs/dictionary].
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

/// The job config the flags describe; no flags gives [`DictionaryJob::default`].
pub fn config(args: &DictionaryArgs) -> DictionaryJob {
    let d = DictionaryJob::default();
    let dd = d.dictionary.clone();
    DictionaryJob {
        train: args.train.clone().unwrap_or(d.train),
        train_limit: args.train_limit.unwrap_or(d.train_limit),
        test: args.test.clone().unwrap_or(d.test),
        dictionary: DictionaryConfig {
            atoms: args.atoms.unwrap_or(dd.atoms),
            lambda: args.lambda.unwrap_or(dd.lambda),
            rounds: args.rounds.unwrap_or(dd.rounds),
            coding_iterations: args.coding_iterations.unwrap_or(dd.coding_iterations),
            seed: dd.seed,
        },
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

pub fn run(args: DictionaryArgs) -> Result<()> {
    let cfg = config(&args);
    let r = nnlab::jobs::execute(&cfg, &mut Bars::new(args.quiet))?;
    let dc = &cfg.dictionary;
    println!(
        "dictionary: {} atoms, lambda {}, {} rounds, {} FISTA iterations per code, {} training images",
        dc.atoms, dc.lambda, dc.rounds, dc.coding_iterations, r.train_images
    );
    for s in &r.rounds {
        println!(
            "round {:>3}: F after coding {:.5}, after atom update {:.5}, nonzeros {:.1}, redrawn {}, {:.1} s",
            s.round, s.objective_coded, s.objective_updated, s.mean_nonzeros, s.redrawn, s.seconds
        );
    }
    println!(
        "test ({} images): mean ||x - Dz||^2 {:.4}, mean objective {:.4}, nonzeros {:.1} of {} ({:.1}%), coding {:.1} s",
        r.test_images,
        r.test_squared_error,
        r.test_objective,
        r.test_mean_nonzeros,
        dc.atoms,
        100.0 * r.test_nonzero_fraction,
        r.seconds_test
    );
    println!(
        "wrote {}, metrics.json, model/ in {}",
        crate::common::figure_names(cfg.env.figures, &["atoms", "reconstructions", "objective"]),
        cfg.env.out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_flags_give_the_default_config() {
        let cli = crate::common::parse::<DictionaryArgs, _, _>(["dictionary"]);
        assert_eq!(config(&cli), DictionaryJob::default());
    }
}
