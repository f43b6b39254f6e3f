//! Hostile inputs to the tracer: nesting that would overflow the stack, oversized expressions
//! and outputs, absurd precision, and points where the derivative does not exist.

use super::*;

fn parse_err(src: &str) -> String {
    parse(src).unwrap_err().to_string()
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    // The reproductions: 10 000 '(' , nested sin( and 100 000 unary minus (the last two
    // exceed the length limit first; at 1 000 they hit the depth limit).
    let parens = format!("{}x{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(parse_err(&parens).contains("characters, more than"));
    for src in [
        format!("{}x{}", "(".repeat(1000), ")".repeat(1000)),
        format!("{}x{}", "sin(".repeat(500), ")".repeat(500)),
        format!("{}x", "-".repeat(1000)),
        format!("{}x", "x^".repeat(1000)),
    ] {
        let m = parse_err(&src);
        assert!(m.contains("nested too deeply"), "{m}");
    }
    let m = parse_err(&format!("{}x", "-".repeat(100_000)));
    assert!(m.contains("100001 characters"), "{m}");
}

#[test]
fn nesting_just_below_the_limit_parses_and_evaluates() {
    // 199 unary minus signs (plus the one level of the operand itself) = MAX_DEPTH levels.
    let src = format!("{}x", "-".repeat(MAX_DEPTH - 1));
    let e = parse(&src).unwrap();
    let t = Trace::build(&e);
    let v = t.eval(&[2.0]).unwrap();
    assert_eq!(v[t.output()], -2.0, "an odd number of minus signs");
    let src = format!(
        "{}x{}",
        "(".repeat(MAX_DEPTH - 1),
        ")".repeat(MAX_DEPTH - 1)
    );
    assert!(parse(&src).is_ok());
    let src = format!("{}x{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert!(parse_err(&src).contains("nested too deeply"));
}

#[test]
fn longest_chain_builds_evaluates_and_drops_on_a_test_thread_stack() {
    // x + x + … + x with MAX_EXPR_CHARS − 1 characters: a left-deep tree of depth 1999 that the
    // recursive walks (lowering, variables, drop) must handle on a 2 MiB test-thread stack.
    let terms = MAX_EXPR_CHARS / 2;
    let src = format!("x{}", "+x".repeat(terms - 1));
    assert!(src.len() <= MAX_EXPR_CHARS);
    let text = report(&src, "x=1", None, 4).unwrap();
    assert!(
        text.contains(&format!("f = {terms}.0000")),
        "the sum of {terms} ones"
    );
    assert!(text.contains(&format!("∇f = ({terms}.0000)")));
}

#[test]
fn output_stays_linear_in_the_expression() {
    // x1 + x2 + … : one tangent table per input would be quadratic; the report refuses and
    // asks for one input, and with one input the text stays small.
    let n = 600;
    let src: Vec<String> = (1..=n).map(|i| format!("x{i}")).collect();
    let src = src.join("+");
    let at: Vec<String> = (1..=n).map(|i| format!("x{i}=1")).collect();
    let at = at.join(",");
    let m = report(&src, &at, None, 4).unwrap_err().to_string();
    assert!(
        m.starts_with("wrt:") && m.contains("choose the one input"),
        "{m}"
    );
    let text = report(&src, &at, Some("x7"), 4).unwrap();
    assert!(text.len() < 1 << 20, "report of {} bytes", text.len());
    assert!(text.contains(&format!("f = {n}.0000")));
}

#[test]
fn digits_are_bounded() {
    let m = report("x^2", "x=3", None, 65_536).unwrap_err().to_string();
    assert!(m.starts_with("digits:") && m.contains("at most 30"), "{m}");
    let text = report("x^2", "x=3", None, MAX_DIGITS).unwrap();
    assert!(text.contains(&format!("f = 9.{}", "0".repeat(MAX_DIGITS))));
}

#[test]
fn undefined_derivatives_are_errors() {
    // sqrt'(0) = 1/(2·0): the gradient does not exist; the error names the node.
    let m = report("sqrt(x)", "x=0", None, 4).unwrap_err().to_string();
    assert!(
        m.contains("v_1 = sqrt(v_0)") && m.contains("∂v_1/∂v_0 = inf"),
        "{m}"
    );
    let m = report("sqrt(x1) + x2", "x1=0,x2=1", Some("x2"), 4)
        .unwrap_err()
        .to_string();
    assert!(
        m.contains("not differentiable"),
        "adjoint of x1 is inf: {m}"
    );
    // Away from 0 it is fine, and at 0 a derivative that exists is still printed.
    assert!(
        report("sqrt(x)", "x=4", None, 4)
            .unwrap()
            .contains("0.2500")
    );
    assert!(report("abs(x)", "x=0", None, 4).is_ok());
}

/// Strings over the expression alphabet, weighted towards tokens that nest.
fn expression_text() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let atoms = prop::sample::select(vec![
        "x", "x1", "x2", "y", "1", "0", "2.5", "1e308", "1e-3", ".5", "pi", "+", "-", "*", "/",
        "^", "(", ")", "sin(", "log(", "sqrt(", "exp(", "abs(", "relu(", " ", "−", "e", "q", "",
    ]);
    prop::collection::vec(atoms, 0..40).prop_map(|v| v.concat())
}

/// No input panics; an accepted expression prints (fully parenthesised) as text that parses
/// back to the same tree; a report either succeeds with finite numbers or is an error.
fn fuzz_expressions(cases: u32, seeded: bool) {
    use proptest::prelude::*;
    let mut runner = crate::data::fuzz_tests::fuzz_runner(cases, seeded);
    runner
        .run(&expression_text(), |src| {
            if let Ok(e) = parse(&src) {
                if let Ok(again) = parse(&e.to_string()) {
                    prop_assert_eq!(again, e);
                }
                if let Ok(text) = report(&src, "x=0.5,x1=1.5,x2=-2,y=3", None, 6) {
                    prop_assert!(!text.contains("NaN") && !text.contains("inf"), "{}", text);
                }
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn fuzz_expressions_quick() {
    fuzz_expressions(crate::data::fuzz_tests::QUICK_CASES, true);
}

#[test]
#[ignore = "long fuzz run (NNLAB_FUZZ_CASES cases): run the ignored fuzz tests"]
fn fuzz_expressions_long() {
    fuzz_expressions(crate::data::fuzz_tests::long_cases(), false);
}
