//! Input affinities P: per-point calibrated Gaussian neighbourhoods, symmetrized into a joint
//! distribution, dense over all pairs (exact t-SNE) or sparse over the k nearest neighbours
//! (Barnes–Hut t-SNE), and the exact k-nearest-neighbour search behind the sparse form.

use super::par_map;
use super::perplexity::{Calibration, calibrate};
use burn::prelude::*;

/// A symmetric sparse joint distribution P in compressed-row form: row i holds p_ij for
/// j in `indices[indptr[i]..indptr[i+1]]` (sorted, i itself absent); all values sum to 1.
#[derive(Clone, Debug, PartialEq)]
pub struct SparseP {
    pub n: usize,
    pub indptr: Vec<usize>,
    pub indices: Vec<u32>,
    pub values: Vec<f64>,
}

impl SparseP {
    /// The (column, value) pairs of row i.
    pub fn row(&self, i: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let r = self.indptr[i]..self.indptr[i + 1];
        self.indices[r.clone()]
            .iter()
            .map(|&j| j as usize)
            .zip(self.values[r].iter().copied())
    }

    /// The dense n × n matrix (for tests and small problems).
    pub fn to_dense(&self) -> Vec<f64> {
        let mut p = vec![0.0; self.n * self.n];
        for i in 0..self.n {
            for (j, v) in self.row(i) {
                p[i * self.n + j] = v;
            }
        }
        p
    }
}

/// Squared Euclidean distance of two rows, in f64.
fn dist2(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(&u, &v)| {
            let d = f64::from(u) - f64::from(v);
            d * d
        })
        .sum()
}

/// Dense joint affinities of `n` points of dimension `dim` (`x` row-major): the conditional
/// p_{j|i} of [`calibrate`] over all j ≠ i, symmetrized as p_ij = (p_{j|i} + p_{i|j}) / (2n)
/// so that Σ_ij p_ij = 1 and p_ii = 0. Returns the n × n matrix (row-major) and each point's
/// calibration. O(n² dim) time, O(n²) memory: for small n.
pub fn dense_p(x: &[f32], n: usize, dim: usize, perplexity: f64) -> (Vec<f64>, Vec<Calibration>) {
    let rows: Vec<(Vec<f64>, Calibration)> = par_map(n, |i| {
        let xi = &x[i * dim..(i + 1) * dim];
        let d2: Vec<f64> = (0..n)
            .filter(|&j| j != i)
            .map(|j| dist2(xi, &x[j * dim..(j + 1) * dim]))
            .collect();
        let mut p = vec![0.0; n - 1];
        let c = calibrate(&d2, perplexity, &mut p);
        p.insert(i, 0.0);
        (p, c)
    });
    let mut joint = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            joint[i * n + j] = (rows[i].0[j] + rows[j].0[i]) / (2.0 * n as f64);
        }
    }
    (joint, rows.into_iter().map(|r| r.1).collect())
}

/// Sparse joint affinities from the `k` nearest neighbours of each point: p_{j|i} of
/// [`calibrate`] over i's neighbours only (0 elsewhere), symmetrized as
/// p_ij = (p_{j|i} + p_{i|j}) / (2n). Row i of the result holds the union of i's neighbours and
/// the points having i as a neighbour. Returns P and each point's calibration.
pub fn sparse_p(neighbours: &Neighbours, perplexity: f64) -> (SparseP, Vec<Calibration>) {
    let (n, k) = (neighbours.n, neighbours.k);
    let rows: Vec<(Vec<f64>, Calibration)> = par_map(n, |i| {
        let mut p = vec![0.0; k];
        let c = calibrate(&neighbours.d2[i * k..(i + 1) * k], perplexity, &mut p);
        (p, c)
    });
    let scale = 1.0 / (2.0 * n as f64);
    let mut lists: Vec<Vec<(u32, f64)>> = vec![Vec::with_capacity(2 * k); n];
    for (i, (p, _)) in rows.iter().enumerate() {
        for (t, &v) in p.iter().enumerate() {
            let j = neighbours.index[i * k + t] as usize;
            lists[i].push((j as u32, v * scale));
            lists[j].push((i as u32, v * scale));
        }
    }
    let mut sp = SparseP {
        n,
        indptr: Vec::with_capacity(n + 1),
        indices: Vec::new(),
        values: Vec::new(),
    };
    sp.indptr.push(0);
    for mut l in lists {
        l.sort_unstable_by_key(|e| e.0);
        for (j, v) in l {
            if sp.indices.len() > *sp.indptr.last().unwrap_or(&0) && sp.indices.last() == Some(&j) {
                *sp.values.last_mut().expect("a value per index") += v;
            } else {
                sp.indices.push(j);
                sp.values.push(v);
            }
        }
        sp.indptr.push(sp.indices.len());
    }
    (sp, rows.into_iter().map(|r| r.1).collect())
}

/// The `k` nearest neighbours of every point (itself excluded), nearest first.
#[derive(Clone, Debug, PartialEq)]
pub struct Neighbours {
    pub n: usize,
    pub k: usize,
    /// n × k neighbour indices.
    pub index: Vec<u32>,
    /// n × k squared distances, ascending per row.
    pub d2: Vec<f64>,
}

/// Rows of the distance matrix computed per Burn matmul.
const BLOCK: usize = 1024;

/// Exact k-nearest neighbours by brute force, d_ij² = ‖x_i‖² + ‖x_j‖² − 2 x_i·x_j, with the
/// Gram block X_b Xᵀ computed by a Burn matmul on `device` (f32: the rounding of d² is about
/// 1e-6 ‖x‖², far below the gaps between MNIST neighbours' distances) and clamped at 0. Ties
/// are broken by the smaller index, so the result is deterministic. O(n² dim) time, O(BLOCK·n)
/// memory. Requires k < n.
pub fn knn(x: &[f32], n: usize, dim: usize, k: usize, device: &Device) -> Neighbours {
    let norms: Vec<f32> = x
        .chunks_exact(dim)
        .map(|r| r.iter().map(|v| v * v).sum())
        .collect();
    let all: Tensor<2> = Tensor::from_data(TensorData::new(x.to_vec(), [n, dim]), device);
    let all_t = all.clone().transpose();
    let mut index = vec![0u32; n * k];
    let mut d2 = vec![0.0f64; n * k];
    for start in (0..n).step_by(BLOCK) {
        let end = (start + BLOCK).min(n);
        let block = all.clone().slice([start..end, 0..dim]);
        let gram = block.matmul(all_t.clone()).into_data();
        let gram = gram.as_slice::<f32>().expect("f32 Gram matrix");
        let rows = par_map(end - start, |r| {
            let i = start + r;
            let g = &gram[r * n..(r + 1) * n];
            let mut cand: Vec<(f32, u32)> = (0..n)
                .filter(|&j| j != i)
                .map(|j| ((norms[i] + norms[j] - 2.0 * g[j]).max(0.0), j as u32))
                .collect();
            let by = |a: &(f32, u32), b: &(f32, u32)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
            cand.select_nth_unstable_by(k - 1, by);
            cand.truncate(k);
            cand.sort_unstable_by(by);
            cand
        });
        for (r, cand) in rows.into_iter().enumerate() {
            for (t, (d, j)) in cand.into_iter().enumerate() {
                index[(start + r) * k + t] = j;
                d2[(start + r) * k + t] = f64::from(d);
            }
        }
    }
    Neighbours { n, k, index, d2 }
}
