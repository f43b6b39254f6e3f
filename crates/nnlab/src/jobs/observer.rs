//! [`Observer`]: how a running job reports progress. The library only calls these methods; a
//! front end draws them (the CLI with progress bars). Every method defaults to doing nothing, so
//! `()` is a silent observer.

use crate::train::TrainObserver;

/// Progress of a whole job: coarse stages, training epochs and steps (from [`TrainObserver`]),
/// counted work inside a stage (solver iterations, t-SNE iterations, scored images) and
/// downloads.
pub trait Observer: TrainObserver {
    /// A new stage begins ("loading data", "scoring", …).
    fn stage(&mut self, _what: &str) {}
    /// Counted progress inside the current stage: `done` of `total` units.
    fn progress(&mut self, _done: u64, _total: u64) {}
    /// A download of `file` has reached `done` of `total` bytes (`None` = size unknown).
    fn download(&mut self, _file: &str, _done: u64, _total: Option<u64>) {}
}

impl Observer for () {}
