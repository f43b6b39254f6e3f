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
pub mod stale;

pub use env::{Env, Relay};
pub use error::JobError;
pub use lock::{LOCK_FILE, OutLock};
pub use observer::Observer;
pub use outputs::Outputs;

use crate::train::TrainConfig;

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
    /// The settings of the job's training through [`crate::train::fit`], for a job that
    /// writes checkpoints and resumes from them ([`training`]); `None` (the default) for a job
    /// without such training.
    fn training_settings(&self) -> Option<&TrainConfig> {
        None
    }
}

/// The training settings of a run of `job`: `train` with the run's seed, checkpoints written
/// into the output folder, and [`resume_context`] recorded in them.
pub fn training<J: Job>(job: &J, train: &TrainConfig) -> TrainConfig {
    let mut t = train.with_seed(job.env().seed);
    t.checkpoint.dir = Some(job.env().out.clone());
    t.checkpoint.context = resume_context(job);
    t
}

/// What a resumed run must share with the run that wrote its checkpoint: the job's name and
/// settings, except where the outputs and data files are, the number of epochs (a run may
/// continue to more) and the checkpoint settings themselves.
pub fn resume_context<J: Job>(job: &J) -> serde_json::Value {
    let mut v = serde_json::to_value(job).unwrap_or_default();
    if let Some(o) = v.as_object_mut() {
        for k in ["out", "data_dir", "offline"] {
            o.remove(k);
        }
        if let Some(t) = o.get_mut("train").and_then(|t| t.as_object_mut()) {
            for k in ["epochs", "checkpoint_every", "resume"] {
                t.remove(k);
            }
        }
        o.insert("job".into(), J::NAME.into());
    }
    v
}

/// Checks, before any work, that the checkpoint a job resumes from exists, is readable and was
/// written by a run with the same settings ([`crate::train::checkpoint::read_meta`]).
fn check_resume<J: Job>(job: &J) -> Result<(), JobError> {
    let Some(train) = job.training_settings() else {
        return Ok(());
    };
    let Some(dir) = &train.checkpoint.resume else {
        return Ok(());
    };
    crate::train::checkpoint::read_meta(dir, &training(job, train), None)
        .map(|_| ())
        .map_err(|e| JobError::setting("train.resume", e.to_string()))
}

/// Validates `job` (and the checkpoint it resumes from), takes the lock of its output folder
/// ([`OutLock`]: a folder that is a file, cannot be created or is in use by another run fails
/// here, before any work), runs it, removes the outputs of the folder's previous run that this
/// run did not write again ([`stale`]), then writes the run's `run.json` (listing its files)
/// and `report.html` ([`report::write`]).
/// This is the one entry point of every job.
pub fn execute<J: Job>(job: &J, obs: &mut dyn Observer) -> Result<J::Report, JobError> {
    let start = std::time::Instant::now();
    job.env().validate()?;
    job.validate()?;
    check_resume(job)?;
    let lock = if J::WRITES_OUT {
        Some(OutLock::acquire("env.out", &job.env().out)?)
    } else {
        None
    };
    let previous = match lock {
        Some(_) => stale::listed(&job.env().out),
        None => Vec::new(),
    };
    let out = job.run(obs)?;
    obs.stage("writing the report");
    let since = lock.as_ref().map(OutLock::since);
    report::write(job, &out, start.elapsed().as_secs_f64(), since, &previous)?;
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
pub fn check_train(field: &str, train: &TrainConfig) -> Result<(), JobError> {
    if let Some((name, message)) = train.invalid() {
        return Err(JobError::setting(format!("{field}.{name}"), message));
    }
    if !train.lr.is_finite() {
        return Err(JobError::setting(
            format!("{field}.lr"),
            format!("must be finite, got {}", train.lr),
        ));
    }
    limits::check_max(&[
        (
            &format!("{field}.epochs"),
            Some(train.epochs),
            limits::MAX_EPOCHS,
        ),
        (
            &format!("{field}.checkpoint_every"),
            train.checkpoint.checkpoint_every,
            limits::MAX_EPOCHS,
        ),
    ])
}
