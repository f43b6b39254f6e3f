//! Generative models on Burn: the 1-D flow to a Gaussian, affine coupling layers and RealNVP,
//! the variational autoencoder and the GAN, each with its training and its measurements.
//!
//! - [`vae`]: the variational autoencoder (Gaussian encoder, Bernoulli decoder, ELBO with the
//!   closed-form KL, importance-weighted bound IW_k), its training, scores and `nnlab vae` run.

pub mod vae;
