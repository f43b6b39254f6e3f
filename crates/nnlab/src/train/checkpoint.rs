//! Checkpoints of a training run, so that a killed run can be continued and end exactly where
//! an uninterrupted one ends. Every `checkpoint_every` epochs, [`super::fit_batches`] writes
//! one folder `checkpoint-epoch-E/` (E = epochs completed) into the run's output folder:
//!
//! - `model.bpk`: the weights (Burn's burnpack format, which keeps each parameter's id, so the
//!   optimizer state below finds its parameters again);
//! - `optimizer.bpk`: Adam's state (first and second moments and step count per parameter,
//!   Burn's `ModuleOptimizer::to_record`);
//! - `checkpoint.json` ([`Meta`]): the epoch, the training settings, the number of training
//!   items, the random state, the per-epoch history so far, the job's settings (`context`), and
//!   the MD5 of both weight files.
//!
//! The random state is a function of (seed, epoch): epoch e shuffles and draws its noise from a
//! generator seeded by [`epoch_seed`]`(seed, e)`, so the state to save is the next epoch's seed.
//!
//! A checkpoint is written as a new folder `.checkpoint-epoch-E.tmp-PID/` (every file synced),
//! then renamed into place and the output folder synced; older `checkpoint-epoch-*/` folders
//! are removed only after that. So at every instant the output folder holds at least one
//! complete checkpoint once the first has been written, and a kill leaves at most a temporary
//! folder, which the next save of any run removes when its process no longer runs.

use super::{EpochStats, TrainConfig, TrainError};
use burn::module::Module;
use burn::optim::{ModuleOptimizer, OptimizerRecord};
use burn::store::{BurnpackStore, ModuleSnapshot};
use burn::tensor::Bytes;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The description file of a checkpoint folder.
pub const META: &str = "checkpoint.json";
/// The weights file of a checkpoint folder.
pub const MODEL: &str = "model.bpk";
/// The optimizer-state file of a checkpoint folder.
pub const OPTIMIZER: &str = "optimizer.bpk";
/// Checkpoint folders are named `checkpoint-epoch-E`.
pub const PREFIX: &str = "checkpoint-epoch-";
/// Version of the checkpoint layout; a different one is refused.
pub const FORMAT: u32 = 1;
/// The largest `checkpoint.json` read (a history of 10⁶ epochs is far below it).
const MAX_META_BYTES: u64 = 256 << 20;

/// Checkpoint settings of a training run (part of [`TrainConfig`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Checkpointing {
    /// Write a checkpoint every this many epochs; `None` = never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint_every: Option<usize>,
    /// Continue from this checkpoint: a `checkpoint-epoch-E` folder, or a folder holding such
    /// folders (then the one with the most epochs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume: Option<PathBuf>,
    /// The folder that receives checkpoints (a job sets its output folder).
    #[serde(skip)]
    pub dir: Option<PathBuf>,
    /// What the run is (a job's settings, without those a resumed run may change); recorded in
    /// every checkpoint and compared on resume. Set by the job.
    #[serde(skip)]
    pub context: serde_json::Value,
}

impl Checkpointing {
    /// Whether neither checkpoints nor resuming were asked for.
    pub fn is_off(&self) -> bool {
        self.checkpoint_every.is_none() && self.resume.is_none()
    }
}

/// The contents of `checkpoint.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// [`FORMAT`].
    pub format: u32,
    /// Epochs completed.
    pub epoch: usize,
    /// Epochs the writing run was asked for.
    pub epochs: usize,
    pub batch_size: usize,
    pub lr: f64,
    pub seed: u64,
    pub grad_clip: Option<f64>,
    /// Number of training items (images, samples).
    pub items: usize,
    /// Seed of the generator of epoch `epoch + 1` (`epoch_seed(seed, epoch + 1)`).
    pub next_rng_seed: u64,
    /// Statistics of the epochs completed.
    pub history: Vec<EpochStats>,
    /// The job's settings (see [`Checkpointing::context`]).
    pub context: serde_json::Value,
    pub model_md5: String,
    pub optimizer_md5: String,
    pub nnlab_version: String,
}

/// The seed of the generator of epoch `epoch` (1-based) of a run seeded `seed`: the 64-bit
/// finalizer of SplitMix64 applied to seed + epoch·φ, φ = 0x9E3779B97F4A7C15 (a bijection of
/// u64 for each fixed seed, so distinct epochs get distinct seeds).
pub fn epoch_seed(seed: u64, epoch: usize) -> u64 {
    let mut z = seed.wrapping_add((epoch as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn fail(path: &Path, msg: impl std::fmt::Display) -> TrainError {
    TrainError::Checkpoint {
        path: path.to_path_buf(),
        msg: msg.to_string(),
    }
}

/// The checkpoint folder `dir` names: `dir` itself when it holds `checkpoint.json`, else the
/// `checkpoint-epoch-E` folder inside it with the largest E.
pub fn locate(dir: &Path) -> Result<PathBuf, TrainError> {
    if dir.join(META).is_file() {
        return Ok(dir.to_path_buf());
    }
    let entries = fs::read_dir(dir).map_err(|e| fail(dir, e))?;
    entries
        .flatten()
        .filter_map(|e| Some((epoch_of(&e.file_name().to_string_lossy())?, e.path())))
        .filter(|(_, p)| p.join(META).is_file())
        .max_by_key(|(epoch, _)| *epoch)
        .map(|(_, p)| p)
        .ok_or_else(|| {
            fail(
                dir,
                format!("holds no checkpoint (no {META}, no {PREFIX}N folder)"),
            )
        })
}

fn epoch_of(name: &str) -> Option<usize> {
    name.strip_prefix(PREFIX)?.parse().ok()
}

/// Reads and checks the description of checkpoint `dir` ([`locate`]) against the run `cfg` on
/// `items` training items: same format, seed, batch size, learning rate, clipping, number of
/// items and context, and at most `cfg.epochs` epochs done. Returns the folder and its [`Meta`].
pub fn read_meta(
    dir: &Path,
    cfg: &TrainConfig,
    items: Option<usize>,
) -> Result<(PathBuf, Meta), TrainError> {
    let dir = locate(dir)?;
    let path = dir.join(META);
    let text = crate::io::read_text_bounded(&path, MAX_META_BYTES).map_err(|e| fail(&path, e))?;
    let meta: Meta = serde_json::from_str(&text)
        .map_err(|e| fail(&path, format!("not a checkpoint description: {e}")))?;
    if meta.format != FORMAT {
        return Err(fail(
            &path,
            format!(
                "checkpoint format {} (this nnlab reads {FORMAT})",
                meta.format
            ),
        ));
    }
    let differs = |what: &str, theirs: String, ours: String| {
        fail(
            &path,
            format!("the checkpoint was made with {what} {theirs}, this run has {ours}"),
        )
    };
    let pairs = [
        ("seed", meta.seed.to_string(), cfg.seed.to_string()),
        (
            "batch size",
            meta.batch_size.to_string(),
            cfg.batch_size.to_string(),
        ),
        ("learning rate", meta.lr.to_string(), cfg.lr.to_string()),
        (
            "gradient clipping",
            format!("{:?}", meta.grad_clip),
            format!("{:?}", cfg.grad_clip),
        ),
    ];
    if let Some((what, theirs, ours)) = pairs.into_iter().find(|(_, a, b)| a != b) {
        return Err(differs(what, theirs, ours));
    }
    if let Some(n) = items.filter(|&n| n != meta.items) {
        return Err(differs(
            "training items:",
            meta.items.to_string(),
            n.to_string(),
        ));
    }
    if meta.epoch > cfg.epochs || meta.history.len() != meta.epoch || meta.epoch == 0 {
        return Err(fail(
            &path,
            format!(
                "it holds {} completed epochs ({} history rows); this run trains {} epochs",
                meta.epoch,
                meta.history.len(),
                cfg.epochs
            ),
        ));
    }
    if meta.next_rng_seed != epoch_seed(meta.seed, meta.epoch + 1) {
        return Err(fail(
            &path,
            "its random state does not belong to its seed and epoch",
        ));
    }
    if let Some(field) = first_difference(&meta.context, &cfg.checkpoint.context, "") {
        return Err(fail(
            &path,
            format!("the checkpoint was made by a run with another setting of `{field}`"),
        ));
    }
    Ok((dir, meta))
}

/// The path (dotted) of the first place where two JSON values differ; `None` when equal.
fn first_difference(a: &serde_json::Value, b: &serde_json::Value, at: &str) -> Option<String> {
    use serde_json::Value::Object;
    match (a, b) {
        (Object(x), Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| {
                let path = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => first_difference(p, q, &path),
                    _ => Some(path),
                }
            })
        }
        _ => (a != b).then(|| at.to_string()),
    }
}

/// What a resumed run continues with: the weights loaded into `model`, the optimizer with its
/// state, the history and the number of epochs done.
pub struct Resumed<M> {
    pub model: M,
    pub optim: ModuleOptimizer,
    pub history: Vec<EpochStats>,
    pub epoch: usize,
}

/// Loads checkpoint `dir` (see [`read_meta`]) into `model` (built from the same settings) and
/// `optim` (built with the same constants and clipping).
pub fn load<M: Module>(
    dir: &Path,
    cfg: &TrainConfig,
    items: usize,
    mut model: M,
    optim: ModuleOptimizer,
) -> Result<Resumed<M>, TrainError> {
    let (dir, meta) = read_meta(dir, cfg, Some(items))?;
    let read = |name: &str, md5: &str| {
        let path = dir.join(name);
        let bytes = fs::read(&path).map_err(|e| fail(&path, e))?;
        if crate::io::md5_hex(&bytes) != md5 {
            return Err(fail(
                &path,
                format!("its MD5 is not the one recorded in {META} (a damaged checkpoint?)"),
            ));
        }
        Ok((path, bytes))
    };
    let (path, bytes) = read(MODEL, &meta.model_md5)?;
    let mut store = BurnpackStore::from_bytes(Some(Bytes::from_bytes_vec(bytes)));
    let res = model.load_from(&mut store).map_err(|e| fail(&path, e))?;
    if !res.errors.is_empty() || !res.missing.is_empty() || !res.unused.is_empty() {
        return Err(fail(
            &path,
            format!(
                "the weights do not fit this model: missing {:?}, unused {:?}, errors {:?}",
                res.missing, res.unused, res.errors
            ),
        ));
    }
    let (path, bytes) = read(OPTIMIZER, &meta.optimizer_md5)?;
    let record =
        OptimizerRecord::from_bytes(Bytes::from_bytes_vec(bytes)).map_err(|e| fail(&path, e))?;
    Ok(Resumed {
        model,
        optim: optim.load_record(record),
        history: meta.history,
        epoch: meta.epoch,
    })
}

/// Writes the checkpoint after `epoch` epochs into `cfg.checkpoint.dir` (see the module doc);
/// returns its folder.
pub fn save<M: Module>(
    cfg: &TrainConfig,
    items: usize,
    epoch: usize,
    model: &M,
    optim: &ModuleOptimizer,
    history: &[EpochStats],
) -> Result<PathBuf, TrainError> {
    let out = cfg
        .checkpoint
        .dir
        .clone()
        .unwrap_or_else(|| PathBuf::from("."));
    let name = format!("{PREFIX}{epoch}");
    let target = out.join(&name);
    let mut store = BurnpackStore::from_bytes(None);
    model.save_into(&mut store).map_err(|e| fail(&target, e))?;
    let model_bytes = store.get_bytes().map_err(|e| fail(&target, e))?.to_vec();
    let optim_bytes = optim
        .to_record()
        .into_bytes()
        .map_err(|e| fail(&target, e))?
        .to_vec();
    let meta = Meta {
        format: FORMAT,
        epoch,
        epochs: cfg.epochs,
        batch_size: cfg.batch_size,
        lr: cfg.lr,
        seed: cfg.seed,
        grad_clip: cfg.grad_clip,
        items,
        next_rng_seed: epoch_seed(cfg.seed, epoch + 1),
        history: history.to_vec(),
        context: cfg.checkpoint.context.clone(),
        model_md5: crate::io::md5_hex(&model_bytes),
        optimizer_md5: crate::io::md5_hex(&optim_bytes),
        nnlab_version: env!("CARGO_PKG_VERSION").into(),
    };
    let meta_bytes = serde_json::to_vec_pretty(&meta).map_err(|e| fail(&target, e))?;
    fs::create_dir_all(&out).map_err(|e| fail(&out, e))?;
    remove_stale_temps(&out);
    let tmp = out.join(format!(".{name}.tmp-{}", std::process::id()));
    let written = (|| -> std::io::Result<()> {
        if tmp.exists() {
            fs::remove_dir_all(&tmp)?;
        }
        fs::create_dir(&tmp)?;
        for (file, bytes) in [
            (MODEL, &model_bytes),
            (OPTIMIZER, &optim_bytes),
            (META, &meta_bytes),
        ] {
            let mut f = fs::File::create(tmp.join(file))?;
            f.write_all(bytes)?;
            f.sync_all()?;
        }
        fs::File::open(&tmp)?.sync_all()?;
        if target.exists() {
            fs::remove_dir_all(&target)?; // a checkpoint of an earlier run into this folder
        }
        fs::rename(&tmp, &target)?;
        fs::File::open(&out)?.sync_all()
    })();
    if let Err(e) = written {
        let _ = fs::remove_dir_all(&tmp);
        return Err(fail(&target, e));
    }
    for entry in fs::read_dir(&out).map_err(|e| fail(&out, e))?.flatten() {
        let other = entry.path();
        let ours = epoch_of(&entry.file_name().to_string_lossy()).is_some_and(|e| e != epoch);
        if ours && other.join(META).is_file() {
            fs::remove_dir_all(&other).map_err(|e| fail(&other, e))?;
        }
    }
    Ok(target)
}

/// Removes `.checkpoint-epoch-E.tmp-PID` folders in `dir` whose process no longer runs
/// (Linux: no `/proc/PID`); best effort, nothing is removed without `/proc`.
fn remove_stale_temps(dir: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let pid = name
            .strip_prefix(&format!(".{PREFIX}"))
            .and_then(|rest| rest.split_once(".tmp-"))
            .and_then(|(_, pid)| pid.parse::<u32>().ok());
        if let Some(pid) = pid
            && !Path::new("/proc").join(pid.to_string()).exists()
        {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
#[path = "checkpoint_tests.rs"]
mod tests;
