//! The proof sheet's own guarantees: every check passes on two seeds, every broken twin fails
//! (so no check is vacuous), ids are unique, the filter and fault injection select correctly.

use super::*;

/// Every check whose id starts with one of `prefixes` passes on seeds 0 and 1, and its broken
/// twin fails on seed 0.
fn assert_rows(prefixes: &[&str]) {
    let mut n = 0;
    for check in all()
        .iter()
        .filter(|c| prefixes.iter().any(|p| c.id.starts_with(p)))
    {
        for seed in [0, 1] {
            let ok = check.run(seed);
            assert!(ok.pass, "{} (seed {seed}) failed: {ok:?}", check.id);
        }
        let bad = check.run_broken(0);
        assert!(
            !bad.pass,
            "{}: the broken twin ({}) passed: {bad:?}",
            check.id, check.fault
        );
        n += 1;
    }
    assert!(n > 0, "no check starts with {prefixes:?}");
}

#[test]
fn operator_rows() {
    assert_rows(&["pool.", "upsample.", "conv2d.", "cnn1d."]);
}

#[test]
fn softmax_rows() {
    assert_rows(&["logsumexp.", "softmax.", "sigmoid.", "relu."]);
}

#[test]
fn probability_rows() {
    assert_rows(&["sampling.", "divergence.", "gaussian."]);
}

#[test]
fn tracer_solver_and_model_rows() {
    assert_rows(&["trace.", "shapes.", "coupling.", "vae.", "gan."]);
}

#[test]
fn lab_rows() {
    assert_rows(&["softmax-regression.", "prox.", "study.", "tsne."]);
}

#[test]
fn every_row_belongs_to_a_group_above() {
    let groups = [
        "pool.",
        "upsample.",
        "conv2d.",
        "cnn1d.",
        "logsumexp.",
        "softmax.",
        "sigmoid.",
        "relu.",
        "sampling.",
        "divergence.",
        "gaussian.",
        "trace.",
        "shapes.",
        "coupling.",
        "vae.",
        "gan.",
        "softmax-regression.",
        "prox.",
        "study.",
        "tsne.",
    ];
    for c in all() {
        assert!(
            groups.iter().any(|g| c.id.starts_with(g)),
            "{} is not tested",
            c.id
        );
    }
}

#[test]
fn ids_are_unique_and_described() {
    let mut ids: Vec<&str> = all().iter().map(|c| c.id).collect();
    ids.sort_unstable();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate ids");
    for c in all() {
        assert!(c.tolerance >= 0.0 && c.tolerance.is_finite(), "{}", c.id);
        for text in [c.identity, c.method, c.why, c.fault] {
            assert!(!text.is_empty(), "{}", c.id);
        }
    }
}

#[test]
fn filter_and_fault_injection() {
    let rows = run(Some("SOFTMAX."), 3, &mut |_| {}).unwrap();
    assert!(rows.len() >= 2 && rows.iter().all(|r| r.id.starts_with("softmax.")));
    assert!(rows.iter().all(|r| r.pass && !r.injected_fault));
    assert!(matches!(
        run(Some("no-such"), 0, &mut |_| {}),
        Err(VerifyError::NoMatch { .. })
    ));
    let mut seen = 0;
    let rows = run_with_fault(Some("relu"), 0, Some("relu.heaviside"), &mut |_| seen += 1).unwrap();
    assert_eq!(seen, rows.len());
    let row = rows.iter().find(|r| r.id == "relu.heaviside").unwrap();
    assert!(row.injected_fault && !row.pass, "{row:?}");
    assert!(matches!(
        run_with_fault(None, 0, Some("relu"), &mut |_| {}),
        Err(VerifyError::UnknownFault { .. })
    ));
}

#[test]
fn nan_and_infinite_errors_fail() {
    let c = all()[0];
    assert!(!c.judge(Measurement::new(f64::NAN, "")).pass);
    assert!(!c.judge(Measurement::new(f64::INFINITY, "")).pass);
    assert!(worst([0.0, f64::NAN, 1.0]).is_nan());
    assert_eq!(worst([0.5, 2.0]), 2.0);
}
