//! [`Env`]: what every job runs in: the output folder, where data come from, the device, the
//! seed and the figure formats.

use super::{JobError, Outputs};
use crate::data::{DataSource, DownloadProgress, Images, Selection, Split};
use crate::device::DeviceChoice;
use crate::plot::Figures;
use burn::prelude::Device;
use std::path::PathBuf;

/// The run environment shared by every job.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Env {
    /// Folder that receives every output of the run.
    pub out: PathBuf,
    /// Folder holding `<dataset>/<file>.gz`; `None` = `$NNLAB_DATA`, else the user cache.
    pub data_dir: Option<PathBuf>,
    /// Never download: missing dataset files are an error.
    pub offline: bool,
    /// Where tensors live.
    pub device: DeviceChoice,
    /// Seed of every random choice of the run (splits, initial weights, batch order, noise).
    pub seed: u64,
    /// The formats every figure of the run is written in (absent in older configs: PNG).
    #[serde(default)]
    pub figures: Figures,
}

impl Env {
    /// The environment of a job named `name`: output into `runs/<name>`, seed 0, CPU, PNG
    /// figures.
    pub fn named(name: &str) -> Self {
        Self {
            out: PathBuf::from("runs").join(name),
            data_dir: None,
            offline: false,
            device: DeviceChoice::Cpu,
            seed: 0,
            figures: Figures::Png,
        }
    }

    /// Checks the environment's own settings.
    pub fn validate(&self) -> Result<(), JobError> {
        if self.out.as_os_str().is_empty() {
            return Err(JobError::setting(
                "out",
                "the output folder must not be empty",
            ));
        }
        Ok(())
    }

    /// The Burn device.
    pub fn device(&self) -> Result<Device, JobError> {
        self.device
            .device()
            .map_err(|e| JobError::setting("device", e))
    }

    /// The writer of this run's outputs.
    pub fn outputs(&self) -> Outputs {
        Outputs::new(&self.out).with_figures(self.figures)
    }

    /// Where datasets are read from (and downloaded to, unless offline).
    pub fn data_source(&self) -> DataSource {
        DataSource::resolve(self.data_dir.as_deref()).with_download(!self.offline)
    }

    /// Loads the selection `spec` (e.g. `mnist`, `kmnist:test:0-4`, a file path), using
    /// `default_split` when the selection names none. `field` names the config field that
    /// holds `spec`, for errors.
    pub fn load(
        &self,
        field: &str,
        spec: &str,
        default_split: Split,
        obs: &mut dyn super::Observer,
    ) -> Result<Images, JobError> {
        let sel = Self::selection(field, spec)?;
        self.load_selection(&sel, default_split, obs)
    }

    /// Parses the data selection `spec` held by config field `field` (errors name the field).
    pub fn selection(field: &str, spec: &str) -> Result<Selection, JobError> {
        spec.parse()
            .map_err(|e: crate::data::DataError| JobError::setting(field, e.to_string()))
    }

    /// Loads a parsed selection (see [`Env::load`]); downloads report to `obs`.
    pub fn load_selection(
        &self,
        sel: &Selection,
        default_split: Split,
        obs: &mut dyn super::Observer,
    ) -> Result<Images, JobError> {
        Ok(sel.load(&self.data_source(), default_split, &mut Relay(obs))?)
    }
}

/// Hands download progress of the data layer to a job's [`super::Observer`].
pub struct Relay<'a>(pub &'a mut dyn super::Observer);

impl DownloadProgress for Relay<'_> {
    fn download(&mut self, file: &str, done: u64, total: Option<u64>) {
        self.0.download(file, done, total);
    }
}
