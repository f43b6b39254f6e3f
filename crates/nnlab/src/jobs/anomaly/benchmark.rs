//! The one-class benchmark of the anomaly-detection literature (`nnlab anomaly benchmark`): for
//! each class c of a labelled dataset, train a scorer on the training images of c alone (a
//! seeded validation part held out for the threshold), then score the whole test set, where c is
//! normal and every other class anomalous. Reports the AUROC per class and its mean over the
//! classes, with type I / II errors at τ = mean + k·std, for several scorers and seeds; each task
//! is one run of the anomaly job ([`super::Config`]), written into its own folder.

use super::Config as Task;
use crate::anomaly::Scorer;
use crate::complexity::Correction;
use crate::data::{Selection, Split};
use crate::jobs::{Env, Job, JobError, Observer};
use crate::plot::{self, BarSeries, Reference};
use crate::train::TrainConfig;
use std::time::Instant;

/// Mean AUROC over the ten one-class MNIST tasks reported for Deep SVDD (Ruff et al., ICML 2018,
/// one-class Deep SVDD), the reference line of the figure.
pub const DEEP_SVDD_MEAN_AUROC: f64 = 0.948;

/// Settings of a benchmark run. `Default`: MNIST, every class, the scorers ae, vae and flow, seed 0.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Config {
    /// Labelled training images (training split unless given); the classes are its labels.
    pub dataset: String,
    /// Labelled test images; `None` = the test split of `dataset`.
    pub test: Option<String>,
    /// The scorers to compare, each with its protocol recipe ([`protocol`]).
    pub scorers: Vec<Scorer>,
    /// One run per seed (split, initial weights, batch order); cells show mean ± std over seeds.
    pub seeds: Vec<u64>,
    /// Validation images held out of each class's training images (for the threshold).
    pub validation: usize,
    /// k in τ = mean + k·std of the validation scores.
    pub sigmas: f64,
    #[serde(flatten)]
    pub env: Env,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            dataset: "mnist".into(),
            test: None,
            scorers: vec![Scorer::Ae, Scorer::Vae, Scorer::Flow],
            seeds: vec![0],
            validation: 1000,
            sigmas: 3.0,
            env: Env::named(<Self as Job>::NAME),
        }
    }
}

/// The recipe of `scorer` for this protocol (one class: about 6 000 training images instead of
/// 50 000), chosen by the sweep in docs/BENCHMARKS.md: the autoencoder trains 50 epochs and its
/// error is taken per bit of input complexity; the flow keeps its recipe and its negative
/// log-likelihood of the 8-bit image is corrected by the complexity (a likelihood ratio against
/// a compressor); the VAE keeps its recipe and its score (its −ELBO is a bound for a Bernoulli
/// model of grey levels, not a likelihood of the 8-bit image, and subtracting L(x) ruins it).
/// The sparse scorer (not in the default list, not swept) keeps its recipe and its score.
pub fn protocol(scorer: Scorer) -> (TrainConfig, Correction) {
    match scorer {
        Scorer::Ae => (
            TrainConfig {
                epochs: 50,
                ..scorer.train_defaults()
            },
            Correction::Ratio,
        ),
        Scorer::Vae | Scorer::Sparse => (scorer.train_defaults(), Correction::None),
        Scorer::Flow => (scorer.train_defaults(), Correction::Difference),
    }
}

/// AUROC, type I and type II error of one scorer on one class, one entry per seed.
type PerSeed = (Vec<f64>, Vec<f64>, Vec<f64>);

/// One scorer's results on one class (or the mean over classes): per seed and summarized.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Cell {
    pub scorer: Scorer,
    pub auroc_per_seed: Vec<f64>,
    pub auroc_mean: f64,
    /// Sample standard deviation over seeds (0 for one seed).
    pub auroc_std: f64,
    pub type_i_error: f64,
    pub type_ii_error: f64,
}

/// One class: the results of every scorer.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Row {
    pub class: u8,
    pub cells: Vec<Cell>,
}

/// Everything a benchmark run measured; written as `benchmark.json`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Report {
    pub classes: Vec<u8>,
    pub rows: Vec<Row>,
    /// Per scorer: the mean over classes (per seed, then mean ± std over seeds).
    pub mean: Vec<Cell>,
    pub deep_svdd_mean_auroc: f64,
    pub seconds: f64,
    pub config: Config,
}

fn summarize(scorer: Scorer, auroc: Vec<f64>, type_i: &[f64], type_ii: &[f64]) -> Cell {
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let m = mean(&auroc);
    let std = if auroc.len() > 1 {
        (auroc.iter().map(|a| (a - m).powi(2)).sum::<f64>() / (auroc.len() - 1) as f64).sqrt()
    } else {
        0.0
    };
    Cell {
        scorer,
        auroc_mean: m,
        auroc_std: std,
        type_i_error: mean(type_i),
        type_ii_error: mean(type_ii),
        auroc_per_seed: auroc,
    }
}

/// `sel` restricted to the labels `keep`.
fn with_labels(sel: &Selection, keep: Vec<u8>) -> Selection {
    match sel.clone() {
        Selection::Dataset { dataset, split, .. } => Selection::Dataset {
            dataset,
            split,
            labels: Some(keep),
        },
        Selection::Files { images, labels, .. } => Selection::Files {
            images,
            labels,
            filter: Some(keep),
        },
    }
}

impl Config {
    fn test_selection(&self) -> Result<Selection, JobError> {
        match &self.test {
            Some(spec) => Env::selection("test", spec),
            None => Env::selection("dataset", &self.dataset)?
                .test_split()
                .ok_or_else(|| {
                    JobError::setting("test", "the dataset is a file, so name its test images")
                }),
        }
    }

    /// The anomaly-job run of `scorer` on class `c` (the others in `classes` anomalous).
    fn task(&self, scorer: Scorer, c: u8, classes: &[u8], seed: u64) -> Result<Task, JobError> {
        let train = Env::selection("dataset", &self.dataset)?;
        let test = self.test_selection()?;
        let others: Vec<u8> = classes.iter().copied().filter(|&k| k != c).collect();
        let (train_cfg, complexity) = protocol(scorer);
        let mut env = self.env.clone();
        env.seed = seed;
        env.out = self
            .env
            .out
            .join(format!("{scorer:?}").to_lowercase())
            .join(format!("class-{c}-seed-{seed}"));
        Ok(Task {
            normal: with_labels(&train, vec![c]).to_string(),
            normal_test: Some(with_labels(&test, vec![c]).to_string()),
            anomaly: with_labels(&test, others).to_string(),
            validation: self.validation,
            sigmas: self.sigmas,
            train: train_cfg,
            complexity,
            env,
            ..Task::for_scorer(scorer)
        })
    }
}

impl Job for Config {
    const NAME: &'static str = "anomaly-benchmark";
    type Report = Report;

    fn env(&self) -> &Env {
        &self.env
    }

    fn validate(&self) -> Result<(), JobError> {
        let sel = Env::selection("dataset", &self.dataset)?;
        self.test_selection()?;
        if sel.label_filter().is_some_and(|l| l.len() < 2) {
            return Err(JobError::setting("dataset", "needs at least two classes"));
        }
        if self.scorers.is_empty() {
            return Err(JobError::setting("scorers", "name at least one scorer"));
        }
        if self.seeds.is_empty() {
            return Err(JobError::setting("seeds", "name at least one seed"));
        }
        if self.seeds.len() > 100 {
            return Err(JobError::setting("seeds", "at most 100 seeds"));
        }
        // Every task's own settings (validation size, sigmas, device) are checked up front.
        for &s in &self.scorers {
            self.task(s, 0, &[0, 1], self.seeds[0])?.validate()?;
        }
        Ok(())
    }

    fn run(&self, obs: &mut dyn Observer) -> Result<Report, JobError> {
        let start = Instant::now();
        obs.stage("loading data");
        let train = self.env.load("dataset", &self.dataset, Split::Train, obs)?;
        let counts = train
            .label_counts()
            .ok_or_else(|| JobError::setting("dataset", format!("{} has no labels", train.name)))?;
        let classes: Vec<u8> = (0..=255u8).filter(|&c| counts[c as usize] > 0).collect();
        if classes.len() < 2 {
            return Err(JobError::setting(
                "dataset",
                format!(
                    "{} has {} class(es); the benchmark needs two or more",
                    train.name,
                    classes.len()
                ),
            ));
        }
        drop(train);
        let total = (classes.len() * self.scorers.len() * self.seeds.len()) as u64;
        obs.stage(&format!(
            "{total} one-class tasks ({} classes x {} scorers x {} seeds)",
            classes.len(),
            self.scorers.len(),
            self.seeds.len()
        ));
        // results[class][scorer] = (auroc, type I, type II) per seed.
        let mut results: Vec<Vec<PerSeed>> =
            vec![vec![(vec![], vec![], vec![]); self.scorers.len()]; classes.len()];
        let mut done = 0;
        obs.progress(0, total);
        for (ci, &c) in classes.iter().enumerate() {
            for (si, &scorer) in self.scorers.iter().enumerate() {
                for &seed in &self.seeds {
                    // The benchmark reports tasks, not the epochs inside them.
                    let r = self.task(scorer, c, &classes, seed)?.run(&mut ())?;
                    let cell = &mut results[ci][si];
                    cell.0.push(r.auroc);
                    cell.1.push(r.type_i_error);
                    cell.2.push(r.type_ii_error);
                    done += 1;
                    obs.progress(done, total);
                }
            }
        }
        let rows: Vec<Row> = classes
            .iter()
            .zip(&results)
            .map(|(&class, per_scorer)| Row {
                class,
                cells: self
                    .scorers
                    .iter()
                    .zip(per_scorer)
                    .map(|(&s, (a, t1, t2))| summarize(s, a.clone(), t1, t2))
                    .collect(),
            })
            .collect();
        let n = classes.len() as f64;
        let mean = self
            .scorers
            .iter()
            .enumerate()
            .map(|(si, &s)| {
                let over_classes = |pick: &dyn Fn(&PerSeed) -> &Vec<f64>| {
                    (0..self.seeds.len())
                        .map(|k| results.iter().map(|r| pick(&r[si])[k]).sum::<f64>() / n)
                        .collect::<Vec<f64>>()
                };
                let a = over_classes(&|t| &t.0);
                summarize(s, a, &over_classes(&|t| &t.1), &over_classes(&|t| &t.2))
            })
            .collect();
        let report = Report {
            classes,
            rows,
            mean,
            deep_svdd_mean_auroc: DEEP_SVDD_MEAN_AUROC,
            seconds: start.elapsed().as_secs_f64(),
            config: self.clone(),
        };
        obs.stage("writing outputs");
        write_outputs(self, &report)?;
        Ok(report)
    }
}

/// The table as CSV: `class,scorer,auroc_mean,auroc_std,type_i_error,type_ii_error`, one line
/// per class and scorer, then the `mean` lines.
pub fn table_csv(r: &Report) -> String {
    let mut out = String::from("class,scorer,auroc_mean,auroc_std,type_i_error,type_ii_error\n");
    let rows = r.rows.iter().map(|row| (row.class.to_string(), &row.cells));
    for (class, cells) in rows.chain(std::iter::once(("mean".to_string(), &r.mean))) {
        for c in cells {
            out.push_str(&format!(
                "{class},{},{},{},{},{}\n",
                format!("{:?}", c.scorer).to_lowercase(),
                c.auroc_mean,
                c.auroc_std,
                c.type_i_error,
                c.type_ii_error
            ));
        }
    }
    out
}

fn write_outputs(cfg: &Config, r: &Report) -> Result<(), JobError> {
    let out = cfg.env.outputs();
    out.json("benchmark.json", r)?;
    out.text("benchmark.csv", &table_csv(r))?;
    let categories: Vec<String> = r.classes.iter().map(|c| c.to_string()).collect();
    let names: Vec<String> = r
        .mean
        .iter()
        .map(|m| format!("{:?} (mean {:.3})", m.scorer, m.auroc_mean).to_lowercase())
        .collect();
    let values: Vec<Vec<f64>> = (0..cfg.scorers.len())
        .map(|si| r.rows.iter().map(|row| row.cells[si].auroc_mean).collect())
        .collect();
    let series: Vec<BarSeries> = names
        .iter()
        .zip(&values)
        .map(|(name, v)| BarSeries { name, values: v })
        .collect();
    let lowest = values.iter().flatten().copied().fold(1.0f64, f64::min);
    plot::bar_chart(
        out.figure("auroc"),
        "One-class AUROC per class (normal = the class, anomalies = all others)",
        ("normal class", "AUROC"),
        &categories,
        &series,
        &[Reference {
            name: "Deep SVDD mean (0.948)",
            y: DEEP_SVDD_MEAN_AUROC,
        }],
        {
            // Headroom above AUROC 1 for the legend, so it covers no bar.
            let lo = (lowest - 0.05).clamp(0.0, 0.9);
            (lo, 1.0 + 0.45 * (1.0 - lo))
        },
    )?;
    Ok(())
}
