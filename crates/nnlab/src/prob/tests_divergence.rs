//! Tests of f-divergences: nonnegativity and identity on random distributions, the relations
//! between the KL forms, the ranges of TV, Hellinger and JS, the zero-probability limits, and
//! Gaussian closed forms by quadrature and by fine discretization.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::ProbError;
use super::divergence::FDivergence::{self, *};
use super::gaussian::kl_univariate_normal;

/// A random probability vector of length n with some exact zeros when `zeros` is set.
fn random_distribution(rng: &mut StdRng, n: usize, zeros: bool) -> Vec<f64> {
    let mut p: Vec<f64> = (0..n)
        .map(|_| {
            let w: f64 = rng.random();
            if zeros && w < 0.2 { 0.0 } else { w }
        })
        .collect();
    if p.iter().all(|&w| w == 0.0) {
        p[0] = 1.0;
    }
    let sum: f64 = p.iter().sum();
    p.iter_mut().for_each(|w| *w /= sum);
    p
}

fn normal_density(mu: f64, sigma: f64) -> impl Fn(f64) -> f64 {
    move |x| {
        (-0.5 * ((x - mu) / sigma).powi(2)).exp() / (sigma * (2.0 * std::f64::consts::PI).sqrt())
    }
}

#[test]
fn divergences_are_nonnegative_and_vanish_only_at_p_equals_q() {
    let mut rng = StdRng::seed_from_u64(10);
    for trial in 0..200 {
        let n = 1 + trial % 9;
        let p = random_distribution(&mut rng, n, false);
        let q = random_distribution(&mut rng, n, false);
        for f in FDivergence::ALL {
            let d = f.discrete(&p, &q).unwrap();
            assert!(d >= -1e-15, "{f:?}: {d}");
            assert!(f.discrete(&p, &p).unwrap().abs() < 1e-15, "{f:?}(P‖P) ≠ 0");
            let gap: f64 = p.iter().zip(&q).map(|(a, b)| (a - b).abs()).sum();
            if gap > 1e-6 {
                assert!(d > 0.0, "{f:?}: D = 0 for P ≠ Q");
            }
        }
    }
}

#[test]
fn terms_are_q_times_the_generator_of_the_ratio() {
    for (p, q) in [(0.3, 0.7), (0.9, 0.1), (0.25, 0.25), (1e-3, 0.5)] {
        for f in FDivergence::ALL {
            let direct = f.term(p, q);
            let perspective = q * f.generator(p / q);
            assert!((direct - perspective).abs() < 1e-14, "{f:?} at ({p}, {q})");
            assert_eq!(f.generator(1.0), 0.0, "{f:?}: f(1) = 0");
        }
    }
}

#[test]
fn kl_forms_and_ranges() {
    let mut rng = StdRng::seed_from_u64(11);
    for _ in 0..200 {
        let p = random_distribution(&mut rng, 6, true);
        let q = random_distribution(&mut rng, 6, true);
        let reverse = ReverseKullbackLeibler.discrete(&p, &q).unwrap();
        let swapped = KullbackLeibler.discrete(&q, &p).unwrap();
        assert!(
            reverse == swapped || (reverse - swapped).abs() < 1e-13,
            "D_{{-log t}}(P‖Q) = {reverse}, KL(Q‖P) = {swapped}"
        );
        assert!(TotalVariation.discrete(&p, &q).unwrap() <= 1.0 + 1e-15);
        assert!(SquaredHellinger.discrete(&p, &q).unwrap() <= 2.0 + 1e-15);
        let js = JensenShannon.discrete(&p, &q).unwrap();
        assert!(js <= 2f64.ln() + 1e-15 && js.is_finite());
        // JS = ½ KL(P‖M) + ½ KL(Q‖M).
        let m: Vec<f64> = p.iter().zip(&q).map(|(a, b)| 0.5 * (a + b)).collect();
        let halves = 0.5 * KullbackLeibler.discrete(&p, &m).unwrap()
            + 0.5 * KullbackLeibler.discrete(&q, &m).unwrap();
        assert!((js - halves).abs() < 1e-14);
    }
}

#[test]
fn zero_probability_limits() {
    // Disjoint supports: every divergence is at its extreme.
    let (p, q) = ([1.0, 0.0], [0.0, 1.0]);
    assert_eq!(KullbackLeibler.discrete(&p, &q).unwrap(), f64::INFINITY);
    assert_eq!(
        ReverseKullbackLeibler.discrete(&p, &q).unwrap(),
        f64::INFINITY
    );
    assert_eq!(ChiSquared.discrete(&p, &q).unwrap(), f64::INFINITY);
    assert_eq!(TotalVariation.discrete(&p, &q).unwrap(), 1.0);
    assert_eq!(SquaredHellinger.discrete(&p, &q).unwrap(), 2.0);
    assert!((JensenShannon.discrete(&p, &q).unwrap() - 2f64.ln()).abs() < 1e-15);
    // p = 0 < q costs nothing in KL, and q = 0 < p nothing in reverse KL.
    let (p, q) = ([0.0, 1.0], [0.5, 0.5]);
    assert!((KullbackLeibler.discrete(&p, &q).unwrap() - 2f64.ln()).abs() < 1e-15);
    assert_eq!(
        ReverseKullbackLeibler.discrete(&p, &q).unwrap(),
        f64::INFINITY
    );
    assert!((ReverseKullbackLeibler.discrete(&q, &p).unwrap() - 2f64.ln()).abs() < 1e-15);
    for f in FDivergence::ALL {
        assert_eq!(f.term(0.0, 0.0), 0.0, "{f:?}: 0 f(0/0) = 0");
    }
}

#[test]
fn invalid_inputs_are_rejected() {
    let kl = KullbackLeibler;
    assert!(matches!(
        kl.discrete(&[1.0], &[0.5, 0.5]),
        Err(ProbError::LengthMismatch { .. })
    ));
    assert!(matches!(
        kl.discrete(&[0.5, 0.6], &[0.5, 0.5]),
        Err(ProbError::NotNormalized { .. })
    ));
    assert!(matches!(kl.discrete(&[], &[]), Err(ProbError::Empty(_))));
    let p = normal_density(0.0, 1.0);
    assert!(matches!(
        kl.densities(&p, &p, 1.0, -1.0, 10),
        Err(ProbError::BadInterval { .. })
    ));
    assert!(matches!(
        kl.densities(&p, &p, -1.0, 1.0, 0),
        Err(ProbError::NotPositive { .. })
    ));
    let negative = |x: f64| -x * x;
    assert!(matches!(
        kl.densities(negative, &p, -1.0, 1.0, 4),
        Err(ProbError::Negative { .. })
    ));
}

/// Closed forms for P = N(μ0, σ0²), Q = N(μ1, σ1²): KL both ways, squared Hellinger (our
/// convention, 2(1 − BC) with BC = √(2σ0σ1/(σ0² + σ1²)) exp(−(μ0 − μ1)²/(4(σ0² + σ1²)))) and
/// χ² = σ1²/(σ0√(2σ1² − σ0²)) exp((μ0 − μ1)²/(2σ1² − σ0²)) − 1 (finite for 2σ1² > σ0²).
fn gaussian_closed_form(f: FDivergence, (m0, s0): (f64, f64), (m1, s1): (f64, f64)) -> f64 {
    let (v0, v1, d2) = (s0 * s0, s1 * s1, (m0 - m1).powi(2));
    match f {
        KullbackLeibler => kl_univariate_normal(m0, s0, m1, s1),
        ReverseKullbackLeibler => kl_univariate_normal(m1, s1, m0, s0),
        SquaredHellinger => {
            let bc = (2.0 * s0 * s1 / (v0 + v1)).sqrt() * (-d2 / (4.0 * (v0 + v1))).exp();
            2.0 * (1.0 - bc)
        }
        ChiSquared => v1 / (s0 * (2.0 * v1 - v0).sqrt()) * (d2 / (2.0 * v1 - v0)).exp() - 1.0,
        _ => unreachable!("no closed form used for {f:?}"),
    }
}

#[test]
fn quadrature_matches_gaussian_closed_forms() {
    let cases = [
        ((0.0, 1.0), (1.0, 1.5)),
        ((0.5, 0.8), (-0.3, 1.0)),
        ((2.0, 1.2), (2.0, 1.2)),
    ];
    for (a, b) in cases {
        let (p, q) = (normal_density(a.0, a.1), normal_density(b.0, b.1));
        for f in [
            KullbackLeibler,
            ReverseKullbackLeibler,
            SquaredHellinger,
            ChiSquared,
        ] {
            let numeric = f.densities(&p, &q, -20.0, 20.0, 4000).unwrap();
            let exact = gaussian_closed_form(f, a, b);
            assert!(
                (numeric - exact).abs() < 1e-9,
                "{f:?} {a:?} {b:?}: {numeric} vs {exact}"
            );
        }
    }
}

#[test]
fn discretized_gaussians_match_closed_form_kl() {
    // Bin probabilities p_i ∝ φ(x_i) on a fine grid: the discrete KL converges to the integral.
    let (a, b) = ((0.0, 1.0), (1.0, 1.5));
    let (p, q) = (normal_density(a.0, a.1), normal_density(b.0, b.1));
    let grid: Vec<f64> = (0..=4000).map(|i| -20.0 + 0.01 * i as f64).collect();
    let normalize = |w: Vec<f64>| {
        let s: f64 = w.iter().sum();
        w.into_iter().map(|v| v / s).collect::<Vec<f64>>()
    };
    let pd = normalize(grid.iter().map(|&x| p(x)).collect());
    let qd = normalize(grid.iter().map(|&x| q(x)).collect());
    let discrete = KullbackLeibler.discrete(&pd, &qd).unwrap();
    let quadrature = KullbackLeibler
        .densities(&p, &q, -20.0, 20.0, 4000)
        .unwrap();
    let exact = kl_univariate_normal(a.0, a.1, b.0, b.1);
    assert!(
        (discrete - exact).abs() < 1e-9,
        "discrete {discrete} vs {exact}"
    );
    assert!(
        (discrete - quadrature).abs() < 1e-9,
        "discrete {discrete} vs {quadrature}"
    );
}
