//! The t-SNE optimizer: gradient descent with momentum and per-coordinate gains, early
//! exaggeration, and the initial embedding (principal components or Gaussian noise).

use super::{Init, Params};
use burn::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Optimizer state: the update (velocity) and the gains of each coordinate.
pub struct Optimizer {
    update: Vec<[f64; 2]>,
    gains: Vec<[f64; 2]>,
}

impl Optimizer {
    pub fn new(n: usize) -> Self {
        Self {
            update: vec![[0.0; 2]; n],
            gains: vec![[1.0; 2]; n],
        }
    }

    /// One step of the original t-SNE update (van der Maaten & Hinton 2008, with Jacobs'
    /// delta-bar-delta gains): for every coordinate,
    ///
    ///   gain ← gain + 0.2 if sign(g) ≠ sign(u), else max(0.8 gain, `min_gain`),
    ///   u ← μ u − η gain g,   y ← y + u,
    ///
    /// where g is the gradient, u the previous update, μ = `momentum`, η = `learning_rate`;
    /// an update longer than `max_step` is shortened to it (keeps points from shooting off in the
    /// first iterations). The embedding is then re-centred (C is translation invariant).
    pub fn step(
        &mut self,
        y: &mut [[f64; 2]],
        grad: &[[f64; 2]],
        momentum: f64,
        learning_rate: f64,
        min_gain: f64,
        max_step: f64,
    ) {
        for ((yi, gi), (ui, ki)) in y
            .iter_mut()
            .zip(grad)
            .zip(self.update.iter_mut().zip(self.gains.iter_mut()))
        {
            for d in 0..2 {
                ki[d] = if (gi[d] > 0.0) != (ui[d] > 0.0) {
                    ki[d] + 0.2
                } else {
                    (ki[d] * 0.8).max(min_gain)
                };
                ui[d] = momentum * ui[d] - learning_rate * ki[d] * gi[d];
            }
            let norm = (ui[0] * ui[0] + ui[1] * ui[1]).sqrt();
            if norm > max_step {
                ui[0] *= max_step / norm;
                ui[1] *= max_step / norm;
            }
            yi[0] += ui[0];
            yi[1] += ui[1];
        }
        let n = y.len() as f64;
        let mean = y
            .iter()
            .fold([0.0; 2], |m, v| [m[0] + v[0] / n, m[1] + v[1] / n]);
        for v in y.iter_mut() {
            v[0] -= mean[0];
            v[1] -= mean[1];
        }
    }
}

/// Standard deviation of the first coordinate of the initial embedding (as openTSNE and the
/// original method: small, so early exaggeration acts before the Student-t tails matter).
pub const INIT_STD: f64 = 1e-4;

/// The initial embedding of `n` points (`x` row-major, dimension `dim`).
///
/// - [`Init::Pca`]: projections on the first two principal components, v₁ and v₂ the top
///   eigenvectors of the covariance C = X_cᵀ X_c / n (X_c centred; C by a Burn matmul),
///   found by subspace iteration V ← orth(C V) from a seeded start (300 steps; each
///   reduces the error by λ₃/λ₂), each sign fixed so its largest entry is positive; scaled so
///   the first coordinate has standard deviation [`INIT_STD`].
/// - [`Init::Random`]: independent N(0, INIT_STD²) coordinates.
pub fn initial(
    x: &[f32],
    n: usize,
    dim: usize,
    init: Init,
    seed: u64,
    device: &Device,
) -> Vec<[f64; 2]> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut normal = move || -> f64 {
        let (u, v): (f64, f64) = (rng.random_range(f64::EPSILON..1.0), rng.random());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    };
    if init == Init::Random || n < 2 {
        return (0..n)
            .map(|_| [INIT_STD * normal(), INIT_STD * normal()])
            .collect();
    }
    let mut mean = vec![0.0f64; dim];
    for row in x.chunks_exact(dim) {
        for (m, &v) in mean.iter_mut().zip(row) {
            *m += f64::from(v) / n as f64;
        }
    }
    let xc: Vec<f32> = x
        .chunks_exact(dim)
        .flat_map(|row| {
            row.iter()
                .zip(&mean)
                .map(|(&v, &m)| (f64::from(v) - m) as f32)
        })
        .collect();
    let t: Tensor<2> = Tensor::from_data(TensorData::new(xc.clone(), [n, dim]), device);
    let cov = t.clone().transpose().matmul(t).into_data();
    let cov: Vec<f64> = cov
        .as_slice::<f32>()
        .expect("f32 covariance")
        .iter()
        .map(|&v| f64::from(v) / n as f64)
        .collect();
    let mut v: Vec<[f64; 2]> = (0..dim).map(|_| [normal(), normal()]).collect();
    for _ in 0..300 {
        let mut w = vec![[0.0; 2]; dim];
        for (a, wa) in w.iter_mut().enumerate() {
            let row = &cov[a * dim..(a + 1) * dim];
            for (c, vb) in row.iter().zip(&v) {
                wa[0] += c * vb[0];
                wa[1] += c * vb[1];
            }
        }
        orthonormalize(&mut w);
        v = w;
    }
    for k in 0..2 {
        let big = v
            .iter()
            .map(|r| r[k])
            .fold(0.0f64, |m, e| if e.abs() > m.abs() { e } else { m });
        if big < 0.0 {
            v.iter_mut().for_each(|r| r[k] = -r[k]);
        }
    }
    let mut y: Vec<[f64; 2]> = xc
        .chunks_exact(dim)
        .map(|row| {
            row.iter().zip(&v).fold([0.0; 2], |s, (&xv, vb)| {
                [s[0] + f64::from(xv) * vb[0], s[1] + f64::from(xv) * vb[1]]
            })
        })
        .collect();
    let std = (y.iter().map(|r| r[0] * r[0]).sum::<f64>() / n as f64).sqrt();
    let scale = if std > 0.0 { INIT_STD / std } else { 0.0 };
    y.iter_mut().for_each(|r| *r = [r[0] * scale, r[1] * scale]);
    y
}

/// Gram–Schmidt on the two columns of `w`.
fn orthonormalize(w: &mut [[f64; 2]]) {
    let norm = |w: &[[f64; 2]], k: usize| w.iter().map(|r| r[k] * r[k]).sum::<f64>().sqrt();
    let n0 = norm(w, 0).max(f64::MIN_POSITIVE);
    w.iter_mut().for_each(|r| r[0] /= n0);
    let dot: f64 = w.iter().map(|r| r[0] * r[1]).sum();
    w.iter_mut().for_each(|r| r[1] -= dot * r[0]);
    let n1 = norm(w, 1).max(f64::MIN_POSITIVE);
    w.iter_mut().for_each(|r| r[1] /= n1);
}

/// The learning rate of a phase with exaggeration α: the given one, else openTSNE's
/// η = n / α for the gradient without the factor 4, i.e. n / (4α) here (at least 1).
pub fn learning_rate(params: &Params, n: usize, alpha: f64) -> f64 {
    params
        .learning_rate
        .unwrap_or_else(|| (n as f64 / (4.0 * alpha)).max(1.0))
}
