//! Scatter plots on log–log axes: several named point clouds, such as a gradient norm against a
//! probability across thousands of training steps.

use super::{
    CHART_SIZE, DrawResult, FONT, Line, PlotError, Target, color, draw_legend, draw_mesh, invalid,
    render,
};
use plotters::prelude::*;

/// Log–log scatter plot: each named series of (x, y) points is drawn as small translucent dots
/// in the palette's colours (so dense regions look darker); both axes are logarithmic.
///
/// Points with a non-finite coordinate or with x ≤ 0 or y ≤ 0 are skipped; a series left
/// without points still appears in the legend. The axes span the plottable points, padded by
/// 5 % of the decades spanned (a factor of 2 either side for a single value).
///
/// # Errors
/// [`PlotError::InvalidInput`] if `series` is empty or holds no plottable point; otherwise
/// drawing or writing errors. All name `path`.
pub fn loglog_scatter(
    to: impl Into<Target>,
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[Line],
) -> Result<(), PlotError> {
    let to: Target = to.into();
    let path = to.path();
    if series.is_empty() {
        return Err(invalid(path, "no series given"));
    }
    let keep = |(x, y): &(f64, f64)| x.is_finite() && y.is_finite() && *x > 0.0 && *y > 0.0;
    let data: Vec<Vec<(f64, f64)>> = series
        .iter()
        .map(|s| s.points.iter().copied().filter(keep).collect())
        .collect();
    let all = || data.iter().flatten();
    if all().next().is_none() {
        return Err(invalid(
            path,
            "no finite points with x > 0 and y > 0 to plot",
        ));
    }
    let span = |vals: Vec<f64>| {
        let (lo, hi) = vals
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        let f = if hi > lo { (hi / lo).powf(0.05) } else { 2.0 };
        (lo / f)..(hi * f)
    };
    let xs = span(all().map(|p| p.0).collect());
    let ys = span(all().map(|p| p.1).collect());
    render(&to, CHART_SIZE, |root| -> DrawResult {
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 22))
            .margin(14)
            .x_label_area_size(48)
            .y_label_area_size(72)
            .build_cartesian_2d(xs.clone().log_scale(), ys.clone().log_scale())?;
        draw_mesh(&mut chart, x_label, y_label, 15)?;
        for (i, (s, pts)) in series.iter().zip(&data).enumerate() {
            let c = color(i);
            chart
                .draw_series(pts.iter().map(|&p| Circle::new(p, 2, c.mix(0.35).filled())))?
                .label(s.name)
                .legend(move |(x, y)| Circle::new((x + 9, y), 4, c.filled()));
        }
        draw_legend(&mut chart, SeriesLabelPosition::LowerRight)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::testutil::{check_png, has_color, unwritable_path};

    #[test]
    fn draws_two_clouds_and_skips_unplottable_points() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.png");
        let a: Vec<(f64, f64)> = (1..200).map(|k| (k as f64 * 1e-3, k as f64)).collect();
        let b = [(0.5, 2.0), (0.0, 1.0), (f64::NAN, 1.0), (0.1, -1.0)];
        let series = [
            Line {
                name: "a",
                points: &a,
            },
            Line {
                name: "b",
                points: &b,
            },
        ];
        loglog_scatter(&path, "t", "x", "y", &series).unwrap();
        let img = check_png(&path, CHART_SIZE);
        // The legend marks are drawn in the full series colours.
        assert!(has_color(&img, color(0)) && has_color(&img, color(1)));
        // A single plottable point still gives a figure.
        let one = [Line {
            name: "one",
            points: &[(1.0, 1.0)],
        }];
        loglog_scatter(&path, "t", "x", "y", &one).unwrap();
        check_png(&path, CHART_SIZE);
    }

    #[test]
    fn rejects_empty_input_and_names_unwritable_paths() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.png");
        let err = loglog_scatter(&path, "t", "x", "y", &[]).unwrap_err();
        assert!(err.to_string().contains("no series"), "{err}");
        let bad = [Line {
            name: "bad",
            points: &[(0.0, 1.0), (1.0, 0.0)],
        }];
        let err = loglog_scatter(&path, "t", "x", "y", &bad).unwrap_err();
        assert!(err.to_string().contains("x > 0 and y > 0"), "{err}");
        assert!(!path.exists());
        let good = [Line {
            name: "g",
            points: &[(1.0, 1.0), (2.0, 3.0)],
        }];
        let unwritable = unwritable_path(dir.path());
        let err = loglog_scatter(&unwritable, "t", "x", "y", &good).unwrap_err();
        assert!(matches!(err, PlotError::Io { .. }));
        assert!(err.to_string().contains(&unwritable.display().to_string()));
    }
}
