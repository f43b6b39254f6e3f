//! The automatic-differentiation tracer: parse a scalar expression f(x1, …, xn), flatten it into
//! an evaluation trace of elementary operations, and show forward-mode tangents and reverse-mode
//! adjoints node by node.
//!
//! ```
//! use nnlab::trace::{Trace, parse};
//! let expr = parse("1/(x1+x2) + x2^2 + cos(x1)").unwrap();
//! let trace = Trace::build(&expr);
//! let values = trace.eval(&[3.0, 6.0]).unwrap();
//! let grad = trace.gradient(&values);
//! assert!((grad[1] - (12.0 - 1.0 / 81.0)).abs() < 1e-12);
//! ```
//!
//! Files: `expr` (the expression tree), `parse` (tokenizer and parser), `graph` (the trace,
//! hash-consing, evaluation), `deriv` (derivative rules, tangents, adjoints), `table` (text
//! tables).

pub mod checks;
mod deriv;
mod expr;
mod graph;
mod parse;
mod table;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_hostile;
#[cfg(test)]
mod tests_random;

pub use deriv::Partial;
pub use expr::{BinOp, Expr, Func, is_variable};
pub use graph::{Arg, Op, Trace};
pub use parse::{MAX_DEPTH, MAX_EXPR_CHARS, parse};
pub use table::{Table, fmt_value};

/// Everything that can go wrong when tracing.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TraceError {
    /// A malformed expression; the display shows the expression with a caret under `column`.
    #[error("{message} at column {column}\n    {expr}\n    {caret:>width$}", caret = "^", width = .column + 1)]
    Parse {
        message: String,
        column: usize,
        expr: String,
    },
    /// Evaluation left the domain of an operation at `node` (e.g. `v_3 = log(v_2)`).
    #[error("{node}: {message}")]
    Domain { node: String, message: String },
    /// A variable of the expression got no value.
    #[error("no value given for {0} (add {0}=... to the point)")]
    MissingValue(String),
    /// Malformed or unusable `name=value` assignments.
    #[error("{0}")]
    Assignment(String),
    /// `--wrt` names no input.
    #[error("cannot differentiate with respect to '{name}': the inputs are {inputs}")]
    UnknownInput { name: String, inputs: String },
    /// Wrong number of input values.
    #[error("expected {expected} input values, got {got}")]
    Arity { expected: usize, got: usize },
    /// The input or the requested output exceeds a documented limit.
    #[error("{0}")]
    Limit(String),
    /// A setting outside its range; `field` names it (`digits`, `wrt`), so a front end can
    /// point at the option that set it.
    #[error("{field}: {message}")]
    Setting {
        field: &'static str,
        message: String,
    },
}

impl TraceError {
    pub(crate) fn parse(message: String, column: usize, expr: &str) -> Self {
        Self::Parse {
            message,
            column,
            expr: expr.to_string(),
        }
    }
}

/// Parses `name=value` assignments separated by commas, e.g. `x1=3,x2=-0.5` (spaces allowed).
/// Names must be variables (`x1`, `x2`, …, `x`, `y`, `z`), values finite numbers, names
/// distinct.
pub fn parse_assignments(text: &str) -> Result<Vec<(String, f64)>, TraceError> {
    let bad = |msg: String| Err(TraceError::Assignment(msg));
    let mut out: Vec<(String, f64)> = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        let Some((name, value)) = part.split_once('=') else {
            return bad(format!(
                "'{part}' is not of the form name=value (e.g. x1=3)"
            ));
        };
        let (name, value) = (name.trim(), value.trim());
        if !is_variable(name) {
            return bad(format!("'{name}' is not a variable (x1, x2, … or x, y, z)"));
        }
        let v: f64 = match value.parse() {
            Ok(v) if f64::is_finite(v) => v,
            _ => return bad(format!("'{value}' (for {name}) is not a finite number")),
        };
        if out.iter().any(|(n, _)| n == name) {
            return bad(format!("{name} is given twice"));
        }
        out.push((name.to_string(), v));
    }
    Ok(out)
}

/// The index of input `name` in `trace`.
pub fn input_index(trace: &Trace, name: &str) -> Result<usize, TraceError> {
    let names = trace.input_names();
    names
        .iter()
        .position(|n| *n == name)
        .ok_or_else(|| TraceError::UnknownInput {
            name: name.to_string(),
            inputs: names.join(", "),
        })
}

/// The most decimals printed for a value (an `f64` holds about 17 significant digits).
pub const MAX_DIGITS: usize = 30;

/// The most rows of tangent tables in one report (tables × rows per table); more, and one
/// input must be chosen. This keeps the report linear in the expression size: one table per
/// input would make it quadratic.
pub const MAX_TANGENT_ROWS: usize = 50_000;

/// The full report of `nnlab trace`: the expression and point, the evaluation trace, the tangent
/// trace for `wrt` (or for each input in turn), the adjoint trace, the value and the gradient.
///
/// Errors: a malformed or oversized expression, `digits` above [`MAX_DIGITS`], more than
/// [`MAX_TANGENT_ROWS`] tangent rows, a value outside an operation's domain, and derivatives
/// that are not finite at the point (e.g. sqrt at 0): undefined results are errors, not
/// numbers.
pub fn report(
    expr: &str,
    at: &str,
    wrt: Option<&str>,
    digits: usize,
) -> Result<String, TraceError> {
    if digits > MAX_DIGITS {
        return Err(TraceError::Setting {
            field: "digits",
            message: format!("{digits} decimals asked, at most {MAX_DIGITS} are printed"),
        });
    }
    let tree = parse(expr)?;
    let trace = Trace::build(&tree);
    let inputs = trace.input_values(&parse_assignments(at)?)?;
    let wrt: Vec<usize> = match wrt {
        Some(name) => vec![input_index(&trace, name)?],
        None => (0..trace.n_inputs()).collect(),
    };
    let rows = wrt.len().saturating_mul(trace.ops().len() + 1);
    if rows > MAX_TANGENT_ROWS {
        return Err(TraceError::Setting {
            field: "wrt",
            message: format!(
                "one tangent table per input would print {} tables of {} rows ({rows} rows, \
                 more than {MAX_TANGENT_ROWS}): choose the one input to differentiate along",
                wrt.len(),
                trace.ops().len() + 1
            ),
        });
    }
    let values = trace.eval(&inputs)?;
    trace.check_derivatives(&values, &wrt)?;
    let names = trace.input_names();
    let point: Vec<String> = names
        .iter()
        .zip(&inputs)
        .map(|(n, v)| format!("{n} = {v}"))
        .collect();
    let mut s = format!(
        "f({}) = {expr}\nat {}\n\n",
        names.join(", "),
        point.join(", ")
    );
    s.push_str(&trace.render_evaluation(&values, digits));
    for k in wrt {
        s.push('\n');
        s.push_str(&trace.render_tangents(&values, k, digits));
    }
    s.push('\n');
    s.push_str(&trace.render_adjoints(&values, digits));
    let grad: Vec<String> = trace
        .gradient(&values)
        .iter()
        .map(|g| fmt_value(*g, digits))
        .collect();
    s.push_str(&format!(
        "\nf = {}\n∇f = ({})\n",
        fmt_value(values[trace.output()], digits),
        grad.join(", ")
    ));
    Ok(s)
}
