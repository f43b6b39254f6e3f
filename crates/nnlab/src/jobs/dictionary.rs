//! The dictionary-learning job: learn D (d × K, ‖d_j‖ ≤ 1) on training images by alternating
//! FISTA sparse coding and block-coordinate atom updates, then code the test images and report
//! the reconstruction error ‖x − Dẑ‖² and the code sparsity; figures of the atoms and of test
//! reconstructions; the dictionary is saved under `model/`.

use super::{Env, Job, JobError, Observer};
use crate::data::Split;
use crate::models::sparse_coding::{Dictionary, DictionaryConfig, RoundStats};
use crate::plot::{GridRow, Line, image_grid, line_plot};

/// Settings of the dictionary-learning job.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DictionaryJob {
    /// Training images (a data selection).
    pub train: String,
    /// Use only the first `train_limit` training images (0: all).
    pub train_limit: usize,
    /// Test images coded with the learned dictionary.
    pub test: String,
    pub dictionary: DictionaryConfig,
    pub env: Env,
}

impl Default for DictionaryJob {
    fn default() -> Self {
        Self {
            train: "mnist:train".into(),
            train_limit: 10_000,
            test: "mnist:test".into(),
            dictionary: DictionaryConfig::default(),
            env: Env::named("dictionary"),
        }
    }
}

/// What the dictionary job measured.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DictionaryReport {
    pub train_images: usize,
    pub test_images: usize,
    pub rounds: Vec<RoundStats>,
    /// Mean ‖x − Dẑ(x)‖² over the test images (the autoencoder's score has this form).
    pub test_squared_error: f64,
    /// Mean s(x) = ½‖x − Dẑ‖² + λ‖ẑ‖₁ over the test images.
    pub test_objective: f64,
    /// Mean number of nonzero code entries per test image, and as a fraction of K.
    pub test_mean_nonzeros: f64,
    pub test_nonzero_fraction: f64,
    pub lipschitz: f64,
    pub seconds_train: f64,
    pub seconds_test: f64,
}

impl Job for DictionaryJob {
    const NAME: &'static str = "dictionary";
    type Report = DictionaryReport;

    fn env(&self) -> &Env {
        &self.env
    }

    fn validate(&self) -> Result<(), JobError> {
        self.dictionary
            .validate()
            .map_err(|(f, m)| JobError::setting(format!("dictionary.{f}"), m))
    }

    fn run(&self, obs: &mut dyn Observer) -> Result<DictionaryReport, JobError> {
        let device = self.env.device()?;
        obs.stage("loading data");
        let mut train = self.env.load("train", &self.train, Split::Train, obs)?;
        if self.train_limit > 0 {
            train = train.limited(Some(self.train_limit));
        }
        let test = self.env.load("test", &self.test, Split::Test, obs)?;
        if (test.rows, test.cols) != (train.rows, train.cols) {
            return Err(JobError::Run(format!(
                "{} images are {}x{} but {} images are {}x{}",
                test.name, test.rows, test.cols, train.name, train.rows, train.cols
            )));
        }
        if train.n < self.dictionary.atoms {
            return Err(JobError::setting(
                "dictionary.atoms",
                format!(
                    "{} has only {} images for {} atoms",
                    train.name, train.n, self.dictionary.atoms
                ),
            ));
        }
        let cfg = DictionaryConfig {
            seed: self.env.seed,
            ..self.dictionary.clone()
        };
        obs.stage("learning the dictionary");
        let start = std::time::Instant::now();
        let rounds = cfg.rounds as u64;
        let (dict, stats) = Dictionary::train(&train, &cfg, &device, &mut |s| {
            obs.progress(s.round as u64, rounds)
        })
        .map_err(JobError::Run)?;
        let seconds_train = start.elapsed().as_secs_f64();
        obs.stage("coding the test images");
        let start = std::time::Instant::now();
        let codes = dict.encode(&test, &device, &mut |d, t| obs.progress(d, t));
        let seconds_test = start.elapsed().as_secs_f64();
        let n = test.n.max(1) as f64;
        let mean = |v: &mut dyn Iterator<Item = f64>| v.sum::<f64>() / n;
        let out = self.env.outputs();
        dict.save(&out.path("model")).map_err(JobError::Run)?;
        self.figures(&dict, &test, &codes.z, &stats, &out)?;
        let nz = mean(&mut codes.nonzeros.iter().map(|&c| c as f64));
        let rep = DictionaryReport {
            train_images: train.n,
            test_images: test.n,
            rounds: stats,
            test_squared_error: mean(&mut codes.residual.iter().map(|&r| 2.0 * r as f64)),
            test_objective: mean(
                &mut codes
                    .residual
                    .iter()
                    .zip(&codes.l1)
                    .map(|(r, l)| *r as f64 + dict.lambda * *l as f64),
            ),
            test_mean_nonzeros: nz,
            test_nonzero_fraction: nz / dict.atoms as f64,
            lipschitz: dict.lipschitz,
            seconds_train,
            seconds_test,
        };
        out.json(
            "metrics.json",
            &serde_json::json!({ "config": self, "report": &rep }),
        )?;
        Ok(rep)
    }
}

impl DictionaryJob {
    fn figures(
        &self,
        dict: &Dictionary,
        test: &crate::data::Images,
        z: &[f32],
        stats: &[RoundStats],
        out: &super::Outputs,
    ) -> Result<(), JobError> {
        // Atoms shown with their own range stretched to [0, 1] (mid-grey = 0 when symmetric).
        let atoms: Vec<Vec<f32>> = (0..dict.atoms.min(64))
            .map(|j| {
                let a = dict.atom(j);
                let m = a.iter().fold(1e-12f64, |m, v| m.max(v.abs()));
                a.iter().map(|v| (0.5 + 0.5 * v / m) as f32).collect()
            })
            .collect();
        let rows: Vec<GridRow> = atoms
            .chunks(16)
            .enumerate()
            .map(|(r, c)| GridRow {
                label: format!("atoms {}-{}", 16 * r, 16 * r + c.len() - 1),
                images: c.iter().map(|v| v.as_slice()).collect(),
                captions: vec![],
            })
            .collect();
        image_grid(
            out.figure("atoms"),
            &format!(
                "first {} of {} atoms (lambda {})",
                atoms.len(),
                dict.atoms,
                dict.lambda
            ),
            &rows,
            test.rows,
            test.cols,
        )?;
        let show = test.n.min(10);
        let recon = dict.reconstruct(&z[..show * dict.atoms]);
        let originals: Vec<&[f32]> = (0..show).map(|i| test.image(i)).collect();
        let clipped: Vec<Vec<f32>> = recon
            .chunks(dict.dim)
            .map(|r| r.iter().map(|v| v.clamp(0.0, 1.0)).collect())
            .collect();
        let nz: Vec<String> = z[..show * dict.atoms]
            .chunks(dict.atoms)
            .map(|c| format!("{} atoms", c.iter().filter(|v| **v != 0.0).count()))
            .collect();
        image_grid(
            out.figure("reconstructions"),
            &format!(
                "{}: originals and sparse-code reconstructions Dz",
                test.name
            ),
            &[
                GridRow {
                    label: "x".into(),
                    images: originals,
                    captions: vec![],
                },
                GridRow {
                    label: "Dz".into(),
                    images: clipped.iter().map(|v| v.as_slice()).collect(),
                    captions: nz,
                },
            ],
            test.rows,
            test.cols,
        )?;
        let coded: Vec<(f64, f64)> = stats
            .iter()
            .map(|s| (s.round as f64, s.objective_coded))
            .collect();
        let updated: Vec<(f64, f64)> = stats
            .iter()
            .map(|s| (s.round as f64, s.objective_updated))
            .collect();
        if !coded.is_empty() {
            line_plot(
                out.figure("objective"),
                "dictionary learning: mean 1/2|x - Dz|^2 + lambda |z|_1",
                "round",
                "objective",
                &[
                    Line {
                        name: "after coding",
                        points: &coded,
                    },
                    Line {
                        name: "after atom update",
                        points: &updated,
                    },
                ],
                false,
            )?;
        }
        Ok(())
    }
}
