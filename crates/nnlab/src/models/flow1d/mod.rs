//! A 1-D normalizing flow to a Gaussian:
//! f_θ(x) = Σ_{i=1..n} e^{w_i} (Φ_{μ_i, e^{τ_i}}(x) − ½), θ = (w, μ, τ),
//! trained by maximum likelihood with p_Z = N(0, 1):
//! −log p_θ(x) = −log φ(f_θ(x)) − log f_θ'(x), f_θ'(x) = Σ_i e^{w_i} φ_{μ_i, e^{τ_i}}(x).
//!
//! f_θ is strictly increasing but bounded: it maps ℝ onto (−S/2, S/2), S = Σ_i e^{w_i}. So p_θ
//! has total mass 2Φ(S/2) − 1 < 1, and a draw z ~ N(0, 1) with |z| ≥ S/2 has no preimage: the
//! sampler x = f_θ⁻¹(z) cannot produce it. The job [`crate::jobs::flow1d`] reports that mass and counts those draws
//! instead of hiding them (training pushes S up, so both become small, never zero).
//!
//! Files: `mixture` (the data: a seeded Gaussian mixture and its entropy), `model` (the Burn
//! module, the NLL and the Adam loop), `map` (f_θ, log f_θ', p_θ, its mass and the
//! safeguarded inverse in f64); the experiment (metrics, JSON and the four-panel figure) is
//! the job [`crate::jobs::flow1d`].

pub mod map;
pub mod mixture;
pub mod model;

#[cfg(test)]
mod tests_map;
#[cfg(test)]
mod tests_model;

pub use map::FlowMap;
pub use mixture::Mixture;
pub use model::{Flow1d, train};

/// What can go wrong building the data mixture. Messages name the setting.
#[derive(Debug, thiserror::Error)]
pub enum Flow1dError {
    /// A bad mixture specification.
    #[error("invalid mixture: {0}")]
    Mixture(String),
}
