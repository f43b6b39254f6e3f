//! Signed images on a diverging colormap (blue < 0, white = 0, red > 0), such as the rows of a
//! linear classifier's weight matrix shown as images.

use super::{DrawResult, FONT, PlotError, Target, fmt_num, invalid, render_on};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Images per row of the figure.
const PER_ROW: usize = 5;
/// Space around images, and the heights of the title and caption bands, in pixels.
const GAP: u32 = 12;
const TITLE_H: u32 = 50;
const CAPTION_H: u32 = 24;
/// Ends of the colormap (ColorBrewer RdBu): negative, positive.
const NEG: (f64, f64, f64) = (33.0, 102.0, 172.0);
const POS: (f64, f64, f64) = (178.0, 24.0, 43.0);

/// The colour of t ∈ [−1, 1]: white at 0, blending linearly to blue at −1 and red at +1.
pub(crate) fn diverging(t: f64) -> [u8; 3] {
    let t = t.clamp(-1.0, 1.0);
    let end = if t < 0.0 { NEG } else { POS };
    let a = t.abs();
    let mix = |e: f64| (255.0 + a * (e - 255.0)).round() as u8;
    [mix(end.0), mix(end.1), mix(end.2)]
}

/// Draws captioned `rows`×`cols` images (row-major values of any sign) under `title`, five to a
/// row, scaled 3× for 28×28. One symmetric scale ±m, m = the largest |value| of all images, maps
/// every image to the colormap (so images compare); the title states m.
///
/// # Errors
/// [`PlotError::InvalidInput`] if there are no images, the size is empty or larger than
/// 256×256, an image does not have `rows * cols` values or has a non-finite one; otherwise
/// drawing or writing errors. All name `path`.
pub fn signed_images(
    to: impl Into<Target>,
    title: &str,
    images: &[(String, &[f32])],
    rows: usize,
    cols: usize,
) -> Result<(), PlotError> {
    let to: Target = to.into();
    let path = to.path();
    if images.is_empty() {
        return Err(invalid(path, "no images given"));
    }
    if rows == 0 || cols == 0 || rows > 256 || cols > 256 {
        return Err(invalid(
            path,
            format!("image size {rows}x{cols} (1 to 256 a side)"),
        ));
    }
    for (name, img) in images {
        if img.len() != rows * cols {
            return Err(invalid(
                path,
                format!("image '{name}' has {} values, not {rows}x{cols}", img.len()),
            ));
        }
        if img.iter().any(|v| !v.is_finite()) {
            return Err(invalid(
                path,
                format!("image '{name}' has a non-finite value"),
            ));
        }
    }
    let m = images
        .iter()
        .flat_map(|(_, img)| img.iter())
        .fold(0.0f64, |m, &v| m.max(f64::from(v).abs()));
    let scale = (84 / rows.max(cols)).clamp(1, 6) as u32;
    let (cw, ch) = (cols as u32 * scale, rows as u32 * scale);
    let per_row = images.len().min(PER_ROW) as u32;
    let grid_rows = images.len().div_ceil(PER_ROW) as u32;
    let width = (GAP + per_row * (cw + GAP)).max(420);
    let height = TITLE_H + grid_rows * (ch + CAPTION_H + GAP) + GAP;
    let origin = |i: usize| {
        let (r, c) = ((i / PER_ROW) as u32, (i % PER_ROW) as u32);
        (GAP + c * (cw + GAP), TITLE_H + r * (ch + CAPTION_H + GAP))
    };
    let prefill = |buf: &mut [u8]| {
        for (i, (_, img)) in images.iter().enumerate() {
            let (x0, y0) = origin(i);
            for y in 0..ch {
                for x in 0..cw {
                    let v = f64::from(img[(y / scale) as usize * cols + (x / scale) as usize]);
                    let t = if m > 0.0 { v / m } else { 0.0 };
                    let at = 3 * ((y0 + y) as usize * width as usize + (x0 + x) as usize);
                    buf[at..at + 3].copy_from_slice(&diverging(t));
                }
            }
        }
    };
    let full_title = format!("{title}; scale ±{}", fmt_num(m));
    render_on(&to, (width, height), prefill, |root| -> DrawResult {
        let center = Pos::new(HPos::Center, VPos::Center);
        let style = (FONT, 20).into_font().color(&BLACK).pos(center);
        root.draw(&Text::new(
            full_title.as_str(),
            (width as i32 / 2, 25),
            style,
        ))?;
        for (i, (name, _)) in images.iter().enumerate() {
            let (x0, y0) = origin(i);
            let frame = [
                (x0 as i32 - 1, y0 as i32 - 1),
                ((x0 + cw) as i32, (y0 + ch) as i32),
            ];
            root.draw(&Rectangle::new(frame, RGBColor(200, 200, 200)))?;
            let style = (FONT, 15).into_font().color(&BLACK).pos(center);
            let at = ((x0 + cw / 2) as i32, (y0 + ch + CAPTION_H / 2) as i32);
            root.draw(&Text::new(name.as_str(), at, style))?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::testutil::{check_png, has_color};

    #[test]
    fn colormap_ends_and_middle() {
        assert_eq!(diverging(0.0), [255, 255, 255]);
        assert_eq!(diverging(-1.0), [33, 102, 172]);
        assert_eq!(diverging(1.0), [178, 24, 43]);
        assert_eq!(diverging(7.0), diverging(1.0));
    }

    #[test]
    fn draws_signed_images_on_one_symmetric_scale() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.png");
        let a: Vec<f32> = (0..16).map(|i| i as f32 - 8.0).collect(); // -8 .. 7
        let b = [0.5f32; 16];
        let images = vec![("a".to_string(), &a[..]), ("b".to_string(), &b[..])];
        signed_images(&path, "t", &images, 4, 4).unwrap();
        // 4x4 images are drawn at 6x: 24 px; the width is at least 420.
        let img = check_png(&path, (420, 50 + 24 + 24 + 12 + 12));
        // The most negative value (-8 = -m) is the full blue.
        assert!(has_color(&img, RGBColor(33, 102, 172)));
        let bad = vec![("a".to_string(), &a[..3])];
        assert!(signed_images(&path, "t", &bad, 4, 4).is_err());
        let nan = [f32::NAN; 16];
        assert!(signed_images(&path, "t", &[("n".into(), &nan[..])], 4, 4).is_err());
    }
}
