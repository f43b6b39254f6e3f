//! The arithmetic of sliding windows (output sizes, receptive fields) and tensor shapes.

use serde::{Serialize, Serializer};
use std::fmt;

/// The number of input positions one window covers: d(k−1) + 1 (its taps are d apart).
/// `None` when k = 0 or on overflow.
pub fn window_span(k: usize, d: usize) -> Option<usize> {
    d.checked_mul(k.checked_sub(1)?)?.checked_add(1)
}

/// The output size of a sliding window (convolution or pooling) along one spatial dimension,
/// for input size i, kernel k, stride s, padding p (zeros added on both sides) and dilation d:
///
/// o = ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1
///
/// that is, the number of window positions 0, s, 2s, … whose span d(k−1)+1 fits in the padded
/// input of i + 2p positions. `None` when no position fits (o ≤ 0), when k, s or d is zero, or
/// on overflow.
pub fn output_size(i: usize, k: usize, s: usize, p: usize, d: usize) -> Option<usize> {
    if k == 0 || s == 0 || d == 0 {
        return None;
    }
    let padded = p.checked_mul(2)?.checked_add(i)?;
    let span = window_span(k, d)?;
    if padded < span {
        return None;
    }
    Some((padded - span) / s + 1)
}

/// One step of the receptive-field recurrence through a window layer (kernel k, stride s,
/// dilation d): r_out = r_in + (k−1)·d·j_in and j_out = j_in·s, where r is the receptive field
/// of one unit in input pixels and j the jump, the distance in input pixels between two
/// neighbouring units. The input has r = 1, j = 1. Returns (r_out, j_out), or `None` when
/// either overflows `u64` (a saturated number would be a wrong result).
pub fn receptive_step(r: u64, j: u64, k: u64, s: u64, d: u64) -> Option<(u64, u64)> {
    let grow = k.saturating_sub(1).checked_mul(d)?.checked_mul(j)?;
    Some((r.checked_add(grow)?, j.checked_mul(s)?))
}

/// The shape of one example's activations (no batch dimension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// An image: height, width, channels.
    Image { h: usize, w: usize, c: usize },
    /// A feature vector.
    Vector(usize),
}

impl Shape {
    /// The dimensions: `[h, w, c]` or `[n]`.
    pub fn dims(&self) -> Vec<usize> {
        match *self {
            Shape::Image { h, w, c } => vec![h, w, c],
            Shape::Vector(n) => vec![n],
        }
    }

    /// The number of values, `None` on overflow.
    pub fn len(&self) -> Option<usize> {
        match *self {
            Shape::Image { h, w, c } => h.checked_mul(w)?.checked_mul(c),
            Shape::Vector(n) => Some(n),
        }
    }

    /// Whether the shape holds no value (never, for shapes built by the parser).
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }
}

/// `28x28x10` or `490`.
impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shape::Image { h, w, c } => write!(f, "{h}x{w}x{c}"),
            Shape::Vector(n) => write!(f, "{n}"),
        }
    }
}

/// Serialized as its dimensions, `[28, 28, 10]` or `[490]`.
impl Serialize for Shape {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.dims())
    }
}
