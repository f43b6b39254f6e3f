//! `nnlab shapes`: print the per-layer shapes, parameters and receptive fields of an
//! architecture description, or (`nnlab shapes solve`) the windows that map one size to
//! another. The work is done by `nnlab::shapes`.

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use nnlab::shapes::{self, SolveQuery};
use std::path::PathBuf;

/// Arguments of `nnlab shapes` (the help text is on `desc`: the subcommand's doc comment in
/// `main.rs` replaces a struct-level one).
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ShapesArgs {
    #[command(subcommand)]
    command: Option<ShapesCommand>,
    /// The architecture, e.g. "input 28x28x1; conv 3x3 f10 p1 s1; maxpool 2; flatten; fc 3".
    ///
    /// Layers are separated by `;` or newlines (`#` starts a comment); the first is the input:
    ///
    ///   input HxWxC | input HxW | input N    image (HxW means C = 1) or vector of N features
    ///   conv K fF [sS] [pP] [dD] [nobias]    convolution, F filters (defaults s1 p0 d1)
    ///   maxpool K [sS] [pP] [dD]             max pooling (stride defaults to K)
    ///   avgpool K [sS] [pP] [dD]             average pooling (stride defaults to K)
    ///   flatten                              HxWxC -> H·W·C (required before fc)
    ///   fc N [nobias]                        fully connected, N outputs
    ///   relu | sigmoid | tanh                activations (no parameters, same shape)
    ///
    /// Kernels: 3, k3, 3x3 or 3x5 (height x width). Output size per dimension:
    /// o = floor((i + 2p - d(k-1) - 1)/s) + 1. Parameters: conv Kh·Kw·C_in·F + F, fc N_in·N + N.
    /// Receptive field of one unit (input pixels): r_out = r_in + (k-1)·d·j_in, j_out = j_in·s
    /// from r = j = 1 at the input (j, the jump, is the product of the strides); an fc unit
    /// sees the whole input.
    #[arg(verbatim_doc_comment, conflicts_with = "file")]
    desc: Option<String>,
    /// Read the description from this file instead.
    #[arg(long)]
    file: Option<PathBuf>,
    /// Print JSON instead of the table.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum ShapesCommand {
    /// List every (kernel k, stride s, padding p, dilation d) that maps --input to --output.
    ///
    /// Uses o = floor((i + 2p - d(k-1) - 1)/s) + 1. Search ranges: 1 <= k <= --max-k,
    /// 1 <= s <= --max-s, 0 <= p <= d(k-1) (the dilated span minus one; or --max-p),
    /// 1 <= d <= --max-d; --k, --s, --p, --d fix a value (even outside its range). For k = 1 only d = 1 is listed. Solutions are sorted by
    /// (k, s, p, d).
    ///
    /// Example: nnlab shapes solve --input 28 --output 14 --k 3
    Solve(SolveArgs),
}

#[derive(Args)]
struct SolveArgs {
    /// Input size i (one spatial dimension).
    #[arg(long)]
    input: usize,
    /// Output size o.
    #[arg(long)]
    output: usize,
    /// Fix the kernel size.
    #[arg(long)]
    k: Option<usize>,
    /// Fix the stride.
    #[arg(long)]
    s: Option<usize>,
    /// Fix the padding.
    #[arg(long)]
    p: Option<usize>,
    /// Fix the dilation.
    #[arg(long)]
    d: Option<usize>,
    /// Non-overlapping pooling windows: s = k, d = 1, p = 0 (windows tile the input; the last
    /// i mod k inputs are dropped when k does not divide i). The stride then ignores --max-s.
    #[arg(long)]
    non_overlapping: bool,
    /// Largest kernel tried.
    #[arg(long, default_value_t = 11)]
    max_k: usize,
    /// Largest stride tried.
    #[arg(long, default_value_t = 4)]
    max_s: usize,
    /// Largest dilation tried.
    #[arg(long, default_value_t = 4)]
    max_d: usize,
    /// Largest padding tried (default: d(k - 1), the dilated span minus one, for each k and d).
    #[arg(long)]
    max_p: Option<usize>,
    /// Print JSON instead of the table.
    #[arg(long)]
    json: bool,
}

pub fn run(args: ShapesArgs) -> Result<()> {
    if let Some(ShapesCommand::Solve(a)) = args.command {
        return solve(a);
    }
    let desc = match (args.desc, args.file) {
        (Some(desc), _) => desc,
        (None, Some(path)) => nnlab::io::read_text_bounded(&path, shapes::MAX_DESC_BYTES)
            .with_context(|| format!("--file {}", path.display()))?,
        (None, None) => bail!("give a description (see nnlab shapes --help) or --file"),
    };
    let report = shapes::analyze(&desc)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.table());
    }
    Ok(())
}

fn solve(a: SolveArgs) -> Result<()> {
    let query = SolveQuery {
        input: a.input,
        output: a.output,
        k: a.k,
        s: a.s,
        p: a.p,
        d: a.d,
        non_overlapping: a.non_overlapping,
        max_k: a.max_k,
        max_s: a.max_s,
        max_d: a.max_d,
        max_p: a.max_p,
    };
    let solutions = shapes::solve(&query)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&solutions)?);
    } else {
        print!("{}", solutions.table());
    }
    Ok(())
}
