//! Grids of grayscale images: one labelled row per group, each image optionally captioned.

use super::{DrawResult, FONT, PlotError, Target, ensure_font, invalid, render_on};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A grid of grayscale images: each row has a label drawn at its left and a list of images
/// (each `rows*cols` f32 in `[0, 1]`, row-major); images scaled up (e.g. 3x) with a small gap; optional caption under each image (e.g. the score).
pub struct GridRow<'a> {
    pub label: String,
    pub images: Vec<&'a [f32]>,
    /// Captions for the first `captions.len()` images (at most one per image; may be empty).
    pub captions: Vec<String>,
}

/// Space between images and around the grid, in pixels.
const GAP: u32 = 8;
/// Height of the title band.
const TITLE_H: u32 = 40;
/// Height of the caption band under each image row (when any row has captions).
const CAPTION_H: u32 = 20;
/// Largest figure side, in pixels.
const MAX_SIDE: u32 = 16_384;

/// Draws the rows of images under `title`, writing a PNG to `path`.
///
/// Each pixel value is clamped to [0, 1] and drawn as gray (0 black, 1 white); images are scaled
/// by an integer factor (3× for 28×28 images, between 1× and 6× in general) and framed in light
/// gray. The figure's size follows from the number of rows, the longest row and the labels.
///
/// # Errors
/// [`PlotError::InvalidInput`] if `rows` is empty, `img_rows` or `img_cols` is 0, an image does
/// not have `img_rows * img_cols` values or has a non-finite one, a row has more captions than
/// images (each naming the row by its label), or the figure would exceed 16 384 pixels a side;
/// otherwise drawing or writing errors. All name `path`.
pub fn image_grid(
    to: impl Into<Target>,
    title: &str,
    rows: &[GridRow],
    img_rows: usize,
    img_cols: usize,
) -> Result<(), PlotError> {
    let to: Target = to.into();
    let path = to.path();
    if rows.is_empty() {
        return Err(invalid(path, "no image rows given"));
    }
    if img_rows == 0 || img_cols == 0 {
        return Err(invalid(
            path,
            format!("image size {img_rows}x{img_cols} is empty"),
        ));
    }
    let n = img_rows * img_cols;
    for row in rows {
        for (j, img) in row.images.iter().enumerate() {
            if img.len() != n {
                return Err(invalid(
                    path,
                    format!(
                        "row '{}' image {j}: expected {img_rows}x{img_cols} = {n} values, got {}",
                        row.label,
                        img.len()
                    ),
                ));
            }
            if img.iter().any(|v| !v.is_finite()) {
                return Err(invalid(
                    path,
                    format!("row '{}' image {j} has a non-finite pixel", row.label),
                ));
            }
        }
        if row.captions.len() > row.images.len() {
            return Err(invalid(
                path,
                format!(
                    "row '{}' has {} captions for {} images",
                    row.label,
                    row.captions.len(),
                    row.images.len()
                ),
            ));
        }
    }

    ensure_font().map_err(|message| PlotError::Draw {
        path: path.to_path_buf(),
        message,
    })?;
    let label_font = (FONT, 16).into_font();
    let title_font = (FONT, 20).into_font();
    let text_width = |font: &FontDesc, s: &str| font.box_size(s).map(|(w, _)| w).unwrap_or(0);

    let too_big = || {
        invalid(
            path,
            format!("the grid would exceed {MAX_SIDE} pixels a side"),
        )
    };
    let scale = (84 / img_rows.max(img_cols)).clamp(1, 6) as u32;
    let side = |k: usize| u32::try_from(k).ok().and_then(|k| k.checked_mul(scale));
    let (cell_w, cell_h) = (
        side(img_cols).ok_or_else(too_big)?,
        side(img_rows).ok_or_else(too_big)?,
    );
    let caption_h = if rows
        .iter()
        .any(|r| r.captions.iter().any(|c| !c.is_empty()))
    {
        CAPTION_H
    } else {
        0
    };
    let label_w = rows
        .iter()
        .map(|r| text_width(&label_font, &r.label))
        .max()
        .unwrap_or(0)
        + 2 * GAP;
    let most = rows.iter().map(|r| r.images.len()).max().unwrap_or(0) as u64;
    let width = (label_w as u64 + most * (cell_w + GAP) as u64 + GAP as u64)
        .max(text_width(&title_font, title) as u64 + 2 * GAP as u64)
        .max(200);
    let row_h = cell_h + caption_h + GAP;
    let height = TITLE_H as u64 + rows.len() as u64 * row_h as u64 + GAP as u64;
    if width > MAX_SIDE as u64 || height > MAX_SIDE as u64 {
        return Err(too_big());
    }
    let (width, height) = (width as u32, height as u32);
    let origin = |r: usize, j: usize| {
        let x = label_w + j as u32 * (cell_w + GAP);
        (x, TITLE_H + r as u32 * row_h)
    };

    let prefill = |buf: &mut [u8]| {
        let stride = 3 * width as usize;
        for (r, row) in rows.iter().enumerate() {
            for (j, img) in row.images.iter().enumerate() {
                let (x0, y0) = origin(r, j);
                for (k, &v) in img.iter().enumerate() {
                    let g = (v.clamp(0.0, 1.0) * 255.0).round() as u8;
                    let (px, py) = ((k % img_cols) as u32 * scale, (k / img_cols) as u32 * scale);
                    for dy in 0..scale {
                        let at = (y0 + py + dy) as usize * stride + 3 * (x0 + px) as usize;
                        buf[at..at + 3 * scale as usize].fill(g);
                    }
                }
            }
        }
    };

    render_on(&to, (width, height), prefill, |root| -> DrawResult {
        let centered_top = Pos::new(HPos::Center, VPos::Top);
        let title_style = TextStyle::from(title_font.clone()).pos(centered_top);
        root.draw(&Text::new(title, (width as i32 / 2, 10), title_style))?;
        let label_style =
            TextStyle::from(label_font.clone()).pos(Pos::new(HPos::Left, VPos::Center));
        let caption_style = TextStyle::from((FONT, 14).into_font()).pos(centered_top);
        let frame = RGBColor(190, 190, 190);
        for (r, row) in rows.iter().enumerate() {
            let (_, y0) = origin(r, 0);
            let mid = (y0 + cell_h / 2) as i32;
            root.draw(&Text::new(
                row.label.as_str(),
                (GAP as i32, mid),
                label_style.clone(),
            ))?;
            for j in 0..row.images.len() {
                let (x, y) = origin(r, j);
                let (x, y) = (x as i32, y as i32);
                let corners = [(x - 1, y - 1), (x + cell_w as i32, y + cell_h as i32)];
                root.draw(&Rectangle::new(corners, frame.stroke_width(1)))?;
                if let Some(c) = row.captions.get(j) {
                    let at = (x + cell_w as i32 / 2, y + cell_h as i32 + 4);
                    root.draw(&Text::new(c.as_str(), at, caption_style.clone()))?;
                }
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::testutil::{check_png, unwritable_path};

    /// A 28x28 test image: a diagonal gradient with a bright square.
    fn digit(shift: usize) -> Vec<f32> {
        (0..28 * 28)
            .map(|k| {
                let (r, c) = (k / 28, k % 28);
                let square = (8 + shift..16 + shift).contains(&r) && (10..18).contains(&c);
                if square { 1.0 } else { (r + c) as f32 / 80.0 }
            })
            .collect()
    }

    #[test]
    fn writes_a_labelled_grid() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("grid.png");
        let imgs: Vec<Vec<f32>> = (0..4).map(digit).collect();
        let rows = vec![
            GridRow {
                label: "inputs".into(),
                images: imgs.iter().map(Vec::as_slice).collect(),
                captions: vec!["0.012".into(), "0.034".into()],
            },
            GridRow {
                label: "reconstructions".into(),
                images: vec![&imgs[0]],
                captions: vec![],
            },
        ];
        image_grid(&path, "Worst reconstructions", &rows, 28, 28).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let img = crate::plot::png::decode_rgb(&bytes).unwrap();
        // 4 images of 84 px, 8 px gaps, a label column, title and caption bands.
        assert_eq!(img.height, TITLE_H + 2 * (84 + CAPTION_H + GAP) + GAP);
        assert!(img.width > 4 * (84 + GAP));
        let img = check_png(&path, (img.width, img.height));
        // The bright square of the first image is white, its gradient corner black.
        let pixel = |x: u32, y: u32| &img.rgb[3 * (y * img.width + x) as usize..][..3];
        let (x0, y0) = (img.width - 4 * (84 + GAP) - GAP, TITLE_H); // first image origin
        assert_eq!(pixel(x0 + 1, y0 + 1), [0, 0, 0]);
        assert_eq!(pixel(x0 + 14 * 3, y0 + 12 * 3), [255, 255, 255]);
    }

    /// As SVG, the images are the backdrop (one embedded PNG `<image>`) and the labels and
    /// captions stay `<text>`.
    #[test]
    fn svg_grid_embeds_the_images_and_keeps_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("grid.svg");
        let img = digit(0);
        let rows = vec![GridRow {
            label: "inputs".into(),
            images: vec![&img],
            captions: vec!["0.5".into()],
        }];
        image_grid(&path, "Grid", &rows, 28, 28).unwrap();
        let texts = crate::plot::testutil::check_svg(&path);
        assert_eq!(texts, ["Grid", "inputs", "0.5"]);
        let doc = std::fs::read_to_string(&path).unwrap();
        assert_eq!(doc.matches("<image ").count(), 1);
        assert!(doc.contains("href=\"data:image/png;base64,iVBORw0KGgo"));
        assert!(!dir.path().join("grid.png").exists());
    }

    #[test]
    fn mismatched_image_names_the_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.png");
        let good = digit(0);
        let short = vec![0.5f32; 27 * 28];
        let rows = vec![
            GridRow {
                label: "fine".into(),
                images: vec![&good],
                captions: vec![],
            },
            GridRow {
                label: "broken row".into(),
                images: vec![&good, &short],
                captions: vec![],
            },
        ];
        let err = image_grid(&path, "t", &rows, 28, 28).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, PlotError::InvalidInput { .. }), "{msg}");
        assert!(
            msg.contains("row 'broken row' image 1") && msg.contains("g.png"),
            "{msg}"
        );
        assert!(!path.exists());
    }

    #[test]
    fn rejects_other_bad_input() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.png");
        let err = image_grid(&path, "t", &[], 28, 28).unwrap_err();
        assert!(err.to_string().contains("no image rows"), "{err}");
        let img = [0.0f32; 4];
        let rows = vec![GridRow {
            label: "r".into(),
            images: vec![&img],
            captions: vec![],
        }];
        assert!(
            image_grid(&path, "t", &rows, 0, 4)
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        let nan = [0.0, f32::NAN, 0.0, 0.0];
        let rows = vec![GridRow {
            label: "nan row".into(),
            images: vec![&nan],
            captions: vec![],
        }];
        let err = image_grid(&path, "t", &rows, 2, 2).unwrap_err();
        assert!(
            err.to_string()
                .contains("row 'nan row' image 0 has a non-finite"),
            "{err}"
        );
        let rows = vec![GridRow {
            label: "c".into(),
            images: vec![&img],
            captions: vec!["a".into(), "b".into()],
        }];
        let err = image_grid(&path, "t", &rows, 2, 2).unwrap_err();
        assert!(
            err.to_string()
                .contains("row 'c' has 2 captions for 1 images"),
            "{err}"
        );
        let big = [0.0f32; 1];
        let rows = vec![GridRow {
            label: "wide".into(),
            images: vec![&big[..]; 3000],
            captions: vec![],
        }];
        let err = image_grid(&path, "t", &rows, 1, 1).unwrap_err();
        assert!(err.to_string().contains("exceed"), "{err}");
        assert!(!path.exists());
    }

    #[test]
    fn rows_without_images_and_unwritable_paths() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.png");
        let img = digit(2);
        let rows = vec![
            GridRow {
                label: "empty row".into(),
                images: vec![],
                captions: vec![],
            },
            GridRow {
                label: "one".into(),
                images: vec![&img],
                captions: vec!["0.5".into()],
            },
        ];
        image_grid(&path, "t", &rows, 28, 28).unwrap();
        check_png(&path, (200, TITLE_H + 2 * (84 + CAPTION_H + GAP) + GAP));
        let bad = unwritable_path(dir.path());
        let err = image_grid(&bad, "t", &rows, 28, 28).unwrap_err();
        assert!(matches!(err, PlotError::Io { .. }));
        assert!(
            err.to_string().contains(&bad.display().to_string()),
            "{err}"
        );
    }
}
