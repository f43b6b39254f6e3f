//! t-SNE: embeds high-dimensional points in the plane so that neighbours stay neighbours.
//!
//! Input affinities P come from Gaussian neighbourhoods calibrated to a perplexity
//! ([`perplexity`]), symmetrized over all pairs or over the 3·perplexity nearest neighbours
//! ([`affinity`]). The embedding minimizes KL(P‖Q) for Student-t affinities Q, exactly over all
//! pairs ([`exact`], O(n²) per step) or with Barnes–Hut repulsion ([`barnes_hut`],
//! O(n log n)), by gradient descent with early exaggeration, momentum and gains ([`optimize`]).
//! [`neighbours`] measures the result: k-NN label agreement and how well a marked subset keeps
//! to itself.

pub mod affinity;
pub mod barnes_hut;
pub mod exact;
pub mod neighbours;
pub mod optimize;
pub mod perplexity;
#[cfg(test)]
mod tests;

pub use exact::{GradientCheck, check_gradient};
pub use neighbours::{knn_agreement, majority_chance, majority_share, nearest};
pub use perplexity::Calibration;

use burn::prelude::Device;
use std::time::Instant;

/// How the gradient is computed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// All pairs: dense P, exact Q (O(n²) time and memory per step).
    Exact,
    /// Sparse P over the nearest neighbours, quadtree repulsion (O(n log n) per step).
    #[default]
    BarnesHut,
}

/// The initial embedding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum Init {
    /// The first two principal components, scaled to standard deviation 1e-4.
    #[default]
    Pca,
    /// Gaussian noise of standard deviation 1e-4.
    Random,
}

/// The settings of a t-SNE run. `Default` is the original method's schedule (250 iterations
/// of early exaggeration 12 at momentum 0.5, then momentum 0.8) with openTSNE's learning rate.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Params {
    /// Target perplexity exp(H(P_i)) of every neighbourhood.
    pub perplexity: f64,
    /// Gradient steps in all, early exaggeration included.
    pub iterations: usize,
    /// Early exaggeration α: P is multiplied by α in the first steps.
    pub exaggeration: f64,
    /// Steps with exaggeration.
    pub exaggeration_iterations: usize,
    /// Learning rate η; `None` = n / (4α) per phase (openTSNE's choice).
    pub learning_rate: Option<f64>,
    /// Momentum during early exaggeration.
    pub momentum_early: f64,
    /// Momentum afterwards.
    pub momentum: f64,
    /// Floor of the per-coordinate gains.
    pub min_gain: f64,
    /// Longest update of one point per step.
    pub max_step: f64,
    /// Exact or Barnes–Hut gradient.
    pub method: Method,
    /// Barnes–Hut opening angle θ (0 = exact repulsion).
    pub theta: f64,
    /// Initial embedding.
    pub init: Init,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            perplexity: 30.0,
            iterations: 750,
            exaggeration: 12.0,
            exaggeration_iterations: 250,
            learning_rate: None,
            momentum_early: 0.5,
            momentum: 0.8,
            min_gain: 0.01,
            max_step: 5.0,
            method: Method::BarnesHut,
            theta: 0.5,
            init: Init::Pca,
        }
    }
}

/// A setting that cannot be used: the [`Params`] field and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ParamError {
    pub field: &'static str,
    pub message: String,
}

fn bad(field: &'static str, message: impl Into<String>) -> ParamError {
    ParamError {
        field,
        message: message.into(),
    }
}

impl Params {
    /// Neighbours per point of the sparse P: ⌊3 · perplexity⌋, at most n − 1.
    pub fn neighbours(&self, n: usize) -> usize {
        ((3.0 * self.perplexity) as usize).min(n.saturating_sub(1))
    }

    /// Checks every setting for `n` points: [`Params::validate_settings`], then the perplexity
    /// against the neighbours available and the size limit of the exact method.
    pub fn validate(&self, n: usize) -> Result<(), ParamError> {
        self.validate_settings()?;
        if n < 3 {
            return Err(bad(
                "data",
                format!("t-SNE needs at least 3 points, got {n}"),
            ));
        }
        let k = match self.method {
            Method::Exact => n - 1,
            Method::BarnesHut => self.neighbours(n),
        };
        if self.perplexity >= k as f64 {
            return Err(bad(
                "perplexity",
                format!(
                    "must be below the {k} neighbours of each point (n = {n}), got {}",
                    self.perplexity
                ),
            ));
        }
        if self.method == Method::Exact && n > 5000 {
            return Err(bad(
                "method",
                format!("exact t-SNE needs n² memory; use Barnes–Hut for n = {n} > 5000"),
            ));
        }
        Ok(())
    }

    /// Checks the settings that do not depend on the number of points.
    pub fn validate_settings(&self) -> Result<(), ParamError> {
        let finite = |f: &'static str, v: f64| {
            if v.is_finite() {
                Ok(())
            } else {
                Err(bad(f, "must be a finite number"))
            }
        };
        finite("perplexity", self.perplexity)?;
        if self.perplexity < 1.0 {
            return Err(bad(
                "perplexity",
                format!("must be at least 1, got {}", self.perplexity),
            ));
        }
        if self.iterations == 0 || self.iterations > 1_000_000 {
            return Err(bad("iterations", "must be between 1 and 1000000"));
        }
        if self.exaggeration_iterations > self.iterations {
            return Err(bad("exaggeration_iterations", "must not exceed iterations"));
        }
        finite("exaggeration", self.exaggeration)?;
        if self.exaggeration < 1.0 {
            return Err(bad("exaggeration", "must be at least 1"));
        }
        if let Some(lr) = self.learning_rate
            && !(lr.is_finite() && lr > 0.0)
        {
            return Err(bad("learning_rate", "must be a positive finite number"));
        }
        for (f, m) in [
            ("momentum_early", self.momentum_early),
            ("momentum", self.momentum),
        ] {
            if !(0.0..1.0).contains(&m) {
                return Err(bad(f, "must lie in [0, 1)"));
            }
        }
        if !(self.min_gain.is_finite() && self.min_gain > 0.0 && self.min_gain <= 1.0) {
            return Err(bad("min_gain", "must lie in (0, 1]"));
        }
        if !(self.max_step.is_finite() && self.max_step > 0.0) {
            return Err(bad("max_step", "must be a positive finite number"));
        }
        if !(self.theta.is_finite() && (0.0..=1.0).contains(&self.theta)) {
            return Err(bad("theta", "must lie in [0, 1]"));
        }
        Ok(())
    }
}

/// Seconds spent in each phase.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct Timings {
    /// Nearest-neighbour search (Barnes–Hut) or all pairwise distances (exact).
    pub neighbours: f64,
    /// Perplexity calibration and symmetrization.
    pub affinities: f64,
    /// Initial embedding.
    pub init: f64,
    /// Gradient descent.
    pub optimize: f64,
}

/// The result of [`embed`].
#[derive(Clone, Debug)]
pub struct Embedding {
    /// The 2-D coordinates, one per input point.
    pub y: Vec<[f64; 2]>,
    /// KL(P‖Q) of the final embedding (P not exaggerated; for Barnes–Hut with the tree's Z).
    pub kl: f64,
    /// KL(P‖Q) every 50 steps (exaggerated steps report the cost for the true P).
    pub kl_trace: Vec<(usize, f64)>,
    /// Each point's calibration (σ_i and the entropy reached).
    pub calibrations: Vec<Calibration>,
    pub timings: Timings,
}

/// Embeds `n` points of dimension `dim` (`x` row-major) with t-SNE. `seed` fixes the initial
/// embedding (the PCA start's subspace iteration, or the random start). `progress(done, total)`
/// is called after every gradient step. Distances and the PCA start use Burn on `device`.
pub fn embed(
    x: &[f32],
    n: usize,
    dim: usize,
    params: &Params,
    seed: u64,
    device: &Device,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Embedding, ParamError> {
    params.validate(n)?;
    if x.len() != n * dim || dim == 0 {
        return Err(bad(
            "data",
            format!("expected {n} × {dim} values, got {}", x.len()),
        ));
    }
    if x.iter().any(|v| !v.is_finite()) {
        return Err(bad("data", "the points hold a non-finite coordinate"));
    }
    let mut timings = Timings::default();
    let clock = Instant::now();
    enum P {
        Dense(Vec<f64>),
        Sparse(affinity::SparseP),
    }
    let (p, calibrations) = match params.method {
        Method::Exact => {
            let (p, c) = affinity::dense_p(x, n, dim, params.perplexity);
            timings.affinities = clock.elapsed().as_secs_f64();
            (P::Dense(p), c)
        }
        Method::BarnesHut => {
            let nb = affinity::knn(x, n, dim, params.neighbours(n), device);
            timings.neighbours = clock.elapsed().as_secs_f64();
            let t = Instant::now();
            let (p, c) = affinity::sparse_p(&nb, params.perplexity);
            timings.affinities = t.elapsed().as_secs_f64();
            (P::Sparse(p), c)
        }
    };
    let t = Instant::now();
    let mut y = optimize::initial(x, n, dim, params.init, seed, device);
    timings.init = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut opt = optimize::Optimizer::new(n);
    let mut grad = vec![[0.0; 2]; n];
    let mut kl_trace = Vec::new();
    let evaluate = |y: &[[f64; 2]], alpha: f64, with_kl: bool, grad: &mut [[f64; 2]]| match &p {
        P::Dense(p) => {
            let kl = exact::kl_gradient(p, y, alpha, grad);
            with_kl.then_some(kl)
        }
        P::Sparse(p) => barnes_hut::gradient(p, y, alpha, params.theta, with_kl, grad),
    };
    for it in 0..params.iterations {
        let early = it < params.exaggeration_iterations;
        let (alpha, momentum) = if early {
            (params.exaggeration, params.momentum_early)
        } else {
            (1.0, params.momentum)
        };
        let with_kl = (it + 1) % 50 == 0;
        if let Some(kl) = evaluate(&y, alpha, with_kl, &mut grad) {
            kl_trace.push((it + 1, kl));
        }
        let eta = optimize::learning_rate(params, n, alpha);
        opt.step(
            &mut y,
            &grad,
            momentum,
            eta,
            params.min_gain,
            params.max_step,
        );
        progress(it + 1, params.iterations);
    }
    let kl = evaluate(&y, 1.0, true, &mut grad).unwrap_or(f64::NAN);
    timings.optimize = t.elapsed().as_secs_f64();
    Ok(Embedding {
        y,
        kl,
        kl_trace,
        calibrations,
        timings,
    })
}

/// `f(0), …, f(n − 1)` computed on all cores (scoped threads over contiguous chunks), in order.
pub(crate) fn par_map<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |t| t.get())
        .min(n.max(1));
    if threads <= 1 {
        return (0..n).map(f).collect();
    }
    let chunk = n.div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    (t * chunk..((t + 1) * chunk).min(n))
                        .map(f)
                        .collect::<Vec<T>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a t-SNE worker thread panicked"))
            .collect()
    })
}
