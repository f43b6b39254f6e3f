//! `nnlab study leak`: augmenting before the train/validation split inflates validation accuracy.

use super::EnvArgs;
use crate::progress::Bars;
use anyhow::Result;
use clap::Args;
use nnlab::data::augment::Augment;
use nnlab::jobs::studies::leak::LeakStudy;
use nnlab::studies::leak::ClassifierConfig;

/// Options of `nnlab study leak` (defaults: [`LeakStudy::default`]).
#[derive(Args)]
pub struct LeakArgs {
    /// Labelled images to split and augment: `mnist`, `kmnist:0-4`, an IDX `imgs+labels` path [default: mnist].
    #[arg(long)]
    data: Option<String>,
    /// How many of them (a seeded random subset) [default: 3000].
    #[arg(long)]
    images: Option<usize>,
    /// Labelled test images [default: mnist:test].
    #[arg(long)]
    test: Option<String>,
    /// How many test images [default: 5000].
    #[arg(long)]
    test_images: Option<usize>,
    /// Fraction of the images that validates [default: 0.2].
    #[arg(long)]
    val_fraction: Option<f64>,
    /// Largest shift of an augmented copy, in pixels [default: 2].
    #[arg(long)]
    max_shift: Option<usize>,
    /// Largest rotation of an augmented copy, in degrees [default: 15].
    #[arg(long)]
    max_degrees: Option<f64>,
    /// Augmented copies per image [default: 4].
    #[arg(long)]
    copies: Option<usize>,
    /// Hidden units of the classifier [default: 256].
    #[arg(long)]
    hidden: Option<usize>,
    /// Passes over the training images [default: 10].
    #[arg(long)]
    epochs: Option<usize>,
    /// Images per Adam step [default: 64].
    #[arg(long)]
    batch_size: Option<usize>,
    /// Adam learning rate [default: 0.001].
    #[arg(long)]
    lr: Option<f64>,
    #[command(flatten)]
    env: EnvArgs,
}

/// The study config: each option given replaces the default.
pub fn config(a: LeakArgs) -> LeakStudy {
    let d = LeakStudy::default();
    LeakStudy {
        data: a.data.unwrap_or(d.data),
        images: a.images.unwrap_or(d.images),
        test: a.test.unwrap_or(d.test),
        test_images: a.test_images.unwrap_or(d.test_images),
        val_fraction: a.val_fraction.unwrap_or(d.val_fraction),
        augment: Augment {
            max_shift: a.max_shift.unwrap_or(d.augment.max_shift),
            max_degrees: a.max_degrees.unwrap_or(d.augment.max_degrees),
            copies: a.copies.unwrap_or(d.augment.copies),
        },
        classifier: ClassifierConfig {
            hidden: a.hidden.unwrap_or(d.classifier.hidden),
            epochs: a.epochs.unwrap_or(d.classifier.epochs),
            batch_size: a.batch_size.unwrap_or(d.classifier.batch_size),
            lr: a.lr.unwrap_or(d.classifier.lr),
        },
        env: a.env.apply(d.env),
    }
}

pub fn run(args: LeakArgs) -> Result<()> {
    let quiet = args.env.common.quiet;
    let cfg = config(args);
    let r = nnlab::jobs::execute(&cfg, &mut Bars::new(quiet))?;
    let a = &cfg.augment;
    println!(
        "augment (±{} px, ±{}°, {} copies) {} images of {}; test on {} images of {}",
        a.max_shift, a.max_degrees, a.copies, cfg.images, cfg.data, cfg.test_images, cfg.test
    );
    let last = |v: &[f64]| v.last().copied().unwrap_or(f64::NAN);
    for (name, c, shared) in [
        (
            "leaky  (augment, then split)",
            &r.leaky,
            r.leaky_shared_sources,
        ),
        ("honest (split, then augment)", &r.honest, 0.0),
    ] {
        println!(
            "  {name}: {} train / {} validation; validation accuracy {:.4}, test {:.4}; validation images with a version of their source in training: {:.0}%",
            c.train_images,
            c.validation_images,
            last(&c.validation),
            last(&c.test),
            100.0 * shared
        );
    }
    println!(
        "  inflation (validation − test): leaky {:+.4} (predicted > 0), honest {:+.4} (predicted ≈ 0; validation s.e. {:.4})",
        r.leaky_inflation, r.honest_inflation, r.honest_std_error
    );
    println!(
        "wrote {}, metrics.json in {}",
        crate::common::figure_names(cfg.env.figures, &["accuracy", "examples"]),
        cfg.env.out.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_flags_give_the_default_config() {
        let cli = crate::common::parse::<LeakArgs, _, _>(["leak"]);
        assert_eq!(config(cli), LeakStudy::default());
    }
}
