//! Atomic file output: every file nnlab writes appears complete under its final name or not at all.
//! Also the one way model weights become bytes and back (safetensors).

use burn::module::Module;
use burn::store::{ModuleSnapshot, SafetensorsStore};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically: the data go to a temporary file in the same directory,
/// are flushed to disk, and the temporary file is renamed over `path`. A crash or error leaves
/// either the old file or no file, never a partial one. Parent directories are created.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |f| f.write_all(bytes))
}

/// Like [`write_atomic`], but the content is produced by `fill`, which writes into the
/// temporary file (useful for large or streamed outputs).
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut fs::File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir)?;
    let tmp = temp_path(path);
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        fill(&mut f)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// The temporary name used while `path` is being written: `.<name>.tmp-<pid>` beside it.
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// The weights of `module` in safetensors format.
pub fn to_safetensors<M: Module>(module: &M) -> Result<Vec<u8>, String> {
    let mut store = SafetensorsStore::from_bytes(None);
    module.save_into(&mut store).map_err(|e| e.to_string())?;
    store.get_bytes().map_err(|e| e.to_string())
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
}
