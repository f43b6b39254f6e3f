//! `nnlab`: the command-line face of the nnlab library. Each subcommand lives in its own file and
//! only parses arguments, calls the library and prints; the mathematics is in `nnlab`.

mod anomaly;
mod bench;
mod progress;

use clap::{Parser, Subcommand};

/// mimalloc keeps freed tensor buffers for reuse; glibc's malloc returns large blocks to the OS
/// and faults them back in on every training step (about 10% of an epoch).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A deep-learning laboratory: run, measure and verify the mathematics of deep networks.
#[derive(Parser)]
#[command(name = "nnlab", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once
enum Command {
    /// Autoencoder anomaly detection (default: MNIST normal, KMNIST anomalous).
    Anomaly(anomaly::AnomalyArgs),
    /// Time training and scoring of the autoencoder (compare with PyTorch).
    Bench(bench::BenchArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Anomaly(args) => anomaly::run(args),
        Command::Bench(args) => bench::run(args),
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
