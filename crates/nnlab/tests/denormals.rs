//! `device::set_denormals` flushes subnormal floats to zero on the calling thread, on every
//! rayon worker and on the threads of the shard pools of data-parallel training, and
//! `Denormals::Keep` restores gradual underflow. In its own test binary (its own process),
//! because the policy is process-wide for the rayon pools.

use nnlab::device::{Denormals, DeviceChoice, set_denormals};
use std::hint::black_box;

/// 2⁻¹²⁶ · 0.5 = 2⁻¹²⁷: exactly representable as a subnormal under gradual underflow, exactly 0
/// when flushed. `black_box` keeps the compiler from folding the product at build time.
fn subnormal_product() -> f32 {
    black_box(f32::MIN_POSITIVE) * black_box(0.5f32)
}

/// The product on the calling thread and on every rayon worker, global pool then shard pools.
fn products() -> (f32, Vec<f32>) {
    let shards = nnlab::device::shard_pools().iter();
    let mut workers = rayon::broadcast(|_| subnormal_product());
    workers.extend(shards.map(|pool| pool.install(subnormal_product)));
    (subnormal_product(), workers)
}

#[test]
fn flush_reaches_main_and_rayon_threads_and_can_be_turned_off() {
    let exact = f32::MIN_POSITIVE / 2.0; // computed in the default (keep) mode at compile time
    assert!(exact > 0.0 && !exact.is_normal());
    let workers = rayon::current_num_threads() + nnlab::device::shard_pools().len();

    set_denormals(Denormals::Flush);
    assert_eq!(nnlab::device::denormals(), Denormals::Flush);
    let (main, pool) = products();
    assert_eq!(main, 0.0, "main thread flushes");
    assert_eq!(pool.len(), workers);
    assert!(pool.iter().all(|&p| p == 0.0), "workers flush: {pool:?}");
    // Subnormal inputs are read as zero too (x86 DAZ; aarch64 FZ covers inputs).
    if cfg!(any(target_arch = "x86_64", target_arch = "aarch64")) {
        assert_eq!(black_box(exact) * black_box(4.0f32), 0.0, "inputs flushed");
    }

    set_denormals(Denormals::Keep);
    assert_eq!(nnlab::device::denormals(), Denormals::Keep);
    let (main, pool) = products();
    assert_eq!(main, exact, "main thread keeps subnormals");
    assert!(pool.iter().all(|&p| p == exact), "workers keep: {pool:?}");

    // Choosing the CPU device applies the process's policy: the last one set (keep), not the default.
    DeviceChoice::Cpu.device().unwrap();
    assert_eq!(products().0, exact);
    set_denormals(Denormals::Flush);
    std::thread::spawn(move || {
        // A fresh thread starts in the hardware default; applying the policy flushes it.
        assert_eq!(subnormal_product(), exact);
        DeviceChoice::Cpu.device().unwrap();
        assert_eq!(subnormal_product(), 0.0);
        assert!(products().1 == vec![0.0; workers]);
    })
    .join()
    .unwrap();
}
