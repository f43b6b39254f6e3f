//! Overlaid, density-normalised histograms of several score sets with a threshold line.

use super::{
    CHART_SIZE, DrawResult, FONT, PlotError, Target, color, draw_legend, draw_mesh, fmt_num,
    invalid, nonempty_range, render,
};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One named series of scores for a histogram.
pub struct Series<'a> {
    pub name: &'a str,
    pub values: &'a [f32],
}

/// The most bins a histogram may have.
const MAX_BINS: usize = 10_000;

/// Overlaid histograms (normalized to density, so sets of different sizes compare) of several
/// score sets with a vertical threshold line labelled with its value; `log_x` uses log10 of the
/// scores on the x axis (scores are > 0); legend with set names and counts; title.
///
/// All series share the same `bins` equal-width bins spanning the data and the threshold. Each
/// series is drawn as semi-transparent bars with a solid step outline, in the colours of
/// the module's palette (blue, green, red, ...). Non-finite scores (and, with `log_x`,
/// scores ≤ 0) are skipped; the legend shows each set's plotted count and how many were skipped.
/// A series with nothing left is listed in the legend with no bars.
///
/// # Errors
/// [`PlotError::InvalidInput`] if `series` is empty, no series has a plottable score, `bins` is
/// 0 or over 10 000, or `threshold` is not finite (or not > 0 with `log_x`); otherwise drawing or
/// writing errors. All name `path`.
pub fn score_histogram(
    to: impl Into<Target>,
    title: &str,
    series: &[Series],
    threshold: f64,
    log_x: bool,
    bins: usize,
) -> Result<(), PlotError> {
    let to: Target = to.into();
    let path = to.path();
    if series.is_empty() {
        return Err(invalid(path, "no score series given"));
    }
    if bins == 0 || bins > MAX_BINS {
        return Err(invalid(
            path,
            format!("bins must be in 1..={MAX_BINS}, got {bins}"),
        ));
    }
    if !threshold.is_finite() || (log_x && threshold <= 0.0) {
        let need = if log_x {
            "finite and > 0 (log x axis)"
        } else {
            "finite"
        };
        return Err(invalid(
            path,
            format!("threshold {threshold} must be {need}"),
        ));
    }
    let transform = |v: f64| if log_x { v.log10() } else { v };

    // Plottable values of each series, on the x-axis scale.
    let data: Vec<Vec<f64>> = series
        .iter()
        .map(|s| {
            s.values
                .iter()
                .map(|&v| v as f64)
                .filter(|v| v.is_finite() && (!log_x || *v > 0.0))
                .map(transform)
                .collect()
        })
        .collect();
    if data.iter().all(Vec::is_empty) {
        let what = if log_x { "finite positive" } else { "finite" };
        return Err(invalid(path, format!("no {what} scores to plot")));
    }

    let t = transform(threshold);
    let (lo, hi) = data
        .iter()
        .flatten()
        .fold((t, t), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let (lo, hi) = nonempty_range(lo, hi);
    let width = (hi - lo) / bins as f64;
    let densities: Vec<Vec<f64>> = data.iter().map(|d| density(d, lo, width, bins)).collect();
    let peak = densities.iter().flatten().fold(0.0f64, |m, &d| m.max(d));

    // Leave room above the bars for the legend (one entry per series plus the threshold).
    let legend_px = 22.0 * (series.len() + 1) as f64 + 24.0;
    let free = 1.0 - (legend_px / 400.0).min(0.6);
    let y_max = if peak > 0.0 { peak / free } else { 1.0 };

    let pad = 0.02 * (hi - lo);
    let (x0, x1) = (lo - pad, hi + pad);
    let t_frac = (t - x0) / (x1 - x0);
    let x_desc = if log_x { "log10(score)" } else { "score" };

    render(&to, CHART_SIZE, |root| -> DrawResult {
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 22))
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(64)
            .build_cartesian_2d(x0..x1, 0.0..y_max)?;
        draw_mesh(&mut chart, x_desc, "density", 15)?;

        let edge = |k: usize| lo + k as f64 * width;
        for (i, d) in densities.iter().enumerate() {
            let fill = color(i).mix(0.25).filled();
            chart.draw_series(
                d.iter()
                    .enumerate()
                    .filter(|(_, v)| **v > 0.0)
                    .map(|(k, &v)| Rectangle::new([(edge(k), 0.0), (edge(k + 1), v)], fill)),
            )?;
        }
        for (i, (s, d)) in series.iter().zip(&densities).enumerate() {
            let c = color(i);
            let mut outline = Vec::with_capacity(2 * bins + 2);
            if !d.iter().all(|v| *v == 0.0) {
                outline.push((edge(0), 0.0));
                for (k, &v) in d.iter().enumerate() {
                    outline.push((edge(k), v));
                    outline.push((edge(k + 1), v));
                }
                outline.push((edge(bins), 0.0));
            }
            let skipped = s.values.len() - data[i].len();
            let label = match skipped {
                0 => format!("{} (n={})", s.name, data[i].len()),
                k => format!("{} (n={}, {k} skipped)", s.name, data[i].len()),
            };
            chart
                .draw_series(LineSeries::new(outline, c.stroke_width(2)))?
                .label(label)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 18, y + 6)], c.mix(0.35).filled())
                });
        }

        let t_label = format!("threshold = {}", fmt_num(threshold));
        chart
            .draw_series(DashedLineSeries::new(
                [(t, 0.0), (t, y_max)],
                8,
                5,
                BLACK.stroke_width(2),
            ))?
            .label(t_label.clone())
            .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], BLACK.stroke_width(2)));
        // The value beside the top of the line, on the side away from the legend.
        let text_left = if t_frac < 0.5 {
            t_frac > 0.25
        } else {
            t_frac > 0.75
        };
        let (h, dx) = if text_left {
            (HPos::Right, -6)
        } else {
            (HPos::Left, 6)
        };
        let style = TextStyle::from((FONT, 15).into_font()).pos(Pos::new(h, VPos::Top));
        chart.draw_series(std::iter::once(
            EmptyElement::at((t, y_max)) + Text::new(t_label, (dx, 6), style),
        ))?;

        let corner = if t_frac < 0.5 {
            SeriesLabelPosition::UpperRight
        } else {
            SeriesLabelPosition::UpperLeft
        };
        draw_legend(&mut chart, corner)
    })
}

/// Histogram of `values` over `bins` bins of `width` starting at `lo`, as a density (integrates
/// to 1). Values at or beyond the last edge fall into the last bin.
fn density(values: &[f64], lo: f64, width: f64, bins: usize) -> Vec<f64> {
    let mut counts = vec![0usize; bins];
    for &v in values {
        let k = ((v - lo) / width).floor().max(0.0) as usize;
        counts[k.min(bins - 1)] += 1;
    }
    let scale = 1.0 / (values.len().max(1) as f64 * width);
    counts.into_iter().map(|c| c as f64 * scale).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::testutil::{check_png, has_color, unwritable_path};

    fn scores(n: usize, center: f32, spread: f32) -> Vec<f32> {
        (0..n)
            .map(|i| center + spread * ((i as f32 * 0.618).fract() - 0.5))
            .collect()
    }

    #[test]
    fn density_integrates_to_one() {
        let d = density(&[0.0, 0.1, 0.5, 0.99, 1.0], 0.0, 0.25, 4);
        assert_eq!(d.len(), 4);
        let total: f64 = d.iter().map(|v| v * 0.25).sum();
        assert!((total - 1.0).abs() < 1e-12);
        assert_eq!(
            d[3],
            2.0 / (5.0 * 0.25),
            "the top edge falls in the last bin"
        );
    }

    #[test]
    fn writes_overlaid_histograms() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            scores(500, 0.02, 0.02),
            scores(300, 0.025, 0.02),
            scores(60, 0.08, 0.05),
        );
        let path = dir.path().join("hist.png");
        let series = [
            Series {
                name: "validation",
                values: &a,
            },
            Series {
                name: "normal test",
                values: &b,
            },
            Series {
                name: "anomalies",
                values: &c,
            },
        ];
        score_histogram(&path, "Scores", &series, 0.05, false, 40).unwrap();
        let img = check_png(&path, CHART_SIZE);
        for i in 0..3 {
            assert!(
                has_color(&img, color(i)),
                "series {i} is drawn in its colour"
            );
        }
        // Log scale, and a rewrite of the same path.
        score_histogram(&path, "Scores (log)", &series, 0.05, true, 40).unwrap();
        check_png(&path, CHART_SIZE);
    }

    #[test]
    fn skips_non_finite_and_nonpositive_scores() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.png");
        let v = [0.1, f32::NAN, 0.2, f32::INFINITY, 0.0, -1.0, 0.3];
        let series = [Series {
            name: "mixed",
            values: &v,
        }];
        score_histogram(&path, "t", &series, 0.2, true, 10).unwrap();
        check_png(&path, CHART_SIZE);
        let only_nan = [f32::NAN, f32::NEG_INFINITY];
        let series = [Series {
            name: "bad",
            values: &only_nan,
        }];
        let err = score_histogram(&path, "t", &series, 0.2, false, 10).unwrap_err();
        assert!(err.to_string().contains("no finite scores"), "{err}");
    }

    #[test]
    fn single_value_and_empty_series_still_plot() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.png");
        let series = [
            Series {
                name: "one",
                values: &[0.5, 0.5],
            },
            Series {
                name: "none",
                values: &[],
            },
        ];
        score_histogram(&path, "t", &series, 0.5, false, 5).unwrap();
        check_png(&path, CHART_SIZE);
    }

    #[test]
    fn rejects_bad_input() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.png");
        let ok = [Series {
            name: "a",
            values: &[1.0, 2.0],
        }];
        let cases: [(&[Series], f64, bool, usize, &str); 5] = [
            (&[], 1.0, false, 10, "no score series"),
            (
                &[Series {
                    name: "e",
                    values: &[],
                }],
                1.0,
                false,
                10,
                "no finite scores",
            ),
            (&ok, 1.0, false, 0, "bins"),
            (&ok, f64::NAN, false, 10, "threshold"),
            (&ok, -1.0, true, 10, "threshold"),
        ];
        for (series, t, log_x, bins, needle) in cases {
            let err = score_histogram(&path, "t", series, t, log_x, bins).unwrap_err();
            let msg = err.to_string();
            assert!(matches!(err, PlotError::InvalidInput { .. }), "{msg}");
            assert!(msg.contains(needle) && msg.contains("h.png"), "{msg}");
        }
        assert!(!path.exists());
    }

    #[test]
    fn unwritable_path_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = unwritable_path(dir.path());
        let series = [Series {
            name: "a",
            values: &[1.0, 2.0],
        }];
        let err = score_histogram(&path, "t", &series, 1.5, false, 10).unwrap_err();
        assert!(matches!(err, PlotError::Io { .. }));
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
    }
}
