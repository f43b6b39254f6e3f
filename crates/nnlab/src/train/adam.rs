//! Adam with the whole update of a parameter fused into one pass over its elements, for the CPU:
//! the same mathematics and state as Burn's `Adam`, without the eleven separate tensor
//! operations (and buffers) per parameter that dominate small-batch training.

use burn::optim::{AdamState, AdaptiveMomentumState, LearningRate, ModuleOptimizer, Optimizer};
use burn::prelude::*;
use rayon::prelude::*;

/// Adam (Kingma & Ba) with PyTorch's defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8. At step t:
///
/// m_t = β₁ m_{t−1} + (1 − β₁) g,  v_t = β₂ v_{t−1} + (1 − β₂) g²,
/// θ_t = θ_{t−1} − η · (m_t / (1 − β₁ᵗ)) / (√(v_t / (1 − β₂ᵗ)) + ε),
///
/// evaluated, like Burn's `Adam`, as θ − η · m_t·c / (√v_t + ε·√(1 − β₂ᵗ)) with
/// c = √(1 − β₂ᵗ)/(1 − β₁ᵗ).
#[derive(Clone, Debug)]
pub struct FusedAdam {
    pub beta_1: f32,
    pub beta_2: f32,
    pub epsilon: f32,
}

impl Default for FusedAdam {
    fn default() -> Self {
        Self {
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-8,
        }
    }
}

impl FusedAdam {
    /// The optimizer for a whole module.
    pub fn init(self) -> ModuleOptimizer {
        ModuleOptimizer::from(self)
    }
}

/// Elements of a parameter updated by one thread at a time (large parameters are split
/// among the threads of rayon's pool).
const CHUNK: usize = 1 << 15;

fn to_vec<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    let data = t.into_data().convert::<f32>();
    data.try_into_vec::<f32>().expect("converted to f32")
}

impl Optimizer for FusedAdam {
    type State<const D: usize> = AdamState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let (device, shape) = (tensor.device(), tensor.shape());
        let mut theta = to_vec(tensor);
        let g = to_vec(grad);
        let (mut m, mut v, time) = match state {
            Some(s) => (
                to_vec(s.momentum.moment_1),
                to_vec(s.momentum.moment_2),
                s.momentum.time + 1,
            ),
            None => (vec![0.0; g.len()], vec![0.0; g.len()], 1),
        };
        let (b1, b2) = (self.beta_1, self.beta_2);
        let bc2_sqrt = (1.0 - b2.powi(time as i32)).sqrt();
        let c = bc2_sqrt / (1.0 - b1.powi(time as i32));
        let (step, eps) = (lr as f32, self.epsilon * bc2_sqrt);
        let update = |(((theta, g), m), v): (((&mut [f32], &[f32]), &mut [f32]), &mut [f32])| {
            for (((w, &gi), mi), vi) in theta.iter_mut().zip(g).zip(m).zip(v) {
                *mi = *mi * b1 + gi * (1.0 - b1);
                *vi = *vi * b2 + gi * gi * (1.0 - b2);
                *w -= step * (*mi * c / (vi.sqrt() + eps));
            }
        };
        // Elementwise, so splitting the parameter among threads changes no result.
        theta
            .par_chunks_mut(CHUNK)
            .zip(g.par_chunks(CHUNK))
            .zip(m.par_chunks_mut(CHUNK))
            .zip(v.par_chunks_mut(CHUNK))
            .for_each(update);
        let back = |x: Vec<f32>| Tensor::from_data(TensorData::new(x, shape.clone()), &device);
        let momentum = AdaptiveMomentumState::new(time, back(m), back(v));
        (back(theta), Some(AdamState::new(momentum)))
    }

    fn to_device<const D: usize>(mut state: Self::State<D>, device: &Device) -> Self::State<D> {
        state.momentum = state.momentum.to_device(device);
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::nn::{Linear, LinearConfig};
    use burn::optim::{AdamConfig, GradientsParams};

    /// A few steps of the fused optimizer and of Burn's Adam from the same start on the same
    /// losses agree to 1e-5 relative: both evaluate the same formula in f32, in a different
    /// order of operations, so only rounding (≈1e-7 per step) separates them.
    #[test]
    fn matches_burns_adam() {
        let device = Device::flex().autodiff();
        device.seed(3);
        let start: Linear = LinearConfig::new(5, 3).init(&device);
        let x = Tensor::<2>::random([4, 5], burn::tensor::Distribution::Default, &device);
        let run = |mut optim: ModuleOptimizer| {
            let mut model = start.clone();
            for _ in 0..5 {
                let loss = model.forward(x.clone()).square().sum();
                let grads = GradientsParams::from_grads(loss.backward(), &model);
                model = optim.step(1e-2, model, grads);
            }
            to_vec(model.weight.val().inner())
        };
        let fused = run(FusedAdam::default().init());
        let burn = run(AdamConfig::new().with_epsilon(1e-8).init());
        let w0 = to_vec(start.weight.val().inner());
        for ((a, b), w) in fused.iter().zip(&burn).zip(&w0) {
            assert!((a - b).abs() <= 1e-5 * b.abs().max(1.0), "{a} vs {b}");
            assert!((a - w).abs() > 1e-3, "the weights moved");
        }
    }
}
