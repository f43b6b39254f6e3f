//! Detection metrics for a scalar score where larger means "more anomalous": the
//! mean + k·std threshold, type I / type II error rates, the ROC curve, AUROC and AUPR.
//!
//! Conventions: anomalies are the positive class; an item is flagged when `score > threshold`.

/// Mean and sample standard deviation (divisor n − 1, as `torch.std`) of `xs`, in f64.
/// Returns `(mean, 0.0)` for fewer than two values.
pub fn mean_std(xs: &[f32]) -> (f64, f64) {
    let n = xs.len() as f64;
    if xs.is_empty() {
        return (f64::NAN, 0.0);
    }
    let mean = xs.iter().map(|&x| x as f64).sum::<f64>() / n;
    if xs.len() < 2 {
        return (mean, 0.0);
    }
    let ss: f64 = xs.iter().map(|&x| (x as f64 - mean).powi(2)).sum();
    (mean, (ss / (n - 1.0)).sqrt())
}

/// Threshold τ = mean + k·std of the validation scores (sample std).
pub fn sigma_threshold(validation: &[f32], k: f64) -> f64 {
    let (m, s) = mean_std(validation);
    m + k * s
}

/// The decision rule of every detector: `score` is flagged as anomalous iff it is strictly
/// greater than `threshold` (compared in f64).
pub fn flagged(score: f32, threshold: f64) -> bool {
    score as f64 > threshold
}

/// How many of `scores` are [`flagged`].
pub fn count_flagged(scores: &[f32], threshold: f64) -> usize {
    scores.iter().filter(|&&s| flagged(s, threshold)).count()
}

/// Share of `scores` strictly above `threshold`.
pub fn flagged_rate(scores: &[f32], threshold: f64) -> f64 {
    if scores.is_empty() {
        return 0.0;
    }
    count_flagged(scores, threshold) as f64 / scores.len() as f64
}

/// Type I error (false-alarm rate): the share of normal items flagged, P(s > τ | normal).
pub fn type_i_error(normal: &[f32], threshold: f64) -> f64 {
    flagged_rate(normal, threshold)
}

/// Type II error (miss rate): the share of anomalies not flagged, P(s ≤ τ | anomaly).
pub fn type_ii_error(anomalous: &[f32], threshold: f64) -> f64 {
    if anomalous.is_empty() {
        return 0.0;
    }
    1.0 - flagged_rate(anomalous, threshold)
}

/// Scores of both classes merged and sorted by descending score, each tagged `true` for anomaly.
fn ranked(normal: &[f32], anomalous: &[f32]) -> Vec<(f32, bool)> {
    let mut all: Vec<(f32, bool)> = normal
        .iter()
        .map(|&s| (s, false))
        .chain(anomalous.iter().map(|&s| (s, true)))
        .collect();
    all.sort_by(|a, b| b.0.total_cmp(&a.0));
    all
}

/// Walks the ranking from the highest score down, yielding cumulative (false positives,
/// true positives) after each group of tied scores (ties are never split).
fn cumulative_counts(normal: &[f32], anomalous: &[f32]) -> Vec<(usize, usize)> {
    let all = ranked(normal, anomalous);
    let (mut fp, mut tp) = (0usize, 0usize);
    let mut out = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let s = all[i].0;
        while i < all.len() && all[i].0 == s {
            if all[i].1 {
                tp += 1
            } else {
                fp += 1
            }
            i += 1;
        }
        out.push((fp, tp));
    }
    out
}

/// ROC curve: (false positive rate, true positive rate) for every distinct threshold, from
/// (0, 0) to (1, 1), sorted by FPR.
pub fn roc_curve(normal: &[f32], anomalous: &[f32]) -> Vec<(f64, f64)> {
    let (nn, na) = (normal.len().max(1) as f64, anomalous.len().max(1) as f64);
    std::iter::once((0.0, 0.0))
        .chain(
            cumulative_counts(normal, anomalous)
                .into_iter()
                .map(|(fp, tp)| (fp as f64 / nn, tp as f64 / na)),
        )
        .collect()
}

/// Area under the ROC curve, AUROC = P(s_anomaly > s_normal) + ½ P(s_anomaly = s_normal)
/// (the Mann–Whitney statistic), computed by the trapezoid rule over the exact ROC curve, which
/// gives exactly that probability with ties counted one half.
pub fn auroc(normal: &[f32], anomalous: &[f32]) -> f64 {
    roc_curve(normal, anomalous)
        .windows(2)
        .map(|w| (w[1].0 - w[0].0) * (w[1].1 + w[0].1) / 2.0)
        .sum()
}

/// Area under the precision–recall curve as average precision (anomalies positive):
/// AP = Σ_k (R_k − R_{k−1}) P_k over the distinct thresholds, the step-wise estimator used by
/// scikit-learn's `average_precision_score`.
pub fn aupr(normal: &[f32], anomalous: &[f32]) -> f64 {
    if anomalous.is_empty() {
        return 0.0;
    }
    let na = anomalous.len() as f64;
    let mut prev_recall = 0.0;
    let mut ap = 0.0;
    for (fp, tp) in cumulative_counts(normal, anomalous) {
        let recall = tp as f64 / na;
        let precision = tp as f64 / (tp + fp) as f64;
        ap += (recall - prev_recall) * precision;
        prev_recall = recall;
    }
    ap
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPS: f64 = 1e-12; // hand-computed rationals; only f64 rounding separates them

    #[test]
    fn auroc_perfect_inverted_and_hand_case() {
        assert!((auroc(&[1.0, 2.0], &[3.0, 4.0]) - 1.0).abs() < EPS);
        assert!(auroc(&[3.0, 4.0], &[1.0, 2.0]).abs() < EPS);
        // normal {1,3}, anomalies {2,4}: pairs (a>n): (2>1),(4>1),(4>3) = 3 of 4.
        assert!((auroc(&[1.0, 3.0], &[2.0, 4.0]) - 0.75).abs() < EPS);
    }

    #[test]
    fn auroc_counts_ties_as_half_and_matches_pair_counting() {
        assert!((auroc(&[1.0], &[1.0]) - 0.5).abs() < EPS);
        let normal = [0.1, 0.4, 0.4, 0.35, 0.8, 0.2];
        let anom = [0.4, 0.9, 0.35, 0.7];
        let mut wins = 0.0;
        for &a in &anom {
            for &n in &normal {
                wins += if a > n {
                    1.0
                } else if a == n {
                    0.5
                } else {
                    0.0
                };
            }
        }
        let want = wins / (normal.len() * anom.len()) as f64;
        assert!((auroc(&normal, &anom) - want).abs() < EPS);
    }

    #[test]
    fn aupr_hand_case() {
        // Ranking by score: 0.9(a) 0.8(n) 0.7(a) 0.1(n). Recall steps at ranks 1 and 3:
        // AP = ½·1 + ½·(2/3) = 5/6.
        let v = aupr(&[0.8, 0.1], &[0.9, 0.7]);
        assert!((v - 5.0 / 6.0).abs() < EPS, "{v}");
        assert!((aupr(&[0.1, 0.2], &[0.5, 0.6]) - 1.0).abs() < EPS);
    }

    #[test]
    fn roc_endpoints_and_monotone() {
        let roc = roc_curve(&[0.1, 0.5, 0.3], &[0.4, 0.6]);
        assert_eq!(roc.first(), Some(&(0.0, 0.0)));
        assert_eq!(roc.last(), Some(&(1.0, 1.0)));
        assert!(roc.windows(2).all(|w| w[1].0 >= w[0].0 && w[1].1 >= w[0].1));
    }

    #[test]
    fn threshold_and_error_rates() {
        let val = [1.0, 2.0, 3.0, 4.0, 5.0]; // mean 3, sample std sqrt(2.5)
        let t = sigma_threshold(&val, 1.0);
        assert!((t - (3.0 + 2.5f64.sqrt())).abs() < EPS);
        // strictly greater is flagged: a score equal to the threshold is not.
        assert_eq!(type_i_error(&[1.0, 2.0, 9.0, 2.0], 2.0), 0.25);
        assert_eq!(type_ii_error(&[1.0, 2.0, 9.0, 3.0], 2.0), 0.5);
        assert_eq!(mean_std(&[7.0]), (7.0, 0.0));
        assert!(flagged(2.5, 2.0) && !flagged(2.0, 2.0));
        assert_eq!(count_flagged(&[1.0, 2.0, 9.0, 3.0], 2.0), 2);
    }
}
