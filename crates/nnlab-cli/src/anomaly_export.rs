//! `nnlab anomaly export`: write a saved autoencoder detector for PyTorch (a safetensors
//! `state_dict` and a `score.py` that rebuilds the network and scores IDX images).

use crate::common::Common;
use crate::progress::Bars;
use anyhow::Result;
use clap::Args;
use nnlab::jobs::{self, anomaly::export::Config};
use std::path::PathBuf;

/// Options of `nnlab anomaly export` (documented on the subcommand in anomaly.rs).
#[derive(Args)]
pub struct ExportArgs {
    /// Folder of a saved autoencoder detector, e.g. runs/anomaly-<time>/model.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Folder to write model.safetensors and score.py into (created if missing).
    #[arg(long)]
    to: Option<PathBuf>,
    #[command(flatten)]
    common: Common,
}

/// The export the arguments describe; options not given keep [`Config::default`]'s values.
fn config(args: ExportArgs) -> Config {
    let d = Config::default();
    Config {
        model: args.model.unwrap_or(d.model),
        to: args.to.unwrap_or(d.to),
        env: args.common.env(d.env, None, None),
    }
}

pub fn run(args: ExportArgs) -> Result<()> {
    let mut bars = Bars::new(args.common.quiet);
    let r = jobs::execute(&config(args), &mut bars)?;
    println!(
        "detector    {} autoencoder, threshold {:.3} (trained on {})",
        r.arch, r.threshold, r.trained_on
    );
    println!(
        "pytorch     nn.Sequential of {} modules; state_dict of {} tensors, {} parameters",
        r.modules, r.tensors, r.parameters
    );
    println!("weights     {}", r.weights.display());
    println!(
        "script      {} (python {} IMAGES-idx3-ubyte.gz --csv scores.csv)",
        r.script.display(),
        r.script.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With no flags the CLI runs `Config::default()` (which validation then rejects: the
    /// detector and the destination must be named).
    #[test]
    fn no_flags_runs_the_default_config() {
        let args = crate::common::parse::<ExportArgs, _, _>(["export"]);
        assert_eq!(config(args), Config::default());
    }
}
