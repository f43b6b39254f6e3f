//! PNG encoding of 8-bit RGB pixel buffers in memory (with the `png` crate), so that figures
//! can then be written atomically; and decoding, for the tests that inspect figures.

/// The eight bytes every PNG file starts with.
#[cfg(test)]
pub const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// Encodes a `width`×`height` RGB image (`rgb` holds `3 * width * height` bytes, row-major).
pub fn encode_rgb(width: u32, height: u32, rgb: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, width, height);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(rgb).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

/// A decoded PNG, for tests: size and RGB pixels.
#[cfg(test)]
pub struct Decoded {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

/// Decodes an 8-bit RGB PNG (what [`encode_rgb`] writes); the decoder checks chunk CRCs and
/// the zlib stream.
#[cfg(test)]
pub fn decode_rgb(bytes: &[u8]) -> Result<Decoded, String> {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .map_err(|e| e.to_string())?;
    let mut rgb = vec![0; reader.output_buffer_size().ok_or("image too large")?];
    let info = reader.next_frame(&mut rgb).map_err(|e| e.to_string())?;
    if info.color_type != png::ColorType::Rgb || info.bit_depth != png::BitDepth::Eight {
        return Err(format!(
            "expected 8-bit RGB, found {:?} {:?}",
            info.color_type, info.bit_depth
        ));
    }
    rgb.truncate(info.buffer_size());
    Ok(Decoded {
        width: info.width,
        height: info.height,
        rgb,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_pixels() {
        let (w, h) = (5u32, 3u32);
        let rgb: Vec<u8> = (0..w * h * 3).map(|i| (i * 37 % 251) as u8).collect();
        let png = encode_rgb(w, h, &rgb).unwrap();
        assert!(png.starts_with(&SIGNATURE));
        let d = decode_rgb(&png).unwrap();
        assert_eq!((d.width, d.height), (w, h));
        assert_eq!(d.rgb, rgb);
    }

    #[test]
    fn wrong_buffer_size_is_an_error() {
        assert!(encode_rgb(2, 2, &[9; 11]).is_err());
    }
}
