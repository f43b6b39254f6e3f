//! Property-based fuzzing of the data readers: the IDX reader (arbitrary bytes, mutated valid
//! files, raw and gzip) and the selection syntax. Each property runs [`QUICK_CASES`] cases in
//! `cargo test`; the `#[ignore]`d `*_long` tests run [`long_cases`] (set `NNLAB_FUZZ_CASES`),
//! e.g. `cargo test -p nnlab --lib fuzz -- --ignored`.
//!
//! Property: no input panics; every accepted IDX array holds exactly the bytes its dimensions
//! describe; every accepted selection displays as a string that parses back to itself.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use super::idx::parse_idx;
use super::selection::Selection;

/// Cases per property in `cargo test` (each case is microseconds to a millisecond).
pub(crate) const QUICK_CASES: u32 = 256;

/// Cases per property in the ignored long runs: `NNLAB_FUZZ_CASES`, default 100 000.
pub(crate) fn long_cases() -> u32 {
    std::env::var("NNLAB_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

/// A runner for `cases` cases: seeded (the same cases every run) for the quick tests, random
/// for the long runs (new cases each time). No failure files are written.
pub(crate) fn fuzz_runner(cases: u32, seeded: bool) -> TestRunner {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    if seeded {
        TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha))
    } else {
        TestRunner::new(config)
    }
}

/// A valid IDX file (raw or gzip) of 1–3 small dimensions, then mutated: some bytes flipped,
/// truncated or extended.
fn mutated_idx() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec(0usize..5, 1..=3),
        any::<bool>(),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
        prop_oneof![Just(None), (0usize..64).prop_map(Some)],
        prop::collection::vec(any::<u8>(), 0..4),
    )
        .prop_map(|(dims, gzip, flips, cut, extra)| {
            let len: usize = dims.iter().product();
            let mut bytes = vec![0, 0, 8, dims.len() as u8];
            for &d in &dims {
                bytes.extend_from_slice(&(d as u32).to_be_bytes());
            }
            bytes.extend((0..len).map(|i| i as u8));
            if gzip {
                use std::io::Write;
                let mut enc =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                enc.write_all(&bytes).unwrap();
                bytes = enc.finish().unwrap();
            }
            for (at, v) in flips {
                let i = at.index(bytes.len());
                bytes[i] = v;
            }
            if let Some(c) = cut {
                bytes.truncate(c.min(bytes.len()));
            }
            bytes.extend(extra);
            bytes
        })
}

/// The IDX property: no panic; an accepted array's data length is the product of its dims.
fn check_idx(bytes: &[u8]) -> Result<(), TestCaseError> {
    if let Ok(arr) = parse_idx(bytes, "fuzz") {
        let product: usize = arr.dims.iter().product();
        prop_assert_eq!(arr.data.len(), product);
    }
    Ok(())
}

fn fuzz_idx(cases: u32, seeded: bool) {
    let mut runner = fuzz_runner(cases, seeded);
    runner
        .run(&prop::collection::vec(any::<u8>(), 0..64), |b| {
            check_idx(&b)
        })
        .unwrap();
    runner.run(&mutated_idx(), |b| check_idx(&b)).unwrap();
}

/// Strings over the selection alphabet (datasets, splits, labels, separators, paths).
fn selection_text() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "mnist",
        "kmnist",
        "fashion-mnist",
        "MNIST",
        "test",
        "train",
        ":",
        ",",
        "-",
        "+",
        "0",
        "3",
        "9",
        "10",
        "255",
        "256",
        "99999999999999999999",
        "a.idx",
        "/",
        ".",
        " ",
        "",
        "é",
    ]);
    prop::collection::vec(atoms, 0..8).prop_map(|v| v.concat())
}

fn fuzz_selection(cases: u32, seeded: bool) {
    let mut runner = fuzz_runner(cases, seeded);
    runner
        .run(&selection_text(), |s| {
            if let Ok(sel) = s.parse::<Selection>()
                && matches!(sel, Selection::Dataset { .. })
            {
                let again: Selection = sel.to_string().parse().unwrap();
                prop_assert_eq!(again, sel);
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn fuzz_idx_quick() {
    fuzz_idx(QUICK_CASES, true);
}

#[test]
#[ignore = "long fuzz run (NNLAB_FUZZ_CASES cases): run the ignored data::fuzz_tests"]
fn fuzz_idx_long() {
    fuzz_idx(long_cases(), false);
}

#[test]
fn fuzz_selection_quick() {
    fuzz_selection(QUICK_CASES, true);
}

#[test]
#[ignore = "long fuzz run (NNLAB_FUZZ_CASES cases): run the ignored data::fuzz_tests"]
fn fuzz_selection_long() {
    fuzz_selection(long_cases(), false);
}
