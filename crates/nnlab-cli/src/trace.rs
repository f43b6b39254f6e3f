//! `nnlab trace`: print the evaluation, forward-mode tangent and reverse-mode adjoint traces of
//! a scalar expression at a point (the tables are built by `nnlab::trace`).

use anyhow::{Result, anyhow};
use clap::Args;
use nnlab::trace::TraceError;

/// Arguments of `nnlab trace` (the help text is on `expr`: the subcommand's doc comment in
/// `main.rs` replaces a struct-level one).
#[derive(Args)]
pub struct TraceArgs {
    /// The expression f(x1, …, xn), e.g. "1/(x1+x2) + x2^2 + cos(x1)".
    ///
    /// Grammar: numbers (3, 0.5, 1e-3, pi), variables x1, x2, … (or x, y, z), + - * / ^,
    /// unary minus, parentheses and the functions sin cos tan exp log sqrt tanh sigmoid relu
    /// abs. `^` is right-associative and binds tighter than unary minus (-x^2 = -(x^2)).
    /// Identical subexpressions share one node. Conventions: relu'(0) = 0, abs'(0) = 0.
    ///
    /// Prints the evaluation trace (inputs v_{1-n} … v_0, then one operation per node v_1,
    /// v_2, …), the forward-mode tangent trace per seed direction, the reverse-mode adjoint
    /// trace v̄_i = Σ_j v̄_j ∂v_j/∂v_i, the value and the gradient.
    ///
    /// Example: nnlab trace "1/(x1+x2) + x2^2 + cos(x1)" --at x1=3,x2=6
    expr: String,
    /// The point: a value for every variable, e.g. x1=3,x2=6.
    #[arg(long, allow_hyphen_values = true)]
    at: String,
    /// Show the tangent trace only for this input (default: one table per input).
    #[arg(long)]
    wrt: Option<String>,
    /// Decimals printed for values.
    #[arg(long, default_value_t = 4)]
    digits: usize,
}

pub fn run(args: TraceArgs) -> Result<()> {
    let text = nnlab::trace::report(&args.expr, &args.at, args.wrt.as_deref(), args.digits)
        .map_err(|e| match e {
            TraceError::Setting { field, message } => anyhow!("--{field}: {message}"),
            TraceError::MissingValue(name) => {
                anyhow!("--at: no value given for {name} (add {name}=...)")
            }
            e => e.into(),
        })?;
    print!("{text}");
    Ok(())
}
