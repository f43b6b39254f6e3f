//! Atomic file output: every file nnlab writes appears complete under its final name or not at all.
//! Also bounded text input, the one way model weights become bytes and back (safetensors), and
//! base64 for embedding files in text (report pages, SVG figures).
//!
//! What a write does with the path the user named:
//! - a regular file or a new name: written atomically (temporary file beside it, renamed over it);
//! - a symbolic link: followed (up to [`MAX_SYMLINK_HOPS`] links) and the file it points to is
//!   written atomically in the target's folder; the link itself stays a link;
//! - anything else that exists (a directory, a character or block device such as `/dev/null`,
//!   a FIFO, a socket): refused with an error naming the path and its kind, before any work —
//!   a rename would replace the device node, and writing into a FIFO could block forever.
//!
//! Temporary files are named `.NAME.tmp-PID`. Before writing `NAME`, temporary files of it left
//! by processes that no longer run (a crash, a kill) are removed; on systems without `/proc`
//! they are left alone.

use burn::module::Module;
use burn::store::{ModuleSnapshot, SafetensorsStore};
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The most symbolic links followed from a path the user named (like the kernel's limit).
pub const MAX_SYMLINK_HOPS: usize = 40;

/// Writes `bytes` to `path` atomically: the data go to a temporary file in the same directory,
/// are flushed to disk, and the temporary file is renamed over `path`. A crash or error leaves
/// either the old file or no file, never a partial one. Parent directories are created.
/// Symbolic links are followed and non-regular targets refused (see the module doc).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |f| f.write_all(bytes))
}

/// Like [`write_atomic`], but the content is produced by `fill`, which writes into the
/// temporary file (useful for large or streamed outputs).
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let target = writable_target(path)?;
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir)?;
    remove_stale_temps(&target);
    let tmp = temp_path(&target);
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        fill(&mut f)?;
        f.sync_all()?;
        fs::rename(&tmp, &target)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// The file a write to `path` replaces: `path` itself, or the end of its chain of symbolic
/// links. Errors when that exists and is not a regular file, or the chain is too long.
pub fn writable_target(path: &Path) -> std::io::Result<PathBuf> {
    let mut target = path.to_path_buf();
    for _ in 0..=MAX_SYMLINK_HOPS {
        let meta = match fs::symlink_metadata(&target) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(target),
            Err(e) => return Err(e),
        };
        let kind = meta.file_type();
        if kind.is_symlink() {
            let link = fs::read_link(&target)?;
            target = match target.parent() {
                Some(parent) => parent.join(link),
                None => link,
            };
            continue;
        }
        if kind.is_file() {
            return Ok(target);
        }
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "{} is {}, not a regular file: nnlab only writes regular files",
                target.display(),
                describe_kind(&kind)
            ),
        ));
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!(
            "{}: more than {MAX_SYMLINK_HOPS} symbolic links to follow",
            path.display()
        ),
    ))
}

/// "a directory", "a character device", … for error messages.
fn describe_kind(kind: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
        if kind.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// The temporary name used while `path` is being written: `.<name>.tmp-<pid>` beside it.
pub fn temp_path(path: &Path) -> PathBuf {
    temp_path_for(path, std::process::id())
}

fn temp_path_for(path: &Path, pid: u32) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    path.with_file_name(format!(".{name}.tmp-{pid}"))
}

/// Removes `.NAME.tmp-PID` files of `path` whose process no longer runs (Linux: no
/// `/proc/PID`). Best effort: failures are ignored, and nothing is removed without `/proc`.
fn remove_stale_temps(path: &Path) {
    let proc_root = Path::new("/proc/self");
    if !proc_root.exists() {
        return;
    }
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!(".{}.tmp-", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new("/proc").join(pid.to_string()).exists() {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Reads a UTF-8 text file of at most `max_bytes` bytes. Longer files (or endless streams such
/// as `/dev/zero`) are an error after reading `max_bytes + 1` bytes; memory stays bounded.
pub fn read_text_bounded(path: &Path, max_bytes: u64) -> std::io::Result<String> {
    let bytes = read_bounded(path, max_bytes)?;
    String::from_utf8(bytes).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// Reads a file of at most `max_bytes` bytes; a longer file (or an endless stream such as
/// `/dev/zero`) is an error after reading `max_bytes + 1` bytes, so memory stays bounded.
pub fn read_bounded(path: &Path, max_bytes: u64) -> std::io::Result<Vec<u8>> {
    let file = fs::File::open(path)?;
    if file.metadata()?.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "is a directory, not a file",
        ));
    }
    let mut bytes = Vec::new();
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("longer than {max_bytes} bytes, the most read from this file"),
        ));
    }
    Ok(bytes)
}

/// The MD5 digest of `bytes` as 32 lowercase hex digits (checksums of saved weights).
pub fn md5_hex(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The weights of `module` in safetensors format.
pub fn to_safetensors<M: Module>(module: &M) -> Result<Vec<u8>, String> {
    let mut store = SafetensorsStore::from_bytes(None);
    module.save_into(&mut store).map_err(|e| e.to_string())?;
    store
        .get_bytes()
        .map(canonical_safetensors)
        .map_err(|e| e.to_string())
}

/// A safetensors file with its JSON header rewritten with every object's keys in sorted order
/// (padded with spaces to the same length, so the data offsets stay valid). Burn and the
/// safetensors crate write the metadata from a hash map, in an order that changes from process
/// to process; sorted, the same weights always give the same bytes (and the same MD5 in
/// `detector.json`). A file whose header does not parse is returned unchanged.
pub fn canonical_safetensors(mut bytes: Vec<u8>) -> Vec<u8> {
    fn sorted(v: serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(m) => {
                let m: std::collections::BTreeMap<_, _> = m.into_iter().collect();
                serde_json::Value::Object(m.into_iter().map(|(k, v)| (k, sorted(v))).collect())
            }
            other => other,
        }
    }
    let Some(n) = bytes
        .get(..8)
        .and_then(|b| usize::try_from(u64::from_le_bytes(b.try_into().ok()?)).ok())
    else {
        return bytes;
    };
    let Some(header) = 8usize.checked_add(n).and_then(|end| bytes.get(8..end)) else {
        return bytes;
    };
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(header) else {
        return bytes;
    };
    let Ok(mut text) = serde_json::to_vec(&sorted(v)) else {
        return bytes;
    };
    if text.len() <= n {
        text.resize(n, b' ');
        bytes[8..8 + n].copy_from_slice(&text);
    }
    bytes
}

/// Loads weights saved by [`to_safetensors`] into `module`, which must be built from the same
/// config: every tensor must be present with the right shape.
pub fn load_safetensors<M: Module>(mut module: M, bytes: Vec<u8>) -> Result<M, String> {
    let mut store = SafetensorsStore::from_bytes(Some(bytes));
    let res = module.load_from(&mut store).map_err(|e| e.to_string())?;
    if !res.errors.is_empty() || !res.missing.is_empty() {
        return Err(format!(
            "weights do not match the model config: missing {:?}, errors {:?}",
            res.missing, res.errors
        ));
    }
    Ok(module)
}

/// Named f32 tensors (name, shape, row-major values) as a safetensors file with the string
/// `metadata` in its header, for files read by other tools (a PyTorch `state_dict`). Errors
/// when a tensor's values do not fill its shape.
pub fn f32_safetensors<'a>(
    tensors: impl IntoIterator<Item = (&'a str, &'a [usize], &'a [f32])>,
    metadata: &[(&str, &str)],
) -> Result<Vec<u8>, String> {
    use safetensors::{Dtype, tensor::TensorView};
    let tensors: Vec<_> = tensors
        .into_iter()
        .map(|(name, shape, values)| {
            let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
            (name, shape, bytes)
        })
        .collect();
    let views = tensors
        .iter()
        .map(|(name, shape, bytes)| {
            TensorView::new(Dtype::F32, shape.to_vec(), bytes)
                .map(|v| (*name, v))
                .map_err(|e| format!("{name}: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let metadata = metadata
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    safetensors::tensor::serialize(views, Some(metadata))
        .map(canonical_safetensors)
        .map_err(|e| e.to_string())
}

/// Standard base64 (RFC 4648 §4, alphabet `A–Z a–z 0–9 + /`, `=` padding): every 3 bytes
/// b0 b1 b2 become the four 6-bit groups of the 24-bit word b0·2¹⁶ + b1·2⁸ + b2.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let word = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((word >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "io_tests.rs"]
mod hostile_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces_without_leaving_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/a.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(p.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1, "only the final file remains");
    }

    #[test]
    fn failed_fill_leaves_old_content() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        write_atomic(&p, b"old").unwrap();
        let err = write_atomic_with(&p, |_| Err(std::io::Error::other("boom")));
        assert!(err.is_err());
        assert_eq!(fs::read(&p).unwrap(), b"old");
        assert!(!temp_path(&p).exists());
    }

    /// RFC 4648 §10 test vectors: exact equality, the encoding is a bijection on bytes.
    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain:?}");
        }
        assert_eq!(base64(&[0xff, 0xfe, 0xfd]), "//79");
    }

    /// Two files that differ only in the order of their header's keys become the same bytes,
    /// which still parse to the same tensors and metadata; the unsorted inputs differ (so the
    /// check can fail).
    #[test]
    fn canonical_safetensors_sorts_the_header() {
        let header = |json: &str| {
            let mut h = json.as_bytes().to_vec();
            h.resize(h.len().next_multiple_of(8), b' ');
            let mut f = (h.len() as u64).to_le_bytes().to_vec();
            f.extend(h);
            f.extend(1.5f32.to_le_bytes());
            f
        };
        let t = r#""t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}"#;
        let a = header(&format!(r#"{{"__metadata__":{{"b":"1","a":"2"}},{t}}}"#));
        let b = header(&format!(r#"{{{t},"__metadata__":{{"a":"2","b":"1"}}}}"#));
        assert_ne!(a, b);
        let (ca, cb) = (canonical_safetensors(a), canonical_safetensors(b));
        assert_eq!(ca, cb);
        let (n, meta) = safetensors::SafeTensors::read_metadata(&ca).unwrap();
        assert_eq!(n + 8, ca.len() - 4);
        let st = safetensors::SafeTensors::deserialize(&ca).unwrap();
        assert_eq!(st.tensor("t").unwrap().data(), 1.5f32.to_le_bytes());
        assert_eq!(meta.metadata().as_ref().unwrap()["a"], "2");
        // Not a safetensors file: unchanged.
        assert_eq!(canonical_safetensors(b"xy".to_vec()), b"xy");
    }
}
