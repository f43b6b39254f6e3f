//! numpy `.npy` files in and out: 1-D and 2-D arrays of little-endian f64 (`<f8`) or f32
//! (`<f4`) in C order, format versions 1.0–3.0. The header is checked (magic, version, dtype,
//! order, shape, and that the file holds exactly shape-product values) before any array is
//! allocated; every error names the file.

use std::path::{Path, PathBuf};

/// A 1-D (`shape = [n]`) or 2-D (`shape = [rows, cols]`) array of f64, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct NpyArray {
    pub shape: Vec<usize>,
    pub data: Vec<f64>,
}

/// Why a `.npy` file could not be read or written; names the file.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct NpyError {
    pub path: PathBuf,
    pub message: String,
}

const MAGIC: &[u8] = b"\x93NUMPY";
/// Headers longer than this are not numpy's (it writes < 100 bytes for 2-D arrays).
const MAX_HEADER: usize = 1 << 16;

/// Reads a 1-D or 2-D f64/f32 array; f32 values are widened to f64.
pub fn read(path: &Path) -> Result<NpyArray, NpyError> {
    let err = |message: String| NpyError {
        path: path.to_path_buf(),
        message,
    };
    let bytes = std::fs::read(path).map_err(|e| err(format!("cannot read: {e}")))?;
    parse(&bytes).map_err(err)
}

/// Parses the bytes of a `.npy` file (see [`read`]).
pub fn parse(bytes: &[u8]) -> Result<NpyArray, String> {
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err("not a .npy file (missing the \\x93NUMPY magic)".into());
    }
    let (len, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        v => return Err(format!("unsupported .npy format version {v}")),
    };
    if len > MAX_HEADER || start + len > bytes.len() {
        return Err(format!("header length {len} exceeds the file"));
    }
    let header = std::str::from_utf8(&bytes[start..start + len])
        .map_err(|_| "header is not text".to_string())?;
    let descr = field(header, "descr")?;
    let width = match descr.trim_matches(|c| c == '\'' || c == '"') {
        "<f8" => 8,
        "<f4" => 4,
        other => {
            return Err(format!(
                "dtype {other} is not supported (need little-endian float64 '<f8' or float32 '<f4')"
            ));
        }
    };
    match field(header, "fortran_order")?.as_str() {
        "False" => {}
        "True" => {
            return Err("Fortran-order arrays are not supported (save a C-order array)".into());
        }
        other => return Err(format!("bad fortran_order {other}")),
    }
    let shape = parse_shape(&field(header, "shape")?)?;
    if shape.is_empty() || shape.len() > 2 {
        return Err(format!("expected a 1-D or 2-D array, got shape {shape:?}"));
    }
    let count = shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or("shape overflows")?;
    let body = &bytes[start + len..];
    if Some(body.len()) != count.checked_mul(width) {
        return Err(format!(
            "shape {shape:?} needs {count} values of {width} bytes but the file holds {} data bytes",
            body.len()
        ));
    }
    let data = if width == 8 {
        body.chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect()
    } else {
        body.chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")) as f64)
            .collect()
    };
    Ok(NpyArray { shape, data })
}

/// The value text of `'key': value` in the header dictionary.
fn field(header: &str, key: &str) -> Result<String, String> {
    let pat = format!("'{key}':");
    let at = header
        .find(&pat)
        .ok_or_else(|| format!("header has no '{key}'"))?;
    let rest = header[at + pat.len()..].trim_start();
    let end = if rest.starts_with('(') {
        rest.find(')').map(|i| i + 1)
    } else {
        rest.find([',', '}'])
    }
    .ok_or_else(|| format!("header field '{key}' is not terminated"))?;
    Ok(rest[..end].trim().to_string())
}

fn parse_shape(s: &str) -> Result<Vec<usize>, String> {
    let inner = s
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| format!("bad shape {s}"))?;
    inner
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| t.parse::<usize>().map_err(|_| format!("bad shape {s}")))
        .collect()
}

/// The bytes of a format-1.0 `.npy` file holding `data` (little-endian f64, C order) with
/// `shape` (product = data length); the header is padded so the data start at a multiple of 64.
pub fn to_bytes(shape: &[usize], data: &[f64]) -> Vec<u8> {
    assert_eq!(
        shape.iter().product::<usize>(),
        data.len(),
        "shape does not match the data"
    );
    let dims = match shape {
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {dims}, }}");
    let pad = (64 - (10 + header.len() + 1) % 64) % 64;
    header.push_str(&" ".repeat(pad));
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + 8 * data.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[1, 0]);
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for v in data {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_1d_and_2d() {
        for (shape, data) in [
            (vec![3], vec![1.0, -2.5, 3.25]),
            (vec![2, 3], (0..6).map(f64::from).collect()),
        ] {
            let bytes = to_bytes(&shape, &data);
            assert_eq!(
                bytes.len() % 64,
                (8 * data.len()) % 64,
                "data start 64-aligned"
            );
            assert_eq!(parse(&bytes).unwrap(), NpyArray { shape, data });
        }
    }

    /// A file as numpy 1.x writes `np.arange(4, dtype=np.float32).reshape(2, 2)`.
    #[test]
    fn reads_numpy_float32_header() {
        let mut h = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }".to_string();
        h.push_str(&" ".repeat(128 - 10 - h.len() - 1));
        h.push('\n');
        let mut b = b"\x93NUMPY\x01\x00".to_vec();
        b.extend_from_slice(&(h.len() as u16).to_le_bytes());
        b.extend_from_slice(h.as_bytes());
        for v in [0.0f32, 1.0, 2.0, 3.0] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        let a = parse(&b).unwrap();
        assert_eq!((a.shape, a.data), (vec![2, 2], vec![0.0, 1.0, 2.0, 3.0]));
    }

    #[test]
    fn rejects_bad_files_with_reasons() {
        let good = to_bytes(&[2, 2], &[1.0; 4]);
        let with = |from: &str, to: &str| {
            let s = String::from_utf8_lossy(&good[10..good.len() - 32]).replace(from, to);
            let mut b = good[..8].to_vec();
            b.extend_from_slice(&(s.len() as u16).to_le_bytes());
            b.extend_from_slice(s.as_bytes());
            b.extend_from_slice(&good[good.len() - 32..]);
            parse(&b).unwrap_err()
        };
        assert!(with("<f8", ">f8").contains("dtype >f8"));
        assert!(with("<f8", "<i8").contains("dtype <i8"));
        assert!(with("False", "True").contains("Fortran"));
        assert!(with("(2, 2)", "(2, 2, 1)").contains("1-D or 2-D"));
        // A huge claimed shape is refused before allocating anything.
        assert!(with("(2, 2)", "(99999999999, 99999999)").contains("needs"));
        assert!(with("(2, 2)", "(99999999999999999999, 9)").contains("bad shape"));
        assert!(
            parse(&good[..good.len() - 1])
                .unwrap_err()
                .contains("data bytes")
        );
        assert!(
            parse(b"PK\x03\x04 not numpy")
                .unwrap_err()
                .contains("magic")
        );
        let e = read(Path::new("/nonexistent/x.npy")).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/x.npy"));
    }
}
