//! Multi-panel figures: a grid of charts under one title, each panel holding density-normalized
//! histograms and (solid or dashed) lines.

use super::{
    Area, DrawResult, FONT, PlotError, Target, color, draw_legend, draw_mesh, invalid,
    nonempty_range, render,
};
use plotters::prelude::*;

/// Pixel size of one panel.
pub const PANEL_SIZE: (u32, u32) = (640, 440);
/// Height of the figure's title band.
pub const TITLE_PX: u32 = 44;
/// The most bins a histogram may have.
const MAX_BINS: usize = 10_000;

/// A histogram of `values`, normalized to a density: a bar's height is count / (n · width), with
/// n all finite values (also those outside the panel's x range), so the bars integrate to the
/// fraction of the set drawn.
pub struct PanelHistogram<'a> {
    pub name: &'a str,
    pub values: &'a [f64],
    pub bins: usize,
}

/// A named curve; `dashed` draws it dashed (for bounds and reference levels).
pub struct PanelLine<'a> {
    pub name: &'a str,
    pub points: &'a [(f64, f64)],
    pub dashed: bool,
}

/// One chart of a [`panel_figure`].
pub struct Panel<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
    /// Drawn first, in palette colours 0, 1, …
    pub histograms: Vec<PanelHistogram<'a>>,
    /// Drawn over the bars, in the palette colours after the histograms'.
    pub lines: Vec<PanelLine<'a>>,
    /// The x range; `None` spans all finite data. Values outside a given range are not drawn;
    /// the legend counts the histogram values left out.
    pub x_range: Option<(f64, f64)>,
}

/// Draws `panels` in a grid of `columns` columns (as many rows as needed) under `title`. The
/// figure is `c · 640` by `r · 440 + 44` pixels for c = min(columns, panels) columns and r rows.
/// Non-finite values and points are skipped.
///
/// # Errors
/// [`PlotError::InvalidInput`] if there are no panels, `columns` is 0, a histogram has 0 or more
/// than 10 000 bins, a given x range is not finite and increasing, or a panel has nothing
/// finite to draw; otherwise drawing or writing errors. All name `path`.
pub fn panel_figure(
    to: impl Into<Target>,
    title: &str,
    panels: &[Panel],
    columns: usize,
) -> Result<(), PlotError> {
    let to: Target = to.into();
    let path = to.path();
    if panels.is_empty() || columns == 0 {
        return Err(invalid(path, "need at least one panel and one column"));
    }
    let mut prepared = Vec::with_capacity(panels.len());
    for (k, p) in panels.iter().enumerate() {
        let prep = prepare(p)
            .map_err(|why| invalid(path, format!("panel {} ('{}'): {why}", k + 1, p.title)))?;
        prepared.push(prep);
    }
    let (rows, cols) = grid_shape(panels.len(), columns);
    render(
        &to,
        figure_size(panels.len(), columns),
        |root| -> DrawResult {
            root.fill(&WHITE)?;
            let (top, body) = root.split_vertically(TITLE_PX);
            top.titled(title, (FONT, 26))?;
            let areas = body.split_evenly((rows, cols));
            for ((area, panel), prep) in areas.iter().zip(panels).zip(&prepared) {
                draw_panel(area, panel, prep)?;
            }
            Ok(())
        },
    )
}

/// (rows, columns) of the grid for `n` panels in at most `columns` columns.
fn grid_shape(n: usize, columns: usize) -> (usize, usize) {
    (n.div_ceil(columns), columns.min(n))
}

/// The pixel size of a [`panel_figure`] of `n` panels in `columns` columns.
pub fn figure_size(n: usize, columns: usize) -> (u32, u32) {
    let (rows, cols) = grid_shape(n, columns.max(1));
    (
        cols as u32 * PANEL_SIZE.0,
        rows as u32 * PANEL_SIZE.1 + TITLE_PX,
    )
}

/// One histogram ready to draw.
struct Bars {
    lo: f64,
    width: f64,
    density: Vec<f64>,
    drawn: usize,
    left_out: usize,
}

/// The numbers a panel is drawn from.
struct Prepared {
    x: (f64, f64),
    y: (f64, f64),
    bars: Vec<Bars>,
    lines: Vec<Vec<(f64, f64)>>,
}

fn prepare(p: &Panel) -> Result<Prepared, String> {
    let finite = |v: &[f64]| -> Vec<f64> { v.iter().copied().filter(|v| v.is_finite()).collect() };
    let mut lines: Vec<Vec<(f64, f64)>> = p
        .lines
        .iter()
        .map(|l| {
            let ok = |(x, y): &(f64, f64)| x.is_finite() && y.is_finite();
            l.points.iter().copied().filter(ok).collect()
        })
        .collect();
    let x = match p.x_range {
        Some((a, b)) if a.is_finite() && b.is_finite() && a < b => (a, b),
        Some((a, b)) => return Err(format!("x range [{a}, {b}] must be finite and increasing")),
        None => {
            let hist_x = p.histograms.iter().flat_map(|h| finite(h.values));
            let xs = lines.iter().flatten().map(|q| q.0).chain(hist_x);
            let (a, b) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
            if a > b {
                return Err("nothing finite to draw".into());
            }
            nonempty_range(a, b)
        }
    };
    for l in &mut lines {
        l.retain(|q| (x.0..=x.1).contains(&q.0));
    }
    let mut bars = Vec::new();
    for h in &p.histograms {
        if h.bins == 0 || h.bins > MAX_BINS {
            return Err(format!("bins must be in 1..={MAX_BINS}, got {}", h.bins));
        }
        let all = finite(h.values);
        let width = (x.1 - x.0) / h.bins as f64;
        let mut counts = vec![0usize; h.bins];
        let mut drawn = 0;
        for v in all.iter().filter(|v| (x.0..=x.1).contains(*v)) {
            counts[(((v - x.0) / width) as usize).min(h.bins - 1)] += 1;
            drawn += 1;
        }
        let scale = 1.0 / (all.len().max(1) as f64 * width);
        bars.push(Bars {
            lo: x.0,
            width,
            density: counts.iter().map(|&c| c as f64 * scale).collect(),
            drawn,
            left_out: h.values.len() - drawn,
        });
    }
    let ys = lines
        .iter()
        .flatten()
        .map(|q| q.1)
        .chain(bars.iter().flat_map(|b| b.density.iter().copied()));
    let (lo, hi) = ys.fold((0.0f64, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if hi == f64::NEG_INFINITY {
        return Err("nothing finite to draw".into());
    }
    let (lo, hi) = nonempty_range(lo, hi);
    // Headroom above the data for the legend.
    let legend_rows = (p.histograms.len() + p.lines.len()) as f64;
    let room = (0.08 * legend_rows + 0.1).min(0.6);
    Ok(Prepared {
        x,
        y: (lo, hi + room / (1.0 - room) * (hi - lo)),
        bars,
        lines,
    })
}

fn draw_panel(area: &Area<'_>, p: &Panel, pr: &Prepared) -> DrawResult {
    let mut chart = ChartBuilder::on(area)
        .caption(p.title, (FONT, 19))
        .margin(10)
        .x_label_area_size(42)
        .y_label_area_size(58)
        .build_cartesian_2d(pr.x.0..pr.x.1, pr.y.0..pr.y.1)?;
    draw_mesh(&mut chart, p.x_label, p.y_label, 14)?;
    for (i, (h, b)) in p.histograms.iter().zip(&pr.bars).enumerate() {
        let c = color(i);
        let edge = |k: usize| b.lo + k as f64 * b.width;
        let rects = b.density.iter().enumerate().filter(|(_, v)| **v > 0.0);
        chart.draw_series(rects.map(|(k, &v)| {
            Rectangle::new([(edge(k), 0.0), (edge(k + 1), v)], c.mix(0.35).filled())
        }))?;
        let label = match b.left_out {
            0 => format!("{} (n={})", h.name, b.drawn),
            k => format!("{} (n={}, {k} not shown)", h.name, b.drawn),
        };
        chart
            .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())?
            .label(label)
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 6), (x + 18, y + 6)], c.mix(0.35).filled())
            });
    }
    for (i, (l, pts)) in p.lines.iter().zip(&pr.lines).enumerate() {
        let c = color(p.histograms.len() + i);
        let style = c.stroke_width(2);
        let series = if l.dashed {
            chart.draw_series(DashedLineSeries::new(pts.iter().copied(), 8, 5, style))?
        } else {
            chart.draw_series(LineSeries::new(pts.iter().copied(), style))?
        };
        series
            .label(l.name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], style));
    }
    draw_legend(&mut chart, SeriesLabelPosition::UpperLeft)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::testutil::{check_png, has_color, unwritable_path};

    fn curve(f: impl Fn(f64) -> f64) -> Vec<(f64, f64)> {
        (0..=200)
            .map(|i| -4.0 + 8.0 * i as f64 / 200.0)
            .map(|x| (x, f(x)))
            .collect()
    }

    #[test]
    fn writes_a_grid_of_panels_of_the_expected_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("panels.png");
        let values: Vec<f64> = (0..2000)
            .map(|i| ((i as f64 * 0.618).fract() - 0.5) * 4.0)
            .collect();
        let (gauss, line) = (curve(|x| (-0.5 * x * x).exp() / 2.5066), curve(|x| x / 4.0));
        let bound = [(-4.0, 1.0), (4.0, 1.0)];
        let panel = |title, histograms, lines, x_range| Panel {
            title,
            x_label: "x",
            y_label: "y",
            histograms,
            lines,
            x_range,
        };
        let hist = |bins| {
            vec![PanelHistogram {
                name: "h",
                values: &values,
                bins,
            }]
        };
        let solid = |points| PanelLine {
            name: "curve",
            points,
            dashed: false,
        };
        let panels = [
            panel("lines", vec![], vec![solid(&gauss)], None),
            panel(
                "map",
                vec![],
                vec![
                    solid(&line),
                    PanelLine {
                        name: "bound",
                        points: &bound,
                        dashed: true,
                    },
                ],
                None,
            ),
            panel("histogram", hist(40), vec![solid(&gauss)], None),
            panel("clipped", hist(30), vec![solid(&gauss)], Some((-1.0, 1.0))),
        ];
        panel_figure(&path, "Four panels", &panels, 2).unwrap();
        let img = check_png(&path, (2 * PANEL_SIZE.0, 2 * PANEL_SIZE.1 + TITLE_PX));
        assert!(has_color(&img, color(0)) && has_color(&img, color(1)));
        // Three panels in two columns still take two rows; one column stacks them.
        assert_eq!(figure_size(3, 2), (1280, 2 * 440 + 44));
        panel_figure(&path, "Stacked", &panels[..3], 1).unwrap();
        check_png(&path, figure_size(3, 1));
    }

    #[test]
    fn rejects_bad_input_naming_the_path_and_panel() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.png");
        let empty = |x_range, bins| Panel {
            title: "bad",
            x_label: "x",
            y_label: "y",
            histograms: vec![PanelHistogram {
                name: "h",
                values: &[f64::NAN, 1.0],
                bins,
            }],
            lines: vec![],
            x_range,
        };
        assert!(panel_figure(&path, "t", &[], 2).is_err());
        assert!(panel_figure(&path, "t", &[empty(None, 5)], 0).is_err());
        for (p, needle) in [
            (empty(None, 0), "bins"),
            (empty(Some((1.0, 1.0)), 5), "x range"),
            (empty(Some((f64::NAN, 1.0)), 5), "x range"),
        ] {
            let err = panel_figure(&path, "t", &[p], 1).unwrap_err();
            let msg = err.to_string();
            assert!(matches!(err, PlotError::InvalidInput { .. }), "{msg}");
            assert!(
                msg.contains(needle) && msg.contains("panel 1") && msg.contains("p.png"),
                "{msg}"
            );
        }
        assert!(!path.exists());
        let nothing = Panel {
            title: "none",
            x_label: "x",
            y_label: "y",
            histograms: vec![],
            lines: vec![PanelLine {
                name: "nan",
                points: &[(f64::NAN, 1.0)],
                dashed: false,
            }],
            x_range: None,
        };
        let err = panel_figure(&path, "t", &[nothing], 1).unwrap_err();
        assert!(err.to_string().contains("nothing finite"), "{err}");
        let unwritable = unwritable_path(dir.path());
        let ok = Panel {
            title: "ok",
            x_label: "x",
            y_label: "y",
            histograms: vec![],
            lines: vec![PanelLine {
                name: "l",
                points: &[(0.0, 0.0), (1.0, 1.0)],
                dashed: false,
            }],
            x_range: None,
        };
        let err = panel_figure(&unwritable, "t", &[ok], 1).unwrap_err();
        assert!(matches!(err, PlotError::Io { .. }), "{err}");
    }
}
