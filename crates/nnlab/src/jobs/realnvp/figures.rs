//! The figures of a RealNVP run: data vs flow samples and the learned density for the
//! 2-D toys; real vs sampled images for image data; the training loss curve for both.

use crate::data::Images;
use crate::jobs::{JobError, Outputs};
use crate::models::realnvp::toy::{self, Toy};
use crate::models::realnvp::{RealNvp, bits_per_dim, images};
use crate::plot::{self, DensityImage, DensityPanel, GridRow, Line, PointSet, Target};
use crate::prob::gaussian::Gaussian;
use crate::train::EpochStats;
use burn::prelude::Device;
use rand::SeedableRng;
use rand::rngs::StdRng;

/// Cells per side of the density heat maps.
const GRID: usize = 150;

/// samples.png (test data | flow samples), density.png (flow density | Gaussian fit, each over
/// the box of the test points padded by 10 %), loss.png (NLL per point by epoch).
#[allow(clippy::too_many_arguments)]
pub fn toy_figures(
    out: &Outputs,
    t: Toy,
    flow: &RealNvp,
    gauss: &Gaussian,
    test: &[[f64; 2]],
    epochs: &[EpochStats],
    seed: u64,
    device: &Device,
) -> Result<Vec<String>, JobError> {
    let mut rng = StdRng::seed_from_u64(seed);
    let samples = toy::sample_points(flow, test.len(), &mut rng, device);
    let samples_fig = out.figure("samples");
    let panels = [
        DensityPanel {
            title: "test data",
            density: None,
            points: vec![PointSet {
                name: "data",
                points: test,
            }],
        },
        DensityPanel {
            title: "flow samples x = f^-1(z), z ~ N(0, I)",
            density: None,
            points: vec![PointSet {
                name: "samples",
                points: &samples,
            }],
        },
    ];
    let title = format!("RealNVP on {t}: data vs samples");
    plot::density_panels(&samples_fig, &title, &panels)?;

    let (lo, hi) = bounds(test);
    let (x, y) = ((lo[0], hi[0]), (lo[1], hi[1]));
    let flow_density = toy::density_grid(flow, x, y, (GRID, GRID), device);
    let centre = |lo: f64, hi: f64, k: usize| lo + (hi - lo) * (k as f64 + 0.5) / GRID as f64;
    let gauss_density: Vec<f64> = (0..GRID * GRID)
        .map(|k| {
            let p = [centre(x.0, x.1, k % GRID), centre(y.0, y.1, k / GRID)];
            gauss.log_density(&p).exp()
        })
        .collect();
    let image = |values| DensityImage {
        x,
        y,
        nx: GRID,
        ny: GRID,
        values,
    };
    let panels = [
        DensityPanel {
            title: "flow density p(x)",
            density: Some(image(&flow_density)),
            points: vec![],
        },
        DensityPanel {
            title: "maximum-likelihood Gaussian",
            density: Some(image(&gauss_density)),
            points: vec![],
        },
    ];
    let density_fig = out.figure("density");
    let title = format!("RealNVP on {t}: learned density");
    plot::density_panels(&density_fig, &title, &panels)?;

    let curve: Vec<(f64, f64)> = epochs
        .iter()
        .map(|s| (s.epoch as f64, s.loss_per_image))
        .collect();
    let loss_fig = loss_plot(out, &curve, "training NLL (nats per point)")?;
    Ok(file_names(&[samples_fig, density_fig, loss_fig]))
}

/// The box of `points`, padded by 10 % of its sides.
fn bounds(points: &[[f64; 2]]) -> ([f64; 2], [f64; 2]) {
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for p in points {
        for a in 0..2 {
            lo[a] = lo[a].min(p[a]);
            hi[a] = hi[a].max(p[a]);
        }
    }
    for a in 0..2 {
        let pad = 0.1 * (hi[a] - lo[a]).max(1e-3);
        lo[a] -= pad;
        hi[a] += pad;
    }
    (lo, hi)
}

/// loss.png: one line of `points` (epoch, value) with y label `what`; returns where it went.
fn loss_plot(out: &Outputs, points: &[(f64, f64)], what: &str) -> Result<Target, JobError> {
    let fig = out.figure("loss");
    let lines = [Line { name: what, points }];
    plot::line_plot(&fig, "RealNVP training", "epoch", what, &lines, false)?;
    Ok(fig)
}

/// The file names of the figures `figs`, in order.
fn file_names(figs: &[Target]) -> Vec<String> {
    figs.iter()
        .flat_map(Target::files)
        .filter_map(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect()
}

/// samples.png (a row of test images, two rows of samples at T = 1 and two at T = 0.7) and
/// loss.png (training bits/dim by epoch).
pub fn image_figures(
    out: &Outputs,
    flow: &RealNvp,
    test: &Images,
    epochs: &[EpochStats],
    rng: &mut StdRng,
    device: &Device,
) -> Result<Vec<String>, JobError> {
    let per_row = 10;
    let real: Vec<&[f32]> = (0..per_row.min(test.n)).map(|i| test.image(i)).collect();
    let hot = images::sample_images(flow, 2 * per_row, 1.0, rng, device);
    let cool = images::sample_images(flow, 2 * per_row, 0.7, rng, device);
    fn row<'a>(label: &str, imgs: &'a [Vec<f32>]) -> GridRow<'a> {
        GridRow {
            label: label.into(),
            images: imgs.iter().map(Vec::as_slice).collect(),
            captions: vec![],
        }
    }
    let rows = [
        GridRow {
            label: "test images".into(),
            images: real,
            captions: vec![],
        },
        row("samples T = 1", &hot[..per_row]),
        row("", &hot[per_row..]),
        row("samples T = 0.7", &cool[..per_row]),
        row("", &cool[per_row..]),
    ];
    let samples_fig = out.figure("samples");
    plot::image_grid(
        &samples_fig,
        "RealNVP samples y = logit^-1(f^-1(T z)), z ~ N(0, I)",
        &rows,
        test.rows,
        test.cols,
    )?;
    let dim = test.dim();
    let curve: Vec<(f64, f64)> = epochs
        .iter()
        .map(|s| (s.epoch as f64, bits_per_dim(s.loss_per_image, dim)))
        .collect();
    let loss_fig = loss_plot(out, &curve, "training bits/dim")?;
    Ok(file_names(&[samples_fig, loss_fig]))
}
