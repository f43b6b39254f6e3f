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

/// The constants of one step: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g²,
/// θ ← θ − η · m·c / (√v + ε′) (see [`FusedAdam`]).
#[derive(Clone, Copy)]
struct Update {
    b1: f32,
    b2: f32,
    c: f32,
    step: f32,
    eps: f32,
}

impl Update {
    #[inline(always)]
    fn apply(self, theta: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
        let Self {
            b1,
            b2,
            c,
            step,
            eps,
        } = self;
        for (((w, &gi), mi), vi) in theta.iter_mut().zip(g).zip(m).zip(v) {
            *mi = *mi * b1 + gi * (1.0 - b1);
            *vi = *vi * b2 + gi * gi * (1.0 - b2);
            *w -= step * (*mi * c / (vi.sqrt() + eps));
        }
    }

    /// [`Update::apply`] compiled for AVX: 8 lanes instead of SSE's 4 for the square root and
    /// the division that bound the loop. No FMA, so every result is bit-identical.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx")]
    fn apply_avx(self, theta: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
        self.apply(theta, g, m, v)
    }

    fn run(self, theta: &mut [f32], g: &[f32], m: &mut [f32], v: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx") {
            // SAFETY: the CPU has AVX (checked just above).
            return unsafe { self.apply_avx(theta, g, m, v) };
        }
        self.apply(theta, g, m, v)
    }
}

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
        let update = Update {
            b1,
            b2,
            c: bc2_sqrt / (1.0 - b1.powi(time as i32)),
            step: lr as f32,
            eps: self.epsilon * bc2_sqrt,
        };
        // Elementwise, so splitting the parameter among threads changes no result.
        theta
            .par_chunks_mut(CHUNK)
            .zip(g.par_chunks(CHUNK))
            .zip(m.par_chunks_mut(CHUNK))
            .zip(v.par_chunks_mut(CHUNK))
            .for_each(|(((theta, g), m), v)| update.run(theta, g, m, v));
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

    /// The AVX loop computes every element exactly as the portable one (same operations, no
    /// FMA contraction): bit-identical parameters and moments. On a CPU without AVX both paths
    /// are the portable loop.
    #[test]
    fn avx_update_is_bit_identical() {
        let vals = |k: usize| -> Vec<f32> {
            (0..1003)
                .map(|i| ((i * k) % 97) as f32 / 97.0 - 0.5)
                .collect()
        };
        let u = Update {
            b1: 0.9,
            b2: 0.999,
            c: 1.3,
            step: 1e-3,
            eps: 1e-8,
        };
        let g = vals(7);
        let v0: Vec<f32> = vals(13).iter().map(|x| x.abs()).collect();
        let (mut t1, mut m1, mut v1) = (vals(3), vals(11), v0.clone());
        let (mut t2, mut m2, mut v2) = (t1.clone(), m1.clone(), v0);
        u.apply(&mut t1, &g, &mut m1, &mut v1);
        u.run(&mut t2, &g, &mut m2, &mut v2);
        let bits = |x: &[f32]| x.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&t1), bits(&t2));
        assert_eq!(bits(&m1), bits(&m2));
        assert_eq!(bits(&v1), bits(&v2));
        assert_ne!(t1, vals(3), "the parameters moved");
    }
}
