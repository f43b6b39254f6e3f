//! The initialization study as a job: a deep MLP on labelled images for every chosen
//! (initialization, activation) pair: activation spread and gradient norm by depth at
//! initialization, validation accuracy by epoch, and the spread between hidden units after
//! training. Writes at_init.png, accuracy.png and metrics.json.

use super::{count, positive};
use crate::data::{Images, Split};
use crate::jobs::{Env, Job, JobError, Observer};
use crate::studies::init::{
    self, Activation, AtInit, Curve, Init, Mlp, MlpShape, TrainSettings, geometric_ratio,
    variance_ratios,
};
use crate::train::{TrainError, batch_tensor};
use burn::prelude::Device;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::index::sample;

/// Settings of the initialization study.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct InitStudy {
    pub env: Env,
    /// Labelled training images (a data selection such as `mnist`).
    pub data: String,
    /// How many of them train (a seeded random subset).
    pub images: usize,
    /// Labelled validation images.
    pub validation: String,
    /// How many of them (a seeded random subset).
    pub validation_images: usize,
    /// Training images in the probe batch of the measurements at initialization.
    pub probe: usize,
    /// The initializations to compare.
    pub inits: Vec<Init>,
    /// The activations to compare.
    pub activations: Vec<Activation>,
    /// Number of hidden layers.
    pub depth: usize,
    /// Units per hidden layer.
    pub width: usize,
    pub train: TrainSettings,
}

impl Default for InitStudy {
    fn default() -> Self {
        Self {
            env: Env::named("study-init"),
            data: "mnist".into(),
            images: 5000,
            validation: "mnist:test".into(),
            validation_images: 2000,
            probe: 500,
            inits: Init::ALL.to_vec(),
            activations: Activation::ALL.to_vec(),
            depth: 10,
            width: 256,
            train: TrainSettings {
                epochs: 3,
                batch_size: 64,
                lr: 0.01,
                momentum: 0.9,
            },
        }
    }
}

/// One (initialization, activation) pair: measurements at initialization and training.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Run {
    pub init: Init,
    pub activation: Activation,
    pub at_init: AtInit,
    /// Var h_l / Var h_{l−1}, l = 2 … L, at initialization.
    pub variance_ratios: Vec<f64>,
    /// Their geometric mean (Var h_L / Var h_1)^{1/(L−1)}.
    pub mean_variance_ratio: f64,
    /// For ReLU: the predicted ratio n · Var w / 2 (1 for He, ½ for Xavier, 0 for zeros).
    pub predicted_ratio: Option<f64>,
    /// Whether the measured mean ratio lies in the band ×/÷ 1.25 around the prediction.
    pub ratio_in_band: Option<bool>,
    pub curve: Curve,
}

/// What the initialization study measured.
#[derive(Clone, Debug, serde::Serialize)]
pub struct InitReport {
    pub config: InitStudy,
    pub shape: MlpShape,
    pub ratio_band: f64,
    pub runs: Vec<Run>,
    /// The figures written (at_init.png is left out when every measurement is 0).
    pub figures: Vec<String>,
}

/// Rejects an empty list or one that names an entry twice.
fn distinct<T: PartialEq + std::fmt::Debug>(
    field: &str,
    v: &[T],
    name: fn(&T) -> &str,
) -> Result<(), JobError> {
    if v.is_empty() {
        return Err(JobError::setting(field, "give at least one"));
    }
    for (i, a) in v.iter().enumerate() {
        if v[..i].contains(a) {
            return Err(JobError::setting(field, format!("names {} twice", name(a))));
        }
    }
    Ok(())
}

impl Job for InitStudy {
    const NAME: &'static str = "study-init";
    type Report = InitReport;

    fn env(&self) -> &Env {
        &self.env
    }

    fn validate(&self) -> Result<(), JobError> {
        for (field, spec) in [("data", &self.data), ("validation", &self.validation)] {
            if spec.trim().is_empty() {
                return Err(JobError::setting(field, "must name a data selection"));
            }
        }
        count("images", self.images, 1, 60_000)?;
        count("validation_images", self.validation_images, 1, 100_000)?;
        count("probe", self.probe, 2, self.images.max(2))?;
        distinct("inits", &self.inits, |i| i.name())?;
        distinct("activations", &self.activations, |a| a.name())?;
        count("depth", self.depth, 2, 100)?;
        count("width", self.width, 2, 4096)?;
        let t = &self.train;
        count("train.epochs", t.epochs, 1, 1000)?;
        count("train.batch_size", t.batch_size, 1, 60_000)?;
        positive("train.lr", t.lr)?;
        if !(0.0..1.0).contains(&t.momentum) {
            return Err(JobError::setting(
                "train.momentum",
                format!("must be in [0, 1), got {}", t.momentum),
            ));
        }
        self.env.device()?;
        Ok(())
    }

    fn run(&self, obs: &mut dyn Observer) -> Result<InitReport, JobError> {
        let device = self.env.device()?;
        let all = self.env.load("data", &self.data, Split::Train, obs)?;
        let all_val = self
            .env
            .load("validation", &self.validation, Split::Test, obs)?;
        let mut rng = StdRng::seed_from_u64(self.env.seed);
        let train = pick("images", &all, self.images, &mut rng)?;
        let validation = pick(
            "validation_images",
            &all_val,
            self.validation_images,
            &mut rng,
        )?;
        if train.dim() != validation.dim() {
            return Err(JobError::Run(format!(
                "{} has {} pixels per image but {} has {}",
                all.name,
                train.dim(),
                all_val.name,
                validation.dim()
            )));
        }
        let classes = 10;
        for set in [&train, &validation] {
            if let Some(bad) = set
                .labels
                .iter()
                .flatten()
                .find(|&&l| usize::from(l) >= classes)
            {
                return Err(JobError::Run(format!(
                    "{}: label {bad} is not a digit 0-9",
                    set.name
                )));
            }
        }
        let shape = MlpShape {
            inputs: train.dim(),
            width: self.width,
            depth: self.depth,
            classes,
        };
        let probe: Vec<usize> = (0..self.probe).collect();
        let probe_labels: Vec<u8> = train.labels.as_deref().unwrap_or(&[])[..self.probe].to_vec();
        let ad = device.clone().autodiff();
        let mut runs = vec![];
        for &activation in &self.activations {
            for &init in &self.inits {
                obs.stage(&format!("{} / {}", init.name(), activation.name()));
                let model = Mlp::new(shape, init, activation, self.env.seed, &ad);
                let at_init =
                    init::at_init(&model, batch_tensor(&train, &probe, &ad), &probe_labels);
                let curve = self.train_one(model, &train, &validation, &device, obs)?;
                let predicted_ratio = (activation == Activation::Relu)
                    .then(|| init::predicted_relu_ratio(init, self.width));
                let mean_variance_ratio = geometric_ratio(&at_init.activation_std);
                runs.push(Run {
                    init,
                    activation,
                    variance_ratios: variance_ratios(&at_init.activation_std),
                    mean_variance_ratio,
                    ratio_in_band: predicted_ratio
                        .filter(|&p| p > 0.0)
                        .map(|p| init::in_band(mean_variance_ratio, p)),
                    predicted_ratio,
                    at_init,
                    curve,
                });
            }
        }
        let mut report = InitReport {
            config: self.clone(),
            shape,
            ratio_band: init::RATIO_BAND,
            runs,
            figures: vec![],
        };
        report.figures = super::init_plots::write(&self.env.outputs(), &report)?;
        self.env.outputs().json("metrics.json", &report)?;
        Ok(report)
    }
}

impl InitStudy {
    fn train_one(
        &self,
        model: Mlp,
        train: &Images,
        validation: &Images,
        device: &Device,
        obs: &mut dyn Observer,
    ) -> Result<Curve, JobError> {
        match init::train_and_measure(
            model,
            train,
            validation,
            &self.train,
            device,
            self.env.seed,
            obs,
        ) {
            Ok((_, curve)) => Ok(curve),
            Err(TrainError::Diverged { .. }) => Err(JobError::setting(
                "train.lr",
                format!(
                    "training diverged at step size {}: use a smaller one",
                    self.train.lr
                ),
            )),
            Err(e) => Err(JobError::Run(e.to_string())),
        }
    }
}

/// A seeded random subset of `want` labelled images of `all`.
fn pick(field: &str, all: &Images, want: usize, rng: &mut StdRng) -> Result<Images, JobError> {
    if all.labels.is_none() {
        return Err(JobError::setting(
            field,
            format!("{} has no labels", all.name),
        ));
    }
    if all.n < want {
        return Err(JobError::setting(
            field,
            format!("{} holds only {} images", all.name, all.n),
        ));
    }
    Ok(all.subset(&sample(rng, all.n, want).into_vec()))
}
