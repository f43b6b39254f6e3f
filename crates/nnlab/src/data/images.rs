//! Grey-scale image sets in memory: pixels as `f32` in [0, 1], optional labels, subsets, label
//! filters and seeded train/validation splits.
//!
//! Splits are made on whole images before any augmentation, so no copy of a validation image
//! can leak into training.

use std::path::Path;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::DataError;
use super::idx::{IdxArray, format_dims, read_idx};

/// `n` images of `rows × cols` pixels, row-major, with values `u8 / 255` in [0, 1].
#[derive(Debug, Clone, PartialEq)]
pub struct Images {
    pub n: usize,
    pub rows: usize,
    pub cols: usize,
    /// `n * rows * cols` values, image after image, each row-major.
    pub pixels: Vec<f32>,
    /// One label per image, when known.
    pub labels: Option<Vec<u8>>,
    /// A human description of where the images come from, e.g. `mnist:test`.
    pub name: String,
}

impl Images {
    /// Builds images from a 3-D IDX array (n × rows × cols) and optional 1-D labels with `n`
    /// entries. Error messages call the arrays "`name` images" and "`name` labels"; use
    /// [`Images::load_files`] to have them name the files.
    pub fn from_idx(
        images: IdxArray,
        labels: Option<IdxArray>,
        name: impl Into<String>,
    ) -> Result<Images, DataError> {
        let name = name.into();
        let images_origin = format!("{name} images");
        let labels_origin = format!("{name} labels");
        Self::from_idx_named(images, labels, name, &images_origin, &labels_origin)
    }

    /// Reads an IDX images file and an optional IDX labels file (raw or gzip) and checks that
    /// they agree. Errors name both files.
    pub fn load_files(
        images: &Path,
        labels: Option<&Path>,
        name: impl Into<String>,
    ) -> Result<Images, DataError> {
        let images_arr = read_idx(images)?;
        let labels_arr = labels.map(read_idx).transpose()?;
        let images_origin = images.display().to_string();
        let labels_origin = labels.map(|p| p.display().to_string()).unwrap_or_default();
        Self::from_idx_named(
            images_arr,
            labels_arr,
            name.into(),
            &images_origin,
            &labels_origin,
        )
    }

    pub(crate) fn from_idx_named(
        images: IdxArray,
        labels: Option<IdxArray>,
        name: String,
        images_origin: &str,
        labels_origin: &str,
    ) -> Result<Images, DataError> {
        let [n, rows, cols] = images.dims[..] else {
            return Err(DataError::Shape {
                origin: images_origin.to_string(),
                expected: "3-D images (n × rows × cols)".into(),
                found: format!(
                    "{}-D array {}",
                    images.dims.len(),
                    format_dims(&images.dims)
                ),
            });
        };
        if rows == 0 || cols == 0 {
            return Err(DataError::Shape {
                origin: images_origin.to_string(),
                expected: "images of at least 1 × 1 pixels".into(),
                found: format!("{rows} × {cols}"),
            });
        }
        let labels = match labels {
            None => None,
            Some(l) => {
                if l.dims.len() != 1 {
                    return Err(DataError::Shape {
                        origin: labels_origin.to_string(),
                        expected: "1-D labels (one per image)".into(),
                        found: format!("{}-D array {}", l.dims.len(), format_dims(&l.dims)),
                    });
                }
                if l.dims[0] != n {
                    return Err(DataError::LabelCount {
                        images: images_origin.to_string(),
                        labels: labels_origin.to_string(),
                        n_images: n,
                        n_labels: l.dims[0],
                    });
                }
                Some(l.data)
            }
        };
        let pixels = images.data.iter().map(|&b| b as f32 / 255.0).collect();
        Ok(Images {
            n,
            rows,
            cols,
            pixels,
            labels,
            name,
        })
    }

    /// Pixels per image, `rows * cols`.
    pub fn dim(&self) -> usize {
        self.rows * self.cols
    }

    /// The pixels of image `i`, row-major. Panics if `i >= n`.
    pub fn image(&self, i: usize) -> &[f32] {
        let d = self.dim();
        &self.pixels[i * d..(i + 1) * d]
    }

    /// The label of image `i`, when labels are known. Panics if `i >= n`.
    pub fn label(&self, i: usize) -> Option<u8> {
        self.labels.as_ref().map(|l| l[i])
    }

    /// The images at `indices`, in that order (repeats allowed), with the same name.
    /// Panics if an index is `>= n`, like slice indexing.
    pub fn subset(&self, indices: &[usize]) -> Images {
        let d = self.dim();
        let mut pixels = Vec::with_capacity(indices.len() * d);
        for &i in indices {
            pixels.extend_from_slice(self.image(i));
        }
        Images {
            n: indices.len(),
            rows: self.rows,
            cols: self.cols,
            pixels,
            labels: self
                .labels
                .as_ref()
                .map(|l| indices.iter().map(|&i| l[i]).collect()),
            name: self.name.clone(),
        }
    }

    /// The first `limit` images (all of them when `limit` is `None` or at least `n`).
    pub fn limited(self, limit: Option<usize>) -> Images {
        match limit {
            Some(l) if l < self.n => self.subset(&(0..l).collect::<Vec<_>>()),
            _ => self,
        }
    }

    /// The images whose label is in `keep`, in their original order. `name` becomes the new
    /// description. Errors when there are no labels or when nothing matches.
    pub fn with_labels(&self, keep: &[u8], name: impl Into<String>) -> Result<Images, DataError> {
        let filter = format_labels(keep);
        let Some(labels) = &self.labels else {
            return Err(DataError::NoLabels {
                origin: self.name.clone(),
                filter,
            });
        };
        let mut wanted = [false; 256];
        for &k in keep {
            wanted[k as usize] = true;
        }
        let indices: Vec<usize> = (0..self.n)
            .filter(|&i| wanted[labels[i] as usize])
            .collect();
        if indices.is_empty() {
            return Err(DataError::NoMatch {
                origin: self.name.clone(),
                filter,
            });
        }
        let mut out = self.subset(&indices);
        out.name = name.into();
        Ok(out)
    }

    /// Splits into (train, validation) by a permutation seeded with `seed`: the first
    /// `n - n_val` permuted images train, the other `n_val` validate. Deterministic for a seed;
    /// the parts are disjoint and together hold every image once. Requires `1 <= n_val < n`.
    pub fn train_val_split(&self, n_val: usize, seed: u64) -> Result<(Images, Images), DataError> {
        if n_val == 0 || n_val >= self.n {
            return Err(DataError::BadSplit {
                origin: self.name.clone(),
                n: self.n,
                n_val,
            });
        }
        let mut order: Vec<usize> = (0..self.n).collect();
        order.shuffle(&mut StdRng::seed_from_u64(seed));
        let (train_idx, val_idx) = order.split_at(self.n - n_val);
        let mut train = self.subset(train_idx);
        let mut val = self.subset(val_idx);
        train.name = format!("{} [train part, seed {seed}]", self.name);
        val.name = format!("{} [validation part, seed {seed}]", self.name);
        Ok((train, val))
    }

    /// How many images carry each label value (index = label), when labels are known.
    pub fn label_counts(&self) -> Option<[usize; 256]> {
        let labels = self.labels.as_ref()?;
        let mut counts = [0usize; 256];
        for &l in labels {
            counts[l as usize] += 1;
        }
        Some(counts)
    }
}

/// Formats a label set compactly: runs become ranges, e.g. `[0,1,2,3,4]` → `0-4`,
/// `[1,3,5]` → `1,3,5`, `[0,1,2,7]` → `0-2,7`. Duplicates and order do not matter.
pub fn format_labels(labels: &[u8]) -> String {
    let mut sorted = labels.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut parts = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j + 1 < sorted.len() && sorted[j + 1] == sorted[j] + 1 {
            j += 1;
        }
        parts.push(if j > i {
            format!("{}-{}", sorted[i], sorted[j])
        } else {
            sorted[i].to_string()
        });
        i = j + 1;
    }
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::idx::write_idx_u8;

    /// `n` tiny 2×3 images; image `i` has all pixels `i` and label `i % 10`.
    fn tiny(n: usize) -> Images {
        let data: Vec<u8> = (0..n).flat_map(|i| [i as u8; 6]).collect();
        let labels: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
        Images::from_idx(
            IdxArray {
                dims: vec![n, 2, 3],
                data,
            },
            Some(IdxArray {
                dims: vec![n],
                data: labels,
            }),
            "tiny",
        )
        .unwrap()
    }

    #[test]
    fn from_idx_scales_pixels_and_indexes_images() {
        let im = tiny(4);
        assert_eq!((im.n, im.rows, im.cols, im.dim()), (4, 2, 3, 6));
        assert_eq!(im.image(3), &[3.0 / 255.0; 6]);
        assert_eq!(im.label(2), Some(2));
        let s = im.subset(&[3, 1, 3]);
        assert_eq!(s.n, 3);
        assert_eq!(s.labels, Some(vec![3, 1, 3]));
        assert_eq!(s.image(1), im.image(1));
        let full = Images::from_idx(
            IdxArray {
                dims: vec![1, 1, 2],
                data: vec![0, 255],
            },
            None,
            "x",
        )
        .unwrap();
        assert_eq!(full.pixels, vec![0.0, 1.0]);
        assert_eq!(full.label(0), None);
    }

    #[test]
    fn limited_keeps_the_first_images() {
        assert_eq!(tiny(5).limited(Some(2)).labels, Some(vec![0, 1]));
        assert_eq!(tiny(5).limited(Some(9)).n, 5);
        assert_eq!(tiny(5).limited(None).n, 5);
    }

    #[test]
    fn shape_and_label_count_errors_name_both_files() {
        let dir = tempfile::tempdir().unwrap();
        let imgs = dir.path().join("imgs.idx");
        let labs = dir.path().join("labs.idx.gz");
        write_idx_u8(&imgs, &[3, 2, 2], &[0; 12], false).unwrap();
        write_idx_u8(&labs, &[2], &[0; 2], true).unwrap();
        let m = Images::load_files(&imgs, Some(&labs), "t")
            .unwrap_err()
            .to_string();
        assert!(m.contains("imgs.idx") && m.contains("labs.idx.gz"), "{m}");
        assert!(m.contains("3 images") && m.contains("found 2"), "{m}");

        write_idx_u8(&labs, &[1, 3], &[0; 3], true).unwrap();
        let m = Images::load_files(&imgs, Some(&labs), "t")
            .unwrap_err()
            .to_string();
        assert!(m.contains("labs.idx.gz") && m.contains("1-D labels"), "{m}");

        let m = Images::load_files(&labs, None, "t")
            .unwrap_err()
            .to_string();
        assert!(m.contains("labs.idx.gz") && m.contains("3-D images"), "{m}");
    }

    #[test]
    fn split_is_seeded_disjoint_and_covering() {
        let im = tiny(50);
        let (a, b) = im.train_val_split(10, 7).unwrap();
        assert_eq!((a.n, b.n), (40, 10));
        // Each tiny image's pixel value identifies it.
        let id = |x: &Images, i: usize| (x.image(i)[0] * 255.0).round() as usize;
        let mut seen: Vec<usize> = (0..a.n)
            .map(|i| id(&a, i))
            .chain((0..b.n).map(|i| id(&b, i)))
            .collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..50).collect::<Vec<_>>(), "disjoint and covering");
        for i in 0..b.n {
            assert_eq!(
                b.label(i),
                Some((id(&b, i) % 10) as u8),
                "labels follow images"
            );
        }
        let (a2, b2) = im.train_val_split(10, 7).unwrap();
        assert_eq!((a.pixels.clone(), b.pixels.clone()), (a2.pixels, b2.pixels));
        let (_, b3) = im.train_val_split(10, 8).unwrap();
        assert_ne!(b.pixels, b3.pixels, "another seed, another split");
        assert!(im.train_val_split(0, 1).is_err());
        let m = im.train_val_split(50, 1).unwrap_err().to_string();
        assert!(m.contains("tiny") && m.contains("50"), "{m}");
    }

    #[test]
    fn label_filter_and_format() {
        let im = tiny(30);
        let f = im.with_labels(&[1, 3], "tiny:1,3").unwrap();
        assert_eq!(f.n, 6);
        assert_eq!(f.name, "tiny:1,3");
        assert!(f.labels.as_ref().unwrap().iter().all(|&l| l == 1 || l == 3));
        assert_eq!(im.label_counts().unwrap()[..10].iter().sum::<usize>(), 30);
        assert!(im.with_labels(&[42], "x").is_err());
        let mut unlabelled = im.clone();
        unlabelled.labels = None;
        assert!(matches!(
            unlabelled.with_labels(&[1], "x"),
            Err(DataError::NoLabels { .. })
        ));
        assert_eq!(format_labels(&[4, 0, 1, 2, 3]), "0-4");
        assert_eq!(format_labels(&[5, 1, 3, 3]), "1,3,5");
        assert_eq!(format_labels(&[0, 1, 2, 7]), "0-2,7");
    }
}
