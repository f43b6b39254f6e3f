//! Figures, as PNG, SVG or both: overlaid score histograms, ROC curves, grids of grayscale
//! images, line and stem plots, multi-panel figures of lines and histograms, log–log scatter
//! plots, and 2-D density panels (scatter plots over heat maps), confusion matrices and signed
//! images on a diverging colormap.
//!
//! Every figure function takes a [`Target`] (or a plain path, one file chosen by its extension)
//! and draws through [`render`] once per file, on the one backend [`canvas::Canvas`]: for PNG an
//! RGB buffer in memory whose lines and dots are anti-aliased, encoded with the `png` crate; for
//! SVG a document whose text stays `<text>`. Each file is written with
//! [`crate::io::write_atomic`], so a figure appears complete under its final name or not at
//! all. Text uses the Ubuntu Light typeface embedded in the `epaint_default_fonts` crate
//! (registered with plotters' `ab_glyph` renderer), so no system fonts or font libraries are
//! needed; an SVG names the family `sans-serif` and the viewer picks the face.
//!
//! Input policy, the same for every function: an empty input (no series, no points, no rows) is
//! a [`PlotError::InvalidInput`]; non-finite numbers in the data series are skipped (and, where
//! a count is shown, counted as skipped), but a non-finite image pixel is an error; a threshold
//! or operating point must be finite (a non-finite AUROC is shown as "n/a"). Errors never panic
//! and always name the output path.
//!
//! Series colours follow one palette in order: blue, green, red, orange, purple, ... (so pass
//! validation, normal test and anomaly sets in that order to get blue, green and red).

mod bars;
mod canvas;
mod confusion;
mod density;
mod diverging;
mod embedding;
mod grid;
mod histogram;
mod line;
mod panels;
mod png;
mod roc;
mod scatter;
mod target;

pub use bars::{BarSeries, Reference, bar_chart};
pub use confusion::confusion_matrix;
pub use density::{DensityImage, DensityPanel, PointSet, density_panels};
pub use diverging::signed_images;
pub use embedding::{Cloud, EMBEDDING_SIZE, embedding_scatter};
pub use grid::{GridRow, image_grid};
pub use histogram::{Series, score_histogram};
pub use line::{Line, line_plot, stem_plot};
pub use panels::{Panel, PanelHistogram, PanelLine, figure_size, panel_figure};
pub use roc::roc_curve;
pub use scatter::loglog_scatter;
pub use target::{Figures, Target};

use canvas::Canvas;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Why a figure could not be made. Every variant names the output path.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// The data cannot be plotted (empty, mismatched sizes, out of range).
    #[error("cannot plot {}: {reason}", path.display())]
    InvalidInput { path: PathBuf, reason: String },
    /// Drawing failed inside plotters (for example a missing font).
    #[error("cannot draw {}: {message}", path.display())]
    Draw { path: PathBuf, message: String },
    /// The PNG could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Default chart size in pixels.
pub(crate) const CHART_SIZE: (u32, u32) = (800, 500);
/// The font family name the embedded typeface is registered under.
pub(crate) const FONT: &str = "sans-serif";

/// Series colours, in order: blue, green, red, then orange, purple, brown, pink, grey, olive, cyan.
pub(crate) const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The colour of the `i`-th series (cycling through [`PALETTE`]).
pub(crate) fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// What a drawing closure returns; plotters' errors convert into it with `?`.
pub(crate) type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// Draws the axes and grid of `chart` in the style every chart shares: axis names, numbers by
/// [`fmt_num`], tick labels of `size` points (axis names one point larger) and light grid
/// lines.
pub(crate) fn draw_mesh<'a, DB, X, Y>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    x_desc: &str,
    y_desc: &str,
    size: i32,
) -> DrawResult
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(&|v| fmt_num(*v))
        .y_label_formatter(&|v| fmt_num(*v))
        .label_style((FONT, size))
        .axis_desc_style((FONT, size + 1))
        .light_line_style(RGBColor(244, 244, 244))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()?;
    Ok(())
}

/// Draws the legend of `chart` in the corner `position`, in the style every figure shares.
pub(crate) fn draw_legend<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> DrawResult
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
    CT: CoordTranslate,
{
    chart
        .configure_series_labels()
        .position(position)
        .margin(12)
        .label_font((FONT, 15))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.4))
        .draw()?;
    Ok(())
}

/// An [`PlotError::InvalidInput`] for `path`.
pub(crate) fn invalid(path: &Path, reason: impl Into<String>) -> PlotError {
    PlotError::InvalidInput {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Registers the embedded typeface with plotters once per process.
pub(crate) fn ensure_font() -> Result<(), String> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        register_font(FONT, FontStyle::Normal, epaint_default_fonts::UBUNTU_LIGHT).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err("the embedded font could not be loaded".into())
    }
}

/// The drawing area every figure function draws on (a raster or an SVG [`Canvas`]).
pub(crate) type Area<'a> = DrawingArea<Canvas<'a>, Shift>;

/// Draws a `width`×`height` figure on a white background with `draw` once for each file of
/// `to`: an anti-aliased raster encoded as PNG, and an SVG document. Each file is written
/// atomically.
pub(crate) fn render(
    to: &Target,
    size: (u32, u32),
    draw: impl Fn(&Area<'_>) -> DrawResult,
) -> Result<(), PlotError> {
    draw_files(to, size, None, draw)
}

/// Like [`render`], but `prefill` first paints directly into the white RGB buffer (row-major,
/// 3 bytes a pixel) before `draw` adds plotters elements on top; in SVG the painted buffer is
/// the backdrop, embedded as a PNG `<image>`.
pub(crate) fn render_on(
    to: &Target,
    (width, height): (u32, u32),
    prefill: impl FnOnce(&mut [u8]),
    draw: impl Fn(&Area<'_>) -> DrawResult,
) -> Result<(), PlotError> {
    let mut base = vec![255u8; 3 * width as usize * height as usize];
    prefill(&mut base);
    draw_files(to, (width, height), Some(&base), draw)
}

/// The body of [`render`] and [`render_on`]: `base` is the prefilled raster, if any.
fn draw_files(
    to: &Target,
    (width, height): (u32, u32),
    base: Option<&[u8]>,
    draw: impl Fn(&Area<'_>) -> DrawResult,
) -> Result<(), PlotError> {
    let draw_error = |path: &Path, message: String| PlotError::Draw {
        path: path.to_path_buf(),
        message,
    };
    let write = |path: &Path, bytes: &[u8]| {
        crate::io::write_atomic(path, bytes).map_err(|source| PlotError::Io {
            path: path.to_path_buf(),
            source,
        })
    };
    ensure_font().map_err(|e| draw_error(to.path(), e))?;
    let finish = |root: &Area<'_>| draw(root).and_then(|()| root.present().map_err(Into::into));
    if let Some(path) = to.png() {
        let mut buf = match base {
            Some(b) => b.to_vec(),
            None => vec![255u8; 3 * width as usize * height as usize],
        };
        finish(&Canvas::raster(&mut buf, (width, height)).into_drawing_area())
            .map_err(|e| draw_error(path, e.to_string()))?;
        let bytes = png::encode_rgb(width, height, &buf).map_err(|e| draw_error(path, e))?;
        write(path, &bytes)?;
    }
    if let Some(path) = to.svg() {
        let mut doc = String::new();
        finish(&Canvas::svg(&mut doc, (width, height)).into_drawing_area())
            .map_err(|e| draw_error(path, e.to_string()))?;
        if let Some(b) = base {
            let png = png::encode_rgb(width, height, b).map_err(|e| draw_error(path, e))?;
            doc = with_backdrop(&doc, (width, height), &png);
        }
        write(path, doc.as_bytes())?;
    }
    Ok(())
}

/// The SVG document `doc` with the PNG image `png` of `width`×`height` pixels as its first
/// (bottom-most) element, embedded as a data URI and drawn pixel for pixel.
fn with_backdrop(doc: &str, (width, height): (u32, u32), png: &[u8]) -> String {
    let at = doc
        .find("<svg")
        .and_then(|s| doc[s..].find('>').map(|e| s + e + 1));
    let at = at.unwrap_or(0);
    format!(
        "{}\n<image x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" \
         style=\"image-rendering:pixelated\" href=\"data:image/png;base64,{}\"/>{}",
        &doc[..at],
        crate::io::base64(png),
        &doc[at..]
    )
}

/// Formats a number for a label with about four significant digits: plain notation for
/// magnitudes in [1e-3, 1e5), scientific otherwise.
pub(crate) fn fmt_num(x: f64) -> String {
    let a = x.abs();
    if x == 0.0 {
        "0".into()
    } else if !(1e-3..1e5).contains(&a) {
        // 1.000e-4 -> 1e-4, 2.500e-5 -> 2.5e-5
        let s = format!("{x:.3e}");
        match s.split_once('e') {
            Some((m, e)) if m.contains('.') => {
                format!("{}e{e}", m.trim_end_matches('0').trim_end_matches('.'))
            }
            _ => s,
        }
    } else {
        let decimals = (3 - a.log10().floor() as i32).max(0) as usize;
        let s = format!("{x:.decimals$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    }
}

/// The range `[lo, hi]` widened so that it is never empty: a single value `v` becomes
/// `v ± max(|v| / 10, 0.5)`.
pub(crate) fn nonempty_range(lo: f64, hi: f64) -> (f64, f64) {
    if hi > lo {
        (lo, hi)
    } else {
        let pad = (lo.abs() / 10.0).max(0.5);
        (lo - pad, hi + pad)
    }
}

#[cfg(test)]
pub(crate) mod testutil;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers_compactly() {
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(0.012345), "0.01235");
        assert_eq!(fmt_num(1.5), "1.5");
        assert_eq!(fmt_num(123.0), "123");
        assert_eq!(fmt_num(-2.0), "-2");
        assert_eq!(fmt_num(1.5e-5), "1.5e-5");
        assert_eq!(fmt_num(1e-4), "1e-4");
        assert_eq!(fmt_num(-1.234e7), "-1.234e7");
    }

    #[test]
    fn widens_empty_ranges() {
        assert_eq!(nonempty_range(0.0, 1.0), (0.0, 1.0));
        assert_eq!(nonempty_range(2.0, 2.0), (1.5, 2.5));
        assert_eq!(nonempty_range(100.0, 100.0), (90.0, 110.0));
    }
}
