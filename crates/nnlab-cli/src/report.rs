//! `nnlab report DIR`: write DIR/index.html, one row per run folder under DIR (job, date, numeric
//! metrics, link to its report.html), sortable by clicking a column header.

use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;

/// Options of `nnlab report` (documented on the subcommand in main.rs).
#[derive(Args)]
pub struct ReportArgs {
    /// Folder of runs to index (searched four levels deep) [default: runs].
    #[arg(default_value = "runs")]
    dir: PathBuf,
}

pub fn run(args: ReportArgs) -> Result<()> {
    let (path, runs) = nnlab::report::index::write(&args.dir)
        .with_context(|| format!("cannot index runs in {}", args.dir.display()))?;
    for r in &runs {
        println!("{:<40} {:<14} {}", r.rel, r.job, r.date);
    }
    println!("{} runs indexed; wrote {}", runs.len(), path.display());
    Ok(())
}
