//! The study jobs (`nnlab::studies`): each runs one experiment with its defaults, writes
//! metrics.json and its figures, and reports the predictions next to the measurements.
//!
//! - [`noise`]: instance noise is ridge regression; the scalar step-size bound.
//! - [`momentum`]: GD, heavy-ball and Nesterov rates on quadratics; SGD vs momentum on an
//!   autoencoder with hand-derived gradients.
//! - [`leak`]: augmenting before the train/validation split inflates validation accuracy.
//! - [`init`]: zeros, Xavier and He initialization of a deep MLP (figures in `init_plots`).

pub mod init;
mod init_plots;
pub mod leak;
pub mod momentum;
pub mod noise;

use super::JobError;

/// Checks that `value` is finite and > 0.
pub(crate) fn positive(field: &str, value: f64) -> Result<(), JobError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(JobError::setting(
            field,
            format!("must be a finite number > 0, got {value}"),
        ))
    }
}

/// Checks that `value` is finite.
pub(crate) fn finite(field: &str, value: f64) -> Result<(), JobError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(JobError::setting(
            field,
            format!("must be finite, got {value}"),
        ))
    }
}

/// Checks `min <= value <= max`.
pub(crate) fn count(field: &str, value: usize, min: usize, max: usize) -> Result<(), JobError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(JobError::setting(
            field,
            format!("must be between {min} and {max}, got {value}"),
        ))
    }
}
