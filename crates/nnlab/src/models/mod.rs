//! Generative models on Burn: the 1-D flow to a Gaussian, affine coupling layers and RealNVP,
//! the variational autoencoder and the GAN, each with its training and its measurements.
//!
//! - [`gan`]: MLP GAN on MNIST with the minimax and non-saturating generator losses, measuring
//!   the generator-gradient norm against D(G(z)).

pub mod gan;
