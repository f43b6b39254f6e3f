//! Proof-sheet check of the AD tracer (see [`crate::verify`]): the reverse-mode gradient against
//! central finite differences on expressions with shared subexpressions, at seeded points.

use super::*;
use crate::verify::{Check, Measurement, worst};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Expressions over every operation, several with a variable or subexpression used more than
/// once (fan-out, where reverse mode must accumulate adjoints), all defined on [−2, 2]³.
pub const EXPRESSIONS: [&str; 6] = [
    "1/(x1^2+x2^2+1) + x2^2 + cos(x1)",
    "exp(sin(x1*x2)) * log(x3^2 + 1) - x1*x2",
    "sigmoid(x1) * tanh(x2) - sqrt(x1^2 + x2^2 + 1)",
    "(x1^2 + 1)^tanh(x2) + abs(x3) * relu(x1 + 3)",
    "tan(tanh(x1*x3)) / (x2^2 + 2) + (x1*x3)^3",
    "-x1*x1*x1 + x1/(x3^2 + 1) + log(exp(x2) + exp(x1))",
];

/// A gradient under test: (trace, node values) ↦ ∇f.
pub type Gradient = fn(&Trace, &[f64]) -> Vec<f64>;

/// The largest |g_k − (f(x + h e_k) − f(x − h e_k))/(2h)| / (1 + |g_k| + |f|) over
/// [`EXPRESSIONS`] at 4 seeded points each, h = 1e-6, with g = `gradient`.
pub fn gradient_vs_differences(gradient: Gradient, seed: u64) -> Measurement {
    let mut rng = StdRng::seed_from_u64(seed);
    let h = 1e-6;
    let mut errs = Vec::new();
    for src in EXPRESSIONS {
        let trace = Trace::build(&parse(src).expect("valid expression"));
        let f = |x: &[f64]| trace.eval(x).map(|v| v[trace.output()]).unwrap_or(f64::NAN);
        for _ in 0..4 {
            // Away from the kinks of abs and relu (|x3| ≥ 0.1, x1 + 3 > 0 on [−2, 2]).
            let x: Vec<f64> = (0..trace.n_inputs())
                .map(|_| rng.random_range(0.1..2.0) * if rng.random_bool(0.5) { 1.0 } else { -1.0 })
                .collect();
            let values = trace.eval(&x).expect("in the domain");
            let fx = values[trace.output()];
            for (k, g) in gradient(&trace, &values).iter().enumerate() {
                let (mut xp, mut xm) = (x.clone(), x.clone());
                xp[k] += h;
                xm[k] -= h;
                let fd = (f(&xp) - f(&xm)) / (2.0 * h);
                errs.push((fd - g).abs() / (1.0 + g.abs() + fx.abs()));
            }
        }
    }
    Measurement::new(
        worst(errs),
        format!("{} expressions × 4 points, h = 1e-6", EXPRESSIONS.len()),
    )
}

/// Reverse mode that assigns v̄_i = v̄_j ∂v_j/∂v_i instead of accumulating (a wrong sweep: it
/// loses every path but the last through a node used more than once).
fn overwriting_gradient(trace: &Trace, values: &[f64]) -> Vec<f64> {
    let mut bar = vec![0.0; trace.ops().len()];
    bar[trace.output()] = 1.0;
    for j in (trace.n_inputs()..trace.ops().len()).rev() {
        for p in trace.partials(j, values) {
            bar[p.arg] = bar[j] * p.value;
        }
    }
    bar[..trace.n_inputs()].to_vec()
}

/// The AD tracer vs finite differences.
pub const TRACER_GRADIENT: Check = Check {
    id: "trace.ad-vs-fd",
    identity: "reverse mode: v_bar_i = sum_{j child of i} v_bar_j dv_j/dv_i gives grad f",
    method: "central finite differences (h = 1e-6) on 6 expressions with fan-out, f64",
    tolerance: 1e-6,
    why: "truncation h^2 f'''/6 ~ 1e-12 plus rounding eps|f|/h ~ 1e-10, relative to 1 + |g| + |f|",
    measure: |seed| gradient_vs_differences(|t, v| t.gradient(v), seed),
    broken: |seed| gradient_vs_differences(overwriting_gradient, seed),
    fault: "adjoints overwritten instead of accumulated",
};
