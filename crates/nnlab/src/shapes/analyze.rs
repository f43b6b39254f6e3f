//! The per-layer report: output shapes, parameter counts (formula and number) and receptive
//! fields, propagated from the input layer, with an aligned text table and a JSON form.

use super::ShapesError;
use super::arith::{Shape, output_size, receptive_step, window_span};
use super::layer::{LayerKind, Window};
use super::parse::{parse, spec};
use super::table::{Align, render};
use serde::Serialize;

/// One row of the report: a layer and what comes out of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// The input layer is 0.
    pub index: usize,
    /// The layer as written.
    pub layer: String,
    /// Output shape, e.g. `[28, 28, 10]` or `[490]`.
    pub output: Shape,
    pub weights: u64,
    pub biases: u64,
    /// weights + biases.
    pub params: u64,
    /// e.g. `3·3·1·10 + 10 = 100`, or `0`.
    pub params_formula: String,
    /// Receptive field of one output unit, in input units per spatial dimension: `[rh, rw]`
    /// for an image input, `[r]` for a vector input.
    pub receptive_field: Vec<u64>,
    /// Distance in input units between neighbouring output units (the product of strides).
    pub jump: u64,
    /// Whether one output unit sees the whole input (after `fc`).
    pub whole_input: bool,
}

impl Row {
    /// `3`, `3x5` (height x width), or `all 28x28` when a unit sees the whole input.
    pub fn receptive_field_text(&self) -> String {
        let dims = || {
            self.receptive_field
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join("x")
        };
        match self.receptive_field[..] {
            _ if self.whole_input => format!("all {}", dims()),
            [h, w] if h == w => h.to_string(),
            _ => dims(),
        }
    }
}

/// The analysis of a whole description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub layers: Vec<Row>,
    /// Totals over all layers.
    pub weights: u64,
    pub biases: u64,
    pub params: u64,
}

/// Parses `desc` and propagates shapes, parameters and receptive fields through its layers.
/// Errors point at the offending token: a layer whose window does not fit its input, `fc` on
/// an image (add `flatten`), a window layer on a vector, or a count that overflows.
pub fn analyze(desc: &str) -> Result<Report, ShapesError> {
    let layers = parse(desc)?;
    let LayerKind::Input(input) = layers[0].kind else {
        unreachable!("parse checks the input layer");
    };
    // The whole input's receptive field, per spatial dimension.
    let whole: Vec<u64> = match input {
        Shape::Image { h, w, .. } => vec![h as u64, w as u64],
        Shape::Vector(n) => vec![n as u64],
    };
    let mut shape = input;
    let mut rf: Vec<u64> = vec![1; whole.len()];
    let mut jump = 1u64;
    let mut whole_input = false;
    let mut rows = Vec::with_capacity(layers.len());
    for layer in &layers {
        let fail = |message: String| -> ShapesError {
            let tok = layer.kernel.as_ref().unwrap_or(&layer.name);
            spec(
                desc,
                layer.index,
                &layer.text,
                &tok.text,
                tok.offset,
                &message,
            )
            .into()
        };
        let (mut weights, mut biases, mut formula) = (0u64, 0u64, "0".to_string());
        let mut params = 0u64;
        match layer.kind {
            LayerKind::Input(_) | LayerKind::Activation(_) => {}
            LayerKind::Flatten => {
                shape = Shape::Vector(shape.len().ok_or_else(|| fail("size overflows".into()))?);
            }
            LayerKind::Conv { window, .. } | LayerKind::Pool { window, .. } => {
                let Shape::Image { h, w, c } = shape else {
                    let name = &layer.name;
                    let message = format!(
                        "`{}` needs an image input HxWxC, but its input is the vector {shape} \
                         (convolution and pooling come before `flatten`)",
                        name.text
                    );
                    return Err(spec(
                        desc,
                        layer.index,
                        &layer.text,
                        &name.text,
                        name.offset,
                        &message,
                    )
                    .into());
                };
                let (oh, ow) = fit(h, w, &window).ok_or_else(|| fail(too_small(h, w, &window)))?;
                let Window {
                    kernel,
                    stride,
                    dilation,
                    ..
                } = window;
                let channels = match layer.kind {
                    LayerKind::Conv { filters, bias, .. } => {
                        let (kh, kw, c, f) =
                            (kernel.h as u64, kernel.w as u64, c as u64, filters as u64);
                        weights = kh
                            .checked_mul(kw)
                            .and_then(|x| x.checked_mul(c))
                            .and_then(|x| x.checked_mul(f))
                            .ok_or_else(|| fail("the parameter count overflows".into()))?;
                        biases = if bias { f } else { 0 };
                        let total = weights
                            .checked_add(biases)
                            .ok_or_else(|| fail("the parameter count overflows".into()))?;
                        formula = params_formula(&[kh, kw, c, f], biases, total);
                        params = total;
                        filters
                    }
                    _ => c,
                };
                let (s, d) = (stride as u64, dilation as u64);
                let overflow = || {
                    fail(
                        "the receptive field or the jump overflows 2^64 input pixels \
                         (strides or dilations too large)"
                            .into(),
                    )
                };
                let (rh, _) =
                    receptive_step(rf[0], jump, kernel.h as u64, s, d).ok_or_else(overflow)?;
                let (rw, j) =
                    receptive_step(rf[1], jump, kernel.w as u64, s, d).ok_or_else(overflow)?;
                (rf, jump) = (vec![rh, rw], j);
                shape = Shape::Image {
                    h: oh,
                    w: ow,
                    c: channels,
                };
            }
            LayerKind::Fc { outputs, bias } => {
                let Shape::Vector(n) = shape else {
                    return Err(fail(format!(
                        "`fc` needs a vector input, but its input is the image {shape}: add `flatten` before it"
                    )));
                };
                let (n, out) = (n as u64, outputs as u64);
                weights = n
                    .checked_mul(out)
                    .ok_or_else(|| fail("the parameter count overflows".into()))?;
                biases = if bias { out } else { 0 };
                let total = weights
                    .checked_add(biases)
                    .ok_or_else(|| fail("the parameter count overflows".into()))?;
                formula = params_formula(&[n, out], biases, total);
                params = total;
                whole_input = true;
                shape = Shape::Vector(outputs);
            }
        }
        rows.push(Row {
            index: layer.index,
            layer: layer.text.clone(),
            output: shape,
            weights,
            biases,
            params,
            params_formula: formula,
            receptive_field: if whole_input {
                whole.clone()
            } else {
                rf.clone()
            },
            jump,
            whole_input,
        });
    }
    // Each row's total fits u64; the sums over rows must too.
    let total = |f: fn(&Row) -> u64| rows.iter().try_fold(0u64, |acc, r| acc.checked_add(f(r)));
    let (Some(weights), Some(biases), Some(params)) = (
        total(|r| r.weights),
        total(|r| r.biases),
        total(|r| r.params),
    ) else {
        return Err(ShapesError::InvalidQuery(
            "the total parameter count overflows 2^64".into(),
        ));
    };
    Ok(Report {
        layers: rows,
        weights,
        biases,
        params,
    })
}

/// The output height and width of a window layer, `None` when the window does not fit.
fn fit(h: usize, w: usize, win: &Window) -> Option<(usize, usize)> {
    let (s, p, d) = (win.stride, win.padding, win.dilation);
    Some((
        output_size(h, win.kernel.h, s, p, d)?,
        output_size(w, win.kernel.w, s, p, d)?,
    ))
}

/// `input 2x2 too small for kernel 5 with padding 0` (with the dilation and the window's span
/// when d > 1).
fn too_small(h: usize, w: usize, win: &Window) -> String {
    let k = win.kernel;
    let (kernel, span) = if k.h == k.w {
        let span = window_span(k.h, win.dilation).unwrap_or(usize::MAX);
        (k.h.to_string(), span.to_string())
    } else {
        let span = |k| window_span(k, win.dilation).unwrap_or(usize::MAX);
        (
            format!("{}x{}", k.h, k.w),
            format!("{}x{}", span(k.h), span(k.w)),
        )
    };
    let dilation = match win.dilation {
        1 => String::new(),
        d => format!(" and dilation {d} (span {span})"),
    };
    format!(
        "input {h}x{w} too small for kernel {kernel}{dilation} with padding {}",
        win.padding
    )
}

/// `3·3·1·10 + 10 = 100`, or `3·3·1·10 = 90` without biases.
fn params_formula(factors: &[u64], biases: u64, total: u64) -> String {
    let product = factors
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join("·");
    match biases {
        0 => format!("{product} = {total}"),
        b => format!("{product} + {b} = {total}"),
    }
}

impl Report {
    /// The report as an aligned text table, then the totals and the output shape.
    pub fn table(&self) -> String {
        let headers = [
            ("#", Align::Right),
            ("layer", Align::Left),
            ("output", Align::Left),
            ("parameters", Align::Right),
            ("receptive field", Align::Right),
            ("jump", Align::Right),
        ];
        let rows: Vec<Vec<String>> = self
            .layers
            .iter()
            .map(|r| {
                vec![
                    r.index.to_string(),
                    r.layer.clone(),
                    r.output.to_string(),
                    r.params_formula.clone(),
                    r.receptive_field_text(),
                    if r.whole_input {
                        "-".into()
                    } else {
                        r.jump.to_string()
                    },
                ]
            })
            .collect();
        let mut s = render(&headers, &rows);
        s.push_str(&format!(
            "\ntotal: {} parameters = {} weights + {} biases\n",
            self.params, self.weights, self.biases
        ));
        if let (Some(first), Some(last)) = (self.layers.first(), self.layers.last()) {
            s.push_str(&format!("shape: {} -> {}\n", first.output, last.output));
        }
        s
    }
}
