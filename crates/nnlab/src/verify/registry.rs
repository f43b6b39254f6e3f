//! The registry of the proof sheet: every check, one line each, in the order the sheet prints.
//! A feature adds its row by adding its check's line here.

use super::Check;
use crate::{models, ops, prob, softmax, trace};

static ALL: [&Check; 28] = [
    &ops::checks::AVG_POOL_ADJOINT,
    &ops::checks::UPSAMPLE_TRANSPOSE_CONV,
    &ops::checks::CONV_ADJOINT,
    &ops::checks::CNN1D_BACKPROP,
    &softmax::checks::LOGSUMEXP_MAX,
    &softmax::checks::GRADIENT_ONE_HOT,
    &softmax::checks::GRADIENT_SOFTMAX,
    &softmax::checks::SHIFT_INVARIANCE,
    &softmax::checks::TEMPERATURE_LIMITS,
    &softmax::checks::SIGMOID_HEAVISIDE,
    &softmax::checks::RELU_HEAVISIDE,
    &softmax::checks::SIGMOID_TO_TANH,
    &prob::checks::INVERSE_CDF,
    &prob::checks::DIVERGENCES,
    &prob::checks::GAUSSIAN_KL,
    &trace::checks::TRACER_GRADIENT,
    &models::coupling::COUPLING_LOG_DET,
    &models::vae::check::ELBO_BELOW_IW,
    &models::gan::check::GRADIENT_RATIO,
    &crate::shapes::checks::SOLVER_EXHAUSTIVE,
    &models::softmax_regression::math::GRADIENT_CHECK,
    &crate::prox::SOFT_THRESHOLD_CHECK,
    &crate::studies::autoencoder::HAND_GRADIENT_CHECK,
    &crate::studies::checks::RIDGE_IDENTITY,
    &crate::studies::checks::STEP_SIZE_BOUND,
    &crate::studies::checks::RATES,
    &crate::studies::init::VARIANCE_CHECK,
    &crate::tsne::exact::GRADIENT_ROW,
];

/// All checks of the proof sheet, in order.
pub fn all() -> &'static [&'static Check] {
    &ALL
}
