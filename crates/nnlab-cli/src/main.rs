//! `nnlab`: the command-line face of the nnlab library. Each subcommand lives in its own file and
//! only parses arguments, calls the library and prints; the mathematics is in `nnlab`.

mod anomaly;
mod anomaly_export;
mod bench;
mod common;
mod conv;
mod conv2d;
mod deblur;
mod dictionary;
mod flags;
mod flow1d;
mod gan;
mod kl_fit;
mod lasso;
mod pool;
mod progress;
mod realnvp;
mod report;
mod sample;
mod shapes;
mod signal;
mod softmax_regression;
mod study;
mod trace;
mod tsne;
mod vae;
mod verify;

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
    /// Anomaly detection with an autoencoder, VAE, flow or sparse coder (default: MNIST normal, KMNIST anomalous).
    ///
    /// Trains an autoencoder on normal images and flags images whose reconstruction error
    /// s(x) = ||x - D(E(x))||^2 exceeds mean + k*std of the validation scores.
    ///
    /// Defaults reproduce the course recipe: normal = MNIST train (50 000 train / 10 000
    /// validation, seeded split), normal test = MNIST test, anomalies = KMNIST test; MLP
    /// 784-256-64-32 mirrored with sigmoid output; Adam lr 1e-3, batch 100, 10 epochs.
    /// Other scores with the same thresholding and outputs: --scorer vae (negative ELBO of a
    /// VAE), --scorer flow (negative log-likelihood of a RealNVP flow) and --scorer sparse
    /// (sparse-coding objective of a learned dictionary, codes by FISTA).
    /// Writes metrics.json, scores.csv, histogram.png, roc.png, reconstructions.png (flow:
    /// extremes.png), loss.png and the trained detector (model/) into --out.
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
    /// Train the 1-D flow f(x) = sum_i e^{w_i} (Phi((x - mu_i)/e^{tau_i}) - 1/2) to N(0, 1).
    ///
    /// Maximum likelihood with p_Z = N(0,1): -log p(x) = -log phi(f(x)) - log f'(x), on draws
    /// from a Gaussian mixture (default weights 1:1:2 on N(-1, 0.25^2), N(0.2, 0.25^2),
    /// N(1.5, 0.25^2)); Adam, 50 epochs, lr 5e-2, batch 1000, 5000 train / 5000 held-out draws.
    /// Prints the held-out NLL next to the mixture's entropy, the KS distance of z = f(x) to
    /// N(0,1), the mass 2 Phi(S/2) - 1 < 1 of the model (f is bounded by S/2 = sum_i e^{w_i}/2)
    /// and how many z ~ N(0,1) have no preimage. Writes flow1d.png (four panels) and
    /// metrics.json into --out.
    Flow1d(flow1d::Flow1dArgs),
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
    /// Variational autoencoder: train on the ELBO, report test ELBO and IW_k bounds.
    ///
    /// Gaussian encoder q(z|x) = N(mu(x), diag sigma^2(x)), Bernoulli decoder on grey levels,
    /// prior N(0, I); ELBO = E_q log p(x|z) - KL(q || N(0, I)) with one reparameterized sample
    /// per image and the closed-form KL. Defaults: MNIST train (60 000 images), tested on
    /// MNIST test; MLP 784-400-(20, 20), mirrored decoder; Adam lr 1e-3, batch 100, 10
    /// epochs; IW_k for k = 1, 10, 100. Writes metrics.json, samples.png,
    /// reconstructions.png, loss.png, weights.safetensors and vae.json into --out.
    Vae(vae::VaeArgs),
    /// Train an MLP GAN with the minimax and the non-saturating generator loss.
    ///
    /// Both losses run from the same seeds and data order (--loss both). Records per generator
    /// step the gradient norm ||grad_G L_G||_2 and the mean D(G(z)): as D(G(z)) -> 0 the
    /// minimax gradient vanishes (dL/da = -D) while the non-saturating one does not
    /// (dL/da = -(1 - D)). Defaults: all 60 000 MNIST training images, 5 epochs, batch 64,
    /// Adam lr 1e-3 with beta1 = 0.5, latent 64, G 64-256-256-784 (D mirrored, LeakyReLU 0.2),
    /// 100 discriminator-only steps first. Writes metrics.json, steps.csv,
    /// grad_norm_vs_d.png, grad_norm.png, loss.png, discriminator.png and samples-<loss>.png
    /// (a row per epoch) into --out.
    Gan(gan::GanArgs),
    /// Lasso min 1/2||Ax - b||^2 + lambda ||x||_1 by ISTA, FISTA and the subgradient method.
    ///
    /// A and b from .npy files (--a, --b; float64 or float32) or a seeded generated problem
    /// (m = 200, n = 500, k = 10 nonzeros). Step 1/L with L = ||A||^2 by power iteration;
    /// stops when the gradient map ||G_t(x)|| = ||x - prox_tg(x - t grad f(x))|| / t <= --tol.
    /// Prints objective, iterations, ||G_t||, support and time per solver and the measured
    /// rate constants against the O(1/k) and O(1/k^2) bounds; writes x.npy (FISTA),
    /// convergence.png, history.csv and metrics.json into --out.
    Lasso(lasso::LassoArgs),
    /// Deblur an image: Gaussian blur plus noise, recovered by FISTA with l1 and 0 <= x <= 1.
    ///
    /// b = K x + noise with K a 2-D Gaussian convolution (its adjoint the transpose
    /// convolution); min 1/2||Kx - b||^2 + lambda ||x||_1 on the box [0, 1]. Prints the PSNR of
    /// the blurred image and of the ISTA and FISTA recoveries; writes deblur.png (original,
    /// blurred, recovered), psnr.png (PSNR by iteration), recovered.npy and metrics.json.
    Deblur(deblur::DeblurArgs),
    /// Learn a sparse-coding dictionary: x ~ D z with sparse z (FISTA) and unit-norm atoms.
    ///
    /// Alternates FISTA coding of min 1/2||x - Dz||^2 + lambda ||z||_1 with block-coordinate
    /// atom updates; reports the test reconstruction error ||x - Dz||^2 and the code sparsity.
    /// Writes atoms.png, reconstructions.png, objective.png, metrics.json and the dictionary
    /// (model/dictionary.json, model/atoms.npy) into --out.
    Dictionary(dictionary::DictionaryArgs),
    /// Softmax regression y = softmax(W x + b) with the hand-written gradient (y - onehot) x^T.
    ///
    /// Minimizes the mean cross-entropy plus (lambda/2)||W||^2 by minibatch SGD with momentum
    /// or Adam; prints train/test loss, top-1 and top-3 test error (and --top-k K), the time,
    /// and a check that a stack of linear layers equals its product matrix. Defaults: MNIST
    /// train (60 000 images), tested on MNIST test; SGD momentum 0.9, lr 0.1 decayed as
    /// lr / (1 + 0.5 (epoch - 1)), batch 100, 10 epochs, lambda 1e-4. Data selections as in
    /// `nnlab anomaly` (e.g. --test-data kmnist:test, or IDX files imgs+labels). Writes
    /// metrics.json, loss.png, confusion.png, weights.png and the model (model/) into --out.
    SoftmaxRegression(softmax_regression::SoftmaxRegressionArgs),
    /// Optimization studies whose outcome theory predicts: noise, momentum, leak, init.
    ///
    /// Each runs with its defaults in minutes, prints the prediction next to the measurement
    /// and writes metrics.json and its figures into --out (default runs/study-<name>).
    Study(study::StudyArgs),
    /// Run the proof sheet: an executable check of every identity nnlab implements.
    ///
    /// One row per identity: the formula, how it is checked (dot-product test, exact equality,
    /// finite differences, autodiff, Monte Carlo, closed form), the measured error, the
    /// tolerance and why, PASS or FAIL. Exit status 1 if any check fails. The same check
    /// functions run in the library's unit tests.
    Verify(verify::VerifyArgs),
    /// 2-D convolution (or cross-correlation) of a matrix with stride, padding and dilation.
    ///
    /// Prints the output size o = floor((i + 2p - d(k-1) - 1)/s) + 1 per axis, the dilated
    /// kernel and the output. Example: nnlab conv2d --x "1,2,3;4,5,6;7,8,9" --h "1,1;1,1"
    Conv2d(conv2d::Conv2dArgs),
    /// Max, average or LP pooling of a matrix with a k x k window.
    ///
    /// LP pooling is (sum |x|^p)^(1/p) over the window (no 1/n inside). Example:
    /// nnlab pool --x "1,2;3,4" --kind lp --p 2 --k 2
    Pool(pool::PoolArgs),
    /// t-SNE map of images (default: the first 10 000 MNIST test images), or of a saved
    /// detector's codes (--codes DIR: MNIST test coloured by digit, KMNIST test marked).
    ///
    /// Gaussian neighbourhoods calibrated to --perplexity by bisection, symmetrized P over the
    /// 3·perplexity nearest neighbours (Barnes–Hut) or all pairs (--method exact), Student-t Q;
    /// minimizes KL(P‖Q) with gradient 4 Σ_j (p_ij − q_ij)(y_i − y_j)/(1 + ‖y_i − y_j‖²),
    /// repulsion by a quadtree with opening angle --theta. Early exaggeration 12 for 250 of
    /// 750 steps, momentum 0.5 then 0.8, gains. Prints the final KL(P‖Q), the 10-nearest-
    /// neighbour label agreement, for codes the share of anomalies whose 10 nearest neighbours
    /// are mostly anomalies (with its chance value), and the time of each phase; writes
    /// embedding.csv, tsne.png and metrics.json into --out.
    Tsne(tsne::TsneArgs),
    /// Write DIR/index.html comparing every run under DIR (default runs).
    ///
    /// One row per run folder (a folder with metrics.json or report.html, up to four levels
    /// deep): job, date, wall time, the numeric metrics of metrics.json and a link to the run's
    /// report.html. Click a column header to sort. Every job writes report.html itself.
    Report(report::ReportArgs),
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
        Command::Flow1d(args) => flow1d::run(args),
        Command::Realnvp(args) => realnvp::run(args),
        Command::Vae(args) => vae::run(args),
        Command::Gan(args) => gan::run(args),
        Command::Lasso(args) => lasso::run(args),
        Command::Deblur(args) => deblur::run(args),
        Command::Dictionary(args) => dictionary::run(args),
        Command::SoftmaxRegression(args) => softmax_regression::run(args),
        Command::Study(args) => study::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Conv2d(args) => conv2d::run(args),
        Command::Pool(args) => pool::run(args),
        Command::Tsne(args) => tsne::run(args),
        Command::Report(args) => report::run(args),
    };
    if let Err(e) = result {
        eprintln!("error: {}", describe(&e));
        std::process::exit(1);
    }
}

/// The error and its causes on one line, skipping a cause whose text the message already
/// includes (library errors name their cause themselves).
fn describe(e: &anyhow::Error) -> String {
    let mut msg = match e.downcast_ref::<nnlab::jobs::JobError>() {
        Some(job) => flags::message(job),
        None => e.to_string(),
    };
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !msg.contains(&c) {
            msg = format!("{msg}: {c}");
        }
    }
    msg
}
