//! `nnlab pool`: max, average or LP pooling of a small matrix with a k x k window; prints the
//! output size and the pooled matrix (computed by `nnlab::ops::grid`).

use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use nnlab::ops::grid::{Matrix, Pool, PoolSpec};

/// The pooling of a window.
#[derive(Clone, Copy, ValueEnum)]
pub enum Kind {
    /// max over the window.
    Max,
    /// mean over the window.
    Avg,
    /// (sum |x|^p)^(1/p) over the window (needs --p).
    Lp,
}

/// Options of `nnlab pool`.
#[derive(Args)]
pub struct PoolArgs {
    /// The input matrix: rows separated by ';', entries by ',', e.g. "1,2,3;4,5,6;7,8,9".
    #[arg(long, allow_hyphen_values = true)]
    x: String,
    /// Pooling: max, avg or lp.
    #[arg(long, value_enum)]
    kind: Kind,
    /// Window size k (a k x k window).
    #[arg(long)]
    k: usize,
    /// Stride s (default k: non-overlapping windows).
    #[arg(long)]
    stride: Option<usize>,
    /// Exponent p >= 1 of LP pooling.
    #[arg(long, allow_hyphen_values = true)]
    p: Option<f64>,
}

/// The spec the flags describe.
pub fn spec(a: &PoolArgs) -> Result<PoolSpec> {
    let pool = match (a.kind, a.p) {
        (Kind::Max, None) => Pool::Max,
        (Kind::Avg, None) => Pool::Avg,
        (Kind::Lp, Some(p)) => Pool::Lp(p),
        (Kind::Lp, None) => bail!("--kind lp needs --p (an exponent >= 1)"),
        (_, Some(_)) => bail!("--p is only used with --kind lp"),
    };
    Ok(PoolSpec {
        pool,
        k: a.k,
        stride: a.stride.unwrap_or(a.k),
    })
}

pub fn run(args: PoolArgs) -> Result<()> {
    let x = Matrix::parse(&args.x).context("--x")?;
    let spec = spec(&args)?;
    let [r, c] = spec.output_size(&x).context("--k/--stride/--p")?;
    let y = spec.apply(&x).context("--p")?;
    let what = match spec.pool {
        Pool::Max => "max over each window".to_string(),
        Pool::Avg => "mean over each window".to_string(),
        Pool::Lp(p) => format!("(sum |x|^p)^(1/p) over each window, p = {p}"),
    };
    println!(
        "{what}; x: {} x {}, k = {}, s = {}",
        x.rows, x.cols, spec.k, spec.stride
    );
    println!(
        "o = floor((i - k)/s) + 1: rows {r}, cols {c}\n\ny ({} x {}):\n{}",
        y.rows,
        y.cols,
        y.render()
    );
    Ok(())
}
