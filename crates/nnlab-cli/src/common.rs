//! Options shared by the commands that load data and train: where the data are, whether to
//! download, which device, and whether to draw progress bars.

use clap::Args;
use nnlab::device::DeviceChoice;
use std::path::PathBuf;

/// Data, device and progress options (flattened into each command's arguments).
#[derive(Args)]
pub struct Common {
    /// Folder holding <dataset>/<file>.gz [default: $NNLAB_DATA, else ~/.cache/nnlab].
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Where tensors live: cpu (Burn flex backend), cuda or wgpu (need a --features cuda / wgpu build).
    #[arg(long, default_value = "cpu")]
    pub device: DeviceChoice,
    /// Never download missing dataset files (report them instead).
    #[arg(long)]
    pub offline: bool,
    /// No progress bars.
    #[arg(long, short)]
    pub quiet: bool,
}
