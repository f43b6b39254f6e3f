//! Models on Burn: the autoencoder, the 1-D flow to a Gaussian, affine coupling layers and RealNVP,
//! the variational autoencoder and the GAN, each with its training and its measurements.
//!
//! - [`autoencoder`]: the autoencoders E, D of anomaly detection (MLP and convolutional), trained
//!   on Σ‖x − D(E(x))‖² and scoring by the reconstruction error.
//! - [`flow1d`]: the 1-D flow f_θ(x) = Σ e^{w_i}(Φ_{μ_i,e^{τ_i}}(x) − ½) to N(0, 1), trained by
//!   maximum likelihood on a Gaussian mixture (`nnlab flow1d`).
//! - [`coupling`]: affine coupling layers for any mask Ω; [`realnvp`]: RealNVP stacks on 2-D
//!   toys and MNIST (`nnlab realnvp`).
//! - [`vae`]: the variational autoencoder (Gaussian encoder, Bernoulli decoder, ELBO with the
//!   closed-form KL, importance-weighted bound IW_k), its training, scores and `nnlab vae` run.
//! - [`gan`]: MLP GAN on MNIST with the minimax and non-saturating generator losses, measuring
//!   the generator-gradient norm against D(G(z)) (`nnlab gan`).
//! - [`sparse_coding`]: sparse coding by FISTA and dictionary learning; the sparse-coding
//!   anomaly score ½‖x − Dẑ‖² + λ‖ẑ‖₁.
//! - [`softmax_regression`]: softmax regression with the hand-written gradient (ŷ − y)xᵀ
//!   (`nnlab softmax-regression`).

pub mod autoencoder;
pub mod coupling;
pub mod flow1d;
pub mod gan;
pub mod realnvp;
pub mod softmax_regression;
pub mod sparse_coding;
pub mod vae;
