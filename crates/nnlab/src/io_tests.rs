//! Write semantics on hostile targets (device nodes, FIFOs, directories, symbolic links, link
//! loops), stale temporary files, and bounded text reads.

use super::*;

#[cfg(unix)]
#[test]
fn device_nodes_are_refused_and_left_alone() {
    let dev_null = Path::new("/dev/null");
    if !dev_null.exists() {
        return;
    }
    let err = write_atomic(dev_null, b"x").unwrap_err().to_string();
    assert!(
        err.contains("/dev/null is a character device, not a regular file"),
        "{err}"
    );
    use std::os::unix::fs::FileTypeExt;
    assert!(fs::metadata(dev_null).unwrap().file_type().is_char_device());
    // A link to a device is followed and refused too.
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("null-link");
    std::os::unix::fs::symlink(dev_null, &link).unwrap();
    assert!(write_atomic(&link, b"x").is_err());
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[cfg(unix)]
#[test]
fn fifos_and_directories_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let err = write_atomic(&fifo, b"x").unwrap_err().to_string();
        assert!(err.contains("FIFO"), "{err}");
    }
    let err = write_atomic(dir.path(), b"x").unwrap_err().to_string();
    assert!(err.contains("is a directory"), "{err}");
}

#[cfg(unix)]
#[test]
fn symlinks_are_followed_and_stay_links() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("sub/real.csv");
    write_atomic(&real, b"old").unwrap();
    // A relative link, resolved against the link's own folder.
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink("sub/real.csv", &link).unwrap();
    write_atomic(&link, b"new").unwrap();
    assert_eq!(fs::read(&real).unwrap(), b"new");
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    // A dangling link creates its target.
    let dangling = dir.path().join("dangling");
    std::os::unix::fs::symlink(dir.path().join("made.txt"), &dangling).unwrap();
    write_atomic(&dangling, b"made").unwrap();
    assert_eq!(fs::read(dir.path().join("made.txt")).unwrap(), b"made");
    // A loop is an error, not a hang.
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::os::unix::fs::symlink(&b, &a).unwrap();
    std::os::unix::fs::symlink(&a, &b).unwrap();
    let err = write_atomic(&a, b"x").unwrap_err().to_string();
    assert!(err.contains("more than 40 symbolic links"), "{err}");
}

#[test]
fn stale_temp_files_of_dead_processes_are_removed() {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.txt");
    // u32::MAX is above any Linux pid_max (at most 2^22): that process cannot exist. PID 1
    // always runs: its temporary file must stay.
    let dead = temp_path_for(&p, u32::MAX);
    let alive = temp_path_for(&p, 1);
    let other = dir.path().join(".b.txt.tmp-4294967295");
    for f in [&dead, &alive, &other] {
        fs::write(f, b"partial").unwrap();
    }
    write_atomic(&p, b"done").unwrap();
    assert!(!dead.exists(), "stale temp of a dead process removed");
    assert!(alive.exists(), "temp of a running process kept");
    assert!(other.exists(), "temps of other files untouched");
}

#[test]
fn bounded_text_reads() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.txt");
    fs::write(&p, "fc 3").unwrap();
    assert_eq!(read_text_bounded(&p, 4).unwrap(), "fc 3");
    let err = read_text_bounded(&p, 3).unwrap_err().to_string();
    assert!(err.contains("longer than 3 bytes"), "{err}");
    fs::write(&p, [b'a', 0xff]).unwrap();
    let err = read_text_bounded(&p, 10).unwrap_err().to_string();
    assert!(
        err.contains("not UTF-8") && err.contains("offset 1"),
        "{err}"
    );
    assert!(read_text_bounded(dir.path(), 10).is_err());
    let zero = Path::new("/dev/zero");
    if zero.exists() {
        let err = read_text_bounded(zero, 1 << 20).unwrap_err().to_string();
        assert!(err.contains("longer than 1048576 bytes"), "{err}");
    }
}
