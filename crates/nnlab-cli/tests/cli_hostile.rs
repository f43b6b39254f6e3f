//! Hostile arguments to the commands outside the training jobs (issue 17, part 1): each
//! reproduction fails with exit status 1 and a message naming the flag or file, never a panic
//! (exit 101), an abort (134), a hang or unbounded memory.

mod common;

use common::{nnlab, text};

/// Runs nnlab with `args`, asserts exit status 1 without a panic, returns stderr.
fn fails(args: &[&str]) -> String {
    let o = nnlab(args);
    let (out, err) = text(&o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{args:?}\nstdout: {out}\nstderr: {err}"
    );
    assert!(!err.contains("panicked"), "{args:?}: {err}");
    err
}

fn assert_has(err: &str, parts: &[&str]) {
    for p in parts {
        assert!(err.contains(p), "expected {p:?} in: {err}");
    }
}

#[test]
fn trace_nesting_size_digits_and_undefined_derivatives() {
    let deep = format!("{}x{}", "(".repeat(10_000), ")".repeat(10_000));
    assert_has(
        &fails(&["trace", &deep, "--at", "x=1"]),
        &["20001 characters, more than the 4000"],
    );
    let deep = format!("{}x{}", "sin(".repeat(700), ")".repeat(700));
    assert_has(
        &fails(&["trace", &deep, "--at", "x=1"]),
        &["nested too deeply"],
    );
    let minus = format!("{}x", "-".repeat(3000));
    // After `--`, so that the leading '-' is not read as an option.
    let err = fails(&["trace", "--at", "x=1", "--", &minus]);
    assert_has(&err, &["nested too deeply"]);
    let err = fails(&["trace", "x^2", "--at", "x=3", "--digits", "65536"]);
    assert_has(&err, &["--digits", "at most 30"]);
    let err = fails(&["trace", "sqrt(x)", "--at", "x=0"]);
    assert_has(&err, &["not differentiable"]);
    let sum: Vec<String> = (1..=600).map(|i| format!("x{i}")).collect();
    let at: Vec<String> = (1..=600).map(|i| format!("x{i}=1")).collect();
    let err = fails(&["trace", &sum.join("+"), "--at", &at.join(",")]);
    assert_has(&err, &["--wrt"]);
}

#[test]
fn sample_counts_are_bounded_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.png");
    let out = out.to_str().unwrap();
    let max = u64::MAX.to_string();
    let err = fails(&["sample", "exponential", "--n", &max, "--out", out]);
    assert_has(&err, &["--n", "10000000"]);
    assert_has(
        &fails(&["sample", "exponential", "--bins", "0", "--out", out]),
        &["--bins"],
    );
    let err = fails(&["sample", "exponential", "--bins", "100000000", "--out", out]);
    assert_has(&err, &["--bins", "10000"]);
    assert_has(
        &fails(&["sample", "exponential", "--bins", &max, "--out", out]),
        &["--bins"],
    );
    assert!(!dir.path().join("s.png").exists(), "nothing written");
}

#[test]
fn signal_lengths_ranges_and_shifts_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.png");
    let out = out.to_str().unwrap();
    let i64_max = i64::MAX.to_string();
    let run = |extra: &[&str]| {
        let mut a = vec!["signal", "rect", "--out", out];
        a.extend_from_slice(extra);
        fails(&a)
    };
    assert_has(&run(&["--length", &i64_max]), &["--length", "10000"]);
    assert_has(&run(&["--to", "100000000"]), &["--to", "more than 10000"]);
    assert_has(&run(&["--shift", &i64_max]), &["--shift"]);
    assert_has(&run(&["--from", "5", "--to", "1"]), &["--to", "empty"]);
    assert_has(&run(&["--to", &i64_max]), &["--to"]);
    assert_has(&run(&["--a", "10", "--to", "400"]), &["overflows"]);
}

#[test]
fn shapes_file_is_read_bounded_and_overflow_is_an_error() {
    if std::path::Path::new("/dev/zero").exists() {
        let err = fails(&["shapes", "--file", "/dev/zero"]);
        assert_has(&err, &["--file /dev/zero", "longer than 1048576 bytes"]);
    }
    let desc = "input 1x1x1; maxpool 1 s1000000; maxpool 1 s1000000; maxpool 1 s1000000; \
                maxpool 1 s1000000";
    assert_has(&fails(&["shapes", desc]), &["overflows 2^64"]);
}

#[test]
fn conv_overflow_and_positions() {
    let err = fails(&["conv", "--x", "1e308,1e308", "--h", "1e308"]);
    assert_has(&err, &["y[0]", "overflows"]);
    assert_has(
        &fails(&["conv", "--x", "1,abc", "--h", "1"]),
        &["--x: x[1] = `abc`"],
    );
    assert_has(
        &fails(&["conv", "--x", "1,inf", "--h", "1"]),
        &["--x: x[1] is not a finite number"],
    );
}

#[test]
fn kl_fit_learning_rate_and_steps() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("k.png");
    let out = out.to_str().unwrap();
    assert_has(&fails(&["kl-fit", "--lr", "NaN", "--out", out]), &["--lr"]);
    let err = fails(&["kl-fit", "--lr", "1e9", "--steps", "50", "--out", out]);
    assert_has(&err, &["--lr", "diverged"]);
    let max = u64::MAX.to_string();
    assert_has(
        &fails(&["kl-fit", "--steps", &max, "--out", out]),
        &["--steps"],
    );
    assert_has(
        &fails(&["kl-fit", "--start-std", "0", "--out", out]),
        &["--start-std"],
    );
}

#[cfg(unix)]
#[test]
fn outputs_go_through_links_and_never_replace_devices() {
    use std::os::unix::fs::FileTypeExt;
    if std::path::Path::new("/dev/null").exists() {
        let err = fails(&["sample", "exponential", "--n", "10", "--out", "/dev/null"]);
        assert_has(&err, &["--out", "character device"]);
        let kind = std::fs::metadata("/dev/null").unwrap().file_type();
        assert!(kind.is_char_device(), "/dev/null untouched");
    }
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.png");
    let link = dir.path().join("link.png");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let o = nnlab(&["signal", "rect", "--out", link.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    assert!(real.is_file(), "the link's target was written");
    let kind = std::fs::symlink_metadata(&link).unwrap().file_type();
    assert!(kind.is_symlink(), "the link stays a link");
}
