//! Tests of the IDX reader and writer: round trips, every malformed-header case, and bounded
//! reads of hostile inputs (oversized headers, gzip bombs, endless streams).

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

/// Gzip of `parts` concatenated.
fn gz(parts: &[&[u8]]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    for p in parts {
        enc.write_all(p).unwrap();
    }
    enc.finish().unwrap()
}

#[test]
fn gzip_bomb_is_rejected_after_reading_only_the_claimed_payload() {
    // A 2×3 header followed by 80 MiB of zeros: the reader stores 6 bytes, counts
    // TRAILING_SCAN_BYTES of the rest and stops ("more than").
    let zeros = vec![0u8; 80 << 20];
    let bomb = gz(&[&header(8, &[2, 3]), &[7; 6], &zeros]);
    assert!(bomb.len() < 1_000_000, "compressed {} bytes", bomb.len());
    let m = parse_idx(&bomb, "bomb.gz").unwrap_err().to_string();
    let more = format!("found more than {}", 6 + TRAILING_SCAN_BYTES);
    assert!(
        m.contains("payload length mismatch") && m.contains(&more),
        "{m}"
    );
    // A little trailing data is counted exactly.
    let m = parse_idx(&gz(&[&header(8, &[2, 3]), &[7; 9]]), "t.gz")
        .unwrap_err()
        .to_string();
    assert!(m.contains("need 6 bytes") && m.contains("found 9"), "{m}");
}

#[test]
fn header_above_the_maximum_is_rejected_before_allocating() {
    // 2^15 × 2^15 + 1 bytes: above MAX_PAYLOAD_BYTES = 2^30 by one row; a gzip stream
    // (length unknown in advance) gets the size error, not an allocation.
    let dims = [1u32 << 15, (1 << 15) + 1];
    let m = parse_idx(&gz(&[&header(8, &dims)]), "big.gz")
        .unwrap_err()
        .to_string();
    assert!(
        m.contains("too large") && m.contains("1073774592 bytes"),
        "{m}"
    );
    assert!(m.contains(&MAX_PAYLOAD_BYTES.to_string()), "{m}");
    // Exactly at the limit is accepted by the size check and then fails on the short stream
    // with the count of bytes actually present (memory grew only with those).
    let at_limit = [1u32 << 15, 1 << 15];
    let m = parse_idx(&gz(&[&header(8, &at_limit), &[1; 10]]), "limit.gz")
        .unwrap_err()
        .to_string();
    assert!(
        m.contains("need 1073741824 bytes") && m.contains("found 10"),
        "{m}"
    );
}

#[test]
fn endless_stream_is_bounded() {
    // A valid header followed by an endless stream of bytes: the reader takes the claimed
    // 4 bytes, scans TRAILING_SCAN_BYTES more and stops.
    let stream = std::io::Cursor::new(header(8, &[4])).chain(std::io::repeat(1));
    let err = |e| DataError::Gzip {
        origin: "endless".into(),
        source: e,
    };
    let m = read_stream(stream, "endless", None, &err)
        .unwrap_err()
        .to_string();
    assert!(m.contains("found more than"), "{m}");
}

#[cfg(unix)]
#[test]
fn dev_zero_is_not_an_idx_file() {
    let p = std::path::Path::new("/dev/zero");
    if p.exists() {
        let m = read_idx(p).unwrap_err().to_string();
        assert!(
            m.contains("/dev/zero: unsupported element type") && m.contains("found 0x00"),
            "{m}"
        );
    }
}

#[test]
fn raw_file_with_wrong_length_fails_before_reading_the_payload() {
    // The file length alone (from its metadata) shows the mismatch.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("raw.idx");
    let mut b = header(8, &[3, 2000, 2000]);
    b.extend_from_slice(&[0; 1000]);
    std::fs::write(&p, &b).unwrap();
    let m = read_idx(&p).unwrap_err().to_string();
    assert!(
        m.contains("need 12000000 bytes") && m.contains("found 1000"),
        "{m}"
    );
}

#[test]
fn corrupt_gzip_trailer_is_an_error() {
    // The CRC sits after the payload: the reader must read to the end to see it.
    let mut g = gz(&[&header(8, &[2]), &[1, 2]]);
    let n = g.len();
    g[n - 8] ^= 0xff; // flip the CRC
    let m = parse_idx(&g, "crc.gz").unwrap_err().to_string();
    assert!(m.contains("crc.gz") && m.contains("gzip"), "{m}");
}

#[test]
fn decoded_md5_streams_raw_and_gzip() {
    let data = b"hello idx";
    let raw = decoded_md5_of(data, "raw").unwrap();
    assert_eq!(raw, super::super::registry::md5_hex(data));
    assert_eq!(decoded_md5_of(&gz(&[data]), "gz").unwrap(), raw);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("f.gz");
    let g = gz(&[data]);
    std::fs::write(&p, &g).unwrap();
    assert_eq!(decoded_md5_of_file(&p).unwrap(), raw);
    assert_eq!(
        raw_md5_of_file(&p).unwrap(),
        super::super::registry::md5_hex(&g)
    );
}
