//! The tracer's expression language: a tokenizer and a recursive-descent parser from text to an
//! [`Expr`] tree.
//!
//! Grammar (usual precedence, `^` right-associative and tighter than unary minus, so
//! `-x^2 = -(x^2)` and `2^-1 = 0.5`):
//!
//! ```text
//! expr    := term (('+' | '-') term)*
//! term    := unary (('*' | '/') unary)*
//! unary   := ('-' | '+') unary | power
//! power   := primary ('^' unary)?
//! primary := number | variable | 'pi' | function '(' expr ')' | '(' expr ')'
//! ```
//!
//! Numbers: `3`, `0.5`, `.5`, `1e-3`. Variables: `x1`, `x2`, … and `x`, `y`, `z`. Functions:
//! see [`Func::ALL`]. The minus sign `−` (U+2212) is accepted as `-`. Errors carry the 0-based
//! character column of the offending character.
//!
//! Limits (hostile input): at most [`MAX_EXPR_CHARS`] characters, and at most [`MAX_DEPTH`]
//! nested levels of parentheses, function calls, unary signs and exponents. Every recursion
//! of the parser passes through `unary`, which counts the depth, so no input can overflow the
//! stack; the length limit bounds the tree (and so the trace and the recursive walks over it).

use super::TraceError;
use super::expr::{BinOp, Expr, Func, is_variable};

/// The longest expression accepted, in characters.
pub const MAX_EXPR_CHARS: usize = 4000;

/// The deepest nesting accepted (parentheses, function calls, unary signs and exponents).
pub const MAX_DEPTH: usize = 200;

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Ident(String),
    Sym(char),
    End,
}

impl Tok {
    fn describe(&self, text: &str) -> String {
        match self {
            Tok::Num(_) => format!("number '{text}'"),
            Tok::Ident(_) => format!("'{text}'"),
            Tok::Sym(c) => format!("'{c}'"),
            Tok::End => "end of expression".into(),
        }
    }
}

/// A token with its column and source text.
struct Token {
    tok: Tok,
    col: usize,
    text: String,
}

fn tokenize(src: &str) -> Result<Vec<Token>, TraceError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let tok = if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            if i < chars.len() && chars[i] == '.' {
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
            }
            // An exponent only when digits follow `e`, `e+` or `e-`.
            if i < chars.len() && (chars[i] == 'e' || chars[i] == 'E') {
                let mut j = i + 1;
                if j < chars.len() && (chars[j] == '+' || chars[j] == '-') {
                    j += 1;
                }
                if j < chars.len() && chars[j].is_ascii_digit() {
                    i = j;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            let text: String = chars[start..i].iter().collect();
            match text.parse::<f64>() {
                Ok(v) if v.is_finite() => Tok::Num(v),
                _ => {
                    return Err(TraceError::parse(
                        format!("bad number '{text}'"),
                        start,
                        src,
                    ));
                }
            }
        } else if c.is_ascii_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            Tok::Ident(chars[start..i].iter().collect())
        } else if "+-*/^()".contains(c) || c == '\u{2212}' {
            i += 1;
            Tok::Sym(if c == '\u{2212}' { '-' } else { c })
        } else {
            return Err(TraceError::parse(
                format!("unexpected character '{c}'"),
                start,
                src,
            ));
        };
        out.push(Token {
            tok,
            col: start,
            text: chars[start..i].iter().collect(),
        });
    }
    out.push(Token {
        tok: Tok::End,
        col: chars.len(),
        text: String::new(),
    });
    Ok(out)
}

/// Parses `src` into an expression tree; errors name the 0-based column of the offending
/// character.
pub fn parse(src: &str) -> Result<Expr, TraceError> {
    let n_chars = src.chars().count();
    if n_chars > MAX_EXPR_CHARS {
        return Err(TraceError::Limit(format!(
            "the expression has {n_chars} characters, more than the {MAX_EXPR_CHARS} accepted"
        )));
    }
    let tokens = tokenize(src)?;
    let mut p = Parser {
        src,
        tokens,
        pos: 0,
        depth: 0,
    };
    if p.peek() == &Tok::End {
        return Err(TraceError::parse("empty expression".into(), 0, src));
    }
    let e = p.expr()?;
    if p.peek() != &Tok::End {
        return Err(p.unexpected());
    }
    Ok(e)
}

struct Parser<'a> {
    src: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    /// Current nesting depth (levels of `unary` on the call stack).
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.tokens[self.pos].tok
    }

    fn col(&self) -> usize {
        self.tokens[self.pos].col
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == &Tok::Sym(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn unexpected(&self) -> TraceError {
        let t = &self.tokens[self.pos];
        TraceError::parse(
            format!("unexpected {}", t.tok.describe(&t.text)),
            t.col,
            self.src,
        )
    }

    fn expr(&mut self) -> Result<Expr, TraceError> {
        let mut e = self.term()?;
        loop {
            let op = if self.eat('+') {
                BinOp::Add
            } else if self.eat('-') {
                BinOp::Sub
            } else {
                return Ok(e);
            };
            e = Expr::Binary(op, Box::new(e), Box::new(self.term()?));
        }
    }

    fn term(&mut self) -> Result<Expr, TraceError> {
        let mut e = self.unary()?;
        loop {
            let op = if self.eat('*') {
                BinOp::Mul
            } else if self.eat('/') {
                BinOp::Div
            } else {
                return Ok(e);
            };
            e = Expr::Binary(op, Box::new(e), Box::new(self.unary()?));
        }
    }

    /// Every recursive path of the parser passes through here: the depth guard.
    fn unary(&mut self) -> Result<Expr, TraceError> {
        if self.depth >= MAX_DEPTH {
            let msg = format!(
                "expression nested too deeply: more than {MAX_DEPTH} levels of parentheses, \
                 functions, unary signs or exponents"
            );
            return Err(TraceError::parse(msg, self.col(), self.src));
        }
        self.depth += 1;
        let e = self.unary_inner();
        self.depth -= 1;
        e
    }

    fn unary_inner(&mut self) -> Result<Expr, TraceError> {
        if self.eat('-') {
            Ok(Expr::Neg(Box::new(self.unary()?)))
        } else if self.eat('+') {
            self.unary()
        } else {
            self.power()
        }
    }

    fn power(&mut self) -> Result<Expr, TraceError> {
        let base = self.primary()?;
        if self.eat('^') {
            // The exponent is a `unary`, which recurses into `power`: right-associative.
            Ok(Expr::Binary(
                BinOp::Pow,
                Box::new(base),
                Box::new(self.unary()?),
            ))
        } else {
            Ok(base)
        }
    }

    fn primary(&mut self) -> Result<Expr, TraceError> {
        let col = self.col();
        match self.peek().clone() {
            Tok::Num(v) => {
                self.pos += 1;
                Ok(Expr::Num(v))
            }
            Tok::Sym('(') => {
                self.pos += 1;
                let e = self.expr()?;
                self.close(col)?;
                Ok(e)
            }
            Tok::Ident(name) => {
                self.pos += 1;
                if self.peek() == &Tok::Sym('(') {
                    let Some(func) = Func::from_name(&name) else {
                        let msg = format!(
                            "unknown function '{name}' (known functions: {})",
                            Func::known_names()
                        );
                        return Err(TraceError::parse(msg, col, self.src));
                    };
                    let open = self.col();
                    self.pos += 1;
                    let arg = self.expr()?;
                    self.close(open)?;
                    Ok(Expr::Call(func, Box::new(arg)))
                } else if Func::from_name(&name).is_some() {
                    let msg = format!("expected '(' after '{name}'");
                    Err(TraceError::parse(msg, self.col(), self.src))
                } else if name == "pi" {
                    Ok(Expr::Num(std::f64::consts::PI))
                } else if is_variable(&name) {
                    Ok(Expr::Var(name))
                } else {
                    let msg = format!(
                        "unknown variable '{name}' (variables are x1, x2, … or x, y, z; \
                         functions need parentheses)"
                    );
                    Err(TraceError::parse(msg, col, self.src))
                }
            }
            _ => Err(self.unexpected()),
        }
    }

    /// Consumes the `)` matching the `(` at column `open`.
    fn close(&mut self, open: usize) -> Result<(), TraceError> {
        if self.eat(')') {
            return Ok(());
        }
        let t = &self.tokens[self.pos];
        let msg = format!(
            "expected ')' to close the '(' at column {open}, found {}",
            t.tok.describe(&t.text)
        );
        Err(TraceError::parse(msg, t.col, self.src))
    }
}
