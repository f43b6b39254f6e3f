//! The layers of a description (what [`parse`](super::parse) produces) and the tokenizer that
//! splits the text into layers of tokens, keeping each token's character offset.

use super::arith::Shape;

/// One token of the description and its offset in characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub offset: usize,
}

/// A kernel size: height × width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kernel {
    pub h: usize,
    pub w: usize,
}

/// A sliding window: kernel, and stride, padding and dilation shared by both dimensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub kernel: Kernel,
    pub stride: usize,
    pub padding: usize,
    pub dilation: usize,
}

/// Max or average pooling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolKind {
    Max,
    Avg,
}

/// An element-wise activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    Relu,
    Sigmoid,
    Tanh,
}

/// What a layer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerKind {
    Input(Shape),
    Conv {
        window: Window,
        filters: usize,
        bias: bool,
    },
    Pool {
        kind: PoolKind,
        window: Window,
    },
    Flatten,
    Fc {
        outputs: usize,
        bias: bool,
    },
    Activation(Activation),
}

/// A parsed layer, with the tokens that errors about it point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    /// Position in the description; the input layer is 0.
    pub index: usize,
    /// The layer as written, tokens joined by single spaces.
    pub text: String,
    pub kind: LayerKind,
    /// The layer's name token (`conv`, `fc`, …).
    pub name: Token,
    /// The kernel token, for window layers.
    pub kernel: Option<Token>,
}

pub(crate) fn join(tokens: &[Token]) -> String {
    tokens
        .iter()
        .map(|t| t.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Splits at `;` and newlines into non-empty layers of whitespace-separated tokens, dropping
/// `#` comments.
pub(crate) fn split(desc: &str) -> Vec<Vec<Token>> {
    let mut layers = Vec::new();
    let mut layer: Vec<Token> = Vec::new();
    let mut token: Option<Token> = None;
    let mut comment = false;
    for (offset, ch) in desc.chars().enumerate() {
        if comment && ch != '\n' {
            continue;
        }
        comment = false;
        match ch {
            ';' | '\n' | '#' => {
                layer.extend(token.take());
                if ch == '#' {
                    comment = true;
                } else if !layer.is_empty() {
                    layers.push(std::mem::take(&mut layer));
                }
            }
            c if c.is_whitespace() => layer.extend(token.take()),
            c => token
                .get_or_insert_with(|| Token {
                    text: String::new(),
                    offset,
                })
                .text
                .push(c),
        }
    }
    layer.extend(token.take());
    if !layer.is_empty() {
        layers.push(layer);
    }
    layers
}
