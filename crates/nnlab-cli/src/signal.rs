//! `nnlab signal rect`: the response y = x * h of h(n) = a^n u(n) to a rectangular pulse, by
//! direct summation and in closed form; prints n, x(n), y(n) and plots x and y.

use anyhow::{Result, anyhow};
use clap::{Args, Subcommand};
use nnlab::ops::signal::{RectPulse, SignalError};
use nnlab::plot::{Line, stem_plot};
use std::path::PathBuf;

/// Options of `nnlab signal`.
#[derive(Args)]
pub struct SignalArgs {
    #[command(subcommand)]
    action: Action,
}

#[derive(Subcommand)]
enum Action {
    /// y = x * h for a pulse x(n) = 1 on N <= n < N+L and h(n) = a^n u(n).
    ///
    /// Closed form (N = 0): y(n) = 0 for n < 0, (1 - a^(n+1))/(1 - a) for 0 <= n <= L-1,
    /// a^(n-L+1) (1 - a^L)/(1 - a) for n >= L; a shift N of x shifts y by N.
    Rect(RectArgs),
}

#[derive(Args)]
struct RectArgs {
    /// Pulse length L.
    #[arg(long, default_value_t = 4)]
    length: usize,
    /// Decay factor a of h(n) = a^n u(n).
    #[arg(long, default_value_t = 0.5, allow_negative_numbers = true)]
    a: f64,
    /// Shift N of the pulse: x(n - N).
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    shift: i64,
    /// First index n shown.
    #[arg(long, default_value_t = -6, allow_negative_numbers = true)]
    from: i64,
    /// Last index n shown.
    #[arg(long, default_value_t = 12, allow_negative_numbers = true)]
    to: i64,
    /// Plot of x(n) and y(n).
    #[arg(long, default_value = "rect.png")]
    out: PathBuf,
}

pub fn run(args: SignalArgs) -> Result<()> {
    match args.action {
        Action::Rect(a) => rect(a),
    }
}

fn rect(args: RectArgs) -> Result<()> {
    let p = RectPulse {
        length: args.length,
        a: args.a,
        shift: args.shift,
    };
    // Every setting is checked (sizes, index bounds) before any work.
    let range = p.check_range(args.from, args.to).map_err(flag_error)?;
    nnlab::io::writable_target(&args.out).map_err(|e| anyhow!("--out: {e}"))?;
    let direct = p.direct(range.clone()).map_err(flag_error)?;
    let closed = p.closed_form(range.clone()).map_err(flag_error)?;
    println!(
        "x(n) = 1 for {} <= n < {}, h(n) = ({})^n u(n)",
        p.shift,
        p.shift + p.length as i64,
        p.a
    );
    println!(
        "{:>5} {:>5} {:>14} {:>14}",
        "n", "x(n)", "y(n) direct", "closed form"
    );
    let mut max_diff = 0.0f64;
    for (n, (d, c)) in range.clone().zip(direct.iter().zip(&closed)) {
        println!("{n:>5} {:>5} {d:>14.10} {c:>14.10}", p.x(n));
        max_diff = max_diff.max((d - c).abs());
    }
    println!("max |direct - closed form| = {max_diff:.3e}");
    let xs: Vec<(f64, f64)> = range.clone().map(|n| (n as f64, p.x(n))).collect();
    let ys: Vec<(f64, f64)> = range.map(|n| n as f64).zip(direct).collect();
    let lines = [
        Line {
            name: "x(n)",
            points: &xs,
        },
        Line {
            name: "y(n) = (x * h)(n)",
            points: &ys,
        },
    ];
    let title = format!(
        "rectangular pulse L = {}, h(n) = ({})^n u(n)",
        p.length, p.a
    );
    stem_plot(&args.out, &title, "n", "value", &lines)?;
    println!("plot {}", args.out.display());
    Ok(())
}

/// A library setting error, naming the flag (`length` → `--length`).
fn flag_error(e: SignalError) -> anyhow::Error {
    match e {
        SignalError::Setting { field, message } => {
            anyhow!("{}: {message}", crate::flags::flag(field))
        }
        e => e.into(),
    }
}
