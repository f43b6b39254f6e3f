//! Tests of inverse-transform sampling: exact quantiles at jumps, flat parts and ends; the
//! distribution of G(U) by Kolmogorov–Smirnov (continuous F) and binomial bounds (atoms).

use rand::SeedableRng;
use rand::rngs::StdRng;

use super::ProbError;
use super::sampling::{FnCdf, InverseCdf, PiecewiseLinearCdf, StepCdf};

const N: usize = 20_000;

/// The Kolmogorov–Smirnov statistic sup_x |F_n(x) − F(x)| of the samples against a continuous
/// F: max over the sorted samples x_(i) of max(i/n − F(x_(i)), F(x_(i)) − (i − 1)/n).
fn ks_statistic(mut xs: Vec<f64>, cdf: impl Fn(f64) -> f64) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len() as f64;
    xs.iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = cdf(x);
            f64::max((i + 1) as f64 / n - f, f - i as f64 / n)
        })
        .fold(0.0, f64::max)
}

/// Asymptotic KS critical value at level 0.001: √(−½ ln(0.001/2)) / √n ≈ 1.95/√n.
fn ks_critical(n: usize) -> f64 {
    1.95 / (n as f64).sqrt()
}

fn draws(dist: &impl InverseCdf, seed: u64) -> Vec<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..N).map(|_| dist.sample(&mut rng)).collect()
}

/// Asserts that the count of draws equal to `x` is within 4 binomial standard deviations of n p.
fn assert_atom_frequency(xs: &[f64], x: f64, p: f64) {
    let n = xs.len() as f64;
    let count = xs.iter().filter(|&&v| v == x).count() as f64;
    let sigma = (n * p * (1.0 - p)).sqrt();
    assert!(
        (count - n * p).abs() <= 4.0 * sigma,
        "value {x}: {count} draws, expected {} ± 4·{sigma}",
        n * p
    );
}

#[test]
fn fn_cdf_exponential_passes_ks() {
    let rate = 1.5;
    let cdf = move |x: f64| {
        if x < 0.0 {
            0.0
        } else {
            1.0 - (-rate * x).exp()
        }
    };
    let dist = FnCdf::new(cdf, 0.0, 40.0, 1e-10).unwrap();
    let xs = draws(&dist, 1);
    assert!(xs.iter().all(|&x| (0.0..=40.0).contains(&x)));
    let d = ks_statistic(xs, cdf);
    assert!(d < ks_critical(N), "KS statistic {d}");
    // Exact quantile -ln(1 - u)/rate, to the bisection tolerance (from above).
    let g = dist.quantile(0.5);
    let exact = 2f64.ln() / rate;
    assert!(
        g >= exact - 1e-12 && g - exact <= 1e-10,
        "G(½) = {g}, want {exact}"
    );
    let g0 = dist.quantile(0.0);
    assert!(
        (0.0..=1e-10).contains(&g0),
        "G(0) = {g0}, want the left end 0"
    );
}

#[test]
fn fn_cdf_flat_part_and_ks() {
    // Uniform on [0, 1] ∪ [2, 3]: F = ½ on the flat part [1, 2].
    let cdf = |x: f64| 0.5 * x.clamp(0.0, 1.0) + 0.5 * (x - 2.0).clamp(0.0, 1.0);
    let tol = 1e-12;
    let dist = FnCdf::new(cdf, -1.0, 4.0, tol).unwrap();
    let g = dist.quantile(0.5);
    assert!((2.0..=2.0 + tol).contains(&g), "G(½) = {g}, want 2");
    assert!(dist.quantile(0.5 - 1e-9) <= 1.0);
    assert!(dist.quantile(0.0) <= tol, "G(0) is the left end 0");
    assert!((dist.quantile(1.0) - 3.0).abs() <= tol);
    let xs = draws(&dist, 2);
    assert!(xs.iter().all(|&x| !(1.0 + tol..2.0).contains(&x)));
    let d = ks_statistic(xs, cdf);
    assert!(d < ks_critical(N), "KS statistic {d}");
}

#[test]
fn piecewise_linear_continuous_passes_ks() {
    // Flat at 0 on [-2, -1], then rising, flat at 0.3 on [0, 1], then rising to 1 at 3.
    let dist =
        PiecewiseLinearCdf::new(&[-2.0, -1.0, 0.0, 1.0, 3.0], &[0.0, 0.0, 0.3, 0.3, 1.0]).unwrap();
    assert_eq!(
        dist.quantile(0.0),
        -1.0,
        "u = 0 gives the left end of the support"
    );
    assert_eq!(
        dist.quantile(0.3),
        1.0,
        "flat part F = 0.3 on [0, 1]: G(0.3) = 1"
    );
    assert!(dist.quantile(0.3 - 1e-12) <= 0.0);
    assert!((dist.quantile(0.15) - -0.5).abs() < 1e-15);
    assert!((dist.quantile(0.65) - 2.0).abs() < 1e-12);
    assert_eq!(dist.quantile(1.0), 3.0);
    assert!((dist.quantile(1.0 - 1e-12) - 3.0).abs() < 1e-10);
    let xs = draws(&dist, 3);
    let d = ks_statistic(xs, |x| dist.cdf(x));
    assert!(d < ks_critical(N), "KS statistic {d}");
}

#[test]
fn piecewise_linear_jump_is_an_atom() {
    // An atom of mass 0.3 at x = 1 between two uniform pieces.
    let dist = PiecewiseLinearCdf::new(&[0.0, 1.0, 1.0, 2.0], &[0.0, 0.4, 0.7, 1.0]).unwrap();
    let eps = 1e-9;
    let below = dist.quantile(0.4 - eps);
    assert!(below < 1.0 && 1.0 - below < 1e-8, "G(0.4 − ε) = {below}");
    for u in [0.4, 0.55, 0.7 - 1e-12, 0.7] {
        assert_eq!(dist.quantile(u), 1.0, "u = {u} lies in the jump [0.4, 0.7]");
    }
    let above = dist.quantile(0.7 + eps);
    assert!(above > 1.0 && above - 1.0 < 1e-8, "G(0.7 + ε) = {above}");
    assert_eq!(dist.cdf(1.0), 0.7);
    assert!((dist.cdf(1.0 - 1e-9) - 0.4).abs() < 1e-8);
    let xs = draws(&dist, 4);
    assert_atom_frequency(&xs, 1.0, 0.3);
    // Off the atom the draws are uniform; KS on the left piece, conditioned to (0, 1).
    let left: Vec<f64> = xs.iter().copied().filter(|&x| x < 1.0).collect();
    let n = left.len();
    let d = ks_statistic(left, |x| x);
    assert!(d < ks_critical(n), "KS statistic {d} on {n} draws");
}

#[test]
fn step_cdf_frequencies_and_exact_quantiles() {
    let values = [-1.0, 0.0, 2.5, 3.0, 7.0];
    let probs = [0.1, 0.0, 0.25, 0.4, 0.25];
    let dist = StepCdf::new(&values, &probs).unwrap();
    assert_eq!(dist.quantile(0.0), -1.0);
    assert_eq!(dist.quantile(0.1 - 1e-12), -1.0);
    assert_eq!(dist.quantile(0.1), 2.5, "the zero-mass value 0 is skipped");
    assert_eq!(dist.quantile(0.35), 3.0);
    assert_eq!(dist.quantile(1.0 - 1e-12), 7.0);
    assert_eq!(dist.quantile(1.0), 7.0);
    assert_eq!(dist.cdf(-1.5), 0.0);
    assert_eq!(dist.cdf(0.5), 0.1);
    assert_eq!(dist.cdf(7.0), 1.0);
    let xs = draws(&dist, 5);
    assert!(xs.iter().all(|x| values.contains(x)));
    for (&v, &p) in values.iter().zip(&probs) {
        assert_atom_frequency(&xs, v, p);
    }
    assert!(!xs.contains(&0.0));
}

#[test]
fn step_cdf_agrees_with_its_piecewise_linear_form() {
    let step = StepCdf::new(&[1.0, 2.0, 4.0], &[0.5, 0.0, 0.5]).unwrap();
    let linear = PiecewiseLinearCdf::from_discrete(&step);
    for i in 0..=1000 {
        let u = i as f64 / 1000.0;
        assert_eq!(step.quantile(u), linear.quantile(u), "u = {u}");
    }
    for x in [0.0, 1.0, 1.5, 2.0, 3.9, 4.0, 5.0] {
        assert_eq!(step.cdf(x), linear.cdf(x), "x = {x}");
    }
}

#[test]
fn invalid_cdfs_are_rejected() {
    use ProbError::*;
    let pl = PiecewiseLinearCdf::new;
    assert!(matches!(pl(&[], &[]), Err(Empty(_))));
    assert!(matches!(
        pl(&[0.0, 1.0], &[0.0]),
        Err(LengthMismatch { .. })
    ));
    assert!(matches!(
        pl(&[0.0, f64::NAN], &[0.0, 1.0]),
        Err(NotFinite { index: 1, .. })
    ));
    assert!(matches!(
        pl(&[0.0, 1.0], &[0.0, 1.5]),
        Err(OutOfUnitInterval { index: 1, .. })
    ));
    assert!(matches!(
        pl(&[0.0, 2.0, 1.0], &[0.0, 0.5, 1.0]),
        Err(Decreasing { index: 2, .. })
    ));
    assert!(matches!(
        pl(&[0.0, 1.0, 2.0], &[0.0, 0.6, 0.5]),
        Err(Decreasing { index: 2, .. })
    ));
    assert!(matches!(pl(&[0.0, 1.0], &[0.1, 1.0]), Err(BadEnds { .. })));
    assert!(matches!(pl(&[0.0, 1.0], &[0.0, 0.9]), Err(BadEnds { .. })));
    let st = StepCdf::new;
    assert!(matches!(
        st(&[0.0, 1.0], &[0.5, 0.6]),
        Err(NotNormalized { .. })
    ));
    assert!(matches!(
        st(&[0.0, 1.0], &[1.5, -0.5]),
        Err(Negative { index: 1, .. })
    ));
    assert!(matches!(
        st(&[1.0, 1.0], &[0.5, 0.5]),
        Err(NotStrictlyIncreasing { index: 1, .. })
    ));
    assert!(matches!(st(&[], &[]), Err(Empty(_))));
    let id = |x: f64| x.clamp(0.0, 1.0);
    assert!(matches!(
        FnCdf::new(id, 1.0, 0.0, 1e-9),
        Err(BadInterval { .. })
    ));
    assert!(matches!(
        FnCdf::new(id, 0.0, 1.0, 0.0),
        Err(NotPositive { .. })
    ));
    assert!(matches!(
        FnCdf::new(|x| 2.0 * x, 0.0, 1.0, 1e-9),
        Err(BadBracket { .. })
    ));
    let message = pl(&[0.0, 1.0], &[0.0, 0.9]).unwrap_err().to_string();
    assert!(message.contains("end at F = 1"), "{message}");
}
