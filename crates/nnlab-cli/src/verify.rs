//! `nnlab verify`: run the proof sheet (`nnlab::verify`) and print one row per identity: the
//! formula, how it is checked, the measured error against its tolerance, pass or fail.

use anyhow::{Result, bail};
use clap::Args;
use nnlab::verify::{self, Row};
use std::time::Instant;

/// Options of `nnlab verify`.
#[derive(Args)]
pub struct VerifyArgs {
    /// Run only the checks whose id contains PATTERN (case-insensitive), e.g. softmax.
    #[arg(long, value_name = "PATTERN")]
    only: Option<String>,
    /// Print the rows as one JSON document instead of text.
    #[arg(long)]
    json: bool,
    /// Seed of every random draw (inputs, weights, Monte Carlo samples).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Self-test of the sheet: run the check with this exact id with a deliberately wrong
    /// formula swapped in (its "broken twin"); that row must fail and the exit status be 1.
    #[arg(long, value_name = "ID", hide = true)]
    inject_fault: Option<String>,
}

fn print_row(r: &Row) {
    let verdict = if r.pass { "PASS" } else { "FAIL" };
    let fault = if r.injected_fault {
        "  [injected fault]"
    } else {
        ""
    };
    println!("{verdict}  {}  ({:.2} s){fault}", r.id, r.seconds);
    println!("      identity   {}", r.identity);
    println!("      method     {}", r.method);
    println!(
        "      error      {:.3e} {} tolerance {:.1e}: {}",
        r.error,
        if r.pass { "<=" } else { "exceeds" },
        r.tolerance,
        r.why
    );
    println!("      checked    {}", r.detail);
}

pub fn run(args: VerifyArgs) -> Result<()> {
    let start = Instant::now();
    let json = args.json;
    let mut each = |r: &Row| {
        if !json {
            print_row(r);
        }
    };
    let rows = verify::run_with_fault(
        args.only.as_deref(),
        args.seed,
        args.inject_fault.as_deref(),
        &mut each,
    )?;
    let failed: Vec<&str> = rows.iter().filter(|r| !r.pass).map(|r| r.id).collect();
    let seconds = start.elapsed().as_secs_f64();
    if json {
        let doc = serde_json::json!({
            "seed": args.seed,
            "passed": rows.len() - failed.len(),
            "failed": failed,
            "seconds": seconds,
            "rows": rows,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        println!(
            "\n{} of {} checks passed in {seconds:.1} s (seed {})",
            rows.len() - failed.len(),
            rows.len(),
            args.seed
        );
    }
    if !failed.is_empty() {
        bail!(
            "{} check{} failed: {}",
            failed.len(),
            if failed.len() == 1 { "" } else { "s" },
            failed.join(", ")
        );
    }
    Ok(())
}
