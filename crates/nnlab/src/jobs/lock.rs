//! [`OutLock`]: a run owns its output folder. [`crate::jobs::execute`] creates the folder and
//! the lock file `.nnlab.lock` in it with create-new semantics (O_EXCL) before the run starts,
//! and removes the file when the run ends (success or error), so a second run into a busy
//! folder fails at once with a clear message instead of interleaving its files with the first.
//!
//! The lock holds the owner's process id. A lock left by a killed run is stale: on Linux, a
//! lock whose process no longer exists (`/proc/<pid>` absent) is taken over; elsewhere the
//! message says to delete it.

use super::JobError;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Name of the lock file inside the output folder.
pub const LOCK_FILE: &str = ".nnlab.lock";

/// The held lock of an output folder; dropping it removes the lock file.
#[derive(Debug)]
pub struct OutLock {
    path: PathBuf,
    /// Whether `acquire` created the folder.
    created: bool,
    /// When the lock file was created, by the filesystem's clock.
    since: std::time::SystemTime,
}

impl OutLock {
    /// Creates `dir` (and parents) and takes its lock; errors name `field` (the config field
    /// holding `dir`).
    pub fn acquire(field: &str, dir: &Path) -> Result<Self, JobError> {
        if dir.exists() && !dir.is_dir() {
            return Err(JobError::setting(
                field,
                format!("{} exists and is not a folder", dir.display()),
            ));
        }
        let created = !dir.exists();
        std::fs::create_dir_all(dir).map_err(|e| {
            JobError::setting(field, format!("cannot create {}: {e}", dir.display()))
        })?;
        let path = dir.join(LOCK_FILE);
        for _ in 0..2 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut f) => {
                    write!(f, "{}", std::process::id()).map_err(|e| JobError::file(&path, e))?;
                    let since = f
                        .metadata()
                        .and_then(|m| m.modified())
                        .map_err(|e| JobError::file(&path, e))?;
                    return Ok(Self {
                        path,
                        created,
                        since,
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let owner = std::fs::read_to_string(&path).unwrap_or_default();
                    if !stale(owner.trim()) {
                        return Err(JobError::setting(
                            field,
                            format!(
                                "{} is in use by another run (process {}); wait for it or choose \
                                 another folder (if no run uses it, delete {})",
                                dir.display(),
                                owner.trim(),
                                path.display()
                            ),
                        ));
                    }
                    std::fs::remove_file(&path).map_err(|e| JobError::file(&path, e))?;
                }
                Err(e) => {
                    return Err(JobError::setting(
                        field,
                        format!("cannot write into {}: {e}", dir.display()),
                    ));
                }
            }
        }
        Err(JobError::file(
            &path,
            "the lock keeps being taken by another run",
        ))
    }
}

impl OutLock {
    /// When the run took the folder (the lock file's modification time): files modified at or
    /// after it were written by this run.
    pub fn since(&self) -> std::time::SystemTime {
        self.since
    }
}

impl Drop for OutLock {
    /// Removes the lock file, and the folder too when this lock created it and the run left
    /// nothing in it (a run that failed before writing leaves no trace).
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        if self.created
            && let Some(dir) = self.path.parent()
        {
            let _ = std::fs::remove_dir(dir); // fails, harmlessly, unless empty
        }
    }
}

/// Whether a lock naming process `owner` is left over from a run that no longer exists
/// (Linux: `/proc/<pid>` is absent; elsewhere never assumed).
fn stale(owner: &str) -> bool {
    let Ok(pid) = owner.parse::<u32>() else {
        return false;
    };
    cfg!(target_os = "linux")
        && Path::new("/proc/self").exists()
        && !Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_has_one_owner_and_the_lock_goes_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("a/b");
        let lock = OutLock::acquire("out", &out).unwrap();
        let err = OutLock::acquire("out", &out).unwrap_err().to_string();
        assert!(err.starts_with("out: ") && err.contains("in use"), "{err}");
        drop(lock);
        assert!(!out.join(LOCK_FILE).exists());
        let _again = OutLock::acquire("out", &out).unwrap();
    }

    #[test]
    fn stale_locks_are_taken_over_and_files_are_not_folders() {
        let dir = tempfile::tempdir().unwrap();
        // Linux pids are below 2^22, so this process cannot exist.
        std::fs::write(dir.path().join(LOCK_FILE), "4294967294").unwrap();
        if cfg!(target_os = "linux") {
            OutLock::acquire("out", dir.path()).unwrap();
        }
        let file = dir.path().join("f");
        std::fs::write(&file, "x").unwrap();
        let err = OutLock::acquire("out", &file).unwrap_err().to_string();
        assert!(err.contains("not a folder"), "{err}");
    }
}
