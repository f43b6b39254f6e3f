//! The job layer: every runnable experiment of nnlab (anomaly detection, VAE, RealNVP, GAN,
//! flow1d, and the labs that follow) has one shape, so that adding a job is filling in a
//! template (docs/ARCHITECTURE.md has the checklist).
//!
//! A job is a plain config struct whose `Default` is the single source of its defaults. It
//! implements [`Job`]: it carries an [`Env`] (output folder, data root, offline, device, seed),
//! checks every setting in [`Job::validate`] before any work (errors name the config field, see
//! [`JobError::Setting`]), and does its work in [`Job::run`], reporting progress to an
//! [`Observer`] and writing every file through one [`Outputs`] writer. Callers use [`execute`],
//! which validates first and then runs.
//!
//! Jobs compose the other layers (data, models, training, metrics, plots); nothing below this
//! layer knows about jobs, and nothing here knows about the command line.

pub mod anomaly;
pub mod deblur;
pub mod dictionary;
pub mod flow1d;
pub mod gan;
pub mod lasso;
pub mod realnvp;
pub mod softmax_regression;
pub mod studies;
pub mod tsne;
pub mod vae;

mod env;
mod error;
pub mod limits;
mod lock;
mod observer;
mod outputs;
pub mod report;

pub use env::{Env, Relay};
pub use error::JobError;
pub use lock::{LOCK_FILE, OutLock};
pub use observer::Observer;
pub use outputs::Outputs;

/// One runnable experiment: a config (its `Default` holds the defaults; serialized into the
/// run's `report.html`) that can be validated and run.
pub trait Job: serde::Serialize {
    /// The job's name (`anomaly`, `vae`, …): the default output folder and report title use it.
    const NAME: &'static str;
    /// Everything the run measured; written as `metrics.json`.
    type Report: serde::Serialize;
    /// The run environment (output folder, data root, device, seed).
    fn env(&self) -> &Env;
    /// Whether the job writes into `env.out` (then [`execute`] locks the folder for the run).
    const WRITES_OUT: bool = true;
    /// Checks every setting before any work; errors name the config field.
    fn validate(&self) -> Result<(), JobError>;
    /// Does the work: loads data, trains, measures and writes every output through
    /// [`Env::outputs`]. Called by [`execute`] after a successful [`Job::validate`].
    fn run(&self, obs: &mut dyn Observer) -> Result<Self::Report, JobError>;
}

/// Validates `job`, takes the lock of its output folder ([`OutLock`]: a folder that is a file,
/// cannot be created or is in use by another run fails here, before any work), runs it, then
/// writes the run's `run.json` and `report.html` ([`report::write`]).
/// This is the one entry point of every job.
pub fn execute<J: Job>(job: &J, obs: &mut dyn Observer) -> Result<J::Report, JobError> {
    let start = std::time::Instant::now();
    job.env().validate()?;
    job.validate()?;
    let _lock = if J::WRITES_OUT {
        Some(OutLock::acquire("env.out", &job.env().out)?)
    } else {
        None
    };
    let out = job.run(obs)?;
    obs.stage("writing the report");
    report::write(job, &out, start.elapsed().as_secs_f64())?;
    Ok(out)
}

/// Checks that every count `(field, value)` that is set is at least 1 (`None` = not set).
pub fn check_counts(counts: &[(&str, Option<usize>)]) -> Result<(), JobError> {
    match counts.iter().find(|(_, v)| *v == Some(0)) {
        Some((field, _)) => Err(JobError::setting(*field, "must be at least 1")),
        None => Ok(()),
    }
}

/// Checks the training settings held by config field `field` (e.g. `train`); errors name the
/// offending sub-field, e.g. `train.lr`.
pub fn check_train(field: &str, train: &crate::train::TrainConfig) -> Result<(), JobError> {
    if let Some((name, message)) = train.invalid() {
        return Err(JobError::setting(format!("{field}.{name}"), message));
    }
    if !train.lr.is_finite() {
        return Err(JobError::setting(
            format!("{field}.lr"),
            format!("must be finite, got {}", train.lr),
        ));
    }
    limits::check_max(&[(
        &format!("{field}.epochs"),
        Some(train.epochs),
        limits::MAX_EPOCHS,
    )])
}
