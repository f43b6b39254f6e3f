//! The evaluation trace: an expression flattened into topologically ordered nodes
//! `v_{1-n}, …, v_0` (the n inputs) and `v_1, v_2, …` (one elementary operation each), with
//! identical subtrees stored once (hash-consing) and variable-free subtrees folded into
//! constants. Evaluation with domain checks lives here; derivatives are in `deriv`.

use super::TraceError;
use super::expr::{BinOp, Expr, Func};

/// An operand of a node: an earlier node or a constant written into the formula.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Arg {
    Node(usize),
    Const(f64),
}

/// The elementary operation of a node.
#[derive(Clone, Debug, PartialEq)]
pub enum Op {
    /// An input variable.
    Input(String),
    /// A constant (only when the whole expression is variable-free).
    Const(f64),
    Neg(Arg),
    Binary(BinOp, Arg, Arg),
    Call(Func, Arg),
}

impl Op {
    /// The operands of the operation.
    pub fn args(&self) -> Vec<Arg> {
        match self {
            Op::Input(_) | Op::Const(_) => vec![],
            Op::Neg(a) | Op::Call(_, a) => vec![*a],
            Op::Binary(_, a, b) => vec![*a, *b],
        }
    }
}

/// The evaluation trace of an expression. Node `i` is printed as `v_{i+1-n}` for `n` inputs.
#[derive(Clone, Debug)]
pub struct Trace {
    ops: Vec<Op>,
    n_inputs: usize,
    output: usize,
    /// For each node, the later nodes that use it (ascending, without repeats).
    children: Vec<Vec<usize>>,
}

impl Trace {
    /// Flattens `expr` into a trace: inputs first (in [`Expr::variables`] order), then each
    /// operation after its operands. Identical subtrees get one node; variable-free subtrees
    /// become constants when they evaluate without a domain error (otherwise they stay nodes, so
    /// that [`Trace::eval`] reports the error).
    pub fn build(expr: &Expr) -> Trace {
        let inputs = expr.variables();
        let mut t = Trace {
            ops: inputs.into_iter().map(Op::Input).collect(),
            n_inputs: 0,
            output: 0,
            children: Vec::new(),
        };
        t.n_inputs = t.ops.len();
        t.output = match t.lower(expr) {
            Arg::Node(i) => i,
            Arg::Const(c) => t.intern(Op::Const(c)),
        };
        t.children = vec![Vec::new(); t.ops.len()];
        for (j, op) in t.ops.iter().enumerate() {
            for a in op.args() {
                if let Arg::Node(i) = a
                    && !t.children[i].contains(&j)
                {
                    t.children[i].push(j);
                }
            }
        }
        t
    }

    /// Lowers a subtree to an operand, adding the nodes it needs.
    fn lower(&mut self, e: &Expr) -> Arg {
        let op = match e {
            Expr::Num(c) => return Arg::Const(*c),
            Expr::Var(v) => {
                let i = self.ops.iter().position(|op| op == &Op::Input(v.clone()));
                return Arg::Node(i.expect("every variable is an input"));
            }
            Expr::Neg(a) => Op::Neg(self.lower(a)),
            Expr::Binary(bin, a, b) => {
                let a = self.lower(a);
                Op::Binary(*bin, a, self.lower(b))
            }
            Expr::Call(f, a) => Op::Call(*f, self.lower(a)),
        };
        let consts: Option<Vec<f64>> = op
            .args()
            .iter()
            .map(|a| match a {
                Arg::Const(c) => Some(*c),
                Arg::Node(_) => None,
            })
            .collect();
        if let Some(vals) = consts
            && let Ok(v) = apply(&op, &vals)
        {
            return Arg::Const(v);
        }
        Arg::Node(self.intern(op))
    }

    /// The index of the node computing `op`, adding it if no identical node exists (a linear
    /// search: traces are small).
    fn intern(&mut self, op: Op) -> usize {
        if let Some(i) = self.ops.iter().position(|o| o == &op) {
            return i;
        }
        self.ops.push(op);
        self.ops.len() - 1
    }

    /// The nodes in evaluation order.
    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    /// The number of inputs n.
    pub fn n_inputs(&self) -> usize {
        self.n_inputs
    }

    /// The input variable names, in order.
    pub fn input_names(&self) -> Vec<&str> {
        self.ops[..self.n_inputs]
            .iter()
            .map(|op| match op {
                Op::Input(name) => name.as_str(),
                _ => unreachable!("inputs come first"),
            })
            .collect()
    }

    /// The index of the output node.
    pub fn output(&self) -> usize {
        self.output
    }

    /// The nodes that use node `i`, ascending.
    pub fn children(&self, i: usize) -> &[usize] {
        &self.children[i]
    }

    /// The printed index of node `i`: inputs are `1-n … 0`, operations `1, 2, …`.
    pub fn index(&self, i: usize) -> isize {
        i as isize + 1 - self.n_inputs as isize
    }

    /// `v_k` for node `i` (with `mark` = `""`, `"̇"` (dot) or `"̄"` (bar) after the `v`).
    pub fn name(&self, i: usize, mark: &str) -> String {
        format!("v{mark}_{}", self.index(i))
    }

    /// The text of an operand: `v_k` or the constant (negative ones in parentheses).
    pub fn arg_text(&self, a: Arg) -> String {
        match a {
            Arg::Node(i) => self.name(i, ""),
            Arg::Const(c) => const_text(c),
        }
    }

    /// The right-hand side of node `i` in terms of earlier nodes, e.g. `v_-1 + v_0`.
    pub fn formula(&self, i: usize) -> String {
        match &self.ops[i] {
            Op::Input(name) => name.clone(),
            Op::Const(c) => const_text(*c),
            Op::Neg(a) => format!("-{}", self.arg_text(*a)),
            Op::Binary(op, a, b) => {
                format!(
                    "{} {} {}",
                    self.arg_text(*a),
                    op.symbol(),
                    self.arg_text(*b)
                )
            }
            Op::Call(f, a) => format!("{}({})", f.name(), self.arg_text(*a)),
        }
    }

    /// Values of all nodes for the input values `inputs` (in [`Trace::input_names`] order).
    /// A domain error names the node, e.g. `v_3 = log(v_2): log of -2 is undefined`.
    pub fn eval(&self, inputs: &[f64]) -> Result<Vec<f64>, TraceError> {
        if inputs.len() != self.n_inputs {
            return Err(TraceError::Arity {
                expected: self.n_inputs,
                got: inputs.len(),
            });
        }
        let mut values = Vec::with_capacity(self.ops.len());
        for (i, op) in self.ops.iter().enumerate() {
            let v = match op {
                Op::Input(_) => inputs[i],
                _ => {
                    let args: Vec<f64> = op.args().iter().map(|&a| arg_value(a, &values)).collect();
                    apply(op, &args).map_err(|message| TraceError::Domain {
                        node: format!("{} = {}", self.name(i, ""), self.formula(i)),
                        message,
                    })?
                }
            };
            values.push(v);
        }
        Ok(values)
    }

    /// Maps `name = value` assignments onto the inputs. Every input needs a value; a value for a
    /// variable the expression does not use is an error too (it is most likely a typo).
    pub fn input_values(&self, assignments: &[(String, f64)]) -> Result<Vec<f64>, TraceError> {
        let names = self.input_names();
        if let Some((extra, _)) = assignments
            .iter()
            .find(|(n, _)| !names.contains(&n.as_str()))
        {
            return Err(TraceError::Assignment(format!(
                "'{extra}' is given a value but does not appear in the expression (inputs: {})",
                names.join(", ")
            )));
        }
        names
            .iter()
            .map(|name| {
                assignments
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| *v)
                    .ok_or_else(|| TraceError::MissingValue(name.to_string()))
            })
            .collect()
    }
}

/// The value of an operand given the values of earlier nodes.
pub fn arg_value(a: Arg, values: &[f64]) -> f64 {
    match a {
        Arg::Node(i) => values[i],
        Arg::Const(c) => c,
    }
}

/// A constant as written in formulas: shortest round-trip form, negatives in parentheses.
pub fn const_text(c: f64) -> String {
    if c < 0.0 {
        format!("({c})")
    } else {
        format!("{c}")
    }
}

/// `cos x` below this counts as zero for `tan`: the double nearest an odd multiple of π/2 has
/// `|cos| ≈ 6e-17 · (2k+1)`, so `tan` there is huge but finite.
const TAN_POLE: f64 = 1e-12;

/// Applies a non-input operation to its operand values, checking the domain: `log` needs
/// `a > 0`, `sqrt` needs `a ≥ 0`, `/` a non-zero divisor, `tan` an argument away from the
/// poles, `a ^ c` with a constant `c` needs `a ≥ 0` unless `c` is an integer (and `a ≠ 0` if
/// `c < 0`), `a ^ b` with a variable exponent needs `a > 0`; any non-finite result is an error.
pub fn apply(op: &Op, args: &[f64]) -> Result<f64, String> {
    let v = match *op {
        Op::Input(_) => unreachable!("inputs are not computed"),
        Op::Const(c) => c,
        Op::Neg(_) => -args[0],
        Op::Binary(bin, _, b) => {
            let (x, y) = (args[0], args[1]);
            match bin {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                BinOp::Div if y == 0.0 => return Err(format!("division by zero ({x} / 0)")),
                BinOp::Div => x / y,
                BinOp::Pow => match b {
                    Arg::Const(c) if x < 0.0 && c.fract() != 0.0 => {
                        return Err(format!("{x} ^ {c}: a negative base needs an integer power"));
                    }
                    Arg::Const(c) if x == 0.0 && c < 0.0 => {
                        return Err(format!("0 ^ {c}: division by zero"));
                    }
                    Arg::Node(_) if x <= 0.0 => {
                        return Err(format!(
                            "{x} ^ {y}: a variable exponent needs a positive base"
                        ));
                    }
                    _ => x.powf(y),
                },
            }
        }
        Op::Call(f, _) => {
            let x = args[0];
            match f {
                Func::Sin => x.sin(),
                Func::Cos => x.cos(),
                Func::Tan if x.cos().abs() < TAN_POLE => {
                    return Err(format!("tan of {x} is undefined (an odd multiple of π/2)"));
                }
                Func::Tan => x.tan(),
                Func::Exp => x.exp(),
                Func::Log if x <= 0.0 => return Err(format!("log of {x} is undefined")),
                Func::Log => x.ln(),
                Func::Sqrt if x < 0.0 => return Err(format!("sqrt of {x} is undefined")),
                Func::Sqrt => x.sqrt(),
                Func::Tanh => x.tanh(),
                Func::Sigmoid => 1.0 / (1.0 + (-x).exp()),
                Func::Relu => x.max(0.0),
                Func::Abs => x.abs(),
            }
        }
    };
    if v.is_finite() {
        Ok(v)
    } else {
        Err(format!("the result is not finite ({v})"))
    }
}
