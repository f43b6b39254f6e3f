//! Test support: locating the real MNIST/KMNIST files (`NNLAB_DATA`, or the project's
//! `shared/data` folder) so that tests can use them when present and skip when absent.
//! Also the tests that run on those real files.

use std::path::PathBuf;

/// The folder holding real data for tests: `NNLAB_DATA` when set and non-empty (a relative
/// path that does not exist from the test's working directory, the crate folder, is taken
/// relative to the workspace root, where `export NNLAB_DATA=../shared/data` was meant), else
/// `<crate>/../../../shared/data` when it exists; `None` otherwise (tests then skip).
pub fn shared_data_dir() -> Option<PathBuf> {
    if let Some(env) = std::env::var_os("NNLAB_DATA").filter(|e| !e.is_empty()) {
        let dir = PathBuf::from(env);
        let from_root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(&dir);
        if dir.is_relative() && !dir.exists() && from_root.is_dir() {
            return Some(from_root);
        }
        return Some(dir);
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    dir.is_dir().then_some(dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{DataError, DataFile, DataSource, Dataset, Selection, Split, verify};

    /// A download-free source on the real data, if its `dataset`/`split` files are all there.
    fn real(dataset: Dataset, split: Split) -> Option<DataSource> {
        let Some(dir) = shared_data_dir() else {
            eprintln!("skipped: no real data (set NNLAB_DATA or provide ../shared/data)");
            return None;
        };
        let src = DataSource::new(dir).with_download(false);
        if DataFile::pair(dataset, split)
            .iter()
            .all(|f| src.path(f).is_file())
        {
            Some(src)
        } else {
            eprintln!("skipped: {dataset}:{split} not in {}", src.root.display());
            None
        }
    }

    #[test]
    fn mnist_test_loads_and_verifies() {
        let Some(src) = real(Dataset::Mnist, Split::Test) else {
            return;
        };
        verify(&src, Dataset::Mnist, Split::Test).unwrap();
        let im = "mnist:test"
            .parse::<Selection>()
            .unwrap()
            .load(&src, Split::Train, &mut ())
            .unwrap();
        assert_eq!((im.n, im.rows, im.cols), (10000, 28, 28));
        assert_eq!(im.pixels.len(), 10000 * 784);
        assert_eq!(im.name, "mnist:test");
        let (lo, hi) = im
            .pixels
            .iter()
            .fold((f32::MAX, f32::MIN), |(a, b), &p| (a.min(p), b.max(p)));
        assert_eq!((lo, hi), (0.0, 1.0));
        let counts = im.label_counts().unwrap();
        assert_eq!(counts.iter().sum::<usize>(), 10000);
        assert_eq!(
            counts[..10],
            [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
        );
        let low = im.with_labels(&[0, 1, 2, 3, 4], "x").unwrap();
        assert_eq!(low.n, 980 + 1135 + 1032 + 1010 + 982);
        let (train, val) = im.train_val_split(2000, 0).unwrap();
        assert_eq!((train.n, val.n), (8000, 2000));
    }

    #[test]
    fn kmnist_test_loads_and_verifies() {
        let Some(src) = real(Dataset::Kmnist, Split::Test) else {
            return;
        };
        verify(&src, Dataset::Kmnist, Split::Test).unwrap();
        let im = "kmnist:3"
            .parse::<Selection>()
            .unwrap()
            .load(&src, Split::Test, &mut ())
            .unwrap();
        assert_eq!((im.n, im.rows, im.cols), (1000, 28, 28));
        assert_eq!(im.name, "kmnist:test:3");
    }

    /// The one test that reads the 47 MB MNIST training images (decode + md5).
    #[test]
    fn mnist_train_verifies() {
        let Some(src) = real(Dataset::Mnist, Split::Train) else {
            return;
        };
        verify(&src, Dataset::Mnist, Split::Train).unwrap();
    }

    /// KMNIST training images are not in the shared folder: without downloads, the error names
    /// exactly that file.
    #[test]
    fn kmnist_train_images_reported_missing() {
        let Some(dir) = shared_data_dir() else {
            return;
        };
        let src = DataSource::new(dir).with_download(false);
        let images = DataFile::pair(Dataset::Kmnist, Split::Train)[0];
        if src.path(&images).exists() {
            return;
        }
        match verify(&src, Dataset::Kmnist, Split::Train) {
            Err(DataError::Missing { files, .. }) => {
                assert!(files.iter().any(|(p, _)| *p == src.path(&images)));
            }
            other => panic!("expected Missing, got {other:?}"),
        }
    }
}
