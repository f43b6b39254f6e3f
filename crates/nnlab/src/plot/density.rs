//! 2-D density figures: side-by-side panels, each with an optional density image over a
//! regular grid (a heat map in the viridis colours) and scattered point sets on top — for
//! example data vs model samples, and a learned density p(x, y).

use super::{
    Area, DrawResult, FONT, PlotError, Target, color, draw_legend, fmt_num, invalid,
    nonempty_range, render,
};
use plotters::prelude::*;

/// Named points, drawn as small dots in one palette colour (the i-th set of a panel takes
/// colour i).
pub struct PointSet<'a> {
    pub name: &'a str,
    pub points: &'a [[f64; 2]],
}

/// Values on an `nx`×`ny` grid of equal cells covering [x.0, x.1]×[y.0, y.1], row-major with rows
/// from the bottom (y.0) up and x increasing along a row (value k belongs to cell
/// (k % nx, k / nx)).
pub struct DensityImage<'a> {
    pub x: (f64, f64),
    pub y: (f64, f64),
    pub nx: usize,
    pub ny: usize,
    pub values: &'a [f64],
}

/// One panel: a title, an optional density image underneath, point sets on top.
pub struct DensityPanel<'a> {
    pub title: &'a str,
    pub density: Option<DensityImage<'a>>,
    pub points: Vec<PointSet<'a>>,
}

/// Width and height of one panel, in pixels.
const PANEL: (u32, u32) = (460, 480);
/// Height of the figure's title band.
const TITLE_H: u32 = 36;

/// The viridis colour at t ∈ [0, 1] (linear between five anchors of matplotlib's map).
pub(crate) fn viridis(t: f64) -> RGBColor {
    const ANCHORS: [(u8, u8, u8); 5] = [
        (68, 1, 84),
        (59, 82, 139),
        (33, 145, 140),
        (94, 201, 98),
        (253, 231, 37),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let s = t * (ANCHORS.len() - 1) as f64;
    let k = (s.floor() as usize).min(ANCHORS.len() - 2);
    let f = s - k as f64;
    let mix = |a: u8, b: u8| (a as f64 + f * (b as f64 - a as f64)).round() as u8;
    let (a, b) = (ANCHORS[k], ANCHORS[k + 1]);
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Draws the panels side by side under `title` and writes the PNG to `path`. All panels share
/// the axis ranges: the smallest box holding every finite point and every density image,
/// padded by 3 %. A density image is coloured by value / (its largest finite value) with the
/// viridis map (dark purple 0, yellow the maximum); non-finite or negative values are left
/// blank. Point sets get a legend when the panel has any.
///
/// # Errors
/// [`PlotError::InvalidInput`] if `panels` is empty, a density image has an empty grid, a
/// value count other than nx·ny or a non-finite or empty range, or nothing at all is plottable
/// (no finite point and no density image); otherwise drawing or writing errors. All name
/// `path`.
pub fn density_panels(
    to: impl Into<Target>,
    title: &str,
    panels: &[DensityPanel],
) -> Result<(), PlotError> {
    let to: Target = to.into();
    let path = to.path();
    if panels.is_empty() {
        return Err(invalid(path, "no panels given"));
    }
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    let mut include = |p: [f64; 2]| {
        for a in 0..2 {
            lo[a] = lo[a].min(p[a]);
            hi[a] = hi[a].max(p[a]);
        }
    };
    for panel in panels {
        if let Some(d) = &panel.density {
            if d.nx == 0 || d.ny == 0 {
                return Err(invalid(
                    path,
                    format!(
                        "panel '{}': empty {}x{} density grid",
                        panel.title, d.nx, d.ny
                    ),
                ));
            }
            if d.values.len() != d.nx * d.ny {
                return Err(invalid(
                    path,
                    format!(
                        "panel '{}': expected {}x{} = {} density values, got {}",
                        panel.title,
                        d.nx,
                        d.ny,
                        d.nx * d.ny,
                        d.values.len()
                    ),
                ));
            }
            let ok = |(a, b): (f64, f64)| a.is_finite() && b.is_finite() && a < b;
            if !ok(d.x) || !ok(d.y) {
                return Err(invalid(
                    path,
                    format!(
                        "panel '{}': density range {:?} x {:?} is empty or not finite",
                        panel.title, d.x, d.y
                    ),
                ));
            }
            include([d.x.0, d.y.0]);
            include([d.x.1, d.y.1]);
        }
        for set in &panel.points {
            for p in set.points.iter().filter(|p| finite(p)) {
                include(*p);
            }
        }
    }
    if lo[0] > hi[0] {
        return Err(invalid(path, "no finite points and no density to plot"));
    }
    let (x0, x1) = nonempty_range(lo[0], hi[0]);
    let (y0, y1) = nonempty_range(lo[1], hi[1]);
    let (px, py) = (0.03 * (x1 - x0), 0.03 * (y1 - y0));
    let (xr, yr) = (x0 - px..x1 + px, y0 - py..y1 + py);
    let size = (PANEL.0 * panels.len() as u32, PANEL.1 + TITLE_H);
    render(&to, size, |root| {
        root.fill(&WHITE)?;
        let body = root.titled(title, (FONT, 22))?;
        for (panel, area) in panels.iter().zip(body.split_evenly((1, panels.len()))) {
            draw_panel(&area, panel, xr.clone(), yr.clone())?;
        }
        Ok(())
    })
}

fn finite(p: &[f64; 2]) -> bool {
    p[0].is_finite() && p[1].is_finite()
}

/// Draws one panel on `area` with the shared ranges.
fn draw_panel(
    area: &Area<'_>,
    panel: &DensityPanel,
    xr: std::ops::Range<f64>,
    yr: std::ops::Range<f64>,
) -> DrawResult {
    let mut chart = ChartBuilder::on(area)
        .caption(panel.title, (FONT, 18))
        .margin(10)
        .x_label_area_size(34)
        .y_label_area_size(46)
        .build_cartesian_2d(xr, yr)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&|v| fmt_num(*v))
        .y_label_formatter(&|v| fmt_num(*v))
        .label_style((FONT, 13))
        .draw()?;
    if let Some(d) = &panel.density {
        let max = d
            .values
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0f64, f64::max);
        let (dx, dy) = ((d.x.1 - d.x.0) / d.nx as f64, (d.y.1 - d.y.0) / d.ny as f64);
        let cells = d.values.iter().enumerate().filter_map(|(k, &v)| {
            if !(v.is_finite() && v >= 0.0) {
                return None;
            }
            let (i, j) = ((k % d.nx) as f64, (k / d.nx) as f64);
            let corners = [
                (d.x.0 + i * dx, d.y.0 + j * dy),
                (d.x.0 + (i + 1.0) * dx, d.y.0 + (j + 1.0) * dy),
            ];
            let t = if max > 0.0 { v / max } else { 0.0 };
            Some(Rectangle::new(corners, viridis(t).filled()))
        });
        chart.draw_series(cells)?;
    }
    for (k, set) in panel.points.iter().enumerate() {
        let c = color(k);
        let dots = set
            .points
            .iter()
            .filter(|p| finite(p))
            .map(move |p| Circle::new((p[0], p[1]), 1, c.filled()));
        chart
            .draw_series(dots)?
            .label(set.name)
            .legend(move |(x, y)| Circle::new((x + 8, y), 4, c.filled()));
    }
    if !panel.points.is_empty() {
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::testutil::{check_png, has_color, unwritable_path};

    /// A ring of `n` points of radius `r`.
    fn ring(n: usize, r: f64) -> Vec<[f64; 2]> {
        (0..n)
            .map(|k| {
                let a = std::f64::consts::TAU * k as f64 / n as f64;
                [r * a.cos(), r * a.sin()]
            })
            .collect()
    }

    #[test]
    fn viridis_runs_from_purple_to_yellow() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
        assert_eq!(viridis(0.5), RGBColor(33, 145, 140));
        assert_eq!(viridis(f64::NAN), viridis(0.0));
        assert_eq!(viridis(7.0), viridis(1.0));
    }

    #[test]
    fn writes_scatter_and_density_panels() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("density.png");
        let (data, samples) = (ring(300, 1.0), ring(200, 1.5));
        // A Gaussian bump on a 60×50 grid over [−2, 2]×[−2, 2], one NaN cell left blank.
        let (nx, ny) = (60, 50);
        let mut values: Vec<f64> = (0..nx * ny)
            .map(|k| {
                let x = -2.0 + 4.0 * ((k % nx) as f64 + 0.5) / nx as f64;
                let y = -2.0 + 4.0 * ((k / nx) as f64 + 0.5) / ny as f64;
                (-(x * x + y * y)).exp()
            })
            .collect();
        values[0] = f64::NAN;
        let panels = [
            DensityPanel {
                title: "data vs samples",
                density: None,
                points: vec![
                    PointSet {
                        name: "data",
                        points: &data,
                    },
                    PointSet {
                        name: "samples",
                        points: &samples,
                    },
                ],
            },
            DensityPanel {
                title: "density",
                density: Some(DensityImage {
                    x: (-2.0, 2.0),
                    y: (-2.0, 2.0),
                    nx,
                    ny,
                    values: &values,
                }),
                points: vec![],
            },
        ];
        density_panels(&path, "Flow", &panels).unwrap();
        let img = check_png(&path, (2 * PANEL.0, PANEL.1 + TITLE_H));
        assert!(has_color(&img, color(0)) && has_color(&img, color(1)));
        // The peak cells are yellow, the far corners dark purple.
        assert!(has_color(&img, viridis(1.0)));
        assert!(has_color(&img, viridis(0.0)));
    }

    #[test]
    fn rejects_bad_input_naming_the_panel_and_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.png");
        let err = density_panels(&path, "t", &[]).unwrap_err();
        assert!(err.to_string().contains("no panels"), "{err}");
        let v = [1.0; 5];
        let bad = |nx, ny, x: (f64, f64)| {
            [DensityPanel {
                title: "heat",
                density: Some(DensityImage {
                    x,
                    y: (0.0, 1.0),
                    nx,
                    ny,
                    values: &v,
                }),
                points: vec![],
            }]
        };
        let msg = |p: &[DensityPanel]| density_panels(&path, "t", p).unwrap_err().to_string();
        assert!(msg(&bad(2, 2, (0.0, 1.0))).contains("panel 'heat': expected 2x2 = 4"));
        assert!(msg(&bad(0, 2, (0.0, 1.0))).contains("empty 0x2"));
        assert!(msg(&bad(5, 1, (1.0, 1.0))).contains("range"));
        let nan = [[f64::NAN, 0.0]];
        let p = [DensityPanel {
            title: "p",
            density: None,
            points: vec![PointSet {
                name: "nan",
                points: &nan,
            }],
        }];
        let m = msg(&p);
        assert!(m.contains("nothing") || m.contains("no finite"), "{m}");
        assert!(m.contains("d.png"), "{m}");
        assert!(!path.exists());
        let one = [[0.5, 0.5]];
        let p = [DensityPanel {
            title: "p",
            density: None,
            points: vec![PointSet {
                name: "one",
                points: &one,
            }],
        }];
        let err = density_panels(unwritable_path(dir.path()), "t", &p).unwrap_err();
        assert!(matches!(err, PlotError::Io { .. }), "{err}");
    }
}
