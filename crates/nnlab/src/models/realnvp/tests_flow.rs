//! Checks of the coupling layer and the RealNVP stack: exact inverse, log-determinant against a
//! Jacobian built column by column with Burn autodiff, normalization of the density by 2-D
//! quadrature, and safetensors round trips.

use super::*;
use crate::io::{load_safetensors, to_safetensors};
use crate::models::coupling::{Coupling, CouplingConfig};
use crate::prob::quadrature::Grid;
use crate::train::seeded;
use rand::Rng;

/// A map x ↦ (z, log|det ∂z/∂x|) on a batch.
type FlowMap<'a> = Box<dyn Fn(Tensor<2>) -> (Tensor<2>, Tensor<1>) + 'a>;

/// A random mask of `k` of `n` coordinates, in random order.
fn random_mask(rng: &mut StdRng, n: usize, k: usize) -> Vec<usize> {
    let mut all: Vec<usize> = (0..n).collect();
    all.shuffle(rng);
    all.truncate(k);
    all
}

/// A coupling config with a random (non-zero) output layer, so s and t are not trivial.
fn coupling_cfg(n: usize, kept: Vec<usize>) -> CouplingConfig {
    CouplingConfig {
        dim: n,
        kept,
        hidden: 8,
        depth: 2,
        scale_bound: 1.5,
        zero_init: false,
    }
}

fn rows(v: &[f32], b: usize, n: usize, device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(v.to_vec(), [b, n]), device)
}

fn to_vec<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .unwrap()
}

/// `b`×`n` standard normal entries drawn from `rng`.
fn normal_rows(rng: &mut StdRng, b: usize, n: usize) -> Vec<f32> {
    let t = normal_noise(rng, [b, n], &Device::flex());
    to_vec(t)
}

/// log|det A| of the n×n row-major matrix `a` by Gaussian elimination with partial pivoting
/// (f64 scalar code: the reference for the flow's log-determinant).
fn log_abs_det(mut a: Vec<f64>, n: usize) -> f64 {
    let mut sum = 0.0;
    for c in 0..n {
        let p = (c..n)
            .max_by(|&i, &j| a[i * n + c].abs().total_cmp(&a[j * n + c].abs()))
            .unwrap();
        for k in 0..n {
            a.swap(c * n + k, p * n + k);
        }
        let piv = a[c * n + c];
        sum += piv.abs().ln();
        for r in c + 1..n {
            let f = a[r * n + c] / piv;
            for k in c..n {
                a[r * n + k] -= f * a[c * n + k];
            }
        }
    }
    sum
}

/// The Jacobians ∂f(x_b)/∂x_b of every row b of `x` [b, n] (row-major n×n each), one autodiff
/// backward per output coordinate j: ∂(Σ_b f(x_b)_j)/∂x gives row j of every J_b, because rows
/// do not interact. `f` runs a fresh forward each time (a backward consumes its graph).
fn jacobians(f: impl Fn(Tensor<2>) -> Tensor<2>, x: &[f32], b: usize, n: usize) -> Vec<Vec<f64>> {
    let ad = Device::flex().autodiff();
    let mut jac = vec![vec![0.0; n * n]; b];
    for j in 0..n {
        let xt = rows(x, b, n, &ad).require_grad();
        let zj = f(xt.clone()).select(1, Tensor::from_ints([j as i32], &ad));
        let grads = zj.sum().backward();
        let g = to_vec(xt.grad(&grads).expect("gradient of x"));
        for (bi, jb) in jac.iter_mut().enumerate() {
            for i in 0..n {
                jb[j * n + i] = f64::from(g[bi * n + i]);
            }
        }
    }
    jac
}

#[test]
fn coupling_inverse_recovers_x_for_random_masks_and_sizes() {
    let device = Device::flex();
    let mut rng = StdRng::seed_from_u64(11);
    for case in 0..20 {
        let n = rng.random_range(2..=12);
        let k = rng.random_range(1..n);
        let layer: Coupling = seeded(&device, case, || {
            coupling_cfg(n, random_mask(&mut rng, n, k)).init(&device)
        });
        let x = normal_rows(&mut rng, 5, n);
        let (z, _) = layer.forward(rows(&x, 5, n, &device));
        let z = to_vec(z);
        // z_Ω = x_Ω exactly (a copy), and x_Ωᶜ actually changed.
        for r in 0..5 {
            for &i in layer.kept() {
                assert_eq!(z[r * n + i], x[r * n + i]);
            }
        }
        assert!(layer.changed().iter().any(|&i| z[i] != x[i]));
        let back = to_vec(layer.inverse(rows(&z, 5, n, &device)));
        // f32: e^{s}·x + t then (z − t)·e^{−s} loses a few ulps of max(|x|, |t|, e^{s}|x|)
        // (|s| ≤ 1.5, |x| ≲ 4): 1e-5 absolute plus 1e-5 relative is ample.
        for (a, b) in x.iter().zip(&back) {
            assert!(
                (a - b).abs() <= 1e-5 + 1e-5 * a.abs(),
                "n {n} |Ω| {k}: {a} vs {b}"
            );
        }
    }
}

#[test]
fn stack_inverse_recovers_x_and_samples_invert() {
    let device = Device::flex();
    let mut rng = StdRng::seed_from_u64(12);
    for (case, masks) in [MaskKind::Alternating, MaskKind::Random { seed: 3 }]
        .into_iter()
        .enumerate()
    {
        let n = 7;
        let cfg = RealNvpConfig {
            masks,
            zero_init: false,
            hidden: 16,
            layers: 5,
            ..RealNvpConfig::for_points(n)
        };
        let flow = seeded(&device, case as u64, || cfg.init(&device));
        let x = normal_rows(&mut rng, 6, n);
        let (z, _) = flow.forward(rows(&x, 6, n, &device));
        let back = to_vec(flow.inverse(z));
        // Five layers compound the per-layer rounding above: 1e-4 is still 10× the observed error.
        for (a, b) in x.iter().zip(&back) {
            assert!(
                (a - b).abs() <= 1e-4 * (1.0 + a.abs()),
                "{masks:?}: {a} vs {b}"
            );
        }
        // Sampling is the inverse: f(f⁻¹(z)) = z.
        let mut srng = StdRng::seed_from_u64(5);
        let xs = flow.sample(4, &mut srng, &device);
        let z0 = to_vec(normal_noise(&mut StdRng::seed_from_u64(5), [4, n], &device));
        let (z1, _) = flow.forward(xs);
        for (a, b) in z0.iter().zip(to_vec(z1)) {
            assert!((a - b).abs() <= 1e-4 * (1.0 + a.abs()), "{a} vs {b}");
        }
    }
}

#[test]
fn masks_alternate_and_cover_every_coordinate() {
    for kind in [
        MaskKind::Alternating,
        MaskKind::Checkerboard { cols: 4 },
        MaskKind::Random { seed: 9 },
    ] {
        let (m0, m1) = (kind.mask(0, 12), kind.mask(1, 12));
        let mut all: Vec<usize> = m0.iter().chain(&m1).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..12).collect::<Vec<_>>(), "{kind:?}");
        assert_eq!(m0.len(), 6);
    }
    // Checkerboard on a 4-wide image: rows alternate their parity.
    assert_eq!(MaskKind::Checkerboard { cols: 4 }.mask(0, 8), [0, 2, 5, 7]);
    assert_ne!(
        MaskKind::Random { seed: 9 }.mask(0, 12),
        MaskKind::Random { seed: 9 }.mask(2, 12)
    );
}

#[test]
fn log_det_matches_autodiff_jacobian_for_random_masks_layers_and_stacks() {
    let ad = Device::flex().autodiff();
    let mut rng = StdRng::seed_from_u64(21);
    for case in 0..12u64 {
        let n = rng.random_range(2..=12);
        let k = rng.random_range(1..n);
        let b = 3;
        let x = normal_rows(&mut rng, b, n);
        let layer = seeded(&ad, case, || {
            coupling_cfg(n, random_mask(&mut rng, n, k)).init(&ad)
        });
        let stack_cfg = RealNvpConfig {
            masks: MaskKind::Random { seed: case },
            zero_init: false,
            hidden: 8,
            layers: 4,
            scale_bound: 1.5,
            ..RealNvpConfig::for_points(n)
        };
        let stack = seeded(&ad, 100 + case, || stack_cfg.init(&ad));
        let checks: [(&str, FlowMap); 2] = [
            ("layer", Box::new(|t| layer.forward(t))),
            ("stack", Box::new(|t| stack.forward(t))),
        ];
        for (what, f) in checks {
            let (_, ld) = f(rows(&x, b, n, &ad));
            let ld = to_vec(ld);
            let jac = jacobians(|t| f(t).0, &x, b, n);
            for (r, j) in jac.into_iter().enumerate() {
                let want = log_abs_det(j, n);
                // f32 forward and gradients: entries of J carry ~1e-6 relative error, and
                // log|det| sums n ≤ 12 log-pivots; measured error ≤ 4e-7 for |log det| ≤ 1.6.
                // 1e-4 (relative to 1 + |log det|) still catches any missing or extra term.
                assert!(
                    (ld[r] as f64 - want).abs() < 1e-4 * (1.0 + want.abs()),
                    "{what} case {case}, n {n}, |Ω| {k}, row {r}: {} vs {want}",
                    ld[r]
                );
            }
        }
    }
}

#[test]
fn density_of_a_random_2d_flow_integrates_to_one() {
    let device = Device::flex();
    let cfg = RealNvpConfig {
        zero_init: false,
        hidden: 8,
        layers: 4,
        scale_bound: 0.5,
        ..RealNvpConfig::for_points(2)
    };
    let flow = seeded(&device, 7, || cfg.init(&device));
    // Tensor-product Simpson rule on [−12, 12]²: each layer scales a coordinate by at most
    // e^{0.5} and each coordinate is scaled twice, so p_X has Gaussian tails of standard
    // deviation ≲ e ≈ 2.7 around a bounded shift; the mass outside the box is far below the
    // tolerance. The ReLU nets make p_X only piecewise smooth (Simpson drops to O(h²) at the
    // kinks): with h = 0.06 the measured mass is 1 + 6e-6; 1e-3 leaves room for rounding
    // on other platforms and still rejects a wrong log-determinant (a missing e^{s} factor
    // changes the mass by tens of percent).
    let g = Grid::simpson(-12.0, 12.0, 400).unwrap();
    let pts: Vec<[f64; 2]> = g
        .nodes
        .iter()
        .flat_map(|&y| g.nodes.iter().map(move |&x| [x, y]))
        .collect();
    let lp = toy::log_prob_points(&flow, &pts, &device);
    let m = g.nodes.len();
    let mass: f64 = (0..m * m)
        .map(|k| g.weights[k / m] * g.weights[k % m] * lp[k].exp())
        .sum();
    assert!((mass - 1.0).abs() < 1e-3, "∫ p = {mass}");
}

#[test]
fn safetensors_round_trip_restores_the_flow() {
    let device = Device::flex();
    let cfg = RealNvpConfig {
        zero_init: false,
        hidden: 8,
        layers: 3,
        masks: MaskKind::Random { seed: 1 },
        ..RealNvpConfig::for_points(5)
    };
    let a = seeded(&device, 1, || cfg.init(&device));
    let b = seeded(&device, 2, || cfg.init(&device));
    let x = rows(
        &normal_rows(&mut StdRng::seed_from_u64(3), 4, 5),
        4,
        5,
        &device,
    );
    let (la, lb) = (to_vec(a.log_prob(x.clone())), to_vec(b.log_prob(x.clone())));
    assert_ne!(la, lb);
    let loaded = load_safetensors(b, to_safetensors(&a).unwrap()).unwrap();
    // Same weights, same arithmetic: bit-identical.
    assert_eq!(to_vec(loaded.log_prob(x)), la);
    // Weights of another shape (hidden width 9) are refused, not silently half-loaded.
    let other = RealNvpConfig {
        hidden: 9,
        ..cfg.clone()
    };
    let res = load_safetensors(
        seeded(&device, 1, || other.init(&device)),
        to_safetensors(&a).unwrap(),
    );
    assert!(res.is_err(), "mismatched weights were accepted");
}

#[test]
fn invalid_configs_are_rejected_with_the_field_named() {
    let ok = RealNvpConfig::for_images(28, 28);
    assert!(ok.validate().is_ok());
    let bad = |c: RealNvpConfig, needle: &str| {
        let e = c.validate().unwrap_err();
        assert!(e.contains(needle), "{e}");
    };
    bad(
        RealNvpConfig {
            dim: 1,
            ..ok.clone()
        },
        "dimension",
    );
    bad(
        RealNvpConfig {
            layers: 0,
            ..ok.clone()
        },
        "layers",
    );
    bad(
        RealNvpConfig {
            hidden: 0,
            ..ok.clone()
        },
        "hidden",
    );
    bad(
        RealNvpConfig {
            scale_bound: f64::NAN,
            ..ok.clone()
        },
        "scale bound",
    );
    bad(
        RealNvpConfig {
            masks: MaskKind::Checkerboard { cols: 5 },
            ..ok.clone()
        },
        "checkerboard",
    );
    let c = coupling_cfg(4, vec![0, 0]);
    assert!(c.validate().unwrap_err().contains("twice"));
    let c = coupling_cfg(4, vec![0, 1, 2, 3]);
    assert!(c.validate().unwrap_err().contains("between 1 and 3"));
    let c = coupling_cfg(4, vec![4]);
    assert!(c.validate().unwrap_err().contains("out of range"));
}
