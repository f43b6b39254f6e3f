//! [`JobError`]: the one error type of every job. Its messages speak of config fields, never of
//! command-line flags; a front end maps [`JobError::Setting`] fields to its own option names.

use crate::data::DataError;
use crate::plot::PlotError;
use crate::train::TrainError;
use std::path::{Path, PathBuf};

/// Why a job failed, each variant saying what to fix.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// A setting is out of range or inconsistent. `field` is the config field's path, e.g.
    /// `train.lr` or `validation`.
    #[error("{field}: {message}")]
    Setting { field: String, message: String },
    /// Loading or selecting data failed.
    #[error(transparent)]
    Data(#[from] DataError),
    /// Training failed (diverged, bad training setting).
    #[error(transparent)]
    Train(#[from] TrainError),
    /// A figure could not be drawn or written.
    #[error(transparent)]
    Plot(#[from] PlotError),
    /// A file could not be read or written; names the path.
    #[error("{}: {message}", path.display())]
    File { path: PathBuf, message: String },
    /// The inputs are valid one by one but the run cannot proceed (e.g. image sizes differ
    /// between data sets, or a result is undefined).
    #[error("{0}")]
    Run(String),
}

impl JobError {
    /// A [`JobError::Setting`] for config field `field`.
    pub fn setting(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Setting {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A [`JobError::File`] for `path`.
    pub fn file(path: &Path, message: impl std::fmt::Display) -> Self {
        Self::File {
            path: path.to_path_buf(),
            message: message.to_string(),
        }
    }
}
