//! The dataset registry (MNIST, KMNIST, Fashion-MNIST; train and test splits), where their
//! files live on disk, and how missing files are fetched and checked.
//!
//! Files are laid out as `<root>/<dataset>/<file>`, e.g. `<root>/mnist/t10k-images-idx3-ubyte.gz`.
//! The data root is the first of these that applies — and only that one is searched:
//! 1. the explicit `--data-dir` given to [`DataSource::resolve`];
//! 2. the `NNLAB_DATA` environment variable (when set and non-empty);
//! 3. the user cache directory, `dirs::cache_dir()/nnlab` (`./nnlab-data` if there is none).
//!
//! Missing files are downloaded from the canonical mirrors (when allowed), checked against
//! their published md5 and written atomically. Existing files are not re-checked on every
//! load (too slow); [`verify`] does that on demand.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use super::download::download_verified;
use super::idx::read_decoded;
use super::{DataError, Images};

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
        let (what, expected, found) = match self {
            Checksum::Compressed(md5) => ("compressed file", md5, md5_hex(file_bytes)),
            Checksum::Decoded(md5) => {
                let found = if super::idx::is_gzip(file_bytes) {
                    md5_hex(&super::idx::gunzip(file_bytes, origin)?)
                } else {
                    md5_hex(file_bytes)
                };
                ("decoded payload", md5, found)
            }
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

/// The data root from its three possible sources, in order: explicit directory, then the
/// `NNLAB_DATA` value (ignored when empty), then `<cache>/nnlab`, then `./nnlab-data`.
/// Pure, so that the lookup order can be tested without touching the process environment.
pub fn resolve_root(
    data_dir: Option<&Path>,
    env: Option<OsString>,
    cache: Option<PathBuf>,
) -> PathBuf {
    if let Some(dir) = data_dir {
        return dir.to_path_buf();
    }
    if let Some(env) = env.filter(|e| !e.is_empty()) {
        return PathBuf::from(env);
    }
    match cache {
        Some(cache) => cache.join("nnlab"),
        None => PathBuf::from("nnlab-data"),
    }
}

/// Where data files are read from, and whether missing ones may be downloaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSource {
    pub root: PathBuf,
    pub allow_download: bool,
}

impl DataSource {
    /// A source rooted at `root`, with downloads allowed.
    pub fn new(root: impl Into<PathBuf>) -> DataSource {
        DataSource {
            root: root.into(),
            allow_download: true,
        }
    }

    /// The root from `--data-dir`, else `NNLAB_DATA`, else the user cache (see
    /// [`resolve_root`]); downloads allowed.
    pub fn resolve(data_dir: Option<&Path>) -> DataSource {
        DataSource::new(resolve_root(
            data_dir,
            std::env::var_os("NNLAB_DATA"),
            dirs::cache_dir(),
        ))
    }

    /// Allows or forbids downloading missing files.
    pub fn with_download(mut self, allow: bool) -> DataSource {
        self.allow_download = allow;
        self
    }

    /// The local path of a registry file.
    pub fn path(&self, file: &DataFile) -> PathBuf {
        file.path_in(&self.root)
    }

    /// Makes sure `files` exist locally, downloading the missing ones when allowed (with
    /// progress on `pb`). Returns their paths in the same order. When files remain missing,
    /// the error lists all of them with their URLs. A downloaded file whose checksum does not
    /// match is an error and is not written.
    pub fn ensure(
        &self,
        files: &[DataFile],
        pb: &indicatif::ProgressBar,
    ) -> Result<Vec<PathBuf>, DataError> {
        let paths: Vec<PathBuf> = files.iter().map(|f| self.path(f)).collect();
        let missing: Vec<usize> = (0..files.len()).filter(|&i| !paths[i].is_file()).collect();
        if missing.is_empty() {
            return Ok(paths);
        }
        let missing_error = |from: usize, reason: String| DataError::Missing {
            files: missing[from..]
                .iter()
                .map(|&i| (paths[i].clone(), files[i].url()))
                .collect(),
            reason,
        };
        if !self.allow_download {
            return Err(missing_error(0, "downloads are disabled".into()));
        }
        for (k, &i) in missing.iter().enumerate() {
            match download_verified(&files[i], &paths[i], pb) {
                Ok(()) => {}
                Err(DownloadFailure::Fatal(e)) => return Err(e),
                Err(DownloadFailure::Network(msg)) => return Err(missing_error(k, msg)),
            }
        }
        Ok(paths)
    }

    /// Loads a dataset split (downloading missing files when allowed). The images are named
    /// `<dataset>:<split>`, e.g. `mnist:test`.
    pub fn load(
        &self,
        dataset: Dataset,
        split: Split,
        pb: &indicatif::ProgressBar,
    ) -> Result<Images, DataError> {
        let paths = self.ensure(&DataFile::pair(dataset, split), pb)?;
        Images::load_files(&paths[0], Some(&paths[1]), format!("{dataset}:{split}"))
    }
}

/// Why a download did not produce a file.
pub(crate) enum DownloadFailure {
    /// The network or server failed: the file is reported as missing.
    Network(String),
    /// The data arrived but are wrong (checksum), or could not be written.
    Fatal(DataError),
}

/// Checks the md5 of a split's local files against the registry (never downloads). Missing
/// files give [`DataError::Missing`]; a wrong file gives [`DataError::Checksum`].
pub fn verify(source: &DataSource, dataset: Dataset, split: Split) -> Result<(), DataError> {
    let files = DataFile::pair(dataset, split);
    let paths = source
        .clone()
        .with_download(false)
        .ensure(&files, &indicatif::ProgressBar::hidden())?;
    for (file, path) in files.iter().zip(&paths) {
        let origin = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| DataError::Read {
            path: path.clone(),
            source,
        })?;
        file.checksum.check(&bytes, &origin)?;
    }
    Ok(())
}

/// Decoded md5 of a local file (gunzipped when gzip), for diagnostics.
pub fn decoded_md5(path: &Path) -> Result<String, DataError> {
    Ok(md5_hex(&read_decoded(path)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::idx::write_idx_u8;

    #[test]
    fn lookup_order() {
        let explicit = Path::new("/explicit");
        let env = Some(OsString::from("/from-env"));
        let cache = Some(PathBuf::from("/cache"));
        assert_eq!(
            resolve_root(Some(explicit), env.clone(), cache.clone()),
            PathBuf::from("/explicit")
        );
        assert_eq!(
            resolve_root(None, env, cache.clone()),
            PathBuf::from("/from-env")
        );
        assert_eq!(
            resolve_root(None, Some(OsString::new()), cache.clone()),
            PathBuf::from("/cache/nnlab")
        );
        assert_eq!(
            resolve_root(None, None, cache),
            PathBuf::from("/cache/nnlab")
        );
        assert_eq!(resolve_root(None, None, None), PathBuf::from("nnlab-data"));
        let s = DataSource::resolve(Some(explicit)).with_download(false);
        assert_eq!(s.root, PathBuf::from("/explicit"));
        assert!(!s.allow_download);
    }

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
    fn missing_files_without_download_lists_all_paths_and_urls() {
        let dir = tempfile::tempdir().unwrap();
        let src = DataSource::new(dir.path()).with_download(false);
        let pb = indicatif::ProgressBar::hidden();
        let err = src.load(Dataset::Kmnist, Split::Test, &pb).unwrap_err();
        let m = err.to_string();
        for f in DataFile::pair(Dataset::Kmnist, Split::Test) {
            assert!(m.contains(&src.path(&f).display().to_string()), "{m}");
            assert!(m.contains(&f.url()), "{m}");
        }
        assert!(m.contains("--data-dir") && m.contains("NNLAB_DATA"), "{m}");
        assert!(m.contains("downloads are disabled"), "{m}");
        // Only the absent file is listed once the other one is present.
        let labels = DataFile::of(Dataset::Kmnist, Split::Test, FileKind::Labels);
        write_idx_u8(&src.path(&labels), &[1], &[0], true).unwrap();
        match src.load(Dataset::Kmnist, Split::Test, &pb).unwrap_err() {
            DataError::Missing { files, .. } => {
                assert_eq!(files.len(), 1);
                assert!(files[0].0.ends_with("kmnist/t10k-images-idx3-ubyte.gz"));
            }
            e => panic!("expected Missing, got {e}"),
        }
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

    #[test]
    fn verify_reports_wrong_local_file() {
        let dir = tempfile::tempdir().unwrap();
        let src = DataSource::new(dir.path());
        for f in DataFile::pair(Dataset::Mnist, Split::Test) {
            write_idx_u8(&src.path(&f), &[1], &[0], true).unwrap();
        }
        let m = verify(&src, Dataset::Mnist, Split::Test)
            .unwrap_err()
            .to_string();
        assert!(
            m.contains("t10k-images-idx3-ubyte.gz") && m.contains("checksum"),
            "{m}"
        );
    }
}
