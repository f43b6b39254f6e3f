//! `nnlab sample`: draw samples by the generalized inverse transform G(U) from a named or
//! user-given CDF, print summary statistics and the KS distance, and plot the empirical CDF
//! against F (and a density histogram against the bin masses of F).

use anyhow::{Context, Result, anyhow, bail};
use clap::Args;
use nnlab::plot::{Line, line_plot};
use nnlab::prob::ProbError;
use nnlab::prob::named::{self, Cdf};
use std::path::{Path, PathBuf};

/// Options of `nnlab sample`.
#[derive(Args)]
pub struct SampleArgs {
    /// exponential[:RATE], uniform[:A:B], normal[:MU:SIGMA] or mixed (atom + flat part).
    name: Option<String>,
    /// Piecewise-linear CDF "x1:F1,x2:F2,..." (a repeated x gives a jump).
    #[arg(long, allow_hyphen_values = true, conflicts_with_all = ["name", "discrete"])]
    points: Option<String>,
    /// Discrete distribution "v1:p1,v2:p2,..." (step CDF).
    #[arg(long, allow_hyphen_values = true, conflicts_with = "name")]
    discrete: Option<String>,
    /// Number of samples.
    #[arg(long, default_value_t = 10_000)]
    n: usize,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Histogram bins of the density plot.
    #[arg(long, default_value_t = 50)]
    bins: usize,
    /// CDF plot (empirical vs F); the histogram goes to <stem>-hist.png beside it.
    #[arg(long, default_value = "sample.png")]
    out: PathBuf,
}

pub fn run(args: SampleArgs) -> Result<()> {
    named::check_sample_request(args.n, args.bins).map_err(flag_error)?;
    nnlab::io::writable_target(&args.out).map_err(|e| anyhow!("--out: {e}"))?;
    let hist_path = sibling(&args.out, "-hist");
    nnlab::io::writable_target(&hist_path).map_err(|e| anyhow!("--out: {e}"))?;
    let (label, dist) = match (&args.name, &args.points, &args.discrete) {
        (Some(s), None, None) => (s.clone(), Cdf::named(s)?),
        (None, Some(s), None) => (format!("points {s}"), Cdf::points(s)?),
        (None, None, Some(s)) => (format!("discrete {s}"), Cdf::discrete(s)?),
        _ => bail!("give one of NAME, --points or --discrete"),
    };
    let xs = named::draw_samples(&dist, args.n, args.seed);
    let s = named::summarize(&xs, &dist).context("no finite samples")?;
    println!("distribution {label}");
    println!("samples      {} (seed {})", s.n, args.seed);
    println!("mean         {:.6}", s.mean);
    println!("std          {:.6}", s.std);
    println!("min, max     {:.6}, {:.6}", s.min, s.max);
    for (p, emp, g) in &s.quantiles {
        println!("q{:<11} {emp:.6}  (G({p}) = {g:.6})", p);
    }
    println!("KS distance  {:.6}  (sup_x |F_n(x) - F(x)|)", s.ks);

    let (emp, model) = named::cdf_curves(&xs, &dist, 1001);
    let title = format!("Inverse-transform samples: {label}");
    let lines = [
        Line {
            name: "empirical CDF F_n",
            points: &emp,
        },
        Line {
            name: "F",
            points: &model,
        },
    ];
    line_plot(&args.out, &title, "x", "F(x)", &lines, false)?;
    let (hist, dens) = named::histogram_curves(&xs, &dist, args.bins);
    let lines = [
        Line {
            name: "sample histogram (density)",
            points: &hist,
        },
        Line {
            name: "bin mass of F / width",
            points: &dens,
        },
    ];
    line_plot(&hist_path, &title, "x", "density", &lines, false)?;
    println!(
        "plots        {}, {}",
        args.out.display(),
        hist_path.display()
    );
    Ok(())
}

/// `dir/stem.ext` -> `dir/stem<suffix>.ext`.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let ext = path.extension().map(|e| e.to_string_lossy().into_owned());
    let name = match ext {
        Some(e) => format!("{stem}{suffix}.{e}"),
        None => format!("{stem}{suffix}"),
    };
    path.with_file_name(name)
}

/// A library setting error, naming the flag (`bins` → `--bins`).
fn flag_error(e: ProbError) -> anyhow::Error {
    match e {
        ProbError::Setting { field, message } => {
            anyhow!("{}: {message}", crate::flags::flag(field))
        }
        e => e.into(),
    }
}
