//! `nnlab verify`, `nnlab conv2d` and `nnlab pool` end to end: the sheet passes, an injected
//! fault fails it with exit status 1 naming the row, and malformed matrices are refused with a
//! message naming the flag.

mod common;

use common::{nnlab, text};

#[test]
fn verify_passes_a_filtered_sheet() {
    let o = nnlab(&["verify", "--only", "pool", "--seed", "3"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{out}\n{err}");
    assert!(out.contains("PASS  pool.avg-adjoint"), "{out}");
    assert!(
        out.contains("identity") && out.contains("tolerance"),
        "{out}"
    );
    assert!(out.contains("1 of 1 checks passed"), "{out}");
}

#[test]
fn an_injected_fault_fails_the_sheet_naming_the_row() {
    let o = nnlab(&[
        "verify",
        "--only",
        "relu",
        "--inject-fault",
        "relu.heaviside",
    ]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}\n{err}");
    assert!(out.contains("FAIL  relu.heaviside"), "{out}");
    assert!(err.contains("1 check failed: relu.heaviside"), "{err}");
    let o = nnlab(&["verify", "--inject-fault", "no.such.row"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("no check has the id 'no.such.row'"));
}

#[test]
fn verify_json_and_bad_filter() {
    let o = nnlab(&["verify", "--only", "shapes", "--json"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["passed"], 1);
    assert_eq!(doc["rows"][0]["id"], "shapes.solve");
    assert_eq!(doc["rows"][0]["pass"], true);
    let o = nnlab(&["verify", "--only", "zzz"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("no check id contains 'zzz'"));
}

#[test]
fn conv2d_prints_size_dilated_kernel_and_output() {
    let o = nnlab(&["conv2d", "--x", "1,2,3;4,5,6;7,8,9", "--h", "1,1;1,1"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains("floor((3 + 2*0 - 1*1 - 1)/1) + 1 = 2"),
        "{out}"
    );
    assert!(out.contains("y (2 x 2):\n12  16\n24  28"), "{out}");
    let o = nnlab(&[
        "conv2d",
        "--x",
        "1,2,3;4,5,6;7,8,9",
        "--h",
        "1,2;3,4",
        "--padding",
        "1",
        "--stride",
        "2",
        "--dilation",
        "2",
        "--correlate",
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("1  0  2\n0  0  0\n3  0  4"), "{out}");
}

#[test]
fn malformed_matrices_name_the_flag() {
    for (x, h, want) in [
        ("1,2;3", "1", "--x: row 2 has 1 entries but row 1 has 2"),
        ("", "1", "--x: the matrix is empty"),
        ("1,2", "1,a", "--h: row 1, entry 2: 'a' is not a number"),
        ("1,2", "nan", "--h: row 1, entry 1: NaN is not finite"),
        ("1,2", "1,1,1", "--stride/--padding/--dilation"),
    ] {
        let o = nnlab(&["conv2d", "--x", x, "--h", h]);
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{x} {h}");
        assert!(err.contains(want), "{x} {h}: {err}");
    }
}

#[test]
fn pool_kinds_and_errors() {
    let o = nnlab(&[
        "pool",
        "--x",
        "3,4,1;0,0,2",
        "--kind",
        "lp",
        "--p",
        "2",
        "--k",
        "2",
        "--stride",
        "1",
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("5  4.582576"), "{out}");
    let o = nnlab(&["pool", "--x", "1,2;3,4", "--kind", "max", "--k", "2"]);
    assert!(text(&o).0.contains("y (1 x 1):\n4"));
    for (args, want) in [
        (vec!["--kind", "lp", "--k", "2"], "--kind lp needs --p"),
        (
            vec!["--kind", "lp", "--p", "0.5", "--k", "2"],
            "p must be finite and ≥ 1",
        ),
        (vec!["--kind", "max", "--k", "3"], "--k/--stride/--p"),
        (
            vec!["--kind", "avg", "--p", "2", "--k", "2"],
            "--p is only used with --kind lp",
        ),
    ] {
        let mut a = vec!["pool", "--x", "1,2;3,4"];
        a.extend(args);
        let o = nnlab(&a);
        assert_eq!(o.status.code(), Some(1), "{a:?}");
        assert!(text(&o).1.contains(want), "{a:?}: {}", text(&o).1);
    }
}

#[test]
fn shapes_solve_finds_padding_up_to_the_span() {
    let o = nnlab(&[
        "shapes", "solve", "--input", "64", "--output", "32", "--s", "2", "--d", "7",
    ]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("⌊(64 + 2·3 − 7·1 − 1)/2⌋ + 1 = 32"), "{out}");
}
