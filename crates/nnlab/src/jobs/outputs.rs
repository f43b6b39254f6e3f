//! [`Outputs`]: the single writer of a run's files. Every file appears complete under its final
//! name or not at all ([`crate::io::write_atomic`]), and every error names the path.

use super::JobError;
use std::path::{Path, PathBuf};

/// Writes the files of one run into its output folder.
#[derive(Clone, Debug)]
pub struct Outputs {
    dir: PathBuf,
}

impl Outputs {
    /// A writer into `dir` (created on the first write).
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
        }
    }

    /// The output folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of output `name` (for writers that take a path, such as the plots, which write
    /// atomically themselves).
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Writes `bytes` as `name`.
    pub fn bytes(&self, name: &str, bytes: &[u8]) -> Result<PathBuf, JobError> {
        let path = self.path(name);
        crate::io::write_atomic(&path, bytes).map_err(|e| JobError::file(&path, e))?;
        Ok(path)
    }

    /// Writes `text` (CSV, plain text) as `name`.
    pub fn text(&self, name: &str, text: &str) -> Result<PathBuf, JobError> {
        self.bytes(name, text.as_bytes())
    }

    /// Writes `value` as pretty-printed JSON under `name`.
    pub fn json<T: serde::Serialize + ?Sized>(
        &self,
        name: &str,
        value: &T,
    ) -> Result<PathBuf, JobError> {
        let path = self.path(name);
        let json = serde_json::to_vec_pretty(value).map_err(|e| JobError::file(&path, e))?;
        self.bytes(name, &json)
    }

    /// The writer of a sub-folder (e.g. `model/`).
    pub fn sub(&self, name: &str) -> Outputs {
        Outputs::new(&self.path(name))
    }
}
