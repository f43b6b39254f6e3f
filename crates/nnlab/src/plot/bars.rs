//! Grouped bar charts: one group of bars per category (e.g. a class), one bar per series (e.g. a
//! scorer) in the palette's colours, with optional horizontal reference lines.

use super::{CHART_SIZE, DrawResult, FONT, PlotError, Target, color, draw_legend, invalid, render};
use plotters::prelude::*;

/// One series of a bar chart: a value per category (non-finite values draw no bar).
pub struct BarSeries<'a> {
    pub name: &'a str,
    pub values: &'a [f64],
}

/// A horizontal reference line across the chart, drawn dashed in grey and named in the legend.
pub struct Reference<'a> {
    pub name: &'a str,
    pub y: f64,
}

/// Grouped bar chart of `series` over `categories`, the y axis from `y_range.0` to `y_range.1`;
/// the legend sits in the upper right corner (leave headroom above the bars for it).
///
/// # Errors
/// [`PlotError::InvalidInput`] if there are no categories or series, a series has another
/// length than `categories`, or the range is empty; otherwise drawing or writing errors. All
/// name `path`.
pub fn bar_chart(
    to: impl Into<Target>,
    title: &str,
    (x_label, y_label): (&str, &str),
    categories: &[String],
    series: &[BarSeries],
    references: &[Reference],
    y_range: (f64, f64),
) -> Result<(), PlotError> {
    let to: Target = to.into();
    let path = to.path();
    if categories.is_empty() || series.is_empty() {
        return Err(invalid(path, "no categories or no series"));
    }
    if let Some(s) = series.iter().find(|s| s.values.len() != categories.len()) {
        return Err(invalid(
            path,
            format!(
                "series {} has {} values for {} categories",
                s.name,
                s.values.len(),
                categories.len()
            ),
        ));
    }
    if !(y_range.0.is_finite() && y_range.1.is_finite() && y_range.0 < y_range.1) {
        return Err(invalid(path, "the y range is empty"));
    }
    let n = categories.len() as f64;
    let width = 0.8 / series.len() as f64;
    render(&to, CHART_SIZE, |root| -> DrawResult {
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 20))
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(-0.5..n - 0.5, y_range.0..y_range.1)?;
        let cats = categories.to_vec();
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .x_labels(categories.len())
            .x_label_formatter(&|v| {
                let i = v.round();
                if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < cats.len() {
                    cats[i as usize].clone()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|v| super::fmt_num(*v))
            .label_style((FONT, 14))
            .axis_desc_style((FONT, 15))
            .light_line_style(RGBColor(244, 244, 244))
            .bold_line_style(RGBColor(215, 215, 215))
            .disable_x_mesh()
            .draw()?;
        // (The style of `draw_mesh`, with categorical x labels and no vertical grid lines.)
        for (k, s) in series.iter().enumerate() {
            let c = color(k);
            let bars = s
                .values
                .iter()
                .enumerate()
                .filter(|(_, v)| v.is_finite())
                .map(|(i, &v)| {
                    let x0 = i as f64 - 0.4 + k as f64 * width;
                    Rectangle::new(
                        [(x0, y_range.0), (x0 + width * 0.9, v.min(y_range.1))],
                        c.filled(),
                    )
                });
            chart
                .draw_series(bars)?
                .label(s.name)
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], c.filled()));
        }
        for r in references {
            let grey = RGBColor(90, 90, 90);
            let style = ShapeStyle::from(&grey).stroke_width(2);
            chart
                .draw_series(DashedLineSeries::new(
                    [(-0.5, r.y), (n - 0.5, r.y)],
                    8,
                    5,
                    style,
                ))?
                .label(r.name)
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 14, y)], style));
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight)
    })
}
