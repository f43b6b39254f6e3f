//! The exact t-SNE cost and gradient over all pairs, the symmetric-SNE (Gaussian kernel) cost and
//! gradient it is often confused with, and the finite-difference check that tells them apart.

use super::affinity::dense_p;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Exact t-SNE on a 2-D embedding `y` (n points) against dense joint affinities `p` (n × n,
/// row-major, p_ii = 0, Σ p = 1), with the P term scaled by the early exaggeration `alpha`
/// (1 for the true cost).
///
/// Low-dimensional affinities use the Student-t kernel w_ij = (1 + ‖y_i − y_j‖²)⁻¹,
/// q_ij = w_ij / Z with Z = Σ_{k≠l} w_kl. The cost is C = KL(P‖Q) = Σ_{i≠j} p_ij log(p_ij / q_ij)
/// and its gradient is
///
///   ∂C/∂y_i = 4 Σ_j (α p_ij − q_ij) w_ij (y_i − y_j)
///
/// (α = 1: the gradient of C; the factor w_ij is what the Gaussian-kernel derivation, see
/// [`sne_gradient`], lacks). Writes the gradient into `grad` and returns C (always for α = 1).
pub fn kl_gradient(p: &[f64], y: &[[f64; 2]], alpha: f64, grad: &mut [[f64; 2]]) -> f64 {
    let n = y.len();
    let mut w = vec![0.0; n * n];
    let mut z = 0.0;
    for i in 0..n {
        for j in 0..n {
            if i != j {
                let d2 = sq(y[i], y[j]);
                w[i * n + j] = 1.0 / (1.0 + d2);
                z += w[i * n + j];
            }
        }
    }
    let mut kl = 0.0;
    for i in 0..n {
        let mut g = [0.0; 2];
        for j in 0..n {
            if i == j {
                continue;
            }
            let (pij, wij) = (p[i * n + j], w[i * n + j]);
            let q = wij / z;
            if pij > 0.0 {
                kl += pij * (pij / q).ln();
            }
            let c = (alpha * pij - q) * wij;
            g[0] += c * (y[i][0] - y[j][0]);
            g[1] += c * (y[i][1] - y[j][1]);
        }
        grad[i] = [4.0 * g[0], 4.0 * g[1]];
    }
    kl
}

/// The symmetric-SNE cost: KL(P‖Q) with the Gaussian kernel g_ij = exp(−‖y_i − y_j‖²),
/// q_ij = g_ij / Σ_{k≠l} g_kl. Its gradient is ∂C/∂y_i = 4 Σ_j (p_ij − q_ij)(y_i − y_j)
/// ([`sne_gradient`]).
pub fn sne_cost(p: &[f64], y: &[[f64; 2]]) -> f64 {
    let n = y.len();
    let z: f64 = pairs(n).map(|(i, j)| (-sq(y[i], y[j])).exp()).sum();
    pairs(n)
        .filter(|&(i, j)| p[i * n + j] > 0.0)
        .map(|(i, j)| {
            let q = (-sq(y[i], y[j])).exp() / z;
            p[i * n + j] * (p[i * n + j] / q).ln()
        })
        .sum()
}

/// ∂C/∂y_i = 4 Σ_j (p_ij − q_ij)(y_i − y_j) with Gaussian q_ij = exp(−‖y_i − y_j‖²) / Z: the
/// gradient of [`sne_cost`] (symmetric SNE), and *not* of the t-SNE cost.
pub fn sne_gradient(p: &[f64], y: &[[f64; 2]], grad: &mut [[f64; 2]]) {
    let n = y.len();
    let z: f64 = pairs(n).map(|(i, j)| (-sq(y[i], y[j])).exp()).sum();
    for i in 0..n {
        let mut g = [0.0; 2];
        for j in (0..n).filter(|&j| j != i) {
            let c = p[i * n + j] - (-sq(y[i], y[j])).exp() / z;
            g[0] += c * (y[i][0] - y[j][0]);
            g[1] += c * (y[i][1] - y[j][1]);
        }
        grad[i] = [4.0 * g[0], 4.0 * g[1]];
    }
}

/// t-SNE cost alone (α = 1).
pub fn kl(p: &[f64], y: &[[f64; 2]]) -> f64 {
    let mut g = vec![[0.0; 2]; y.len()];
    kl_gradient(p, y, 1.0, &mut g)
}

fn pairs(n: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..n).flat_map(move |i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
}

pub(super) fn sq(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (a[0] - b[0], a[1] - b[1]);
    dx * dx + dy * dy
}

/// A small random t-SNE problem: `n` points in 5-D (standard normal), their dense P at
/// perplexity 3, and an embedding with standard normal coordinates.
pub fn random_problem(seed: u64, n: usize) -> (Vec<f64>, Vec<[f64; 2]>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut normal = || -> f64 {
        let (u, v): (f64, f64) = (rng.random_range(f64::EPSILON..1.0), rng.random());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    };
    let x: Vec<f32> = (0..n * 5).map(|_| normal() as f32).collect();
    let y: Vec<[f64; 2]> = (0..n).map(|_| [normal(), normal()]).collect();
    (dense_p(&x, n, 5, 3.0).0, y)
}

/// Central finite differences (C(y + h e) − C(y − h e)) / 2h of `cost` at `y`, h = 1e-5.
pub fn finite_differences(cost: impl Fn(&[[f64; 2]]) -> f64, y: &[[f64; 2]]) -> Vec<[f64; 2]> {
    let h = 1e-5;
    let mut y = y.to_vec();
    let mut g = vec![[0.0; 2]; y.len()];
    for i in 0..y.len() {
        for d in 0..2 {
            let keep = y[i][d];
            y[i][d] = keep + h;
            let up = cost(&y);
            y[i][d] = keep - h;
            let down = cost(&y);
            y[i][d] = keep;
            g[i][d] = (up - down) / (2.0 * h);
        }
    }
    g
}

/// max_i,d |a − b| / max_i,d |b|: the error of a gradient `a` relative to the reference `b`'s scale.
pub fn relative_error(a: &[[f64; 2]], b: &[[f64; 2]]) -> f64 {
    let scale = b.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    let err = a
        .iter()
        .flatten()
        .zip(b.iter().flatten())
        .fold(0.0f64, |m, (u, v)| m.max((u - v).abs()));
    err / scale
}

/// The measured error of the t-SNE gradient on a random problem (n = 12, seed `seed`).
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct GradientCheck {
    /// [`relative_error`] of the analytic t-SNE gradient against central differences of C.
    pub tsne: f64,
    /// The same error of the symmetric-SNE formula 4 Σ (p − q)(y_i − y_j) against the same
    /// differences of the t-SNE cost: large, the formula is wrong for t-SNE.
    pub sne_formula: f64,
}

/// Relative error below which a gradient passes [`check_gradient`]: central differences with
/// h = 1e-5 in f64 have truncation error ~h²|C'''| ≈ 1e-10 and rounding ~ε|C|/h ≈ 1e-11, so
/// 1e-6 is loose for a correct formula and far below the O(0.1) error of a wrong one.
pub const GRADIENT_TOLERANCE: f64 = 1e-6;

/// Checks the t-SNE gradient [`kl_gradient`] against central finite differences of [`kl`] on
/// a random 12-point problem, and measures how far the symmetric-SNE formula is from it.
pub fn check_gradient(seed: u64) -> GradientCheck {
    let (p, y) = random_problem(seed, 12);
    let fd = finite_differences(|y| kl(&p, y), &y);
    let mut g = vec![[0.0; 2]; y.len()];
    kl_gradient(&p, &y, 1.0, &mut g);
    let mut s = vec![[0.0; 2]; y.len()];
    sne_gradient(&p, &y, &mut s);
    GradientCheck {
        tsne: relative_error(&g, &fd),
        sne_formula: relative_error(&s, &fd),
    }
}

/// Proof-sheet row: the t-SNE gradient against finite differences of KL(P‖Q).
pub const GRADIENT_ROW: crate::verify::Check = crate::verify::Check {
    id: "tsne.gradient",
    identity: "dKL(P||Q)/dy_i = 4 sum_j (p_ij - q_ij)(y_i - y_j)(1 + ||y_i - y_j||^2)^-1, q_ij ~ (1 + ||y_i - y_j||^2)^-1",
    method: "finite differences in f64 (central, h = 1e-5) on 12 random points, error relative to the largest entry",
    tolerance: GRADIENT_TOLERANCE,
    why: "central differences: truncation h^2 |C'''| and rounding eps |C|/h, both far below 1e-6 at unit scale",
    measure: |seed| {
        crate::verify::Measurement::new(check_gradient(seed).tsne, "n = 12, random symmetric P")
    },
    broken: |seed| {
        crate::verify::Measurement::new(
            check_gradient(seed).sne_formula,
            "n = 12, random symmetric P",
        )
    },
    fault: "the symmetric-SNE gradient 4 sum_j (p_ij - q_ij)(y_i - y_j) (Gaussian kernel)",
};
