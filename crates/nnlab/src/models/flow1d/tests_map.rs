//! Checks of the double-precision map: erf values, f' against central differences of f, the
//! inverse (also in the tails and at the bounds ±S/2), the mass of p_θ by quadrature, and the
//! data mixture (parsing, sampling moments, entropy).

use super::map::{FlowMap, erf};
use super::mixture::Mixture;
use crate::prob::quadrature::Grid;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// A map with unequal weights, centres and widths (σ from 0.30 to 1.65).
fn map() -> FlowMap {
    FlowMap {
        w: vec![0.3, -0.5, 1.1, 0.0, -1.2],
        mu: vec![-1.2, -0.4, 0.3, 1.4, 2.0],
        tau: vec![-1.2, 0.5, -0.6, -0.9, 0.1],
    }
}

fn f(m: &FlowMap, x: f64) -> f64 {
    m.eval(&[x])[0].0
}

#[test]
fn erf_matches_tabulated_values() {
    // Reference values of erf to 16 digits (Abramowitz & Stegun table 7.1 / any CAS); libm is
    // accurate to a few ulps, so 1e-15 absolute.
    let cases = [
        (0.0, 0.0),
        (0.5, 0.520_499_877_813_046_5),
        (1.0, 0.842_700_792_949_714_9),
        (2.0, 0.995_322_265_018_952_7),
        (-3.0, -0.999_977_909_503_001_4),
    ];
    let got = erf(&cases.map(|c| c.0));
    for ((x, want), g) in cases.iter().zip(got) {
        assert!((g - want).abs() < 1e-15, "erf({x}) = {g}, want {want}");
    }
}

#[test]
fn derivative_matches_central_differences() {
    // (f(x+h) − f(x−h))/2h − f'(x) = h² f'''(ξ)/6 + rounding. Here |f'''| ≤ Σ e^{w} max|φ''|/σ³
    // ≈ 30, so truncation ≤ 5e-10 for h = 1e-5; rounding ≤ 4ε·S/h ≈ 1e-9 (S ≈ 6.3). Tolerance
    // 5e-9 absolute.
    let m = map();
    let h = 1e-5;
    for i in 0..=80 {
        let x = -6.0 + 12.0 * i as f64 / 80.0;
        let fd = (f(&m, x + h) - f(&m, x - h)) / (2.0 * h);
        let fp = m.eval(&[x])[0].1.exp();
        assert!(
            (fd - fp).abs() < 5e-9,
            "x = {x}: f' = {fp}, differences {fd}"
        );
    }
}

#[test]
fn log_derivative_stays_finite_far_out() {
    // φ underflows to 0 beyond ~38σ, but log f' = logsumexp(w − τ − ½log2π − u²/2) is exact:
    // at x = 100 the widest component (σ = e^{0.5}, μ = −0.4, w = −0.5) dominates by far.
    let m = map();
    let (_, lfp) = m.eval(&[100.0])[0];
    let s = 0.5f64.exp();
    let want = -0.5 - 0.5 - super::map::HALF_LN_2PI - 0.5 * ((100.4) / s).powi(2);
    assert!((lfp - want).abs() < 1e-9 * want.abs(), "{lfp} vs {want}");
}

#[test]
fn inverse_recovers_x_including_the_tails() {
    let m = map();
    let half = 0.5 * m.scale();
    let xs: Vec<f64> = (0..=120).map(|i| -9.0 + 18.0 * i as f64 / 120.0).collect();
    let vals = m.eval(&xs);
    let zs: Vec<f64> = vals.iter().map(|v| v.0).collect();
    let back = m.inverse(&zs);
    for ((x, (z, lfp)), xb) in xs.iter().zip(&vals).zip(&back) {
        if z.abs() >= half {
            // So far out that f(x) rounds to the bound: no x can be recovered in f64.
            assert!(xb.is_none());
            continue;
        }
        let xb = xb.expect("|z| < S/2 has a preimage");
        // Backward error: f(x̂) = z up to the rounding of f (a few ulps of S/2). Forward error:
        // that divided by f'(x) (the conditioning of the inverse), plus a few ulps of x.
        let resid = (f(&m, xb) - z).abs();
        let ulp = f64::EPSILON * half;
        assert!(resid <= 8.0 * ulp, "x = {x}: |f(x̂) − z| = {resid}");
        let tol = 16.0 * ulp / lfp.exp() + 4.0 * f64::EPSILON * x.abs();
        assert!((xb - x).abs() <= tol, "x = {x}: x̂ = {xb}, tolerance {tol}");
        if x.abs() <= 3.0 {
            assert!((xb - x).abs() < 1e-13, "x = {x}: x̂ = {xb}");
        }
    }
}

#[test]
fn inverse_handles_the_bounds_and_stays_monotone() {
    let m = map();
    let half = 0.5 * m.scale();
    let bad = [half, -half, 2.0 * half, f64::INFINITY, f64::NAN];
    assert!(m.inverse(&bad).iter().all(Option::is_none), "no preimage");
    // Just inside the bounds: a finite preimage with f(x̂) = z within a few ulps.
    let edge = [half * (1.0 - 1e-12), -half * (1.0 - 1e-12)];
    for (z, x) in edge.iter().zip(m.inverse(&edge)) {
        let x = x.expect("inside the range");
        assert!(x.is_finite() && (f(&m, x) - z).abs() <= 8.0 * f64::EPSILON * half);
    }
    let zs: Vec<f64> = (0..200)
        .map(|i| -half + (i as f64 + 0.5) * half / 100.0)
        .collect();
    let xs: Vec<f64> = m.inverse(&zs).into_iter().map(Option::unwrap).collect();
    assert!(xs.windows(2).all(|p| p[0] < p[1]), "f⁻¹ is increasing");
}

#[test]
fn mass_of_the_model_density_is_erf_of_half_scale() {
    // ∫ p_θ by Simpson on [−40, 40] (beyond 25σ of every component the integrand is < 1e-100)
    // with 40 000 intervals: h = 2e-3 against the narrowest σ = 0.30 makes the error < 1e-11.
    // The bounded map gives mass 2Φ(S/2) − 1, visibly below 1 for small S.
    for shift in [0.0, -1.5] {
        let mut m = map();
        m.w.iter_mut().for_each(|w| *w += shift);
        let grid = Grid::simpson(-40.0, 40.0, 40_000).unwrap();
        let lp = m.log_density(&grid.nodes);
        let integral: f64 = grid.weights.iter().zip(lp).map(|(w, l)| w * l.exp()).sum();
        assert!(
            (integral - m.mass()).abs() < 1e-9,
            "{integral} vs {}",
            m.mass()
        );
        assert!(m.mass() < 1.0);
    }
}

#[test]
fn single_gaussian_entropy_matches_closed_form() {
    // H(N(m, σ²)) = ½ log(2πeσ²); Simpson with 20 000 intervals over ±10σ is exact to ~1e-12.
    for sigma in [0.25, 1.0, 3.0] {
        let g = Mixture::new(&[2.0], &[0.7], &[sigma]).unwrap();
        let want = 0.5 * (2.0 * std::f64::consts::PI * std::f64::consts::E * sigma * sigma).ln();
        assert!((g.entropy() - want).abs() < 1e-9, "σ = {sigma}");
    }
}

#[test]
fn mixture_parses_samples_and_rejects_bad_specs() {
    let m: Mixture = "1:-1:0.25, 1:0.2:0.25, 2:1.5:0.25".parse().unwrap();
    assert_eq!(m, Mixture::default());
    assert_eq!(m.weights, [0.25, 0.25, 0.5]);
    // Sample mean within 5 standard errors of E X (a false failure has probability < 1e-6).
    let x = m.sample(20_000, &mut StdRng::seed_from_u64(3));
    let mean = x.iter().sum::<f64>() / x.len() as f64;
    assert!((mean - m.mean()).abs() < 5.0 * m.std() / (x.len() as f64).sqrt());
    assert_eq!(x, m.sample(20_000, &mut StdRng::seed_from_u64(3)), "seeded");
    for (spec, needle) in [
        ("1:2", "w:mu:sigma"),
        ("1:0:x", "w:mu:sigma"),
        ("0:0:1", "weight"),
        ("1:0:-1", "std"),
        ("", "w:mu:sigma"),
    ] {
        let err = spec.parse::<Mixture>().unwrap_err().to_string();
        assert!(
            err.contains("invalid mixture") && err.contains(needle),
            "{spec}: {err}"
        );
    }
}

#[test]
fn draws_beyond_the_bound_have_no_preimage_at_the_rate_one_minus_mass() {
    // A map with small weights: S = 5e^{-1.5} ≈ 1.12, so only P(|Z| < S/2) = 2Φ(S/2) − 1 ≈ 0.42
    // of N(0, 1) has a preimage. The share of 20 000 draws without one matches 1 − mass within
    // 5 binomial standard errors (5·√(pq/n) ≈ 0.017).
    let mut m = map();
    m.w = vec![-1.5; 5];
    let mut z = vec![0.0; 20_000];
    crate::prob::gaussian::fill_standard_normal(&mut StdRng::seed_from_u64(9), &mut z);
    let back = m.inverse(&z);
    let none = back.iter().filter(|x| x.is_none()).count() as f64 / z.len() as f64;
    let p = 1.0 - m.mass();
    assert!(
        (none - p).abs() < 5.0 * (p * (1.0 - p) / z.len() as f64).sqrt(),
        "{none} vs {p}"
    );
    for (z, x) in z.iter().zip(&back) {
        assert_eq!(x.is_none(), z.abs() >= 0.5 * m.scale());
    }
}
