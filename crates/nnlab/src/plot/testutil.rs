//! Test helpers for the plot module: checking written PNG and SVG files.

use super::png::{Decoded, SIGNATURE, decode_rgb};
use plotters::style::RGBColor;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Checks that `path` holds a valid PNG of `size` pixels with real content (many colours, not a
/// flat image) and that no temporary file is left beside it; returns the decoded image.
pub fn check_png(path: &Path, size: (u32, u32)) -> Decoded {
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes.starts_with(&SIGNATURE),
        "{} is not a PNG",
        path.display()
    );
    let img = decode_rgb(&bytes).unwrap();
    assert_eq!((img.width, img.height), size, "image size");
    let colours: HashSet<&[u8]> = img.rgb.chunks_exact(3).collect();
    assert!(
        colours.len() > 10,
        "only {} colours: the plot is empty",
        colours.len()
    );
    let white = img
        .rgb
        .chunks_exact(3)
        .filter(|p| *p == [255, 255, 255])
        .count();
    assert!(white < (img.width * img.height) as usize, "all white");
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') || n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    img
}

/// Whether some pixel has exactly colour `c`.
pub fn has_color(img: &Decoded, c: RGBColor) -> bool {
    img.rgb.chunks_exact(3).any(|p| p == [c.0, c.1, c.2])
}

/// A path that cannot be written: a file below a regular file.
pub fn unwritable_path(dir: &Path) -> PathBuf {
    let blocker = dir.join("not-a-dir");
    std::fs::write(&blocker, b"x").unwrap();
    blocker.join("out.png")
}

/// The text of every `<text>` element of the SVG document `bytes` (trimmed), in order; panics
/// unless the document parses as XML and its root element is `<svg>`.
pub fn svg_texts(bytes: &[u8]) -> Vec<String> {
    use xml::reader::{EventReader, XmlEvent};
    let (mut texts, mut in_text, mut root) = (Vec::new(), false, None);
    for event in EventReader::new(bytes) {
        match event.unwrap_or_else(|e| panic!("not XML: {e}")) {
            XmlEvent::StartElement { name, .. } => {
                root.get_or_insert_with(|| name.local_name.clone());
                if name.local_name == "text" {
                    in_text = true;
                    texts.push(String::new());
                }
            }
            XmlEvent::Characters(s) if in_text => texts.last_mut().unwrap().push_str(&s),
            XmlEvent::EndElement { name } if name.local_name == "text" => in_text = false,
            _ => {}
        }
    }
    assert_eq!(root.as_deref(), Some("svg"), "root element");
    texts.iter().map(|t| t.trim().to_string()).collect()
}

/// Checks that `path` is an SVG document (XML, `<svg>` root) with at least one `<text>` element
/// and no temporary file beside it; returns the texts.
pub fn check_svg(path: &Path) -> Vec<String> {
    let texts = svg_texts(&std::fs::read(path).unwrap());
    assert!(!texts.is_empty(), "{}: no <text>", path.display());
    texts
}
