//! Selections: which images to use, parsed from a command-line string, and loaded.
//!
//! Syntax:
//! - `mnist` — a dataset; the split is the caller's default;
//! - `mnist:test`, `mnist:train` — a split;
//! - `mnist:3`, `mnist:0-4`, `mnist:1,3,5`, `mnist:0-2,7` — a label subset (labels 0 to 9, ranges
//!   inclusive), optionally with a split: `mnist:test:0-4`;
//! - `path/to/images.idx` or `images.idx+labels.idx` — explicit IDX files (raw or gzip), with an
//!   optional label filter at the end: `images.idx+labels.idx:0-4`.
//!
//! A string whose first `:`-separated part is a dataset name (case-insensitive) is a dataset
//! selection. Otherwise it is a path when it contains `/`, `\`, `.` or `+`, or exists on disk;
//! anything else is an unknown dataset.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use super::images::format_labels;
use super::registry::{Dataset, Split};
use super::source::DataSource;
use super::{DataError, DownloadProgress, Images};

/// A parsed selection of images.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// A registry dataset, optionally a split (else the caller's default) and a label subset.
    Dataset {
        dataset: Dataset,
        split: Option<Split>,
        labels: Option<Vec<u8>>,
    },
    /// Explicit IDX files: images, optional labels, optional label subset (needs labels).
    Files {
        images: PathBuf,
        labels: Option<PathBuf>,
        filter: Option<Vec<u8>>,
    },
}

impl Selection {
    /// The label subset, if any.
    pub fn label_filter(&self) -> Option<&[u8]> {
        match self {
            Selection::Dataset { labels, .. } => labels.as_deref(),
            Selection::Files { filter, .. } => filter.as_deref(),
        }
    }

    /// The same dataset and labels from the test split, the held-out counterpart of a training
    /// selection; `None` for explicit files, which have no such counterpart.
    pub fn test_split(&self) -> Option<Selection> {
        match self {
            Selection::Dataset {
                dataset, labels, ..
            } => Some(Selection::Dataset {
                dataset: *dataset,
                split: Some(Split::Test),
                labels: labels.clone(),
            }),
            Selection::Files { .. } => None,
        }
    }

    /// The description loaded images get, with the split made explicit:
    /// e.g. `mnist:train:0-4`, `imgs.idx+labels.idx:3`.
    pub fn describe(&self, default_split: Split) -> String {
        let base = match self {
            Selection::Dataset { dataset, split, .. } => {
                format!("{dataset}:{}", split.unwrap_or(default_split))
            }
            Selection::Files { images, labels, .. } => files_name(images, labels.as_deref()),
        };
        match self.label_filter() {
            Some(l) => format!("{base}:{}", format_labels(l)),
            None => base,
        }
    }

    /// Loads the selected images. Registry files come from `source` (downloaded when missing
    /// and allowed, reporting to `progress`); `default_split` applies when none was given.
    pub fn load(
        &self,
        source: &DataSource,
        default_split: Split,
        progress: &mut dyn DownloadProgress,
    ) -> Result<Images, DataError> {
        let name = self.describe(default_split);
        let mut images = match self {
            Selection::Dataset { dataset, split, .. } => {
                source.load(*dataset, split.unwrap_or(default_split), progress)?
            }
            Selection::Files { images, labels, .. } => {
                Images::load_files(images, labels.as_deref(), name.clone())?
            }
        };
        match self.label_filter() {
            Some(keep) => images.with_labels(keep, name),
            None => {
                images.name = name;
                Ok(images)
            }
        }
    }
}

fn files_name(images: &Path, labels: Option<&Path>) -> String {
    match labels {
        Some(l) => format!("{}+{}", images.display(), l.display()),
        None => images.display().to_string(),
    }
}

impl fmt::Display for Selection {
    /// The selection as it would be typed (the split only when one was given).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selection::Dataset { dataset, split, .. } => {
                write!(f, "{dataset}")?;
                if let Some(s) = split {
                    write!(f, ":{s}")?;
                }
            }
            Selection::Files { images, labels, .. } => {
                f.write_str(&files_name(images, labels.as_deref()))?
            }
        }
        if let Some(l) = self.label_filter() {
            write!(f, ":{}", format_labels(l))?;
        }
        Ok(())
    }
}

impl FromStr for Selection {
    type Err = DataError;

    fn from_str(s: &str) -> Result<Selection, DataError> {
        let input = s.trim();
        let bad = |message: String| DataError::Selection {
            input: input.to_string(),
            message,
        };
        if input.is_empty() {
            return Err(bad(format!(
                "empty selection: expected a dataset ({}) or a path to an IDX file",
                Dataset::known_names()
            )));
        }
        let head = input.split(':').next().unwrap_or(input);
        if let Some(dataset) = Dataset::from_name(head) {
            return parse_dataset(input, dataset);
        }
        let is_path = input.contains(['/', '\\', '.', '+']) || Path::new(input).exists();
        if is_path {
            return parse_files(input);
        }
        Err(DataError::UnknownDataset {
            name: head.to_string(),
            known: Dataset::known_names(),
        })
    }
}

/// `dataset[:split][:labels]` (split and labels in either order, each at most once).
fn parse_dataset(input: &str, dataset: Dataset) -> Result<Selection, DataError> {
    let bad = |message: String| DataError::Selection {
        input: input.to_string(),
        message,
    };
    let tokens: Vec<&str> = input.split(':').skip(1).collect();
    if tokens.len() > 2 {
        return Err(bad(format!(
            "too many parts: expected DATASET[:SPLIT][:LABELS], found {} parts",
            tokens.len() + 1
        )));
    }
    let (mut split, mut labels) = (None, None);
    for token in tokens {
        let token = token.trim();
        if token.is_empty() {
            return Err(bad(
                "empty part after ':': expected a split (train, test) or labels (e.g. 0-4)".into(),
            ));
        }
        if let Some(s) = Split::from_name(token) {
            if split.replace(s).is_some() {
                return Err(bad(format!("split given twice: found \"{token}\"")));
            }
        } else if looks_like_labels(token) {
            if labels.replace(parse_labels(token, input)?).is_some() {
                return Err(bad(format!("labels given twice: found \"{token}\"")));
            }
        } else {
            return Err(bad(format!(
                "\"{token}\" is neither a split (train, test) nor a label list (e.g. 3, 0-4, 1,3,5)"
            )));
        }
    }
    Ok(Selection::Dataset {
        dataset,
        split,
        labels,
    })
}

/// `images[+labels][:filter]`.
fn parse_files(input: &str) -> Result<Selection, DataError> {
    if Path::new(input).exists() {
        return Ok(Selection::Files {
            images: input.into(),
            labels: None,
            filter: None,
        });
    }
    let (body, filter) = match input.rsplit_once(':') {
        Some((body, spec)) if looks_like_labels(spec.trim()) => {
            (body, Some(parse_labels(spec.trim(), input)?))
        }
        _ => (input, None),
    };
    let (images, labels) = match body.split_once('+') {
        Some(_) if Path::new(body).exists() => (body, None),
        Some((i, l)) => (i, Some(l)),
        None => (body, None),
    };
    if images.is_empty() || labels.is_some_and(str::is_empty) {
        return Err(DataError::Selection {
            input: input.to_string(),
            message: "empty path: expected IMAGES or IMAGES+LABELS".into(),
        });
    }
    if labels.is_none()
        && let Some(f) = &filter
    {
        return Err(DataError::NoLabels {
            origin: input.to_string(),
            filter: format_labels(f),
        });
    }
    Ok(Selection::Files {
        images: images.into(),
        labels: labels.map(PathBuf::from),
        filter,
    })
}

/// Whether a token is meant as a label list: it starts with a digit or uses only digits,
/// commas, dashes and spaces.
fn looks_like_labels(token: &str) -> bool {
    !token.is_empty()
        && (token.starts_with(|c: char| c.is_ascii_digit())
            || token
                .chars()
                .all(|c| c.is_ascii_digit() || ",- ".contains(c)))
}

/// Parses `3`, `0-4`, `1,3,5`, `0-2,7` into sorted distinct labels in 0..=9.
pub fn parse_labels(spec: &str, input: &str) -> Result<Vec<u8>, DataError> {
    let bad = |message: String| DataError::Selection {
        input: input.to_string(),
        message,
    };
    let label = |tok: &str| -> Result<u8, DataError> {
        let tok = tok.trim();
        match tok.parse::<u32>() {
            Ok(v) if v <= 9 => Ok(v as u8),
            Ok(v) => Err(bad(format!(
                "label {v} (in \"{spec}\") out of range: expected 0 to 9"
            ))),
            Err(_) => Err(bad(format!(
                "\"{tok}\" (in \"{spec}\") is not a label: expected a number 0 to 9"
            ))),
        }
    };
    let mut out = Vec::new();
    for part in spec.split(',') {
        let part = part.trim();
        if part.is_empty() {
            return Err(bad(format!(
                "empty label in \"{spec}\": expected e.g. 3, 0-4 or 1,3,5"
            )));
        }
        match part.split_once('-') {
            Some((lo, hi)) => {
                let (lo, hi) = (label(lo)?, label(hi)?);
                if lo > hi {
                    return Err(bad(format!(
                        "label range \"{part}\" is reversed: expected LOW-HIGH with LOW <= HIGH"
                    )));
                }
                out.extend(lo..=hi);
            }
            None => out.push(label(part)?),
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::idx::write_idx_u8;

    fn sel(s: &str) -> Selection {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn err(s: &str) -> String {
        s.parse::<Selection>().unwrap_err().to_string()
    }

    fn ds(dataset: Dataset, split: Option<Split>, labels: Option<Vec<u8>>) -> Selection {
        Selection::Dataset {
            dataset,
            split,
            labels,
        }
    }

    #[test]
    fn dataset_forms() {
        use Dataset::*;
        assert_eq!(sel("mnist"), ds(Mnist, None, None));
        assert_eq!(sel("kmnist:test"), ds(Kmnist, Some(Split::Test), None));
        assert_eq!(
            sel("FASHION-MNIST:train"),
            ds(FashionMnist, Some(Split::Train), None)
        );
        assert_eq!(sel("mnist:3"), ds(Mnist, None, Some(vec![3])));
        assert_eq!(sel("mnist:0-4"), ds(Mnist, None, Some(vec![0, 1, 2, 3, 4])));
        assert_eq!(sel("mnist:5,1,3"), ds(Mnist, None, Some(vec![1, 3, 5])));
        assert_eq!(
            sel("mnist:test:0-2,7"),
            ds(Mnist, Some(Split::Test), Some(vec![0, 1, 2, 7]))
        );
        assert_eq!(sel("mnist:0-4:train"), sel("mnist:train:0-4"));
        assert_eq!(sel("mnist:train:0-4").to_string(), "mnist:train:0-4");
        assert_eq!(sel("mnist:0-4").describe(Split::Test), "mnist:test:0-4");
        assert_eq!(sel("kmnist").describe(Split::Train), "kmnist:train");
    }

    #[test]
    fn test_split_keeps_dataset_and_labels() {
        let t = Some(ds(Dataset::Mnist, Some(Split::Test), Some(vec![0, 1])));
        assert_eq!(sel("mnist:train:0-1").test_split(), t);
        assert_eq!(sel("mnist:0-1").test_split(), t);
        assert_eq!(sel("imgs.idx").test_split(), None);
    }

    #[test]
    fn path_forms() {
        assert_eq!(
            sel("dir/imgs.idx"),
            Selection::Files {
                images: "dir/imgs.idx".into(),
                labels: None,
                filter: None
            }
        );
        assert_eq!(
            sel("a/imgs.idx.gz+b/labels.idx:1,3"),
            Selection::Files {
                images: "a/imgs.idx.gz".into(),
                labels: Some("b/labels.idx".into()),
                filter: Some(vec![1, 3])
            }
        );
        assert_eq!(sel("imgs+labs").to_string(), "imgs+labs");
    }

    #[test]
    fn malformed_inputs_have_clear_messages() {
        let m = err("mnsit:test");
        assert!(
            m.contains("mnsit") && m.contains("mnist, kmnist, fashion-mnist"),
            "{m}"
        );
        let m = err("mnist:12");
        assert!(m.contains("label 12") && m.contains("0 to 9"), "{m}");
        let m = err("mnist:1-x");
        assert!(m.contains("\"x\"") && m.contains("not a label"), "{m}");
        let m = err("mnist:5-2");
        assert!(m.contains("\"5-2\"") && m.contains("reversed"), "{m}");
        let m = err("mnist:1,,3");
        assert!(m.contains("empty label"), "{m}");
        let m = err("mnist:valid");
        assert!(
            m.contains("\"valid\"") && m.contains("neither a split"),
            "{m}"
        );
        let m = err("mnist:test:train");
        assert!(m.contains("split given twice"), "{m}");
        let m = err("mnist:test:1:2");
        assert!(m.contains("too many parts"), "{m}");
        let m = err("mnist:");
        assert!(m.contains("empty part"), "{m}");
        assert!(err("").contains("empty selection"));
        let m = err("dir/imgs.idx:0-4");
        assert!(
            m.contains("dir/imgs.idx") && m.contains("needs labels"),
            "{m}"
        );
        assert!(err("a.idx+").contains("empty path"));
    }

    #[test]
    fn loads_files_with_filter_and_names_them() {
        let dir = tempfile::tempdir().unwrap();
        let imgs = dir.path().join("imgs.idx");
        let labs = dir.path().join("labs.idx.gz");
        write_idx_u8(
            &imgs,
            &[4, 1, 2],
            &[0, 0, 51, 51, 102, 102, 255, 255],
            false,
        )
        .unwrap();
        write_idx_u8(&labs, &[4], &[0, 1, 2, 1], true).unwrap();
        let spec = format!("{}+{}:1", imgs.display(), labs.display());
        let src = DataSource::new(dir.path()).with_download(false);
        let im = sel(&spec).load(&src, Split::Test, &mut ()).unwrap();
        assert_eq!((im.n, im.rows, im.cols), (2, 1, 2));
        assert_eq!(im.labels, Some(vec![1, 1]));
        assert_eq!(im.pixels, vec![51.0 / 255.0, 51.0 / 255.0, 1.0, 1.0]);
        assert_eq!(im.name, spec);
        // An existing file is a path even without '/' or '.' in its spelling.
        let plain = sel(&imgs.display().to_string());
        assert_eq!(plain.load(&src, Split::Test, &mut ()).unwrap().n, 4);
        // A dataset selection with download disabled reports the missing files.
        let m = sel("fashion-mnist:0-4")
            .load(&src, Split::Test, &mut ())
            .unwrap_err()
            .to_string();
        assert!(m.contains("fashion-mnist/t10k-images-idx3-ubyte.gz"), "{m}");
    }
}
