//! The proof sheet: a registry of executable checks, one per identity nnlab implements, each
//! measured on seeded data and compared with a stated tolerance.
//!
//! A [`Check`] names the identity (a plain-text formula), how it is checked (dot-product test,
//! exact equality, finite differences, autodiff, Monte Carlo, closed form), the tolerance and why
//! it is that size. Its `measure` function lives next to the code it checks (e.g. in
//! [`crate::ops`]), and the unit tests there call the same function, so the sheet and the test
//! suite cannot drift apart. Every check also has a `broken` twin that measures the same quantity
//! with a plausible wrong formula swapped in (a wrong adjoint, a gradient without accumulation…):
//! the twin must fail, which proves that the check can fail at all ([`run_with_fault`] runs it in
//! place of the real one, as a self-test of the sheet).

mod registry;

pub use registry::all;

use serde::Serialize;
use std::time::Instant;

/// What a check measured: the error (in the units the check states) and a short detail.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// The measured error; the check passes iff it is finite and ≤ the tolerance.
    pub error: f64,
    /// A short description of what was compared (sizes, counts, the worst case).
    pub detail: String,
}

impl Measurement {
    /// A measurement from its error and detail.
    pub fn new(error: f64, detail: impl Into<String>) -> Self {
        Self {
            error,
            detail: detail.into(),
        }
    }
}

/// One executable identity of the proof sheet.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    /// Short stable name, e.g. `pool.avg-adjoint` (what `--only` and fault injection match).
    pub id: &'static str,
    /// The identity, as a plain-text formula.
    pub identity: &'static str,
    /// How it is checked (method, sizes, number of draws).
    pub method: &'static str,
    /// The largest error that passes.
    pub tolerance: f64,
    /// Why the tolerance has that size.
    pub why: &'static str,
    /// Measures the error for a seed.
    pub measure: fn(u64) -> Measurement,
    /// Measures the same error with a plausible wrong formula swapped in; it must fail.
    pub broken: fn(u64) -> Measurement,
    /// What `broken` swaps in.
    pub fault: &'static str,
}

/// A measurement judged against its check's tolerance.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The measured error.
    pub error: f64,
    /// Whether the error is finite and within the tolerance.
    pub pass: bool,
    /// What was compared.
    pub detail: String,
}

impl Check {
    /// Judges a measurement: pass iff the error is finite (NaN fails) and ≤ the tolerance.
    pub fn judge(&self, m: Measurement) -> Outcome {
        Outcome {
            pass: m.error.is_finite() && m.error <= self.tolerance,
            error: m.error,
            detail: m.detail,
        }
    }

    /// Runs the check for `seed`.
    pub fn run(&self, seed: u64) -> Outcome {
        self.judge((self.measure)(seed))
    }

    /// Runs the broken twin for `seed` (it must fail).
    pub fn run_broken(&self, seed: u64) -> Outcome {
        self.judge((self.broken)(seed))
    }
}

/// One row of the proof sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub id: &'static str,
    pub identity: &'static str,
    pub method: &'static str,
    pub error: f64,
    pub tolerance: f64,
    pub why: &'static str,
    pub pass: bool,
    pub detail: String,
    /// Whether the broken twin ran instead of the real check (fault injection).
    pub injected_fault: bool,
    pub seconds: f64,
}

/// Why a sheet could not be run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VerifyError {
    /// The filter matches no check id.
    #[error("no check id contains '{pattern}'; the ids are: {ids}")]
    NoMatch { pattern: String, ids: String },
    /// The fault names no check id.
    #[error("no check has the id '{id}'; the ids are: {ids}")]
    UnknownFault { id: String, ids: String },
}

fn ids() -> String {
    all().iter().map(|c| c.id).collect::<Vec<_>>().join(", ")
}

/// The checks whose id contains `filter` (case-insensitive; all when `None`).
pub fn select(filter: Option<&str>) -> Result<Vec<&'static Check>, VerifyError> {
    let checks: Vec<&'static Check> = match filter {
        None => all().to_vec(),
        Some(p) => {
            let p = p.to_lowercase();
            all()
                .iter()
                .copied()
                .filter(|c| c.id.to_lowercase().contains(&p))
                .collect()
        }
    };
    if checks.is_empty() {
        return Err(VerifyError::NoMatch {
            pattern: filter.unwrap_or_default().to_string(),
            ids: ids(),
        });
    }
    Ok(checks)
}

/// Runs the checks whose id contains `filter`, each with `seed`, calling `each` after every row
/// (for progress). See [`run_with_fault`].
pub fn run(
    filter: Option<&str>,
    seed: u64,
    each: &mut dyn FnMut(&Row),
) -> Result<Vec<Row>, VerifyError> {
    run_with_fault(filter, seed, None, each)
}

/// [`run`], with the check whose id is exactly `fault` replaced by its broken twin (a self-test
/// of the sheet: that row must fail).
pub fn run_with_fault(
    filter: Option<&str>,
    seed: u64,
    fault: Option<&str>,
    each: &mut dyn FnMut(&Row),
) -> Result<Vec<Row>, VerifyError> {
    if let Some(f) = fault
        && !all().iter().any(|c| c.id == f)
    {
        return Err(VerifyError::UnknownFault {
            id: f.to_string(),
            ids: ids(),
        });
    }
    let mut rows = Vec::new();
    for check in select(filter)? {
        let start = Instant::now();
        let injected = fault == Some(check.id);
        let outcome = if injected {
            check.run_broken(seed)
        } else {
            check.run(seed)
        };
        let row = Row {
            id: check.id,
            identity: check.identity,
            method: check.method,
            error: outcome.error,
            tolerance: check.tolerance,
            why: check.why,
            pass: outcome.pass,
            detail: outcome.detail,
            injected_fault: injected,
            seconds: start.elapsed().as_secs_f64(),
        };
        each(&row);
        rows.push(row);
    }
    Ok(rows)
}

/// The worst of several errors (NaN propagates as NaN, so a NaN anywhere fails the check).
pub fn worst(errors: impl IntoIterator<Item = f64>) -> f64 {
    errors.into_iter().fold(0.0, |acc, e| {
        if acc.is_nan() || e.is_nan() {
            f64::NAN
        } else {
            acc.max(e)
        }
    })
}

#[cfg(test)]
mod tests;
