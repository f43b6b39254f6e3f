//! Where a figure goes: [`Figures`], the file formats a run writes its figures in (PNG, SVG or
//! both), and [`Target`], the file or files one figure is written to.

use std::path::{Path, PathBuf};

/// The file formats figures are written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Figures {
    /// Raster images (`NAME.png`), anti-aliased.
    #[default]
    Png,
    /// Vector images (`NAME.svg`) whose text is SVG text, for papers and slides.
    Svg,
    /// Both `NAME.png` and `NAME.svg`.
    Both,
}

/// The file or files one figure is written to: a PNG path, an SVG path, or both.
///
/// A plain path converts into a target by its extension (`x.svg` is an SVG, anything else a
/// PNG written under exactly that name), so a caller that names one file gets one file;
/// [`Target::new`] names a figure by its stem and a [`Figures`] choice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    png: Option<PathBuf>,
    svg: Option<PathBuf>,
}

impl Target {
    /// The figure `stem` (a path without extension; `.png` and `.svg` are appended) in the
    /// formats `figures`.
    pub fn new(stem: &Path, figures: Figures) -> Self {
        let with = |ext: &str| {
            let mut s = stem.as_os_str().to_owned();
            s.push(ext);
            PathBuf::from(s)
        };
        let png = matches!(figures, Figures::Png | Figures::Both);
        let svg = matches!(figures, Figures::Svg | Figures::Both);
        Self {
            png: png.then(|| with(".png")),
            svg: svg.then(|| with(".svg")),
        }
    }

    /// The PNG file, if the figure is written as PNG.
    pub fn png(&self) -> Option<&Path> {
        self.png.as_deref()
    }

    /// The SVG file, if the figure is written as SVG.
    pub fn svg(&self) -> Option<&Path> {
        self.svg.as_deref()
    }

    /// The path errors name: the PNG file when there is one, else the SVG file.
    pub fn path(&self) -> &Path {
        self.png
            .as_deref()
            .or(self.svg.as_deref())
            .unwrap_or(Path::new(""))
    }

    /// Every file of the figure (PNG first).
    pub fn files(&self) -> Vec<&Path> {
        self.png
            .iter()
            .chain(&self.svg)
            .map(PathBuf::as_path)
            .collect()
    }
}

impl From<&Path> for Target {
    fn from(path: &Path) -> Self {
        let is_svg = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
        let path = Some(path.to_path_buf());
        if is_svg {
            Self {
                png: None,
                svg: path,
            }
        } else {
            Self {
                png: path,
                svg: None,
            }
        }
    }
}

impl From<&PathBuf> for Target {
    fn from(path: &PathBuf) -> Self {
        Self::from(path.as_path())
    }
}

impl From<PathBuf> for Target {
    fn from(path: PathBuf) -> Self {
        Self::from(path.as_path())
    }
}

impl From<&Target> for Target {
    fn from(t: &Target) -> Self {
        t.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_choose_the_files() {
        let p = Path::new("out/loss");
        assert_eq!(
            Target::new(p, Figures::Png).files(),
            [Path::new("out/loss.png")]
        );
        assert_eq!(
            Target::new(p, Figures::Svg).files(),
            [Path::new("out/loss.svg")]
        );
        assert_eq!(
            Target::new(Path::new("out/samples-0.5"), Figures::Both).files(),
            [
                Path::new("out/samples-0.5.png"),
                Path::new("out/samples-0.5.svg")
            ]
        );
        assert_eq!(
            Target::new(p, Figures::Svg).path(),
            Path::new("out/loss.svg")
        );
    }

    #[test]
    fn a_plain_path_is_one_file_chosen_by_extension() {
        let t = Target::from(Path::new("a/b.SVG"));
        assert_eq!((t.png(), t.svg()), (None, Some(Path::new("a/b.SVG"))));
        let t = Target::from(Path::new("a/plot"));
        assert_eq!((t.png(), t.svg()), (Some(Path::new("a/plot")), None));
    }
}
