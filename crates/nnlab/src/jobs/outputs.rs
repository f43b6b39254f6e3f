//! [`Outputs`]: the single writer of a run's files. Every file appears complete under its final
//! name or not at all ([`crate::io::write_atomic`]), every error names the path, and every
//! figure is written in the run's formats ([`Outputs::figure`]).

use super::JobError;
use crate::plot::{Figures, Target};
use std::path::{Path, PathBuf};

/// Writes the files of one run into its output folder.
#[derive(Clone, Debug)]
pub struct Outputs {
    dir: PathBuf,
    figures: Figures,
}

impl Outputs {
    /// A writer into `dir` (created on the first write) whose figures are PNG.
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
            figures: Figures::Png,
        }
    }

    /// This writer with its figures written in the formats `figures`.
    pub fn with_figures(self, figures: Figures) -> Self {
        Self { figures, ..self }
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

    /// Where figure `stem` (a name without extension, e.g. `loss`) goes: `stem.png`,
    /// `stem.svg` or both, as the run's figure formats say. Every figure of every job is
    /// written through this, so the formats are chosen in one place.
    pub fn figure(&self, stem: &str) -> Target {
        Target::new(&self.path(stem), self.figures)
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
        Outputs::new(&self.path(name)).with_figures(self.figures)
    }
}
