//! Anomaly detectors: a scoring model (autoencoder reconstruction error ‖x − D(E(x))‖², VAE
//! negative ELBO, flow negative log-likelihood or sparse-coding objective, see [`scorer`]) with
//! its threshold τ = mean + k·std of validation scores ([`detector`]); images with s > τ are
//! flagged. The job that trains and measures one is [`crate::jobs::anomaly`].

pub mod bench;
pub mod detector;
pub mod scorer;

pub use crate::models::autoencoder::{Arch, Autoencoder, ModelConfig};
pub use detector::{Detector, DetectorError, DetectorInfo};
// `bench` (and `scorer`) reach the autoencoder through these names.
use crate::models::autoencoder::{self as model, train};
pub use scorer::{Scorer, ScorerConfig, ScoringModel, SparseConfig};
