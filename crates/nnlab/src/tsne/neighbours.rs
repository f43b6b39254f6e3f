//! Neighbourhood measures of an embedding: each point's k nearest embedded neighbours, the
//! k-NN label agreement, and how well a marked subset (anomalies) keeps to itself, with the
//! value that measure takes by chance.

use super::{exact::sq, par_map};

/// The `k` nearest other points of every point of `y` (Euclidean, ties to the smaller index),
/// nearest first. Exact brute force, O(n²) on all cores. `None` for `k` = 0 or fewer than
/// k + 1 points.
pub fn nearest(y: &[[f64; 2]], k: usize) -> Option<Vec<Vec<usize>>> {
    let n = y.len();
    if k == 0 || n <= k {
        return None;
    }
    Some(par_map(n, |i| {
        let mut d: Vec<(f64, usize)> = (0..n)
            .filter(|&j| j != i)
            .map(|j| (sq(y[i], y[j]), j))
            .collect();
        let by = |a: &(f64, usize), b: &(f64, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
        d.select_nth_unstable_by(k - 1, by);
        let mut first: Vec<(f64, usize)> = d[..k].to_vec();
        first.sort_by(by);
        first.into_iter().map(|e| e.1).collect()
    }))
}

/// The share, over the points `i` with `over(i)` and their neighbours `nb[i]` (from
/// [`nearest`]), of neighbours with the point's label. `None` when no point is counted.
pub fn label_agreement<L: PartialEq>(
    nb: &[Vec<usize>],
    labels: &[L],
    over: impl Fn(usize) -> bool,
) -> Option<f64> {
    let (mut same, mut all) = (0usize, 0usize);
    for (i, row) in nb.iter().enumerate().filter(|(i, _)| over(*i)) {
        same += row.iter().filter(|&&j| labels[j] == labels[i]).count();
        all += row.len();
    }
    (all > 0).then(|| same as f64 / all as f64)
}

/// The k-nearest-neighbour label agreement of an embedding: the share, over all points and
/// their `k` nearest other points in `y` ([`nearest`]), of neighbours with the point's label.
/// `None` for fewer than k + 1 points or labels of another length.
pub fn knn_agreement(y: &[[f64; 2]], labels: &[u8], k: usize) -> Option<f64> {
    if labels.len() != y.len() {
        return None;
    }
    label_agreement(&nearest(y, k)?, labels, |_| true)
}

/// The share of members (`member[i]`) whose neighbours `nb[i]` are mostly members: more than
/// half of them, i.e. at least ⌊k/2⌋ + 1 of k. `None` without members.
pub fn majority_share(nb: &[Vec<usize>], member: &[bool]) -> Option<f64> {
    let (mut mostly, mut members) = (0usize, 0usize);
    for (row, _) in nb.iter().zip(member).filter(|(_, m)| **m) {
        members += 1;
        let inside = row.iter().filter(|&&j| member[j]).count();
        mostly += usize::from(2 * inside > row.len());
    }
    (members > 0).then(|| mostly as f64 / members as f64)
}

/// The value of [`majority_share`] when each of the k neighbours is a member independently
/// with probability `p` (members placed at random; `p` = the members' share among a member's
/// possible neighbours, (m − 1)/(n − 1)): the binomial tail
///
/// P(B > k/2) = Σ_{j = ⌊k/2⌋+1}^{k} C(k, j) pʲ (1 − p)^{k−j},  B ~ Binomial(k, p).
///
/// (Sampling without replacement would make it hypergeometric; for m, n ≫ k the two agree.)
pub fn majority_chance(k: usize, p: f64) -> f64 {
    let mut c = 1.0f64; // C(k, j), updated as j grows
    let mut tail = 0.0;
    for j in 0..=k {
        if 2 * j > k {
            tail += c * p.powi(j as i32) * (1.0 - p).powi((k - j) as i32);
        }
        c = c * (k - j) as f64 / (j + 1) as f64;
    }
    tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    #[test]
    fn nearest_neighbours_of_points_on_a_line() {
        let y: Vec<[f64; 2]> = [0.0, 1.0, 3.0, 6.0, 10.0]
            .iter()
            .map(|&x| [x, 0.0])
            .collect();
        let nb = nearest(&y, 2).unwrap();
        // 2 (at 3) has 0 and 3 both at distance 3: the tie goes to the smaller index.
        assert_eq!(
            nb,
            vec![vec![1, 2], vec![0, 2], vec![1, 0], vec![2, 4], vec![3, 2]]
        );
        assert!(nearest(&y, 5).is_none() && nearest(&y, 0).is_none());
        // labels a a a b b: agreement counts same-label neighbours only over the chosen points.
        let labels = [0u8, 0, 0, 1, 1];
        assert_eq!(label_agreement(&nb, &labels, |_| true), Some(8.0 / 10.0));
        assert_eq!(label_agreement(&nb, &labels, |i| i >= 3), Some(2.0 / 4.0));
        assert_eq!(label_agreement(&nb, &labels, |_| false), None);
        // b's neighbours: 3 → {2, 4}, 4 → {3, 2}: one b of two each, not more than half.
        let member = [false, false, false, true, true];
        assert_eq!(majority_share(&nb, &member), Some(0.0));
        let member = [false, false, true, true, true];
        // 2 → {1, 0}: 0 of 2; 3 → {2, 4} and 4 → {3, 2}: 2 of 2.
        assert_eq!(majority_share(&nb, &member), Some(2.0 / 3.0));
        assert_eq!(majority_share(&nb, &[false; 5]), None);
    }

    /// The binomial tail at p = ½: (C(10,6) + … + C(10,10)) / 2¹⁰ = 386/1024 exactly (to
    /// rounding, 1e-15). "At least half" (j ≥ 5, ties counted) would give 638/1024 and fails.
    #[test]
    fn majority_chance_is_the_binomial_tail() {
        assert!((majority_chance(10, 0.5) - 386.0 / 1024.0).abs() < 1e-15);
        assert!((majority_chance(10, 0.5) - 638.0 / 1024.0).abs() > 0.2);
        assert!((majority_chance(3, 0.2) - (3.0 * 0.04 * 0.8 + 0.008)).abs() < 1e-15);
        assert_eq!(
            (majority_chance(10, 0.0), majority_chance(10, 1.0)),
            (0.0, 1.0)
        );
    }

    /// Members placed at random among non-members: the measured share matches the chance value.
    /// 1200 members; the share is a mean of 1200 dependent indicators with standard deviation
    /// ≤ √(0.25/1200) ≈ 0.014 if independent; allow 0.06 (over 4 such deviations) for the
    /// dependence between nearby points. Clustering the members instead gives a share near 1.
    #[test]
    fn random_members_score_chance_and_clustered_members_score_one() {
        let mut rng = StdRng::seed_from_u64(11);
        let n = 3000;
        let y: Vec<[f64; 2]> = (0..n).map(|_| [rng.random(), rng.random()]).collect();
        let member: Vec<bool> = (0..n).map(|i| i % 5 < 2).collect();
        let m = member.iter().filter(|&&b| b).count();
        let nb = nearest(&y, 10).unwrap();
        let got = majority_share(&nb, &member).unwrap();
        let chance = majority_chance(10, (m - 1) as f64 / (n - 1) as f64);
        assert!((got - chance).abs() < 0.06, "{got} vs chance {chance}");
        let apart: Vec<[f64; 2]> = y
            .iter()
            .zip(&member)
            .map(|(p, &b)| if b { [p[0] + 5.0, p[1]] } else { *p })
            .collect();
        let got = majority_share(&nearest(&apart, 10).unwrap(), &member).unwrap();
        assert_eq!(got, 1.0);
    }
}
