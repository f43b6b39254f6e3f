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

/// Top-k error of class scores: the share of examples whose label is not among the `k` largest
/// scores, ties counted against the prediction. `scores` is row-major [n, classes]; example i
/// counts as correct iff fewer than k other classes j have s_ij ≥ s_{i,y_i}, so a class tied
/// with the label ranks ahead of it. Top-`classes` error is therefore 0.
///
/// # Errors
/// A message when k is 0 or above `classes`, there are no examples, the sizes disagree, a label
/// is not below `classes` or a score is not finite (the error is undefined then).
pub fn top_k_error(scores: &[f32], classes: usize, labels: &[u8], k: usize) -> Result<f64, String> {
    if classes == 0 {
        return Err("there are no classes".into());
    }
    if k == 0 || k > classes {
        return Err(format!(
            "k must be between 1 and {classes} (the classes), got {k}"
        ));
    }
    if labels.is_empty() {
        return Err("there are no examples".into());
    }
    if scores.len() != labels.len() * classes {
        return Err(format!(
            "{} scores do not form {} rows of {classes} classes",
            scores.len(),
            labels.len()
        ));
    }
    let mut wrong = 0usize;
    for (i, (row, &y)) in scores.chunks(classes).zip(labels).enumerate() {
        let y = y as usize;
        if y >= classes {
            return Err(format!("example {i} has label {y}, not below {classes}"));
        }
        if row.iter().any(|s| !s.is_finite()) {
            return Err(format!("example {i} has a non-finite score"));
        }
        let ahead = (0..classes).filter(|&j| j != y && row[j] >= row[y]).count();
        if ahead >= k {
            wrong += 1;
        }
    }
    Ok(wrong as f64 / labels.len() as f64)
}

/// Confusion counts `c[true][predicted]` of class scores (row-major [n, classes]), predicting
/// the first class of largest score. Labels must be below `classes` and scores finite (as in
/// [`top_k_error`]).
pub fn confusion_counts(
    scores: &[f32],
    classes: usize,
    labels: &[u8],
) -> Result<Vec<Vec<u64>>, String> {
    top_k_error(scores, classes, labels, 1)?;
    let mut c = vec![vec![0u64; classes]; classes];
    for (row, &y) in scores.chunks(classes).zip(labels) {
        let pred = (0..classes).fold(0, |best, j| if row[j] > row[best] { j } else { best });
        c[y as usize][pred] += 1;
    }
    Ok(c)
}

#[cfg(test)]
mod tests_top_k {
    use super::*;

    #[test]
    fn top_k_error_hand_cases() {
        // Three examples, three classes; labels 0, 1, 2.
        let s = [
            0.9, 0.05, 0.05, // label 0 is first: right at k = 1
            0.5, 0.2, 0.3, // label 1 is third: wrong at k = 1, 2; right at k = 3
            0.1, 0.6, 0.3, // label 2 is second: wrong at k = 1, right at k = 2
        ];
        let y = [0, 1, 2];
        assert_eq!(top_k_error(&s, 3, &y, 1), Ok(2.0 / 3.0));
        assert_eq!(top_k_error(&s, 3, &y, 2), Ok(1.0 / 3.0));
        assert_eq!(top_k_error(&s, 3, &y, 3), Ok(0.0));
    }

    #[test]
    fn ties_count_against_the_prediction() {
        // The label ties with one other class for the top score: not in the top 1, in the top 2.
        let s = [0.4, 0.4, 0.2];
        assert_eq!(top_k_error(&s, 3, &[1], 1), Ok(1.0));
        assert_eq!(top_k_error(&s, 3, &[0], 1), Ok(1.0));
        assert_eq!(top_k_error(&s, 3, &[0], 2), Ok(0.0));
        // All tied: the label is in the top k only for k = all classes.
        let s = [1.0; 4];
        for k in 1..4 {
            assert_eq!(top_k_error(&s, 4, &[2], k), Ok(1.0), "k = {k}");
        }
        assert_eq!(top_k_error(&s, 4, &[2], 4), Ok(0.0));
    }

    #[test]
    fn top_k_error_is_zero_for_k_equal_to_classes() {
        // Any scores, any labels: every label is among all K classes.
        let s: Vec<f32> = (0..70).map(|i| ((i * 37) % 11) as f32 - 5.0).collect();
        let y: Vec<u8> = (0..10).map(|i| (i * 3 % 7) as u8).collect();
        assert_eq!(top_k_error(&s, 7, &y, 7), Ok(0.0));
    }

    #[test]
    fn top_k_error_rejects_undefined_cases() {
        let s = [0.1, 0.9];
        assert!(
            top_k_error(&s, 2, &[0], 0)
                .unwrap_err()
                .contains("k must be")
        );
        assert!(
            top_k_error(&s, 2, &[0], 3)
                .unwrap_err()
                .contains("k must be")
        );
        assert!(
            top_k_error(&[], 2, &[], 1)
                .unwrap_err()
                .contains("no examples")
        );
        assert!(top_k_error(&s, 2, &[2], 1).unwrap_err().contains("label 2"));
        assert!(
            top_k_error(&[f32::NAN, 0.0], 2, &[0], 1)
                .unwrap_err()
                .contains("non-finite")
        );
        assert!(
            top_k_error(&s, 2, &[0, 1], 1)
                .unwrap_err()
                .contains("do not form")
        );
    }

    #[test]
    fn confusion_counts_hand_case() {
        let s = [0.9, 0.1, 0.2, 0.8, 0.7, 0.3, 0.5, 0.5];
        let c = confusion_counts(&s, 2, &[0, 1, 1, 1]).unwrap();
        // Row 1 (label 1): predicted 1, 0, 0 (tie -> first class).
        assert_eq!(c, vec![vec![1, 0], vec![2, 1]]);
    }
}
