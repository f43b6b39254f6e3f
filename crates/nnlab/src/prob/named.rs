//! Named and user-given CDFs for inverse-transform sampling, with sample summaries: the
//! Kolmogorov–Smirnov distance between an empirical CDF and F, empirical quantiles, and curves
//! (empirical CDF vs F, histogram vs the bin masses of F) for plotting.
//!
//! Specs: `exponential[:RATE]`, `uniform[:A:B]`, `normal[:MU:SIGMA]` (bisection on Φ), `mixed`
//! (an example with a flat part and an atom), `--points "x1:F1,x2:F2,…"` (piecewise linear; a
//! repeated x is a jump) and `--discrete "v1:p1,v2:p2,…"` (step CDF).

use rand::SeedableRng;
use rand::rngs::StdRng;

use super::ProbError;
use super::sampling::{FnCdf, InverseCdf, PiecewiseLinearCdf, StepCdf};

/// The points of the `mixed` example: uniform mass 0.3 on [0, 1], an atom of 0.4 at 1, nothing
/// on (1, 2) (a flat part), uniform mass 0.3 on [2, 3].
pub const MIXED_POINTS: &str = "0:0,1:0.3,1:0.7,2:0.7,3:1";

/// Why a CDF spec could not be used. Messages name the offending token.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CdfParseError {
    #[error(
        "unknown distribution '{0}' (expected exponential[:RATE], uniform[:A:B], normal[:MU:SIGMA] or mixed)"
    )]
    UnknownName(String),
    #[error("bad token '{token}': {reason}")]
    BadToken { token: String, reason: String },
    #[error(transparent)]
    Invalid(#[from] ProbError),
}

fn bad(token: &str, reason: impl Into<String>) -> CdfParseError {
    CdfParseError::BadToken {
        token: token.to_string(),
        reason: reason.into(),
    }
}

/// A distribution on the real line given by name or by points.
pub enum Cdf {
    /// F(x) = 1 − e^{−λx} for x ≥ 0, sampled by G(u) = −ln(1 − u)/λ.
    Exponential { rate: f64 },
    /// F(x) = (x − a)/(b − a) on [a, b], sampled by G(u) = a + u(b − a).
    Uniform { a: f64, b: f64 },
    /// N(μ, σ²) by bisection on F(x) = Φ((x − μ)/σ) over [μ − 12σ, μ + 12σ], tolerance 1e-12·σ.
    Normal {
        mu: f64,
        sigma: f64,
        inner: FnCdf<Box<dyn Fn(f64) -> f64 + Send + Sync>>,
    },
    /// A piecewise-linear CDF (`--points` and `mixed`).
    Points(PiecewiseLinearCdf),
    /// A step CDF (`--discrete`).
    Discrete(StepCdf),
}

impl std::fmt::Debug for Cdf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cdf::Exponential { rate } => write!(f, "Exponential({rate})"),
            Cdf::Uniform { a, b } => write!(f, "Uniform({a}, {b})"),
            Cdf::Normal { mu, sigma, .. } => write!(f, "Normal({mu}, {sigma})"),
            Cdf::Points(p) => write!(f, "{p:?}"),
            Cdf::Discrete(d) => write!(f, "{d:?}"),
        }
    }
}

/// Φ(x) = ½ erfc(−x/√2), with erfc from the Chebyshev-fitted formula of Numerical Recipes
/// (2nd ed., §6.2, `erfcc`): for z = |y|, t = 1/(1 + z/2),
/// erfc(z) ≈ t·exp(−z² − 1.26551223 + t(1.00002368 + t(0.37409196 + t(0.09678418 +
/// t(−0.18628806 + t(0.27886807 + t(−1.13520398 + t(1.48851587 + t(−0.82215223 +
/// t·0.17087277))))))))), and erfc(−z) = 2 − erfc(z). Its fractional error is below 1.2e-7
/// everywhere, so Φ has relative error < 1.2e-7 in the lower tail and absolute error < 1.2e-7.
pub fn normal_cdf(x: f64) -> f64 {
    let y = -x / std::f64::consts::SQRT_2;
    let z = y.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -1.26551223
        + t * (1.00002368
            + t * (0.37409196
                + t * (0.09678418
                    + t * (-0.18628806
                        + t * (0.27886807
                            + t * (-1.13520398
                                + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
    let erfc = t * (-z * z + poly).exp();
    0.5 * if y >= 0.0 { erfc } else { 2.0 - erfc }
}

impl Cdf {
    /// Builds N(μ, σ²); σ must be positive and μ finite.
    pub fn normal(mu: f64, sigma: f64) -> Result<Self, ProbError> {
        if !(sigma.is_finite() && sigma > 0.0) {
            return Err(ProbError::NotPositive {
                what: "normal sigma",
                value: sigma,
            });
        }
        let f: Box<dyn Fn(f64) -> f64 + Send + Sync> =
            Box::new(move |x| normal_cdf((x - mu) / sigma));
        let inner = FnCdf::new(f, mu - 12.0 * sigma, mu + 12.0 * sigma, 1e-12 * sigma)?;
        Ok(Cdf::Normal { mu, sigma, inner })
    }

    /// Parses `exponential[:RATE]` (default 1), `uniform[:A:B]` (default 0:1),
    /// `normal[:MU:SIGMA]` (default 0:1) or `mixed` ([`MIXED_POINTS`]).
    pub fn named(spec: &str) -> Result<Self, CdfParseError> {
        let mut parts = spec.split(':');
        let name = parts.next().unwrap_or_default();
        let args: Vec<&str> = parts.collect();
        let nums = |want: usize| -> Result<Vec<f64>, CdfParseError> {
            if !args.is_empty() && args.len() != want {
                return Err(bad(spec, format!("{name} takes {want} numbers after ':'")));
            }
            args.iter().map(|a| number(a)).collect()
        };
        match name {
            "exponential" => {
                let rate = nums(1)?.first().copied().unwrap_or(1.0);
                if !(rate.is_finite() && rate > 0.0) {
                    return Err(bad(spec, "the rate must be positive"));
                }
                Ok(Cdf::Exponential { rate })
            }
            "uniform" => {
                let v = nums(2)?;
                let (a, b) = if v.is_empty() {
                    (0.0, 1.0)
                } else {
                    (v[0], v[1])
                };
                if a >= b {
                    return Err(bad(spec, "need A < B"));
                }
                Ok(Cdf::Uniform { a, b })
            }
            "normal" => {
                let v = nums(2)?;
                let (mu, sigma) = if v.is_empty() {
                    (0.0, 1.0)
                } else {
                    (v[0], v[1])
                };
                Cdf::normal(mu, sigma).map_err(|e| bad(spec, e.to_string()))
            }
            "mixed" if args.is_empty() => Self::points(MIXED_POINTS),
            _ => Err(CdfParseError::UnknownName(spec.to_string())),
        }
    }

    /// Parses `x1:F1,x2:F2,…` into a [`PiecewiseLinearCdf`] (a repeated x gives a jump).
    pub fn points(spec: &str) -> Result<Self, CdfParseError> {
        let (xs, fs) = pairs(spec)?;
        Ok(Cdf::Points(PiecewiseLinearCdf::new(&xs, &fs)?))
    }

    /// Parses `v1:p1,v2:p2,…` into a [`StepCdf`] (values strictly increasing, Σp = 1).
    pub fn discrete(spec: &str) -> Result<Self, CdfParseError> {
        let (vs, ps) = pairs(spec)?;
        Ok(Cdf::Discrete(StepCdf::new(&vs, &ps)?))
    }
}

/// One finite number, or an error naming the token.
fn number(token: &str) -> Result<f64, CdfParseError> {
    match token.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(bad(token, "not a finite number")),
    }
}

/// Splits `a:b,c:d,…` into the first and second coordinates.
fn pairs(spec: &str) -> Result<(Vec<f64>, Vec<f64>), CdfParseError> {
    let mut left = Vec::new();
    let mut right = Vec::new();
    for token in spec.split(',') {
        let (a, b) = token
            .split_once(':')
            .ok_or_else(|| bad(token, "expected X:Y"))?;
        left.push(number(a).map_err(|_| bad(token, "not a finite number before ':'"))?);
        right.push(number(b).map_err(|_| bad(token, "not a finite number after ':'"))?);
    }
    Ok((left, right))
}

impl InverseCdf for Cdf {
    fn quantile(&self, u: f64) -> f64 {
        match self {
            Cdf::Exponential { rate } => -(-u.clamp(0.0, 1.0)).ln_1p() / rate,
            Cdf::Uniform { a, b } => a + u.clamp(0.0, 1.0) * (b - a),
            Cdf::Normal { inner, .. } => inner.quantile(u),
            Cdf::Points(p) => p.quantile(u),
            Cdf::Discrete(d) => d.quantile(u),
        }
    }

    fn cdf(&self, x: f64) -> f64 {
        match self {
            Cdf::Exponential { rate } => {
                if x <= 0.0 {
                    0.0
                } else {
                    -(-rate * x).exp_m1()
                }
            }
            Cdf::Uniform { a, b } => ((x - a) / (b - a)).clamp(0.0, 1.0),
            Cdf::Normal { inner, .. } => inner.cdf(x),
            Cdf::Points(p) => p.cdf(x),
            Cdf::Discrete(d) => d.cdf(x),
        }
    }
}

/// (x, y) points of a curve for plotting.
pub type Curve = Vec<(f64, f64)>;

/// The most samples one sampling request draws (80 MB of `f64`, a few seconds).
pub const MAX_SAMPLES: usize = 10_000_000;

/// The most histogram bins (far more than a plot can resolve).
pub const MAX_BINS: usize = 10_000;

/// Checks a sampling request before any work: 1 ≤ n ≤ [`MAX_SAMPLES`] and
/// 1 ≤ bins ≤ [`MAX_BINS`]. Errors name the field `n` or `bins`.
pub fn check_sample_request(n: usize, bins: usize) -> Result<(), ProbError> {
    super::check_count("n", n, 1, MAX_SAMPLES)?;
    super::check_count("bins", bins, 1, MAX_BINS)
}

/// Draws `n` samples G(U) with U from a `StdRng` seeded by `seed`.
pub fn draw_samples(dist: &impl InverseCdf, n: usize, seed: u64) -> Vec<f64> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).map(|_| dist.sample(&mut rng)).collect()
}

/// The Kolmogorov–Smirnov distance D = sup_x |F_n(x) − F(x)| for any F (atoms allowed).
///
/// F_n is constant between distinct sample values v_1 < … < v_k and F is monotone, so the
/// supremum is the max over j of |C_j/n − F(v_j)| and |C_{j−1}/n − F(v_j−)|, where C_j counts
/// samples ≤ v_j (C_0 = 0); the left limit F(v−) is taken as F at the next smaller float (exact
/// for step and piecewise-linear jumps). NaN samples are ignored; 0 for no samples.
pub fn ks_distance(samples: &[f64], dist: &impl InverseCdf) -> f64 {
    let mut xs: Vec<f64> = samples.iter().copied().filter(|x| !x.is_nan()).collect();
    xs.sort_by(f64::total_cmp);
    let n = xs.len() as f64;
    let mut d: f64 = 0.0;
    let mut i = 0;
    while i < xs.len() {
        let v = xs[i];
        let below = i as f64 / n;
        while i < xs.len() && xs[i] == v {
            i += 1;
        }
        let upto = i as f64 / n;
        d = d
            .max((upto - dist.cdf(v)).abs())
            .max((below - dist.cdf(v.next_down())).abs());
    }
    d
}

/// Summary statistics of samples against their CDF.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleSummary {
    pub n: usize,
    pub mean: f64,
    /// Sample standard deviation with divisor n − 1 (0 for n < 2).
    pub std: f64,
    pub min: f64,
    pub max: f64,
    /// (p, empirical quantile, G(p)) for p in [`SUMMARY_PROBS`].
    pub quantiles: Vec<(f64, f64, f64)>,
    /// [`ks_distance`] of the samples to F.
    pub ks: f64,
}

/// The probabilities whose quantiles [`summarize`] reports.
pub const SUMMARY_PROBS: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// The empirical quantile inf{x : p ≤ F_n(x)} = x_(⌈pn⌉) of sorted samples (x_(1) for p = 0).
pub fn empirical_quantile(sorted: &[f64], p: f64) -> f64 {
    let k = (p * sorted.len() as f64).ceil() as usize;
    sorted[k.clamp(1, sorted.len()) - 1]
}

/// Mean, std, min, max, quantiles and KS distance of finite samples; `None` if there are none.
pub fn summarize(samples: &[f64], dist: &impl InverseCdf) -> Option<SampleSummary> {
    let mut xs: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
    if xs.is_empty() {
        return None;
    }
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    let mean = xs.iter().sum::<f64>() / n as f64;
    let ss: f64 = xs.iter().map(|x| (x - mean).powi(2)).sum();
    let std = if n > 1 {
        (ss / (n - 1) as f64).sqrt()
    } else {
        0.0
    };
    let quantiles = SUMMARY_PROBS
        .iter()
        .map(|&p| (p, empirical_quantile(&xs, p), dist.quantile(p)))
        .collect();
    Some(SampleSummary {
        n,
        mean,
        std,
        min: xs[0],
        max: xs[n - 1],
        quantiles,
        ks: ks_distance(&xs, dist),
    })
}

/// The empirical CDF F_n and F on `points` ≥ 2 equally spaced x in [min − 5%, max + 5%] of the
/// range of the finite samples (widened by 1 when all are equal); empty without finite samples.
pub fn cdf_curves(samples: &[f64], dist: &impl InverseCdf, points: usize) -> (Curve, Curve) {
    let mut xs: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
    if xs.is_empty() {
        return (Vec::new(), Vec::new());
    }
    xs.sort_by(f64::total_cmp);
    let (lo, hi) = (xs[0], xs[xs.len() - 1]);
    let pad = if hi > lo { 0.05 * (hi - lo) } else { 1.0 };
    let (lo, hi) = (lo - pad, hi + pad);
    let m = points.max(2);
    let n = xs.len() as f64;
    let grid = (0..m).map(|i| lo + (hi - lo) * i as f64 / (m - 1) as f64);
    grid.map(|x| {
        let fn_x = xs.partition_point(|&s| s <= x) as f64 / n;
        ((x, fn_x), (x, dist.cdf(x)))
    })
    .unzip()
}

/// A density histogram of the finite samples with `bins` equal bins on [min, max] and, per bin,
/// the density implied by F, (F(b_{j+1}) − F(b_j))/width (an atom adds its mass to its bin; the
/// first bin includes F(b_0) − F(b_0−) by starting at the next smaller float). Both are step
/// lines ((b_j, h_j), (b_{j+1}, h_j), …); empty without finite samples or with `bins` = 0.
pub fn histogram_curves(samples: &[f64], dist: &impl InverseCdf, bins: usize) -> (Curve, Curve) {
    let xs: Vec<f64> = samples.iter().copied().filter(|x| x.is_finite()).collect();
    if xs.is_empty() || bins == 0 {
        return (Vec::new(), Vec::new());
    }
    let lo = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let mut hi = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if hi <= lo {
        hi = lo + 1.0;
    }
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    for &x in &xs {
        counts[(((x - lo) / width) as usize).min(bins - 1)] += 1;
    }
    let edge = |j: usize| if j == bins { hi } else { lo + j as f64 * width };
    let n = xs.len() as f64;
    let (mut hist, mut model) = (Vec::new(), Vec::new());
    for (j, &c) in counts.iter().enumerate() {
        let (a, b) = (edge(j), edge(j + 1));
        let h = c as f64 / (n * width);
        let left = if j == 0 {
            dist.cdf(a.next_down())
        } else {
            dist.cdf(a)
        };
        let g = (dist.cdf(b) - left) / width;
        hist.extend([(a, h), (b, h)]);
        model.extend([(a, g), (b, g)]);
    }
    (hist, model)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_cdf_matches_reference_values() {
        // Reference values of Φ to 16 digits; bound: relative error < 1.2e-7.
        for (x, phi) in [
            (0.0, 0.5),
            (1.0, 0.8413447460685429),
            (1.96, 0.9750021048517795),
            (-3.0, 0.0013498980316301),
            (-6.0, 9.865876450377e-10),
        ] {
            let got = normal_cdf(x);
            assert!(
                (got - phi).abs() <= 1.2e-7 * phi,
                "Φ({x}) = {got}, want {phi}"
            );
        }
    }

    #[test]
    fn ks_distance_hand_cases() {
        let u = Cdf::named("uniform").unwrap();
        assert!((ks_distance(&[0.5], &u) - 0.5).abs() < 1e-15);
        assert!((ks_distance(&[0.25, 0.75], &u) - 0.25).abs() < 1e-15);
        assert!((ks_distance(&[0.1, 0.2], &u) - 0.8).abs() < 1e-15);
        // Atoms: a sample that follows p exactly has D = 0; two 1s give |1 − 0.5|.
        let coin = Cdf::discrete("1:0.5,2:0.5").unwrap();
        assert_eq!(ks_distance(&[2.0, 1.0], &coin), 0.0);
        assert!((ks_distance(&[1.0, 1.0], &coin) - 0.5).abs() < 1e-15);
        assert_eq!(ks_distance(&[], &coin), 0.0);
    }

    #[test]
    fn parses_named_cdfs() {
        let e = Cdf::named("exponential:2").unwrap();
        assert!((e.cdf(1.0) - (1.0 - (-2.0f64).exp())).abs() < 1e-15);
        assert!((e.quantile(0.5) - 2f64.ln() / 2.0).abs() < 1e-15);
        let u = Cdf::named("uniform:-1:3").unwrap();
        assert_eq!((u.cdf(1.0), u.quantile(0.25)), (0.5, 0.0));
        let n = Cdf::named("normal:1:2").unwrap();
        assert!((n.quantile(0.5) - 1.0).abs() < 1e-6);
        assert!((n.quantile(0.975) - (1.0 + 2.0 * 1.959963984540054)).abs() < 1e-5);
        let m = Cdf::named("mixed").unwrap();
        // The atom at 1 takes u in [0.3, 0.7); the flat part (1, 2) gets no samples.
        assert_eq!(
            (m.quantile(0.3), m.quantile(0.69), m.quantile(0.7)),
            (1.0, 1.0, 2.0)
        );
        assert!(matches!(
            Cdf::named("exponential"),
            Ok(Cdf::Exponential { rate: 1.0 })
        ));
    }

    #[test]
    fn bad_specs_name_the_token() {
        let msg = |r: Result<Cdf, CdfParseError>| r.unwrap_err().to_string();
        assert!(msg(Cdf::named("gamma:2")).contains("'gamma:2'"));
        assert!(msg(Cdf::named("exponential:x")).contains("'x'"));
        assert!(msg(Cdf::named("exponential:-1")).contains("'exponential:-1'"));
        assert!(msg(Cdf::named("uniform:2:1")).contains("'uniform:2:1'"));
        assert!(msg(Cdf::named("normal:0:0")).contains("'normal:0:0'"));
        assert!(msg(Cdf::named("normal:0")).contains("'normal:0'"));
        assert!(msg(Cdf::points("0:0,1")).contains("'1'"));
        assert!(msg(Cdf::points("0:0,1:y")).contains("'1:y'"));
        assert!(matches!(
            Cdf::points("0:0,1:0.5"),
            Err(CdfParseError::Invalid(ProbError::BadEnds { .. }))
        ));
        assert!(matches!(
            Cdf::discrete("1:0.5,2:0.6"),
            Err(CdfParseError::Invalid(ProbError::NotNormalized { .. }))
        ));
    }

    #[test]
    fn discrete_sample_frequencies_near_p() {
        let d = Cdf::discrete("-1:0.2,0:0.5,2.5:0.3").unwrap();
        let n = 100_000;
        let xs = draw_samples(&d, n, 7);
        for (v, p) in [(-1.0, 0.2), (0.0, 0.5), (2.5, 0.3)] {
            let freq = xs.iter().filter(|&&x| x == v).count() as f64 / n as f64;
            // 5 binomial standard deviations: 5·√(p(1 − p)/n) ≤ 0.0080.
            let tol = 5.0 * (p * (1.0 - p) / n as f64).sqrt();
            assert!((freq - p).abs() < tol, "value {v}: {freq} vs {p}");
        }
    }

    #[test]
    fn summary_and_curves_agree_with_f() {
        let e = Cdf::named("exponential:2").unwrap();
        let xs = draw_samples(&e, 20_000, 0);
        let s = summarize(&xs, &e).unwrap();
        // Mean 1/λ = 0.5 and std 0.5: 5 standard errors 5·0.5/√n ≈ 0.018; KS at level 0.001.
        assert!(
            (s.mean - 0.5).abs() < 0.018 && (s.std - 0.5).abs() < 0.03,
            "{s:?}"
        );
        assert!(s.ks < 1.95 / (20_000f64).sqrt(), "{s:?}");
        let (emp, model) = cdf_curves(&xs, &e, 101);
        assert_eq!((emp.len(), model.len()), (101, 101));
        let (hist, dens) = histogram_curves(&xs, &e, 40);
        assert_eq!(hist.len(), 80);
        let mass: f64 = hist.chunks(2).map(|c| c[0].1 * (c[1].0 - c[0].0)).sum();
        let model_mass: f64 = dens.chunks(2).map(|c| c[0].1 * (c[1].0 - c[0].0)).sum();
        assert!((mass - 1.0).abs() < 1e-12 && model_mass > 0.99);
    }
}
