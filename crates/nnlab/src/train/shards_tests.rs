//! The sharded gradient is the whole batch's gradient (up to float32 summation order), and
//! averaging the shards' gradients instead of summing them is caught.

use super::*;
use crate::models::autoencoder::{Arch, Autoencoder, ModelConfig};
use crate::train::seeded;

fn model() -> Autoencoder {
    let device = Device::flex().autodiff();
    let cfg = ModelConfig {
        arch: Arch::Mlp,
        rows: 4,
        cols: 4,
        hidden: vec![8],
        latent: 3,
    };
    seeded(&device, 5, || cfg.init(&device))
}

/// Pseudo-random pixels in [0, 1) of image `i`.
fn image(i: usize) -> Vec<f32> {
    (0..16)
        .map(|j| ((i * 16 + j) * 2_654_435_761 % 1000) as f32 / 1000.0)
        .collect()
}

/// Loss value and every parameter's gradient (in visiting order) of Σ‖x − D(E(x))‖² over
/// 40 images, computed in `shards` shards.
fn run(m: &Autoencoder, shards: usize) -> (f64, Vec<Vec<f32>>) {
    let idx: Vec<usize> = (0..40).collect();
    let batch = |idx: &[usize], device: &Device| {
        let v: Vec<f32> = idx.iter().flat_map(|&i| image(i)).collect();
        Tensor::<2>::from_data(TensorData::new(v, [idx.len(), 16]), device)
    };
    let loss =
        |m: &Autoencoder, x: Tensor<2>, _: &mut StdRng| (m.forward(x.clone()) - x).square().sum();
    let mut rng = StdRng::seed_from_u64(0);
    let device = Device::flex().autodiff();
    let (value, grads) = gradients(m, &device, &idx, shards, &mut rng, &batch, &loss);
    struct Flat<'a>(&'a GradientsParams, Vec<Vec<f32>>);
    impl ModuleVisitor for Flat<'_> {
        fn visit_float<const D: usize>(&mut self, p: &Param<Tensor<D>>) {
            let g = self
                .0
                .get::<D>(p.id)
                .expect("every parameter has a gradient");
            self.1.push(crate::train::to_vec(g));
        }
    }
    let mut flat = Flat(&grads, Vec::new());
    m.visit(&mut flat);
    (value, flat.1)
}

/// Every gradient agrees to 1e-5 of its tensor's largest entry: the shards add the same
/// float32 terms (≤ 40 per entry) in another order, which moves a sum by ≲ 40 · 6e-8 of its
/// terms' magnitudes.
fn agree(a: &[Vec<f32>], b: &[Vec<f32>]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            let scale = y.iter().fold(0f32, |m, v| m.max(v.abs()));
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| (p - q).abs() <= 1e-5 * scale)
        })
}

#[test]
fn sharded_gradient_is_the_batch_gradient() {
    let m = model();
    let (v1, g1) = run(&m, 1);
    assert!(
        g1.iter().flatten().any(|&g| g.abs() > 1e-3),
        "gradients are not all ~0"
    );
    for shards in [2, 3] {
        // 3 shards of 40 rows: 14, 14, 12 (uneven parts); the pools are reused cyclically.
        let (v, g) = run(&m, shards);
        assert!(
            (v - v1).abs() <= 1e-5 * v1.abs(),
            "{shards} shards: loss {v} vs {v1}"
        );
        assert!(
            agree(&g, &g1),
            "{shards} shards: gradients differ from the batch's"
        );
        // The plausible mistake of data-parallel training with a summed loss: averaging the
        // shards' gradients (right only for a mean loss) is off by the factor 1/shards.
        let mean: Vec<Vec<f32>> = g
            .iter()
            .map(|t| t.iter().map(|x| x / shards as f32).collect())
            .collect();
        assert!(!agree(&mean, &g1), "averaging must fail the check");
    }
}

#[test]
fn shard_count_follows_cores_and_batch_size() {
    let cpu = Device::flex();
    let pools = crate::device::shard_pools().len();
    assert_eq!(count(100, &cpu), pools.clamp(1, 100 / MIN_SHARD_ROWS));
    assert_eq!(count(MIN_SHARD_ROWS - 1, &cpu), 1);
    assert_eq!(count(100, &cpu.clone().autodiff()), count(100, &cpu));
}
