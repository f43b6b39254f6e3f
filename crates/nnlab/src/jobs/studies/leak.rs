//! The leak study as a job: the same classifier trained on a leaky pipeline (augment, then
//! split) and an honest one (split, then augment the training part), with validation and test
//! accuracy by epoch. Writes accuracy.png, examples.png and metrics.json.

use super::{count, positive};
use crate::data::Split;
use crate::data::augment::Augment;
use crate::jobs::{Env, Job, JobError, Observer};
use crate::plot::{GridRow, Line, image_grid, line_plot};
use crate::studies::leak::{self, ClassifierConfig, Curve};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::index::sample;

/// Settings of the leak study.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LeakStudy {
    pub env: Env,
    /// Labelled images to split and augment (a data selection such as `mnist`).
    pub data: String,
    /// How many of them (a seeded random subset): few, so the classifier can memorize.
    pub images: usize,
    /// Labelled test images (never augmented, never trained on).
    pub test: String,
    /// How many test images (a seeded random subset).
    pub test_images: usize,
    /// Fraction of the (pooled or original) images that validates.
    pub val_fraction: f64,
    pub augment: Augment,
    pub classifier: ClassifierConfig,
}

impl Default for LeakStudy {
    fn default() -> Self {
        Self {
            env: Env::named("study-leak"),
            data: "mnist".into(),
            images: 3000,
            test: "mnist:test".into(),
            test_images: 5000,
            val_fraction: 0.2,
            augment: Augment::default(),
            classifier: ClassifierConfig {
                hidden: 256,
                epochs: 10,
                batch_size: 64,
                lr: 1e-3,
            },
        }
    }
}

/// What the leak study measured.
#[derive(Clone, Debug, serde::Serialize)]
pub struct LeakReport {
    pub config: LeakStudy,
    pub leaky: Curve,
    pub honest: Curve,
    /// Final validation − test accuracy of the leaky pipeline (predicted > 0).
    pub leaky_inflation: f64,
    /// Final validation − test accuracy of the honest pipeline (predicted ≈ 0, within sampling
    /// error).
    pub honest_inflation: f64,
    /// The standard error √(p(1 − p)/n_val) of the honest validation accuracy.
    pub honest_std_error: f64,
    /// Fraction of the leaky validation images whose source image (the original or another
    /// augmented copy of it) is in training; the honest pipeline's is 0 by construction.
    pub leaky_shared_sources: f64,
}

impl Job for LeakStudy {
    const NAME: &'static str = "study-leak";
    type Report = LeakReport;

    fn env(&self) -> &Env {
        &self.env
    }

    fn validate(&self) -> Result<(), JobError> {
        for (field, spec) in [("data", &self.data), ("test", &self.test)] {
            if spec.trim().is_empty() {
                return Err(JobError::setting(field, "must name a data selection"));
            }
        }
        count("images", self.images, 20, 60_000)?;
        count("test_images", self.test_images, 1, 100_000)?;
        positive("val_fraction", self.val_fraction)?;
        if self.val_fraction >= 0.9 {
            return Err(JobError::setting(
                "val_fraction",
                format!("must be below 0.9, got {}", self.val_fraction),
            ));
        }
        let a = &self.augment;
        count("augment.max_shift", a.max_shift, 0, 10)?;
        if !(a.max_degrees.is_finite() && (0.0..=180.0).contains(&a.max_degrees)) {
            return Err(JobError::setting(
                "augment.max_degrees",
                format!("must be in [0, 180], got {}", a.max_degrees),
            ));
        }
        count("augment.copies", a.copies, 1, 20)?;
        let c = &self.classifier;
        count("classifier.hidden", c.hidden, 1, 4096)?;
        count("classifier.epochs", c.epochs, 1, 1000)?;
        count("classifier.batch_size", c.batch_size, 1, 100_000)?;
        positive("classifier.lr", c.lr)?;
        Ok(())
    }

    fn run(&self, obs: &mut dyn Observer) -> Result<LeakReport, JobError> {
        let device = self.env.device()?;
        let all = self.env.load("data", &self.data, Split::Train, obs)?;
        let all_test = self.env.load("test", &self.test, Split::Test, obs)?;
        for (field, set, want) in [
            ("images", &all, self.images),
            ("test_images", &all_test, self.test_images),
        ] {
            if set.labels.is_none() {
                return Err(JobError::setting(
                    field,
                    format!("{} has no labels", set.name),
                ));
            }
            if set.n < want {
                return Err(JobError::setting(
                    field,
                    format!("{} holds only {} images", set.name, set.n),
                ));
            }
        }
        if (all.rows, all.cols) != (all_test.rows, all_test.cols) {
            return Err(JobError::Run(format!(
                "{} has {}×{} images but {} has {}×{}",
                all.name, all.rows, all.cols, all_test.name, all_test.rows, all_test.cols
            )));
        }
        let mut rng = StdRng::seed_from_u64(self.env.seed);
        let images = all.subset(&sample(&mut rng, all.n, self.images).into_vec());
        let test = all_test.subset(&sample(&mut rng, all_test.n, self.test_images).into_vec());
        let seed = self.env.seed;
        let (lt, lv, leaky_shared_sources) =
            leak::augment_then_split(&images, &self.augment, self.val_fraction, seed)?;
        let (ht, hv) = leak::split_then_augment(&images, &self.augment, self.val_fraction, seed)?;

        obs.stage("leaky pipeline: augment, then split");
        let leaky = leak::train_and_measure(&lt, &lv, &test, &self.classifier, &device, seed, obs)?;
        obs.stage("honest pipeline: split, then augment the training part");
        let honest =
            leak::train_and_measure(&ht, &hv, &test, &self.classifier, &device, seed, obs)?;
        let gap = |c: &Curve| {
            c.validation.last().unwrap_or(&f64::NAN) - c.test.last().unwrap_or(&f64::NAN)
        };
        let p = honest.validation.last().copied().unwrap_or(f64::NAN);
        let report = LeakReport {
            config: self.clone(),
            leaky_inflation: gap(&leaky),
            honest_inflation: gap(&honest),
            honest_std_error: (p * (1.0 - p) / hv.n as f64).sqrt(),
            leaky,
            honest,
            leaky_shared_sources,
        };
        self.plots(&report, &images)?;
        self.env.outputs().json("metrics.json", &report)?;
        Ok(report)
    }
}

impl LeakStudy {
    fn plots(&self, r: &LeakReport, images: &crate::data::Images) -> Result<(), JobError> {
        let out = self.env.outputs();
        let by_epoch = |v: &[f64]| -> Vec<(f64, f64)> {
            v.iter()
                .enumerate()
                .map(|(e, a)| (e as f64 + 1.0, *a))
                .collect()
        };
        let lines = [
            ("leaky: validation", by_epoch(&r.leaky.validation)),
            ("leaky: test", by_epoch(&r.leaky.test)),
            ("honest: validation", by_epoch(&r.honest.validation)),
            ("honest: test", by_epoch(&r.honest.test)),
        ];
        let lines: Vec<Line> = lines
            .iter()
            .map(|(name, points)| Line { name, points })
            .collect();
        line_plot(
            out.figure("accuracy"),
            "Augment before the split (leaky) vs after (honest)",
            "epoch",
            "accuracy",
            &lines,
            false,
        )?;
        let shown = images.subset(&(0..images.n.min(6)).collect::<Vec<_>>());
        let aug = crate::data::augment::augment_images(&shown, &self.augment, self.env.seed);
        let rows: Vec<GridRow> = (0..shown.n)
            .map(|i| GridRow {
                label: format!("#{i}"),
                images: (0..=self.augment.copies)
                    .map(|c| aug.image(c * shown.n + i))
                    .collect(),
                captions: vec![],
            })
            .collect();
        image_grid(
            out.figure("examples"),
            "Original (left) and its augmented copies",
            &rows,
            images.rows,
            images.cols,
        )?;
        Ok(())
    }
}
