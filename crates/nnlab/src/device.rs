//! Choosing where tensors live: the pure-Rust CPU backend `flex` (always available), a CUDA GPU
//! (only when nnlab is built with the `cuda` cargo feature) or a GPU through wgpu (Vulkan on
//! Linux, Metal on macOS; the `wgpu` feature); and the floating-point mode of the
//! threads that compute on the CPU (subnormal floats flushed to zero, see [`set_denormals`]).

use burn::prelude::Device;
use rayon::{ThreadPool, ThreadPoolBuilder};
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};

/// The device a user asks for (`cpu`, `cuda` or `wgpu`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeviceChoice {
    /// Burn's `flex` CPU backend (SIMD + rayon).
    #[default]
    Cpu,
    /// The first CUDA GPU, `Device::cuda(0)`.
    Cuda,
    /// The default GPU adapter of wgpu (`Device::wgpu(DeviceKind::DefaultDevice)`).
    Wgpu,
}

impl FromStr for DeviceChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "cpu" | "flex" => Ok(Self::Cpu),
            "cuda" | "gpu" => Ok(Self::Cuda),
            "wgpu" | "vulkan" => Ok(Self::Wgpu),
            other => Err(format!(
                "unknown device '{other}': expected 'cpu', 'cuda' or 'wgpu'"
            )),
        }
    }
}

impl fmt::Display for DeviceChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Cpu => "cpu",
            Self::Cuda => "cuda",
            Self::Wgpu => "wgpu",
        })
    }
}

impl DeviceChoice {
    /// The Burn device (without autodiff). Asking for a GPU in a build without its feature
    /// (`cuda`, `wgpu`) is an error that says how to rebuild.
    ///
    /// Choosing the CPU also applies the process's subnormal policy (flush unless changed, see
    /// [`apply_denormals`]) to the calling thread and to every rayon worker.
    pub fn device(self) -> Result<Device, String> {
        match self {
            Self::Cpu => {
                apply_denormals();
                Ok(Device::flex())
            }
            #[cfg(feature = "cuda")]
            Self::Cuda => Ok(Device::cuda(0)),
            #[cfg(not(feature = "cuda"))]
            Self::Cuda => Err(
                "this nnlab was built without CUDA support; rebuild it with its \
                 `cuda` cargo feature enabled (needs the CUDA toolkit, and network access at \
                 build time for the LLVM bundle of Burn's CUDA compiler)"
                    .into(),
            ),
            #[cfg(feature = "wgpu")]
            Self::Wgpu => Ok(Device::wgpu(burn::tensor::DeviceKind::DefaultDevice)),
            #[cfg(not(feature = "wgpu"))]
            Self::Wgpu => Err(
                "this nnlab was built without wgpu support; rebuild it with its \
                 `wgpu` cargo feature enabled (runs on Vulkan; needs the Vulkan loader, e.g. \
                 Debian's libvulkan1, and a GPU driver)"
                    .into(),
            ),
        }
    }
}

/// What the CPU does with subnormal floats (|x| < 2⁻¹²⁶ ≈ 1.18e-38 in f32).
///
/// IEEE 754 gives these tiny numbers gradual underflow; many x86 cores handle them in microcode,
/// at up to ~100 cycles per operation. Training produces them: sigmoid outputs near 0, the
/// gradients through them, and Adam moments of weights that stopped moving decay into the
/// subnormal range. Flushing replaces every subnormal input and result by ±0: a change of at
/// most 2⁻¹²⁶ in absolute value per operation, far below the f32 rounding (relative 2⁻²⁴) of any
/// quantity that matters (losses, scores and weights of order 1e-3 and above).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denormals {
    /// Flush subnormal results to zero and read subnormal inputs as zero (x86 MXCSR FTZ + DAZ,
    /// aarch64 FPCR.FZ). The default.
    Flush,
    /// IEEE gradual underflow (the hardware default).
    Keep,
}

impl Denormals {
    /// The environment variable that selects the policy: `keep` keeps subnormals, anything
    /// else (or unset) flushes them.
    pub const ENV: &'static str = "NNLAB_DENORMALS";

    /// The policy `$NNLAB_DENORMALS` asks for: [`Denormals::Keep`] for `keep`, else
    /// [`Denormals::Flush`].
    pub fn from_env() -> Self {
        Self::from_setting(std::env::var(Self::ENV).ok().as_deref())
    }

    /// The policy a value of [`Denormals::ENV`] asks for (`None`: unset).
    pub fn from_setting(value: Option<&str>) -> Self {
        match value {
            Some(v) if v.trim().eq_ignore_ascii_case("keep") => Self::Keep,
            _ => Self::Flush,
        }
    }
}

/// The process's policy: 0 = not chosen yet (read [`Denormals::ENV`]), 1 = flush, 2 = keep.
static POLICY: AtomicU8 = AtomicU8::new(0);

/// Makes `mode` the process's policy and applies it to the calling thread, to every thread
/// of rayon's global pool (the pool in which Burn's `flex` backend and its gemm kernels compute;
/// broadcasting to it creates it if needed, with all its threads) and to the threads of
/// [`shard_pools`] (which start in the policy's mode). The floating-point mode is per thread:
/// threads of other pools are not covered. On targets other than x86-64 and aarch64 it does
/// nothing.
pub fn set_denormals(mode: Denormals) {
    POLICY.store(
        match mode {
            Denormals::Flush => 1,
            Denormals::Keep => 2,
        },
        Ordering::Relaxed,
    );
    fp_mode::set(mode);
    rayon::broadcast(|_| fp_mode::set(mode));
    for pool in SHARD_POOLS.get().into_iter().flatten() {
        pool.broadcast(|_| fp_mode::set(mode));
    }
}

/// The process's policy ([`Denormals::from_env`] until [`set_denormals`] chooses one).
fn policy() -> Denormals {
    match POLICY.load(Ordering::Relaxed) {
        1 => Denormals::Flush,
        2 => Denormals::Keep,
        _ => Denormals::from_env(),
    }
}

/// Applies the process's policy ([`Denormals::from_env`] until [`set_denormals`] chooses one)
/// to the calling thread and the rayon pool. Jobs call it when they set up the CPU device
/// ([`DeviceChoice::device`]) and [`crate::train::fit`] before training, so library users and
/// tests get it without calling anything.
pub fn apply_denormals() {
    set_denormals(policy());
}

/// The policy in force on the calling thread.
pub fn denormals() -> Denormals {
    fp_mode::get()
}

/// The number of threads of rayon's global pool, in which the CPU backend computes
/// (`$RAYON_NUM_THREADS`, else one per core).
pub fn compute_threads() -> usize {
    rayon::current_num_threads()
}

static SHARD_POOLS: OnceLock<Vec<ThreadPool>> = OnceLock::new();

/// One single-thread rayon pool per compute thread ([`compute_threads`]; fewer if the system
/// refuses threads), created on first use, for data-parallel work ([`crate::train::shards`]): a
/// job installed in pool i runs on that pool's thread, and the parallel loops Burn's CPU backend
/// runs inside it stay on that thread instead of competing for the global pool. Their threads
/// follow the denormals policy.
pub fn shard_pools() -> &'static [ThreadPool] {
    SHARD_POOLS.get_or_init(|| {
        (0..compute_threads())
            .filter_map(|i| {
                ThreadPoolBuilder::new()
                    .num_threads(1)
                    .thread_name(move |_| format!("nnlab-shard-{i}"))
                    .start_handler(|_| fp_mode::set(policy()))
                    .build()
                    .ok()
            })
            .collect()
    })
}

/// Reading and writing the per-thread floating-point control register.
mod fp_mode {
    use super::Denormals;

    #[cfg(target_arch = "x86_64")]
    mod reg {
        /// MXCSR bit 15: flush-to-zero (subnormal results become 0).
        pub const FLUSH: u32 = 1 << 15;
        /// MXCSR bit 6: denormals-are-zero (subnormal inputs read as 0).
        pub const ALSO: u32 = 1 << 6;
        pub fn read() -> u32 {
            let mut csr: u32 = 0;
            // SAFETY: `stmxcsr` stores the 32-bit MXCSR to the given address, which is a local.
            unsafe {
                std::arch::asm!("stmxcsr [{}]", in(reg) &mut csr, options(nostack));
            }
            csr
        }
        pub fn write(csr: u32) {
            // SAFETY: `ldmxcsr` loads MXCSR from a local; only the FTZ/DAZ bits are changed by
            // the callers, which alter no Rust-visible state beyond float results.
            unsafe {
                std::arch::asm!("ldmxcsr [{}]", in(reg) &csr, options(nostack, readonly));
            }
        }
    }

    #[cfg(target_arch = "aarch64")]
    mod reg {
        /// FPCR bit 24 (FZ): flush subnormal inputs and results to zero.
        pub const FLUSH: u64 = 1 << 24;
        pub const ALSO: u64 = 0;
        pub fn read() -> u64 {
            let fpcr: u64;
            // SAFETY: reading FPCR has no side effects.
            unsafe {
                std::arch::asm!("mrs {}, fpcr", out(reg) fpcr, options(nomem, nostack));
            }
            fpcr
        }
        pub fn write(fpcr: u64) {
            // SAFETY: only the FZ bit is changed by the callers.
            unsafe {
                std::arch::asm!("msr fpcr, {}", in(reg) fpcr, options(nomem, nostack));
            }
        }
    }

    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    pub fn set(mode: Denormals) {
        let bits = reg::FLUSH | reg::ALSO;
        let r = reg::read();
        reg::write(match mode {
            Denormals::Flush => r | bits,
            Denormals::Keep => r & !bits,
        });
    }

    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    pub fn get() -> Denormals {
        if reg::read() & reg::FLUSH != 0 {
            Denormals::Flush
        } else {
            Denormals::Keep
        }
    }

    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    pub fn set(_: Denormals) {}

    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    pub fn get() -> Denormals {
        Denormals::Keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        assert_eq!("cpu".parse::<DeviceChoice>(), Ok(DeviceChoice::Cpu));
        assert_eq!("CUDA".parse::<DeviceChoice>(), Ok(DeviceChoice::Cuda));
        assert_eq!("wgpu".parse::<DeviceChoice>(), Ok(DeviceChoice::Wgpu));
        for d in [DeviceChoice::Cpu, DeviceChoice::Cuda, DeviceChoice::Wgpu] {
            assert_eq!(d.to_string().parse::<DeviceChoice>(), Ok(d));
        }
        let e = "tpu".parse::<DeviceChoice>().unwrap_err();
        assert!(e.contains("tpu") && e.contains("cpu"), "{e}");
        assert!(DeviceChoice::Cpu.device().is_ok());
    }

    /// Without its cargo feature a GPU choice is an error naming the feature to build with
    /// (the CPU-only build of the test suite checks this; GPU builds are checked on GPUs).
    #[test]
    fn gpu_without_its_feature_says_how_to_rebuild() {
        if !cfg!(feature = "wgpu") {
            let e = DeviceChoice::Wgpu.device().unwrap_err();
            assert!(e.contains("`wgpu` cargo feature"), "{e}");
        }
        if !cfg!(feature = "cuda") {
            let e = DeviceChoice::Cuda.device().unwrap_err();
            assert!(e.contains("`cuda` cargo feature"), "{e}");
        }
    }

    #[test]
    fn denormal_setting_parses() {
        assert_eq!(Denormals::from_setting(None), Denormals::Flush);
        assert_eq!(Denormals::from_setting(Some("flush")), Denormals::Flush);
        assert_eq!(Denormals::from_setting(Some(" KEEP ")), Denormals::Keep);
    }
}
