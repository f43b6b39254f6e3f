//! A minimal PNG encoder for 8-bit RGB pixel buffers, so figures are encoded in memory (and then
//! written atomically) without an image library: zlib comes from `flate2`, the chunk CRC-32 from
//! `flate2::Crc`.

use flate2::Compression;
use flate2::Crc;
use flate2::write::ZlibEncoder;
use std::io::Write;

/// The eight bytes every PNG file starts with.
pub const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// Encodes a `width`×`height` RGB image (`rgb` holds `3 * width * height` bytes, row-major) as a
/// PNG file. Each scanline uses the "Sub" filter, which turns the flat colour runs of a chart into
/// zeros that compress well.
///
/// # Panics
/// If `rgb` does not have exactly `3 * width * height` bytes (an internal invariant).
pub fn encode_rgb(width: u32, height: u32, rgb: &[u8]) -> Vec<u8> {
    let stride = 3 * width as usize;
    assert_eq!(rgb.len(), stride * height as usize, "RGB buffer size");
    let mut raw = Vec::with_capacity((stride + 1) * height as usize);
    for row in rgb.chunks_exact(stride.max(1)).take(height as usize) {
        raw.push(1); // filter type 1: Sub
        raw.extend(
            row.iter()
                .enumerate()
                .map(|(i, &b)| if i < 3 { b } else { b.wrapping_sub(row[i - 3]) }),
        );
    }
    let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
    z.write_all(&raw).expect("writing to a Vec cannot fail");
    let idat = z.finish().expect("writing to a Vec cannot fail");

    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    // bit depth 8, colour type 2 (RGB), compression 0, filter method 0, no interlace
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);

    let mut out = Vec::with_capacity(idat.len() + 64);
    out.extend_from_slice(&SIGNATURE);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &idat);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// Appends one chunk: length, type, data, CRC-32 of type and data.
fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    let len = u32::try_from(data.len()).expect("PNG chunk over 4 GiB");
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
}

/// A decoded PNG, for tests: size and RGB pixels.
#[cfg(test)]
pub struct Decoded {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

/// Decodes an 8-bit RGB, non-interlaced PNG (what [`encode_rgb`] writes), checking the signature,
/// every chunk's CRC, the IHDR fields and the zlib stream; undoes all five scanline filters.
#[cfg(test)]
pub fn decode_rgb(bytes: &[u8]) -> Result<Decoded, String> {
    use std::io::Read;
    let rest = bytes.strip_prefix(&SIGNATURE).ok_or("no PNG signature")?;
    let (mut pos, mut header, mut idat, mut ended) = (0, None, Vec::new(), false);
    while pos < rest.len() {
        let word = |at: usize| -> Result<u32, String> {
            let b = rest.get(at..at + 4).ok_or("truncated chunk")?;
            Ok(u32::from_be_bytes(b.try_into().unwrap()))
        };
        let len = word(pos)? as usize;
        let kind = rest.get(pos + 4..pos + 8).ok_or("truncated chunk")?;
        let data = rest.get(pos + 8..pos + 8 + len).ok_or("truncated chunk")?;
        let mut crc = Crc::new();
        crc.update(kind);
        crc.update(data);
        if crc.sum() != word(pos + 8 + len)? {
            return Err(format!("bad CRC in {}", String::from_utf8_lossy(kind)));
        }
        match kind {
            b"IHDR" => header = Some(data.to_vec()),
            b"IDAT" => idat.extend_from_slice(data),
            b"IEND" => ended = true,
            _ => {}
        }
        pos += 12 + len;
    }
    let h = header.ok_or("no IHDR")?;
    if !ended || h.len() != 13 || h[8..] != [8, 2, 0, 0, 0] {
        return Err("unsupported or incomplete PNG".into());
    }
    let width = u32::from_be_bytes(h[0..4].try_into().unwrap());
    let height = u32::from_be_bytes(h[4..8].try_into().unwrap());
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..])
        .read_to_end(&mut raw)
        .map_err(|e| e.to_string())?;
    let stride = 3 * width as usize;
    if raw.len() != (stride + 1) * height as usize {
        return Err("wrong image data length".into());
    }
    let mut rgb = vec![0u8; stride * height as usize];
    for y in 0..height as usize {
        let filter = raw[y * (stride + 1)];
        let line = &raw[y * (stride + 1) + 1..(y + 1) * (stride + 1)];
        for x in 0..stride {
            let a = if x >= 3 { rgb[y * stride + x - 3] } else { 0 };
            let b = if y > 0 { rgb[(y - 1) * stride + x] } else { 0 };
            let c = if x >= 3 && y > 0 {
                rgb[(y - 1) * stride + x - 3]
            } else {
                0
            };
            let predictor = match filter {
                0 => 0,
                1 => a,
                2 => b,
                3 => ((a as u16 + b as u16) / 2) as u8,
                4 => {
                    let p = a as i16 + b as i16 - c as i16;
                    let (pa, pb, pc) = (
                        (p - a as i16).abs(),
                        (p - b as i16).abs(),
                        (p - c as i16).abs(),
                    );
                    if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    }
                }
                f => return Err(format!("bad filter type {f}")),
            };
            rgb[y * stride + x] = line[x].wrapping_add(predictor);
        }
    }
    Ok(Decoded { width, height, rgb })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_pixels() {
        let (w, h) = (5u32, 3u32);
        let rgb: Vec<u8> = (0..w * h * 3).map(|i| (i * 37 % 251) as u8).collect();
        let png = encode_rgb(w, h, &rgb);
        assert!(png.starts_with(&SIGNATURE));
        let d = decode_rgb(&png).unwrap();
        assert_eq!((d.width, d.height), (w, h));
        assert_eq!(d.rgb, rgb);
        // The IEND chunk is constant, CRC included: checks the CRC-32 independently of `decode_rgb`.
        assert!(png.ends_with(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xae, 0x42, 0x60, 0x82]));
    }

    #[test]
    fn corrupted_crc_is_detected() {
        let mut png = encode_rgb(2, 2, &[9; 12]);
        let n = png.len();
        png[n - 20] ^= 0xff; // inside the IDAT data
        assert!(decode_rgb(&png).is_err());
    }
}
