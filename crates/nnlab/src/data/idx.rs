//! IDX files (the MNIST family's format), raw or gzip-compressed: a fully validating reader and a
//! small atomic writer.
//!
//! Layout: a 4-byte magic number `00 00 <type> <ndims>`, then `ndims` big-endian `u32`
//! dimensions, then the payload in row-major order. Only element type `0x08` (unsigned byte)
//! is supported. Gzip is detected by its magic bytes `1f 8b`, never by the file name.
//! Every size is checked against the actual payload length before anything is allocated, so a
//! corrupt or hostile header cannot make the reader allocate huge memory or panic.

use std::io::{Read, Write};
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

/// Gzip's magic bytes.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Reads an IDX file of unsigned bytes, gunzipping it first when it starts with the gzip magic.
pub fn read_idx(path: &Path) -> Result<IdxArray, DataError> {
    let origin = path.display().to_string();
    let bytes = read_decoded(path)?;
    let (dims, header_len) = parse_header(&bytes, &origin)?;
    let mut data = bytes;
    data.drain(..header_len);
    Ok(IdxArray { dims, data })
}

/// Parses IDX bytes (raw or gzip) already in memory. `origin` names them in error messages.
pub fn parse_idx(bytes: &[u8], origin: &str) -> Result<IdxArray, DataError> {
    if is_gzip(bytes) {
        let decoded = gunzip(bytes, origin)?;
        let (dims, header_len) = parse_header(&decoded, origin)?;
        let mut data = decoded;
        data.drain(..header_len);
        return Ok(IdxArray { dims, data });
    }
    let (dims, header_len) = parse_header(bytes, origin)?;
    Ok(IdxArray {
        dims,
        data: bytes[header_len..].to_vec(),
    })
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

/// Reads a file and returns its decoded bytes (gunzipped when it is gzip).
pub(crate) fn read_decoded(path: &Path) -> Result<Vec<u8>, DataError> {
    let bytes = std::fs::read(path).map_err(|source| DataError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if is_gzip(&bytes) {
        gunzip(&bytes, &path.display().to_string())
    } else {
        Ok(bytes)
    }
}

/// Decodes a (possibly multi-member) gzip stream.
pub(crate) fn gunzip(bytes: &[u8], origin: &str) -> Result<Vec<u8>, DataError> {
    let mut out = Vec::with_capacity(bytes.len().saturating_mul(4));
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|source| DataError::Gzip {
            origin: origin.to_string(),
            source,
        })?;
    Ok(out)
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

/// Validates the header of decoded IDX bytes against the payload length; returns the
/// dimensions and the header length. Allocates nothing proportional to the dimensions.
fn parse_header(bytes: &[u8], origin: &str) -> Result<(Vec<usize>, usize), DataError> {
    let origin_s = || origin.to_string();
    if bytes.is_empty() {
        return Err(DataError::Empty { origin: origin_s() });
    }
    if bytes.len() < 4 {
        return Err(DataError::TruncatedHeader {
            origin: origin_s(),
            expected: 4,
            for_dims: String::new(),
            found: bytes.len(),
        });
    }
    if bytes[0] != 0 || bytes[1] != 0 {
        let found = bytes[..4]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(" ");
        return Err(DataError::BadMagic {
            origin: origin_s(),
            found,
        });
    }
    let code = bytes[2];
    if code != 0x08 {
        return Err(DataError::UnsupportedType {
            origin: origin_s(),
            found: code,
            found_name: type_name(code),
        });
    }
    let ndims = bytes[3];
    if ndims == 0 || ndims as usize > MAX_DIMS {
        return Err(DataError::BadDimensionCount {
            origin: origin_s(),
            found: ndims,
        });
    }
    let header_len = 4 + 4 * ndims as usize;
    if bytes.len() < header_len {
        return Err(DataError::TruncatedHeader {
            origin: origin_s(),
            expected: header_len,
            for_dims: format!(
                " for {ndims} dimension{}",
                if ndims == 1 { "" } else { "s" }
            ),
            found: bytes.len(),
        });
    }
    let dims: Vec<usize> = bytes[4..header_len]
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    // At most 4 factors below 2^32: the product fits u128, but stay overflow-safe regardless.
    let expected = dims
        .iter()
        .try_fold(1u128, |acc, &d| acc.checked_mul(d as u128))
        .unwrap_or(u128::MAX);
    let found = bytes.len() - header_len;
    if expected != found as u128 {
        return Err(DataError::PayloadLength {
            origin: origin_s(),
            dims: format_dims(&dims),
            expected,
            found,
        });
    }
    Ok((dims, header_len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(code: u8, dims: &[u32]) -> Vec<u8> {
        let mut h = vec![0, 0, code, dims.len() as u8];
        for d in dims {
            h.extend_from_slice(&d.to_be_bytes());
        }
        h
    }

    /// Writes `bytes` to `name` in a fresh temp dir, reads it back, and checks that the
    /// error message names the file.
    fn read_err(name: &str, bytes: &[u8]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let msg = read_idx(&p).unwrap_err().to_string();
        assert!(msg.contains(name), "message names the file: {msg}");
        msg
    }

    #[test]
    fn round_trip_raw_and_gzip() {
        let dir = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..2 * 3 * 4).map(|i| (i * 7) as u8).collect();
        for gzip in [false, true] {
            let p = dir.path().join(format!("a-{gzip}.idx"));
            write_idx_u8(&p, &[2, 3, 4], &data, gzip).unwrap();
            let raw = std::fs::read(&p).unwrap();
            assert_eq!(is_gzip(&raw), gzip);
            let arr = read_idx(&p).unwrap();
            assert_eq!(arr.dims, vec![2, 3, 4]);
            assert_eq!(arr.data, data);
            assert_eq!(parse_idx(&raw, "mem").unwrap(), arr);
        }
        // 1-D labels, gzip detected by content, not by name.
        let p = dir.path().join("labels.idx");
        write_idx_u8(&p, &[5], &[0, 1, 2, 3, 9], true).unwrap();
        assert_eq!(read_idx(&p).unwrap().data, vec![0, 1, 2, 3, 9]);
    }

    #[test]
    fn empty_and_truncated_header() {
        assert!(read_err("empty.idx", &[]).contains("empty file"));
        let m = read_err("short.idx", &[0, 0]);
        assert!(
            m.contains("truncated header") && m.contains("found 2"),
            "{m}"
        );
        let mut h = header(8, &[10000, 28, 28]);
        h.truncate(10);
        let m = read_err("t10k-images-idx3-ubyte", &h);
        assert!(
            m.contains("expected at least 16 bytes for 3 dimensions, found 10"),
            "{m}"
        );
    }

    #[test]
    fn truncated_gzip_header_names_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t10k-images-idx3-ubyte.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&header(8, &[10000, 28, 28])[..10]).unwrap();
        std::fs::write(&p, enc.finish().unwrap()).unwrap();
        let m = read_idx(&p).unwrap_err().to_string();
        assert!(
            m.contains("t10k-images-idx3-ubyte.gz: truncated header"),
            "{m}"
        );
        // A gzip stream cut in the middle is a gzip error naming the file.
        let whole = std::fs::read(&p).unwrap();
        std::fs::write(&p, &whole[..whole.len() / 2]).unwrap();
        let m = read_idx(&p).unwrap_err().to_string();
        assert!(
            m.contains("t10k-images-idx3-ubyte.gz") && m.contains("gzip"),
            "{m}"
        );
    }

    #[test]
    fn payload_too_short_or_too_long() {
        let mut b = header(8, &[2, 3]);
        b.extend_from_slice(&[1; 5]);
        let m = read_err("short-payload.idx", &b);
        assert!(m.contains("need 6 bytes") && m.contains("found 5"), "{m}");
        b.extend_from_slice(&[1; 2]);
        let m = read_err("long-payload.idx", &b);
        assert!(m.contains("need 6 bytes") && m.contains("found 7"), "{m}");
    }

    #[test]
    fn wrong_magic_and_types_and_dims() {
        let m = read_err("html.idx", b"<html>not found</html>");
        assert!(
            m.contains("not an IDX file") && m.contains("3c 68 74 6d"),
            "{m}"
        );
        for (code, name) in [
            (0x09, "signed byte"),
            (0x0D, "32-bit float"),
            (0x07, "not an"),
        ] {
            let mut b = header(code, &[1]);
            b.push(0);
            let m = read_err("typed.idx", &b);
            assert!(
                m.contains("unsupported element type") && m.contains(name),
                "{m}"
            );
        }
        let m = read_err("zero-dims.idx", &header(8, &[]));
        assert!(m.contains("expected 1 to 4 dimensions, found 0"), "{m}");
        let m = read_err("five-dims.idx", &header(8, &[1, 1, 1, 1, 1]));
        assert!(m.contains("found 5"), "{m}");
    }

    #[test]
    fn oversized_dimensions_fail_fast_without_allocating() {
        let start = std::time::Instant::now();
        let mut b = header(8, &[u32::MAX, u32::MAX, 28]);
        b.extend_from_slice(&[0; 100]);
        let m = read_err("huge.idx", &b);
        assert!(
            m.contains("payload length mismatch") && m.contains("found 100"),
            "{m}"
        );
        let m = parse_idx(&header(8, &[u32::MAX; 4]), "huge4")
            .unwrap_err()
            .to_string();
        assert!(m.starts_with("huge4:"), "{m}");
        assert!(start.elapsed().as_secs() < 2);
    }

    #[test]
    fn writer_rejects_inconsistent_shapes() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.idx");
        assert!(write_idx_u8(&p, &[2, 2], &[0; 3], false).is_err());
        assert!(write_idx_u8(&p, &[], &[], false).is_err());
        assert!(write_idx_u8(&p, &[usize::MAX, 2], &[0; 2], false).is_err());
        assert!(!p.exists());
    }
}
