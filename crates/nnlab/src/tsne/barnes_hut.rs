//! Barnes–Hut t-SNE: attractive forces over the sparse P exactly, repulsive forces and the
//! normalization Z through a quadtree whose far cells act as single points, O(n log n) per
//! evaluation.

use super::affinity::SparseP;
use super::exact::sq;
use super::par_map;

/// Depth at which the tree stops splitting (cells 2⁻⁴⁰ of the root: coincident points share a
/// leaf instead of recursing forever).
const MAX_DEPTH: usize = 40;

/// A cell of the quadtree: a square with its points' count and centre of mass.
#[derive(Clone, Copy, Debug)]
struct Cell {
    /// Centre of the square and half its side.
    center: [f64; 2],
    half: f64,
    mass_center: [f64; 2],
    count: usize,
    /// Index of the first of four consecutive children; 0 for a leaf.
    first_child: usize,
    /// The cell's points are `order[start..end]`.
    start: usize,
    end: usize,
}

/// A quadtree over 2-D points.
pub struct QuadTree {
    cells: Vec<Cell>,
    /// Point indices sorted so that every cell's points are contiguous.
    order: Vec<usize>,
    points: Vec<[f64; 2]>,
}

impl QuadTree {
    /// Builds the tree on the bounding square of `points`, splitting every cell with more than
    /// one point into quadrants (down to [`MAX_DEPTH`]).
    pub fn new(points: &[[f64; 2]]) -> Self {
        let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        for p in points {
            for d in 0..2 {
                lo[d] = lo[d].min(p[d]);
                hi[d] = hi[d].max(p[d]);
            }
        }
        let center = [0.5 * (lo[0] + hi[0]), 0.5 * (lo[1] + hi[1])];
        let half = (0.5 * (hi[0] - lo[0]).max(hi[1] - lo[1])).max(1e-12) * (1.0 + 1e-9);
        let mut t = QuadTree {
            cells: Vec::with_capacity(2 * points.len() + 1),
            order: (0..points.len()).collect(),
            points: points.to_vec(),
        };
        t.cells.push(t.cell(center, half, 0, points.len()));
        t.split(0, 0);
        t
    }

    fn cell(&self, center: [f64; 2], half: f64, start: usize, end: usize) -> Cell {
        let mut m = [0.0; 2];
        for &k in &self.order[start..end] {
            m[0] += self.points[k][0];
            m[1] += self.points[k][1];
        }
        let count = end - start;
        let c = count.max(1) as f64;
        Cell {
            center,
            half,
            mass_center: [m[0] / c, m[1] / c],
            count,
            first_child: 0,
            start,
            end,
        }
    }

    fn split(&mut self, id: usize, depth: usize) {
        let Cell {
            center,
            half,
            start,
            end,
            ..
        } = self.cells[id];
        if end - start <= 1 || depth >= MAX_DEPTH {
            return;
        }
        // Partition by x, then each half by y: quadrants (x<, y<), (x<, y≥), (x≥, y<), (x≥, y≥).
        let pts = &self.points;
        let mid_x = partition(&mut self.order[start..end], |k| pts[k][0] < center[0]) + start;
        let mid_lo = partition(&mut self.order[start..mid_x], |k| pts[k][1] < center[1]) + start;
        let mid_hi = partition(&mut self.order[mid_x..end], |k| pts[k][1] < center[1]) + mid_x;
        let q = 0.5 * half;
        let bounds = [
            ([center[0] - q, center[1] - q], start, mid_lo),
            ([center[0] - q, center[1] + q], mid_lo, mid_x),
            ([center[0] + q, center[1] - q], mid_x, mid_hi),
            ([center[0] + q, center[1] + q], mid_hi, end),
        ];
        let first = self.cells.len();
        self.cells[id].first_child = first;
        for (c, s, e) in bounds {
            let cell = self.cell(c, q, s, e);
            self.cells.push(cell);
        }
        for k in 0..4 {
            self.split(first + k, depth + 1);
        }
    }

    /// Repulsion on point `i` (at `y`): returns (Σ_j w_ij² (y − y_j), Σ_j w_ij) over j ≠ i,
    /// w_ij = (1 + ‖y − y_j‖²)⁻¹, where a cell whose side s and distance d from its centre of
    /// mass satisfy s / d < θ, and which does not contain y, stands for all its N_cell points
    /// at the centre of mass (N_cell w² (y − y_cell) and N_cell w). θ = 0 is exact.
    pub fn repulsion(&self, i: usize, y: [f64; 2], theta: f64) -> ([f64; 2], f64) {
        let mut f = [0.0; 2];
        let mut z = 0.0;
        let mut stack = vec![0usize];
        while let Some(id) = stack.pop() {
            let c = &self.cells[id];
            if c.count == 0 {
                continue;
            }
            let d2 = sq(y, c.mass_center);
            let side = 2.0 * c.half;
            let inside =
                (y[0] - c.center[0]).abs() <= c.half && (y[1] - c.center[1]).abs() <= c.half;
            if c.first_child == 0 {
                for &j in &self.order[c.start..c.end] {
                    if j != i {
                        let w = 1.0 / (1.0 + sq(y, self.points[j]));
                        z += w;
                        f[0] += w * w * (y[0] - self.points[j][0]);
                        f[1] += w * w * (y[1] - self.points[j][1]);
                    }
                }
            } else if !inside && side * side < theta * theta * d2 {
                let n = c.count as f64;
                let w = 1.0 / (1.0 + d2);
                z += n * w;
                f[0] += n * w * w * (y[0] - c.mass_center[0]);
                f[1] += n * w * w * (y[1] - c.mass_center[1]);
            } else {
                stack.extend(c.first_child..c.first_child + 4);
            }
        }
        (f, z)
    }
}

/// Stable-enough in-place partition: moves the elements satisfying `pred` to the front and
/// returns their count.
fn partition(v: &mut [usize], pred: impl Fn(usize) -> bool) -> usize {
    let mut k = 0;
    for t in 0..v.len() {
        if pred(v[t]) {
            v.swap(k, t);
            k += 1;
        }
    }
    k
}

/// Barnes–Hut t-SNE gradient with exaggeration `alpha` into `grad`:
///
///   ∂C/∂y_i = 4 [ α Σ_j p_ij w_ij (y_i − y_j) − (1/Z) Σ_j w_ij² (y_i − y_j) ],
///
/// the exact formula of [`super::exact::kl_gradient`] split into attraction (over the nonzero
/// p_ij) and repulsion (q_ij w_ij = w_ij² / Z, from [`QuadTree::repulsion`] with θ = `theta`).
/// When `with_kl`, also returns C = KL(P‖Q) = Σ p_ij log p_ij − Σ p_ij log w_ij + log Z (using
/// Σ p_ij = 1), with the tree's estimate of Z.
pub fn gradient(
    p: &SparseP,
    y: &[[f64; 2]],
    alpha: f64,
    theta: f64,
    with_kl: bool,
    grad: &mut [[f64; 2]],
) -> Option<f64> {
    let tree = QuadTree::new(y);
    let rep: Vec<([f64; 2], f64)> = par_map(y.len(), |i| tree.repulsion(i, y[i], theta));
    let z: f64 = rep.iter().map(|r| r.1).sum();
    let rows = par_map(y.len(), |i| {
        let mut a = [0.0; 2];
        let mut cross = 0.0;
        for (j, pij) in p.row(i) {
            let d2 = sq(y[i], y[j]);
            let w = 1.0 / (1.0 + d2);
            a[0] += pij * w * (y[i][0] - y[j][0]);
            a[1] += pij * w * (y[i][1] - y[j][1]);
            if with_kl && pij > 0.0 {
                // 0 · log 0 = 0: a neighbour whose Gaussian weight underflowed adds nothing.
                cross += pij * (pij / w).ln();
            }
        }
        let f = rep[i].0;
        let g = [
            4.0 * (alpha * a[0] - f[0] / z),
            4.0 * (alpha * a[1] - f[1] / z),
        ];
        (g, cross)
    });
    let mut cross = 0.0;
    for (g, (gi, c)) in grad.iter_mut().zip(rows) {
        *g = gi;
        cross += c;
    }
    with_kl.then(|| cross + z.ln())
}
