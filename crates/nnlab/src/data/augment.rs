//! Augmentation that cannot leak into validation: random shifts and rotations are only available
//! on a [`TrainingPart`], and the only way to get one is [`split`], which sets the validation
//! images aside first. So no augmented copy of a validation image can ever be trained on.
//!
//! ```
//! use nnlab::data::Images;
//! use nnlab::data::augment::{Augment, split};
//! let images = Images {
//!     n: 10, rows: 4, cols: 4, pixels: vec![0.5; 160], labels: None, name: "toy".into(),
//! };
//! let (train, validation) = split(&images, 2, 7)?;
//! let train = train.augmented(&Augment::default(), 1);
//! assert_eq!((train.images().n, validation.n), (8 * 5, 2));
//! # Ok::<(), nnlab::data::DataError>(())
//! ```
//!
//! Images themselves have no augmentation method, so augmenting before the split does not
//! compile:
//!
//! ```compile_fail
//! use nnlab::data::Images;
//! use nnlab::data::augment::Augment;
//! let images = Images {
//!     n: 10, rows: 4, cols: 4, pixels: vec![0.5; 160], labels: None, name: "toy".into(),
//! };
//! let leaky = images.augmented(&Augment::default(), 1);
//! ```
//!
//! and a training part cannot be made from arbitrary images:
//!
//! ```compile_fail
//! use nnlab::data::Images;
//! use nnlab::data::augment::TrainingPart;
//! let images = Images {
//!     n: 10, rows: 4, cols: 4, pixels: vec![0.5; 160], labels: None, name: "toy".into(),
//! };
//! let leaky = TrainingPart { images };
//! ```

use super::{DataError, Images};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Random geometric augmentation: each copy of an image is shifted by whole pixels in
/// [−max_shift, max_shift] along each axis and rotated by an angle in
/// [−max_degrees, max_degrees] about its centre (uniform draws).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Augment {
    pub max_shift: usize,
    pub max_degrees: f64,
    /// Augmented copies per image (kept alongside the original).
    pub copies: usize,
}

impl Default for Augment {
    /// Small perturbations that keep a digit a digit: ±2 pixels, ±15°, 4 copies.
    fn default() -> Self {
        Self {
            max_shift: 2,
            max_degrees: 15.0,
            copies: 4,
        }
    }
}

/// The training part of a split: the only images that can be augmented.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainingPart {
    images: Images,
}

impl TrainingPart {
    /// The training images.
    pub fn images(&self) -> &Images {
        &self.images
    }

    /// The training images, owned.
    pub fn into_images(self) -> Images {
        self.images
    }

    /// The originals followed by `aug.copies` augmented copies of each (labels copied), drawn
    /// from a generator seeded with `seed`.
    pub fn augmented(&self, aug: &Augment, seed: u64) -> TrainingPart {
        TrainingPart {
            images: augment_images(&self.images, aug, seed),
        }
    }
}

/// Splits `images` into a training part and `n_val` validation images by
/// [`Images::train_val_split`] (seeded, disjoint); augmentation is possible on the training
/// part only.
pub fn split(
    images: &Images,
    n_val: usize,
    seed: u64,
) -> Result<(TrainingPart, Images), DataError> {
    let (train, val) = images.train_val_split(n_val, seed)?;
    Ok((TrainingPart { images: train }, val))
}

/// The originals followed by `aug.copies` augmented copies of each image. Crate-private: the
/// public route is [`TrainingPart::augmented`]; the leak study uses this to show what goes
/// wrong without it.
pub(crate) fn augment_images(images: &Images, aug: &Augment, seed: u64) -> Images {
    let mut rng = StdRng::seed_from_u64(seed);
    let (r, c) = (images.rows, images.cols);
    let mut pixels = images.pixels.clone();
    pixels.reserve(images.pixels.len() * aug.copies);
    let mut labels = images.labels.clone();
    let s = aug.max_shift as i64;
    for _ in 0..aug.copies {
        for i in 0..images.n {
            let dy = rng.random_range(-s..=s) as f64;
            let dx = rng.random_range(-s..=s) as f64;
            let deg = aug.max_degrees * (2.0 * rng.random::<f64>() - 1.0);
            pixels.extend(shift_rotate(
                images.image(i),
                r,
                c,
                dy,
                dx,
                deg.to_radians(),
            ));
            if let (Some(l), Some(src)) = (labels.as_mut(), images.labels.as_ref()) {
                l.push(src[i]);
            }
        }
    }
    Images {
        n: images.n * (1 + aug.copies),
        rows: r,
        cols: c,
        pixels,
        labels,
        name: format!("{} [augmented ×{}]", images.name, 1 + aug.copies),
    }
}

/// The image rotated by `angle` (radians, counter-clockwise on screen) about its centre
/// ((rows − 1)/2, (cols − 1)/2) and then shifted by (dy, dx) pixels: output pixel p takes the
/// bilinear interpolation of the input at R(−angle)(p − centre − shift) + centre, 0 outside.
pub(crate) fn shift_rotate(
    img: &[f32],
    rows: usize,
    cols: usize,
    dy: f64,
    dx: f64,
    angle: f64,
) -> Vec<f32> {
    let (cy, cx) = ((rows as f64 - 1.0) / 2.0, (cols as f64 - 1.0) / 2.0);
    let (sin, cos) = angle.sin_cos();
    let at = |y: i64, x: i64| -> f64 {
        if y < 0 || x < 0 || y >= rows as i64 || x >= cols as i64 {
            0.0
        } else {
            f64::from(img[y as usize * cols + x as usize])
        }
    };
    let mut out = Vec::with_capacity(rows * cols);
    for y in 0..rows {
        for x in 0..cols {
            let (py, px) = (y as f64 - cy - dy, x as f64 - cx - dx);
            // Inverse rotation (screen y points down, so the signs of sin flip).
            let sy = cos * py + sin * px + cy;
            let sx = -sin * py + cos * px + cx;
            let (y0, x0) = (sy.floor(), sx.floor());
            let (fy, fx) = (sy - y0, sx - x0);
            let (y0, x0) = (y0 as i64, x0 as i64);
            let v = (1.0 - fy) * ((1.0 - fx) * at(y0, x0) + fx * at(y0, x0 + 1))
                + fy * ((1.0 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
            out.push(v.clamp(0.0, 1.0) as f32);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(rows: usize, cols: usize) -> Vec<f32> {
        (0..rows * cols)
            .map(|i| i as f32 / (rows * cols) as f32)
            .collect()
    }

    #[test]
    fn zero_transform_is_the_identity_and_shifts_move_pixels() {
        let img = ramp(5, 6);
        assert_eq!(shift_rotate(&img, 5, 6, 0.0, 0.0, 0.0), img);
        // Shift down 1, right 2: out[y][x] = in[y-1][x-2], zero where that is outside.
        let s = shift_rotate(&img, 5, 6, 1.0, 2.0, 0.0);
        for y in 0..5 {
            for x in 0..6 {
                let want = if y >= 1 && x >= 2 {
                    img[(y - 1) * 6 + x - 2]
                } else {
                    0.0
                };
                assert!((s[y * 6 + x] - want).abs() < 1e-6, "({y}, {x})");
            }
        }
    }

    #[test]
    fn quarter_turn_permutes_pixels_exactly() {
        // 90° about the centre of a square maps integer pixels onto integer pixels, so the
        // bilinear weights are 0/1 and four quarter turns give the image back (to 1e-6, the
        // rounding of sin(π/2) = 1 and cos(π/2) ≈ 6e-17).
        let img = ramp(5, 5);
        let q = std::f64::consts::FRAC_PI_2;
        let once = shift_rotate(&img, 5, 5, 0.0, 0.0, q);
        assert_ne!(once, img);
        let mut sorted_once = once.clone();
        let mut sorted_img = img.clone();
        sorted_once.sort_by(f32::total_cmp);
        sorted_img.sort_by(f32::total_cmp);
        assert!(
            sorted_once
                .iter()
                .zip(&sorted_img)
                .all(|(a, b)| (a - b).abs() < 1e-6)
        );
        let mut back = img.clone();
        for _ in 0..4 {
            back = shift_rotate(&back, 5, 5, 0.0, 0.0, q);
        }
        assert!(back.iter().zip(&img).all(|(a, b)| (a - b).abs() < 1e-6));
    }

    #[test]
    fn split_then_augment_keeps_validation_out_of_training() {
        let n = 20;
        let images = Images {
            n,
            rows: 4,
            cols: 4,
            // Image i is constant i/20: every copy of it keeps (nearly) the value of its source.
            pixels: (0..n * 16).map(|p| (p / 16) as f32 / n as f32).collect(),
            labels: Some((0..n as u8).collect()),
            name: "toy".into(),
        };
        let (train, val) = split(&images, 5, 3).unwrap();
        let aug = Augment {
            max_shift: 0,
            max_degrees: 0.0,
            copies: 2,
        };
        let train = train.augmented(&aug, 9);
        let t = train.images();
        assert_eq!(t.n, 15 * 3);
        let val_labels = val.labels.as_ref().unwrap();
        for l in t.labels.as_ref().unwrap() {
            assert!(
                !val_labels.contains(l),
                "label {l} of a validation image is in training"
            );
        }
        // Same seed, same copies.
        let again = split(&images, 5, 3).unwrap().0.augmented(&aug, 9);
        assert_eq!(&again, &train);
    }
}
