//! Helpers shared by the CLI test files: run the `nnlab` binary and read its output.
// Each test file is its own crate and uses only some of these.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// Runs the `nnlab` binary built for these tests with `args`.
pub fn nnlab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nnlab"))
        .args(args)
        .output()
        .expect("runs nnlab")
}

/// (stdout, stderr) of a run, as text.
pub fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

/// `n` 8×8 images written as an IDX file at `path`: a bright top half (normal, `top`) or a
/// bright bottom half (anomalous), plus noise. Returns the path as text.
pub fn write_images(path: &Path, n: usize, top: bool) -> String {
    let px: Vec<u8> = (0..n * 64)
        .map(|k| {
            let row = (k % 64) / 8;
            let bright = (row < 4) == top;
            (if bright { 200 } else { 10 }) + (k * 7919 % 40) as u8
        })
        .collect();
    nnlab::data::write_idx_u8(path, &[n, 8, 8], &px, false).unwrap();
    path.display().to_string()
}

/// Runs `nnlab args --out DIR` and checks that it fails as hostile settings must: exit status
/// 1, no panic, every string of `expected` in the error, and nothing written to DIR.
pub fn fails_with(args: &[&str], expected: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--out", out.to_str().unwrap()]);
    let o = nnlab(&all);
    let (stdout, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{all:?}\n{stdout}\n{err}");
    assert!(!err.contains("panicked"), "{all:?}: {err}");
    for p in expected {
        assert!(err.contains(p), "{all:?}: expected {p:?} in: {err}");
    }
    assert!(!out.exists(), "{all:?} wrote {}", out.display());
}
