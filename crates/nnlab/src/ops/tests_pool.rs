//! Pooling and upsampling facts: (a) the adjoint of 2×2 average pooling with stride 2 is ¼ of
//! nearest upsampling by 2; (b) nearest upsampling by r is the transpose convolution with a
//! diagonal all-ones r×r kernel and stride r; (d) LP pooling is sum pooling at p = 1 and tends
//! to max pooling as p grows, within max ≤ LP_p ≤ n^{1/p}·max.

use super::*;
use burn::prelude::*;
use burn::tensor::module::interpolate;
use burn::tensor::ops::{InterpolateMode, InterpolateOptions};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn values(t: Tensor<4>) -> Vec<f32> {
    t.into_data().try_into_vec::<f32>().expect("f32 tensor")
}

fn tensor(v: Vec<f32>, shape: [usize; 4], device: &Device) -> Tensor<4> {
    Tensor::from_data(TensorData::new(v, shape), device)
}

/// [n, c, h, w] with h, w even (the shapes of the pooled side are h/2 × w/2).
const SHAPES: [[usize; 4]; 4] = [[1, 1, 2, 2], [1, 1, 4, 6], [2, 3, 4, 4], [3, 2, 6, 2]];

#[test]
fn avg_pool_adjoint_is_quarter_upsample() {
    let device = Device::flex();
    for (i, &[n, c, h, w]) in SHAPES.iter().enumerate() {
        let pool = LinearOp::from_tensor([n, c, h, w], &device, |x| avg_pool2d(x, [2, 2], [2, 2]));
        let up = LinearOp::from_tensor([n, c, h / 2, w / 2], &device, |y| {
            upsample_nearest2d(y, 2).mul_scalar(0.25)
        });
        // Each output of either side is at most 4 products: rounding ≲ 4ε ≈ 2.4e-7.
        let t = dot_product_test(&pool, &up, i as u64);
        assert!(t.rel_error < 1e-6, "{:?}: {t:?}", [n, c, h, w]);
        // Exact: every entry is 1/4 (avg of a basis vector) or 0, and ¼·1 = 0.25 exactly.
        let a = matrix(&pool);
        let up1 =
            LinearOp::from_tensor([n, c, h / 2, w / 2], &device, |y| upsample_nearest2d(y, 2));
        let quarter_up: Vec<f64> = matrix(&up1).iter().map(|v| 0.25 * v).collect();
        assert_eq!(transpose(&a, pool.out_len(), pool.in_len()), quarter_up);
        assert!(a.iter().all(|&v| v == 0.0 || v == 0.25));
    }
}

#[test]
fn upsample_is_transpose_conv_with_ones_kernel() {
    let device = Device::flex();
    let mut rng = StdRng::seed_from_u64(5);
    for r in [1, 2, 3, 4] {
        for &[n, c, h, w] in &[[1, 1, 3, 3], [2, 3, 2, 5], [1, 4, 4, 1]] {
            let v = random_vector(n * c * h * w, &mut rng);
            let x = tensor(v.clone(), [n, c, h, w], &device);
            let up = values(upsample_nearest2d(x.clone(), r));
            let g = ConvGeometry::new([r, r], [0, 0], [1, 1]);
            let tc = conv_transpose2d(x, upsample_kernel(c, r, &device), &g, [0, 0]);
            assert_eq!(tc.dims(), [n, c, h * r, w * r]);
            // Exact: each output is x·1 plus zeros from the other channels.
            assert_eq!(values(tc), up, "r = {r}, shape {:?}", [n, c, h, w]);
            // And it is the definition y[u, v] = x[⌊u/r⌋, ⌊v/r⌋].
            let (hr, wr) = (h * r, w * r);
            for (idx, &y) in up.iter().enumerate() {
                let (plane, u, col) = (idx / (hr * wr), idx / wr % hr, idx % wr);
                assert_eq!(y, v[plane * h * w + (u / r) * w + col / r]);
            }
        }
    }
}

#[test]
fn interpolate_nearest_agrees_for_power_of_two_factors() {
    // Burn's nearest interpolation maps u ↦ ⌊u · (h / (h·r))⌋ in floating point; for r = 2, 4
    // the ratio is a power of two and the map is exact, so it must equal the reshape version.
    let device = Device::flex();
    let mut rng = StdRng::seed_from_u64(9);
    for r in [2usize, 4] {
        let shape = [2, 3, 5, 3];
        let x = tensor(random_vector(90, &mut rng), shape, &device);
        let opts = InterpolateOptions::new(InterpolateMode::Nearest)
            .with_align_corners(false)
            .with_output_size([5 * r, 3 * r]);
        let a = values(interpolate(x.clone(), opts));
        assert_eq!(a, values(upsample_nearest2d(x, r)), "r = {r}");
    }
}

/// Window sums computed by hand (independent of Burn's pooling).
fn naive_window(
    v: &[f32],
    [n, c, h, w]: [usize; 4],
    k: [usize; 2],
    s: [usize; 2],
    f: impl Fn(&[f64]) -> f64,
) -> Vec<f64> {
    let (oh, ow) = ((h - k[0]) / s[0] + 1, (w - k[1]) / s[1] + 1);
    let mut out = Vec::with_capacity(n * c * oh * ow);
    for plane in 0..n * c {
        for u in 0..oh {
            for t in 0..ow {
                let win: Vec<f64> = (0..k[0])
                    .flat_map(|i| (0..k[1]).map(move |j| (i, j)))
                    .map(|(i, j)| v[plane * h * w + (s[0] * u + i) * w + s[1] * t + j] as f64)
                    .collect();
                out.push(f(&win));
            }
        }
    }
    out
}

/// (shape, kernel, stride)
const LP_CASES: [([usize; 4], [usize; 2], [usize; 2]); 4] = [
    ([1, 1, 4, 4], [2, 2], [2, 2]),
    ([2, 3, 6, 5], [3, 2], [1, 1]),
    ([1, 2, 7, 7], [3, 3], [2, 2]),
    ([2, 1, 5, 8], [1, 4], [2, 3]),
];

#[test]
fn lp_pool_p1_is_sum_pool() {
    let device = Device::flex();
    let mut rng = StdRng::seed_from_u64(13);
    for (shape, k, s) in LP_CASES {
        let v: Vec<f32> = (0..shape.iter().product())
            .map(|_| rng.random_range(0.0f32..1.0))
            .collect();
        let lp = values(lp_pool2d(tensor(v.clone(), shape, &device), 1.0, k, s));
        let sum = values(sum_pool2d(tensor(v.clone(), shape, &device), k, s));
        let naive = naive_window(&v, shape, k, s, |w| w.iter().sum());
        assert_eq!(lp.len(), naive.len());
        // f32 sum of n ≤ 9 terms, then ×n after ÷n and x^1: relative error ≲ (n + 3)ε < 1e-6.
        for ((&a, &b), &e) in lp.iter().zip(&sum).zip(&naive) {
            assert!(
                (a as f64 - e).abs() <= 1e-6 * e.max(1e-30),
                "lp {a} vs Σ {e}"
            );
            assert!(
                (b as f64 - e).abs() <= 1e-6 * e.max(1e-30),
                "sum {b} vs Σ {e}"
            );
        }
    }
}

#[test]
fn lp_pool_tends_to_max_pool() {
    let device = Device::flex();
    let mut rng = StdRng::seed_from_u64(17);
    for (shape, k, s) in LP_CASES {
        let n = (k[0] * k[1]) as f64;
        // Values in [0.25, 1): x^p stays a normal f32 up to p = 32 (0.25³² ≈ 5e-20).
        let v: Vec<f32> = (0..shape.iter().product())
            .map(|_| rng.random_range(0.25f32..1.0))
            .collect();
        let max = values(max_pool2d(tensor(v.clone(), shape, &device), k, s));
        let naive_max = naive_window(&v, shape, k, s, |w| w.iter().copied().fold(0.0, f64::max));
        assert_eq!(max.iter().map(|&m| m as f64).collect::<Vec<_>>(), naive_max);
        let mut prev_gap = f64::INFINITY;
        for p in [1.0, 2.0, 4.0, 8.0, 16.0, 32.0] {
            let lp = values(lp_pool2d(tensor(v.clone(), shape, &device), p, k, s));
            let mut gap = 0.0f64;
            for (&l, &m) in lp.iter().zip(&max) {
                let (l, m) = (l as f64, m as f64);
                // Slack 1e-5 relative: f32 rounding of powf, the window sum and the root.
                assert!(l >= m * (1.0 - 1e-5), "p = {p}: LP {l} < max {m}");
                assert!(
                    l <= n.powf(1.0 / p) * m * (1.0 + 1e-5),
                    "p = {p}: LP {l} > bound"
                );
                gap = gap.max(l / m - 1.0);
            }
            assert!(
                gap <= prev_gap + 1e-6,
                "p = {p}: gap {gap} grew from {prev_gap}"
            );
            prev_gap = gap;
        }
        // At p = 32 the bound n^{1/32} ≤ 9^{1/32} ≈ 1.071 squeezes LP to within ~7% of max.
        assert!(prev_gap <= n.powf(1.0 / 32.0) - 1.0 + 1e-5);
    }
}
