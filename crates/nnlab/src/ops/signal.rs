//! 1-D discrete convolution and cross-correlation of finite sequences in plain `f64`, with the
//! output modes full, valid and same, and the response of a first-order system
//! h(n) = aⁿ u(n) to a rectangular pulse by direct summation and in closed form.
//!
//! A finite sequence is a [`Sequence`]: values together with the index of the first value, and
//! zero everywhere else. Inputs `x` (length N) and `h` (length M) start at index 0.

use std::ops::Range;

/// Errors of the signal functions.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SignalError {
    #[error("{0} is empty")]
    Empty(&'static str),
    /// A NaN or infinite input value; `index` is 0-based, as in x[0], x[1], ….
    #[error("{what}[{index}] is not a finite number")]
    NonFinite { what: &'static str, index: usize },
    /// An output value overflowed to ±∞ (or became NaN): the result is undefined.
    #[error("y[{index}] = {value} overflows: the inputs are too large for f64")]
    Overflow { index: i64, value: f64 },
    /// Inputs whose work or output would exceed the documented limits.
    #[error("too large: {0}")]
    TooLarge(String),
    /// A parameter outside its documented range; `field` names it (`length`, `shift`, `from`,
    /// `to`, `a`), so a front end can point at the option that set it.
    #[error("{field}: {message}")]
    Setting {
        field: &'static str,
        message: String,
    },
    #[error("invalid argument: {0}")]
    Invalid(String),
}

/// The most multiply-adds one [`convolve`] or [`correlate`] call does (N·M): about a second.
pub const MAX_CONV_WORK: u64 = 100_000_000;

/// The longest pulse L of a [`RectPulse`].
pub const MAX_PULSE_LENGTH: usize = 10_000;

/// The most indices one [`RectPulse::direct`] or [`RectPulse::closed_form`] call evaluates.
pub const MAX_RANGE_LEN: u64 = 10_000;

/// The largest |index| accepted for shifts and ranges (2^40): all index arithmetic then stays
/// far inside `i64`.
pub const MAX_INDEX: i64 = 1 << 40;

/// Which outputs of a convolution or correlation to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Every index where x and h overlap: length N + M − 1.
    Full,
    /// Only indices where the shorter sequence lies entirely inside the longer one: length
    /// |N − M| + 1 (N − M + 1 when N ≥ M; for N < M the roles of x and h are exchanged).
    Valid,
    /// Length max(N, M), centred in the full output like numpy's `np.convolve(.., 'same')`: it
    /// skips the first ⌊(min(N, M) − 1)/2⌋ full outputs.
    Same,
}

impl std::str::FromStr for Mode {
    type Err = SignalError;
    fn from_str(s: &str) -> Result<Self, SignalError> {
        match s {
            "full" => Ok(Mode::Full),
            "valid" => Ok(Mode::Valid),
            "same" => Ok(Mode::Same),
            _ => Err(SignalError::Invalid(format!(
                "mode `{s}` (expected full, valid or same)"
            ))),
        }
    }
}

/// A finite sequence: `values[i]` is the value at index `start + i`, zero elsewhere.
#[derive(Debug, Clone, PartialEq)]
pub struct Sequence {
    pub start: i64,
    pub values: Vec<f64>,
}

impl Sequence {
    /// The indices n with a stored value.
    pub fn indices(&self) -> Range<i64> {
        self.start..self.start + self.values.len() as i64
    }

    /// The value at index n (zero outside the stored range).
    pub fn at(&self, n: i64) -> f64 {
        usize::try_from(n - self.start)
            .ok()
            .and_then(|i| self.values.get(i).copied())
            .unwrap_or(0.0)
    }
}

fn check(v: &[f64], what: &'static str) -> Result<(), SignalError> {
    if v.is_empty() {
        return Err(SignalError::Empty(what));
    }
    match v.iter().position(|t| !t.is_finite()) {
        Some(index) => Err(SignalError::NonFinite { what, index }),
        None => Ok(()),
    }
}

/// Checks both inputs and that N·M stays within [`MAX_CONV_WORK`].
fn check_pair(x: &[f64], h: &[f64]) -> Result<(), SignalError> {
    check(x, "x")?;
    check(h, "h")?;
    let work = (x.len() as u64).saturating_mul(h.len() as u64);
    if work > MAX_CONV_WORK {
        return Err(SignalError::TooLarge(format!(
            "N·M = {} · {} = {work} multiply-adds, more than {MAX_CONV_WORK}",
            x.len(),
            h.len()
        )));
    }
    Ok(())
}

/// The output, or [`SignalError::Overflow`] at the first non-finite value.
fn finite_output(start: i64, values: Vec<f64>) -> Result<Sequence, SignalError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(SignalError::Overflow {
            index: start + i as i64,
            value: values[i],
        }),
        None => Ok(Sequence { start, values }),
    }
}

/// The indices the mode keeps, in the indexing of the full convolution (0..N+M−1).
fn conv_range(n: usize, m: usize, mode: Mode) -> Range<i64> {
    let (lo, hi) = (n.min(m) as i64, n.max(m) as i64);
    match mode {
        Mode::Full => 0..lo + hi - 1,
        Mode::Valid => lo - 1..hi,
        Mode::Same => (lo - 1) / 2..(lo - 1) / 2 + hi,
    }
}

/// True convolution ("flip and drag"): y[n] = Σ_k x[k] h[n − k], zero outside both sequences.
///
/// Full output indices are n = 0, …, N + M − 2; `valid` keeps n = min(N, M) − 1, …,
/// max(N, M) − 1 and `same` keeps max(N, M) values from n = ⌊(min(N, M) − 1)/2⌋ (see [`Mode`]).
///
/// # Errors
/// [`SignalError::Empty`] or [`SignalError::NonFinite`] for an empty or non-finite input,
/// [`SignalError::TooLarge`] when N·M exceeds [`MAX_CONV_WORK`], [`SignalError::Overflow`]
/// when an output is not finite.
pub fn convolve(x: &[f64], h: &[f64], mode: Mode) -> Result<Sequence, SignalError> {
    check_pair(x, h)?;
    let range = conv_range(x.len(), h.len(), mode);
    let values = range
        .clone()
        .map(|n| {
            // k runs over max(0, n − M + 1) ..= min(n, N − 1).
            let k0 = (n - h.len() as i64 + 1).max(0) as usize;
            let k1 = (n as usize).min(x.len() - 1);
            (k0..=k1).map(|k| x[k] * h[n as usize - k]).sum()
        })
        .collect();
    finite_output(range.start, values)
}

/// Cross-correlation (no flip, "slide"): y[n] = Σ_k x[n + k] h[k], which equals the convolution
/// of x with the flipped kernel h[M − 1 − k] shifted by M − 1 indices.
///
/// Full output indices are n = −(M − 1), …, N − 1. When N ≥ M each mode keeps the same outputs
/// as [`convolve`] with the flipped kernel (valid: n = 0, …, N − M, as in a CNN layer without
/// padding). When N < M the roles swap as in numpy's `np.correlate`: y[n] = (h ⋆ x)[−n], so the
/// result is the correlation of h with x read backwards, and `same` keeps the max(N, M) outputs
/// that numpy keeps (SciPy's `signal.correlate(.., 'same')` instead keeps N outputs; the
/// conformance tests check both relations).
///
/// # Errors
/// As [`convolve`].
pub fn correlate(x: &[f64], h: &[f64], mode: Mode) -> Result<Sequence, SignalError> {
    check_pair(x, h)?;
    if x.len() < h.len() {
        let swapped = correlate(h, x, mode)?;
        let start = -(swapped.start + swapped.values.len() as i64 - 1);
        let values = swapped.values.into_iter().rev().collect();
        return Ok(Sequence { start, values });
    }
    let shift = h.len() as i64 - 1;
    let range = conv_range(x.len(), h.len(), mode);
    let start = range.start - shift;
    let values = (start..range.end - shift)
        .map(|n| {
            h.iter()
                .enumerate()
                .filter_map(|(k, hk)| {
                    usize::try_from(n + k as i64)
                        .ok()
                        .and_then(|i| x.get(i))
                        .map(|xi| xi * hk)
                })
                .sum()
        })
        .collect();
    finite_output(start, values)
}

/// Parameters of the rectangular-pulse experiment: x(n) = 1 for N ≤ n < N + L (a pulse of
/// length L shifted by N), h(n) = aⁿ u(n).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RectPulse {
    pub length: usize,
    pub a: f64,
    pub shift: i64,
}

impl RectPulse {
    fn validate(&self) -> Result<(), SignalError> {
        if self.length == 0 || self.length > MAX_PULSE_LENGTH {
            return Err(SignalError::Setting {
                field: "length",
                message: format!(
                    "the pulse length L = {} must be between 1 and {MAX_PULSE_LENGTH}",
                    self.length
                ),
            });
        }
        if self.shift.abs() > MAX_INDEX {
            return Err(SignalError::Setting {
                field: "shift",
                message: format!("the shift N = {} must lie in [-2^40, 2^40]", self.shift),
            });
        }
        if !self.a.is_finite() {
            return Err(SignalError::Setting {
                field: "a",
                message: format!("a = {} is not finite", self.a),
            });
        }
        Ok(())
    }

    /// Checks the pulse and the index range `from..=to` before any work (both ends in
    /// [−2^40, 2^40], `from ≤ to`, at most [`MAX_RANGE_LEN`] indices); returns `from..to + 1`.
    pub fn check_range(&self, from: i64, to: i64) -> Result<Range<i64>, SignalError> {
        self.validate()?;
        for (field, v) in [("from", from), ("to", to)] {
            if v.abs() > MAX_INDEX {
                return Err(SignalError::Setting {
                    field,
                    message: format!("the range end {v} must lie in [-2^40, 2^40]"),
                });
            }
        }
        if from > to {
            return Err(SignalError::Setting {
                field: "to",
                message: format!("the range is empty: {to} is before the start {from}"),
            });
        }
        let len = (to - from) as u64 + 1;
        if len > MAX_RANGE_LEN {
            return Err(SignalError::Setting {
                field: "to",
                message: format!(
                    "the range {from}..={to} has {len} indices, more than {MAX_RANGE_LEN}"
                ),
            });
        }
        Ok(from..to + 1)
    }

    /// The pulse x(n) = 1 for N ≤ n < N + L, else 0.
    pub fn x(&self, n: i64) -> f64 {
        if n >= self.shift && n < self.shift + self.length as i64 {
            1.0
        } else {
            0.0
        }
    }

    /// The impulse response h(n) = aⁿ u(n).
    pub fn h(&self, n: i64) -> f64 {
        if n >= 0 { powi(self.a, n) } else { 0.0 }
    }

    /// y = x * h by direct summation over the support of x: y(n) = Σ_{k=N}^{N+L−1} h(n − k),
    /// for n in `range`.
    ///
    /// # Errors
    /// [`SignalError::Invalid`] or [`SignalError::TooLarge`] as [`RectPulse::check_range`], or
    /// for a non-finite a.
    pub fn direct(&self, range: Range<i64>) -> Result<Vec<f64>, SignalError> {
        let range = self.check_range(range.start, range.end.saturating_sub(1))?;
        let support = self.shift..self.shift + self.length as i64;
        let start = range.start;
        let values = range
            .map(|n| support.clone().map(|k| self.h(n - k)).sum())
            .collect();
        Ok(finite_output(start, values)?.values)
    }

    /// y = x * h in closed form. With S(m) = Σ_{j<m} a^j = (1 − a^m)/(1 − a) (= m for a = 1)
    /// and the unshifted pulse (N = 0), summing h over the samples of the pulse gives
    ///
    /// y(n) = 0 for n < 0;  y(n) = Σ_{j=0}^{n} a^j = (1 − a^{n+1})/(1 − a) for 0 ≤ n ≤ L − 1;
    /// y(n) = Σ_{j=n−L+1}^{n} a^j = a^{n−L+1} (1 − a^L)/(1 − a) for n ≥ L;
    ///
    /// and for a shift N, y(n) is the unshifted response at n − N (time invariance).
    ///
    /// # Errors
    /// As [`RectPulse::direct`].
    pub fn closed_form(&self, range: Range<i64>) -> Result<Vec<f64>, SignalError> {
        let range = self.check_range(range.start, range.end.saturating_sub(1))?;
        let a = self.a;
        let l = self.length as i64;
        let s = |m: i64| {
            if a == 1.0 {
                m as f64
            } else {
                (1.0 - powi(a, m)) / (1.0 - a)
            }
        };
        let start = range.start;
        let values = range
            .map(|n| match n - self.shift {
                m if m < 0 => 0.0,
                m if m < l => s(m + 1),
                m => powi(a, m - l + 1) * s(l),
            })
            .collect();
        Ok(finite_output(start, values)?.values)
    }
}

/// a^n for an integer n ≥ 0 (repeated squaring by `powi` where the exponent fits in i32).
fn powi(a: f64, n: i64) -> f64 {
    match i32::try_from(n) {
        Ok(n) => a.powi(n),
        Err(_) => a.powf(n as f64),
    }
}
