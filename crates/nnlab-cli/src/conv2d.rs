//! `nnlab conv2d`: single-channel 2-D convolution (or cross-correlation) of a small matrix with
//! stride, zero padding and dilation; prints the output size by its formula, the dilated kernel
//! and the output matrix (computed by `nnlab::ops::grid`).

use anyhow::{Context, Result};
use clap::Args;
use nnlab::ops::grid::{Conv2dSpec, Matrix};

/// Options of `nnlab conv2d`.
#[derive(Args)]
pub struct Conv2dArgs {
    /// The input matrix: rows separated by ';', entries by ',', e.g. "1,2,3;4,5,6;7,8,9".
    #[arg(long, allow_hyphen_values = true)]
    x: String,
    /// The kernel matrix, same syntax, e.g. "1,1;1,1".
    #[arg(long, allow_hyphen_values = true)]
    h: String,
    /// Stride s >= 1 (both axes).
    #[arg(long, default_value_t = 1)]
    stride: usize,
    /// Zero padding p on every side.
    #[arg(long, default_value_t = 0)]
    padding: usize,
    /// Dilation d >= 1: d - 1 zeros between kernel taps.
    #[arg(long, default_value_t = 1)]
    dilation: usize,
    /// Cross-correlation (no kernel flip, what deep-learning libraries call convolution)
    /// instead of true convolution.
    #[arg(long)]
    correlate: bool,
}

/// The spec the flags describe.
pub fn spec(a: &Conv2dArgs) -> Conv2dSpec {
    Conv2dSpec {
        stride: a.stride,
        padding: a.padding,
        dilation: a.dilation,
        correlate: a.correlate,
    }
}

pub fn run(args: Conv2dArgs) -> Result<()> {
    let x = Matrix::parse(&args.x).context("--x")?;
    let h = Matrix::parse(&args.h).context("--h")?;
    let spec = spec(&args);
    let [r, c] = spec
        .output_size(&x, &h)
        .context("--stride/--padding/--dilation")?;
    let y = spec.apply(&x, &h)?;
    let (s, p, d) = (spec.stride, spec.padding, spec.dilation);
    if spec.correlate {
        println!("y[u,v] = sum_ij h[i,j] x~[s*u + d*i, s*v + d*j]  (cross-correlation)");
    } else {
        println!(
            "y[u,v] = sum_ij h[k-1-i,l-1-j] x~[s*u + d*i, s*v + d*j]  (true convolution: h flipped)"
        );
    }
    println!(
        "x: {} x {}, h: {} x {}, s = {s}, p = {p}, d = {d}",
        x.rows, x.cols, h.rows, h.cols
    );
    for (axis, i, k, o) in [("rows", x.rows, h.rows, r), ("cols", x.cols, h.cols, c)] {
        println!(
            "{axis}: o = floor((i + 2p - d(k-1) - 1)/s) + 1 = floor(({i} + 2*{p} - {d}*{} - 1)/{s}) + 1 = {o}",
            k - 1
        );
    }
    let dk = spec.dilated_kernel(&h);
    println!(
        "\nkernel slid over x ({}dilated, {} x {}):\n{}",
        if spec.correlate { "" } else { "flipped, " },
        dk.rows,
        dk.cols,
        dk.render()
    );
    println!("\ny ({} x {}):\n{}", y.rows, y.cols, y.render());
    Ok(())
}
