//! The expression tree of the tracer's language: binary operators, the elementary functions,
//! variables (`x1, x2, …` and `x, y, z`) and a fully parenthesised printer that parses back to
//! the same tree.

use std::fmt;

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
}

impl BinOp {
    /// The operator as written in expressions.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Add => "+",
            Self::Sub => "-",
            Self::Mul => "*",
            Self::Div => "/",
            Self::Pow => "^",
        }
    }
}

/// An elementary function of one argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Func {
    Sin,
    Cos,
    Tan,
    Exp,
    Log,
    Sqrt,
    Tanh,
    Sigmoid,
    Relu,
    Abs,
}

impl Func {
    /// Every function, in the order they are listed in messages.
    pub const ALL: [Func; 10] = [
        Self::Sin,
        Self::Cos,
        Self::Tan,
        Self::Exp,
        Self::Log,
        Self::Sqrt,
        Self::Tanh,
        Self::Sigmoid,
        Self::Relu,
        Self::Abs,
    ];

    /// The function's name in expressions (`log` is the natural logarithm).
    pub fn name(self) -> &'static str {
        match self {
            Self::Sin => "sin",
            Self::Cos => "cos",
            Self::Tan => "tan",
            Self::Exp => "exp",
            Self::Log => "log",
            Self::Sqrt => "sqrt",
            Self::Tanh => "tanh",
            Self::Sigmoid => "sigmoid",
            Self::Relu => "relu",
            Self::Abs => "abs",
        }
    }

    /// The function called `name`, if any.
    pub fn from_name(name: &str) -> Option<Func> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The known names, comma-separated.
    pub fn known_names() -> String {
        Self::ALL.map(Func::name).join(", ")
    }
}

/// An expression tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Num(f64),
    Var(String),
    Neg(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Call(Func, Box<Expr>),
}

impl Expr {
    /// The distinct variables of the expression in input order: `x1, x2, …` by index, then
    /// `x, y, z`.
    pub fn variables(&self) -> Vec<String> {
        fn walk(e: &Expr, out: &mut Vec<String>) {
            match e {
                Expr::Num(_) => {}
                Expr::Var(v) => {
                    if !out.contains(v) {
                        out.push(v.clone());
                    }
                }
                Expr::Neg(a) | Expr::Call(_, a) => walk(a, out),
                Expr::Binary(_, a, b) => {
                    walk(a, out);
                    walk(b, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out);
        out.sort_by_key(|v| variable_rank(v));
        out
    }
}

/// Sort key of a variable name: `xN` by N first, then `x`, `y`, `z`.
fn variable_rank(name: &str) -> (u8, u64) {
    match name {
        "x" => (1, 0),
        "y" => (1, 1),
        "z" => (1, 2),
        _ => (0, name[1..].parse().unwrap_or(u64::MAX)),
    }
}

/// Whether `name` is a valid variable: `x`, `y`, `z` or `x` followed by a positive integer
/// without leading zeros.
pub fn is_variable(name: &str) -> bool {
    if matches!(name, "x" | "y" | "z") {
        return true;
    }
    let Some(digits) = name.strip_prefix('x') else {
        return false;
    };
    !digits.is_empty() && !digits.starts_with('0') && digits.chars().all(|c| c.is_ascii_digit())
}

/// Fully parenthesised text that parses back to the same tree.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Num(c) if *c < 0.0 => write!(f, "({c})"),
            Expr::Num(c) => write!(f, "{c}"),
            Expr::Var(v) => f.write_str(v),
            Expr::Neg(a) => write!(f, "(-{a})"),
            Expr::Binary(op, a, b) => write!(f, "({a} {} {b})", op.symbol()),
            Expr::Call(func, a) => write!(f, "{}({a})", func.name()),
        }
    }
}
