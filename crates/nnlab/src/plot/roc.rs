//! ROC curve figure: the curve, the chance diagonal, the AUROC and an optional operating point.

use super::{
    DrawResult, FONT, PlotError, Target, color, draw_legend, draw_mesh, fmt_num, invalid, render,
};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Size of the (nearly square) ROC figure in pixels.
const ROC_SIZE: (u32, u32) = (680, 600);

/// Tolerance for rates slightly outside [0, 1] from rounding.
const EPS: f64 = 1e-9;

/// ROC curve (points are (false positive rate, true positive rate), sorted by FPR, from (0,0) to (1,1)),
/// the diagonal for reference, AUROC in the legend, and an optional marked operating point (fpr, tpr) labelled e.g. "threshold".
///
/// The points are drawn in the order given. Points with a non-finite coordinate are skipped. A
/// non-finite `auroc` (as from a set with a single class) is shown as "n/a". The operating point
/// is a red dot labelled "threshold", its rates listed in the legend.
///
/// # Errors
/// [`PlotError::InvalidInput`] if no point is finite, a rate lies outside [0, 1], or the
/// operating point is not finite or outside [0, 1]; otherwise drawing or writing errors. All name
/// `path`.
pub fn roc_curve(
    to: impl Into<Target>,
    title: &str,
    points: &[(f64, f64)],
    auroc: f64,
    operating_point: Option<(f64, f64)>,
) -> Result<(), PlotError> {
    let to: Target = to.into();
    let path = to.path();
    let in_unit = |v: f64| (-EPS..=1.0 + EPS).contains(&v);
    let pts: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    if pts.is_empty() {
        return Err(invalid(path, "no finite ROC points given"));
    }
    if let Some(&(x, y)) = pts.iter().find(|(x, y)| !in_unit(*x) || !in_unit(*y)) {
        return Err(invalid(
            path,
            format!("ROC point ({x}, {y}) lies outside [0, 1]"),
        ));
    }
    if let Some((x, y)) = operating_point
        && (!in_unit(x) || !in_unit(y))
    {
        return Err(invalid(
            path,
            format!("operating point ({x}, {y}) must be finite and in [0, 1]"),
        ));
    }
    let auroc_text = if auroc.is_finite() {
        format!("{auroc:.4}")
    } else {
        "n/a".into()
    };

    render(&to, ROC_SIZE, |root| -> DrawResult {
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 22))
            .margin(14)
            .x_label_area_size(48)
            .y_label_area_size(60)
            .build_cartesian_2d(-0.01..1.01, -0.01..1.01)?;
        draw_mesh(&mut chart, "false positive rate", "true positive rate", 15)?;

        let grey = RGBColor(120, 120, 120);
        chart
            .draw_series(DashedLineSeries::new(
                [(0.0, 0.0), (1.0, 1.0)],
                8,
                6,
                grey.stroke_width(1),
            ))?
            .label("chance")
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], grey.stroke_width(1)));

        let blue = color(0);
        let curve = chart.draw_series(LineSeries::new(pts.clone(), blue.stroke_width(2)))?;
        curve
            .label(format!("ROC (AUROC = {auroc_text})"))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], blue.stroke_width(2)));
        if pts.len() == 1 {
            chart.draw_series(std::iter::once(Circle::new(pts[0], 3, blue.filled())))?;
        }

        if let Some((x, y)) = operating_point {
            let red = color(2);
            let style =
                TextStyle::from((FONT, 15).into_font()).pos(Pos::new(HPos::Left, VPos::Top));
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((x, y))
                        + Circle::new((0, 0), 6, red.filled())
                        + Text::new("threshold", (8, 6), style),
                ))?
                .label(format!(
                    "threshold (FPR {}, TPR {})",
                    fmt_num(x),
                    fmt_num(y)
                ))
                .legend(move |(x, y)| Circle::new((x + 9, y), 5, red.filled()));
        }

        draw_legend(&mut chart, SeriesLabelPosition::LowerRight)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::testutil::{check_png, has_color, unwritable_path};

    fn curve() -> Vec<(f64, f64)> {
        (0..=50)
            .map(|i| {
                let x = i as f64 / 50.0;
                (x, x.powf(0.2))
            })
            .collect()
    }

    #[test]
    fn writes_roc_with_operating_point() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("roc.png");
        roc_curve(&path, "ROC", &curve(), 0.93, Some((0.05, 0.55))).unwrap();
        let img = check_png(&path, ROC_SIZE);
        assert!(has_color(&img, color(0)), "curve in blue");
        assert!(has_color(&img, color(2)), "operating point in red");
        roc_curve(&path, "ROC", &curve(), f64::NAN, None).unwrap();
        check_png(&path, ROC_SIZE);
    }

    #[test]
    fn skips_non_finite_points_and_draws_a_single_point() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("roc.png");
        let pts = [(0.0, 0.0), (f64::NAN, 0.5), (1.0, 1.0)];
        roc_curve(&path, "ROC", &pts, 0.5, None).unwrap();
        check_png(&path, ROC_SIZE);
        roc_curve(&path, "ROC", &[(0.5, 0.5)], 0.5, None).unwrap();
        check_png(&path, ROC_SIZE);
    }

    #[test]
    fn rejects_bad_input() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("roc.png");
        let err = roc_curve(&path, "ROC", &[], 0.5, None).unwrap_err();
        assert!(err.to_string().contains("no finite ROC points"), "{err}");
        let err = roc_curve(&path, "ROC", &[(f64::NAN, 0.0)], 0.5, None).unwrap_err();
        assert!(err.to_string().contains("no finite ROC points"), "{err}");
        let err = roc_curve(&path, "ROC", &[(0.0, 0.0), (1.5, 1.0)], 0.5, None).unwrap_err();
        assert!(err.to_string().contains("outside [0, 1]"), "{err}");
        let err = roc_curve(&path, "ROC", &curve(), 0.5, Some((f64::NAN, 0.5))).unwrap_err();
        assert!(err.to_string().contains("operating point"), "{err}");
        assert!(err.to_string().contains("roc.png"), "{err}");
        assert!(!path.exists());
    }

    #[test]
    fn unwritable_path_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = unwritable_path(dir.path());
        let err = roc_curve(&path, "ROC", &curve(), 0.9, None).unwrap_err();
        assert!(matches!(err, PlotError::Io { .. }));
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
    }
}
