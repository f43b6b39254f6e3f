//! Single-channel 2-D convolution and pooling of small matrices: a text syntax for matrices
//! (`"1,2,3;4,5,6"`), validation of the geometry, the operators on Burn (the product) and naive
//! `f64` loops written straight from the definitions (the references the tests compare with).

use super::{ConvGeometry, avg_pool2d, conv2d, lp_pool2d, max_pool2d};
use burn::prelude::*;
use serde::Serialize;

/// The most entries an input matrix or a result may have.
pub const MAX_ENTRIES: usize = 1 << 20;

/// A dense row-major matrix of `f64`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Matrix {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<f64>,
}

/// Why a matrix or a geometry was refused. Messages name the row and column (1-based).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GridError {
    #[error("the matrix is empty: give rows separated by ';' and entries by ',', e.g. 1,2;3,4")]
    Empty,
    #[error("row {row} is empty")]
    EmptyRow { row: usize },
    #[error("row {row} has {got} entries but row 1 has {expected} (rows must have equal length)")]
    Ragged {
        row: usize,
        got: usize,
        expected: usize,
    },
    #[error("row {row}, entry {col}: '{token}' is not a number")]
    NotANumber {
        row: usize,
        col: usize,
        token: String,
    },
    #[error("row {row}, entry {col}: {value} is not finite")]
    NotFinite { row: usize, col: usize, value: f64 },
    #[error("{what} has {got} entries, more than the limit {MAX_ENTRIES}")]
    TooLarge { what: &'static str, got: u128 },
    #[error("{what} must be at least 1")]
    Zero { what: &'static str },
    #[error(
        "the window (kernel after dilation) spans {span} × {span_cols} but the input (after padding) is only {rows} × {cols}"
    )]
    KernelTooLarge {
        span: usize,
        span_cols: usize,
        rows: usize,
        cols: usize,
    },
    #[error("the LP exponent p must be finite and ≥ 1, got {0}")]
    BadExponent(f64),
    #[error("the result is not finite (f32 overflow of |x|^p: use a smaller p or smaller values)")]
    Overflow,
}

impl Matrix {
    /// A matrix from its size and row-major entries.
    ///
    /// # Panics
    /// If `data.len() != rows * cols`.
    pub fn new(rows: usize, cols: usize, data: Vec<f64>) -> Self {
        assert_eq!(data.len(), rows * cols, "matrix size");
        Self { rows, cols, data }
    }

    /// Entry (r, c), 0-based.
    pub fn at(&self, r: usize, c: usize) -> f64 {
        self.data[r * self.cols + c]
    }

    /// Parses rows separated by `;` with entries separated by `,` (spaces allowed), e.g.
    /// `"1,2,3;4,5,6"`. Every row must have the same number of finite numbers.
    pub fn parse(text: &str) -> Result<Self, GridError> {
        if text.trim().is_empty() {
            return Err(GridError::Empty);
        }
        if text.len() > 64 * MAX_ENTRIES {
            return Err(GridError::TooLarge {
                what: "the matrix text",
                got: text.len() as u128,
            });
        }
        let mut data = Vec::new();
        let mut cols = 0;
        let mut rows = 0;
        for (r, line) in text.split(';').enumerate() {
            let (row, start) = (r + 1, data.len());
            if line.trim().is_empty() {
                return Err(GridError::EmptyRow { row });
            }
            for (c, token) in line.split(',').enumerate() {
                let token = token.trim();
                let value: f64 = token.parse().map_err(|_| GridError::NotANumber {
                    row,
                    col: c + 1,
                    token: token.to_string(),
                })?;
                if !value.is_finite() {
                    return Err(GridError::NotFinite {
                        row,
                        col: c + 1,
                        value,
                    });
                }
                data.push(value);
            }
            let got = data.len() - start;
            if r == 0 {
                cols = got;
            } else if got != cols {
                return Err(GridError::Ragged {
                    row,
                    got,
                    expected: cols,
                });
            }
            rows += 1;
        }
        Ok(Self { rows, cols, data })
    }

    /// The matrix as text: one row per line, entries right-aligned.
    pub fn render(&self) -> String {
        let cells: Vec<String> = self.data.iter().map(|v| format_number(*v)).collect();
        let w = cells.iter().map(|c| c.chars().count()).max().unwrap_or(0);
        cells
            .chunks(self.cols.max(1))
            .map(|row| {
                let r: Vec<String> = row.iter().map(|c| format!("{c:>w$}")).collect();
                r.join("  ")
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn tensor(&self, device: &Device) -> Tensor<4> {
        let v: Vec<f32> = self.data.iter().map(|&x| x as f32).collect();
        Tensor::from_data(TensorData::new(v, [1, 1, self.rows, self.cols]), device)
    }

    fn from_tensor(t: Tensor<4>) -> Self {
        let [_, _, rows, cols] = t.dims();
        let v = t.into_data().convert::<f32>();
        Self::new(rows, cols, v.iter::<f32>().map(f64::from).collect())
    }
}

/// A number with up to 6 significant decimals and no trailing zeros (f32 results printed
/// without noise such as 0.30000001).
pub fn format_number(v: f64) -> String {
    let s = format!("{:.6}", (v * 1e6).round() / 1e6);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// Output length o = ⌊(i + 2p − d(k − 1) − 1)/s⌋ + 1, or an error naming the sizes.
fn out_len(i: usize, k: usize, s: usize, p: usize, d: usize) -> Option<usize> {
    let span = d.checked_mul(k - 1)?.checked_add(1)?;
    let padded = i.checked_add(p.checked_mul(2)?)?;
    padded.checked_sub(span).map(|v| v / s + 1)
}

/// A single-channel 2-D convolution of an input by a kernel, same stride, padding and dilation
/// on both axes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Conv2dSpec {
    pub stride: usize,
    pub padding: usize,
    pub dilation: usize,
    /// Cross-correlation (no kernel flip) instead of true convolution.
    pub correlate: bool,
}

impl Conv2dSpec {
    /// The output size (rows, cols) for input `x` and kernel `h`, after checking the geometry
    /// (s, d ≥ 1, the dilated kernel fits the padded input, the result has ≤ [`MAX_ENTRIES`]).
    pub fn output_size(&self, x: &Matrix, h: &Matrix) -> Result<[usize; 2], GridError> {
        if self.stride == 0 {
            return Err(GridError::Zero { what: "the stride" });
        }
        if self.dilation == 0 {
            return Err(GridError::Zero {
                what: "the dilation",
            });
        }
        let (p, s, d) = (self.padding, self.stride, self.dilation);
        let too_large = || GridError::KernelTooLarge {
            span: d.saturating_mul(h.rows - 1).saturating_add(1),
            span_cols: d.saturating_mul(h.cols - 1).saturating_add(1),
            rows: x.rows.saturating_add(p.saturating_mul(2)),
            cols: x.cols.saturating_add(p.saturating_mul(2)),
        };
        let r = out_len(x.rows, h.rows, s, p, d).ok_or_else(too_large)?;
        let c = out_len(x.cols, h.cols, s, p, d).ok_or_else(too_large)?;
        if (r as u128) * (c as u128) > MAX_ENTRIES as u128 {
            return Err(GridError::TooLarge {
                what: "the output",
                got: r as u128 * c as u128,
            });
        }
        Ok([r, c])
    }

    /// The kernel actually slid over the input: h flipped in both axes for true convolution
    /// (h itself for correlation), with d − 1 zeros inserted between taps (the dilated kernel,
    /// d(k − 1) + 1 per side).
    pub fn dilated_kernel(&self, h: &Matrix) -> Matrix {
        let d = self.dilation.max(1);
        let (r, c) = ((h.rows - 1) * d + 1, (h.cols - 1) * d + 1);
        let mut out = vec![0.0; r * c];
        for i in 0..h.rows {
            for j in 0..h.cols {
                out[i * d * c + j * d] = self.tap(h, i, j);
            }
        }
        Matrix::new(r, c, out)
    }

    /// The kernel weight at tap (i, j) of the sliding window.
    fn tap(&self, h: &Matrix, i: usize, j: usize) -> f64 {
        if self.correlate {
            h.at(i, j)
        } else {
            h.at(h.rows - 1 - i, h.cols - 1 - j)
        }
    }

    /// y[u, v] = Σ_{i, j} h'[i, j] · x̃[s·u + d·i, s·v + d·j], x̃ the input zero-padded by p on
    /// every side, h' = h (correlation) or h flipped in both axes (true convolution,
    /// y = Σ h[i, j] x̃[s·u + d(k−1−i), …]). Computed by Burn's `conv2d` in f32.
    pub fn apply(&self, x: &Matrix, h: &Matrix) -> Result<Matrix, GridError> {
        self.output_size(x, h)?;
        let device = Device::flex();
        let kernel = Matrix::new(
            h.rows,
            h.cols,
            (0..h.rows * h.cols)
                .map(|t| self.tap(h, t / h.cols, t % h.cols))
                .collect(),
        );
        let g = ConvGeometry::new([self.stride; 2], [self.padding; 2], [self.dilation; 2]);
        let y = conv2d(x.tensor(&device), kernel.tensor(&device), &g);
        Ok(Matrix::from_tensor(y))
    }

    /// The same y by a naive `f64` loop over outputs and taps (the reference).
    pub fn apply_naive(&self, x: &Matrix, h: &Matrix) -> Result<Matrix, GridError> {
        let [r, c] = self.output_size(x, h)?;
        let (s, p, d) = (self.stride, self.padding as isize, self.dilation);
        let mut out = Vec::with_capacity(r * c);
        for u in 0..r {
            for v in 0..c {
                let mut sum = 0.0;
                for i in 0..h.rows {
                    for j in 0..h.cols {
                        let a = (s * u + d * i) as isize - p;
                        let b = (s * v + d * j) as isize - p;
                        if a >= 0 && b >= 0 && (a as usize) < x.rows && (b as usize) < x.cols {
                            sum += self.tap(h, i, j) * x.at(a as usize, b as usize);
                        }
                    }
                }
                out.push(sum);
            }
        }
        Ok(Matrix::new(r, c, out))
    }
}

/// The pooling of a window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Pool {
    /// max over the window.
    Max,
    /// (1/n) Σ over the window, n = k².
    Avg,
    /// (Σ |x|^p)^{1/p} over the window (no 1/n inside, so a constant window c gives n^{1/p}|c|,
    /// the L_p norm of the window).
    Lp(f64),
}

/// Pooling with a k × k window and stride s (no padding).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PoolSpec {
    pub pool: Pool,
    pub k: usize,
    pub stride: usize,
}

impl PoolSpec {
    /// The output size ⌊(i − k)/s⌋ + 1 per axis, after checking k, s ≥ 1, k ≤ both input
    /// sizes and, for LP, p finite and ≥ 1.
    pub fn output_size(&self, x: &Matrix) -> Result<[usize; 2], GridError> {
        if self.k == 0 {
            return Err(GridError::Zero {
                what: "the window size",
            });
        }
        if self.stride == 0 {
            return Err(GridError::Zero { what: "the stride" });
        }
        if let Pool::Lp(p) = self.pool
            && !(p.is_finite() && p >= 1.0)
        {
            return Err(GridError::BadExponent(p));
        }
        let too_large = || GridError::KernelTooLarge {
            span: self.k,
            span_cols: self.k,
            rows: x.rows,
            cols: x.cols,
        };
        let r = out_len(x.rows, self.k, self.stride, 0, 1).ok_or_else(too_large)?;
        let c = out_len(x.cols, self.k, self.stride, 0, 1).ok_or_else(too_large)?;
        Ok([r, c])
    }

    /// The pooled matrix by Burn's pooling ops in f32 (LP: [`lp_pool2d`]); an error if the
    /// result overflows f32.
    pub fn apply(&self, x: &Matrix) -> Result<Matrix, GridError> {
        self.output_size(x)?;
        let t = x.tensor(&Device::flex());
        let (k, s) = ([self.k; 2], [self.stride; 2]);
        let y = Matrix::from_tensor(match self.pool {
            Pool::Max => max_pool2d(t, k, s),
            Pool::Avg => avg_pool2d(t, k, s),
            Pool::Lp(p) => lp_pool2d(t, p, k, s),
        });
        if y.data.iter().all(|v| v.is_finite()) {
            Ok(y)
        } else {
            Err(GridError::Overflow)
        }
    }

    /// The same by a naive `f64` loop over windows (the reference).
    pub fn apply_naive(&self, x: &Matrix) -> Result<Matrix, GridError> {
        let [r, c] = self.output_size(x)?;
        let mut out = Vec::with_capacity(r * c);
        for u in 0..r {
            for v in 0..c {
                let w = (0..self.k * self.k)
                    .map(|t| x.at(self.stride * u + t / self.k, self.stride * v + t % self.k));
                out.push(match self.pool {
                    Pool::Max => w.fold(f64::NEG_INFINITY, f64::max),
                    Pool::Avg => w.sum::<f64>() / (self.k * self.k) as f64,
                    Pool::Lp(p) => w.map(|a| a.abs().powf(p)).sum::<f64>().powf(1.0 / p),
                });
            }
        }
        Ok(Matrix::new(r, c, out))
    }
}
