//! Proof-sheet check of the window solver (see [`crate::verify`]): [`solve`] lists exactly the
//! windows an exhaustive search finds, with padding bounded by the span minus one, d(k − 1).

use super::{Solution, SolveQuery, solve};
use crate::verify::{Check, Measurement};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A solver under test: a query ↦ its solutions (empty when there are none).
pub type Solver = fn(&SolveQuery) -> Vec<Solution>;

/// The library solver, with no solution as an empty list.
pub fn library_solver(q: &SolveQuery) -> Vec<Solution> {
    solve(q).map(|s| s.solutions).unwrap_or_default()
}

/// The number of windows of span d(k − 1) + 1 placed at 0, s, 2s, … inside the padded input of
/// length i + 2p, counted one by one (independent of the floor formula).
pub fn counted_windows(i: usize, k: usize, s: usize, p: usize, d: usize) -> usize {
    let (span, len) = (d * (k - 1) + 1, i + 2 * p);
    (0..).step_by(s).take_while(|t| t + span <= len).count()
}

/// Every (k, s, p, d) with k ≤ max_k, s ≤ max_s, d ≤ max_d (d = 1 when k = 1), p ≤ d(k − 1),
/// whose counted windows map i to o, sorted by (k, s, p, d).
pub fn exhaustive(i: usize, o: usize, max_k: usize, max_s: usize, max_d: usize) -> Vec<Solution> {
    let mut out = Vec::new();
    for k in 1..=max_k {
        for s in 1..=max_s {
            for p in 0..=max_d * (k - 1) {
                for d in 1..=if k == 1 { 1 } else { max_d } {
                    if p <= d * (k - 1) && counted_windows(i, k, s, p, d) == o {
                        out.push(Solution { k, s, p, d });
                    }
                }
            }
        }
    }
    out
}

/// The number of queries on which `solver` disagrees with [`exhaustive`]: the example
/// 64 → 32 with d = 7, s = 2 (whose solutions include k = 2, p = 3), and 60 seeded queries with
/// i, o ≤ 40 and random bounds.
pub fn solver_mismatches(solver: Solver, seed: u64) -> Measurement {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut queries = vec![SolveQuery {
        input: 64,
        output: 32,
        max_k: 11,
        max_s: 2,
        max_d: 7,
        ..Default::default()
    }];
    for _ in 0..60 {
        queries.push(SolveQuery {
            input: rng.random_range(1..=40),
            output: rng.random_range(1..=40),
            max_k: rng.random_range(1..=9),
            max_s: rng.random_range(1..=4),
            max_d: rng.random_range(1..=5),
            ..Default::default()
        });
    }
    let (mut bad, mut found) = (0usize, 0usize);
    for q in &queries {
        let want = exhaustive(q.input, q.output, q.max_k, q.max_s, q.max_d);
        found += want.len();
        if solver(q) != want {
            bad += 1;
        }
    }
    Measurement::new(
        bad as f64,
        format!("{} queries, {found} solutions", queries.len()),
    )
}

/// The solver equals an exhaustive search with p ≤ d(k − 1).
pub const SOLVER_EXHAUSTIVE: Check = Check {
    id: "shapes.solve",
    identity: "solve lists every (k, s, p <= d(k-1), d) with o = floor((i + 2p - d(k-1) - 1)/s) + 1",
    method: "exact comparison with an exhaustive search counting windows one by one (61 queries)",
    tolerance: 0.0,
    why: "integer arithmetic: any mismatched query is a bug",
    measure: |seed| solver_mismatches(library_solver, seed),
    broken: |seed| {
        solver_mismatches(
            |q| {
                library_solver(q)
                    .into_iter()
                    .filter(|s| s.p < s.k)
                    .collect()
            },
            seed,
        )
    },
    fault: "padding bounded by k - 1 (the old bound)",
};
