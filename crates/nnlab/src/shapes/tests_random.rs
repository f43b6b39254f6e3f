//! Randomised checks against brute force: the output-size formula against counting window
//! positions, the receptive-field recurrence (through `analyze`) against propagating index sets
//! backwards through random 1-D stacks, and the solver against an exhaustive search.

use super::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeSet;

/// Number of window positions 0, s, 2s, … whose taps start, start + d, …, start + d(k−1) all
/// lie in the padded input of i + 2p positions, counted one by one (`None` when there are none).
fn simulated_size(i: usize, k: usize, s: usize, p: usize, d: usize) -> Option<usize> {
    let padded = i + 2 * p;
    let mut count = 0;
    let mut start = 0;
    while (0..k).all(|t| start + t * d < padded) {
        count += 1;
        start += s;
    }
    (count > 0).then_some(count)
}

#[test]
fn output_size_matches_simulation() {
    let mut rng = StdRng::seed_from_u64(1);
    for _ in 0..20_000 {
        let (i, k) = (rng.random_range(1..40), rng.random_range(1..9));
        let (s, p, d) = (
            rng.random_range(1..6),
            rng.random_range(0..7),
            rng.random_range(1..5),
        );
        assert_eq!(
            output_size(i, k, s, p, d),
            simulated_size(i, k, s, p, d),
            "i={i} k={k} s={s} p={p} d={d}"
        );
    }
}

#[test]
fn receptive_field_matches_index_propagation() {
    let mut rng = StdRng::seed_from_u64(2);
    for _ in 0..2_000 {
        let depth = rng.random_range(1..6);
        let layers: Vec<[usize; 4]> = (0..depth)
            .map(|_| {
                [
                    rng.random_range(1..6),
                    rng.random_range(1..4),
                    rng.random_range(0..3),
                    rng.random_range(1..4),
                ]
            })
            .collect();
        // Height is the 1-D axis under test (kernels Kx1); 4000 rows fit every stack.
        let mut desc = String::from("input 4000x1");
        for (n, [k, s, p, d]) in layers.iter().enumerate() {
            let name = if n % 2 == 0 { "conv" } else { "maxpool" };
            let filters = if name == "conv" { " f2" } else { "" };
            desc.push_str(&format!("; {name} {k}x1{filters} s{s} p{p} d{d}"));
        }
        // Brute force: the input indices that output index 0 of the last layer depends on.
        // Output o of a layer reads its input at o·s − p + t·d for t = 0, …, k−1; negative
        // indices are padding positions, which the receptive field (like the formula) counts.
        let mut set: BTreeSet<i64> = BTreeSet::from([0]);
        for &[k, s, p, d] in layers.iter().rev() {
            let (s, p, d) = (s as i64, p as i64, d as i64);
            set = set
                .iter()
                .flat_map(|&o| (0..k as i64).map(move |t| o * s - p + t * d))
                .collect();
        }
        let span = (set.last().unwrap() - set.first().unwrap() + 1) as u64;
        let report = analyze(&desc).unwrap();
        let last = report.layers.last().unwrap();
        assert_eq!(last.receptive_field[0], span, "{desc}");
        // The jump is the product of the strides.
        assert_eq!(
            last.jump,
            layers.iter().map(|l| l[1] as u64).product::<u64>(),
            "{desc}"
        );
    }
    // With a single dilated layer the taps have holes but the field is their span.
    let r = analyze("input 9x9; conv 3 d2 f1").unwrap();
    assert_eq!(
        (r.layers[1].receptive_field.clone(), r.layers[1].output),
        (vec![5, 5], Shape::Image { h: 5, w: 5, c: 1 })
    );
}

/// Whether (k, s, p, d) lies in the query's search space, written from `SolveQuery`'s doc.
fn in_space(q: &SolveQuery, [k, s, p, d]: [usize; 4]) -> bool {
    let free_or =
        |fixed: Option<usize>, v: usize, bound: usize| fixed.map_or(v <= bound, |f| f == v);
    if q.non_overlapping {
        return free_or(q.k.or(q.s), k, q.max_k) && s == k && p == 0 && d == 1;
    }
    free_or(q.k, k, q.max_k)
        && free_or(q.s, s, q.max_s)
        && free_or(q.p, p, q.max_p.unwrap_or(d * (k - 1)))
        && free_or(q.d, d, if k == 1 { 1 } else { q.max_d })
}

#[test]
fn solver_matches_exhaustive_search() {
    let mut rng = StdRng::seed_from_u64(3);
    let (mut solved, mut unsolved) = (0, 0);
    for _ in 0..600 {
        let i = rng.random_range(1..40);
        // A target reached by some window, or (one time in four) any size.
        let w = [
            rng.random_range(1..12),
            rng.random_range(1..5),
            rng.random_range(0..5),
            rng.random_range(1..4),
        ];
        let o = match simulated_size(i, w[0], w[1], w[2], w[3]) {
            Some(o) if rng.random_bool(0.75) => o,
            _ => rng.random_range(1..40),
        };
        let mut pick = |v: usize| rng.random_bool(0.3).then_some(v);
        let mut q = SolveQuery {
            input: i,
            output: o,
            k: pick(w[0]),
            s: pick(w[1]),
            p: pick(w[2]),
            d: pick(w[3]),
            ..Default::default()
        };
        q.max_k = rng.random_range(1..13);
        q.max_s = rng.random_range(1..6);
        q.max_d = rng.random_range(1..5);
        q.max_p = rng.random_bool(0.5).then(|| rng.random_range(0..10));
        if rng.random_bool(0.2) {
            q.non_overlapping = true;
            (q.p, q.d) = (None, None);
            if q.k.is_some() {
                q.s = None;
            }
        }
        let mut expected = Vec::new();
        for k in 1..=16 {
            for s in 1..=16 {
                for p in 0..=48 {
                    for d in 1..=6 {
                        if in_space(&q, [k, s, p, d]) && simulated_size(i, k, s, p, d) == Some(o) {
                            expected.push(Solution { k, s, p, d });
                        }
                    }
                }
            }
        }
        match solve(&q) {
            Ok(found) => {
                solved += 1;
                for sol in &found.solutions {
                    assert_eq!(output_size(i, sol.k, sol.s, sol.p, sol.d), Some(o));
                    assert!(
                        in_space(&q, [sol.k, sol.s, sol.p, sol.d]),
                        "{sol:?} outside {q:?}"
                    );
                }
                assert!(found.solutions.is_sorted());
                assert_eq!(found.solutions, expected, "{q:?}");
            }
            Err(ShapesError::NoSolution(m)) => {
                unsolved += 1;
                assert!(
                    expected.is_empty(),
                    "{q:?}: {m} but brute force found {expected:?}"
                );
                assert!(m.ends_with(&format!("maps {i} to {o}")), "{m}");
            }
            Err(e) => panic!("{q:?}: {e}"),
        }
    }
    assert!(
        solved > 100 && unsolved > 50,
        "solved {solved}, unsolved {unsolved}"
    );
}
