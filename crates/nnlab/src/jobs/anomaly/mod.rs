//! The anomaly-detection job (`nnlab anomaly`): train a scoring model on normal images, set the
//! threshold τ = mean + k·std of the validation scores ([`metrics::sigma_threshold`]), flag
//! s > τ ([`metrics::flagged`]) and report type I / II errors, AUROC and AUPR with plots and
//! the saved detector. [`score`] is the second job: a saved detector applied to new data;
//! [`export`] writes a saved autoencoder detector for PyTorch.
//!
//! This is the worked example of docs/ARCHITECTURE.md: a [`Config`] whose `Default` holds the
//! defaults, [`Job::validate`] naming config fields, [`Job::run`] composing data, model
//! ([`crate::anomaly`]), training, metrics and the outputs of [`report`].

pub mod benchmark;
pub mod export;
mod params;
pub mod report;
pub mod score;

pub use params::model_params;
pub use report::Report;

use super::limits;
use super::{Env, Job, JobError, Observer, check_counts, check_train};
use crate::anomaly::{
    Arch, Detector, DetectorError, DetectorInfo, ModelConfig, Scorer, ScorerConfig, SparseConfig,
};
use crate::complexity::Correction;
use crate::data::{Images, Selection, Split};
use crate::metrics;
use crate::models::sparse_coding::DictionaryConfig;
use crate::train::TrainConfig;
use std::time::Instant;

/// Settings of one anomaly-detection run. `Default` is the course recipe with the
/// autoencoder; [`Config::for_scorer`] the defaults of another scorer.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Config {
    /// Normal data for training and validation (training split by default).
    pub normal: String,
    /// Normal data held out for testing (test split by default); `None` = the test split of
    /// `normal`.
    pub normal_test: Option<String>,
    /// Anomalous test data (test split by default).
    pub anomaly: String,
    /// Size of the validation set cut from `normal` (seeded).
    pub validation: usize,
    /// Use only the first N training images after the split (quick runs); `None` = all.
    pub train_limit: Option<usize>,
    /// Which score: autoencoder reconstruction error, VAE negative ELBO, flow NLL or the
    /// sparse-coding objective.
    pub scorer: Scorer,
    /// Autoencoder family (for the `ae` scorer).
    pub arch: Arch,
    /// Override the code width of the scorer's default shape.
    pub latent: Option<usize>,
    /// Override the hidden widths of the scorer's default shape (flow: the first is the width
    /// of its s, t networks).
    pub hidden: Option<Vec<usize>>,
    /// Atoms, λ and FISTA iterations of the `sparse` scorer (its dictionary-learning rounds are
    /// `train.epochs`).
    pub sparse: SparseConfig,
    /// Optimization settings; the run's seed is `env.seed` (it replaces `train.seed`).
    pub train: TrainConfig,
    /// k in τ = mean + k·std.
    pub sigmas: f64,
    #[serde(flatten)]
    pub env: Env,
    /// Log-scale x axis on the score histogram.
    pub log_histogram: bool,
    /// Correct every score for the input complexity (see [`crate::complexity`]).
    #[serde(skip_serializing_if = "Correction::is_none")]
    pub complexity: Correction,
}

impl Default for Config {
    fn default() -> Self {
        Self::for_scorer(Scorer::default())
    }
}

impl Config {
    /// The defaults of a run with `scorer` (its training recipe, [`Scorer::train_defaults`]).
    /// The sparse scorer learns its dictionary on the first 10 000 training images (a round
    /// codes every image by FISTA, so all 50 000 would take minutes per round) with the
    /// atoms, λ and iterations of [`DictionaryConfig::default`].
    pub fn for_scorer(scorer: Scorer) -> Self {
        let dict = DictionaryConfig::default();
        Self {
            normal: "mnist".into(),
            normal_test: None,
            anomaly: "kmnist".into(),
            validation: 10_000,
            train_limit: (scorer == Scorer::Sparse).then_some(10_000),
            scorer,
            arch: Arch::Mlp,
            latent: None,
            hidden: None,
            sparse: SparseConfig {
                atoms: dict.atoms,
                lambda: dict.lambda,
                coding_iterations: dict.coding_iterations,
            },
            train: scorer.train_defaults(),
            sigmas: 3.0,
            env: Env::named(<Self as Job>::NAME),
            log_histogram: true,
            complexity: Correction::None,
        }
    }

    /// The training settings of the run: `train` with the run's seed and checkpoints in the
    /// output folder ([`crate::jobs::training`]).
    pub fn training(&self) -> TrainConfig {
        crate::jobs::training(self, &self.train)
    }

    /// The scoring model's shape for images of `rows`×`cols`: the scorer's default with the
    /// `latent` / `hidden` overrides.
    pub fn model(&self, rows: usize, cols: usize) -> ScorerConfig {
        match self.scorer {
            Scorer::Ae => {
                let mut m = ModelConfig::for_arch(self.arch, rows, cols);
                if let Some(l) = self.latent {
                    m.latent = l;
                }
                if let Some(h) = &self.hidden {
                    m.hidden = h.clone();
                }
                ScorerConfig::Ae(m)
            }
            Scorer::Vae => {
                let mut m = crate::models::vae::VaeConfig::for_images(rows, cols);
                if let Some(l) = self.latent {
                    m.latent = l;
                }
                if let Some(h) = &self.hidden {
                    m.hidden = h.clone();
                }
                ScorerConfig::Vae(m)
            }
            Scorer::Flow => {
                let mut flow = crate::models::realnvp::RealNvpConfig::for_images(rows, cols);
                if let Some(&h) = self.hidden.as_ref().and_then(|h| h.first()) {
                    flow.hidden = h;
                }
                ScorerConfig::Flow { rows, cols, flow }
            }
            Scorer::Sparse => ScorerConfig::Sparse {
                rows,
                cols,
                sparse: self.sparse.clone(),
            },
        }
    }

    /// Checks the size of the scoring model for `rows`×`cols` images against
    /// [`limits::MAX_PARAMS`]; errors name `field`.
    fn check_model_size(&self, field: &str, rows: usize, cols: usize) -> Result<(), JobError> {
        limits::check_params(field, model_params(&self.model(rows, cols)))
    }

    /// The selection of the normal test set: `normal_test`, else the test split of `normal`.
    fn normal_test_selection(&self) -> Result<Selection, JobError> {
        if let Some(spec) = &self.normal_test {
            return Env::selection("normal_test", spec);
        }
        match Env::selection("normal", &self.normal)? {
            Selection::Dataset {
                split: Some(Split::Test),
                ..
            } => None,
            normal => normal.test_split(),
        }
        .ok_or_else(|| {
            JobError::setting(
                "normal_test",
                "the normal data are not a training split of a dataset, so there is no default \
                 normal test set: name one",
            )
        })
    }
}

impl From<DetectorError> for JobError {
    fn from(e: DetectorError) -> Self {
        match e {
            DetectorError::Io { path, source } => JobError::file(&path, source),
            DetectorError::Format { path, msg } => {
                JobError::file(&path, format!("not a valid detector description: {msg}"))
            }
        }
    }
}

/// Images of one role in the run together with their scores.
pub struct Scored {
    pub images: Images,
    pub scores: Vec<f32>,
}

/// The data of a run by role: the training images and the three scored sets.
pub struct Sets {
    pub train: Images,
    pub validation: Scored,
    pub normal_test: Scored,
    pub anomaly: Scored,
}

impl Job for Config {
    const NAME: &'static str = "anomaly";
    type Report = Report;

    fn env(&self) -> &Env {
        &self.env
    }

    fn training_settings(&self) -> Option<&TrainConfig> {
        Some(&self.train)
    }

    fn validate(&self) -> Result<(), JobError> {
        Env::selection("normal", &self.normal)?;
        Env::selection("anomaly", &self.anomaly)?;
        self.normal_test_selection()?;
        check_counts(&[
            ("validation", Some(self.validation)),
            ("train_limit", self.train_limit),
            ("latent", self.latent),
        ])?;
        self.sparse
            .validate()
            .map_err(|(f, m)| JobError::setting(format!("sparse.{f}"), m))?;
        if self.scorer == Scorer::Sparse {
            let code_size =
                "does not apply to the sparse scorer (its code size is the number of atoms)";
            let rounds = "does not apply to the sparse scorer (its dictionary learns in rounds, \
                          without checkpoints)";
            let checkpoint = &self.train.checkpoint;
            for (field, given, why) in [
                ("latent", self.latent.is_some(), code_size),
                ("hidden", self.hidden.is_some(), code_size),
                (
                    "train.checkpoint_every",
                    checkpoint.checkpoint_every.is_some(),
                    rounds,
                ),
                ("train.resume", checkpoint.resume.is_some(), rounds),
            ] {
                if given {
                    return Err(JobError::setting(field, why));
                }
            }
        }
        if !self.sigmas.is_finite() {
            return Err(JobError::setting(
                "sigmas",
                format!("must be finite, got {}", self.sigmas),
            ));
        }
        if let Some(h) = self
            .hidden
            .as_ref()
            .filter(|h| h.is_empty() || h.contains(&0))
        {
            return Err(JobError::setting(
                "hidden",
                format!("every width must be at least 1, got {h:?}"),
            ));
        }
        if !(self.sigmas >= 0.0 && self.sigmas <= limits::MAX_SIGMAS) {
            return Err(JobError::setting(
                "sigmas",
                format!(
                    "must be between 0 and {}, got {:?}",
                    limits::MAX_SIGMAS,
                    self.sigmas
                ),
            ));
        }
        check_train("train", &self.train)?;
        // Model size on 28x28 images: first with the latent override alone, so a huge latent
        // is named as such; the loaded images' size is checked again in `run`.
        Config {
            hidden: None,
            ..self.clone()
        }
        .check_model_size("latent", 28, 28)?;
        self.check_model_size("hidden", 28, 28)?;
        self.env.device()?;
        Ok(())
    }

    fn run(&self, obs: &mut dyn Observer) -> Result<Report, JobError> {
        let device = self.env.device()?;
        obs.stage("loading data");
        let normal = self.env.load("normal", &self.normal, Split::Train, obs)?;
        let normal_test =
            self.env
                .load_selection(&self.normal_test_selection()?, Split::Test, obs)?;
        let anomaly = self.env.load("anomaly", &self.anomaly, Split::Test, obs)?;
        if self.validation >= normal.n {
            return Err(JobError::setting(
                "validation",
                format!(
                    "{} must be below {} (the number of normal images in {})",
                    self.validation, normal.n, normal.name
                ),
            ));
        }
        // The split is seeded and made before anything else touches the data, so validation
        // images never reach training.
        // AUROC, AUPR and the type I / II errors are undefined without images of each class.
        for (field, set) in [("normal_test", &normal_test), ("anomaly", &anomaly)] {
            if set.n == 0 {
                return Err(JobError::setting(
                    field,
                    format!(
                        "{} holds no images, so the error rates are undefined",
                        set.name
                    ),
                ));
            }
        }
        let (train, validation) = normal.train_val_split(self.validation, self.env.seed)?;
        let train = train.limited(self.train_limit);
        for set in [&validation, &normal_test, &anomaly] {
            if (set.rows, set.cols) != (train.rows, train.cols) {
                return Err(JobError::Run(format!(
                    "{} has {}x{} images but the training data {} has {}x{}",
                    set.name, set.rows, set.cols, train.name, train.rows, train.cols
                )));
            }
        }
        self.check_model_size("normal", train.rows, train.cols)
            .map_err(|e| {
                JobError::Run(format!(
                    "{} has {}x{} images: {e}",
                    train.name, train.rows, train.cols
                ))
            })?;
        let model_cfg = self.model(train.rows, train.cols);
        model_cfg.validate().map_err(JobError::Run)?;
        if self.scorer == Scorer::Sparse && train.n < self.sparse.atoms {
            return Err(JobError::setting(
                "sparse.atoms",
                format!(
                    "{} atoms are initialized from distinct training images, but {} has only {}",
                    self.sparse.atoms, train.name, train.n
                ),
            ));
        }

        obs.stage("training");
        let start = Instant::now();
        let (model, history) =
            crate::anomaly::scorer::train(&model_cfg, &train, &self.training(), &device, obs)?;
        let train_seconds = start.elapsed().as_secs_f64();

        obs.stage("scoring");
        let score_start = Instant::now();
        let scored = |images: Images| {
            let mut scores = model.score(&images, &device);
            self.complexity.apply_all(&mut scores, &images);
            Scored { scores, images }
        };
        let sets = Sets {
            validation: scored(validation),
            normal_test: scored(normal_test),
            anomaly: scored(anomaly),
            train,
        };
        let score_seconds = score_start.elapsed().as_secs_f64();
        for s in [&sets.validation, &sets.normal_test, &sets.anomaly] {
            if let Some(i) = s.scores.iter().position(|v| !v.is_finite()) {
                return Err(JobError::Run(format!(
                    "the trained model gives a non-finite score ({}) to image {i} of {}; \
                     training has diverged: lower the learning rate",
                    s.scores[i], s.images.name
                )));
            }
        }

        let (validation_mean, validation_std) = metrics::mean_std(&sets.validation.scores);
        let threshold = metrics::sigma_threshold(&sets.validation.scores, self.sigmas);
        if !threshold.is_finite() {
            return Err(JobError::setting(
                "sigmas",
                format!(
                    "the threshold {validation_mean} + {}·{validation_std} is not finite",
                    self.sigmas
                ),
            ));
        }
        let detector = Detector {
            info: DetectorInfo {
                model: model_cfg,
                validation_mean,
                validation_std,
                sigmas: self.sigmas,
                threshold,
                trained_on: sets.train.name.clone(),
                nnlab_version: env!("CARGO_PKG_VERSION").into(),
                complexity: self.complexity,
                weights_md5: String::new(),
            },
            model,
        };
        let report = Report::new(
            self,
            &sets,
            &detector,
            history,
            train_seconds,
            score_seconds,
        );
        obs.stage("writing outputs");
        report::write_outputs(self, &sets, &detector, &report, &device)?;
        Ok(report)
    }
}
