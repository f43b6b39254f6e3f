//! Temporary demo renders (to be removed).
use super::*;
#[test]
#[ignore]
fn demo() {
    let d = std::path::Path::new("/tmp/plot-demo");
    let f = |n: usize, c: f32, s: f32, k: f32| -> Vec<f32> {
        (0..n)
            .map(|i| {
                let u = (i as f32 * 0.618_034).fract();
                let v = ((i as f32 * 0.414_213).fract() - 0.5) * 2.0;
                (c * (1.0 + s * (u - 0.5) + k * v * v * v)).abs() + 1e-4
            })
            .collect()
    };
    let (a, b, c) = (
        f(5000, 0.02, 1.2, 0.6),
        f(2000, 0.022, 1.3, 0.7),
        f(300, 0.07, 1.5, 1.0),
    );
    let s = [
        Series {
            name: "validation",
            values: &a,
        },
        Series {
            name: "normal test",
            values: &b,
        },
        Series {
            name: "anomalies",
            values: &c,
        },
    ];
    score_histogram(
        &d.join("hist.png"),
        "Reconstruction error: MNIST digit 0 vs others",
        &s,
        0.041,
        false,
        50,
    )
    .unwrap();
    score_histogram(
        &d.join("hist_log.png"),
        "Reconstruction error (log scale)",
        &s,
        0.041,
        true,
        50,
    )
    .unwrap();
    let pts: Vec<(f64, f64)> = (0..=100)
        .map(|i| {
            let x = i as f64 / 100.0;
            (x, x.powf(0.15))
        })
        .collect();
    roc_curve(
        &d.join("roc.png"),
        "ROC: digit 0 vs others",
        &pts,
        0.9567,
        Some((0.05, 0.638)),
    )
    .unwrap();
    let imgs: Vec<Vec<f32>> = (0..6)
        .map(|s| {
            (0..784)
                .map(|k| {
                    let (r, c) = ((k / 28) as f32, (k % 28) as f32);
                    let d = ((r - 14.0).powi(2) + (c - 14.0 + s as f32).powi(2)).sqrt();
                    if (d - 8.0).abs() < 2.0 { 1.0 } else { 0.0 }
                })
                .collect()
        })
        .collect();
    let rows = vec![
        GridRow {
            label: "normal".into(),
            images: imgs.iter().map(Vec::as_slice).collect(),
            captions: (0..6)
                .map(|i| format!("{:.4}", 0.01 * i as f64 + 0.0123))
                .collect(),
        },
        GridRow {
            label: "anomalies (worst)".into(),
            images: imgs.iter().rev().map(Vec::as_slice).collect(),
            captions: (0..6)
                .map(|i| format!("{:.4}", 0.1 * i as f64 + 0.0523))
                .collect(),
        },
        GridRow {
            label: "reconstructions".into(),
            images: imgs[..3].iter().map(Vec::as_slice).collect(),
            captions: vec![],
        },
    ];
    image_grid(
        &d.join("grid.png"),
        "Test images and reconstructions",
        &rows,
        28,
        28,
    )
    .unwrap();
    let tr: Vec<(f64, f64)> = (1..=40)
        .map(|e| (e as f64, 0.5 / e as f64 + 0.02))
        .collect();
    let va: Vec<(f64, f64)> = (1..=40)
        .map(|e| (e as f64, 0.6 / e as f64 + 0.025 + 0.0002 * e as f64))
        .collect();
    let l = [
        Line {
            name: "train",
            points: &tr,
        },
        Line {
            name: "validation",
            points: &va,
        },
    ];
    line_plot(
        &d.join("loss.png"),
        "Training loss",
        "epoch",
        "MSE loss",
        &l,
        false,
    )
    .unwrap();
    line_plot(
        &d.join("loss_log.png"),
        "Training loss (log)",
        "epoch",
        "MSE loss",
        &l,
        true,
    )
    .unwrap();
}
