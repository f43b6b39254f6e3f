//! Randomised checks of the tracer's gradient on seeded random expressions: against central
//! finite differences (f64) and against Burn's autodiff (f32, flex backend), and a
//! print-and-parse round trip of the generated trees.

use super::*;
use burn::prelude::*;
use burn::tensor::activation::{relu, sigmoid};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const VARS: [&str; 3] = ["x1", "x2", "x3"];

fn bx(e: Expr) -> Box<Expr> {
    Box::new(e)
}

fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
    Expr::Binary(op, bx(a), bx(b))
}

fn call(f: Func, a: Expr) -> Expr {
    Expr::Call(f, bx(a))
}

/// `e^2 + 1`: a positive argument for log, sqrt, division and variable powers.
fn positive(e: Expr) -> Expr {
    bin(
        BinOp::Add,
        bin(BinOp::Pow, e, Expr::Num(2.0)),
        Expr::Num(1.0),
    )
}

/// A random expression of depth ≤ `depth` over safe operations only: every operation stays in
/// its domain and values stay moderate (exp, tan and powers only see bounded or positive
/// arguments), so f32 and f64 results stay comparable.
fn random_expr(rng: &mut StdRng, depth: usize) -> Expr {
    if depth == 0 || rng.random_bool(0.2) {
        return if rng.random_bool(0.75) {
            Expr::Var(VARS[rng.random_range(0..VARS.len())].to_string())
        } else {
            Expr::Num((rng.random_range(0.5..2.0f64) * 100.0).round() / 100.0)
        };
    }
    let mut sub = || random_expr(rng, depth - 1);
    let (a, b) = (sub(), sub());
    match rng.random_range(0..17) {
        0 => bin(BinOp::Add, a, b),
        1 => bin(BinOp::Sub, a, b),
        2 => bin(BinOp::Mul, a, b),
        3 => bin(BinOp::Div, a, positive(b)),
        4 => bin(BinOp::Pow, a, Expr::Num(3.0)),
        5 => bin(BinOp::Pow, positive(a), call(Func::Tanh, b)),
        6 => Expr::Neg(bx(a)),
        7 => call(Func::Sin, a),
        8 => call(Func::Cos, a),
        9 => call(Func::Tan, call(Func::Tanh, a)), // |tanh| < 1 < π/2
        10 => call(Func::Exp, call(Func::Sin, a)),
        11 => call(Func::Log, positive(a)),
        12 => call(Func::Sqrt, positive(a)),
        13 => call(Func::Tanh, a),
        14 => call(Func::Sigmoid, a),
        15 => call(Func::Relu, a),
        _ => call(Func::Abs, a),
    }
}

/// Random (expression, trace, point) cases whose point is exactly representable in f32.
fn cases(seed: u64, n: usize) -> Vec<(Expr, Trace, Vec<f64>)> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = Vec::new();
    while out.len() < n {
        let e = random_expr(&mut rng, 4);
        let t = Trace::build(&e);
        if t.n_inputs() == 0 {
            continue;
        }
        let x: Vec<f64> = (0..t.n_inputs())
            .map(|_| rng.random_range(-2.0..2.0f32) as f64)
            .collect();
        out.push((e, t, x));
    }
    out
}

#[test]
fn printed_random_expressions_parse_back() {
    for (e, _, _) in cases(7, 200) {
        assert_eq!(parse(&e.to_string()).unwrap(), e);
    }
}

#[test]
fn gradient_matches_central_differences() {
    let h = 1e-6;
    for (e, t, x) in cases(1, 300) {
        let f = |x: &[f64]| {
            let v = t.eval(x).unwrap();
            v[t.output()]
        };
        let values = t.eval(&x).unwrap();
        let fx = values[t.output()];
        for (k, g) in t.gradient(&values).iter().enumerate() {
            let (mut xp, mut xm) = (x.clone(), x.clone());
            xp[k] += h;
            xm[k] -= h;
            let fd = (f(&xp) - f(&xm)) / (2.0 * h);
            // Central differences err by h²·f'''/6 ≈ 1e-12 (truncation) plus ≈ ε·|f|/h ≈
            // 1e-10·|f| (rounding); 1e-5 relative to the gradient and value sizes leaves a wide
            // margin while still catching any wrong rule (those err by O(|g|)).
            let tol = 1e-5 * (1.0 + g.abs() + fx.abs());
            assert!(
                (fd - g).abs() <= tol,
                "{e} at {x:?}: ∂/∂{k} trace {g} vs fd {fd}"
            );
        }
    }
}

/// The same expression on Burn tensors of shape [1].
fn to_burn(e: &Expr, vars: &[(String, Tensor<1>)], device: &Device) -> Tensor<1> {
    let rec = |a: &Expr| to_burn(a, vars, device);
    match e {
        Expr::Num(c) => Tensor::<1>::from_floats([*c as f32], device),
        Expr::Var(v) => vars.iter().find(|(n, _)| n == v).unwrap().1.clone(),
        Expr::Neg(a) => rec(a).neg(),
        Expr::Binary(op, a, b) => match (op, &**b) {
            (BinOp::Add, _) => rec(a) + rec(b),
            (BinOp::Sub, _) => rec(a) - rec(b),
            (BinOp::Mul, _) => rec(a) * rec(b),
            (BinOp::Div, _) => rec(a) / rec(b),
            (BinOp::Pow, Expr::Num(c)) => rec(a).powf_scalar(*c as f32),
            (BinOp::Pow, _) => rec(a).powf(rec(b)),
        },
        Expr::Call(f, a) => {
            let x = rec(a);
            match f {
                Func::Sin => x.sin(),
                Func::Cos => x.cos(),
                Func::Tan => x.tan(),
                Func::Exp => x.exp(),
                Func::Log => x.log(),
                Func::Sqrt => x.sqrt(),
                Func::Tanh => x.tanh(),
                Func::Sigmoid => sigmoid(x),
                Func::Relu => relu(x),
                Func::Abs => x.abs(),
            }
        }
    }
}

fn scalar(t: Tensor<1>) -> f64 {
    t.into_data().try_into_vec::<f32>().unwrap()[0] as f64
}

#[test]
fn gradient_matches_burn_autodiff() {
    let device = Device::flex().autodiff();
    for (e, t, x) in cases(2, 150) {
        let vars: Vec<(String, Tensor<1>)> = t
            .input_names()
            .iter()
            .zip(&x)
            .map(|(n, &v)| {
                (
                    n.to_string(),
                    Tensor::<1>::from_floats([v as f32], &device).require_grad(),
                )
            })
            .collect();
        let y = to_burn(&e, &vars, &device);
        let values = t.eval(&x).unwrap();
        let fx = values[t.output()];
        let grads = y.clone().backward();
        let fy = scalar(y);
        // f32 has ε ≈ 1.2e-7; through ≤ ~30 operations (some with condition numbers of a few)
        // the rounding stays well below 1e-4 of the sizes involved, so 1e-3 relative (with an
        // absolute floor of 1e-3 for results near zero) is safe for f32 and still far below the
        // O(1) relative error of a wrong rule.
        assert!(
            (fy - fx).abs() <= 1e-3 * (1.0 + fx.abs()),
            "{e} at {x:?}: f {fx} vs burn {fy}"
        );
        for ((name, xt), g) in vars.iter().zip(t.gradient(&values)) {
            let gb = xt.grad(&grads).map(scalar).unwrap_or(0.0);
            assert!(
                (gb - g).abs() <= 1e-3 * (1.0 + g.abs()),
                "{e} at {x:?}: ∂/∂{name} trace {g} vs burn {gb}"
            );
        }
    }
}
