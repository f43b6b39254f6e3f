//! Options shared by the commands that load data and train: where the data are, whether to
//! download, which device, whether to draw progress bars, and the figures' file formats
//! ([`FigureArgs`], also flattened into the jobs that load no data).

use clap::Args;
use nnlab::device::DeviceChoice;
use nnlab::jobs::Env;
use nnlab::plot::Figures;
use nnlab::train::TrainConfig;
use std::path::PathBuf;

/// Data, device and progress options (flattened into each command's arguments).
#[derive(Args)]
pub struct Common {
    /// Folder holding <dataset>/<file>.gz [default: $NNLAB_DATA, else ~/.cache/nnlab].
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Where tensors live: cpu (Burn flex backend), cuda or wgpu (need a --features cuda / wgpu build).
    #[arg(long, default_value = "cpu")]
    pub device: DeviceChoice,
    /// Never download missing dataset files (report them instead).
    #[arg(long)]
    pub offline: bool,
    /// No progress bars.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub figures: FigureArgs,
}

/// The file formats of a job's figures.
#[derive(Args, Debug, Default)]
pub struct FigureArgs {
    /// File format of every figure: png, svg (vector, text stays text) or both [default: png].
    #[arg(long, value_enum)]
    pub figures: Option<Figures>,
}

impl FigureArgs {
    /// The formats given on the command line, else `d` (a job's default).
    pub fn or(&self, d: Figures) -> Figures {
        self.figures.unwrap_or(d)
    }
}

impl Common {
    /// The job environment `d` (a job's default) with the output folder and seed given on the
    /// command line and these data, download and device options.
    pub fn env(&self, d: Env, out: Option<PathBuf>, seed: Option<u64>) -> Env {
        Env {
            data_dir: self.data_dir.clone().or(d.data_dir.clone()),
            offline: self.offline || d.offline,
            device: self.device,
            figures: self.figures.or(d.figures),
            ..env(d, out, seed)
        }
    }
}

/// The file names of the figures `stems` written in the formats `f`, comma-separated
/// (`loss.png`, `loss.svg`, or `loss.{png,svg}` for both), for the printed summaries.
pub fn figure_names(f: Figures, stems: &[&str]) -> String {
    let ext = match f {
        Figures::Png => "png",
        Figures::Svg => "svg",
        Figures::Both => "{png,svg}",
    };
    stems
        .iter()
        .map(|s| format!("{s}.{ext}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checkpoint options of the commands that train through the shared training loop
/// (flattened into their arguments).
#[derive(Args)]
pub struct CheckpointArgs {
    /// Every N epochs, write a checkpoint (weights, optimizer state, epoch, random state,
    /// settings) as the folder --out/checkpoint-epoch-E, replacing the previous one.
    #[arg(long, value_name = "N")]
    pub checkpoint_every: Option<usize>,
    /// Continue training from a checkpoint: a checkpoint-epoch-E folder, or the --out of an
    /// earlier run (its latest checkpoint). The other options must be those of that run
    /// (--epochs may be larger); the result equals that of an uninterrupted run.
    #[arg(long, value_name = "DIR")]
    pub resume: Option<PathBuf>,
}

impl CheckpointArgs {
    /// The training settings `train` with these checkpoint options.
    pub fn apply(&self, train: TrainConfig) -> TrainConfig {
        let mut t = train;
        t.checkpoint.checkpoint_every = self.checkpoint_every.or(t.checkpoint.checkpoint_every);
        t.checkpoint.resume = self.resume.clone().or(t.checkpoint.resume);
        t
    }
}

/// The job environment `d` with the output folder and seed given on the command line.
pub fn env(d: Env, out: Option<PathBuf>, seed: Option<u64>) -> Env {
    Env {
        out: out.unwrap_or(d.out),
        seed: seed.unwrap_or(d.seed),
        ..d
    }
}

/// The training settings `d` (a job's default) with the epochs, batch size and learning rate
/// given on the command line.
pub fn train(
    d: &TrainConfig,
    epochs: Option<usize>,
    batch_size: Option<usize>,
    lr: Option<f64>,
) -> TrainConfig {
    TrainConfig {
        epochs: epochs.unwrap_or(d.epochs),
        batch_size: batch_size.unwrap_or(d.batch_size),
        lr: lr.unwrap_or(d.lr),
        ..d.clone()
    }
}

/// The options `A` of one command parsed from `argv` (its first item is the command's name), as
/// clap parses them on the command line; for the tests that compare a command's configs.
#[cfg(test)]
pub fn parse<A, I, T>(argv: I) -> A
where
    A: clap::Args + clap::FromArgMatches,
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cmd = A::augment_args(clap::Command::new("nnlab"));
    let matches = cmd
        .try_get_matches_from(argv)
        .unwrap_or_else(|e| panic!("{e}"));
    A::from_arg_matches(&matches).unwrap_or_else(|e| panic!("{e}"))
}
