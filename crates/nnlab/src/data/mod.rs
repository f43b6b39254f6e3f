//! Data: IDX files, the dataset registry (MNIST, KMNIST, Fashion-MNIST), selections such as
//! `mnist:test:0-4`, and seeded train/validation splits.
//!
//! - [`idx`]: the validating IDX reader (raw or gzip) and a small writer.
//! - [`images`]: [`Images`] in memory, subsets, label filters, [`Images::train_val_split`].
//! - [`registry`]: datasets, their files, canonical URLs and published checksums.
//! - [`source`]: the data root (`--data-dir`, then `NNLAB_DATA`, then the user cache), download
//!   of missing files with checksum and atomic write, [`verify`].
//! - [`selection`]: the [`Selection`] syntax and its loading.
//! - [`augment`]: random shifts and rotations, only on the training part of a split.
//! - [`error`]: [`DataError`], whose messages name the file, what was expected and what was found.
//!
//! ```no_run
//! use nnlab::data::{DataSource, Selection, Split};
//! let source = DataSource::resolve(None);
//! let sel: Selection = "mnist:test:0-4".parse()?;
//! let images = sel.load(&source, Split::Train, &mut ())?;
//! let (train, val) = images.train_val_split(1000, 42)?;
//! # Ok::<(), nnlab::data::DataError>(())
//! ```

pub mod augment;
mod download;
pub mod error;
#[cfg(test)]
pub(crate) mod fuzz_tests;
pub mod idx;
pub mod images;
pub mod registry;
pub mod selection;
pub mod source;
#[doc(hidden)]
pub mod testing;

pub use error::DataError;
pub use idx::{IdxArray, parse_idx, read_idx, write_idx_u8};
pub use images::{Images, format_labels};
pub use registry::{Checksum, DataFile, Dataset, FileKind, Split, md5_hex};
pub use selection::{Selection, parse_labels};
pub use source::{DataSource, decoded_md5, resolve_root, verify};

/// Receives the progress of dataset downloads (a front end draws it). `()` ignores it.
pub trait DownloadProgress {
    /// `done` of `total` bytes of `file` have arrived (`total` is `None` when the server does
    /// not announce the size); called with `done = 0` when a download starts.
    fn download(&mut self, file: &str, done: u64, total: Option<u64>);
}

impl DownloadProgress for () {
    fn download(&mut self, _file: &str, _done: u64, _total: Option<u64>) {}
}
