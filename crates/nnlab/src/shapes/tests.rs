//! Worked examples: the course CNN checked by hand, dilation, parser and shape errors (token and
//! offset), the solver's examples and its error cases.

use super::*;

const COURSE: &str =
    "input 28x28x1; conv 3x3 f10 p1 s1; maxpool 2; conv 3x3 f10 p1; maxpool 2; flatten; fc 3";

fn spec_err(desc: &str) -> SpecError {
    match analyze(desc) {
        Err(ShapesError::Spec(e)) => e,
        other => panic!("expected a located error for {desc:?}, got {other:?}"),
    }
}

/// Asserts the error's token and its character offset, and that the offset points at the token.
fn assert_at(desc: &str, token: &str, offset: usize, message_part: &str) -> SpecError {
    let e = spec_err(desc);
    assert_eq!((e.token.as_str(), e.offset), (token, offset), "{e}");
    let at: String = desc
        .chars()
        .skip(offset)
        .take(token.chars().count())
        .collect();
    assert_eq!(at, token);
    assert!(
        e.message.contains(message_part),
        "{:?} lacks {message_part:?}",
        e.message
    );
    e
}

#[test]
fn course_example_by_hand() {
    let r = analyze(COURSE).unwrap();
    let shapes: Vec<String> = r.layers.iter().map(|l| l.output.to_string()).collect();
    assert_eq!(
        shapes,
        [
            "28x28x1", "28x28x10", "14x14x10", "14x14x10", "7x7x10", "490", "3"
        ]
    );
    // conv: 3·3·1·10 + 10 = 100; conv: 3·3·10·10 + 10 = 910; fc: 490·3 + 3 = 1473.
    let params: Vec<u64> = r.layers.iter().map(|l| l.params).collect();
    assert_eq!(params, [0, 100, 0, 910, 0, 0, 1473]);
    assert_eq!(r.layers[1].params_formula, "3·3·1·10 + 10 = 100");
    assert_eq!(r.layers[3].params_formula, "3·3·10·10 + 10 = 910");
    assert_eq!(r.layers[6].params_formula, "490·3 + 3 = 1473");
    assert_eq!(r.layers[2].params_formula, "0");
    assert_eq!((r.params, r.weights, r.biases), (2483, 90 + 900 + 1470, 23));
    // Receptive fields by hand, r_out = r_in + (k−1)·d·j_in, j_out = j_in·s from r = j = 1:
    // conv3 s1: r = 1 + 2·1 = 3, j = 1; maxpool2: r = 3 + 1·1 = 4, j = 2;
    // conv3 s1: r = 4 + 2·2 = 8, j = 2; maxpool2: r = 8 + 1·2 = 10, j = 4;
    // flatten keeps 10; fc sees the whole 28x28 input.
    let rf: Vec<u64> = r.layers.iter().map(|l| l.receptive_field[0]).collect();
    assert_eq!(rf, [1, 3, 4, 8, 10, 10, 28]);
    let jumps: Vec<u64> = r.layers.iter().map(|l| l.jump).collect();
    assert_eq!(jumps[..6], [1, 1, 2, 2, 4, 4]);
    assert!(r.layers[6].whole_input && !r.layers[5].whole_input);
    assert_eq!(r.layers[6].receptive_field_text(), "all 28x28");
    assert_eq!(r.layers[4].receptive_field_text(), "10");

    let table = r.table();
    assert!(table.contains("490·3 + 3 = 1473"), "{table}");
    assert!(
        table.contains("total: 2483 parameters = 2460 weights + 23 biases"),
        "{table}"
    );
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["layers"][1]["output"], serde_json::json!([28, 28, 10]));
    assert_eq!(json["layers"][5]["output"], serde_json::json!([490]));
    assert_eq!(json["params"], 2483);
}

#[test]
fn dilation_and_options() {
    // A 3x3 conv with d = 2 spans 5 inputs: receptive field 5, output i − 4.
    let r = analyze("input 20x20x3; conv k3 d2 f4 nobias").unwrap();
    let conv = &r.layers[1];
    assert_eq!(conv.output, Shape::Image { h: 16, w: 16, c: 4 });
    assert_eq!(conv.receptive_field, [5, 5]);
    assert_eq!((conv.weights, conv.biases), (3 * 3 * 3 * 4, 0));
    assert_eq!(conv.params_formula, "3·3·3·4 = 108");
    // Non-square kernels, options in any order, newlines, comments, activations, avgpool.
    let r = analyze("input 10x12 # grey\nconv p1 f2 3x5 s2\nrelu\navgpool 2x2 s1; tanh").unwrap();
    assert_eq!(r.layers[1].output, Shape::Image { h: 5, w: 5, c: 2 });
    assert_eq!(r.layers[1].receptive_field_text(), "3x5");
    assert_eq!(r.layers[2].output, r.layers[1].output);
    assert_eq!(r.layers[3].output, Shape::Image { h: 4, w: 4, c: 2 });
    // r = 3 + 1·1·2 = 5 (height), 5 + 2 = 7 (width); j = 2.
    assert_eq!(
        (r.layers[3].receptive_field.clone(), r.layers[3].jump),
        (vec![5, 7], 2)
    );
    // A vector input.
    let r = analyze("input 784; fc 256; relu; fc 10 nobias").unwrap();
    assert_eq!(r.params, 784 * 256 + 256 + 256 * 10);
    assert_eq!(r.layers[3].receptive_field_text(), "all 784");
}

#[test]
fn output_size_examples() {
    assert_eq!(output_size(28, 3, 1, 1, 1), Some(28));
    assert_eq!(output_size(28, 2, 2, 0, 1), Some(14));
    assert_eq!(output_size(7, 3, 2, 0, 1), Some(3));
    assert_eq!(output_size(10, 3, 1, 0, 2), Some(6));
    assert_eq!(output_size(2, 5, 1, 0, 1), None);
    assert_eq!(output_size(5, 0, 1, 0, 1), None);
    assert_eq!(output_size(5, 1, 0, 0, 1), None);
    assert_eq!(receptive_step(1, 1, 3, 1, 2), Some((5, 1)));
    assert_eq!(
        receptive_step(1, u64::MAX / 2, 2, 3, 1),
        None,
        "the jump overflows"
    );
    assert_eq!(
        receptive_step(u64::MAX, 1, 2, 1, 1),
        None,
        "the field overflows"
    );
}

#[test]
fn parser_errors_point_at_the_token() {
    // Missing filters: the caret goes just after the layer (offset 26 = end of `p1`).
    assert_at("input 28x28x1; conv 3x3 p1", "", 26, "expected `fF`");
    assert_at("input 28x28x1; conv 3x3 f0", "f0", 24, "at least 1");
    assert_at("input 28x28x1; conv 0x3 f2", "0x3", 20, "at least 1");
    assert_at("input 28x28x1; conv 3 f2 s0", "s0", 25, "at least 1");
    let e = assert_at("input 28x28; pool 2", "pool", 13, "unknown layer `pool`");
    assert!(e.message.contains("maxpool, avgpool"), "{e}");
    assert_eq!(e.layer, 1);
    assert_at("input 8; fc", "", 11, "expected `fc N`");
    assert_at("input 8; fc ten", "ten", 12, "expected a number");
    assert_at("conv 3x3 f2", "conv", 0, "missing input layer");
    assert_at("input 4x4; input 4", "input", 11, "only the first");
    assert_at("input 4x4; conv 3 f2 s1 s2", "s2", 24, "given twice");
    assert_at(
        "input 4x4; maxpool 2 f3",
        "f3",
        21,
        "`maxpool` takes no filters",
    );
    assert_at("input 4x4; conv 3 f2 q7", "q7", 21, "unexpected `q7`");
    assert_at("input 4x4; relu 2", "2", 16, "takes no arguments");
    assert_at("input 4x4x1x2", "4x4x1x2", 6, "expected the input size");
    assert_at("input 4x4; maxpool 2x3", "2x3", 19, "explicit stride");
    assert_at("  ;\n", "", 0, "empty description");
    // Multi-byte characters count once; the second line is shown with the caret.
    let e = assert_at("input 4x4 # größe\nconv 3 f2 ü", "ü", 28, "unexpected `ü`");
    assert_eq!(e.line_and_column(), ("conv 3 f2 ü", 10));
    assert_eq!(
        e.to_string(),
        format!(
            "layer 1 (conv 3 f2 ü): {}\n    conv 3 f2 ü\n              ^",
            e.message
        )
    );
}

#[test]
fn shape_errors_point_at_the_layer() {
    let e = assert_at("input 4x4x1; conv 5x5 f2", "5x5", 18, "");
    assert_eq!(e.layer, 1);
    assert_eq!(
        e.to_string(),
        "layer 1 (conv 5x5 f2): input 4x4 too small for kernel 5 with padding 0\n    \
         input 4x4x1; conv 5x5 f2\n                      ^"
    );
    let e = assert_at(
        "input 28x28x1; conv 3 f4; maxpool 2; conv 5x5 f2 s3; conv 5x5 f1",
        "5x5",
        58,
        "",
    );
    assert_eq!(e.message, "input 3x3 too small for kernel 5 with padding 0");
    assert_eq!(e.layer, 4);
    let e = assert_at("input 6x6; conv 3 d3 f1", "3", 16, "");
    assert_eq!(
        e.message,
        "input 6x6 too small for kernel 3 and dilation 3 (span 7) with padding 0"
    );
    assert_at("input 7x7x10; fc 3", "fc", 14, "add `flatten` before it");
    assert_at("input 49; conv 3 f2", "conv", 10, "needs an image input");
    assert_at(
        "input 9x9; flatten; maxpool 2",
        "maxpool",
        20,
        "needs an image input",
    );
}

#[test]
fn solver_examples() {
    // A 3x3 conv with stride 2 mapping 28 to 14: ⌊(27 + 2p − 2d)/2⌋ = 13 forces p = d, and
    // p ≤ d(k − 1) = 2d admits every d ≤ 4.
    let q = SolveQuery {
        input: 28,
        output: 14,
        k: Some(3),
        s: Some(2),
        ..Default::default()
    };
    let sol = solve(&q).unwrap().solutions;
    let expected: Vec<Solution> = (1..=4)
        .map(|d| Solution {
            k: 3,
            s: 2,
            p: d,
            d,
        })
        .collect();
    assert_eq!(sol, expected);
    let q = SolveQuery {
        input: 28,
        output: 14,
        k: Some(3),
        ..Default::default()
    };
    assert_eq!(solve(&q).unwrap().solutions, sol);
    // Non-overlapping pooling 28 → 14: only k = s = 2.
    let q = SolveQuery {
        input: 28,
        output: 14,
        non_overlapping: true,
        ..Default::default()
    };
    assert_eq!(
        solve(&q).unwrap().solutions,
        [Solution {
            k: 2,
            s: 2,
            p: 0,
            d: 1
        }]
    );
    // 28 → 4 non-overlapping: ⌊28/k⌋ = 4 for k = 6 (the last 4 inputs dropped) and k = 7; the
    // strides 6 and 7 exceed max_s = 4, which non-overlapping windows ignore.
    let q = SolveQuery {
        input: 28,
        output: 4,
        non_overlapping: true,
        ..Default::default()
    };
    let expected = [
        Solution {
            k: 6,
            s: 6,
            p: 0,
            d: 1,
        },
        Solution {
            k: 7,
            s: 7,
            p: 0,
            d: 1,
        },
    ];
    assert_eq!(solve(&q).unwrap().solutions, expected);
    let table = solve(&SolveQuery {
        input: 28,
        output: 14,
        k: Some(3),
        ..Default::default()
    })
    .unwrap()
    .table();
    assert!(
        table.contains("⌊(28 + 2·2 − 2·2 − 1)/2⌋ + 1 = 14"),
        "{table}"
    );
    assert!(
        table.contains("4 solutions mapping 28 to 14 with k = 3, s ≤ 4, p ≤ d(k−1), d ≤ 4"),
        "{table}"
    );
}

#[test]
fn padding_reaches_the_span_minus_one() {
    // The example: 64 → 32 with d = 7, s = 2 has k = 2, p = 3 (⌊(64 + 6 − 7 − 1)/2⌋ + 1
    // = 32), which a bound p ≤ k − 1 = 1 missed; p = 7 = d(k − 1) is the largest allowed.
    let q = SolveQuery {
        input: 64,
        output: 32,
        s: Some(2),
        d: Some(7),
        ..Default::default()
    };
    let sol = solve(&q).unwrap().solutions;
    assert!(
        sol.contains(&Solution {
            k: 2,
            s: 2,
            p: 3,
            d: 7
        }),
        "{sol:?}"
    );
    assert!(sol.iter().all(|s| s.p <= s.d * (s.k - 1)));
    assert!(sol.iter().any(|s| s.p > s.k - 1));
}

#[test]
fn solver_errors() {
    let q = SolveQuery {
        input: 28,
        output: 3,
        k: Some(3),
        s: Some(1),
        ..Default::default()
    };
    match solve(&q) {
        Err(ShapesError::NoSolution(m)) => {
            assert_eq!(
                m,
                "no (k, s, p, d) with k = 3, s = 1, p ≤ d(k−1), d ≤ 4 maps 28 to 3"
            )
        }
        other => panic!("{other:?}"),
    }
    let bad = [
        SolveQuery {
            input: 0,
            output: 3,
            ..Default::default()
        },
        SolveQuery {
            input: 5,
            output: 3,
            k: Some(0),
            ..Default::default()
        },
        SolveQuery {
            input: 5,
            output: 3,
            non_overlapping: true,
            d: Some(2),
            ..Default::default()
        },
        SolveQuery {
            input: 5,
            output: 3,
            non_overlapping: true,
            k: Some(2),
            s: Some(3),
            ..Default::default()
        },
        SolveQuery {
            input: 5,
            output: 3,
            max_k: 100_000,
            max_s: 100_000,
            ..Default::default()
        },
    ];
    for q in bad {
        assert!(
            matches!(solve(&q), Err(ShapesError::InvalidQuery(_))),
            "{q:?}"
        );
    }
}
