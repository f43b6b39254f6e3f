//! Confusion-matrix figure: a K×K grid of cells, true class by row and predicted class by
//! column, each shaded by its share of its row and printed with its count.

use super::{DrawResult, FONT, PlotError, Target, invalid, render};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Largest number of classes drawn (cells stay legible).
const MAX_CLASSES: usize = 40;

/// The darkest cell colour (the palette's blue).
const DARK: (f64, f64, f64) = (31.0, 119.0, 180.0);

/// Draws `counts[true][predicted]` with row and column names `names` under `title`.
///
/// A cell's shade is its count over its row's total (white = 0, blue = the whole row), so
/// rows of different sizes compare; the count is printed in the cell (white on dark cells).
///
/// # Errors
/// [`PlotError::InvalidInput`] if there are no classes, more than 40, `counts` is not
/// `names.len()` rows of `names.len()` values; otherwise drawing or writing errors. All name
/// `path`.
pub fn confusion_matrix(
    to: impl Into<Target>,
    title: &str,
    names: &[String],
    counts: &[Vec<u64>],
) -> Result<(), PlotError> {
    let to: Target = to.into();
    let path = to.path();
    let k = names.len();
    if k == 0 || k > MAX_CLASSES {
        return Err(invalid(
            path,
            format!("{k} classes (1 to {MAX_CLASSES} can be drawn)"),
        ));
    }
    if counts.len() != k || counts.iter().any(|r| r.len() != k) {
        return Err(invalid(
            path,
            format!("the counts are not a {k}x{k} matrix"),
        ));
    }
    let cell = (560 / k as u32).clamp(14, 64);
    let (left, top) = (110u32, 70u32);
    let size = (left + k as u32 * cell + 30, top + k as u32 * cell + 80);
    render(&to, size, |root| -> DrawResult {
        root.fill(&WHITE)?;
        let center = Pos::new(HPos::Center, VPos::Center);
        let title_style = (FONT, 20).into_font().color(&BLACK).pos(center);
        root.draw(&Text::new(title, (size.0 as i32 / 2, 28), title_style))?;
        let label = |px: u32| (FONT, px).into_font().color(&BLACK).pos(center);
        let font_px = (cell / 3).clamp(9, 16);
        for (t, row) in counts.iter().enumerate() {
            let total = row.iter().sum::<u64>().max(1) as f64;
            for (p, &c) in row.iter().enumerate() {
                let share = c as f64 / total;
                let mix = |d: f64| (255.0 + share * (d - 255.0)).round() as u8;
                let fill = RGBColor(mix(DARK.0), mix(DARK.1), mix(DARK.2));
                let (x0, y0) = (
                    (left + p as u32 * cell) as i32,
                    (top + t as u32 * cell) as i32,
                );
                let (x1, y1) = (x0 + cell as i32, y0 + cell as i32);
                root.draw(&Rectangle::new([(x0, y0), (x1, y1)], fill.filled()))?;
                root.draw(&Rectangle::new(
                    [(x0, y0), (x1, y1)],
                    RGBColor(220, 220, 220),
                ))?;
                let ink = if share > 0.5 { WHITE } else { BLACK };
                let style = (FONT, font_px).into_font().color(&ink).pos(center);
                let mid = ((x0 + x1) / 2, (y0 + y1) / 2);
                root.draw(&Text::new(c.to_string(), mid, style))?;
            }
        }
        for (i, name) in names.iter().enumerate() {
            let c = (i as u32 * cell + cell / 2) as i32;
            root.draw(&Text::new(
                name.as_str(),
                (left as i32 - 14, top as i32 + c),
                label(15),
            ))?;
            let below = (top + k as u32 * cell + 14) as i32;
            root.draw(&Text::new(
                name.as_str(),
                (left as i32 + c, below),
                label(15),
            ))?;
        }
        let grid_mid = (k as u32 * cell / 2) as i32;
        let xdesc = (left as i32 + grid_mid, (top + k as u32 * cell + 44) as i32);
        root.draw(&Text::new("predicted class", xdesc, label(16)))?;
        root.draw(&Text::new(
            "true class",
            (46, top as i32 + grid_mid),
            label(16),
        ))?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::testutil::{check_png, has_color};

    #[test]
    fn draws_a_confusion_matrix_and_rejects_bad_shapes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.png");
        let names: Vec<String> = (0..3).map(|i| i.to_string()).collect();
        let counts = vec![vec![5, 1, 0], vec![0, 7, 2], vec![0, 0, 9]];
        confusion_matrix(&path, "t", &names, &counts).unwrap();
        // 3 cells of 64 px plus the margins (110 + 30 wide, 70 + 80 high).
        let img = check_png(&path, (332, 342));
        // A row whose count is all in one cell is drawn in the full blue.
        assert!(has_color(&img, RGBColor(31, 119, 180)));
        let bad = vec![vec![1, 2], vec![3, 4]];
        assert!(confusion_matrix(&path, "t", &names, &bad).is_err());
        assert!(confusion_matrix(&path, "t", &[], &[]).is_err());
    }
}
