//! The GAN objectives computed stably from logits, the two generator losses, and the Euclidean
//! norm of a module's gradient.
//!
//! With a = a(x) the discriminator's logit and D = σ(a), the losses use
//! log D = log σ(a) and log(1 − D) = log σ(−a) (Burn's `log_sigmoid`), never log of a rounded
//! probability, so they stay finite and accurate when D is within f32 rounding of 0 or 1.
//!
//! **Why the minimax generator loss saturates.** Per sample, the two generator losses and their
//! derivatives with respect to the logit are
//!
//! - minimax  ℓ_mm(a) = log(1 − σ(a)),  ∂ℓ_mm/∂a = −σ(a) = −D        → 0 as D → 0,
//! - non-saturating  ℓ_ns(a) = −log σ(a),  ∂ℓ_ns/∂a = −(1 − σ(a)) = −(1 − D)  → −1 as D → 0.
//!
//! By the chain rule ∇_θ ℓ = (∂ℓ/∂a) ∇_θ a, so per sample ∇_θ ℓ_mm = D/(1 − D) · ∇_θ ℓ_ns: the
//! same direction, scaled by the odds D/(1 − D) ≈ D. Early in training the discriminator
//! rejects the generator's samples easily (D(G(z)) ≈ 0), exactly when the generator most needs
//! a signal, and the minimax gradient vanishes while the non-saturating one does not. For a
//! batch, ∇L_mm = Σ_i r_i g_i with g_i the per-sample non-saturating gradients (each divided by
//! the batch size) and r_i = D_i/(1 − D_i): when every sample has the same D the batch norms
//! are in the exact ratio D/(1 − D); otherwise ‖∇L_mm‖ differs from r̄‖∇L_ns‖ (r̄ the mean odds)
//! by at most Σ_i |r_i − r̄| ‖g_i‖ (triangle inequality).

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::prelude::*;
use burn::tensor::activation::log_sigmoid;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which generator loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GeneratorLoss {
    /// L_G = E log(1 − D(G(z))), the generator's side of the original minimax game.
    Minimax,
    /// L_G = −E log D(G(z)), Goodfellow et al.'s non-saturating alternative.
    Nonsat,
}

impl GeneratorLoss {
    /// Both losses, minimax first.
    pub const BOTH: [GeneratorLoss; 2] = [GeneratorLoss::Minimax, GeneratorLoss::Nonsat];

    /// The batch mean of the generator loss from the logits a = a(G(z)) of generated images:
    /// minimax (1/B) Σ log σ(−a_i) = (1/B) Σ log(1 − D_i); non-saturating
    /// −(1/B) Σ log σ(a_i) = −(1/B) Σ log D_i.
    pub fn loss(self, fake_logits: Tensor<1>) -> Tensor<1> {
        match self {
            Self::Minimax => log_sigmoid(fake_logits.neg()).mean(),
            Self::Nonsat => log_sigmoid(fake_logits).mean().neg(),
        }
    }

    /// Its derivative with respect to one logit a, per sample: −σ(a) (minimax) or
    /// −(1 − σ(a)) (non-saturating), in f64 (the closed form the tests check autodiff against).
    pub fn dloss_dlogit(self, a: f64) -> f64 {
        let d = 1.0 / (1.0 + (-a).exp());
        match self {
            Self::Minimax => -d,
            Self::Nonsat => -(1.0 / (1.0 + a.exp())),
        }
    }
}

impl fmt::Display for GeneratorLoss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Self::Minimax => "minimax",
            Self::Nonsat => "nonsat",
        })
    }
}

/// The discriminator loss L_D = −(1/B) Σ log D(x_i) − (1/B) Σ log(1 − D(G(z_i)))
/// = −mean log σ(a_real) − mean log σ(−a_fake), the binary cross-entropy of calling real
/// images real and generated ones fake.
pub fn discriminator_loss(real_logits: Tensor<1>, fake_logits: Tensor<1>) -> Tensor<1> {
    let real = log_sigmoid(real_logits).mean();
    let fake = log_sigmoid(fake_logits.neg()).mean();
    (real + fake).neg()
}

/// The Euclidean norm ‖∇_θ L‖₂ = (Σ_params Σ_entries g²)^{1/2} of the gradient of `module`'s
/// parameters in `grads` (parameters without a gradient count as 0), accumulated in f64.
pub fn grad_norm<M: Module>(module: &M, grads: &GradientsParams) -> f64 {
    struct SumSquares<'a> {
        grads: &'a GradientsParams,
        total: f64,
    }
    impl ModuleVisitor for SumSquares<'_> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if let Some(g) = self.grads.get::<D>(param.id) {
                let v = g.into_data().convert::<f32>();
                let v = v.as_slice::<f32>().expect("f32 gradient");
                self.total += v.iter().map(|&x| (x as f64) * (x as f64)).sum::<f64>();
            }
        }
    }
    let mut visitor = SumSquares { grads, total: 0.0 };
    module.visit(&mut visitor);
    visitor.total.sqrt()
}
