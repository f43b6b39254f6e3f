//! Where the registry's files live on disk (the data root), fetching the missing ones, and
//! checking local files against their published checksums.
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
use std::path::{Path, PathBuf};

use super::download::{DownloadFailure, download_verified};
use super::idx::decoded_md5_of_file;
use super::registry::{DataFile, Dataset, Split};
use super::{DataError, DownloadProgress, Images};

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

    /// Makes sure `files` exist locally, downloading the missing ones when allowed (reporting
    /// to `progress`). Returns their paths in the same order. When files remain missing,
    /// the error lists all of them with their URLs. A downloaded file whose checksum does not
    /// match is an error and is not written.
    pub fn ensure(
        &self,
        files: &[DataFile],
        progress: &mut dyn DownloadProgress,
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
            match download_verified(&files[i], &paths[i], progress) {
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
        progress: &mut dyn DownloadProgress,
    ) -> Result<Images, DataError> {
        let paths = self.ensure(&DataFile::pair(dataset, split), progress)?;
        Images::load_files(&paths[0], Some(&paths[1]), format!("{dataset}:{split}"))
    }
}

/// Checks the md5 of a split's local files against the registry (never downloads). Missing
/// files give [`DataError::Missing`]; a wrong file gives [`DataError::Checksum`].
pub fn verify(source: &DataSource, dataset: Dataset, split: Split) -> Result<(), DataError> {
    let files = DataFile::pair(dataset, split);
    let paths = source
        .clone()
        .with_download(false)
        .ensure(&files, &mut ())?;
    for (file, path) in files.iter().zip(&paths) {
        file.checksum.check_file(path)?;
    }
    Ok(())
}

/// Decoded md5 of a local file (gunzipped when gzip), for diagnostics; streamed, so any file
/// size is fine.
pub fn decoded_md5(path: &Path) -> Result<String, DataError> {
    decoded_md5_of_file(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::idx::write_idx_u8;
    use crate::data::registry::FileKind;

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
    fn missing_files_without_download_lists_all_paths_and_urls() {
        let dir = tempfile::tempdir().unwrap();
        let src = DataSource::new(dir.path()).with_download(false);
        let err = src.load(Dataset::Kmnist, Split::Test, &mut ()).unwrap_err();
        let m = err.to_string();
        for f in DataFile::pair(Dataset::Kmnist, Split::Test) {
            assert!(m.contains(&src.path(&f).display().to_string()), "{m}");
            assert!(m.contains(&f.url()), "{m}");
        }
        assert!(m.contains("data_dir") && m.contains("NNLAB_DATA"), "{m}");
        assert!(m.contains("downloads are disabled"), "{m}");
        // Only the absent file is listed once the other one is present.
        let labels = DataFile::of(Dataset::Kmnist, Split::Test, FileKind::Labels);
        write_idx_u8(&src.path(&labels), &[1], &[0], true).unwrap();
        match src.load(Dataset::Kmnist, Split::Test, &mut ()).unwrap_err() {
            DataError::Missing { files, .. } => {
                assert_eq!(files.len(), 1);
                assert!(files[0].0.ends_with("kmnist/t10k-images-idx3-ubyte.gz"));
            }
            e => panic!("expected Missing, got {e}"),
        }
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
