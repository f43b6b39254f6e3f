//! An MLP GAN on MNIST with the two generator losses — minimax E log(1 − D(G(z))) and
//! non-saturating −E log D(G(z)) — trained from the same seeds and data order, measuring the
//! generator-gradient norm ‖∇_θG L_G‖₂ against the mean D(G(z)) to show the minimax gradient
//! vanishing as D(G(z)) → 0 (the mathematics is in [`loss`]).
//!
//! Both optimizers are Adam with β₁ = 0.5 (see [`train::ADAM_BETA1`]). Adam divides each step
//! by a running RMS of the gradient, so a uniformly small minimax gradient still moves G; the
//! norm recorded is that of the raw gradient ∇_θG L_G, before the optimizer sees it. Measured
//! with the defaults (all of MNIST, 5 epochs, seed 0): the minimax run ends with D winning
//! (D(x) ≈ 1, D(G(z)) ≈ 1e-4, gradient norm ≈ 1e-3), the non-saturating one with
//! D(G(z)) ≈ 0.2 and recognizable digits.
//!
//! The job that trains one GAN per requested loss ([`train::train_gan`]) and writes its outputs
//! is [`crate::jobs::gan`].

pub mod check;
pub mod loss;
pub mod model;
pub mod train;

#[cfg(test)]
mod tests_loss;
#[cfg(test)]
pub(crate) mod tests_train;

pub use loss::{GeneratorLoss, discriminator_loss, grad_norm};
pub use model::{Discriminator, GanShape, Generator};
pub use train::{GanEpoch, GanHistory, GanSettings, StepRecord, train_gan};
