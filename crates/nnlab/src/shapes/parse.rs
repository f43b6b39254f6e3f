//! The description parser: turns each layer's tokens into a [`Layer`], checking names, options
//! and numbers. The format is documented on the [`shapes`](super) module.

use super::arith::Shape;
use super::layer::{Activation, Kernel, Layer, LayerKind, PoolKind, Token, Window, join, split};
use super::{ShapesError, SpecError};

/// The layer names the parser knows, in the order error messages list them.
const KNOWN: &str = "input, conv, maxpool, avgpool, flatten, fc, relu, sigmoid, tanh";

/// Numbers above this are rejected, which keeps every product of sizes far from overflow.
const MAX_NUMBER: usize = 1_000_000;

/// Parses a description into layers. The first layer must be `input`, and no other may be.
pub fn parse(desc: &str) -> Result<Vec<Layer>, ShapesError> {
    let groups = split(desc);
    if groups.is_empty() {
        return Err(spec(
            desc,
            0,
            "",
            "",
            0,
            "empty description: expected `input HxWxC` or `input N` first",
        )
        .into());
    }
    let mut layers = Vec::with_capacity(groups.len());
    for (index, tokens) in groups.into_iter().enumerate() {
        let ctx = Ctx {
            desc,
            index,
            text: join(&tokens),
            tokens: &tokens,
        };
        let layer = ctx.layer()?;
        let is_input = matches!(layer.kind, LayerKind::Input(_));
        if index == 0 && !is_input {
            return Err(ctx.at(
                &tokens[0],
                "missing input layer: the description must start with `input HxWxC` or `input N`",
            ));
        }
        if index > 0 && is_input {
            return Err(ctx.at(&tokens[0], "only the first layer can be `input`"));
        }
        layers.push(layer);
    }
    Ok(layers)
}

pub(crate) fn spec(
    desc: &str,
    layer: usize,
    text: &str,
    token: &str,
    offset: usize,
    message: &str,
) -> SpecError {
    SpecError {
        layer,
        layer_text: text.to_string(),
        token: token.to_string(),
        offset,
        message: message.to_string(),
        input: desc.to_string(),
    }
}

/// One option of a window or fc layer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Opt {
    Kernel,
    Filters,
    Stride,
    Padding,
    Dilation,
    NoBias,
}

impl Opt {
    fn describe(self) -> &'static str {
        match self {
            Opt::Kernel => "kernel `K`/`kK`/`KxK`",
            Opt::Filters => "filters `fF`",
            Opt::Stride => "stride `sS`",
            Opt::Padding => "padding `pP`",
            Opt::Dilation => "dilation `dD`",
            Opt::NoBias => "`nobias`",
        }
    }
}

/// The parsing context of one layer.
struct Ctx<'a> {
    desc: &'a str,
    index: usize,
    text: String,
    tokens: &'a [Token],
}

/// Options collected from a layer's tokens: value and token, per option.
#[derive(Default)]
struct Opts {
    kernel: Option<(Kernel, Token)>,
    filters: Option<usize>,
    stride: Option<usize>,
    padding: Option<usize>,
    dilation: Option<usize>,
    nobias: bool,
}

impl Ctx<'_> {
    fn at(&self, token: &Token, message: &str) -> ShapesError {
        spec(
            self.desc,
            self.index,
            &self.text,
            &token.text,
            token.offset,
            message,
        )
        .into()
    }

    /// An error just after the layer's last token: something is missing.
    fn missing(&self, message: &str) -> ShapesError {
        let last = self.tokens.last().expect("layers are non-empty");
        let end = last.offset + last.text.chars().count();
        spec(self.desc, self.index, &self.text, "", end, message).into()
    }

    fn layer(&self) -> Result<Layer, ShapesError> {
        let name = &self.tokens[0];
        let args = &self.tokens[1..];
        let lower = name.text.to_ascii_lowercase();
        let no_args = |kind: LayerKind| match args.first() {
            Some(t) => Err(self.at(
                t,
                &format!("unexpected `{}`: `{lower}` takes no arguments", t.text),
            )),
            None => Ok((kind, None)),
        };
        let (kind, kernel) = match lower.as_str() {
            "input" => (LayerKind::Input(self.input_shape(args)?), None),
            "flatten" => no_args(LayerKind::Flatten)?,
            "relu" => no_args(LayerKind::Activation(Activation::Relu))?,
            "sigmoid" => no_args(LayerKind::Activation(Activation::Sigmoid))?,
            "tanh" => no_args(LayerKind::Activation(Activation::Tanh))?,
            "conv" => {
                let allowed = [
                    Opt::Kernel,
                    Opt::Filters,
                    Opt::Stride,
                    Opt::Padding,
                    Opt::Dilation,
                    Opt::NoBias,
                ];
                let o = self.options(args, &allowed)?;
                let (kernel, ktok) = o.kernel.ok_or_else(|| {
                    self.missing("missing the kernel size: expected `K`, `kK` or `KxK` (e.g. 3x3)")
                })?;
                let filters = o.filters.ok_or_else(|| {
                    self.missing("missing the number of filters: expected `fF` (e.g. f10)")
                })?;
                let window = Window {
                    kernel,
                    stride: o.stride.unwrap_or(1),
                    padding: o.padding.unwrap_or(0),
                    dilation: o.dilation.unwrap_or(1),
                };
                (
                    LayerKind::Conv {
                        window,
                        filters,
                        bias: !o.nobias,
                    },
                    Some(ktok),
                )
            }
            "maxpool" | "avgpool" => {
                let allowed = [Opt::Kernel, Opt::Stride, Opt::Padding, Opt::Dilation];
                let o = self.options(args, &allowed)?;
                let (kernel, ktok) = o.kernel.ok_or_else(|| {
                    self.missing("missing the kernel size: expected `K`, `kK` or `KxK` (e.g. 2)")
                })?;
                let stride = match o.stride {
                    Some(s) => s,
                    None if kernel.h == kernel.w => kernel.h,
                    None => {
                        return Err(self.at(
                            &ktok,
                            "a non-square pooling kernel needs an explicit stride `sS`",
                        ));
                    }
                };
                let kind = if lower == "maxpool" {
                    PoolKind::Max
                } else {
                    PoolKind::Avg
                };
                let window = Window {
                    kernel,
                    stride,
                    padding: o.padding.unwrap_or(0),
                    dilation: o.dilation.unwrap_or(1),
                };
                (LayerKind::Pool { kind, window }, Some(ktok))
            }
            "fc" => {
                let Some(size) = args.first() else {
                    return Err(
                        self.missing("missing the output size: expected `fc N` (e.g. fc 10)")
                    );
                };
                let outputs = self.positive(size, &size.text, "the output size")?;
                let o = self.options(&args[1..], &[Opt::NoBias])?;
                (
                    LayerKind::Fc {
                        outputs,
                        bias: !o.nobias,
                    },
                    None,
                )
            }
            _ => {
                return Err(self.at(
                    name,
                    &format!("unknown layer `{}`: expected one of {KNOWN}", name.text),
                ));
            }
        };
        Ok(Layer {
            index: self.index,
            text: self.text.clone(),
            kind,
            name: name.clone(),
            kernel,
        })
    }

    /// `HxWxC`, `HxW` (C = 1) or `N`.
    fn input_shape(&self, args: &[Token]) -> Result<Shape, ShapesError> {
        let expected = "expected the input size `HxWxC`, `HxW` or `N` (e.g. input 28x28x1)";
        let Some(tok) = args.first() else {
            return Err(self.missing(expected));
        };
        if let Some(extra) = args.get(1) {
            return Err(self.at(
                extra,
                &format!("unexpected `{}`: `input` takes one size", extra.text),
            ));
        }
        let parts: Vec<&str> = tok.text.split(['x', 'X']).collect();
        if parts.len() > 3
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(self.at(tok, expected));
        }
        let dims = parts
            .iter()
            .map(|p| self.positive(tok, p, "input sizes"))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(match dims[..] {
            [n] => Shape::Vector(n),
            [h, w] => Shape::Image { h, w, c: 1 },
            [h, w, c] => Shape::Image { h, w, c },
            _ => unreachable!("1 to 3 parts"),
        })
    }

    /// Parses `text` (part of `tok`) as a number ≥ 1.
    fn positive(&self, tok: &Token, text: &str, what: &str) -> Result<usize, ShapesError> {
        let n = self.number(tok, text, what)?;
        if n == 0 {
            return Err(self.at(
                tok,
                &format!("{what} must be at least 1, got `{}`", tok.text),
            ));
        }
        Ok(n)
    }

    /// Parses `text` (part of `tok`) as a number ≤ `MAX_NUMBER`.
    fn number(&self, tok: &Token, text: &str, what: &str) -> Result<usize, ShapesError> {
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(self.at(
                tok,
                &format!("expected a number for {what} in `{}`", tok.text),
            ));
        }
        match text.parse::<usize>() {
            Ok(n) if n <= MAX_NUMBER => Ok(n),
            _ => Err(self.at(
                tok,
                &format!("{what} `{text}` is too large (at most {MAX_NUMBER})"),
            )),
        }
    }

    /// Collects the options among `allowed`, in any order, each at most once.
    fn options(&self, args: &[Token], allowed: &[Opt]) -> Result<Opts, ShapesError> {
        let list = allowed
            .iter()
            .map(|o| o.describe())
            .collect::<Vec<_>>()
            .join(", ");
        let mut o = Opts::default();
        for tok in args {
            let t = tok.text.to_ascii_lowercase();
            let first = t.chars().next().unwrap_or(' ');
            let rest = &t[first.len_utf8()..];
            let opt = match first {
                _ if t == "nobias" => Opt::NoBias,
                'k' => Opt::Kernel,
                '0'..='9' => Opt::Kernel,
                'f' => Opt::Filters,
                's' => Opt::Stride,
                'p' => Opt::Padding,
                'd' => Opt::Dilation,
                _ => {
                    return Err(
                        self.at(tok, &format!("unexpected `{}`: expected {list}", tok.text))
                    );
                }
            };
            if !allowed.contains(&opt) {
                let name = &self.tokens[0].text;
                return Err(self.at(
                    tok,
                    &format!("`{name}` takes no {}: expected {list}", opt.describe()),
                ));
            }
            let seen = match opt {
                Opt::Kernel => {
                    let digits = if first == 'k' { rest } else { t.as_str() };
                    let kernel = self.kernel(tok, digits)?;
                    o.kernel.replace((kernel, tok.clone())).is_some()
                }
                Opt::Filters => o
                    .filters
                    .replace(self.positive(tok, rest, "the number of filters")?)
                    .is_some(),
                Opt::Stride => o
                    .stride
                    .replace(self.positive(tok, rest, "the stride")?)
                    .is_some(),
                Opt::Padding => o
                    .padding
                    .replace(self.number(tok, rest, "the padding")?)
                    .is_some(),
                Opt::Dilation => o
                    .dilation
                    .replace(self.positive(tok, rest, "the dilation")?)
                    .is_some(),
                Opt::NoBias => std::mem::replace(&mut o.nobias, true),
            };
            if seen {
                return Err(self.at(tok, &format!("{} given twice", opt.describe())));
            }
        }
        Ok(o)
    }

    /// `K` or `KhxKw`, each ≥ 1.
    fn kernel(&self, tok: &Token, text: &str) -> Result<Kernel, ShapesError> {
        let what = "the kernel size";
        match text.split_once(['x', 'X']) {
            Some((h, w)) => Ok(Kernel {
                h: self.positive(tok, h, what)?,
                w: self.positive(tok, w, what)?,
            }),
            None => {
                let k = self.positive(tok, text, what)?;
                Ok(Kernel { h: k, w: k })
            }
        }
    }
}
