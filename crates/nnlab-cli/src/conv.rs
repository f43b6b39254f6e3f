//! `nnlab conv`: 1-D discrete convolution (or cross-correlation) of two finite sequences in the
//! modes full, valid and same; prints the output values with their index range.

use anyhow::{Context, Result, bail};
use clap::Args;
use nnlab::ops::signal::{self, Mode};

/// Options of `nnlab conv`.
#[derive(Args)]
pub struct ConvArgs {
    /// The signal x[0], x[1], ..., comma separated.
    #[arg(long, allow_hyphen_values = true)]
    x: String,
    /// The kernel h[0], h[1], ..., comma separated.
    #[arg(long, allow_hyphen_values = true)]
    h: String,
    /// Output mode: full (N+M-1 values), valid (|N-M|+1) or same (max(N,M), centred like numpy's
    /// np.convolve / np.correlate; for a kernel longer than the signal np.correlate, and so
    /// nnlab, reads the correlation of h with x backwards, while SciPy's
    /// signal.correlate(.., 'same') returns N values instead).
    #[arg(long, default_value = "full", value_parser = ["full", "valid", "same"])]
    mode: String,
    /// Cross-correlation y[n] = sum_k x[n+k] h[k] instead of convolution sum_k x[k] h[n-k].
    #[arg(long)]
    correlate: bool,
}

/// Parses a comma-separated list of numbers, naming the option and the bad entry by its
/// 0-based index, as the library does (`x[0]` is the first value).
fn parse_list(s: &str, name: &str) -> Result<Vec<f64>> {
    if s.trim().is_empty() {
        bail!("--{name} is empty: give comma-separated numbers such as 1,2,3");
    }
    s.split(',')
        .enumerate()
        .map(|(i, t)| {
            t.trim()
                .parse::<f64>()
                .with_context(|| format!("--{name}: {name}[{i}] = `{}` is not a number", t.trim()))
        })
        .collect()
}

pub fn run(args: ConvArgs) -> Result<()> {
    let x = parse_list(&args.x, "x")?;
    let h = parse_list(&args.h, "h")?;
    let mode: Mode = args.mode.parse()?;
    let flag = |e: signal::SignalError| match e {
        signal::SignalError::NonFinite { what, .. } | signal::SignalError::Empty(what) => {
            anyhow::anyhow!("--{what}: {e}")
        }
        e => e.into(),
    };
    let (y, what) = if args.correlate {
        (
            signal::correlate(&x, &h, mode).map_err(flag)?,
            "y[n] = sum_k x[n+k] h[k]",
        )
    } else {
        (
            signal::convolve(&x, &h, mode).map_err(flag)?,
            "y[n] = sum_k x[k] h[n-k]",
        )
    };
    let r = y.indices();
    println!(
        "{what}  ({} mode, N = {}, M = {})",
        args.mode,
        x.len(),
        h.len()
    );
    println!(
        "n = {}..={} ({} values)",
        r.start,
        r.end - 1,
        y.values.len()
    );
    let vals: Vec<String> = y.values.iter().map(|v| v.to_string()).collect();
    println!("y = {}", vals.join(","));
    Ok(())
}
