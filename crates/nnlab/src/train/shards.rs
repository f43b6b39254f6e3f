//! Data-parallel gradients on the CPU: the batch is cut into shards, each shard's loss and
//! gradients are computed by its own copy of the model on its own thread, and the gradients
//! are summed.
//!
//! For a loss that is a sum over the batch, L = Σ_s L_s over the shards s, so
//! ∇L = Σ_s ∇L_s: the gradient of one pass over the whole batch, up to the order of the float32
//! additions. Burn's CPU backend parallelizes inside each operation, which at the training
//! shapes here (batch 100, widths ≤ 784) costs as much in hand-offs as it gains; one shard per
//! core keeps every core busy on whole forward and backward passes instead.

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::prelude::*;
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};

/// Fewest batch rows a shard gets: below this the per-operation costs outweigh the extra core.
pub const MIN_SHARD_ROWS: usize = 16;

/// How many shards a batch of `batch_size` is cut into on `device`: one per compute thread
/// ([`crate::device::shard_pools`]), at most `batch_size / MIN_SHARD_ROWS`, and 1 off the CPU.
/// The count is fixed for a run, so the same seed gives the same numbers on the same machine;
/// a machine with another number of cores sums the gradient in another order.
pub fn count(batch_size: usize, device: &Device) -> usize {
    if *device != Device::flex() {
        return 1;
    }
    let pools = crate::device::shard_pools().len();
    pools.min(batch_size / MIN_SHARD_ROWS).max(1)
}

/// The loss value and the gradients of Σ_s `loss(model, batch(idx_s, device), rng_s)` over at
/// most `shards` consecutive, near-equal parts idx_s of `idx` (`device`: the model's). With one shard this is `loss(model,
/// batch(idx), rng)` on the calling thread; with more, shard s runs in pool s (modulo their
/// number) of [`crate::device::shard_pools`] on a fresh-leaf copy of `model` (same parameter
/// ids) with a generator seeded from `rng`, and the gradients are added in shard order.
pub fn gradients<M, X>(
    model: &M,
    device: &Device,
    idx: &[usize],
    shards: usize,
    rng: &mut StdRng,
    batch: &(impl Fn(&[usize], &Device) -> X + Sync),
    loss: &(impl Fn(&M, X, &mut StdRng) -> Tensor<1> + Sync),
) -> (f64, GradientsParams)
where
    M: Module,
{
    let one = |m: &M, part: &[usize], rng: &mut StdRng| {
        let l = loss(m, batch(part, device), rng);
        let value = l.clone().into_scalar::<f32>() as f64;
        (value, GradientsParams::from_grads(l.backward(), m))
    };
    let pools = crate::device::shard_pools();
    let shards = shards.min(idx.len());
    if shards <= 1 || pools.is_empty() {
        return one(model, idx, rng);
    }
    let size = idx.len().div_ceil(shards);
    let jobs: Vec<(M, &[usize], StdRng)> = idx
        .chunks(size)
        .map(|part| {
            (
                model.valid().train(),
                part,
                StdRng::seed_from_u64(rng.next_u64()),
            )
        })
        .collect();
    let results: Vec<(f64, GradientsParams)> = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .into_iter()
            .zip(pools.iter().cycle())
            .map(|((m, part, mut rng), pool)| {
                let one = &one;
                scope.spawn(move || pool.install(move || one(&m, part, &mut rng)))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let value = results.iter().map(|(v, _)| v).sum();
    let mut parts: Vec<GradientsParams> = results.into_iter().map(|(_, g)| g).collect();
    let mut total = GradientsParams::new();
    model.visit(&mut AddGradients {
        parts: &mut parts,
        total: &mut total,
    });
    (value, total)
}

/// Sums, parameter by parameter, the gradients of the shards into one set.
struct AddGradients<'a> {
    parts: &'a mut [GradientsParams],
    total: &'a mut GradientsParams,
}

impl ModuleVisitor for AddGradients<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let sum = self
            .parts
            .iter_mut()
            .filter_map(|g| g.remove::<D>(param.id))
            .reduce(|a, b| a + b);
        if let Some(sum) = sum {
            self.total.register(param.id, sum);
        }
    }
}

#[cfg(test)]
#[path = "shards_tests.rs"]
mod tests;
