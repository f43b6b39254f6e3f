//! `--figures` end to end: every job that writes figures, run on its quick settings with
//! `--figures svg`, writes each of its figures as an SVG document (XML with an `<svg>` root
//! and `<text>` elements) and no PNG, and its report.html shows every figure inline as SVG;
//! `--figures both` writes both files and the page shows the SVG; a bad value fails with exit
//! status 2 and clap's message naming the flag and the choices.

mod common;

use common::{nnlab, text};
use std::path::Path;
use xml::reader::{EventReader, XmlEvent};

/// `n` 8×8 images in three labelled groups (a row band, a column band, a corner block) with
/// pixel noise; returns the `images+labels` selection.
fn groups(dir: &Path, n: usize) -> String {
    let mut px = Vec::with_capacity(n * 64);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let g = i % 3;
        labels.push(g as u8);
        for k in 0..64usize {
            let on = match g {
                0 => k / 8 < 3,
                1 => k % 8 < 3,
                _ => k / 8 >= 5 && k % 8 >= 5,
            };
            let noise = ((i * 131 + k * 71) % 40) as u8;
            px.push(if on { 200 + noise } else { noise });
        }
    }
    let (imgs, lbls) = (dir.join("x.idx"), dir.join("y.idx"));
    nnlab::data::write_idx_u8(&imgs, &[n, 8, 8], &px, false).unwrap();
    nnlab::data::write_idx_u8(&lbls, &[n], &labels, false).unwrap();
    format!("{}+{}", imgs.display(), lbls.display())
}

/// `n` 8×8 images with a bright top half (`top`) or bottom half, plus noise.
fn halves(path: &Path, n: usize, top: bool) -> String {
    let px: Vec<u8> = (0..n * 64)
        .map(|k| {
            let bright = ((k % 64) / 8 < 4) == top;
            (if bright { 200 } else { 10 }) + (k * 7919 % 40) as u8
        })
        .collect();
    nnlab::data::write_idx_u8(path, &[n, 8, 8], &px, false).unwrap();
    path.display().to_string()
}

/// The `<text>` contents of the SVG file `path`; panics unless it parses as XML with an `<svg>`
/// root.
fn svg_texts(path: &Path) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (mut texts, mut in_text, mut root) = (Vec::new(), false, None);
    for event in EventReader::new(&bytes[..]) {
        match event.unwrap_or_else(|e| panic!("{} is not XML: {e}", path.display())) {
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
    assert_eq!(root.as_deref(), Some("svg"), "{}", path.display());
    texts
}

/// Runs `nnlab <args> --figures <fmt> --quiet --out <dir>/run` and checks the figures `stems`:
/// as SVG (XML with text) when `fmt` asks for SVG, as PNG when it asks for PNG, neither
/// otherwise; and report.html embeds each one inline as SVG when there is one.
fn check(args: &[&str], fmt: &str, stems: &[&str], dir: &Path) {
    let out = dir.join("run");
    let mut all = args.to_vec();
    all.extend(["--figures", fmt, "--quiet", "--out", out.to_str().unwrap()]);
    let o = nnlab(&all);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "{args:?}\n{stdout}\n{stderr}");
    let (svg, png) = (fmt != "png", fmt != "svg");
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    for stem in stems {
        let (s, p) = (
            out.join(format!("{stem}.svg")),
            out.join(format!("{stem}.png")),
        );
        assert_eq!(s.is_file(), svg, "{args:?}: {}", s.display());
        assert_eq!(p.is_file(), png, "{args:?}: {}", p.display());
        if svg {
            let texts = svg_texts(&s);
            assert!(
                texts.iter().any(|t| !t.trim().is_empty()),
                "{}: no text",
                s.display()
            );
            assert!(
                page.contains(&format!("<figure id=\"fig-{stem}.svg\"><svg ")),
                "{args:?}: {stem}.svg is not inline in report.html"
            );
            assert!(
                !page.contains(&format!("fig-{stem}.png")),
                "{stem}.png shown too"
            );
        }
    }
    let shown = match (svg, png) {
        (true, true) => ".{png,svg}",
        (true, false) => ".svg",
        _ => ".png",
    };
    assert!(
        stdout.contains(&format!("{}{shown}", stems[0])),
        "{args:?}: the summary names {}{shown}:\n{stdout}",
        stems[0]
    );
}

#[test]
fn anomaly_writes_svg() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let normal = halves(&d.join("n.idx"), 200, true);
    let test = halves(&d.join("t.idx"), 40, true);
    let anomaly = halves(&d.join("a.idx"), 40, false);
    let args = [
        "anomaly",
        "--normal",
        &normal,
        "--normal-test",
        &test,
        "--anomaly",
        &anomaly,
        "--validation",
        "40",
        "--epochs",
        "1",
        "--batch-size",
        "40",
        "--hidden",
        "8",
        "--latent",
        "2",
    ];
    check(
        &args,
        "svg",
        &["histogram", "roc", "loss", "reconstructions"],
        d,
    );
}

#[test]
fn vae_writes_svg() {
    let dir = tempfile::tempdir().unwrap();
    let g = groups(dir.path(), 90);
    let args = [
        "vae",
        "--data",
        &g,
        "--test-data",
        &g,
        "--epochs",
        "1",
        "--batch-size",
        "30",
        "--hidden",
        "8",
        "--latent",
        "2",
        "--iw-samples",
        "1",
    ];
    check(
        &args,
        "svg",
        &["samples", "reconstructions", "loss"],
        dir.path(),
    );
}

#[test]
fn realnvp_writes_svg() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "realnvp", "--data", "rings", "--points", "200", "--epochs", "1", "--layers", "2",
        "--hidden", "8",
    ];
    check(&args, "svg", &["samples", "density", "loss"], dir.path());
}

#[test]
fn gan_writes_svg() {
    let dir = tempfile::tempdir().unwrap();
    let g = groups(dir.path(), 48);
    let args = [
        "gan",
        "--data",
        &g,
        "--epochs",
        "1",
        "--batch-size",
        "16",
        "--latent",
        "4",
        "--hidden",
        "8",
        "--d-pretrain",
        "2",
        "--samples",
        "4",
        "--offline",
    ];
    let stems = [
        "grad_norm_vs_d",
        "grad_norm",
        "loss",
        "discriminator",
        "samples-minimax",
        "samples-nonsat",
    ];
    check(&args, "svg", &stems, dir.path());
}

#[test]
fn flow1d_writes_svg_and_both() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "flow1d",
        "--epochs",
        "1",
        "--train",
        "300",
        "--test",
        "300",
        "--samples",
        "300",
        "--batch-size",
        "100",
    ];
    check(&args, "svg", &["flow1d"], &dir.path().join("svg"));
    check(&args, "both", &["flow1d"], &dir.path().join("both"));
    check(&args, "png", &["flow1d"], &dir.path().join("png"));
}

#[test]
fn softmax_regression_writes_both() {
    let dir = tempfile::tempdir().unwrap();
    let g = groups(dir.path(), 60);
    let args = [
        "softmax-regression",
        "--data",
        &g,
        "--test-data",
        &g,
        "--epochs",
        "1",
        "--batch-size",
        "20",
        "--top-k",
        "2",
        "--offline",
    ];
    check(&args, "both", &["loss", "confusion", "weights"], dir.path());
}

#[test]
fn lasso_writes_svg() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "lasso",
        "--m",
        "30",
        "--n",
        "60",
        "--k",
        "3",
        "--iterations",
        "50",
    ];
    check(&args, "svg", &["convergence"], dir.path());
}

#[test]
fn deblur_writes_svg() {
    let dir = tempfile::tempdir().unwrap();
    let g = groups(dir.path(), 3);
    let args = [
        "deblur",
        "--data",
        &g,
        "--radius",
        "1",
        "--iterations",
        "20",
        "--offline",
    ];
    check(&args, "svg", &["deblur", "psnr"], dir.path());
}

#[test]
fn dictionary_writes_svg() {
    let dir = tempfile::tempdir().unwrap();
    let g = groups(dir.path(), 60);
    let args = [
        "dictionary",
        "--train",
        &g,
        "--test",
        &g,
        "--atoms",
        "6",
        "--rounds",
        "2",
        "--coding-iterations",
        "10",
        "--offline",
    ];
    check(
        &args,
        "svg",
        &["atoms", "reconstructions", "objective"],
        dir.path(),
    );
}

#[test]
fn studies_write_svg() {
    let dir = tempfile::tempdir().unwrap();
    let g = groups(dir.path(), 60);
    let noise = [
        "study",
        "noise",
        "--rows",
        "20",
        "--features",
        "3",
        "--weights",
        "5",
        "--draws",
        "50",
        "--sgd-steps",
        "200",
        "--runs",
        "100",
        "--scalar-steps",
        "10",
    ];
    check(
        &noise,
        "svg",
        &["identity", "sgd", "scalar"],
        &dir.path().join("noise"),
    );
    let momentum = [
        "study",
        "momentum",
        "--kappas",
        "10",
        "--dim",
        "5",
        "--iterations",
        "50",
        "--data",
        &g,
        "--images",
        "30",
        "--hidden",
        "4",
        "--epochs",
        "1",
        "--offline",
    ];
    check(
        &momentum,
        "svg",
        &["rates", "autoencoder"],
        &dir.path().join("momentum"),
    );
    let leak = [
        "study",
        "leak",
        "--data",
        &g,
        "--images",
        "60",
        "--test",
        &g,
        "--test-images",
        "30",
        "--hidden",
        "4",
        "--epochs",
        "1",
        "--copies",
        "2",
        "--offline",
    ];
    check(
        &leak,
        "svg",
        &["accuracy", "examples"],
        &dir.path().join("leak"),
    );
}

#[test]
fn tsne_writes_svg() {
    let dir = tempfile::tempdir().unwrap();
    let g = groups(dir.path(), 60);
    let args = [
        "tsne",
        "--data",
        &g,
        "--perplexity",
        "5",
        "--iterations",
        "60",
        "--exaggeration-iterations",
        "30",
    ];
    check(&args, "svg", &["tsne"], dir.path());
}

#[test]
fn bad_format_names_the_flag_and_the_choices() {
    let o = nnlab(&["flow1d", "--figures", "jpeg", "--quiet"]);
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    for want in ["--figures", "jpeg", "png", "svg", "both"] {
        assert!(stderr.contains(want), "missing {want}: {stderr}");
    }
}
