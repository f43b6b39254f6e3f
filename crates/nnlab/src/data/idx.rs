//! IDX files (the MNIST family's format), raw or gzip-compressed: a fully validating, streaming
//! reader with bounded memory and a small atomic writer.
//!
//! Layout: a 4-byte magic number `00 00 <type> <ndims>`, then `ndims` big-endian `u32`
//! dimensions, then the payload in row-major order. Only element type `0x08` (unsigned byte)
//! is supported. Gzip is detected by its magic bytes `1f 8b`, never by the file name.
//!
//! Bounded reads: the header is read and checked first; the payload size it describes is
//! computed with overflow-safe arithmetic and must be at most [`MAX_PAYLOAD_BYTES`]; a raw
//! regular file must have exactly header + payload bytes (checked from its length, before
//! reading). Then exactly the described number of bytes is read from the (decompressed)
//! stream, so memory never exceeds the header's own claim — a gzip bomb or an endless stream
//! such as `/dev/zero` cannot make the reader allocate more — and any data after the payload
//! is an error (counted up to [`TRAILING_SCAN_BYTES`], then reported as "more than").

use std::io::{self, Read, Write};
use std::path::Path;

use super::DataError;

/// An IDX array of unsigned bytes: its dimensions and its row-major payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxArray {
    pub dims: Vec<usize>,
    pub data: Vec<u8>,
}

/// The largest dimension count accepted (MNIST-style files use 1 or 3).
pub const MAX_DIMS: usize = 4;

/// The largest payload read from one IDX file: 1 GiB (the largest registry file, the MNIST
/// training images, holds 47 MB). A header describing more is rejected before any allocation.
pub const MAX_PAYLOAD_BYTES: u64 = 1 << 30;

/// How many bytes after the payload are counted (and discarded, never stored) to report the
/// length of an over-long stream; beyond this the error says "more than".
pub const TRAILING_SCAN_BYTES: u64 = 64 << 20;

/// Gzip's magic bytes.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Reads an IDX file of unsigned bytes, gunzipping it first when it starts with the gzip magic.
/// Memory is bounded by the payload size the header describes (see the module doc).
pub fn read_idx(path: &Path) -> Result<IdxArray, DataError> {
    let origin = path.display().to_string();
    let read_err = |source| DataError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_err)?;
    let meta = file.metadata().map_err(read_err)?;
    let mut reader = io::BufReader::new(file);
    let mut magic = [0u8; 2];
    let n = read_full(&mut reader, &mut magic).map_err(read_err)?;
    let stream = io::Cursor::new(magic[..n].to_vec()).chain(reader);
    if magic[..n] == GZIP_MAGIC {
        let gz_err = |source| DataError::Gzip {
            origin: origin.clone(),
            source,
        };
        read_stream(
            flate2::read::MultiGzDecoder::new(stream),
            &origin,
            None,
            &gz_err,
        )
    } else {
        let len = meta.is_file().then_some(meta.len());
        read_stream(stream, &origin, len, &read_err)
    }
}

/// Parses IDX bytes (raw or gzip) already in memory. `origin` names them in error messages.
pub fn parse_idx(bytes: &[u8], origin: &str) -> Result<IdxArray, DataError> {
    // Reading a slice cannot fail, so the only I/O errors are the decoder's.
    let gz_err = |source| DataError::Gzip {
        origin: origin.to_string(),
        source,
    };
    if is_gzip(bytes) {
        return read_stream(
            flate2::read::MultiGzDecoder::new(bytes),
            origin,
            None,
            &gz_err,
        );
    }
    read_stream(bytes, origin, Some(bytes.len() as u64), &gz_err)
}

/// Reads `buf.len()` bytes or up to the end of the stream; returns how many were read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Reads one IDX array from a decoded stream: header, size checks, exactly the payload, then
/// a check that the stream ends. `total_len` is the stream's length when known (a raw regular
/// file or a slice), which lets a wrong payload length fail before anything is read.
fn read_stream(
    mut r: impl Read,
    origin: &str,
    total_len: Option<u64>,
    io_err: &dyn Fn(io::Error) -> DataError,
) -> Result<IdxArray, DataError> {
    let mut prefix = [0u8; 4];
    let n = read_full(&mut r, &mut prefix).map_err(io_err)?;
    let ndims = check_prefix(&prefix[..n], origin)?;
    let header_len = 4 + 4 * ndims;
    let mut raw_dims = vec![0u8; 4 * ndims];
    let n = read_full(&mut r, &mut raw_dims).map_err(io_err)?;
    if n < raw_dims.len() {
        return Err(DataError::TruncatedHeader {
            origin: origin.to_string(),
            expected: header_len,
            for_dims: format!(
                " for {ndims} dimension{}",
                if ndims == 1 { "" } else { "s" }
            ),
            found: 4 + n,
        });
    }
    let dims: Vec<usize> = raw_dims
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    // At most 4 factors below 2^32: the product fits u128, but stay overflow-safe regardless.
    let expected = dims
        .iter()
        .try_fold(1u128, |acc, &d| acc.checked_mul(d as u128))
        .unwrap_or(u128::MAX);
    let length_error = |found: String| DataError::PayloadLength {
        origin: origin.to_string(),
        dims: format_dims(&dims),
        expected,
        found,
    };
    if let Some(total) = total_len {
        let found = total.saturating_sub(header_len as u64);
        if u128::from(found) != expected {
            return Err(length_error(found.to_string()));
        }
    }
    if expected > u128::from(MAX_PAYLOAD_BYTES) {
        return Err(DataError::TooLarge {
            origin: origin.to_string(),
            dims: format_dims(&dims),
            bytes: expected,
            max: MAX_PAYLOAD_BYTES,
        });
    }
    let expected = expected as u64; // ≤ MAX_PAYLOAD_BYTES
    // Grow with the data actually read, so a short stream never costs the claimed size.
    let mut data = Vec::with_capacity(expected.min(1 << 26) as usize);
    (&mut r)
        .take(expected)
        .read_to_end(&mut data)
        .map_err(io_err)?;
    if (data.len() as u64) < expected {
        return Err(length_error(data.len().to_string()));
    }
    // Reading to the end also makes the gzip decoder check its CRC.
    let extra = io::copy(&mut r.take(TRAILING_SCAN_BYTES), &mut io::sink()).map_err(io_err)?;
    if extra == TRAILING_SCAN_BYTES {
        return Err(length_error(format!("more than {}", expected + extra)));
    }
    if extra > 0 {
        return Err(length_error((expected + extra).to_string()));
    }
    Ok(IdxArray { dims, data })
}

/// Checks the first 4 bytes (magic, element type, dimension count); returns the dimension
/// count. `prefix` holds fewer than 4 bytes when the stream was shorter.
fn check_prefix(prefix: &[u8], origin: &str) -> Result<usize, DataError> {
    let origin_s = || origin.to_string();
    if prefix.is_empty() {
        return Err(DataError::Empty { origin: origin_s() });
    }
    if prefix.len() < 4 {
        return Err(DataError::TruncatedHeader {
            origin: origin_s(),
            expected: 4,
            for_dims: String::new(),
            found: prefix.len(),
        });
    }
    if prefix[0] != 0 || prefix[1] != 0 {
        let found = prefix
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(" ");
        return Err(DataError::BadMagic {
            origin: origin_s(),
            found,
        });
    }
    let code = prefix[2];
    if code != 0x08 {
        return Err(DataError::UnsupportedType {
            origin: origin_s(),
            found: code,
            found_name: type_name(code),
        });
    }
    let ndims = prefix[3];
    if ndims == 0 || ndims as usize > MAX_DIMS {
        return Err(DataError::BadDimensionCount {
            origin: origin_s(),
            found: ndims,
        });
    }
    Ok(ndims as usize)
}

/// Writes an IDX file of unsigned bytes atomically, gzip-compressed when `gzip` is true.
/// `dims` must have 1 to 4 entries, each at most `u32::MAX`, whose product is `data.len()`.
pub fn write_idx_u8(path: &Path, dims: &[usize], data: &[u8], gzip: bool) -> Result<(), DataError> {
    let origin = path.display().to_string();
    if dims.is_empty() || dims.len() > MAX_DIMS {
        return Err(DataError::Shape {
            origin,
            expected: format!("1 to {MAX_DIMS} dimensions"),
            found: format!("{} dimensions", dims.len()),
        });
    }
    let product = dims.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d));
    if dims.iter().any(|&d| d > u32::MAX as usize) || product != Some(data.len()) {
        return Err(DataError::Shape {
            origin,
            expected: format!(
                "dimensions of at most {} each whose product is the data length {}",
                u32::MAX,
                data.len()
            ),
            found: format!("dimensions {}", format_dims(dims)),
        });
    }
    let mut header = vec![0u8, 0, 0x08, dims.len() as u8];
    for &d in dims {
        header.extend_from_slice(&(d as u32).to_be_bytes());
    }
    let result = crate::io::write_atomic_with(path, |file| {
        if gzip {
            let mut enc = flate2::write::GzEncoder::new(file, flate2::Compression::default());
            enc.write_all(&header)?;
            enc.write_all(data)?;
            enc.finish()?;
            Ok(())
        } else {
            file.write_all(&header)?;
            file.write_all(data)
        }
    });
    result.map_err(|source| DataError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Whether `bytes` start with the gzip magic number.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&GZIP_MAGIC)
}

/// The md5 of the decoded content of `bytes` (gunzipped when gzip), streamed: nothing
/// proportional to the decoded size is held in memory.
pub(crate) fn decoded_md5_of(bytes: &[u8], origin: &str) -> Result<String, DataError> {
    md5_of_stream(bytes, origin)
}

/// The md5 of the decoded content of the file at `path` (gunzipped when gzip), streamed.
pub(crate) fn decoded_md5_of_file(path: &Path) -> Result<String, DataError> {
    let file = std::fs::File::open(path).map_err(|source| DataError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    md5_of_stream(io::BufReader::new(file), &path.display().to_string())
}

/// The md5 of the file at `path` as stored (no decoding), streamed.
pub(crate) fn raw_md5_of_file(path: &Path) -> Result<String, DataError> {
    use md5::{Digest, Md5};
    let read_err = |source| DataError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(read_err)?;
    let mut hasher = Md5::new();
    io::copy(&mut file, &mut hasher).map_err(read_err)?;
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

fn md5_of_stream(mut r: impl io::BufRead, origin: &str) -> Result<String, DataError> {
    use md5::{Digest, Md5};
    let err = |source| DataError::Gzip {
        origin: origin.to_string(),
        source,
    };
    let mut hasher = Md5::new();
    let gz = r.fill_buf().map_err(err)?.starts_with(&GZIP_MAGIC);
    if gz {
        io::copy(&mut flate2::bufread::MultiGzDecoder::new(r), &mut hasher).map_err(err)?;
    } else {
        io::copy(&mut r, &mut hasher).map_err(err)?;
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Formats dimensions as `10000×28×28`.
pub fn format_dims(dims: &[usize]) -> String {
    dims.iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join("×")
}

/// The name of an IDX element type code, for error messages.
fn type_name(code: u8) -> &'static str {
    match code {
        0x08 => "unsigned byte",
        0x09 => "signed byte",
        0x0B => "16-bit integer",
        0x0C => "32-bit integer",
        0x0D => "32-bit float",
        0x0E => "64-bit float",
        _ => "not an IDX element type",
    }
}

#[cfg(test)]
#[path = "idx_tests.rs"]
mod tests;
