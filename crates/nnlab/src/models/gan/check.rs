//! Proof-sheet check of the GAN gradient ratio (see [`crate::verify`]): per sample,
//! ∇_θ L_minimax = D/(1 − D) · ∇_θ L_nonsat, measured by autodiff on a small generator.

use super::loss::GeneratorLoss;
use super::model::{Discriminator, GanShape, Generator};
use crate::train::{normal_noise, seeded};
use crate::verify::{Check, Measurement, worst};
use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// A ratio under test: D ↦ the factor r with ∇L_mm = r ∇L_ns.
pub type Ratio = fn(f64) -> f64;

fn flat_grad<M: Module>(m: &M, grads: &GradientsParams) -> Vec<f64> {
    struct Collect<'a>(&'a GradientsParams, Vec<f64>);
    impl ModuleVisitor for Collect<'_> {
        fn visit_float<const D: usize>(&mut self, p: &Param<Tensor<D>>) {
            if let Some(g) = self.0.get::<D>(p.id) {
                let v = g.into_data().convert::<f32>();
                self.1.extend(v.iter::<f32>().map(f64::from));
            }
        }
    }
    let mut c = Collect(grads, Vec::new());
    m.visit(&mut c);
    c.1
}

/// For 6 single codes z of a seeded generator (latent 4, hidden 8, 6 pixels) and discriminator,
/// the largest ‖∇_θ L_mm − r(D) ∇_θ L_ns‖ / ‖∇_θ L_mm‖ with D = D(G(z)), gradients by autodiff.
pub fn gradient_ratio(ratio: Ratio, seed: u64) -> Measurement {
    let device = Device::flex().autodiff();
    let shape = GanShape {
        latent: 4,
        hidden: vec![8],
        data_dim: 6,
    };
    let g: Generator = seeded(&device, seed, || shape.generator(&device));
    let d: Discriminator = seeded(&device, seed ^ 0x5eed, || shape.discriminator(&device));
    let mut rng = StdRng::seed_from_u64(seed);
    let mut errs = Vec::new();
    let mut ds = Vec::new();
    for _ in 0..6 {
        let z = normal_noise(&mut rng, [1, 4], &device);
        let grad = |loss: GeneratorLoss| {
            let a = d.logits(g.forward(z.clone()));
            let logit = a.clone().inner().into_scalar::<f32>() as f64;
            let grads = GradientsParams::from_grads(loss.loss(a).backward(), &g);
            (flat_grad(&g, &grads), logit)
        };
        let (mm, a) = grad(GeneratorLoss::Minimax);
        let (ns, _) = grad(GeneratorLoss::Nonsat);
        let dz = 1.0 / (1.0 + (-a).exp());
        ds.push(dz);
        let r = ratio(dz);
        let diff = mm
            .iter()
            .zip(&ns)
            .map(|(m, n)| (m - r * n).powi(2))
            .sum::<f64>()
            .sqrt();
        let norm = mm.iter().map(|m| m * m).sum::<f64>().sqrt();
        errs.push(diff / norm);
    }
    let lo = ds.iter().copied().fold(1.0, f64::min);
    let hi = ds.iter().copied().fold(0.0, f64::max);
    Measurement::new(
        worst(errs),
        format!("6 codes, D(G(z)) in [{lo:.3}, {hi:.3}]"),
    )
}

/// The GAN generator-gradient ratio D/(1 − D).
pub const GRADIENT_RATIO: Check = Check {
    id: "gan.gradient-ratio",
    identity: "grad_theta log(1 - D(G(z))) = D/(1-D) * grad_theta (-log D(G(z))) (minimax vs non-saturating)",
    method: "autodiff (Burn) of both generator losses per code z, relative vector error",
    tolerance: 1e-4,
    why: "f32 backward passes through 3 layers: relative rounding ~1e-6 per entry",
    measure: |seed| gradient_ratio(|d| d / (1.0 - d), seed),
    broken: |seed| gradient_ratio(|d| d, seed),
    fault: "the ratio D (the 1 - D dropped)",
};
