//! The error type of [`crate::data`]: every variant names the file (or selection) it concerns,
//! what was expected and what was found, so a message alone tells the user what to fix.

use std::path::PathBuf;

/// Everything that can go wrong while reading, fetching, checking or selecting data.
///
/// Bad input never panics: it yields one of these variants. `origin` fields hold the file
/// path (or the selection string) as the user would recognise it.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file could not be read (absent, permissions, I/O failure).
    #[error("{}: cannot read: {source}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The file could not be written.
    #[error("{}: cannot write: {source}", .path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The data start with the gzip magic bytes but do not decode.
    #[error("{origin}: corrupt or truncated gzip data: {source}")]
    Gzip {
        origin: String,
        #[source]
        source: std::io::Error,
    },

    /// The file is empty.
    #[error("{origin}: empty file: expected an IDX header (at least 4 bytes), found 0 bytes")]
    Empty { origin: String },

    /// The header is shorter than its own description requires.
    #[error(
        "{origin}: truncated header: expected at least {expected} bytes{for_dims}, found {found}"
    )]
    TruncatedHeader {
        origin: String,
        expected: usize,
        /// Empty, or " for N dimensions" once the dimension count is known.
        for_dims: String,
        found: usize,
    },

    /// The first two bytes are not zero: this is not an IDX file.
    #[error("{origin}: not an IDX file: expected magic number 00 00 <type> <ndims>, found {found}")]
    BadMagic { origin: String, found: String },

    /// The element type is not unsigned bytes.
    #[error(
        "{origin}: unsupported element type: expected 0x08 (unsigned byte), found 0x{found:02X} ({found_name})"
    )]
    UnsupportedType {
        origin: String,
        found: u8,
        found_name: &'static str,
    },

    /// The dimension count is outside 1..=4.
    #[error("{origin}: bad dimension count: expected 1 to 4 dimensions, found {found}")]
    BadDimensionCount { origin: String, found: u8 },

    /// The payload does not hold exactly the number of bytes the dimensions describe.
    #[error(
        "{origin}: payload length mismatch: dimensions {dims} need {expected} bytes after the header, found {found}"
    )]
    PayloadLength {
        origin: String,
        dims: String,
        expected: u128,
        /// The byte count found, e.g. `5`, or `more than N` when the reader stopped early.
        found: String,
    },

    /// The header describes more data than the reader accepts (see
    /// [`crate::data::idx::MAX_PAYLOAD_BYTES`]); nothing was allocated for it.
    #[error(
        "{origin}: too large: dimensions {dims} describe {bytes} bytes, more than the {max} bytes nnlab reads from one IDX file"
    )]
    TooLarge {
        origin: String,
        dims: String,
        bytes: u128,
        max: u64,
    },

    /// The data have the wrong shape for their use (e.g. images that are not 3-D).
    #[error("{origin}: wrong shape: expected {expected}, found {found}")]
    Shape {
        origin: String,
        expected: String,
        found: String,
    },

    /// Images and labels disagree on the number of items.
    #[error(
        "label count mismatch: {images} holds {n_images} images, so {labels} should hold {n_images} labels, found {n_labels}"
    )]
    LabelCount {
        images: String,
        labels: String,
        n_images: usize,
        n_labels: usize,
    },

    /// A file's md5 differs from the published one.
    #[error(
        "{origin}: checksum mismatch: expected md5 {expected} of the {what}, found {found} (the file is corrupt, truncated or not the published one)"
    )]
    Checksum {
        origin: String,
        /// "decoded payload" or "compressed file".
        what: &'static str,
        expected: String,
        found: String,
    },

    /// Data files are absent and could not be downloaded.
    #[error("{}", missing_message(.files, .reason))]
    Missing {
        /// Each missing file's full path and the URL it can be fetched from.
        files: Vec<(PathBuf, String)>,
        /// Why they were not downloaded (downloads disabled, network failure...).
        reason: String,
    },

    /// The dataset name is not in the registry.
    #[error("{name}: unknown dataset: expected one of {known} (or a path to an IDX images file)")]
    UnknownDataset { name: String, known: String },

    /// A selection string does not parse.
    #[error("{input}: invalid selection: {message}")]
    Selection { input: String, message: String },

    /// A label filter was asked of data that have no labels.
    #[error(
        "{origin}: label filter {filter} needs labels, found images without labels (give IMAGES+LABELS)"
    )]
    NoLabels { origin: String, filter: String },

    /// A label filter matched no image.
    #[error(
        "{origin}: no images left: expected at least one image with labels {filter}, found none"
    )]
    NoMatch { origin: String, filter: String },

    /// A train/validation split was asked with an impossible size.
    #[error("{origin}: cannot split off {n_val} validation images: expected 1 <= n_val < n = {n}")]
    BadSplit {
        origin: String,
        n: usize,
        n_val: usize,
    },
}

fn missing_message(files: &[(PathBuf, String)], reason: &str) -> String {
    let mut s = format!("missing data files ({reason}):\n");
    for (path, _) in files {
        s.push_str(&format!("  {}\n", path.display()));
    }
    s.push_str("Fetch them from:\n");
    for (_, url) in files {
        s.push_str(&format!("  {url}\n"));
    }
    s.push_str(
        "and place them at the paths above, or point nnlab at a folder that already has them \
         with the data_dir setting (a folder DIR) or the NNLAB_DATA environment variable \
         (layout: DIR/<dataset>/<file>, e.g. DIR/mnist/t10k-images-idx3-ubyte.gz).",
    );
    s
}
