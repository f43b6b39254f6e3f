//! Derivatives on the trace: the local partial derivatives ∂v_j/∂v_i of each node (the only
//! place where derivative rules live), forward-mode tangents v̇_j = Σ_i ∂v_j/∂v_i · v̇_i and
//! reverse-mode adjoints v̄_i = Σ_{j child of i} v̄_j · ∂v_j/∂v_i, with their formulas as text.

use super::TraceError;
use super::expr::{BinOp, Func};
use super::graph::{Arg, Op, Trace, arg_value};

/// Combining dot above, for tangents `v̇`.
pub const DOT: &str = "\u{307}";
/// Combining macron, for adjoints `v̄`.
pub const BAR: &str = "\u{304}";

/// One local partial derivative ∂v_j/∂v_arg of a node v_j: its value and its text as a fraction
/// `num / den` in terms of the node values (no `den` means `num` alone).
#[derive(Clone, Debug, PartialEq)]
pub struct Partial {
    /// The operand node.
    pub arg: usize,
    pub value: f64,
    pub num: String,
    pub den: Option<String>,
}

impl Trace {
    /// The local partial derivatives of node `j` with respect to each operand node (constant
    /// operands have none; an operand used twice, as in `v_1 * v_1`, appears twice). With
    /// `a`, `b` the operand values and `v` the node's value, the rules are:
    ///
    /// - `a + b`: 1, 1;  `a - b`: 1, −1;  `-a`: −1;
    /// - `a * b`: b, a;  `a / b`: 1/b, −a/b²;
    /// - `a ^ c` (constant c): c·a^(c−1) (0 when c = 0);  `a ^ b`: b·a^(b−1), v·ln a;
    /// - `sin a`: cos a;  `cos a`: −sin a;  `tan a`: 1/cos² a;  `exp a`: v;  `log a`: 1/a;
    ///   `sqrt a`: 1/(2v);  `tanh a`: 1 − v²;  `sigmoid a`: v(1 − v);
    /// - `relu a`: 1 if a > 0, else 0 (so relu'(0) = 0 by convention);
    /// - `abs a`: sign a, with sign 0 = 0 (so abs'(0) = 0 by convention).
    pub fn partials(&self, j: usize, values: &[f64]) -> Vec<Partial> {
        let me = self.name(j, "");
        let vj = values[j];
        let val = |a: Arg| arg_value(a, values);
        let txt = |a: Arg| self.arg_text(a);
        let mut out = Vec::new();
        let mut push = |a: Arg, value: f64, num: String, den: Option<String>| {
            if let Arg::Node(arg) = a {
                out.push(Partial {
                    arg,
                    value,
                    num,
                    den,
                });
            }
        };
        match &self.ops()[j] {
            Op::Input(_) | Op::Const(_) => {}
            Op::Neg(a) => push(*a, -1.0, "-1".into(), None),
            Op::Binary(op, a, b) => {
                let (a, b) = (*a, *b);
                let (x, y) = (val(a), val(b));
                match op {
                    BinOp::Add => {
                        push(a, 1.0, "1".into(), None);
                        push(b, 1.0, "1".into(), None);
                    }
                    BinOp::Sub => {
                        push(a, 1.0, "1".into(), None);
                        push(b, -1.0, "-1".into(), None);
                    }
                    BinOp::Mul => {
                        push(a, y, txt(b), None);
                        push(b, x, txt(a), None);
                    }
                    BinOp::Div => {
                        push(a, 1.0 / y, "1".into(), Some(txt(b)));
                        push(
                            b,
                            -x / (y * y),
                            negate(&txt(a)),
                            Some(format!("{}^2", txt(b))),
                        );
                    }
                    BinOp::Pow => match b {
                        Arg::Const(c) => {
                            let (value, num) = if c == 0.0 {
                                (0.0, "0".to_string())
                            } else if c == 1.0 {
                                (1.0, "1".to_string())
                            } else if c == 2.0 {
                                (2.0 * x, format!("2 * {}", txt(a)))
                            } else {
                                (c * x.powf(c - 1.0), format!("{c} * {}^{}", txt(a), c - 1.0))
                            };
                            push(a, value, num, None);
                        }
                        Arg::Node(_) => {
                            let (ta, tb) = (txt(a), txt(b));
                            let num = format!("{tb} * {ta}^({tb} - 1)");
                            push(a, y * x.powf(y - 1.0), num, None);
                            push(b, vj * x.ln(), format!("{me} * log({ta})"), None);
                        }
                    },
                }
            }
            Op::Call(f, a) => {
                let (x, t) = (val(*a), txt(*a));
                let (value, num, den) = match f {
                    Func::Sin => (x.cos(), format!("cos({t})"), None),
                    Func::Cos => (-x.sin(), format!("-sin({t})"), None),
                    Func::Tan => (
                        1.0 / x.cos().powi(2),
                        "1".into(),
                        Some(format!("cos({t})^2")),
                    ),
                    Func::Exp => (vj, me.clone(), None),
                    Func::Log => (1.0 / x, "1".into(), Some(t)),
                    Func::Sqrt => (0.5 / vj, "1".into(), Some(format!("(2 * {me})"))),
                    Func::Tanh => (1.0 - vj * vj, format!("(1 - {me}^2)"), None),
                    Func::Sigmoid => (vj * (1.0 - vj), format!("{me} * (1 - {me})"), None),
                    Func::Relu => (if x > 0.0 { 1.0 } else { 0.0 }, format!("[{t} > 0]"), None),
                    Func::Abs => (sign(x), format!("sign({t})"), None),
                };
                push(*a, value, num, den);
            }
        }
        out
    }

    /// Forward mode: the tangents v̇ of all nodes for the input direction `seed`
    /// (v̇ of input k = `seed[k]`). The output tangent is the directional derivative.
    pub fn tangents(&self, values: &[f64], seed: &[f64]) -> Vec<f64> {
        assert_eq!(seed.len(), self.n_inputs(), "one seed component per input");
        let mut dot = seed.to_vec();
        for j in self.n_inputs()..self.ops().len() {
            let d = self
                .partials(j, values)
                .iter()
                .filter(|p| dot[p.arg] != 0.0) // no 0 · ∞ from a singular partial
                .map(|p| p.value * dot[p.arg])
                .sum();
            dot.push(d);
        }
        dot
    }

    /// Reverse mode: the adjoints v̄_i = ∂f/∂v_i of all nodes, seeded with v̄_output = 1 and
    /// accumulated from the output back to the inputs.
    pub fn adjoints(&self, values: &[f64]) -> Vec<f64> {
        let mut bar = vec![0.0; self.ops().len()];
        bar[self.output()] = 1.0;
        for j in (self.n_inputs()..self.ops().len()).rev() {
            if bar[j] == 0.0 {
                continue; // nothing to propagate (and no 0 · ∞ from a singular partial)
            }
            for p in self.partials(j, values) {
                bar[p.arg] += bar[j] * p.value;
            }
        }
        bar
    }

    /// Checks that the adjoints and the tangents along each input in `wrt` are finite at
    /// `values`. A non-finite one means f is not differentiable there (sqrt at 0, log at 0 from
    /// a root, …) or the derivative overflows: an error naming the first node where it appears
    /// (in the order the mode computes them), never a printed `inf`/`NaN`.
    pub fn check_derivatives(&self, values: &[f64], wrt: &[usize]) -> Result<(), TraceError> {
        // The error names the operation v_j whose partial is not finite.
        let undefined = |j: usize, what: String| TraceError::Domain {
            node: format!("{} = {}", self.name(j, ""), self.formula(j)),
            message: format!(
                "{what} is not a finite number: f is not differentiable at this point (or its \
                 derivative overflows)"
            ),
        };
        let bars = self.adjoints(values);
        if let Some(i) = (0..bars.len()).rev().find(|&i| !bars[i].is_finite()) {
            // v̄_i = Σ_j v̄_j ∂v_j/∂v_i with every v̄_j finite: some ∂v_j/∂v_i is not.
            let culprit = self.children(i).iter().copied().find_map(|j| {
                self.partials(j, values)
                    .into_iter()
                    .find(|p| p.arg == i && !p.value.is_finite())
                    .map(|p| (j, p.value))
            });
            return Err(match culprit {
                Some((j, v)) => undefined(
                    j,
                    format!("∂{}/∂{} = {v}", self.name(j, ""), self.name(i, "")),
                ),
                None => undefined(i, format!("{}{} = {}", "v", BAR, bars[i])),
            });
        }
        for &k in wrt {
            let seed: Vec<f64> = (0..self.n_inputs())
                .map(|i| f64::from(u8::from(i == k)))
                .collect();
            let dots = self.tangents(values, &seed);
            if let Some(j) = dots.iter().position(|d| !d.is_finite()) {
                return Err(undefined(j, format!("{} = {}", self.name(j, DOT), dots[j])));
            }
        }
        Ok(())
    }

    /// The gradient ∇f: the adjoints of the inputs.
    pub fn gradient(&self, values: &[f64]) -> Vec<f64> {
        self.adjoints(values)[..self.n_inputs()].to_vec()
    }

    /// The tangent formula of node `j`, e.g. `-v̇_1 / v_1^2` (inputs: their seed component).
    pub fn tangent_formula(&self, j: usize, seed: &[f64]) -> String {
        if j < self.n_inputs() {
            return format!("{}", seed[j]);
        }
        // The formula does not depend on the values; any will do.
        let zeros = vec![0.0; self.ops().len()];
        let terms: Vec<String> = self
            .partials(j, &zeros)
            .iter()
            .map(|p| term(&self.name(p.arg, DOT), p, false))
            .collect();
        join_terms(&terms)
    }

    /// The adjoint formula of node `i`: `1` for the output, else Σ over its children v_j of
    /// `v̄_j · ∂v_j/∂v_i`.
    pub fn adjoint_formula(&self, i: usize) -> String {
        if i == self.output() {
            return "1".into();
        }
        let zeros = vec![0.0; self.ops().len()];
        let mut terms = Vec::new();
        for &j in self.children(i) {
            for p in self.partials(j, &zeros).iter().filter(|p| p.arg == i) {
                terms.push(term(&self.name(j, BAR), p, true));
            }
        }
        join_terms(&terms)
    }
}

/// sign x with sign 0 = 0.
fn sign(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// The negation of a formula atom: `1` → `-1`, `-a` → `a`, `(-2)` → `2`, `a` → `-a`.
fn negate(t: &str) -> String {
    if let Some(inner) = t.strip_prefix("(-").and_then(|s| s.strip_suffix(')')) {
        inner.to_string()
    } else if let Some(rest) = t.strip_prefix('-') {
        rest.to_string()
    } else {
        format!("-{t}")
    }
}

/// `sym · ∂` as text (`sym` first for adjoints, last for tangents), pulling the sign of the
/// partial to the front and dropping a factor 1: `-v̇_1 / v_1^2`, `v̄_4 * cos(v_-1)`.
fn term(sym: &str, p: &Partial, sym_first: bool) -> String {
    let (neg, num) = match p.num.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, p.num.as_str()),
    };
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    if num == "1" {
        s.push_str(sym);
    } else if sym_first {
        s.push_str(&format!("{sym} * {num}"));
    } else {
        s.push_str(&format!("{num} * {sym}"));
    }
    if let Some(den) = &p.den {
        s.push_str(&format!(" / {den}"));
    }
    s
}

/// Terms joined by `+`, a leading `-` of a later term turned into ` - `; `0` for none.
fn join_terms(terms: &[String]) -> String {
    let mut s = String::new();
    for (k, t) in terms.iter().enumerate() {
        match (k, t.strip_prefix('-')) {
            (0, _) => s.push_str(t),
            (_, Some(rest)) => s.push_str(&format!(" - {rest}")),
            (_, None) => s.push_str(&format!(" + {t}")),
        }
    }
    if s.is_empty() { "0".into() } else { s }
}
