//! The momentum study as a job: contraction rates of gradient descent, heavy ball and Nesterov
//! on random quadratics for several condition numbers, the gradient checks of the hand-derived
//! autoencoder gradients, and plain SGD against heavy-ball momentum training that autoencoder
//! on images. Writes rates.png, autoencoder.png and metrics.json.

use super::{count, positive};
use crate::data::Split;
use crate::jobs::{Env, Job, JobError, Observer};
use crate::plot::{Line, Panel, PanelLine, line_plot, panel_figure};
use crate::studies::autoencoder::{self, Autoencoder, GradientCheck, Sgd};
use crate::studies::quadratic::{self, RateRow};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::index::sample;

/// Settings of the momentum study.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MomentumStudy {
    pub env: Env,
    /// Condition numbers κ of the quadratics.
    pub kappas: Vec<f64>,
    /// Dimension of the quadratics.
    pub dim: usize,
    /// Iterations per method (each stops early once the error falls below 1e-11).
    pub iterations: usize,
    /// Images for the autoencoder (a data selection such as `mnist`).
    pub data: String,
    /// How many of them (a seeded random subset).
    pub images: usize,
    /// Hidden units of the autoencoder.
    pub hidden: usize,
    /// Step size η of both optimizers.
    pub lr: f64,
    /// Momentum β of the heavy-ball run.
    pub beta: f64,
    /// Passes over the images.
    pub epochs: usize,
    /// Images per step.
    pub batch_size: usize,
}

impl Default for MomentumStudy {
    fn default() -> Self {
        Self {
            env: Env::named("study-momentum"),
            kappas: vec![10.0, 100.0, 1000.0],
            dim: 50,
            iterations: 3000,
            data: "mnist".into(),
            images: 2000,
            hidden: 32,
            lr: 0.002,
            beta: 0.9,
            epochs: 20,
            batch_size: 20,
        }
    }
}

/// What the momentum study measured.
#[derive(Clone, Debug, serde::Serialize)]
pub struct MomentumReport {
    pub config: MomentumStudy,
    pub rates: Vec<RateRow>,
    pub gradient_check: GradientCheck,
    /// Pixels per image: the autoencoder is image_dim-hidden-image_dim.
    pub image_dim: usize,
    /// J/n before training and after each epoch.
    pub sgd_loss: Vec<f64>,
    pub momentum_loss: Vec<f64>,
}

impl Job for MomentumStudy {
    const NAME: &'static str = "study-momentum";
    type Report = MomentumReport;

    fn env(&self) -> &Env {
        &self.env
    }

    fn validate(&self) -> Result<(), JobError> {
        if self.kappas.is_empty() {
            return Err(JobError::setting(
                "kappas",
                "give at least one condition number",
            ));
        }
        for k in &self.kappas {
            if !(k.is_finite() && (1.0..=1e8).contains(k)) || *k == 1.0 {
                return Err(JobError::setting(
                    "kappas",
                    format!("each condition number must be in (1, 1e8], got {k}"),
                ));
            }
        }
        count("dim", self.dim, 2, 500)?;
        count("iterations", self.iterations, 10, 1_000_000)?;
        if self.data.trim().is_empty() {
            return Err(JobError::setting("data", "must name a data selection"));
        }
        count("images", self.images, 1, 60_000)?;
        count("hidden", self.hidden, 1, 4096)?;
        positive("lr", self.lr)?;
        if !(0.0..1.0).contains(&self.beta) {
            return Err(JobError::setting(
                "beta",
                format!("momentum must be in [0, 1), got {}", self.beta),
            ));
        }
        count("epochs", self.epochs, 1, 10_000)?;
        count("batch_size", self.batch_size, 1, 60_000)?;
        Ok(())
    }

    fn run(&self, obs: &mut dyn Observer) -> Result<MomentumReport, JobError> {
        let images = self.env.load("data", &self.data, Split::Train, obs)?;
        if images.n < self.images {
            return Err(JobError::setting(
                "images",
                format!("{} holds only {} images", images.name, images.n),
            ));
        }
        obs.stage("quadratics: gradient descent, heavy ball, Nesterov");
        let mut rates = vec![];
        for (i, k) in self.kappas.iter().enumerate() {
            let seed = self.env.seed.wrapping_add(i as u64);
            rates.extend(quadratic::rate_study(
                &[*k],
                self.dim,
                self.iterations,
                seed,
            ));
            obs.progress(i as u64 + 1, self.kappas.len() as u64);
        }
        obs.stage("autoencoder: hand gradients vs finite differences and autodiff");
        let gradient_check = autoencoder::check_gradients(self.env.seed);

        let mut rng = StdRng::seed_from_u64(self.env.seed);
        let pick = sample(&mut rng, images.n, self.images).into_vec();
        let data: Vec<f64> = pick
            .iter()
            .flat_map(|&i| images.image(i).iter().map(|&p| f64::from(p)))
            .collect();
        let start = Autoencoder::new(images.dim(), self.hidden, self.env.seed);
        let mut train = |beta: f64, what: &str| -> Result<Vec<f64>, JobError> {
            obs.stage(what);
            let mut ae = start.clone();
            let epochs = self.epochs as u64;
            let opt = Sgd {
                lr: self.lr,
                beta,
                epochs: self.epochs,
                batch: self.batch_size,
                seed: self.env.seed,
            };
            let losses =
                autoencoder::train(&mut ae, &data, &opt, |e, _| obs.progress(e as u64, epochs));
            if losses.iter().any(|l| !l.is_finite()) {
                return Err(JobError::setting(
                    "lr",
                    format!(
                        "training diverged at step size {} (β = {beta}): use a smaller one",
                        self.lr
                    ),
                ));
            }
            Ok(losses)
        };
        let sgd_loss = train(0.0, "autoencoder: plain SGD")?;
        let momentum_loss = train(self.beta, "autoencoder: heavy-ball momentum")?;
        let report = MomentumReport {
            config: self.clone(),
            rates,
            gradient_check,
            image_dim: images.dim(),
            sgd_loss,
            momentum_loss,
        };
        self.plots(&report)?;
        self.env.outputs().json("metrics.json", &report)?;
        Ok(report)
    }
}

impl MomentumStudy {
    fn plots(&self, r: &MomentumReport) -> Result<(), JobError> {
        let out = self.env.outputs();
        let log_path = |p: &[f64]| -> Vec<(f64, f64)> {
            p.iter()
                .enumerate()
                .map(|(k, e)| (k as f64, e.log10()))
                .collect()
        };
        let theory = |row: &RateRow| -> Vec<(f64, f64)> {
            let last = row.path.len().saturating_sub(1) as f64;
            vec![(0.0, 0.0), (last, last * row.theory.log10())]
        };
        // (panel title, [(line name, points, dashed)]) per κ.
        type Named = (String, Vec<(f64, f64)>, bool);
        let per_kappa: Vec<(String, Vec<Named>)> = self
            .kappas
            .iter()
            .map(|&k| {
                let lines = r
                    .rates
                    .iter()
                    .filter(|row| row.kappa == k)
                    .flat_map(|row| {
                        [
                            (row.method.name().to_string(), log_path(&row.path), false),
                            (format!("theory ρ = {:.4}", row.theory), theory(row), true),
                        ]
                    })
                    .collect();
                (format!("κ = {k}"), lines)
            })
            .collect();
        let panels: Vec<Panel> = per_kappa
            .iter()
            .map(|(title, lines)| Panel {
                title,
                x_label: "iteration k",
                y_label: "log10 ‖w_k − w*‖/‖w_0 − w*‖",
                histograms: vec![],
                lines: lines
                    .iter()
                    .map(|(name, points, dashed)| PanelLine {
                        name,
                        points,
                        dashed: *dashed,
                    })
                    .collect(),
                x_range: None,
            })
            .collect();
        panel_figure(
            out.figure("rates"),
            "Gradient descent and momentum on quadratics",
            &panels,
            panels.len().min(3),
        )?;
        let epochs = |l: &[f64]| -> Vec<(f64, f64)> {
            l.iter().enumerate().map(|(e, v)| (e as f64, *v)).collect()
        };
        let (sgd, mom) = (epochs(&r.sgd_loss), epochs(&r.momentum_loss));
        let mom_name = format!("heavy ball β = {}", self.beta);
        line_plot(
            out.figure("autoencoder"),
            &format!("Autoencoder J/n, {} images, η = {}", self.images, self.lr),
            "epoch",
            "J/n = mean ‖W₂σ(W₁x) − x‖²",
            &[
                Line {
                    name: "plain SGD",
                    points: &sgd,
                },
                Line {
                    name: &mom_name,
                    points: &mom,
                },
            ],
            true,
        )?;
        Ok(())
    }
}
