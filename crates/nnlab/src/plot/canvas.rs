//! [`Canvas`]: the one drawing backend every figure is drawn on: either an RGB raster (plotters'
//! `BitMapBackend` over a buffer in memory) whose lines, paths and circles are drawn
//! anti-aliased, or an SVG document (plotters' `SVGBackend`, text as `<text>` elements).
//!
//! On the raster, text, rectangles, polygons and single pixels pass through to the bitmap
//! backend unchanged, so labels and images are exactly as crisp as without anti-aliasing; only
//! strokes and dots are drawn by coverage ([`coverage`]).

use plotters::backend::{BitMapBackend, SVGBackend};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

/// A drawing error of either backend, as text.
#[derive(Debug)]
pub struct CanvasError(String);

impl std::fmt::Display for CanvasError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CanvasError {}

/// The backend of every figure: an anti-aliased raster or an SVG document.
pub enum Canvas<'a> {
    /// RGB pixels, row-major; `smooth` = strokes and dots drawn anti-aliased.
    Raster {
        inner: BitMapBackend<'a>,
        smooth: bool,
    },
    /// An SVG document written into a string.
    Svg(SVGBackend<'a>),
}

impl<'a> Canvas<'a> {
    /// An anti-aliased raster canvas over `buf` (`3 * width * height` bytes, RGB).
    pub fn raster(buf: &'a mut [u8], size: (u32, u32)) -> Self {
        Canvas::Raster {
            inner: BitMapBackend::with_buffer(buf, size),
            smooth: true,
        }
    }

    /// A raster canvas drawn as plotters draws it, without anti-aliasing (for comparisons).
    #[cfg(test)]
    pub fn aliased(buf: &'a mut [u8], size: (u32, u32)) -> Self {
        Canvas::Raster {
            inner: BitMapBackend::with_buffer(buf, size),
            smooth: false,
        }
    }

    /// An SVG canvas writing its document into `doc`.
    pub fn svg(doc: &'a mut String, size: (u32, u32)) -> Self {
        Canvas::Svg(SVGBackend::with_string(doc, size))
    }
}

type Res<T = ()> = Result<T, DrawingErrorKind<CanvasError>>;

/// A backend's result with its error turned into a [`CanvasError`].
fn lift<T, E: std::error::Error + Send + Sync>(r: Result<T, DrawingErrorKind<E>>) -> Res<T> {
    r.map_err(|e| match e {
        DrawingErrorKind::DrawingError(e) => {
            DrawingErrorKind::DrawingError(CanvasError(e.to_string()))
        }
        DrawingErrorKind::FontError(f) => DrawingErrorKind::FontError(f),
    })
}

/// Runs `$call` on whichever backend `$canvas` holds, bound to `$b`.
macro_rules! each {
    ($canvas:expr, $b:ident => $call:expr) => {
        match $canvas {
            Canvas::Raster { inner: $b, .. } => lift($call),
            Canvas::Svg($b) => lift($call),
        }
    };
}

impl DrawingBackend for Canvas<'_> {
    type ErrorType = CanvasError;

    fn get_size(&self) -> (u32, u32) {
        match self {
            Canvas::Raster { inner, .. } => inner.get_size(),
            Canvas::Svg(b) => b.get_size(),
        }
    }

    fn ensure_prepared(&mut self) -> Res {
        each!(self, b => b.ensure_prepared())
    }

    fn present(&mut self) -> Res {
        each!(self, b => b.present())
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Res {
        each!(self, b => b.draw_pixel(point, color))
    }

    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, s: &S) -> Res {
        match self {
            Canvas::Raster {
                inner,
                smooth: true,
            } => lift(stroke(inner, &[from, to], s.color(), s.stroke_width())),
            other => each!(other, b => b.draw_line(from, to, s)),
        }
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Res {
        each!(self, b => b.draw_rect(upper_left, bottom_right, style, fill))
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        s: &S,
    ) -> Res {
        match self {
            Canvas::Raster {
                inner,
                smooth: true,
            } => {
                let points: Vec<BackendCoord> = path.into_iter().collect();
                lift(stroke(inner, &points, s.color(), s.stroke_width()))
            }
            other => each!(other, b => b.draw_path(path, s)),
        }
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        s: &S,
        fill: bool,
    ) -> Res {
        match self {
            Canvas::Raster {
                inner,
                smooth: true,
            } => lift(dot(
                inner,
                center,
                radius,
                s.color(),
                s.stroke_width(),
                fill,
            )),
            other => each!(other, b => b.draw_circle(center, radius, s, fill)),
        }
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Res {
        each!(self, b => b.fill_polygon(vert, style))
    }

    fn draw_text<T: BackendTextStyle>(&mut self, text: &str, style: &T, pos: BackendCoord) -> Res {
        each!(self, b => b.draw_text(text, style, pos))
    }

    fn estimate_text_size<T: BackendTextStyle>(&self, text: &str, style: &T) -> Res<(u32, u32)> {
        each!(self, b => b.estimate_text_size(text, style))
    }

    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Res {
        each!(self, b => b.blit_bitmap(pos, size, src))
    }
}

/// The fraction of a pixel covered by a shape whose edge lies at distance `edge` from the
/// shape's centre line (or centre point), for a pixel centre at distance `d` from it:
/// `clamp(edge + ½ − d, 0, 1)`.
///
/// This is the exact area of a unit pixel cut by a straight edge parallel to a pixel side (the
/// edge crosses the pixel between `d − ½` and `d + ½`), and the usual first-order estimate
/// for edges at other angles and for curved edges whose radius is large next to a pixel. A
/// stroke of width `w` has `edge = w / 2`, so a pixel centred on it is fully covered and the
/// coverages across it sum to `w`: the curve keeps its weight while its staircase becomes
/// intermediate shades.
pub(crate) fn coverage(d: f64, edge: f64) -> f64 {
    (edge + 0.5 - d).clamp(0.0, 1.0)
}

/// The distance from point `p` to the segment from `a` to `b`.
fn to_segment(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (p.0 - a.0 - t * dx).hypot(p.1 - a.1 - t * dy)
}

/// Per-pixel coverage of one shape over a window of the canvas; overlapping parts of the shape
/// (the joints of a path) take the larger coverage, so they are not painted twice.
struct Coverage {
    x0: i64,
    y0: i64,
    w: i64,
    h: i64,
    cov: Vec<f32>,
}

impl Coverage {
    /// The window of canvas `size` around the points `pts` grown by `reach` pixels; `None` if
    /// it misses the canvas.
    fn around(size: (u32, u32), pts: &[(f64, f64)], reach: f64) -> Option<Self> {
        let lo = |f: fn(&(f64, f64)) -> f64| pts.iter().map(f).fold(f64::INFINITY, f64::min);
        let hi = |f: fn(&(f64, f64)) -> f64| pts.iter().map(f).fold(f64::NEG_INFINITY, f64::max);
        let clip = |v: f64, n: u32| v.clamp(-1.0, f64::from(n)) as i64;
        let (x0, x1) = (
            clip((lo(|p| p.0) - reach).floor(), size.0).max(0),
            clip((hi(|p| p.0) + reach).ceil(), size.0).min(i64::from(size.0) - 1),
        );
        let (y0, y1) = (
            clip((lo(|p| p.1) - reach).floor(), size.1).max(0),
            clip((hi(|p| p.1) + reach).ceil(), size.1).min(i64::from(size.1) - 1),
        );
        if x1 < x0 || y1 < y0 {
            return None;
        }
        let (w, h) = (x1 - x0 + 1, y1 - y0 + 1);
        Some(Self {
            x0,
            y0,
            w,
            h,
            cov: vec![0.0; (w * h) as usize],
        })
    }

    /// Raises the coverage of pixel (x, y) to `c` (pixels outside the window are ignored).
    fn add(&mut self, x: i64, y: i64, c: f64) {
        let (i, j) = (x - self.x0, y - self.y0);
        if c > 0.0 && (0..self.w).contains(&i) && (0..self.h).contains(&j) {
            let k = (j * self.w + i) as usize;
            self.cov[k] = self.cov[k].max(c as f32);
        }
    }

    /// Adds the stroke from `a` to `b` whose edge lies `edge` from it. Pixels are visited along
    /// the major axis, in the band where the coverage can be non-zero.
    fn segment(&mut self, a: (f64, f64), b: (f64, f64), edge: f64) {
        let reach = edge + 0.5;
        let steep = (b.1 - a.1).abs() > (b.0 - a.0).abs();
        let swap = |p: (f64, f64)| if steep { (p.1, p.0) } else { p };
        let ((au, av), (bu, bv)) = (swap(a), swap(b));
        let slope = if bu != au { (bv - av) / (bu - au) } else { 0.0 };
        let half = reach * slope.hypot(1.0);
        let (u_lo, u_hi) = (au.min(bu), au.max(bu));
        let (u_end, v_end) = if steep {
            (self.y0 + self.h, self.x0 + self.w)
        } else {
            (self.x0 + self.w, self.y0 + self.h)
        };
        let (u_start, v_start) = if steep {
            (self.y0, self.x0)
        } else {
            (self.x0, self.y0)
        };
        let u_first = ((u_lo - reach).floor() as i64).max(u_start);
        let u_last = ((u_hi + reach).ceil() as i64).min(u_end - 1);
        for u in u_first..=u_last {
            let uc = (u as f64).clamp(u_lo, u_hi);
            let vc = av + (uc - au) * slope;
            let v_first = ((vc - half).floor() as i64).max(v_start);
            let v_last = ((vc + half).ceil() as i64).min(v_end - 1);
            for v in v_first..=v_last {
                let (x, y) = if steep { (v, u) } else { (u, v) };
                let d = to_segment((x as f64, y as f64), a, b);
                self.add(x, y, coverage(d, edge));
            }
        }
    }

    /// Blends `color` into the canvas, each pixel at its coverage times the colour's alpha.
    fn paint(&self, back: &mut BitMapBackend<'_>, color: BackendColor) -> Result<(), DrawErr> {
        for (k, &c) in self.cov.iter().enumerate() {
            if c > 0.0 {
                let (i, j) = (k as i64 % self.w, k as i64 / self.w);
                let px = BackendColor {
                    alpha: color.alpha * f64::from(c),
                    rgb: color.rgb,
                };
                back.draw_pixel(((self.x0 + i) as i32, (self.y0 + j) as i32), px)?;
            }
        }
        Ok(())
    }
}

type DrawErr = DrawingErrorKind<<BitMapBackend<'static> as DrawingBackend>::ErrorType>;

/// Draws the polyline `points` of `width` pixels anti-aliased (round joins and caps).
fn stroke(
    back: &mut BitMapBackend<'_>,
    points: &[BackendCoord],
    color: BackendColor,
    width: u32,
) -> Result<(), DrawErr> {
    if color.alpha <= 0.0 || width == 0 || points.len() < 2 {
        return Ok(());
    }
    let edge = f64::from(width) / 2.0;
    let pts: Vec<(f64, f64)> = points
        .iter()
        .map(|&(x, y)| (f64::from(x), f64::from(y)))
        .collect();
    let Some(mut cov) = Coverage::around(back.get_size(), &pts, edge + 1.0) else {
        return Ok(());
    };
    for seg in pts.windows(2) {
        cov.segment(seg[0], seg[1], edge);
    }
    cov.paint(back, color)
}

/// Draws a disc (`fill`) or a ring of `width` pixels of `radius` around `center`, anti-aliased.
fn dot(
    back: &mut BitMapBackend<'_>,
    center: BackendCoord,
    radius: u32,
    color: BackendColor,
    width: u32,
    fill: bool,
) -> Result<(), DrawErr> {
    let c = (f64::from(center.0), f64::from(center.1));
    let r = f64::from(radius);
    let w = f64::from(width.max(1));
    if color.alpha <= 0.0 {
        return Ok(());
    }
    let Some(mut cov) = Coverage::around(back.get_size(), &[c], r + w + 1.0) else {
        return Ok(());
    };
    for j in cov.y0..cov.y0 + cov.h {
        for i in cov.x0..cov.x0 + cov.w {
            let d = (i as f64 - c.0).hypot(j as f64 - c.1);
            let k = if fill {
                coverage(d, r)
            } else {
                coverage((d - r).abs(), w / 2.0)
            };
            cov.add(i, j, k);
        }
    }
    cov.paint(back, color)
}

#[cfg(test)]
#[path = "canvas_tests.rs"]
mod tests;
