//! Scatter plots of 2-D embeddings: named point clouds on linear axes, one palette colour per
//! cloud (digits 0–9 get ten colours), with marked clouds (anomalies) drawn as dark crosses.

use super::{
    DrawResult, FONT, PlotError, Target, color, draw_legend, fmt_num, invalid, nonempty_range,
    render,
};
use plotters::prelude::*;

/// Size of an embedding figure in pixels (nearly square: embeddings have no preferred axis).
pub const EMBEDDING_SIZE: (u32, u32) = (900, 820);

/// A named set of embedded points.
pub struct Cloud<'a> {
    pub name: &'a str,
    pub points: &'a [(f64, f64)],
    /// Drawn as dark grey crosses (e.g. anomalies) instead of dots in the cloud's colour.
    pub marked: bool,
}

/// Scatter plot of `clouds`: unmarked clouds as small translucent dots in palette colours (the
/// i-th unmarked cloud gets colour i), marked clouds as dark grey crosses on top; a legend names
/// every cloud. Non-finite points are skipped; the axes span the finite points plus 3 %.
///
/// # Errors
/// [`PlotError::InvalidInput`] if there is no finite point; otherwise drawing or writing errors.
/// All name `path`.
pub fn embedding_scatter(
    to: impl Into<Target>,
    title: &str,
    clouds: &[Cloud],
) -> Result<(), PlotError> {
    let to: Target = to.into();
    let path = to.path();
    let finite = |p: &&(f64, f64)| p.0.is_finite() && p.1.is_finite();
    let all = || clouds.iter().flat_map(|c| c.points.iter().filter(finite));
    if all().next().is_none() {
        return Err(invalid(path, "no finite points to plot"));
    }
    let span = |f: &dyn Fn(&(f64, f64)) -> f64| {
        let (lo, hi) = all().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(f(p)), b.max(f(p)))
        });
        let (lo, hi) = nonempty_range(lo, hi);
        let pad = 0.03 * (hi - lo);
        (lo - pad)..(hi + pad)
    };
    let xs = span(&|p| p.0);
    let ys = span(&|p| p.1);
    render(&to, EMBEDDING_SIZE, |root| -> DrawResult {
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 22))
            .margin(14)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(xs.clone(), ys.clone())?;
        chart
            .configure_mesh()
            .x_desc("t-SNE 1")
            .y_desc("t-SNE 2")
            .x_label_formatter(&|v| fmt_num(*v))
            .y_label_formatter(&|v| fmt_num(*v))
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 15))
            .light_line_style(RGBColor(246, 246, 246))
            .bold_line_style(RGBColor(225, 225, 225))
            .draw()?;
        let dark = RGBColor(40, 40, 40);
        for (k, c) in clouds.iter().filter(|c| !c.marked).enumerate() {
            let col = color(k);
            chart
                .draw_series(
                    c.points
                        .iter()
                        .filter(finite)
                        .map(|&p| Circle::new(p, 2, col.mix(0.45).filled())),
                )?
                .label(c.name)
                .legend(move |(x, y)| Circle::new((x + 9, y), 5, col.filled()));
        }
        for c in clouds.iter().filter(|c| c.marked) {
            chart
                .draw_series(
                    c.points
                        .iter()
                        .filter(finite)
                        .map(|&p| Cross::new(p, 2, dark.mix(0.35))),
                )?
                .label(c.name)
                .legend(move |(x, y)| Cross::new((x + 9, y), 4, dark.stroke_width(2)));
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::testutil::{check_png, has_color, unwritable_path};

    #[test]
    fn draws_colored_and_marked_clouds_and_rejects_empty_input() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("e.png");
        let a: Vec<(f64, f64)> = (0..50).map(|k| (k as f64, (k * k) as f64 / 50.0)).collect();
        let b = [(3.0, 4.0), (f64::NAN, 1.0), (-2.0, 7.0)];
        let clouds = [
            Cloud {
                name: "0",
                points: &a,
                marked: false,
            },
            Cloud {
                name: "1",
                points: &b,
                marked: false,
            },
            Cloud {
                name: "anomalies",
                points: &b,
                marked: true,
            },
        ];
        embedding_scatter(&path, "t", &clouds).unwrap();
        let img = check_png(&path, EMBEDDING_SIZE);
        assert!(has_color(&img, color(0)) && has_color(&img, color(1)));
        let none = [Cloud {
            name: "x",
            points: &[(f64::NAN, 0.0)],
            marked: false,
        }];
        let err = embedding_scatter(&path, "t", &none).unwrap_err();
        assert!(err.to_string().contains("no finite points"), "{err}");
        let bad = unwritable_path(dir.path());
        let err = embedding_scatter(&bad, "t", &clouds).unwrap_err();
        assert!(err.to_string().contains(&bad.display().to_string()));
    }
}
