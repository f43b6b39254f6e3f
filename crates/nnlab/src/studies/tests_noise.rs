//! Tests of the instance-noise study: the ridge identity by Monte Carlo (and its failure for the
//! plain loss), SGD on noisy inputs landing on the ridge solution, and the step-size bound of the
//! scalar recurrence from both sides.

use super::*;

#[test]
fn noisy_loss_mean_is_the_ridge_loss() {
    // z-scores of 20 weight vectors: |z| < 4 for all with probability > 99.8 % under the identity.
    let max_z = check_ridge_identity(1);
    assert!(max_z < 4.0, "max |z| {max_z}");
}

#[test]
fn plain_loss_fails_the_identity_check() {
    // The wrong prediction E = ‖Xw − y‖² (no mσ²‖w‖² term) must be many standard errors off.
    let mut rng = StdRng::seed_from_u64(2);
    let p = Problem::random(50, 4, &mut rng);
    let rows = ridge_identity(&p, 0.5, 10, 2000, &mut rng);
    let worst = rows
        .iter()
        .map(|r| (r.noisy_mean - r.plain).abs() / r.std_error)
        .fold(0.0, f64::max);
    assert!(worst > 10.0, "plain loss within {worst} standard errors");
}

#[test]
fn ridge_solution_zeroes_the_ridge_gradient() {
    // (XᵀX + mσ²I)w − Xᵀy = 0 exactly up to rounding: check the gradient of the ridge loss by
    // central differences (h = 1e-5: truncation 0 for a quadratic, rounding ~ 1e-16·loss/h).
    let mut rng = StdRng::seed_from_u64(3);
    let p = Problem::random(30, 3, &mut rng);
    let w = p.ridge(0.4).unwrap();
    let h = 1e-5;
    for j in 0..3 {
        let (mut a, mut b) = (w.clone(), w.clone());
        a[j] += h;
        b[j] -= h;
        let g = (p.ridge_loss(&a, 0.4) - p.ridge_loss(&b, 0.4)) / (2.0 * h);
        assert!(g.abs() < 1e-6 * p.ridge_loss(&w, 0.4), "∂/∂w{j} = {g}");
    }
}

#[test]
fn sgd_on_noisy_inputs_converges_to_ridge_not_least_squares() {
    let mut rng = StdRng::seed_from_u64(4);
    let p = Problem::random(40, 3, &mut rng);
    let gap = distance(&p.ridge(0.7).unwrap(), &p.ridge(0.0).unwrap());
    let t = noisy_sgd(&p, 0.7, 0.05, 20_000, 8, 1000, &mut rng).unwrap();
    let (r, l) = (
        *t.to_ridge.last().unwrap(),
        *t.to_least_squares.last().unwrap(),
    );
    // The ridge and least-squares solutions differ by `gap`; SGD must end within 10 % of it
    // from the ridge solution (its noise floor at the final step size is far smaller).
    assert!(r < 0.1 * gap, "to ridge {r}, gap {gap}");
    assert!(l > 0.9 * gap, "to least squares {l}, gap {gap}");
}

#[test]
fn step_size_bound_holds_from_both_sides() {
    let (below, above) = check_step_size_bound(5);
    // Theory 0.9^40 ≈ 0.015 and 1.1^40 ≈ 45.
    assert!(below < 0.05, "0.95 × bound: ratio {below}");
    assert!(above > 10.0, "1.05 × bound: ratio {above}");
}

#[test]
fn monte_carlo_mean_follows_the_closed_form_below_the_bound() {
    let g = ScalarGd {
        x: 1.5,
        y: -1.0,
        sigma: 0.2,
        w0: 1.0,
    };
    let rows = step_size_sweep(&g, &[0.5, 0.9], 30, 5000, &mut StdRng::seed_from_u64(6));
    for r in &rows {
        assert!(r.predicted_converges && r.converges, "{}", r.fraction);
        // 30 roughly normal z-scores: |z| < 4.5 unless the closed form is wrong.
        assert!(
            r.max_z < 4.5,
            "fraction {}: max |z| {}",
            r.fraction,
            r.max_z
        );
    }
    // A recurrence without the noise term (a = x² instead of x² + σ²) must fail the comparison.
    let wrong = ScalarGd { sigma: 0.0, ..g };
    let eta = 0.5 * g.eta_bound();
    let (mean, se) = g.monte_carlo(eta, 30, 5000, &mut StdRng::seed_from_u64(7));
    let exp = wrong.expected_path(eta, 30);
    let z = (1..=30)
        .map(|k| (mean[k] - exp[k]).abs() / se[k])
        .fold(0.0, f64::max);
    assert!(
        z > 10.0,
        "the noise-free recurrence is within {z} standard errors"
    );
}
