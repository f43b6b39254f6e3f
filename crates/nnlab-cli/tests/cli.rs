//! The `nnlab` binary end to end on tiny generated IDX files: a training run and a scoring run
//! succeed and print their summaries; bad arguments fail with exit code 1 and a clear message.

mod common;

use common::{nnlab, text, write_images};

#[test]
fn train_then_score_with_the_saved_model() {
    let dir = tempfile::tempdir().unwrap();
    let normal = write_images(&dir.path().join("normal.idx"), 300, true);
    let test = write_images(&dir.path().join("test.idx"), 50, true);
    let anomaly = write_images(&dir.path().join("anomaly.idx"), 50, false);
    let out = dir.path().join("run");
    let o = nnlab(&[
        "anomaly",
        "--normal",
        &normal,
        "--normal-test",
        &test,
        "--anomaly",
        &anomaly,
        "--validation",
        "50",
        "--epochs",
        "3",
        "--batch-size",
        "25",
        "--hidden",
        "16",
        "--latent",
        "4",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stdout.contains("AUROC") && stdout.contains("type II"),
        "{stdout}"
    );
    assert!(out.join("model/detector.json").is_file());

    let model = out.join("model");
    let o = nnlab(&[
        "anomaly",
        "score",
        "--model",
        model.to_str().unwrap(),
        "--input",
        &anomaly,
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stdout.contains("flagged") && stdout.contains("of 50"),
        "{stdout}"
    );
}

#[test]
fn bad_arguments_fail_with_a_clear_message() {
    let o = nnlab(&[
        "anomaly",
        "--normal",
        "mnist:12",
        "--data-dir",
        "/nonexistent",
        "-q",
    ]);
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr.contains("mnist:12") && stderr.contains("label 12"),
        "{stderr}"
    );

    let o = nnlab(&[
        "anomaly",
        "score",
        "--model",
        "/nonexistent/model",
        "--input",
        "mnist",
    ]);
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr.contains("/nonexistent/model/detector.json"),
        "{stderr}"
    );

    let o = nnlab(&["anomaly", "--arch", "resnet"]);
    assert!(!o.status.success());
    assert!(text(&o).1.contains("possible values: mlp, conv"));
}

#[test]
fn trace_prints_the_three_traces_and_rejects_bad_expressions() {
    let o = nnlab(&["trace", "1/(x1+x2) + x2^2 + cos(x1)", "--at", "x1=3,x2=6"]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stdout.contains("v_1 = v_-1 + v_0") && stdout.contains("∇f = (-0.1535, 11.9877)"),
        "{stdout}"
    );

    let o = nnlab(&["trace", "1 + * 2", "--at", "x1=1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("column 4"), "{}", text(&o).1);
    let o = nnlab(&["trace", "log(x1 - x1)", "--at", "x1=2"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("log of 0"), "{}", text(&o).1);
}

#[test]
fn shapes_sample_and_kl_fit_report_bad_input() {
    let o = nnlab(&["shapes", "input 4x4x1; conv 5x5 f2"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o).1.contains("too small for kernel 5"),
        "{}",
        text(&o).1
    );

    let o = nnlab(&["sample", "--points", "0:0,1:x"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("1:x"), "{}", text(&o).1);

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.png");
    let o = nnlab(&[
        "sample",
        "exponential:2",
        "--n",
        "2000",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    assert!(text(&o).0.contains("KS distance") && out.is_file());

    let o = nnlab(&["kl-fit", "--weights", "0.5,0.6"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("1.1"), "{}", text(&o).1);
}

#[test]
fn conv_and_signal_print_results_and_reject_bad_numbers() {
    let o = nnlab(&["conv", "--x", "1,2,3,4", "--h", "1,0,2"]);
    assert!(o.status.success(), "{}", text(&o).1);
    assert!(text(&o).0.contains("y = 1,2,5,8,6,8"), "{}", text(&o).0);
    let o = nnlab(&["conv", "--x", "1,a,3", "--h", "1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("`a` is not a number"), "{}", text(&o).1);

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rect.png");
    let o = nnlab(&[
        "signal",
        "rect",
        "--length",
        "4",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o).1);
    assert!(text(&o).0.contains("1.8750000000") && out.is_file());
    let o = nnlab(&["signal", "rect", "--length", "0"]);
    assert_eq!(o.status.code(), Some(1));
}
