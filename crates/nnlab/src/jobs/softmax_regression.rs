//! The softmax-regression job: trains ŷ = softmax(W x + b) on labelled images (MNIST train by
//! default), tests it (MNIST test), and writes the metrics, the figures and the model.

use super::{Env, Job, JobError, Observer};
use crate::data::{Images, Selection, Split};
use crate::metrics::{confusion_counts, top_k_error};
use crate::models::softmax_regression::{
    Collapse, EpochRecord, ModelShape, SoftmaxRegression, Training, fit, linear_collapse,
};
use crate::plot::{self, Line};
use crate::train::batch_tensor;
use std::time::Instant;

/// The model's weights file inside `model/`.
pub const WEIGHTS: &str = "weights.safetensors";
/// The model's shape file inside `model/`.
pub const SHAPE: &str = "softmax_regression.json";
/// Widths of the linear stack of the collapse check (input width first; the last is replaced
/// by the number of classes).
const COLLAPSE_WIDTHS: [usize; 3] = [256, 64, 10];

/// Settings of a softmax-regression run.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Config {
    pub env: Env,
    /// Training images with labels (a data selection; training split unless it names one).
    pub data: String,
    /// Test images with labels; `None` = the test split of `data`.
    pub test_data: Option<String>,
    /// Use only the first N training images.
    pub train_limit: Option<usize>,
    /// Use only the first N test images.
    pub test_limit: Option<usize>,
    /// An extra top-k error to report besides top-1 and top-3.
    pub top_k: Option<usize>,
    pub train: Training,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            env: Env::named("softmax-regression"),
            data: "mnist".into(),
            test_data: None,
            train_limit: None,
            test_limit: None,
            top_k: None,
            train: Training::default(),
        }
    }
}

/// A top-k error.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct TopK {
    pub k: usize,
    pub error: f64,
}

/// What a run measured (written as `metrics.json`).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Report {
    pub config: Config,
    pub train_data: String,
    pub test_data: String,
    pub train_images: usize,
    pub test_images: usize,
    pub classes: usize,
    /// Inputs per image (pixels).
    pub inputs: usize,
    pub epochs: Vec<EpochRecord>,
    /// Seconds of training steps (no evaluation, no data loading).
    pub train_seconds: f64,
    /// Seconds of the whole run.
    pub total_seconds: f64,
    /// Final mean cross-entropy on the training and the test images.
    pub train_loss: f64,
    pub test_loss: f64,
    /// Test top-k errors for k = 1, 3 (when there are at least 3 classes) and `top_k`.
    pub top_k_errors: Vec<TopK>,
    /// `confusion[true][predicted]` on the test images.
    pub confusion: Vec<Vec<u64>>,
    /// A stack of linear layers checked equal to its product matrix on the test images.
    pub collapse: Collapse,
}

impl Report {
    /// The test top-k error for `k`, if measured.
    pub fn top_k_error(&self, k: usize) -> Option<f64> {
        self.top_k_errors.iter().find(|t| t.k == k).map(|t| t.error)
    }
}

fn parse(field: &str, spec: &str) -> Result<Selection, JobError> {
    spec.parse()
        .map_err(|e: crate::data::DataError| JobError::setting(field, e.to_string()))
}

impl Config {
    /// The test selection: `test_data`, else the test split of `data`.
    fn test_selection(&self) -> Result<String, JobError> {
        match &self.test_data {
            Some(t) => Ok(t.clone()),
            None => parse("data", &self.data)?
                .test_split()
                .map(|s| s.to_string())
                .ok_or_else(|| {
                    JobError::setting("test_data", "required when data names IDX files")
                }),
        }
    }

    /// Loads `spec` and checks that it has labelled images.
    fn load_labelled(
        &self,
        field: &str,
        spec: &str,
        split: Split,
        limit: Option<usize>,
        obs: &mut dyn Observer,
    ) -> Result<Images, JobError> {
        let images = self.env.load(field, spec, split, obs)?.limited(limit);
        if images.n == 0 {
            return Err(JobError::setting(
                field,
                format!("'{spec}' selects no images"),
            ));
        }
        if images.labels.is_none() {
            return Err(JobError::setting(field, format!("'{spec}' has no labels")));
        }
        Ok(images)
    }
}

impl Job for Config {
    const NAME: &'static str = "softmax-regression";
    type Report = Report;

    fn env(&self) -> &Env {
        &self.env
    }

    fn validate(&self) -> Result<(), JobError> {
        self.train
            .validate()
            .map_err(|(field, msg)| JobError::setting(format!("train.{field}"), msg))?;
        parse("data", &self.data)?;
        parse("test_data", &self.test_selection()?)?;
        for (field, limit) in [
            ("train_limit", self.train_limit),
            ("test_limit", self.test_limit),
        ] {
            if limit == Some(0) {
                return Err(JobError::setting(field, "must be at least 1"));
            }
        }
        if self.top_k == Some(0) {
            return Err(JobError::setting("top_k", "must be at least 1"));
        }
        Ok(())
    }

    fn run(&self, obs: &mut dyn Observer) -> Result<Report, JobError> {
        let start = Instant::now();
        let device = self.env.device()?;
        obs.stage("loading data");
        let train = self.load_labelled("data", &self.data, Split::Train, self.train_limit, obs)?;
        let test_spec = self.test_selection()?;
        let test =
            self.load_labelled("test_data", &test_spec, Split::Test, self.test_limit, obs)?;
        if (test.rows, test.cols) != (train.rows, train.cols) {
            return Err(JobError::Run(format!(
                "training images are {}x{} but test images are {}x{}",
                train.rows, train.cols, test.rows, test.cols
            )));
        }
        let max_label = |d: &Images| {
            d.labels
                .as_ref()
                .map_or(0, |l| *l.iter().max().unwrap_or(&0))
        };
        let classes = max_label(&train) as usize + 1;
        if max_label(&test) as usize >= classes {
            return Err(JobError::setting(
                "test_data",
                format!(
                    "has label {} but the training labels stop at {}",
                    max_label(&test),
                    classes - 1
                ),
            ));
        }
        if let Some(k) = self.top_k.filter(|&k| k > classes) {
            return Err(JobError::setting(
                "top_k",
                format!("{k} exceeds the {classes} classes"),
            ));
        }
        let shape = ModelShape {
            classes,
            rows: train.rows,
            cols: train.cols,
        };
        obs.stage(&format!("training on {} images", train.n));
        let fitted = fit(
            &shape,
            &train,
            Some(&test),
            &self.train,
            self.env.seed,
            &device,
            obs,
        )?;

        obs.stage("testing");
        let model = &fitted.model;
        let labels = test.labels.as_deref().unwrap_or_default();
        let scores = model.scores_of(&test, &device);
        let mut ks = vec![1];
        for k in [3].into_iter().chain(self.top_k) {
            if k <= classes && !ks.contains(&k) {
                ks.push(k);
            }
        }
        let top_k_errors = ks
            .into_iter()
            .map(|k| {
                top_k_error(&scores, classes, labels, k)
                    .map(|error| TopK { k, error })
                    .map_err(JobError::Run)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let confusion = confusion_counts(&scores, classes, labels).map_err(JobError::Run)?;
        let mut widths = vec![shape.inputs()];
        widths.extend_from_slice(&COLLAPSE_WIDTHS[..2]);
        widths.push(classes);
        let rows: Vec<usize> = (0..test.n.min(1000)).collect();
        let x = batch_tensor(&test, &rows, &device);
        let collapse = linear_collapse(x, &widths, self.env.seed, |z| z);

        let last = fitted.epochs.last();
        let report = Report {
            config: self.clone(),
            train_data: train.name.clone(),
            test_data: test.name.clone(),
            train_images: train.n,
            test_images: test.n,
            classes,
            inputs: shape.inputs(),
            train_loss: last.map_or(f64::NAN, |e| e.train_loss),
            test_loss: last.and_then(|e| e.test_loss).unwrap_or(f64::NAN),
            epochs: fitted.epochs.clone(),
            train_seconds: fitted.train_seconds,
            total_seconds: 0.0,
            top_k_errors,
            confusion,
            collapse,
        };
        obs.stage("writing outputs");
        self.write_outputs(&report, &shape, model)?;
        let report = Report {
            total_seconds: start.elapsed().as_secs_f64(),
            ..report
        };
        self.env.outputs().json("metrics.json", &report)?;
        Ok(report)
    }
}

impl Config {
    /// Writes loss.png, confusion.png, weights.png and the model (metrics.json comes last).
    fn write_outputs(
        &self,
        r: &Report,
        shape: &ModelShape,
        model: &SoftmaxRegression,
    ) -> Result<(), JobError> {
        let out = self.env.outputs();
        let pts = |f: &dyn Fn(&EpochRecord) -> Option<f64>| -> Vec<(f64, f64)> {
            r.epochs
                .iter()
                .filter_map(|e| f(e).map(|v| (e.epoch as f64, v)))
                .collect()
        };
        let (train, test) = (pts(&|e| Some(e.train_loss)), pts(&|e| e.test_loss));
        plot::line_plot(
            out.figure("loss"),
            "Softmax regression: mean cross-entropy by epoch",
            "epoch",
            "cross-entropy (nats)",
            &[
                Line {
                    name: "train",
                    points: &train,
                },
                Line {
                    name: "test",
                    points: &test,
                },
            ],
            false,
        )?;
        let names: Vec<String> = (0..r.classes).map(|c| c.to_string()).collect();
        plot::confusion_matrix(
            out.figure("confusion"),
            &format!(
                "Confusion on {} (top-1 error {:.2}%)",
                r.test_data,
                100.0 * r.top_k_error(1).unwrap_or(f64::NAN)
            ),
            &names,
            &r.confusion,
        )?;
        let w: Vec<f32> = model
            .weight
            .val()
            .into_data()
            .convert::<f32>()
            .iter::<f32>()
            .collect();
        let images: Vec<(String, &[f32])> = w
            .chunks(shape.inputs())
            .enumerate()
            .map(|(c, row)| (format!("class {c}"), row))
            .collect();
        plot::signed_images(
            out.figure("weights"),
            "Rows of W as images (red > 0, blue < 0)",
            &images,
            shape.rows,
            shape.cols,
        )?;
        let dir = out.sub("model");
        let bytes =
            crate::io::to_safetensors(model).map_err(|e| JobError::file(&dir.path(WEIGHTS), e))?;
        dir.bytes(WEIGHTS, &bytes)?;
        dir.json(SHAPE, shape)?;
        Ok(())
    }
}

/// Loads a model saved by a run from its `model/` folder.
pub fn load_model(
    dir: &std::path::Path,
    device: &burn::prelude::Device,
) -> Result<(ModelShape, SoftmaxRegression), JobError> {
    let read = |name: &str| {
        let p = dir.join(name);
        std::fs::read(&p).map_err(|e| JobError::file(&p, e))
    };
    let shape: ModelShape =
        serde_json::from_slice(&read(SHAPE)?).map_err(|e| JobError::file(&dir.join(SHAPE), e))?;
    let model = crate::io::load_safetensors(shape.zeros(device), read(WEIGHTS)?)
        .map_err(|e| JobError::file(&dir.join(WEIGHTS), e))?;
    Ok((shape, model))
}
