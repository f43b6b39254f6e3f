//! 2-D blur of an h × w image by a (2r+1) × (2r+1) kernel K, zero outside the image ("same"
//! size): (Kx)[i, j] = Σ_{a,b} K[a, b]·x[i + r − a, j + r − b]. Its adjoint is the transpose
//! convolution, i.e. correlation with the same kernel: (Kᵀy)[p, q] = Σ_{a,b} K[a, b]·y[p − r + a, q − r + b].
//! Also the normalized Gaussian kernel K[a, b] ∝ exp(−((a−r)² + (b−r)²)/(2σ²)) and the PSNR.

use super::operator::Operator;

/// Convolution of an `h` × `w` image with a square kernel of odd side, zero boundary.
#[derive(Clone, Debug, PartialEq)]
pub struct Blur2d {
    pub h: usize,
    pub w: usize,
    /// Kernel side 2r + 1.
    pub side: usize,
    /// side² entries, row-major.
    pub kernel: Vec<f64>,
}

impl Blur2d {
    /// The blur by `kernel` (side² entries, side odd); `None` if the sizes do not fit.
    pub fn new(h: usize, w: usize, side: usize, kernel: Vec<f64>) -> Option<Self> {
        (side % 2 == 1 && kernel.len() == side * side).then_some(Self { h, w, side, kernel })
    }

    /// Pairs (output index, input index, kernel weight) of every nonzero product; `forward`
    /// applies y[o] += k·x[i], the adjoint x[i] += k·y[o].
    fn for_each(&self, mut visit: impl FnMut(usize, usize, f64)) {
        let r = (self.side / 2) as isize;
        let (h, w) = (self.h as isize, self.w as isize);
        for i in 0..h {
            for j in 0..w {
                for a in 0..self.side as isize {
                    let si = i + r - a;
                    if !(0..h).contains(&si) {
                        continue;
                    }
                    for b in 0..self.side as isize {
                        let sj = j + r - b;
                        if (0..w).contains(&sj) {
                            let k = self.kernel[(a * self.side as isize + b) as usize];
                            visit((i * w + j) as usize, (si * w + sj) as usize, k);
                        }
                    }
                }
            }
        }
    }
}

impl Operator for Blur2d {
    fn rows(&self) -> usize {
        self.h * self.w
    }
    fn cols(&self) -> usize {
        self.h * self.w
    }
    fn apply(&self, x: &[f64], y: &mut [f64]) {
        y.fill(0.0);
        self.for_each(|o, i, k| y[o] += k * x[i]);
    }
    fn adjoint(&self, y: &[f64], x: &mut [f64]) {
        x.fill(0.0);
        self.for_each(|o, i, k| x[i] += k * y[o]);
    }
}

/// The (2r+1)² Gaussian kernel K[a, b] ∝ exp(−((a−r)² + (b−r)²)/(2σ²)), normalized to sum 1
/// (σ > 0).
pub fn gaussian_kernel(sigma: f64, radius: usize) -> Vec<f64> {
    let side = 2 * radius + 1;
    let r = radius as f64;
    let mut k: Vec<f64> = (0..side * side)
        .map(|idx| {
            let (a, b) = ((idx / side) as f64 - r, (idx % side) as f64 - r);
            (-(a * a + b * b) / (2.0 * sigma * sigma)).exp()
        })
        .collect();
    let s: f64 = k.iter().sum();
    k.iter_mut().for_each(|v| *v /= s);
    k
}

/// Peak signal-to-noise ratio of `x` against the reference `truth` for signals in [0, 1]:
/// 10·log₁₀(1/MSE) dB (∞ when they are equal).
pub fn psnr(x: &[f64], truth: &[f64]) -> f64 {
    let mse = x
        .iter()
        .zip(truth)
        .map(|(a, b)| (a - b) * (a - b))
        .sum::<f64>()
        / truth.len().max(1) as f64;
    -10.0 * mse.log10()
}
