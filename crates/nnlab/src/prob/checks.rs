//! Proof-sheet checks of the probability code (see [`crate::verify`]): inverse-CDF sampling by
//! the Kolmogorov–Smirnov distance, f-divergences ≥ 0 with the KL forms, and the closed-form
//! Gaussian KL against Monte Carlo. Each measure takes the formula under test as a parameter.

use super::*;
use crate::verify::{Check, Measurement, worst};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Draws per distribution in [`inverse_cdf_ks`].
const KS_DRAWS: usize = 20_000;

/// A sampler under test: (distribution, u) ↦ x (the correct one is G(u) = inf{x : u < F(x)}).
pub type Sampler = fn(&Cdf, f64) -> f64;

/// The largest Kolmogorov–Smirnov distance sup |F_n − F| of 20 000 draws `sampler(F, U)` from
/// exponential(2), the `mixed` CDF (an atom and a flat part) and a 4-point discrete CDF.
pub fn inverse_cdf_ks(sampler: Sampler, seed: u64) -> Measurement {
    let dists = [
        Cdf::named("exponential:2").expect("valid spec"),
        Cdf::named("mixed").expect("valid spec"),
        Cdf::discrete("-1:0.2,0:0.1,2.5:0.3,4:0.4").expect("valid spec"),
    ];
    let mut errs = Vec::new();
    for (i, d) in dists.iter().enumerate() {
        let mut rng = StdRng::seed_from_u64(seed.wrapping_add(i as u64));
        let xs: Vec<f64> = (0..KS_DRAWS)
            .map(|_| sampler(d, rng.random::<f64>()))
            .collect();
        errs.push(ks_distance(&xs, d));
    }
    Measurement::new(
        worst(errs),
        "exponential(2), mixed (atom + flat part), 4-point discrete",
    )
}

/// G(U) ~ F (KS test).
pub const INVERSE_CDF: Check = Check {
    id: "sampling.inverse-cdf",
    identity: "G(U) ~ F for G(u) = inf{x : u < F(x)}, U ~ Uniform[0, 1), any CDF F (jumps, flat parts)",
    method: "Kolmogorov-Smirnov distance, Monte Carlo with n = 20000 draws for each of 3 CDFs",
    tolerance: 1.949 / 141.421_356_237_309_5, // 1.949/√20000
    why: "KS critical value 1.949/sqrt(n) at level 0.001 (conservative for atoms): a correct sampler fails < 0.3% of seeds",
    measure: |seed| inverse_cdf_ks(|d, u| d.quantile(u), seed),
    broken: |seed| inverse_cdf_ks(|d, u| d.cdf(u), seed),
    fault: "F(u) in place of its inverse G(u)",
};

/// A KL under test: KL(P‖Q) of two probability vectors.
pub type Kl = fn(&[f64], &[f64]) -> f64;

fn random_simplex(rng: &mut StdRng, k: usize, zeros: bool) -> Vec<f64> {
    let mut v: Vec<f64> = (0..k)
        .map(|i| {
            if zeros && i == 0 {
                0.0
            } else {
                rng.random_range(0.05..1.0)
            }
        })
        .collect();
    let s: f64 = v.iter().sum();
    v.iter_mut().for_each(|x| *x /= s);
    v
}

/// Largest error among: the negative parts of D_f(P‖Q) for all six f-divergences, |D_f(P‖P)|,
/// |kl(P‖Q) − Σ q f(p/q)| with f(t) = t ln t, |kl(P‖Q) − Σ p ln(p/q)|, |KL_reverse(P‖Q) −
/// kl(Q‖P)|, |JS − ½kl(P‖M) − ½kl(Q‖M)| on 20 seeded pairs (K = 6, some with p_1 = 0), and the
/// Simpson KL of N(0, 1) to N(1, 2²) against its closed form; `kl` is the KL under test.
pub fn divergence_forms(kl: Kl, seed: u64) -> Measurement {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut errs = Vec::new();
    for trial in 0..20 {
        let p = random_simplex(&mut rng, 6, trial % 2 == 0);
        let q = random_simplex(&mut rng, 6, false);
        for f in FDivergence::ALL {
            let d = f.discrete(&p, &q).expect("probability vectors");
            errs.push((-d).max(0.0));
            errs.push(f.discrete(&p, &p).expect("probability vectors").abs());
        }
        let k = kl(&p, &q);
        let by_generator: f64 = p
            .iter()
            .zip(&q)
            .map(|(&a, &b)| b * FDivergence::KullbackLeibler.generator(a / b))
            .sum();
        let direct: f64 = p
            .iter()
            .zip(&q)
            .filter(|(a, _)| **a > 0.0)
            .map(|(a, b)| a * (a / b).ln())
            .sum();
        let m: Vec<f64> = p.iter().zip(&q).map(|(a, b)| 0.5 * (a + b)).collect();
        let rev = FDivergence::ReverseKullbackLeibler
            .discrete(&p, &q)
            .expect("probability vectors");
        let js = FDivergence::JensenShannon
            .discrete(&p, &q)
            .expect("probability vectors");
        errs.extend([
            (-k).max(0.0),
            gap(k, by_generator),
            gap(k, direct),
            gap(rev, kl(&q, &p)), // +∞ on both sides where p has a zero that q has not
            gap(js, 0.5 * kl(&p, &m) + 0.5 * kl(&q, &m)),
        ]);
    }
    let normal = |m: f64, s: f64| {
        move |x: f64| {
            (-0.5 * ((x - m) / s).powi(2)).exp() / (s * (2.0 * std::f64::consts::PI).sqrt())
        }
    };
    let quad = FDivergence::KullbackLeibler
        .densities(normal(0.0, 1.0), normal(1.0, 2.0), -14.0, 14.0, 4000)
        .expect("valid grid");
    errs.push((quad - kl_univariate_normal(0.0, 1.0, 1.0, 2.0)).abs());
    Measurement::new(
        worst(errs),
        "20 pairs, K = 6, six f-divergences; Simpson KL of two normals",
    )
}

/// |a − b|, and 0 when a = b (also for equal infinities).
fn gap(a: f64, b: f64) -> f64 {
    if a == b { 0.0 } else { (a - b).abs() }
}

fn kl_discrete(p: &[f64], q: &[f64]) -> f64 {
    FDivergence::KullbackLeibler
        .discrete(p, q)
        .expect("probability vectors")
}

/// f-divergences ≥ 0 and the KL forms.
pub const DIVERGENCES: Check = Check {
    id: "divergence.kl-forms",
    identity: "D_f(P||Q) = sum q f(p/q) >= 0, D_f(P||P) = 0; KL = sum p ln(p/q) (f = t ln t); reverse KL(P||Q) = KL(Q||P); JS = KL(P||M)/2 + KL(Q||M)/2",
    method: "exact identities in f64 on 20 random pairs; Simpson quadrature (4000 intervals) vs closed-form KL of N(0,1), N(1,4)",
    tolerance: 1e-9,
    why: "f64 sums of 6 terms (~1e-16); Simpson's O(h^4) error with h = 7e-3 is ~1e-11",
    measure: |seed| divergence_forms(kl_discrete, seed),
    broken: |seed| {
        divergence_forms(
            |p, q| p.iter().zip(q).map(|(a, b)| b * (a / b).ln()).sum(),
            seed,
        )
    },
    fault: "sum q ln(p/q) (the expectation under the wrong distribution)",
};

/// Draws in [`gaussian_kl_mc`].
const MC_DRAWS: usize = 100_000;

/// A KL under test between two Gaussians.
pub type GaussianKl = fn(&Gaussian, &Gaussian) -> f64;

/// |MC − closed| / SE for KL(P0‖P1) between two seeded 3-D Gaussians, with the Monte Carlo mean
/// of ln p0(x) − ln p1(x) over 100 000 draws x ~ P0 and its standard error SE; `kl` is the closed
/// form under test.
pub fn gaussian_kl_mc(kl: GaussianKl, seed: u64) -> Measurement {
    let mut rng = StdRng::seed_from_u64(seed);
    let gaussian = |rng: &mut StdRng| {
        let mean: Vec<f64> = (0..3).map(|_| rng.random_range(-1.0..1.0)).collect();
        let a: Vec<f64> = (0..9).map(|_| rng.random_range(-1.0..1.0)).collect();
        let cov: Vec<f64> = (0..9)
            .map(|ij| {
                let (i, j) = (ij / 3, ij % 3);
                (0..3).map(|t| a[i * 3 + t] * a[j * 3 + t]).sum::<f64>()
                    + if i == j { 0.5 } else { 0.0 }
            })
            .collect();
        Gaussian::new(&mean, &cov).expect("positive definite")
    };
    let (p0, p1) = (gaussian(&mut rng), gaussian(&mut rng));
    let (mut sum, mut sq) = (0.0, 0.0);
    for _ in 0..MC_DRAWS {
        let x = p0.sample(&mut rng);
        let v = p0.log_density(&x) - p1.log_density(&x);
        sum += v;
        sq += v * v;
    }
    let n = MC_DRAWS as f64;
    let mean = sum / n;
    let se = ((sq / n - mean * mean).max(0.0) / n).sqrt();
    let closed = kl(&p0, &p1);
    Measurement::new(
        (mean - closed).abs() / se,
        format!("closed {closed:.5}, Monte Carlo {mean:.5} ± {se:.1e} (n = {MC_DRAWS})"),
    )
}

/// Closed-form Gaussian KL vs Monte Carlo.
pub const GAUSSIAN_KL: Check = Check {
    id: "gaussian.kl-monte-carlo",
    identity: "KL(N0||N1) = 1/2[tr(S1^-1 S0) + (m1-m0)^T S1^-1 (m1-m0) - k + ln det S1 - ln det S0]",
    method: "Monte Carlo with n = 100000 draws of ln p0 - ln p1 under N0, random 3-D Gaussians; error in standard errors",
    tolerance: 4.0,
    why: "4 standard errors: a correct formula fails with probability 6e-5",
    measure: |seed| gaussian_kl_mc(|a, b| kl_gaussian(a, b).expect("same dimension"), seed),
    broken: |seed| gaussian_kl_mc(|a, b| kl_gaussian(b, a).expect("same dimension"), seed),
    fault: "KL(N1||N0) (arguments swapped)",
};
