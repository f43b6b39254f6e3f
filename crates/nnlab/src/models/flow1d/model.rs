//! The 1-D flow as a Burn module with parameters w, μ, τ of shape [n], its negative
//! log-likelihood under p_Z = N(0, 1), and maximum-likelihood training with Adam.

use super::map::{FlowMap, HALF_LN_2PI};
use crate::train::{EpochStats, TrainConfig, TrainError, TrainObserver, fit_batches, seeded};
use burn::module::Param;
use burn::prelude::*;
use rand::rngs::StdRng;

/// f_θ(x) = Σ_i e^{w_i} (Φ((x − μ_i)/e^{τ_i}) − ½) with trainable w, μ, τ ∈ ℝⁿ.
#[derive(Module, Debug)]
pub struct Flow1d {
    pub w: Param<Tensor<1>>,
    pub mu: Param<Tensor<1>>,
    pub tau: Param<Tensor<1>>,
}

impl Flow1d {
    /// A flow with the given parameters (f32 tensors on `device`).
    pub fn from_map(map: &FlowMap, device: &Device) -> Self {
        let p = |v: &[f64]| {
            let v: Vec<f32> = v.iter().map(|&x| x as f32).collect();
            Param::from_tensor(Tensor::from_data(
                TensorData::new(v.clone(), [v.len()]),
                device,
            ))
        };
        Self {
            w: p(&map.w),
            mu: p(&map.mu),
            tau: p(&map.tau),
        }
    }

    /// The data-dependent start: w = 0 (S = n), μ_i at the (i − ½)/n quantiles of `x`, and
    /// τ = log of the sample standard deviation (each component as wide as the data).
    pub fn init_map(x: &[f64], n: usize) -> FlowMap {
        let mut sorted = x.to_vec();
        sorted.sort_by(f64::total_cmp);
        let len = sorted.len().max(1);
        let mean = x.iter().sum::<f64>() / len as f64;
        let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / len as f64;
        let mu = (0..n)
            .map(|i| {
                let q = (i as f64 + 0.5) / n as f64;
                sorted
                    .get(((q * len as f64) as usize).min(len - 1))
                    .copied()
                    .unwrap_or(0.0)
            })
            .collect();
        FlowMap {
            w: vec![0.0; n],
            mu,
            tau: vec![0.5 * var.max(1e-12).ln(); n],
        }
    }

    /// The parameters as f64 vectors.
    pub fn to_map(&self) -> FlowMap {
        let v = |p: &Param<Tensor<1>>| -> Vec<f64> {
            p.val()
                .into_data()
                .convert::<f64>()
                .try_into_vec::<f64>()
                .expect("float parameters")
        };
        FlowMap {
            w: v(&self.w),
            mu: v(&self.mu),
            tau: v(&self.tau),
        }
    }

    /// (f_θ(x), log f_θ'(x)) for a batch x of shape [B], each of shape [B]:
    /// with u = (x − μ)/σ, σ = e^τ, f = Σ_i e^{w_i} · ½ erf(u_i/√2) and
    /// log f' = logsumexp_i (w_i − τ_i − ½ log 2π − u_i²/2).
    pub fn forward(&self, x: Tensor<1>) -> (Tensor<1>, Tensor<1>) {
        let x = x.unsqueeze_dim::<2>(1); // [B, 1]
        let w = self.w.val().unsqueeze_dim::<2>(0); // [1, n]
        let mu = self.mu.val().unsqueeze_dim::<2>(0);
        let tau = self.tau.val().unsqueeze_dim::<2>(0);
        let u = (x - mu) / tau.clone().exp();
        let f = (w.clone().exp() * u.clone().div_scalar(std::f64::consts::SQRT_2).erf())
            .mul_scalar(0.5)
            .sum_dim(1);
        let log_terms = w - tau - u.square().mul_scalar(0.5) - HALF_LN_2PI;
        let top = log_terms.clone().max_dim(1).detach();
        let log_fp = (log_terms - top.clone()).exp().sum_dim(1).log() + top;
        (f.squeeze_dim(1), log_fp.squeeze_dim(1))
    }

    /// −log p_θ(x) = ½ f_θ(x)² + ½ log 2π − log f_θ'(x) for every x of the batch.
    pub fn nll(&self, x: Tensor<1>) -> Tensor<1> {
        let (f, log_fp) = self.forward(x);
        f.square().mul_scalar(0.5).add_scalar(HALF_LN_2PI) - log_fp
    }
}

/// Trains a flow with `components` components on `x` by minimizing the batch sum of −log p_θ
/// with Adam through [`fit_batches`], starting from [`Flow1d::init_map`]; batches are reshuffled every
/// epoch with a generator seeded by `cfg.seed`. Returns the learned parameters and per-epoch
/// statistics (`loss_per_image` is the mean NLL per sample); a non-finite loss stops with
/// [`TrainError::Diverged`].
pub fn train(
    x: &[f64],
    components: usize,
    cfg: &TrainConfig,
    device: &Device,
    observer: &mut dyn TrainObserver,
) -> Result<(FlowMap, Vec<EpochStats>), TrainError> {
    cfg.validate()?;
    if x.is_empty() || components == 0 {
        return Err(TrainError::Config(format!(
            "need training data and at least one component (got {} samples, {components} components)",
            x.len()
        )));
    }
    let start_map = Flow1d::init_map(x, components);
    let device = device.clone().autodiff();
    let model = seeded(&device, cfg.seed, || Flow1d::from_map(&start_map, &device));
    let batch = |idx: &[usize], device: &Device| {
        let b: Vec<f32> = idx.iter().map(|&i| x[i] as f32).collect();
        Tensor::<1>::from_data(TensorData::new(b, [idx.len()]), device)
    };
    let nll = |m: &Flow1d, xb: Tensor<1>, _: &mut StdRng| m.nll(xb).sum();
    let (model, history) = fit_batches(model, x.len(), cfg, batch, nll, observer)?;
    Ok((model.to_map(), history))
}
