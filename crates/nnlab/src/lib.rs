//! nnlab: a deep-learning laboratory. It implements, runs and verifies the mathematics of deep
//! neural networks on the Burn tensor engine.
//!
//! Modules, one concept each:
//! - [`data`]: IDX files, the dataset registry, selections and seeded splits.
//! - [`anomaly`]: autoencoder anomaly detection (train, score, threshold, report).
//! - [`metrics`]: ranking and error-rate metrics (AUROC, AUPR, type I / II errors).
//! - [`plot`]: PNG figures (score histograms, ROC curves, image grids).
//! - [`device`]: choosing the Burn device (CPU `flex`, or CUDA with the `cuda` feature).
//! - [`jobs`]: the job layer: one shape (config, environment, observer, outputs) for every job.
//! - [`io`]: atomic file output; model weights to and from safetensors.
//! - [`trace`]: the automatic-differentiation tracer (evaluation, tangent and adjoint traces).
//! - [`shapes`]: CNN shape arithmetic (output shapes, parameters, receptive fields, window solver).
//! - [`softmax`]: log-sum-exp, softmax, sigmoid, ReLU/Heaviside; sigmoid → tanh network converter.
//! - [`prob`]: inverse-transform sampling, f-divergences, closed-form KL between Gaussians.
//! - [`train`]: minibatch training of any Burn module (seeded init and shuffling, Adam, progress).
//! - [`models`]: generative models (1-D flow, RealNVP, VAE, GAN).
//! - [`ops`]: linear operators, adjoints, dot-product test; convolution, pooling, upsampling.

pub mod anomaly;
pub mod data;
pub mod device;
pub mod io;
pub mod jobs;
pub mod metrics;
pub mod models;
pub mod ops;
pub mod plot;
pub mod prob;
pub mod report;
pub mod shapes;
pub mod softmax;
pub mod trace;
pub mod train;
