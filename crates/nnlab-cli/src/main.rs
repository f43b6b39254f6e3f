//! `nnlab`: the command-line face of the nnlab library. Each subcommand lives in its own file and
//! only parses arguments, calls the library and prints; the mathematics is in `nnlab`.

mod anomaly;
mod bench;
mod conv;
mod kl_fit;
mod progress;
mod realnvp;
mod sample;
mod shapes;
mod signal;
mod trace;

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
    ///
    /// Trains an autoencoder on normal images and flags images whose reconstruction error
    /// s(x) = ||x - D(E(x))||^2 exceeds mean + k*std of the validation scores.
    ///
    /// Defaults reproduce the course recipe: normal = MNIST train (50 000 train / 10 000
    /// validation, seeded split), normal test = MNIST test, anomalies = KMNIST test; MLP
    /// 784-256-64-32 mirrored with sigmoid output; Adam lr 1e-3, batch 100, 10 epochs.
    /// Writes metrics.json, scores.csv, histogram.png, roc.png, reconstructions.png, loss.png
    /// and the trained detector (model/) into --out.
    ///
    /// Data selections: `mnist`, `mnist:test`, `mnist:0-4` (labels 0 to 4), `mnist:3`,
    /// `fashion-mnist:test:1,3`, or a path to an IDX images file, optionally `imgs+labels`.
    /// Datasets are looked up in --data-dir, then $NNLAB_DATA, then ~/.cache/nnlab, and
    /// downloaded there when missing.
    Anomaly(anomaly::AnomalyArgs),
    /// Time training and scoring of the autoencoder (compare with PyTorch).
    Bench(bench::BenchArgs),
    /// Output shapes, parameters and receptive fields of a CNN; `shapes solve` finds (k, s, p, d).
    Shapes(shapes::ShapesArgs),
    /// Trace automatic differentiation of an expression: evaluation, tangent and adjoint traces.
    Trace(trace::TraceArgs),
    /// Draw samples G(U) by the generalized inverse transform from a named or given CDF.
    ///
    /// Prints mean, std, min, max, quantiles and the Kolmogorov–Smirnov distance to F; plots
    /// the empirical CDF against F (--out) and a density histogram (<stem>-hist.png).
    Sample(sample::SampleArgs),
    /// Fit one Gaussian to a 1-D mixture by forward KL(p||q) and reverse KL(q||p).
    ///
    /// Forward KL covers both modes (moment matching); reverse KL locks onto one mode.
    KlFit(kl_fit::KlFitArgs),
    /// 1-D discrete convolution y[n] = sum_k x[k] h[n-k] (or cross-correlation with --correlate).
    ///
    /// Modes: full (N+M-1 values), valid (|N-M|+1, full overlap) and same (max(N,M) values,
    /// centred like numpy's np.convolve(.., 'same')). Prints the values and their index range.
    Conv(conv::ConvArgs),
    /// Discrete-time signals: `signal rect` convolves a rectangular pulse with a^n u(n).
    Signal(signal::SignalArgs),
    /// RealNVP: affine coupling flows trained by maximum likelihood (2-D toys or MNIST).
    ///
    /// Coupling layers z_Ω = x_Ω, z_Ωᶜ = exp(s(x_Ω)) * x_Ωᶜ + t(x_Ω) with alternating masks
    /// (checkerboard on images), standard normal base, log|det| = sum s(x_Ω).
    ///
    /// Toys (--data moons|rings, default moons): 4000 training points, 10 layers of width 64,
    /// 150 epochs, batch 200, lr 2e-3 (about 30 s); prints the test mean log-likelihood next
    /// to a Gaussian fit's; writes samples.png, density.png, loss.png, metrics.json.
    ///
    /// Images (--data mnist): dequantized y = (255x + u)/256, logit transform (alpha 0.05);
    /// 6 layers of width 256, 3 epochs, batch 100, lr 5e-4 (about 3 minutes on 2 cores);
    /// prints the test NLL in nats and bits/dim; writes samples.png, loss.png, metrics.json
    /// and the model (model/). Outputs go to --out (default runs/realnvp).
    Realnvp(realnvp::RealNvpArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Anomaly(args) => anomaly::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Shapes(args) => shapes::run(args),
        Command::Trace(args) => trace::run(args),
        Command::Sample(args) => sample::run(args),
        Command::KlFit(args) => kl_fit::run(args),
        Command::Conv(args) => conv::run(args),
        Command::Signal(args) => signal::run(args),
        Command::Realnvp(args) => realnvp::run(args),
    };
    if let Err(e) = result {
        eprintln!("error: {}", describe(&e));
        std::process::exit(1);
    }
}

/// The error and its causes on one line, skipping a cause whose text the message already
/// includes (library errors name their cause themselves).
fn describe(e: &anyhow::Error) -> String {
    let mut msg = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !msg.contains(&c) {
            msg = format!("{msg}: {c}");
        }
    }
    msg
}
