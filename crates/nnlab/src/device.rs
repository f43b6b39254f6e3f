//! Choosing where tensors live: the pure-Rust CPU backend `flex` (always available) or a CUDA GPU
//! (only when nnlab is built with the `cuda` cargo feature).

use burn::prelude::Device;
use std::fmt;
use std::str::FromStr;

/// The device a user asks for on the command line (`--device cpu|cuda`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceChoice {
    /// Burn's `flex` CPU backend (SIMD + rayon).
    #[default]
    Cpu,
    /// The first CUDA GPU, `Device::cuda(0)`.
    Cuda,
}

impl FromStr for DeviceChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "cpu" | "flex" => Ok(Self::Cpu),
            "cuda" | "gpu" => Ok(Self::Cuda),
            other => Err(format!(
                "unknown device '{other}': expected 'cpu' or 'cuda'"
            )),
        }
    }
}

impl fmt::Display for DeviceChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Cpu => "cpu",
            Self::Cuda => "cuda",
        })
    }
}

impl DeviceChoice {
    /// The Burn device (without autodiff). Asking for CUDA in a build without the `cuda`
    /// feature is an error that says how to rebuild.
    pub fn device(self) -> Result<Device, String> {
        match self {
            Self::Cpu => Ok(Device::flex()),
            #[cfg(feature = "cuda")]
            Self::Cuda => Ok(Device::cuda(0)),
            #[cfg(not(feature = "cuda"))]
            Self::Cuda => Err("this nnlab was built without CUDA support; rebuild with \
                 `cargo build --release --features cuda` (needs the CUDA toolkit)"
                .into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!("cpu".parse::<DeviceChoice>(), Ok(DeviceChoice::Cpu));
        assert_eq!("CUDA".parse::<DeviceChoice>(), Ok(DeviceChoice::Cuda));
        let e = "tpu".parse::<DeviceChoice>().unwrap_err();
        assert!(e.contains("tpu") && e.contains("cpu"), "{e}");
        assert!(DeviceChoice::Cpu.device().is_ok());
    }
}
