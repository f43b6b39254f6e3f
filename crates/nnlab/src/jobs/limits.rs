//! Documented caps on job settings, checked in each job's `validate()` before any work, so
//! that a huge count (`u64::MAX` epochs, a 10⁹-wide latent) is a clear setting error instead
//! of a capacity-overflow panic, an allocation abort or a run without end.
//!
//! The caps are far above any run this laboratory makes (MNIST models have < 10⁶ weights) and
//! far below what exhausts memory: [`MAX_PARAMS`] f32 weights are 800 MB, and Adam keeps two
//! more copies.

use super::JobError;

/// Most trainable parameters of one model: 2·10⁸.
pub const MAX_PARAMS: usize = 200_000_000;
/// Most training epochs (or optimizer steps counted like epochs): 10⁶.
pub const MAX_EPOCHS: usize = 1_000_000;
/// Most importance samples per image in an IW estimate: 10⁵.
pub const MAX_IW_SAMPLES: usize = 100_000;
/// Largest k in a threshold τ = mean + k·std: 10⁶ (any larger k flags nothing, and k·std can
/// overflow to an infinite threshold).
pub const MAX_SIGMAS: f64 = 1e6;
/// Most generated points, samples or images a job draws: 10⁷.
pub const MAX_POINTS: usize = 10_000_000;

/// Checks every `(field, value, max)` that is set (`None` = not set) against its cap; the error
/// names the field and the cap.
pub fn check_max(caps: &[(&str, Option<usize>, usize)]) -> Result<(), JobError> {
    for &(field, value, max) in caps {
        if let Some(v) = value.filter(|&v| v > max) {
            return Err(JobError::setting(
                field,
                format!("must be at most {max}, got {v}"),
            ));
        }
    }
    Ok(())
}

/// Number of parameters of a dense network with layer widths `widths` (input first): a layer
/// a → b has a·b weights and b biases, so the total is Σ (a + 1)·b over consecutive pairs.
/// `None` when the count overflows `usize`.
pub fn dense_params(widths: &[usize]) -> Option<usize> {
    widths.windows(2).try_fold(0usize, |total, w| {
        w[0].checked_add(1)?
            .checked_mul(w[1])
            .and_then(|p| total.checked_add(p))
    })
}

/// The widths `first`, `middle`…, `last` of a layer chain.
pub fn chain(first: usize, middle: &[usize], last: usize) -> Vec<usize> {
    let mut w = Vec::with_capacity(middle.len() + 2);
    w.push(first);
    w.extend_from_slice(middle);
    w.push(last);
    w
}

/// Parameters of a RealNVP flow, an upper bound: each of its `layers` couplings has an s and a
/// t network dim → hidden (×depth) → dim.
pub fn flow_params(flow: &crate::models::realnvp::RealNvpConfig) -> Option<usize> {
    let net = dense_params(&chain(
        flow.dim,
        &vec![flow.hidden; flow.depth.max(1)],
        flow.dim,
    ))?;
    net.checked_mul(2)?.checked_mul(flow.layers)
}

/// Checks that a model of `params` parameters (`None` = the count overflowed) is within
/// [`MAX_PARAMS`]; the error names `field`, the setting that sizes the model.
pub fn check_params(field: &str, params: Option<usize>) -> Result<(), JobError> {
    match params {
        Some(p) if p <= MAX_PARAMS => Ok(()),
        Some(p) => Err(JobError::setting(
            field,
            format!("the model would have {p} parameters, more than the cap of {MAX_PARAMS}"),
        )),
        None => Err(JobError::setting(
            field,
            format!("the model would have more than {MAX_PARAMS} parameters (count overflows)"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exact: 784-256-32 has 785·256 + 257·32 = 209 184 parameters (the count Burn's
    /// `Linear` layers hold: weight a·b plus bias b).
    #[test]
    fn dense_params_counts_weights_and_biases() {
        assert_eq!(dense_params(&[784, 256, 32]), Some(785 * 256 + 257 * 32));
        assert_eq!(dense_params(&[5]), Some(0));
        assert_eq!(dense_params(&[usize::MAX, 2]), None);
        assert_eq!(dense_params(&[1 << 40, 1 << 40]), None);
    }

    #[test]
    fn caps_name_the_field_and_the_bound() {
        let e = check_max(&[("a", Some(3), 5), ("b", Some(6), 5)]).unwrap_err();
        assert_eq!(e.to_string(), "b: must be at most 5, got 6");
        assert!(check_max(&[("a", None, 0), ("b", Some(5), 5)]).is_ok());
        let e = check_params("latent", Some(MAX_PARAMS + 1)).unwrap_err();
        assert!(e.to_string().starts_with("latent: the model would have"));
        assert!(check_params("latent", None).is_err());
        assert!(check_params("latent", Some(MAX_PARAMS)).is_ok());
    }
}
