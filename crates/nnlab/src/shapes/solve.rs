//! The window solver: every (kernel k, stride s, padding p, dilation d) within bounds, and
//! matching the constraints the caller fixes, that maps an input size i to an output size o
//! under [`output_size`].

use super::ShapesError;
use super::arith::{output_size, window_span};
use super::table::{Align, render};
use serde::Serialize;

/// The most candidates [`solve`] tries before refusing the query.
const MAX_WORK: u128 = 100_000_000;

/// What to solve for. A fixed `k`, `s`, `p` or `d` replaces that value's search range (it may lie
/// outside the bounds). Ranges: 1 ≤ k ≤ `max_k`, 1 ≤ s ≤ `max_s`, 1 ≤ d ≤ `max_d`, and
/// 0 ≤ p ≤ `max_p`, or 0 ≤ p ≤ d(k − 1) when `max_p` is `None`: the span of the dilated kernel
/// minus one, so that every window still touches at least one input (with d = 1 this is
/// k − 1). For k = 1 the dilation changes nothing, so only d = 1 is listed (unless d is fixed).
///
/// `non_overlapping` asks for pooling-style tiling: s = k, d = 1, p = 0, so consecutive windows
/// touch without sharing an input (the last i mod k inputs are dropped when k does not divide
/// i); the stride then follows k and ignores `max_s`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SolveQuery {
    pub input: usize,
    pub output: usize,
    pub k: Option<usize>,
    pub s: Option<usize>,
    pub p: Option<usize>,
    pub d: Option<usize>,
    pub non_overlapping: bool,
    pub max_k: usize,
    pub max_s: usize,
    pub max_d: usize,
    pub max_p: Option<usize>,
}

impl Default for SolveQuery {
    /// No constraints, input and output 1, bounds k ≤ 11, s ≤ 4, d ≤ 4, p ≤ d(k − 1).
    fn default() -> Self {
        Self {
            input: 1,
            output: 1,
            k: None,
            s: None,
            p: None,
            d: None,
            non_overlapping: false,
            max_k: 11,
            max_s: 4,
            max_d: 4,
            max_p: None,
        }
    }
}

/// One window that maps the input size to the output size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Solution {
    pub k: usize,
    pub s: usize,
    pub p: usize,
    pub d: usize,
}

/// The solutions of a query, sorted by (k, s, p, d).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Solutions {
    pub query: SolveQuery,
    pub solutions: Vec<Solution>,
}

impl SolveQuery {
    fn check(&self) -> Result<(), ShapesError> {
        let bad = |m: &str| Err(ShapesError::InvalidQuery(m.to_string()));
        if self.input == 0 || self.output == 0 {
            return bad("the input and output sizes must be at least 1");
        }
        if [self.k, self.s, self.d].contains(&Some(0)) {
            return bad("k, s and d must be at least 1");
        }
        if self.max_k == 0 || self.max_s == 0 || self.max_d == 0 {
            return bad("the bounds on k, s and d must be at least 1");
        }
        if self.non_overlapping {
            if self.d.is_some_and(|d| d != 1) || self.p.is_some_and(|p| p != 0) {
                return bad("non-overlapping windows have d = 1 and p = 0");
            }
            if let (Some(k), Some(s)) = (self.k, self.s)
                && k != s
            {
                return bad("non-overlapping windows have s = k");
            }
        }
        Ok(())
    }

    /// The search ranges of k, and of s, p and d given k, as inclusive (low, high) pairs.
    fn k_range(&self) -> (usize, usize) {
        match (self.k, self.non_overlapping.then_some(self.s).flatten()) {
            (Some(k), _) | (None, Some(k)) => (k, k),
            (None, None) => (1, self.max_k),
        }
    }

    /// The ranges of s and d given k.
    fn sd_ranges(&self, k: usize) -> [(usize, usize); 2] {
        let fixed_or = |v: Option<usize>, range| v.map_or(range, |v| (v, v));
        if self.non_overlapping {
            return [(k, k), (1, 1)];
        }
        let d_range = if k == 1 { (1, 1) } else { (1, self.max_d) };
        [fixed_or(self.s, (1, self.max_s)), fixed_or(self.d, d_range)]
    }

    /// The range of p given k and d: `max_p`, or the span minus one, d(k − 1).
    fn p_range(&self, k: usize, d: usize) -> (usize, usize) {
        if self.non_overlapping {
            return (0, 0);
        }
        self.p
            .map_or((0, self.max_p.unwrap_or(d.saturating_mul(k - 1))), |p| {
                (p, p)
            })
    }

    /// The search space in words: `k ≤ 11, s ≤ 4, p ≤ d(k−1), d ≤ 4`, with fixed values as
    /// `k = 3`.
    pub fn describe(&self) -> String {
        let part = |name: &str, fixed: Option<usize>, bound: String| match fixed {
            Some(v) => format!("{name} = {v}"),
            None => format!("{name} ≤ {bound}"),
        };
        let p_bound = self.max_p.map_or("d(k−1)".to_string(), |p| p.to_string());
        if self.non_overlapping {
            let k = part("k", self.k.or(self.s), self.max_k.to_string());
            return format!("non-overlapping (s = k, p = 0, d = 1), {k}");
        }
        [
            part("k", self.k, self.max_k.to_string()),
            part("s", self.s, self.max_s.to_string()),
            part("p", self.p, p_bound),
            part("d", self.d, self.max_d.to_string()),
        ]
        .join(", ")
    }
}

/// Lists every (k, s, p, d) of the query's search space with
/// `output_size(input, k, s, p, d) == Some(output)`, sorted by (k, s, p, d). Errors when the
/// query is invalid or nothing is found.
pub fn solve(query: &SolveQuery) -> Result<Solutions, ShapesError> {
    query.check()?;
    let (k_lo, k_hi) = query.k_range();
    let count = |(lo, hi): (usize, usize)| (hi as u128 + 1).saturating_sub(lo as u128);
    let mut work = 0u128;
    // Saturating: counts of up to 2^64 each overflow u128; any saturated value is above
    // MAX_WORK, which is all that is compared.
    'count: for k in k_lo..=k_hi {
        let [s_range, (d_lo, d_hi)] = query.sd_ranges(k);
        for d in d_lo..=d_hi {
            let size = count(s_range)
                .saturating_mul(count(query.p_range(k, d)))
                .max(1);
            work = work.saturating_add(size);
            if work > MAX_WORK {
                break 'count;
            }
        }
    }
    if work > MAX_WORK {
        return Err(ShapesError::InvalidQuery(format!(
            "the search space ({}) has more than {MAX_WORK} candidates: lower the bounds",
            query.describe()
        )));
    }
    let mut solutions = Vec::new();
    for k in k_lo..=k_hi {
        let [(s_lo, s_hi), (d_lo, d_hi)] = query.sd_ranges(k);
        for s in s_lo..=s_hi {
            for d in d_lo..=d_hi {
                let (p_lo, p_hi) = query.p_range(k, d);
                for p in p_lo..=p_hi {
                    if output_size(query.input, k, s, p, d) == Some(query.output) {
                        solutions.push(Solution { k, s, p, d });
                    }
                }
            }
        }
        solutions.sort_unstable();
    }
    if solutions.is_empty() {
        return Err(ShapesError::NoSolution(format!(
            "no (k, s, p, d) with {} maps {} to {}",
            query.describe(),
            query.input,
            query.output
        )));
    }
    Ok(Solutions {
        query: query.clone(),
        solutions,
    })
}

impl Solutions {
    /// One line per solution with its span d(k−1)+1 and the formula worked out, then the count.
    pub fn table(&self) -> String {
        let i = self.query.input;
        let headers = [
            ("k", Align::Right),
            ("s", Align::Right),
            ("p", Align::Right),
            ("d", Align::Right),
            ("span", Align::Right),
            ("o = ⌊(i + 2p − d(k−1) − 1)/s⌋ + 1", Align::Left),
        ];
        let rows: Vec<Vec<String>> = self
            .solutions
            .iter()
            .map(|&Solution { k, s, p, d }| {
                let o = output_size(i, k, s, p, d).unwrap_or(0);
                let span = window_span(k, d).unwrap_or(0);
                let check = format!("⌊({i} + 2·{p} − {d}·{} − 1)/{s}⌋ + 1 = {o}", k - 1);
                [k, s, p, d, span]
                    .iter()
                    .map(usize::to_string)
                    .chain([check])
                    .collect()
            })
            .collect();
        let n = self.solutions.len();
        format!(
            "{}\n{n} solution{} mapping {i} to {} with {}\n",
            render(&headers, &rows),
            if n == 1 { "" } else { "s" },
            self.query.output,
            self.query.describe()
        )
    }
}
