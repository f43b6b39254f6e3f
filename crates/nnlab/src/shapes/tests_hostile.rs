//! Hostile architecture descriptions: overflowing receptive fields and parameter counts are
//! errors (never saturated numbers), and fuzzed descriptions never panic.

use super::*;

#[test]
fn receptive_field_and_jump_overflow_are_errors() {
    // Stride 10^6 keeps a 1-pixel output (o = ⌊(1 − 1)/s⌋ + 1 = 1) while the jump multiplies
    // by 10^6 per layer: 10^24 > 2^64 after four layers.
    let desc = "input 1x1x1; maxpool 1 s1000000; maxpool 1 s1000000; maxpool 1 s1000000; \
                maxpool 1 s1000000";
    let m = analyze(desc).unwrap_err().to_string();
    assert!(m.contains("overflows 2^64") && m.contains("layer 4"), "{m}");
    // Three layers fit: the jump is exactly 10^18.
    let ok = "input 1x1x1; maxpool 1 s1000000; maxpool 1 s1000000; maxpool 1 s1000000";
    assert_eq!(
        analyze(ok).unwrap().layers[3].jump,
        1_000_000_000_000_000_000
    );
}

/// Strings over the description alphabet.
fn description_text() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let atoms = prop::sample::select(vec![
        "input ",
        "conv ",
        "maxpool ",
        "avgpool ",
        "flatten",
        "fc ",
        "relu",
        "nobias",
        "28x28x1",
        "3x3",
        "k3",
        "3",
        "0",
        "18446744073709551615",
        "4294967296",
        "f10",
        "s2",
        "p1",
        "d2",
        "s0",
        "x",
        ";",
        "\n",
        "#",
        " ",
        "",
        "é",
    ]);
    prop::collection::vec(atoms, 0..24).prop_map(|v| v.concat())
}

/// No description panics; an accepted one has consistent totals.
fn fuzz_descriptions(cases: u32, seeded: bool) {
    use proptest::prelude::*;
    let mut runner = crate::data::fuzz_tests::fuzz_runner(cases, seeded);
    runner
        .run(&description_text(), |desc| {
            if let Ok(r) = analyze(&desc) {
                let sum: u64 = r.layers.iter().map(|l| l.params).sum();
                prop_assert_eq!(sum, r.params);
                let _ = r.table();
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn fuzz_descriptions_quick() {
    fuzz_descriptions(crate::data::fuzz_tests::QUICK_CASES, true);
}

#[test]
#[ignore = "long fuzz run (NNLAB_FUZZ_CASES cases): run the ignored fuzz tests"]
fn fuzz_descriptions_long() {
    fuzz_descriptions(crate::data::fuzz_tests::long_cases(), false);
}
