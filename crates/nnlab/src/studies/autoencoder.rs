//! The one-hidden-layer autoencoder J(W₁, W₂) = Σ_x ‖W₂σ(W₁x) − x‖² (σ the logistic sigmoid,
//! no biases) with gradients derived by hand, and plain SGD against heavy-ball momentum on it.
//!
//! With h = σ(W₁x) and the residual r = W₂h − x, each example contributes
//! ∂J/∂W₂ = 2 r hᵀ and ∂J/∂W₁ = 2 [σ'(W₁x) ⊙ W₂ᵀr] xᵀ, where σ' = σ(1 − σ).

use super::normals;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// Weights W₁ (hidden × dim) and W₂ (dim × hidden), row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Autoencoder {
    pub dim: usize,
    pub hidden: usize,
    pub w1: Vec<f64>,
    pub w2: Vec<f64>,
}

/// Which gradient formula to use: the right one, or a plausible wrong one that a gradient check
/// must reject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GradientForm {
    /// ∂J/∂W₂ = 2 r σ(W₁x)ᵀ, ∂J/∂W₁ = 2 [σ'(W₁x) ⊙ W₂ᵀr] xᵀ.
    Correct,
    /// Wrong: ∂J/∂W₂ = 2 r 1ᵀ (the σ(W₁x)ᵀ factor dropped).
    DropHidden,
    /// Wrong: ∂J/∂W₁ = 2 [W₂ᵀr] xᵀ (the σ' mask dropped).
    DropMask,
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl Autoencoder {
    /// Weights drawn N(0, 1/fan_in) (W₁: 1/dim, W₂: 1/hidden) from `seed`.
    pub fn new(dim: usize, hidden: usize, seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let s1 = 1.0 / (dim as f64).sqrt();
        let s2 = 1.0 / (hidden as f64).sqrt();
        let w1 = normals(&mut rng, hidden * dim)
            .iter()
            .map(|v| v * s1)
            .collect();
        let w2 = normals(&mut rng, dim * hidden)
            .iter()
            .map(|v| v * s2)
            .collect();
        Self {
            dim,
            hidden,
            w1,
            w2,
        }
    }

    /// The pre-activation z = W₁x, h = σ(z) and the residual r = W₂h − x of one example.
    fn forward(&self, x: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let (d, k) = (self.dim, self.hidden);
        let h: Vec<f64> = (0..k)
            .map(|j| sigmoid((0..d).map(|i| self.w1[j * d + i] * x[i]).sum()))
            .collect();
        let r = (0..d)
            .map(|i| (0..k).map(|j| self.w2[i * k + j] * h[j]).sum::<f64>() - x[i])
            .collect();
        (h, r)
    }

    /// J = Σ_x ‖W₂σ(W₁x) − x‖² over the examples of `data` (n × dim, row-major).
    pub fn loss(&self, data: &[f64]) -> f64 {
        data.chunks(self.dim)
            .map(|x| self.forward(x).1.iter().map(|r| r * r).sum::<f64>())
            .sum()
    }

    /// (∂J/∂W₁, ∂J/∂W₂) summed over `data`, by the formula `form` (see the module doc).
    pub fn gradients(&self, data: &[f64], form: GradientForm) -> (Vec<f64>, Vec<f64>) {
        let (d, k) = (self.dim, self.hidden);
        let mut g1 = vec![0.0; k * d];
        let mut g2 = vec![0.0; d * k];
        for x in data.chunks(d) {
            let (h, r) = self.forward(x);
            for i in 0..d {
                for j in 0..k {
                    let hj = if form == GradientForm::DropHidden {
                        1.0
                    } else {
                        h[j]
                    };
                    g2[i * k + j] += 2.0 * r[i] * hj;
                }
            }
            for j in 0..k {
                let back: f64 = (0..d).map(|i| self.w2[i * k + j] * r[i]).sum();
                let mask = if form == GradientForm::DropMask {
                    1.0
                } else {
                    h[j] * (1.0 - h[j])
                };
                let delta = 2.0 * mask * back;
                for i in 0..d {
                    g1[j * d + i] += delta * x[i];
                }
            }
        }
        (g1, g2)
    }
}

/// The largest relative error max|g − g_fd| / (1 + max|g_fd|) of the gradient by `form` against
/// central differences (J(w + h) − J(w − h))/2h with h = 1e-6 over every weight. The central
/// difference is exact up to O(h²)·J''' ~ 1e-12 and rounding ~ 1e-16·J/h ~ 1e-10, so the right
/// formula scores below 1e-6; the wrong ones are off by O(1).
pub fn finite_difference_error(ae: &Autoencoder, data: &[f64], form: GradientForm) -> f64 {
    let (g1, g2) = ae.gradients(data, form);
    let h = 1e-6;
    let fd = |which: usize, idx: usize| {
        let mut a = ae.clone();
        let mut b = ae.clone();
        let (wa, wb) = if which == 1 {
            (&mut a.w1, &mut b.w1)
        } else {
            (&mut a.w2, &mut b.w2)
        };
        wa[idx] += h;
        wb[idx] -= h;
        (a.loss(data) - b.loss(data)) / (2.0 * h)
    };
    let mut worst: f64 = 0.0;
    let mut scale: f64 = 0.0;
    for (which, g) in [(1, &g1), (2, &g2)] {
        for (idx, gi) in g.iter().enumerate() {
            let f = fd(which, idx);
            worst = worst.max((gi - f).abs());
            scale = scale.max(f.abs());
        }
    }
    worst / (1.0 + scale)
}

/// The largest relative error of the hand gradient (by `form`) against Burn's automatic
/// differentiation of the same J in `f32`: max|g − g_ad| / (1 + max|g_ad|).
pub fn autodiff_error(ae: &Autoencoder, data: &[f64], form: GradientForm) -> f64 {
    use burn::prelude::*;
    let device = Device::flex().autodiff();
    let tensor = |v: &[f64], rows: usize, cols: usize| {
        let v: Vec<f32> = v.iter().map(|&t| t as f32).collect();
        Tensor::<2>::from_data(TensorData::new(v, [rows, cols]), &device)
    };
    let (d, k) = (ae.dim, ae.hidden);
    let n = data.len() / d;
    let w1 = tensor(&ae.w1, k, d).require_grad();
    let w2 = tensor(&ae.w2, d, k).require_grad();
    let x = tensor(data, n, d);
    let h = burn::tensor::activation::sigmoid(x.clone().matmul(w1.clone().transpose()));
    let r = h.matmul(w2.clone().transpose()) - x;
    let j = (r.clone() * r).sum();
    let grads = j.backward();
    let values = |t: Tensor<2>| -> Vec<f64> {
        let data = t.into_data().convert::<f32>();
        data.try_into_vec::<f32>()
            .unwrap_or_default()
            .into_iter()
            .map(f64::from)
            .collect()
    };
    let (g1, g2) = ae.gradients(data, form);
    let a1 = w1.grad(&grads).map(values).unwrap_or_default();
    let a2 = w2.grad(&grads).map(values).unwrap_or_default();
    if a1.len() != g1.len() || a2.len() != g2.len() {
        return f64::INFINITY;
    }
    let worst = g1
        .iter()
        .zip(&a1)
        .chain(g2.iter().zip(&a2))
        .map(|(g, a)| (g - a).abs());
    let scale = a1.iter().chain(&a2).map(|a| a.abs()).fold(0.0, f64::max);
    worst.fold(0.0, f64::max) / (1.0 + scale)
}

/// The gradient checks of a random 6-dimensional autoencoder with 4 hidden units on 5 random
/// examples: errors of each formula against finite differences and autodiff.
#[derive(Clone, Debug, serde::Serialize)]
pub struct GradientCheck {
    pub correct_fd: f64,
    pub correct_autodiff: f64,
    pub drop_hidden_fd: f64,
    pub drop_mask_fd: f64,
    pub drop_hidden_autodiff: f64,
    pub drop_mask_autodiff: f64,
}

/// Runs [`GradientCheck`] seeded by `seed`.
pub fn check_gradients(seed: u64) -> GradientCheck {
    let ae = Autoencoder::new(6, 4, seed);
    let data: Vec<f64> = normals(&mut StdRng::seed_from_u64(seed ^ 0x5eed), 5 * 6);
    let fd = |f| finite_difference_error(&ae, &data, f);
    let ad = |f| autodiff_error(&ae, &data, f);
    GradientCheck {
        correct_fd: fd(GradientForm::Correct),
        correct_autodiff: ad(GradientForm::Correct),
        drop_hidden_fd: fd(GradientForm::DropHidden),
        drop_mask_fd: fd(GradientForm::DropMask),
        drop_hidden_autodiff: ad(GradientForm::DropHidden),
        drop_mask_autodiff: ad(GradientForm::DropMask),
    }
}

/// Settings of [`train`]: step size η, momentum β (0: plain SGD), epochs, batch size and the
/// seed of the batch order.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sgd {
    pub lr: f64,
    pub beta: f64,
    pub epochs: usize,
    pub batch: usize,
    pub seed: u64,
}

/// Minibatch SGD (β = 0) or heavy-ball momentum on J/batch: v ← βv − η∇J_batch/|batch|,
/// W ← W + v, with the hand gradients. Returns J/n over `data` before training and after each
/// epoch (`on_epoch(epoch, J/n)` is called too); the batch order is shuffled every epoch.
/// Stops early (shorter result) if the loss stops being finite.
pub fn train(
    ae: &mut Autoencoder,
    data: &[f64],
    opt: &Sgd,
    mut on_epoch: impl FnMut(usize, f64),
) -> Vec<f64> {
    let Sgd {
        lr,
        beta,
        epochs,
        batch,
        seed,
    } = *opt;
    let n = data.len() / ae.dim;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut order: Vec<usize> = (0..n).collect();
    let (mut v1, mut v2) = (vec![0.0; ae.w1.len()], vec![0.0; ae.w2.len()]);
    let mut losses = vec![ae.loss(data) / n as f64];
    let mut buf = Vec::with_capacity(batch * ae.dim);
    for epoch in 1..=epochs {
        order.shuffle(&mut rng);
        for idx in order.chunks(batch) {
            buf.clear();
            for &i in idx {
                buf.extend_from_slice(&data[i * ae.dim..(i + 1) * ae.dim]);
            }
            let (g1, g2) = ae.gradients(&buf, GradientForm::Correct);
            let scale = lr / idx.len() as f64;
            for (w, (v, g)) in ae.w1.iter_mut().zip(v1.iter_mut().zip(&g1)) {
                *v = beta * *v - scale * g;
                *w += *v;
            }
            for (w, (v, g)) in ae.w2.iter_mut().zip(v2.iter_mut().zip(&g2)) {
                *v = beta * *v - scale * g;
                *w += *v;
            }
        }
        let l = ae.loss(data) / n as f64;
        losses.push(l);
        on_epoch(epoch, l);
        if !l.is_finite() {
            break;
        }
    }
    losses
}

/// Proof-sheet row: the hand gradients of J(W₁, W₂) = Σ‖W₂σ(W₁x) − x‖² against finite
/// differences.
pub const HAND_GRADIENT_CHECK: crate::verify::Check = crate::verify::Check {
    id: "study.autoencoder-gradient",
    identity: "dJ/dW2 = 2 r s(W1x)^T, dJ/dW1 = 2 [s'(W1x) * W2^T r] x^T, r = W2 s(W1x) - x, J = sum ||W2 s(W1x) - x||^2",
    method: "finite differences in f64 on a 6-4-6 autoencoder, 5 examples (max error relative to 1 + max|grad|)",
    tolerance: 1e-6,
    why: "central differences: truncation and rounding ~ 1e-9 on unit-scale weights; a wrong form is off by O(1)",
    measure: |seed| {
        let ae = Autoencoder::new(6, 4, seed);
        let data: Vec<f64> = normals(&mut StdRng::seed_from_u64(seed ^ 0x5eed), 5 * 6);
        crate::verify::Measurement::new(
            finite_difference_error(&ae, &data, GradientForm::Correct),
            "6 inputs, 4 hidden units, 5 examples",
        )
    },
    broken: |seed| {
        let ae = Autoencoder::new(6, 4, seed);
        let data: Vec<f64> = normals(&mut StdRng::seed_from_u64(seed ^ 0x5eed), 5 * 6);
        crate::verify::Measurement::new(
            finite_difference_error(&ae, &data, GradientForm::DropMask),
            "6 inputs, 4 hidden units, 5 examples",
        )
    },
    fault: "dJ/dW1 without the sigma' mask",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_gradients_match_finite_differences_and_autodiff() {
        let c = check_gradients(1);
        // f64 central differences: < 1e-6 (see finite_difference_error).
        assert!(c.correct_fd < 1e-6, "{c:?}");
        // f32 autodiff: rounding ~ 1e-7 relative per operation over ~10 operations: < 1e-4.
        assert!(c.correct_autodiff < 1e-4, "{c:?}");
    }

    #[test]
    fn wrong_gradient_forms_fail_both_checks() {
        for seed in 1..4 {
            let c = check_gradients(seed);
            for (name, e) in [
                ("drop σ(W₁x)ᵀ vs fd", c.drop_hidden_fd),
                ("drop σ' vs fd", c.drop_mask_fd),
                ("drop σ(W₁x)ᵀ vs autodiff", c.drop_hidden_autodiff),
                ("drop σ' vs autodiff", c.drop_mask_autodiff),
            ] {
                assert!(e > 1e-2, "seed {seed}: {name} passes with error {e}");
            }
        }
    }

    #[test]
    fn momentum_reaches_a_lower_loss_than_sgd_at_the_same_step() {
        // 40 points near a 2-D subspace of R^8: a 3-unit autoencoder can fit them. With the
        // same η, heavy ball (β = 0.9) moves ~1/(1 − β) = 10× farther per step in a
        // consistent direction, so after a few epochs its loss is lower.
        let mut rng = StdRng::seed_from_u64(4);
        let basis = normals(&mut rng, 2 * 8);
        let data: Vec<f64> = (0..40)
            .flat_map(|_| {
                let c = normals(&mut rng, 2);
                (0..8)
                    .map(|i| 0.5 * (c[0] * basis[i] + c[1] * basis[8 + i]))
                    .collect::<Vec<_>>()
            })
            .collect();
        let run = |beta| {
            let mut ae = Autoencoder::new(8, 3, 5);
            let opt = Sgd {
                lr: 0.01,
                beta,
                epochs: 20,
                batch: 8,
                seed: 6,
            };
            train(&mut ae, &data, &opt, |_, _| {})
        };
        let (sgd, mom) = (run(0.0), run(0.9));
        assert_eq!(sgd[0], mom[0], "same start");
        assert!(sgd[20] < sgd[0], "SGD decreases: {sgd:?}");
        assert!(mom[20] < sgd[20], "momentum {} vs SGD {}", mom[20], sgd[20]);
    }
}
