//! Shape arithmetic for convolutional networks: parse a short text description of an
//! architecture, then work out each layer's output shape, its parameter count (as a formula and
//! a number) and the receptive field of one output unit. [`solve`] goes the other way: it lists
//! every window (kernel k, stride s, padding p, dilation d) that maps an input size to an output
//! size.
//!
//! # The description format
//!
//! Layers are separated by `;` or newlines; `#` starts a comment that runs to the end of the
//! line; the tokens of a layer are separated by spaces; empty layers are ignored. The first
//! layer is the input, and only the first:
//!
//! | layer | meaning |
//! |---|---|
//! | `input HxWxC` | an image H high and W wide with C channels (`input HxW`: C = 1) |
//! | `input N` | a vector of N features |
//! | `conv K fF [sS] [pP] [dD] [nobias]` | 2-D convolution with F filters (default s1 p0 d1) |
//! | `maxpool K [sS] [pP] [dD]` | max pooling (the stride defaults to K) |
//! | `avgpool K [sS] [pP] [dD]` | average pooling (the stride defaults to K) |
//! | `flatten` | HxWxC image → vector of H·W·C features |
//! | `fc N [nobias]` | fully connected layer with N outputs (needs a vector: add `flatten`) |
//! | `relu`, `sigmoid`, `tanh` | activations: no parameters, shape unchanged |
//!
//! The kernel K is written `3`, `k3` or `3x3` (square) or `3x5` (3 high, 5 wide); a non-square
//! pooling kernel needs an explicit stride. Stride, padding (zeros added on both sides) and
//! dilation apply to both spatial dimensions. Options come in any order after the layer name.
//! Example (the course's small CNN):
//!
//! ```text
//! input 28x28x1; conv 3x3 f10 p1 s1; maxpool 2; conv 3x3 f10 p1; maxpool 2; flatten; fc 3
//! ```
//!
//! # What is computed
//!
//! - Output size per spatial dimension: [`output_size`].
//! - Parameters: conv Kh·Kw·C_in·F weights + F biases; fc N_in·N weights + N biases
//!   (`nobias` drops the biases); pooling, flatten and activations have none.
//! - Receptive field r of one output unit, in input pixels, and its jump j (the distance in
//!   input pixels between neighbouring units): [`receptive_step`], from r = 1, j = 1 at the
//!   input. Flatten and activations keep r; an `fc` unit sees the whole input. Padding is not
//!   clipped: r is the size of the window before it meets the border.
//!
//! ```
//! let report = nnlab::shapes::analyze("input 28x28x1; conv 3x3 f10 p1; maxpool 2; flatten; fc 3")
//!     .unwrap();
//! assert_eq!(report.params, (9 * 10 + 10) + (14 * 14 * 10 * 3 + 3));
//! println!("{}", report.table());
//! ```
//!
//! Files: `arith` (output size, receptive field, shapes), `layer` (layer types, tokenizer),
//! `parse` (layers from tokens), `analyze` (the per-layer report), `solve` (the (k, s, p, d)
//! search), `table` (text tables).

mod analyze;
mod arith;
pub mod checks;
mod layer;
mod parse;
mod solve;
mod table;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_hostile;
#[cfg(test)]
mod tests_random;

pub use analyze::{Report, Row, analyze};
pub use arith::{Shape, output_size, receptive_step, window_span};
pub use layer::{Activation, Kernel, Layer, LayerKind, PoolKind, Token, Window};
pub use parse::parse;
pub use solve::{Solution, Solutions, SolveQuery, solve};

/// The longest architecture description read from a file, in bytes (1 MiB).
pub const MAX_DESC_BYTES: u64 = 1 << 20;

use std::fmt;

/// Everything that can go wrong in this module.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapesError {
    /// A malformed description, or a layer that cannot apply to its input, located at a token.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// [`solve`] found no window in its search space.
    #[error("{0}")]
    NoSolution(String),
    /// A [`SolveQuery`] that makes no sense (zero sizes, contradictory constraints).
    #[error("{0}")]
    InvalidQuery(String),
}

/// An error in a description, pointing at the offending token. Its display names the layer,
/// says what was expected, and shows the input line with a caret under the token:
///
/// ```text
/// layer 1 (conv 5x5 f2): input 4x4 too small for kernel 5 with padding 0
///     input 4x4x1; conv 5x5 f2
///                       ^
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The layer's index (the input layer is 0; empty layers are not counted).
    pub layer: usize,
    /// The layer as written (tokens joined by single spaces).
    pub layer_text: String,
    /// The offending token; empty when something is missing at the end of the layer.
    pub token: String,
    /// The token's offset in the description, in characters (not bytes).
    pub offset: usize,
    /// What was expected instead, or why the layer cannot apply.
    pub message: String,
    /// The whole description.
    pub input: String,
}

impl SpecError {
    /// The line of the input holding `offset`, and the column of `offset` in it (characters).
    pub fn line_and_column(&self) -> (&str, usize) {
        let mut start = 0; // byte offset of the current line
        let mut column = 0;
        for (n, (byte, ch)) in self.input.char_indices().enumerate() {
            if n == self.offset {
                break;
            }
            column += 1;
            if ch == '\n' {
                start = byte + 1;
                column = 0;
            }
        }
        let line = self.input[start..].split('\n').next().unwrap_or("");
        (line.trim_end_matches('\r'), column)
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.layer_text.is_empty() {
            write!(f, "{}", self.message)?;
        } else {
            write!(
                f,
                "layer {} ({}): {}",
                self.layer, self.layer_text, self.message
            )?;
        }
        let (line, column) = self.line_and_column();
        // Tabs keep their width in the caret line so the caret stays under the token.
        let pad: String = line
            .chars()
            .take(column)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        write!(f, "\n    {line}\n    {pad}^")
    }
}

impl std::error::Error for SpecError {}
