//! Generative models on Burn: the 1-D flow to a Gaussian, affine coupling layers and RealNVP,
//! the variational autoencoder and the GAN, each with its training and its measurements.
//! - [`coupling`]: affine coupling layers for any mask Ω; [`realnvp`]: RealNVP stacks on 2-D toys and MNIST.
pub mod coupling;
pub mod realnvp;
