//! Stale outputs in a reused output folder. A run's `run.json` lists every file the run wrote
//! (paths relative to the folder). When a later run into the same folder succeeds, the files
//! that the earlier `run.json` lists and that the later run did not write again are removed
//! (e.g. `extremes.png` of a flow run beside a later autoencoder run's outputs), and folders
//! left empty by that are removed too. Nothing else is ever removed: a file nnlab did not list
//! stays, and a listed name that is absolute, climbs out of the folder (`..`) or is not a
//! regular file is ignored.
//!
//! "Written by this run" means modified no earlier than the run's lock file was created
//! ([`super::OutLock::since`]): the filesystem's own clock stamps both, and the lock makes the
//! run the folder's only writer.

use super::{JobError, LOCK_FILE};
use crate::report::{PAGE, RUN_JSON};
use std::path::{Component, Path};
use std::time::SystemTime;

/// The deepest folder level searched for a run's files (a checkpoint sits one level down).
const MAX_DEPTH: usize = 4;

/// The files that the `run.json` in `dir` lists; empty when there is none or it is unreadable
/// (a `run.json` of an nnlab before the list, or not nnlab's).
pub fn listed(dir: &Path) -> Vec<String> {
    let Ok(text) = crate::io::read_text_bounded(&dir.join(RUN_JSON), 16 << 20) else {
        return Vec::new();
    };
    serde_json::from_str::<crate::report::RunInfo>(&text)
        .map(|info| info.files)
        .unwrap_or_default()
}

/// The regular files under `dir` (at most [`MAX_DEPTH`] levels, not following links, skipping
/// hidden names such as the lock and temporary files) modified at or after `since`, as sorted
/// relative paths with `/` separators.
pub fn written_since(dir: &Path, since: SystemTime) -> Vec<String> {
    fn walk(dir: &Path, rel: &str, depth: usize, since: SystemTime, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let path = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
                continue;
            };
            if meta.is_dir() && depth < MAX_DEPTH {
                walk(&entry.path(), &path, depth + 1, since, out);
            } else if meta.is_file() && meta.modified().is_ok_and(|t| t >= since) {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, "", 1, since, &mut out);
    out.sort();
    out
}

/// Whether `name` is a relative path that stays inside the folder.
fn inside(name: &str) -> bool {
    let path = Path::new(name);
    !name.is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)))
}

/// Removes from `dir` the files of `previous` (an earlier run's list) that are not in `kept`
/// (this run's files) and are not `run.json`, `report.html` or the lock; then the folders that
/// this leaves empty. Returns the removed names.
pub fn remove(dir: &Path, previous: &[String], kept: &[String]) -> Result<Vec<String>, JobError> {
    let mut removed = Vec::new();
    for name in previous {
        if kept.contains(name) || [RUN_JSON, PAGE, LOCK_FILE].contains(&name.as_str()) {
            continue;
        }
        let path = dir.join(name);
        let regular = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
        if !inside(name) || !regular {
            continue;
        }
        std::fs::remove_file(&path).map_err(|e| JobError::file(&path, e))?;
        removed.push(name.clone());
        let mut parent = path.parent();
        while let Some(p) = parent.filter(|p| p.starts_with(dir) && *p != dir) {
            if std::fs::remove_dir(p).is_err() {
                break; // not empty
            }
            parent = p.parent();
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Listed files that the new run did not write go, with the folders they leave empty; the
    /// new run's files, files nobody listed, and names outside the folder stay.
    #[test]
    fn only_listed_files_not_written_again_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        let outside = tmp.path().join("keep.txt");
        for f in [
            "a.png",
            "b.png",
            "mine.txt",
            "ck/model.bpk",
            "ck/checkpoint.json",
        ] {
            let p = dir.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        std::fs::write(&outside, "x").unwrap();
        let previous: Vec<String> = ["a.png", "b.png", "ck/model.bpk", "ck/checkpoint.json"]
            .into_iter()
            .chain(["../keep.txt", "/etc/passwd", "ck"])
            .map(String::from)
            .collect();
        let removed = remove(&dir, &previous, &["b.png".into()]).unwrap();
        assert_eq!(removed, ["a.png", "ck/model.bpk", "ck/checkpoint.json"]);
        assert!(!dir.join("ck").exists(), "the emptied folder goes");
        for kept in ["b.png", "mine.txt"] {
            assert!(dir.join(kept).exists(), "{kept}");
        }
        assert!(outside.exists());
    }

    /// Files modified before `since` are not this run's; hidden files are never listed.
    #[test]
    fn written_since_lists_newer_visible_files() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("old.png"), "x").unwrap();
        let old = SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::File::options()
            .write(true)
            .open(tmp.path().join("old.png"))
            .unwrap()
            .set_modified(old)
            .unwrap();
        let since = old + std::time::Duration::from_secs(1);
        std::fs::create_dir(tmp.path().join("m")).unwrap();
        for f in ["new.png", "m/w.bin", ".nnlab.lock"] {
            std::fs::write(tmp.path().join(f), "x").unwrap();
        }
        assert_eq!(written_since(tmp.path(), since), ["m/w.bin", "new.png"]);
    }
}
