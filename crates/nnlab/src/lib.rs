//! nnlab: a deep-learning laboratory. It implements, runs and verifies the mathematics of deep
//! neural networks on the Burn tensor engine.
//!
//! Modules, one concept each:
//! - [`data`]: IDX files, the dataset registry, selections and seeded splits.
//! - [`anomaly`]: autoencoder anomaly detection (train, score, threshold, report).
//! - [`complexity`]: input complexity (compressed length of an image) and score corrections.
//! - [`metrics`]: ranking and error-rate metrics (AUROC, AUPR, type I / II errors).
//! - [`plot`]: PNG figures (score histograms, ROC curves, image grids).
//! - [`device`]: choosing the Burn device (CPU `flex`; CUDA, wgpu with their features); subnormal flushing.
//! - [`jobs`]: the job layer: one shape (config, environment, observer, outputs) for every job.
//! - [`io`]: atomic file output; model weights to and from safetensors.
//! - [`npy`]: numpy .npy arrays (1-D / 2-D, f64 / f32) in and out.
//! - [`trace`]: the automatic-differentiation tracer (evaluation, tangent and adjoint traces).
//! - [`shapes`]: CNN shape arithmetic (output shapes, parameters, receptive fields, window solver).
//! - [`softmax`]: log-sum-exp, softmax, sigmoid, ReLU/Heaviside; sigmoid → tanh network converter.
//! - [`prob`]: inverse-transform sampling, f-divergences, closed-form KL between Gaussians.
//! - [`train`]: minibatch training of any Burn module (seeded init and shuffling, Adam, progress).
//! - [`models`]: the autoencoder, generative models (1-D flow, RealNVP, VAE, GAN), sparse coding,
//!   softmax regression.
//! - [`ops`]: linear operators, adjoints, dot-product test; convolution, pooling, upsampling.
//! - [`prox`]: proximal maps, ISTA / FISTA / subgradient solvers, the gradient map, deblurring.
//! - [`studies`]: optimization studies (instance noise = ridge, momentum, the leak of augmenting
//!   before the split, initialization of a deep MLP), each measured next to its prediction.
//! - [`verify`]: the proof sheet: a registry of executable checks of every identity, one row each.
//! - [`tsne`]: t-SNE embeddings (perplexity calibration, exact and Barnes–Hut gradients).

pub mod anomaly;
pub mod complexity;
pub mod data;
pub mod device;
pub mod io;
pub mod jobs;
pub mod metrics;
pub mod models;
pub mod npy;
pub mod ops;
pub mod plot;
pub mod prob;
pub mod prox;
pub mod report;
pub mod shapes;
pub mod softmax;
pub mod studies;
pub mod trace;
pub mod train;
pub mod tsne;
pub mod verify;
