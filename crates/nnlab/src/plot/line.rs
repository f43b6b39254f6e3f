//! Generic line plots of several named (x, y) series, such as training and validation losses.

use super::{
    Area, CHART_SIZE, DrawResult, FONT, PlotError, Target, color, draw_legend, draw_mesh, invalid,
    nonempty_range, render,
};
use plotters::coord::combinators::BindKeyPoints;
use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::prelude::*;

/// One named line: (x, y) points drawn in the order given.
pub struct Line<'a> {
    pub name: &'a str,
    pub points: &'a [(f64, f64)],
}

/// Lines with at most this many points get a marker on each point.
const MARKER_MAX_POINTS: usize = 60;

/// Generic line plot: several named (x, y) series, axis labels, optional log-y; used for loss curves.
///
/// Lines take the colours of the module's palette in order; short lines (≤ 60 points) mark
/// each point. Points with a non-finite coordinate (and, with `log_y`, with y ≤ 0) are skipped; a
/// line left with no points still appears in the legend.
///
/// # Errors
/// [`PlotError::InvalidInput`] if `lines` is empty or no line has a plottable point; otherwise
/// drawing or writing errors. All name `path`.
pub fn line_plot(
    to: impl Into<Target>,
    title: &str,
    x_label: &str,
    y_label: &str,
    lines: &[Line],
    log_y: bool,
) -> Result<(), PlotError> {
    let to: Target = to.into();
    let labels = Labels {
        title,
        x_label,
        y_label,
        stems: false,
    };
    xy_plot(&to, &labels, lines, log_y)
}

/// Stem plot of discrete signals: each point (n, y) of each series is a vertical stem from
/// (n, 0) to (n, y) topped by a dot, the usual picture of a sequence y(n). The y axis always
/// includes 0. Same input rules and errors as [`line_plot`].
pub fn stem_plot(
    to: impl Into<Target>,
    title: &str,
    x_label: &str,
    y_label: &str,
    lines: &[Line],
) -> Result<(), PlotError> {
    let to: Target = to.into();
    let labels = Labels {
        title,
        x_label,
        y_label,
        stems: true,
    };
    xy_plot(&to, &labels, lines, false)
}

/// The body of [`line_plot`] and [`stem_plot`].
fn xy_plot(to: &Target, labels: &Labels, lines: &[Line], log_y: bool) -> Result<(), PlotError> {
    let path = to.path();
    if lines.is_empty() {
        return Err(invalid(path, "no lines given"));
    }
    let data: Vec<Vec<(f64, f64)>> = lines
        .iter()
        .map(|l| {
            l.points
                .iter()
                .copied()
                .filter(|(x, y)| x.is_finite() && y.is_finite() && (!log_y || *y > 0.0))
                .collect()
        })
        .collect();
    let all = || data.iter().flatten();
    if all().next().is_none() {
        let what = if log_y {
            "finite points with y > 0"
        } else {
            "finite points"
        };
        return Err(invalid(path, format!("no {what} to plot")));
    }
    let min_max = |vals: &mut dyn Iterator<Item = f64>| {
        vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        })
    };
    let (x0, x1) = min_max(&mut all().map(|p| p.0));
    let (x0, x1) = nonempty_range(x0, x1);
    let (y0, y1) = min_max(&mut all().map(|p| p.1));
    let (y0, y1) = if labels.stems {
        (y0.min(0.0), y1.max(0.0))
    } else {
        (y0, y1)
    };
    render(to, CHART_SIZE, |root| {
        if log_y {
            // Pad by 5 % of the decades spanned; a single value gets a factor of 2 either side.
            let f = if y1 > y0 { (y1 / y0).powf(0.05) } else { 2.0 };
            let (lo, hi) = (y0 / f, y1 * f);
            let (bold, light) = log_ticks(lo, hi);
            let y = (lo..hi)
                .log_scale()
                .with_key_points(bold)
                .with_light_points(light);
            draw(root, labels, lines, &data, x0..x1, y)
        } else {
            let (y0, y1) = nonempty_range(y0, y1);
            let pad = 0.05 * (y1 - y0);
            draw(root, labels, lines, &data, x0..x1, y0 - pad..y1 + pad)
        }
    })
}

/// Tick values for a logarithmic axis over `[lo, hi]` (0 < lo < hi): labelled ticks at 1, 2 and 5
/// times powers of ten for spans up to two decades, at every decade (or every few decades) for
/// wider spans, and at evenly spaced log positions when the span holds fewer than two of those;
/// plus unlabelled grid lines at the 1..9 multiples when they are not too dense.
fn log_ticks(lo: f64, hi: f64) -> (Vec<f64>, Vec<f64>) {
    let (k0, k1) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let decades = k1 - k0;
    let step = (decades + 5) / 6; // at most about six labelled decades
    let mults: &[f64] = if decades <= 2 {
        &[1.0, 2.0, 5.0]
    } else {
        &[1.0]
    };
    let within = |v: &f64| (lo..=hi).contains(v);
    let at = |mults: &[f64], step: i32| -> Vec<f64> {
        (k0..=k1)
            .filter(|k| (k - k0) % step == 0)
            .flat_map(|k| mults.iter().map(move |m| decimal(*m, k)))
            .filter(within)
            .collect()
    };
    let all: Vec<f64> = (1..=9).map(f64::from).collect();
    let mut bold = at(mults, step.max(1));
    if bold.len() < 3 {
        bold = at(&all, 1);
    }
    if bold.len() < 2 {
        let (a, b) = (lo.log10(), hi.log10());
        bold = (1..=4)
            .map(|i| 10f64.powf(a + (b - a) * i as f64 / 5.0))
            .collect();
    }
    let light = if decades <= 6 { at(&all, 1) } else { vec![] };
    (bold, light)
}

/// `m * 10^k` as the double nearest to that decimal (so 4e-2 is exactly the literal 0.04).
fn decimal(m: f64, k: i32) -> f64 {
    format!("{m}e{k}").parse().unwrap_or(m * 10f64.powi(k))
}

/// The texts of a line plot, and whether points are drawn as stems.
struct Labels<'a> {
    title: &'a str,
    x_label: &'a str,
    y_label: &'a str,
    stems: bool,
}

/// Draws the chart with a linear x axis and the y axis `y` (linear or logarithmic).
fn draw<Y>(
    root: &Area<'_>,
    labels: &Labels,
    lines: &[Line],
    data: &[Vec<(f64, f64)>],
    x: std::ops::Range<f64>,
    y: Y,
) -> DrawResult
where
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(root)
        .caption(labels.title, (FONT, 22))
        .margin(14)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .build_cartesian_2d(x, y)?;
    draw_mesh(&mut chart, labels.x_label, labels.y_label, 15)?;
    for (i, (line, pts)) in lines.iter().zip(data).enumerate() {
        let c = color(i);
        let series = if labels.stems {
            let stems = pts
                .iter()
                .map(|&(x, y)| PathElement::new([(x, 0.0), (x, y)], c.stroke_width(2)));
            chart.draw_series(pts.iter().map(|&p| Circle::new(p, 4, c.filled())))?;
            chart.draw_series(stems)?
        } else {
            let marker = if pts.len() <= MARKER_MAX_POINTS { 2 } else { 0 };
            chart.draw_series(
                LineSeries::new(pts.iter().copied(), c.stroke_width(2)).point_size(marker),
            )?
        };
        series
            .label(line.name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], c.stroke_width(2)));
    }
    draw_legend(&mut chart, SeriesLabelPosition::UpperRight)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::testutil::{check_png, has_color, unwritable_path};

    fn losses(n: usize, scale: f64) -> Vec<(f64, f64)> {
        (1..=n)
            .map(|e| (e as f64, scale / e as f64 + 0.01))
            .collect()
    }

    #[test]
    fn log_ticks_are_round_numbers_in_range() {
        let (bold, light) = log_ticks(0.03, 0.7);
        assert_eq!(bold, [0.05, 0.1, 0.2, 0.5]);
        assert!(light.contains(&0.04) && light.contains(&0.6) && !light.contains(&0.02));
        let (bold, _) = log_ticks(1e-9, 10.0);
        assert_eq!(bold.len(), 6, "every other decade: {bold:?}");
        let (bold, _) = log_ticks(0.051, 0.052);
        assert_eq!(bold.len(), 4, "even spacing inside a tiny span");
        assert!(bold.iter().all(|v| (0.051..=0.052).contains(v)));
    }

    #[test]
    fn writes_linear_and_log_plots() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("loss.png");
        let (train, val) = (losses(100, 1.0), losses(100, 1.2));
        let lines = [
            Line {
                name: "train",
                points: &train,
            },
            Line {
                name: "validation",
                points: &val,
            },
        ];
        line_plot(&path, "Loss", "epoch", "loss", &lines, false).unwrap();
        let img = check_png(&path, CHART_SIZE);
        assert!(has_color(&img, color(0)) && has_color(&img, color(1)));
        line_plot(&path, "Loss", "epoch", "loss", &lines, true).unwrap();
        check_png(&path, CHART_SIZE);
    }

    /// `Figures::Both` writes `loss.png` and `loss.svg` from one call; the SVG is XML whose
    /// title, axis names and legend are `<text>` elements.
    #[test]
    fn writes_png_and_svg_with_text() {
        let dir = tempfile::tempdir().unwrap();
        let train = losses(30, 1.0);
        let lines = [Line {
            name: "train",
            points: &train,
        }];
        let to = Target::new(&dir.path().join("loss"), crate::plot::Figures::Both);
        line_plot(&to, "Loss", "epoch", "nats", &lines, true).unwrap();
        check_png(&dir.path().join("loss.png"), CHART_SIZE);
        let texts = crate::plot::testutil::check_svg(&dir.path().join("loss.svg"));
        for t in ["Loss", "epoch", "nats", "train"] {
            assert!(texts.iter().any(|s| s == t), "{t} in {texts:?}");
        }
    }

    #[test]
    fn writes_stem_plots_and_rejects_empty_input() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stems.png");
        let y: Vec<(f64, f64)> = (-3..8).map(|n| (n as f64, 0.5f64.powi(n.max(0)))).collect();
        let lines = [Line {
            name: "y(n)",
            points: &y,
        }];
        stem_plot(&path, "Stems", "n", "y", &lines).unwrap();
        let img = check_png(&path, CHART_SIZE);
        assert!(has_color(&img, color(0)));
        assert!(stem_plot(&path, "Stems", "n", "y", &[]).is_err());
    }

    #[test]
    fn skips_unplottable_points() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.png");
        let pts = [
            (0.0, 1.0),
            (1.0, f64::NAN),
            (2.0, 0.0),
            (f64::INFINITY, 2.0),
            (3.0, 0.5),
        ];
        let lines = [
            Line {
                name: "a",
                points: &pts,
            },
            Line {
                name: "empty",
                points: &[],
            },
        ];
        line_plot(&path, "t", "x", "y", &lines, true).unwrap();
        check_png(&path, CHART_SIZE);
        // A single point on a flat range.
        let lines = [Line {
            name: "one",
            points: &[(1.0, 1.0)],
        }];
        line_plot(&path, "t", "x", "y", &lines, false).unwrap();
        line_plot(&path, "t", "x", "y", &lines, true).unwrap();
        check_png(&path, CHART_SIZE);
    }

    #[test]
    fn rejects_empty_input() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.png");
        let err = line_plot(&path, "t", "x", "y", &[], false).unwrap_err();
        assert!(err.to_string().contains("no lines"), "{err}");
        let lines = [Line {
            name: "neg",
            points: &[(0.0, -1.0), (1.0, f64::NAN)],
        }];
        let err = line_plot(&path, "t", "x", "y", &lines, true).unwrap_err();
        assert!(matches!(err, PlotError::InvalidInput { .. }));
        assert!(
            err.to_string().contains("y > 0") && err.to_string().contains("l.png"),
            "{err}"
        );
        assert!(!path.exists());
    }

    #[test]
    fn unwritable_path_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = unwritable_path(dir.path());
        let lines = [Line {
            name: "a",
            points: &[(0.0, 1.0), (1.0, 2.0)],
        }];
        let err = line_plot(&path, "t", "x", "y", &lines, false).unwrap_err();
        assert!(matches!(err, PlotError::Io { .. }));
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
    }
}
