//! f-divergences D_f(P‖Q) = Σ q f(p/q) between discrete distributions and
//! ∫ q(x) f(p(x)/q(x)) dx between 1-D densities (composite Simpson quadrature on an interval),
//! for convex generators f with f(1) = 0.
//!
//! The terms where p or q vanish take their limits: 0 · f(0/0) = 0; for q = 0 < p the term is
//! p · lim_{t→∞} f(t)/t; for p = 0 < q it is q · f(0) with f(0) = lim_{t→0} f(t). Each variant
//! documents its values of these limits.

use super::quadrature::Grid;
use super::{ProbError, check_probabilities};

/// The f-divergences, named by their generator f.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FDivergence {
    /// Kullback–Leibler, f(t) = t ln t: Σ p ln(p/q). f(0) = 0; q = 0 < p gives +∞.
    KullbackLeibler,
    /// Reverse KL, f(t) = −ln t: Σ q ln(q/p) = KL(Q‖P). p = 0 < q gives +∞; q = 0 gives 0.
    ReverseKullbackLeibler,
    /// Total variation, f(t) = ½|t − 1|: ½ Σ |p − q| in [0, 1]. Finite in every limit.
    TotalVariation,
    /// Squared Hellinger, f(t) = (√t − 1)² without a ½: Σ (√p − √q)² = 2(1 − Σ √(pq)) in [0, 2].
    /// (Authors who define H² = ½ Σ (√p − √q)² ∈ [0, 1] get half this value.) Finite in every
    /// limit.
    SquaredHellinger,
    /// Pearson χ², f(t) = (t − 1)²: Σ (p − q)² / q. q = 0 < p gives +∞.
    ChiSquared,
    /// Jensen–Shannon, f(t) = ½[t ln t − (1 + t) ln((1 + t)/2)], halved so that
    /// JS = ½ KL(P‖M) + ½ KL(Q‖M) with M = (P + Q)/2, in [0, ln 2]. A term with q = 0 < p is
    /// ½ p ln 2 (and symmetrically), so JS is always finite.
    JensenShannon,
}

impl FDivergence {
    /// All variants, for iteration.
    pub const ALL: [FDivergence; 6] = [
        FDivergence::KullbackLeibler,
        FDivergence::ReverseKullbackLeibler,
        FDivergence::TotalVariation,
        FDivergence::SquaredHellinger,
        FDivergence::ChiSquared,
        FDivergence::JensenShannon,
    ];

    /// The generator f(t) for t >= 0 (at t = 0, its limit f(0), possibly +∞).
    pub fn generator(self, t: f64) -> f64 {
        match self {
            Self::KullbackLeibler => xlogy(t, t),
            Self::ReverseKullbackLeibler => -t.ln(),
            Self::TotalVariation => 0.5 * (t - 1.0).abs(),
            Self::SquaredHellinger => (t.sqrt() - 1.0).powi(2),
            Self::ChiSquared => (t - 1.0).powi(2),
            Self::JensenShannon => 0.5 * (xlogy(t, t) - xlogy(1.0 + t, 0.5 * (1.0 + t))),
        }
    }

    /// The term q f(p/q) for p, q >= 0, with the limits stated in the module documentation.
    pub fn term(self, p: f64, q: f64) -> f64 {
        if p == 0.0 && q == 0.0 {
            return 0.0;
        }
        match self {
            Self::KullbackLeibler => relative_entropy(p, q),
            Self::ReverseKullbackLeibler => relative_entropy(q, p),
            Self::TotalVariation => 0.5 * (p - q).abs(),
            Self::SquaredHellinger => (p.sqrt() - q.sqrt()).powi(2),
            Self::ChiSquared if q == 0.0 => f64::INFINITY,
            Self::ChiSquared => (p - q).powi(2) / q,
            Self::JensenShannon => {
                let m = 0.5 * (p + q);
                0.5 * (relative_entropy(p, m) + relative_entropy(q, m))
            }
        }
    }

    /// D_f(P‖Q) = Σ_i q_i f(p_i/q_i) for probability vectors of equal length (entries finite,
    /// nonnegative, summing to 1 within 1e-9).
    pub fn discrete(self, p: &[f64], q: &[f64]) -> Result<f64, ProbError> {
        if p.len() != q.len() {
            return Err(ProbError::LengthMismatch {
                what: "P and Q",
                left: p.len(),
                right: q.len(),
            });
        }
        check_probabilities("P", p)?;
        check_probabilities("Q", q)?;
        Ok(p.iter().zip(q).map(|(&pi, &qi)| self.term(pi, qi)).sum())
    }

    /// D_f(P‖Q) = ∫_a^b q(x) f(p(x)/q(x)) dx for densities p, q, by composite Simpson's rule
    /// with h = (b − a)/n: (h/3)[g_0 + 4g_1 + 2g_2 + 4g_3 + … + 4g_{n−1} + g_n], g = q f(p/q),
    /// with n = `intervals` rounded up to even. The error is O(h⁴) for smooth integrands;
    /// the mass outside [a, b] is ignored. +∞ if any sampled term is infinite.
    pub fn densities(
        self,
        p: impl Fn(f64) -> f64,
        q: impl Fn(f64) -> f64,
        a: f64,
        b: f64,
        intervals: usize,
    ) -> Result<f64, ProbError> {
        let grid = Grid::simpson(a, b, intervals)?;
        let mut sum = 0.0;
        for (i, (&x, &w)) in grid.nodes.iter().zip(&grid.weights).enumerate() {
            let (px, qx) = (p(x), q(x));
            if !(px.is_finite() && qx.is_finite()) {
                return Err(ProbError::NotFinite {
                    what: "density value at Simpson node",
                    index: i,
                    value: if px.is_finite() { qx } else { px },
                });
            }
            if px < 0.0 || qx < 0.0 {
                return Err(ProbError::Negative {
                    what: "density value at Simpson node",
                    index: i,
                    value: px.min(qx),
                });
            }
            sum += w * self.term(px, qx);
        }
        Ok(sum)
    }
}

/// x ln y with 0 ln y = 0 (including y = 0).
fn xlogy(x: f64, y: f64) -> f64 {
    if x == 0.0 { 0.0 } else { x * y.ln() }
}

/// The relative-entropy term p ln(p/q): 0 when p = 0, +∞ when q = 0 < p.
fn relative_entropy(p: f64, q: f64) -> f64 {
    if p == 0.0 {
        0.0
    } else if q == 0.0 {
        f64::INFINITY
    } else {
        p * (p / q).ln()
    }
}
