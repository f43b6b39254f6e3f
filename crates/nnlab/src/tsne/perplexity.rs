//! Perplexity calibration: the bandwidth of each point's Gaussian neighbourhood, found by
//! bisection so that the neighbourhood's entropy equals log(perplexity).

/// The calibrated neighbourhood of one point.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Calibration {
    /// Precision β_i = 1 / (2σ_i²) of the Gaussian kernel.
    pub beta: f64,
    /// Bandwidth σ_i = (2β_i)^{-1/2}.
    pub sigma: f64,
    /// Entropy H(P_i) in nats reached by the bisection.
    pub entropy: f64,
    /// Bisection steps taken.
    pub steps: usize,
}

/// |H(P_i) − log perplexity| (nats) at which the bisection stops.
pub const ENTROPY_TOLERANCE: f64 = 1e-5;
/// Bisection steps after which the bisection stops whatever the entropy (β is then within a
/// relative 2^-100 of its bracket, far below any rounding that matters).
pub const MAX_STEPS: usize = 200;

/// Conditional probabilities p_{j|i} = exp(−β_i d_ij²) / Σ_{k≠i} exp(−β_i d_ik²) over the
/// neighbours of point i, given their squared distances `d2` (i itself excluded), with β_i
/// chosen by bisection so that the entropy H(P_i) = −Σ_j p_{j|i} log p_{j|i} equals
/// log(`perplexity`) (nats) to within [`ENTROPY_TOLERANCE`].
///
/// H is decreasing in β: H = log Z + β E_P[d²] with Z = Σ_j exp(−β d_j²), and
/// dH/dβ = −β Var_P(d²) ≤ 0. Bisection brackets β in [0, ∞): it doubles β while no upper
/// bound is known, and halves the bracket otherwise. Distances are shifted by their minimum
/// before exponentiating (p is invariant to the shift) so nothing underflows to 0/0.
///
/// Writes p_{j|i} into `p` (same length as `d2`). Requires `perplexity` < `d2.len()`: the
/// entropy of a distribution on k points is at most log k.
pub fn calibrate(d2: &[f64], perplexity: f64, p: &mut [f64]) -> Calibration {
    debug_assert_eq!(d2.len(), p.len());
    let target = perplexity.ln();
    let d_min = d2.iter().copied().fold(f64::INFINITY, f64::min);
    let (mut lo, mut hi) = (0.0_f64, f64::INFINITY);
    let mut beta = 1.0;
    let mut entropy = 0.0;
    let mut steps = 0;
    while steps < MAX_STEPS {
        steps += 1;
        entropy = row_entropy(d2, d_min, beta, p);
        let diff = entropy - target;
        if diff.abs() <= ENTROPY_TOLERANCE {
            break;
        }
        if diff > 0.0 {
            // Too flat: sharpen.
            lo = beta;
            beta = if hi.is_finite() {
                0.5 * (beta + hi)
            } else {
                beta * 2.0
            };
        } else {
            hi = beta;
            beta = 0.5 * (beta + lo);
        }
    }
    Calibration {
        beta,
        sigma: (2.0 * beta).sqrt().recip(),
        entropy,
        steps,
    }
}

/// Fills `p` with the normalized kernel exp(−β (d² − d_min)) and returns its entropy
/// H = log Z + β E_P[d² − d_min].
fn row_entropy(d2: &[f64], d_min: f64, beta: f64, p: &mut [f64]) -> f64 {
    let mut z = 0.0;
    let mut weighted = 0.0;
    for (pj, &d) in p.iter_mut().zip(d2) {
        let s = d - d_min;
        let w = (-beta * s).exp();
        *pj = w;
        z += w;
        weighted += w * s;
    }
    for pj in p.iter_mut() {
        *pj /= z;
    }
    z.ln() + beta * weighted / z
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    /// The entropy recomputed from scratch as −Σ p log p.
    fn entropy_of(p: &[f64]) -> f64 {
        -p.iter()
            .filter(|&&v| v > 0.0)
            .map(|v| v * v.ln())
            .sum::<f64>()
    }

    #[test]
    fn hits_the_target_perplexity_on_random_rows() {
        let mut rng = StdRng::seed_from_u64(3);
        for (k, perp, scale) in [
            (90, 30.0, 1.0),
            (30, 5.0, 100.0),
            (200, 50.0, 1e-3),
            (10, 2.0, 1e4),
        ] {
            let d2: Vec<f64> = (0..k).map(|_| rng.random_range(0.0..scale)).collect();
            let mut p = vec![0.0; k];
            let c = calibrate(&d2, perp, &mut p);
            // Stated tolerance: the bisection stops within 1e-5 nats of log(perplexity); the
            // independent −Σ p log p agrees with the running formula to rounding (1e-9).
            let h = entropy_of(&p);
            assert!(
                (h - perp.ln()).abs() <= ENTROPY_TOLERANCE + 1e-9,
                "k {k}: H {h} vs {}",
                perp.ln()
            );
            assert!((h.exp() - perp).abs() / perp < 2e-5);
            assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            assert!((c.sigma - (1.0 / (2.0 * c.beta)).sqrt()).abs() <= 1e-12 * c.sigma);
            assert!(c.steps < MAX_STEPS, "bisection did not converge");
        }
    }

    #[test]
    fn closer_neighbours_get_more_probability() {
        let d2 = [0.1, 0.5, 1.0, 2.0, 4.0, 8.0];
        let mut p = [0.0; 6];
        calibrate(&d2, 3.0, &mut p);
        assert!(p.windows(2).all(|w| w[0] > w[1]), "{p:?}");
    }
}
