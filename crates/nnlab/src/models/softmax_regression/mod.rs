//! Softmax regression ŷ = softmax(W x + b) with the correct hand-written gradient
//! ∂l/∂W = (ŷ − y) xᵀ, trained by minibatch SGD with momentum or Adam, and the facts around it.
//!
//! - [`math`]: the exact f64 loss and gradient, the wrong "own-score-only" gradient for contrast,
//!   and the finite-difference check ([`check_gradient`]).
//! - [`model`]: the Burn model, the batched gradient (Ŷ − Y)ᵀX / n + λW and evaluation.
//! - [`train`]: SGD with momentum / Adam on that gradient, with per-epoch train and test loss.
//! - [`collapse`]: a stack of linear layers is one matrix (depth without nonlinearity adds
//!   nothing).
//!
//! Top-k error is [`crate::metrics::top_k_error`]; the `nnlab softmax-regression` job is
//! [`crate::jobs::softmax_regression`].

pub mod collapse;
pub mod math;
pub mod model;
pub mod train;

#[cfg(test)]
mod tests_math;
#[cfg(test)]
mod tests_model;

pub use collapse::{Collapse, linear_collapse};
pub use math::{GRADCHECK_TOLERANCE, check_gradient};
pub use model::{ModelShape, SoftmaxRegression};
pub use train::{EpochRecord, Fitted, Optimizer, Training, fit};
