//! Tests of the tracer on hand-checked cases: the worked example, forward = reverse, shared
//! subexpressions, parse / domain / assignment errors and the rendered tables.

use super::*;

const WORKED: &str = "1/(x1+x2) + x2^2 + cos(x1)";

fn traced(expr: &str, at: &[f64]) -> (Trace, Vec<f64>) {
    let trace = Trace::build(&parse(expr).unwrap());
    let values = trace.eval(at).unwrap();
    (trace, values)
}

fn parse_err(expr: &str) -> (String, usize) {
    match parse(expr) {
        Err(TraceError::Parse {
            message, column, ..
        }) => (message, column),
        other => panic!("{expr}: expected a parse error, got {other:?}"),
    }
}

#[test]
fn worked_example_value_and_gradient() {
    let (t, v) = traced(WORKED, &[3.0, 6.0]);
    let g = t.gradient(&v);
    // 1e-12: the trace does the same few f64 operations as the closed form, so only a couple of
    // ulps (≈ 1e-15 relative on values of size ≤ 36) can separate them.
    let f = 1.0 / 9.0 + 36.0 + 3f64.cos();
    assert!((v[t.output()] - f).abs() < 1e-12);
    assert!((g[0] - (-1.0 / 81.0 - 3f64.sin())).abs() < 1e-12);
    assert!((g[1] - (-1.0 / 81.0 + 12.0)).abs() < 1e-12);
    assert_eq!(t.input_names(), vec!["x1", "x2"]);
    // v_1 = v_-1 + v_0, v_2 = 1 / v_1, v_3 = v_0 ^ 2, v_4 = v_2 + v_3, v_5 = cos(v_-1), v_6.
    assert_eq!(t.ops().len(), 2 + 6);
}

#[test]
fn forward_mode_matches_reverse_mode() {
    for (expr, at) in [
        (WORKED, vec![3.0, 6.0]),
        ("sin(x1*x2) * exp(x3) / (1 + x1^2)", vec![0.3, -1.2, 0.7]),
        (
            "sqrt(x^2 + y^2) + tanh(y) * sigmoid(x) - log(1 + x^2)",
            vec![1.5, -0.5],
        ),
        ("x1^x2 + abs(x1 - 3*x2) + relu(x2)", vec![2.0, 0.5]),
    ] {
        let (t, v) = traced(expr, &at);
        let grad = t.gradient(&v);
        for (k, g) in grad.iter().enumerate() {
            let mut seed = vec![0.0; at.len()];
            seed[k] = 1.0;
            let fwd = t.tangents(&v, &seed)[t.output()];
            // 1e-12 relative: both modes sum the same products, only in a different order.
            assert!(
                (fwd - g).abs() <= 1e-12 * g.abs().max(1.0),
                "{expr}: ∂/∂x{k} {fwd} vs {g}"
            );
        }
    }
}

#[test]
fn shared_subexpression_is_one_node_and_accumulates() {
    let (t, v) = traced("sin(x1)*sin(x1)", &[0.7]);
    let sins = t
        .ops()
        .iter()
        .filter(|op| matches!(op, Op::Call(Func::Sin, _)))
        .count();
    assert_eq!(sins, 1);
    assert_eq!(t.ops().len(), 3); // x1, sin, product
    // d/dx sin²x = 2 sin x cos x; the sin node's adjoint gets v̄ · sin x from each factor.
    let g = t.gradient(&v)[0];
    assert!((g - 2.0 * 0.7f64.sin() * 0.7f64.cos()).abs() < 1e-12);
    assert_eq!(t.adjoint_formula(1), "v\u{304}_2 * v_1 + v\u{304}_2 * v_1");
}

#[test]
fn precedence_and_associativity() {
    let num = |s: &str| {
        let (t, v) = traced(s, &[]);
        v[t.output()]
    };
    assert_eq!(num("-2^2"), -4.0); // ^ binds tighter than unary minus
    assert_eq!(num("2^3^2"), 512.0); // right-associative
    assert_eq!(num("2^-1"), 0.5);
    assert_eq!(num("1 - 2 - 3"), -4.0);
    assert_eq!(num("8 / 4 / 2"), 1.0);
    assert_eq!(num("1 + 2 * 3"), 7.0);
    assert_eq!(num("1e-3 * .5e1 + 1.5"), 1.505);
    assert_eq!(parse("-x1^2").unwrap().to_string(), "(-(x1 ^ 2))");
}

#[test]
fn malformed_expressions_point_at_the_column() {
    assert_eq!(parse_err("1 + * 2"), ("unexpected '*'".into(), 4));
    assert_eq!(parse_err("x1 +").1, 4);
    assert!(parse_err("x1 +").0.contains("end of expression"));
    assert_eq!(parse_err("(x1").1, 3);
    assert!(parse_err("(x1").0.contains("expected ')'"));
    assert_eq!(parse_err("2 $ 3"), ("unexpected character '$'".into(), 2));
    assert_eq!(parse_err("(x1 + 2))"), ("unexpected ')'".into(), 8));
    assert_eq!(parse_err("sin x1").1, 4);
    assert_eq!(parse_err("").1, 0);
    assert_eq!(parse_err("w + 1").1, 0);
    let (msg, col) = parse_err("2 * foo(x1)");
    assert_eq!(col, 4);
    assert!(msg.contains("unknown function 'foo'"));
    assert!(msg.contains("sin, cos, tan, exp, log, sqrt, tanh, sigmoid, relu, abs"));
    // The message shows the expression with a caret under the column.
    let shown = parse("1 + * 2").unwrap_err().to_string();
    assert_eq!(shown, "unexpected '*' at column 4\n    1 + * 2\n        ^");
}

#[test]
fn domain_errors_name_the_node() {
    let domain = |expr: &str, at: &[f64]| {
        Trace::build(&parse(expr).unwrap())
            .eval(at)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        domain("log(x1-x1)", &[2.0]),
        "v_2 = log(v_1): log of 0 is undefined"
    );
    assert_eq!(
        domain("log(x1)", &[-2.0]),
        "v_1 = log(v_0): log of -2 is undefined"
    );
    assert!(domain("1/(x1-x1)", &[2.0]).starts_with("v_2 = 1 / v_1: division by zero"));
    assert!(domain("sqrt(x1)", &[-1.0]).contains("sqrt of -1 is undefined"));
    assert!(domain("tan(x1)", &[std::f64::consts::FRAC_PI_2]).contains("tan of"));
    assert!(domain("tan(x1)", &[-3.0 * std::f64::consts::FRAC_PI_2]).contains("tan of"));
    assert!(domain("exp(x1)", &[1000.0]).contains("not finite"));
    assert!(domain("x1^0.5", &[-1.0]).contains("negative base"));
    assert!(domain("x1^x2", &[-1.0, 2.0]).contains("positive base"));
    // Variable-free subtrees with a domain error stay nodes, so eval reports them too.
    assert_eq!(
        domain("x1 + log(-1)", &[1.0]),
        "v_1 = log((-1)): log of -1 is undefined"
    );
}

#[test]
fn kinks_use_zero_derivatives() {
    // Conventions relu'(0) = 0 and abs'(0) = 0.
    for expr in ["relu(x1)", "abs(x1)"] {
        let (t, v) = traced(expr, &[0.0]);
        assert_eq!(t.gradient(&v), vec![0.0]);
    }
}

#[test]
fn assignments_and_missing_values() {
    assert_eq!(
        parse_assignments(" x1=3, x2 = -0.5 ,y=1e-3").unwrap(),
        vec![("x1".into(), 3.0), ("x2".into(), -0.5), ("y".into(), 1e-3)]
    );
    for bad in [
        "x1",
        "x1=",
        "x1=abc",
        "foo=1",
        "x1=1,x1=2",
        "x1=3;x2=4",
        "x1=inf",
        "",
    ] {
        assert!(
            matches!(parse_assignments(bad), Err(TraceError::Assignment(_))),
            "{bad:?} should be rejected"
        );
    }
    let t = Trace::build(&parse(WORKED).unwrap());
    let missing = t
        .input_values(&parse_assignments("x1=3").unwrap())
        .unwrap_err();
    assert_eq!(missing, TraceError::MissingValue("x2".into()));
    assert!(missing.to_string().contains("x2"));
    let extra = t.input_values(&parse_assignments("x1=3,x2=1,x3=1").unwrap());
    assert!(matches!(extra, Err(TraceError::Assignment(m)) if m.contains("x3")));
    assert!(report(WORKED, "x1=3,x2=6", Some("x7"), 4).is_err());
}

#[test]
fn evaluation_table_of_worked_example() {
    let (t, v) = traced(WORKED, &[3.0, 6.0]);
    let table = t.render_evaluation(&v, 4);
    for line in [
        "v_-1 = x1",
        "v_0 = x2",
        "v_1 = v_-1 + v_0",
        "v_2 = 1 / v_1",
        "v_3 = v_0 ^ 2",
        "v_4 = v_2 + v_3",
        "v_5 = cos(v_-1)",
        "v_6 = v_4 + v_5",
    ] {
        assert!(
            table.lines().any(|l| l.trim_start().starts_with(line)),
            "{line} in\n{table}"
        );
    }
    assert!(table.contains("35.1211")); // 1/9 + 36 + cos 3 = 35.12112...
    assert!(table.contains("0.1111"));
}

#[test]
fn derivative_tables_of_worked_example() {
    let (t, v) = traced(WORKED, &[3.0, 6.0]);
    let fwd = t.render_tangents(&v, 0, 4);
    assert!(fwd.contains("v\u{307}_2 = -v\u{307}_1 / v_1^2"), "{fwd}");
    assert!(
        fwd.contains("v\u{307}_5 = -sin(v_-1) * v\u{307}_-1"),
        "{fwd}"
    );
    let rev = t.render_adjoints(&v, 4);
    assert!(
        rev.contains("v\u{304}_-1 = v\u{304}_1 - v\u{304}_5 * sin(v_-1)"),
        "{rev}"
    );
    assert!(
        rev.contains("v\u{304}_0 = v\u{304}_1 + v\u{304}_3 * 2 * v_0"),
        "{rev}"
    );
    assert!(rev.contains("11.9877")); // 12 - 1/81
    let full = report(WORKED, "x1=3,x2=6", None, 6).unwrap();
    assert_eq!(full.matches("Forward mode").count(), 2);
    assert!(full.contains("∇f = (-0.153466, 11.987654)"), "{full}");
}
