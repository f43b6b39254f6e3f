//! Tests of the canvas: the coverage formula against exact areas, anti-aliased strokes measured
//! against the true line (and against plotters' aliased drawing, which fails the same checks),
//! joints painted once, text and rectangles drawn exactly as plotters draws them, and SVG
//! documents that are XML with their text as `<text>`.

use super::*;
use plotters::prelude::*;

const SIZE: (u32, u32) = (200, 60);

/// The buffer after drawing on a white canvas of [`SIZE`] (`smooth` or plotters' own drawing).
fn draw_on(smooth: bool, draw: impl Fn(&mut Canvas<'_>)) -> Vec<u8> {
    let mut buf = vec![255u8; 3 * (SIZE.0 * SIZE.1) as usize];
    {
        let mut c = if smooth {
            Canvas::raster(&mut buf, SIZE)
        } else {
            Canvas::aliased(&mut buf, SIZE)
        };
        draw(&mut c);
    }
    buf
}

/// Darkness 1 − grey/255 of pixel (x, y) of a grey image.
fn dark(buf: &[u8], x: u32, y: u32) -> f64 {
    1.0 - f64::from(buf[3 * (y * SIZE.0 + x) as usize]) / 255.0
}

/// `coverage(d, e)` is the length of [d − ½, d + ½] inside the band [−e, e] (a unit pixel cut by
/// edges parallel to its sides), computed here by dense sampling; equal within the sampling
/// step 1e-4. Dropping the ½ (the edge through the pixel centre at d = e) fails by 0.5.
#[test]
fn coverage_is_the_covered_fraction_of_a_pixel() {
    let n = 10_000;
    for e in [0.5, 1.0, 1.5, 3.0] {
        for k in 0..=40 {
            let d = k as f64 * 0.1;
            let inside = (0..n)
                .filter(|i| (d - 0.5 + (*i as f64 + 0.5) / n as f64).abs() <= e)
                .count() as f64
                / n as f64;
            let c = coverage(d, e);
            assert!((c - inside).abs() <= 1e-4, "d {d} e {e}: {c} vs {inside}");
        }
    }
    let dropped_half = |d: f64, e: f64| (e - d).clamp(0.0, 1.0);
    assert!((dropped_half(1.0, 1.0) - coverage(1.0, 1.0)).abs() > 0.4);
}

/// A 1-pixel black line of slope 0.1 (the worst case for a staircase): in every column away from
/// the caps, the darkness-weighted centre row lies on the true line within 0.05 px RMS, the
/// column's total darkness is the line's vertical cross-section 1/cos θ within 0.03 (u8
/// rounding of two or three pixels), and the image has at least 20 grey levels. Plotters' own
/// drawing puts each column's one black pixel at the rounded row: its RMS error is near
/// 1/√12 ≈ 0.29 px and it has two levels, so it fails both checks.
#[test]
fn smooth_lines_are_centred_on_the_true_line() {
    let (a, b) = ((10, 20), (190, 38));
    let slope = f64::from(b.1 - a.1) / f64::from(b.0 - a.0);
    let line = |c: &mut Canvas<'_>| c.draw_line(a, b, &BLACK).unwrap();
    let measure = |buf: &[u8]| {
        let (mut err2, mut mass_err, mut n) = (0.0, 0.0f64, 0.0);
        for x in 20..180u32 {
            let w: Vec<f64> = (0..SIZE.1).map(|y| dark(buf, x, y)).collect();
            let total: f64 = w.iter().sum();
            let centre = w.iter().enumerate().map(|(y, v)| y as f64 * v).sum::<f64>() / total;
            let truth = f64::from(a.1) + (f64::from(x) - f64::from(a.0)) * slope;
            err2 += (centre - truth).powi(2);
            mass_err = mass_err.max((total - slope.hypot(1.0)).abs());
            n += 1.0;
        }
        let levels: std::collections::HashSet<u8> = buf.iter().copied().collect();
        ((err2 / n).sqrt(), mass_err, levels.len())
    };
    let (rms, mass_err, levels) = measure(&draw_on(true, line));
    assert!(rms < 0.05, "smooth RMS {rms}");
    assert!(mass_err < 0.03, "smooth column mass off by {mass_err}");
    assert!(levels >= 20, "smooth: {levels} grey levels");
    let (rms, _, levels) = measure(&draw_on(false, line));
    assert!(rms > 0.2, "aliased RMS {rms}");
    assert!(levels <= 2, "aliased: {levels} grey levels");
}

/// A half-transparent path is painted once where its segments meet: the joint pixel of a
/// straight two-segment path has the same shade as the middle of a segment (painting each
/// segment on its own would blend the joint twice, to 75 % instead of 50 %).
#[test]
fn path_joints_are_painted_once() {
    let half = BLACK.mix(0.5);
    let buf = draw_on(true, |c| {
        c.draw_path([(20, 30), (100, 30), (180, 30)], &half)
            .unwrap()
    });
    let (joint, middle) = (dark(&buf, 100, 30), dark(&buf, 60, 30));
    assert!((joint - middle).abs() < 1.0 / 255.0 + 1e-9, "{joint} vs {middle}");
    assert!((middle - 0.5).abs() < 1.0 / 255.0 + 1e-9, "{middle}");
}

/// Text, rectangles and axis-parallel 1-pixel lines are drawn pixel for pixel as plotters draws
/// them: the anti-aliasing leaves labels, frames and grid lines crisp.
#[test]
fn text_frames_and_grid_lines_are_unchanged() {
    super::super::ensure_font().unwrap();
    let draw = |c: &mut Canvas<'_>| {
        let style = TextStyle::from((super::super::FONT, 18).into_font()).color(&BLACK);
        c.draw_text("loss 0.123 → AUROC", &style, (10, 10)).unwrap();
        c.draw_rect((5, 40), (60, 55), &RGBColor(200, 30, 30), false)
            .unwrap();
        c.draw_line((70, 50), (190, 50), &RGBColor(215, 215, 215))
            .unwrap();
        c.draw_line((195, 5), (195, 55), &BLACK).unwrap();
    };
    let (smooth, plain) = (draw_on(true, draw), draw_on(false, draw));
    assert!(smooth.iter().any(|&v| v < 128), "the text was drawn");
    assert!(smooth == plain, "same pixels");
}

/// Discs keep their area: the total darkness of a filled disc of radius 5 is π·5² within 2 %
/// (the coverage estimate at a curved edge), where plotters' aliased disc differs by more.
#[test]
fn discs_have_the_area_of_their_radius() {
    let disc = |c: &mut Canvas<'_>| c.draw_circle((100, 30), 5, &BLACK, true).unwrap();
    let mass = |buf: &[u8]| -> f64 {
        (0..SIZE.1)
            .flat_map(|y| (0..SIZE.0).map(move |x| (x, y)))
            .map(|(x, y)| dark(buf, x, y))
            .sum()
    };
    let area = std::f64::consts::PI * 25.0;
    let smooth = mass(&draw_on(true, disc));
    assert!((smooth / area - 1.0).abs() < 0.02, "{smooth} vs {area}");
}

/// An SVG canvas writes a document that parses as XML, with the text as a `<text>` element
/// holding the string and the line as a vector element, not as pixels.
#[test]
fn svg_documents_are_xml_with_text_elements() {
    let mut doc = String::new();
    {
        let root = Canvas::svg(&mut doc, (300, 100)).into_drawing_area();
        root.fill(&WHITE).unwrap();
        let style = (super::super::FONT, 20).into_font().color(&BLACK);
        root.draw(&Text::new("a < b & c", (10, 10), style))
            .unwrap();
        root.draw(&PathElement::new([(0, 90), (300, 10)], BLACK.stroke_width(2)))
            .unwrap();
        root.present().unwrap();
    }
    let texts = super::super::testutil::svg_texts(doc.as_bytes());
    assert_eq!(texts, ["a < b & c"]);
    assert!(doc.contains("<polyline") || doc.contains("<line"), "{doc}");
    assert!(!doc.contains("width=\"1\" height=\"1\""), "no pixel rectangles");
}
