//! Downloading one registry file: fetched into memory over HTTP(S) with progress, checked
//! against its published md5, and only then written atomically. Nothing is written on failure.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use super::registry::DataFile;
use super::{DataError, DownloadProgress};

/// Why a download did not produce a file.
pub(crate) enum DownloadFailure {
    /// The network or server failed: the file is reported as missing.
    Network(String),
    /// The data arrived but are wrong (checksum), or could not be written.
    Fatal(DataError),
}

/// Refuse bodies larger than this (the largest registry file is about 30 MB compressed).
const MAX_DOWNLOAD_BYTES: u64 = 256 * 1024 * 1024;

/// Downloads `file` to `dest`, telling `progress` the bytes received after each chunk (total
/// from Content-Length when the server sends it).
pub(crate) fn download_verified(
    file: &DataFile,
    dest: &Path,
    progress: &mut dyn DownloadProgress,
) -> Result<(), DownloadFailure> {
    let url = file.url();
    let bytes = fetch(&url, file.file_name, progress)
        .map_err(|e| DownloadFailure::Network(format!("download of {url} failed: {e}")))?;
    let origin = format!("{} (downloaded from {url})", dest.display());
    file.checksum
        .check(&bytes, &origin)
        .map_err(DownloadFailure::Fatal)?;
    crate::io::write_atomic(dest, &bytes).map_err(|source| {
        DownloadFailure::Fatal(DataError::Write {
            path: dest.to_path_buf(),
            source,
        })
    })
}

/// GETs `url` into memory.
fn fetch(url: &str, label: &str, progress: &mut dyn DownloadProgress) -> Result<Vec<u8>, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(20)))
        .timeout_recv_response(Some(Duration::from_secs(60)))
        .build()
        .into();
    let mut response = agent.get(url).call().map_err(|e| e.to_string())?;
    let body = response.body_mut();
    let length = body.content_length();
    if let Some(len) = length.filter(|&len| len > MAX_DOWNLOAD_BYTES) {
        return Err(format!(
            "expected at most {MAX_DOWNLOAD_BYTES} bytes, server announces {len}"
        ));
    }
    progress.download(label, 0, length);
    let mut reader = body.as_reader();
    let mut out = Vec::with_capacity(length.unwrap_or(0) as usize);
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut chunk).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        if (out.len() + n) as u64 > MAX_DOWNLOAD_BYTES {
            return Err(format!("body exceeds {MAX_DOWNLOAD_BYTES} bytes"));
        }
        out.extend_from_slice(&chunk[..n]);
        progress.download(label, out.len() as u64, length);
    }
    Ok(out)
}
