//! The dataset registry: MNIST, KMNIST and Fashion-MNIST, their train and test files, canonical
//! download URLs and published md5 checksums. Where the files live locally is [`super::source`].

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use super::DataError;

/// A known dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dataset {
    Mnist,
    Kmnist,
    FashionMnist,
}

impl Dataset {
    /// Every known dataset.
    pub const ALL: [Dataset; 3] = [Dataset::Mnist, Dataset::Kmnist, Dataset::FashionMnist];

    /// The name used on the command line and as the folder name: `mnist`, `kmnist`,
    /// `fashion-mnist`.
    pub fn name(self) -> &'static str {
        match self {
            Dataset::Mnist => "mnist",
            Dataset::Kmnist => "kmnist",
            Dataset::FashionMnist => "fashion-mnist",
        }
    }

    /// The dataset with this name (case-insensitive), if any.
    pub fn from_name(name: &str) -> Option<Dataset> {
        Dataset::ALL
            .into_iter()
            .find(|d| d.name().eq_ignore_ascii_case(name))
    }

    /// The known names, comma separated, for messages.
    pub fn known_names() -> String {
        Dataset::ALL.map(|d| d.name()).join(", ")
    }

    /// The canonical download folder (ending in `/`).
    pub fn base_url(self) -> &'static str {
        match self {
            // The historical yann.lecun.com mirror is gone.
            Dataset::Mnist => "https://ossci-datasets.s3.amazonaws.com/mnist/",
            Dataset::Kmnist => "http://codh.rois.ac.jp/kmnist/dataset/kmnist/",
            Dataset::FashionMnist => "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        }
    }
}

impl fmt::Display for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Dataset {
    type Err = DataError;
    fn from_str(s: &str) -> Result<Self, DataError> {
        Dataset::from_name(s).ok_or_else(|| DataError::UnknownDataset {
            name: s.to_string(),
            known: Dataset::known_names(),
        })
    }
}

/// A split of a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Split {
    Train,
    Test,
}

impl Split {
    /// `train` or `test`.
    pub fn name(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Test => "test",
        }
    }

    /// The split with this name (case-insensitive), if any.
    pub fn from_name(name: &str) -> Option<Split> {
        [Split::Train, Split::Test]
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Images or labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    Images,
    Labels,
}

/// A published md5, of the decoded (gunzipped) payload when known, else of the compressed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checksum {
    Decoded(&'static str),
    Compressed(&'static str),
}

impl Checksum {
    /// Checks `file_bytes` (the file as stored or downloaded, gzip or raw).
    pub fn check(self, file_bytes: &[u8], origin: &str) -> Result<(), DataError> {
        let found = match self {
            Checksum::Compressed(_) => md5_hex(file_bytes),
            Checksum::Decoded(_) => super::idx::decoded_md5_of(file_bytes, origin)?,
        };
        self.compare(found, origin)
    }

    /// Checks the file at `path`, streamed: memory stays small whatever the file's size.
    pub fn check_file(self, path: &std::path::Path) -> Result<(), DataError> {
        let found = match self {
            Checksum::Compressed(_) => super::idx::raw_md5_of_file(path)?,
            Checksum::Decoded(_) => super::idx::decoded_md5_of_file(path)?,
        };
        self.compare(found, &path.display().to_string())
    }

    fn compare(self, found: String, origin: &str) -> Result<(), DataError> {
        let (what, expected) = match self {
            Checksum::Compressed(md5) => ("compressed file", md5),
            Checksum::Decoded(md5) => ("decoded payload", md5),
        };
        if found == expected {
            Ok(())
        } else {
            Err(DataError::Checksum {
                origin: origin.to_string(),
                what,
                expected: expected.to_string(),
                found,
            })
        }
    }
}

/// The lowercase hex md5 of `bytes`.
pub fn md5_hex(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One file of the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataFile {
    pub dataset: Dataset,
    pub split: Split,
    pub kind: FileKind,
    pub file_name: &'static str,
    pub checksum: Checksum,
}

impl DataFile {
    /// The registry entry for a dataset's split's images or labels.
    pub fn of(dataset: Dataset, split: Split, kind: FileKind) -> DataFile {
        use Checksum::{Compressed as C, Decoded as D};
        use FileKind::{Images as I, Labels as L};
        use Split::{Test, Train};
        let file_name = match (split, kind) {
            (Train, I) => "train-images-idx3-ubyte.gz",
            (Train, L) => "train-labels-idx1-ubyte.gz",
            (Test, I) => "t10k-images-idx3-ubyte.gz",
            (Test, L) => "t10k-labels-idx1-ubyte.gz",
        };
        let checksum = match (dataset, split, kind) {
            (Dataset::Mnist, Train, I) => D("6bbc9ace898e44ae57da46a324031adb"),
            (Dataset::Mnist, Train, L) => D("a25bea736e30d166cdddb491f175f624"),
            (Dataset::Mnist, Test, I) => D("2646ac647ad5339dbf082846283269ea"),
            (Dataset::Mnist, Test, L) => D("27ae3e4e09519cfbb04c329615203637"),
            (Dataset::Kmnist, Train, I) => C("bdb82020997e1d708af4cf47b453dcf7"),
            (Dataset::Kmnist, Train, L) => D("949e75301f8813e0dc5800dcc320fc52"),
            (Dataset::Kmnist, Test, I) => D("bf305b8cd328700fbc17f5acbc2856d2"),
            (Dataset::Kmnist, Test, L) => D("9f55f451c0988b028eccdf7d5cc265ab"),
            (Dataset::FashionMnist, Train, I) => C("8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
            (Dataset::FashionMnist, Train, L) => C("25c81989df183df01b3e8a0aad5dffbe"),
            (Dataset::FashionMnist, Test, I) => C("bef4ecab320f06d8554ea6380940ec79"),
            (Dataset::FashionMnist, Test, L) => C("bb300cfdad3c16e7a12a480ee83cd310"),
        };
        DataFile {
            dataset,
            split,
            kind,
            file_name,
            checksum,
        }
    }

    /// The images and labels files of a split.
    pub fn pair(dataset: Dataset, split: Split) -> [DataFile; 2] {
        [
            DataFile::of(dataset, split, FileKind::Images),
            DataFile::of(dataset, split, FileKind::Labels),
        ]
    }

    /// The canonical download URL.
    pub fn url(&self) -> String {
        format!("{}{}", self.dataset.base_url(), self.file_name)
    }

    /// Where the file lives under a data root: `<root>/<dataset>/<file>`.
    pub fn path_in(&self, root: &Path) -> PathBuf {
        root.join(self.dataset.name()).join(self.file_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_names_urls_and_paths() {
        for d in Dataset::ALL {
            assert_eq!(Dataset::from_name(d.name()), Some(d));
            assert_eq!(d.name().parse::<Dataset>().unwrap(), d);
        }
        let m = "mnsit".parse::<Dataset>().unwrap_err().to_string();
        assert!(m.contains("mnsit") && m.contains("fashion-mnist"), "{m}");
        let f = DataFile::of(Dataset::FashionMnist, Split::Test, FileKind::Labels);
        assert_eq!(
            f.url(),
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/t10k-labels-idx1-ubyte.gz"
        );
        assert_eq!(
            f.path_in(Path::new("/d")),
            PathBuf::from("/d/fashion-mnist/t10k-labels-idx1-ubyte.gz")
        );
        let f = DataFile::of(Dataset::Mnist, Split::Train, FileKind::Images);
        assert!(
            f.url()
                .starts_with("https://ossci-datasets.s3.amazonaws.com/mnist/")
        );
    }

    #[test]
    fn checksums_decoded_and_compressed() {
        let data = b"hello";
        let md5 = "5d41402abc4b2a76b9719d911017c592";
        assert_eq!(md5_hex(data), md5);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, data).unwrap();
        let gz = gz.finish().unwrap();
        Checksum::Decoded(md5).check(&gz, "f.gz").unwrap();
        Checksum::Decoded(md5).check(data, "f").unwrap();
        let m = Checksum::Compressed(md5)
            .check(&gz, "f.gz")
            .unwrap_err()
            .to_string();
        assert!(
            m.contains("f.gz") && m.contains(md5) && m.contains(&md5_hex(&gz)),
            "{m}"
        );
    }
}
