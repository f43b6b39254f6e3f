//! The softmax family and activations: the log-sum-exp ν_β (a smooth maximum), softmax (its
//! gradient), log-softmax, the sigmoid (two-class softmax), ReLU and the Heaviside step, all on
//! Burn tensors batched over the last dimension; and the exact converter from one-hidden-layer
//! sigmoid networks to tanh networks.

pub mod checks;
mod family;
mod network;

pub use family::{
    heaviside, heaviside_f64, log_softmax, logsumexp, logsumexp_f64, relu, sigmoid, sigmoid_f64,
    softmax, softmax_beta, softmax_beta_f64,
};
pub use network::{SigmoidNet, TanhNet, sigmoid_to_tanh, tanh_to_sigmoid};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_limits;
#[cfg(test)]
mod tests_network;
