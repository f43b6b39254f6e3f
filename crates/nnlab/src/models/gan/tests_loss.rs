//! Checks of the GAN losses against their closed forms: the logit derivatives −σ(a) and
//! −(1 − σ(a)) by autodiff, the measured gradient norm against a hand-derived gradient, and the
//! minimax / non-saturating gradient relation ∇L_mm = Σ_i r_i g_i, r_i = D_i/(1 − D_i).

use super::loss::{GeneratorLoss, discriminator_loss, grad_norm};
use super::model::{Discriminator, GanShape, Generator};
use crate::train::{normal_noise, seeded};
use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;

fn to_f64<const D: usize>(t: Tensor<D>) -> Vec<f64> {
    let v = t
        .into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .unwrap();
    v.into_iter().map(f64::from).collect()
}

fn sigma(a: f64) -> f64 {
    1.0 / (1.0 + (-a).exp())
}

/// The 64 logits −30, …, 30 (evenly spaced): D from 9e-14 to 1 − 9e-14.
fn logits() -> Vec<f32> {
    (0..64).map(|i| -30.0 + 60.0 * i as f32 / 63.0).collect()
}

/// d(batch-mean loss)/da_i by autodiff, times the batch size: the per-sample derivative.
fn per_sample_grads(f: impl Fn(Tensor<1>) -> Tensor<1>, a: &[f32]) -> Vec<f64> {
    let device = Device::flex().autodiff();
    let x = Tensor::<1>::from_data(TensorData::new(a.to_vec(), [a.len()]), &device).require_grad();
    let grads = f(x.clone()).backward();
    let g = to_f64(x.grad(&grads).unwrap());
    g.into_iter().map(|v| v * a.len() as f64).collect()
}

/// Relative agreement to `rel`, with an absolute floor of 1e-30 for values that underflow.
fn assert_close(got: f64, want: f64, rel: f64, what: &str) {
    assert!(
        (got - want).abs() <= rel * want.abs() + 1e-30,
        "{what}: got {got:e}, want {want:e}"
    );
}

/// ∂/∂a log(1 − σ(a)) = −σ(a) and ∂/∂a (−log σ(a)) = −(1 − σ(a)) over a ∈ [−30, 30], and
/// the discriminator loss's ∂/∂a_real = −(1 − σ), ∂/∂a_fake = σ. Tolerance 1e-5 relative: the
/// closed form is evaluated in f64 at the same f32 logit, and autodiff's f32 exp, log1p and
/// division each round by at most a few ulps (f32 ulp ≈ 1.2e-7); 1/64 scales exactly.
#[test]
fn logit_derivatives_match_the_closed_forms() {
    let a = logits();
    for loss in GeneratorLoss::BOTH {
        let g = per_sample_grads(|x| loss.loss(x), &a);
        for (&ai, gi) in a.iter().zip(g) {
            let ai = ai as f64;
            let want = match loss {
                GeneratorLoss::Minimax => -sigma(ai),
                // −(1 − σ(a)) = −σ(−a), evaluated without cancellation.
                GeneratorLoss::Nonsat => -sigma(-ai),
            };
            assert_close(want, loss.dloss_dlogit(ai), 1e-12, "dloss_dlogit");
            assert_close(gi, want, 1e-5, &format!("{loss} at a = {ai}"));
        }
    }
    // At D → 0 the minimax derivative vanishes while the non-saturating one tends to −1.
    assert!(GeneratorLoss::Minimax.dloss_dlogit(-30.0).abs() < 1e-12);
    assert!((GeneratorLoss::Nonsat.dloss_dlogit(-30.0) + 1.0).abs() < 1e-12);
    let zeros = Tensor::<1>::zeros([a.len()], &Device::flex());
    let real = per_sample_grads(|x| discriminator_loss(x, zeros.clone().autodiff()), &a);
    let fake = per_sample_grads(|x| discriminator_loss(zeros.clone().autodiff(), x), &a);
    for ((&ai, r), f) in a.iter().zip(real).zip(fake) {
        let ai = ai as f64;
        assert_close(r, -sigma(-ai), 1e-5, &format!("real at {ai}"));
        assert_close(f, sigma(ai), 1e-5, &format!("fake at {ai}"));
    }
}

/// The value of L_D at a = 0 for both real and fake is 2 log 2 (exact in f32 to rounding).
#[test]
fn discriminator_loss_value() {
    let device = Device::flex();
    let z = Tensor::<1>::zeros([8], &device);
    let l = discriminator_loss(z.clone(), z).into_scalar::<f32>() as f64;
    assert!((l - 2.0 * 2f64.ln()).abs() < 1e-6, "{l}");
}

/// All parameter gradients of `m` in visiting order, flattened.
fn flat_grad<M: Module>(m: &M, grads: &GradientsParams) -> Vec<f64> {
    struct Collect<'a>(&'a GradientsParams, Vec<f64>);
    impl ModuleVisitor for Collect<'_> {
        fn visit_float<const D: usize>(&mut self, p: &Param<Tensor<D>>) {
            self.1.extend(to_f64(self.0.get::<D>(p.id).unwrap()));
        }
    }
    let mut c = Collect(grads, Vec::new());
    m.visit(&mut c);
    c.1
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// A tiny G (latent 2 → 3 pixels, no hidden layer) and D (3 → 1) on the autodiff CPU device.
fn tiny() -> (Generator, Discriminator, Device) {
    let device = Device::flex().autodiff();
    let shape = GanShape {
        latent: 2,
        hidden: vec![],
        data_dim: 3,
    };
    let g = seeded(&device, 11, || shape.generator(&device));
    let d = seeded(&device, 12, || shape.discriminator(&device));
    (g, d, device)
}

/// The generator-gradient norm from `GradientsParams` equals the norm of the gradient derived by
/// hand for s_i = σ(z_i W + b), a_i = s_i·w + c: ∂L/∂W_jk = (1/B) Σ_i ℓ'(a_i) z_ij w_k s_ik (1 − s_ik),
/// ∂L/∂b_k likewise without z_ij, computed in f64 from the same f32 weights. Tolerance 1e-5
/// relative: the f32 forward and backward passes round each of a few dozen terms by ~1e-7.
#[test]
fn gradient_norm_matches_a_hand_derived_gradient() {
    let (g, d, device) = tiny();
    let mut rng = StdRng::seed_from_u64(5);
    let z = normal_noise(&mut rng, [6, 2], &device);
    let zs = to_f64(z.clone().inner());
    let w_g = to_f64(g.layers[0].weight.val().inner()); // [2, 3], row-major
    let b_g = to_f64(g.layers[0].bias.as_ref().unwrap().val().inner());
    let w_d = to_f64(d.layers[0].weight.val().inner()); // [3, 1]
    let c = to_f64(d.layers[0].bias.as_ref().unwrap().val().inner())[0];
    for loss in GeneratorLoss::BOTH {
        let l = loss.loss(d.logits(g.forward(z.clone())));
        let grads = GradientsParams::from_grads(l.backward(), &g);
        let measured = grad_norm(&g, &grads);
        let (mut dw, mut db) = (vec![0.0; 6], vec![0.0; 3]);
        for i in 0..6 {
            let s: Vec<f64> = (0..3)
                .map(|k| sigma(zs[2 * i] * w_g[k] + zs[2 * i + 1] * w_g[3 + k] + b_g[k]))
                .collect();
            let a = c + (0..3).map(|k| s[k] * w_d[k]).sum::<f64>();
            let dl = loss.dloss_dlogit(a) / 6.0;
            for k in 0..3 {
                let back = dl * w_d[k] * s[k] * (1.0 - s[k]);
                db[k] += back;
                for j in 0..2 {
                    dw[3 * j + k] += back * zs[2 * i + j];
                }
            }
        }
        let hand = (norm(&dw).powi(2) + norm(&db).powi(2)).sqrt();
        assert_close(measured, hand, 1e-5, &format!("{loss} norm"));
        // The same gradient read entry by entry agrees too (weights first, then bias).
        let flat = flat_grad(&g, &grads);
        for (got, want) in flat.iter().zip(dw.iter().chain(&db)) {
            assert!((got - want).abs() <= 1e-5 * hand, "{got} vs {want}");
        }
        // The discriminator's parameters have no entry in G's gradients: their norm is 0.
        assert_eq!(grad_norm(&d, &grads), 0.0);
    }
}

/// G with one hidden layer, and D with its weights scaled by 0.1 and its last bias set to
/// log(1e-3 / (1 − 1e-3)), so every D(G(z)) is close to 1e-3.
fn controlled() -> (Generator, Discriminator, Tensor<2>) {
    let device = Device::flex().autodiff();
    let shape = GanShape {
        latent: 4,
        hidden: vec![8],
        data_dim: 6,
    };
    let g = seeded(&device, 21, || shape.generator(&device));
    let mut d = seeded(&device, 22, || shape.discriminator(&device));
    for layer in &mut d.layers {
        layer.weight = Param::from_tensor((layer.weight.val() * 0.1).detach());
    }
    let last = d.layers.last_mut().unwrap();
    let logit = (1e-3f64 / (1.0 - 1e-3)).ln() as f32;
    last.bias = Some(Param::from_tensor(Tensor::from_data(
        TensorData::new(vec![logit], [1]),
        &device,
    )));
    let z = normal_noise(&mut StdRng::seed_from_u64(9), [16, 4], &device);
    (g, d, z)
}

/// Gradient of `loss` on the codes `z` (flattened) and the logits.
fn gen_grad(
    g: &Generator,
    d: &Discriminator,
    z: Tensor<2>,
    loss: GeneratorLoss,
) -> (Vec<f64>, Vec<f64>) {
    let a = d.logits(g.forward(z));
    let logits = to_f64(a.clone().inner());
    let grads = GradientsParams::from_grads(loss.loss(a).backward(), g);
    (flat_grad(g, &grads), logits)
}

/// Per sample (batch of one), ‖∇ℓ_mm‖ / ‖∇ℓ_ns‖ = D/(1 − D) = e^a exactly (the two gradients are
/// the same vector ∇a scaled by −σ(a) and −σ(−a)); for the batch of 16 with D ≈ 1e-3,
/// ∇L_mm = Σ_i r_i g_i entry by entry (g_i: per-sample non-saturating gradients / 16), and
/// |‖∇L_mm‖ − r̄‖∇L_ns‖| ≤ Σ_i |r_i − r̄| ‖g_i‖. Tolerances 1e-4 relative: f32 rounding of the
/// backward pass (~1e-6), amplified at most tenfold by cancellation in sums over 16 samples.
#[test]
fn minimax_gradient_is_the_odds_times_the_nonsaturating_one() {
    let (g, d, z) = controlled();
    let (mut sum_rg, mut per_sample, mut odds) = (vec![], vec![], vec![]);
    for i in 0..16 {
        let zi = z.clone().slice([i..i + 1, 0..4]);
        let (mm, a) = gen_grad(&g, &d, zi.clone(), GeneratorLoss::Minimax);
        let (ns, _) = gen_grad(&g, &d, zi, GeneratorLoss::Nonsat);
        let r = a[0].exp();
        assert!((5e-4..2e-3).contains(&sigma(a[0])), "D = {}", sigma(a[0]));
        assert_close(norm(&mm) / norm(&ns), r, 1e-4, &format!("sample {i}"));
        if sum_rg.is_empty() {
            sum_rg = vec![0.0; ns.len()];
        }
        for (s, v) in sum_rg.iter_mut().zip(&ns) {
            *s += r * v / 16.0;
        }
        per_sample.push(norm(&ns) / 16.0);
        odds.push(r);
    }
    let (mm, _) = gen_grad(&g, &d, z.clone(), GeneratorLoss::Minimax);
    let (ns, _) = gen_grad(&g, &d, z, GeneratorLoss::Nonsat);
    let scale = norm(&mm);
    for (got, want) in mm.iter().zip(&sum_rg) {
        assert!((got - want).abs() <= 1e-4 * scale, "{got} vs {want}");
    }
    let r_bar = odds.iter().sum::<f64>() / 16.0;
    let bound: f64 = odds
        .iter()
        .zip(&per_sample)
        .map(|(r, gi)| (r - r_bar).abs() * gi)
        .sum();
    let gap = (norm(&mm) - r_bar * norm(&ns)).abs();
    assert!(
        gap <= bound + 1e-4 * norm(&mm),
        "gap {gap:e} > bound {bound:e}"
    );
    // With every D near 1e-3 the batch ratio is near 1e-3 as well.
    let ratio = norm(&mm) / norm(&ns);
    assert!((5e-4..2e-3).contains(&ratio), "ratio {ratio:e}");
}
