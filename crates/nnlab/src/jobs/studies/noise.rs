//! The instance-noise study as a job: the Monte Carlo check of E‖(X + N)w − y‖² = ‖Xw − y‖² +
//! mσ²‖w‖², SGD on noisy inputs against the ridge and least-squares solutions, and the scalar
//! step-size sweep across 2/(x² + σ²). Writes identity.png, sgd.png, scalar.png, metrics.json.

use super::{count, finite, positive};
use crate::jobs::{Env, Job, JobError, Observer};
use crate::plot::{Line, Panel, PanelLine, line_plot, panel_figure};
use crate::studies::noise::{IdentityRow, Problem, ScalarGd, SgdTrace, SweepRow};
use crate::studies::{distance, noise};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// Settings of the instance-noise study.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NoiseStudy {
    pub env: Env,
    /// Rows m of X.
    pub rows: usize,
    /// Columns n of X.
    pub features: usize,
    /// Input noise standard deviation σ of the least-squares part.
    pub sigma: f64,
    /// Random weight vectors w of the identity check.
    pub weights: usize,
    /// Noise draws per weight vector.
    pub draws: usize,
    /// SGD steps on noisy inputs.
    pub sgd_steps: usize,
    /// Initial SGD step size η (decays as η/(1 + 10k/steps)).
    pub sgd_lr: f64,
    /// Rows per SGD step.
    pub sgd_batch: usize,
    /// The scalar problem (x, y, σ, w_0).
    pub scalar: ScalarGd,
    /// Step sizes of the scalar sweep as multiples of 2/(x² + σ²).
    pub fractions: Vec<f64>,
    /// Gradient steps per scalar run.
    pub scalar_steps: usize,
    /// Independent scalar runs per step size.
    pub runs: usize,
}

impl Default for NoiseStudy {
    fn default() -> Self {
        Self {
            env: Env::named("study-noise"),
            rows: 200,
            features: 5,
            sigma: 0.5,
            weights: 30,
            draws: 2000,
            sgd_steps: 50_000,
            sgd_lr: 0.05,
            sgd_batch: 10,
            scalar: ScalarGd {
                x: 1.0,
                y: 1.0,
                sigma: 0.1,
                w0: 0.0,
            },
            fractions: vec![0.5, 0.95, 1.05, 1.5],
            scalar_steps: 40,
            runs: 20_000,
        }
    }
}

/// What the instance-noise study measured.
#[derive(Clone, Debug, serde::Serialize)]
pub struct NoiseReport {
    pub config: NoiseStudy,
    /// mσ², the ridge penalty that the noise is equivalent to.
    pub ridge_lambda: f64,
    pub identity: Vec<IdentityRow>,
    /// Largest |noisy mean − ridge loss| / standard error over the weight vectors.
    pub identity_max_z: f64,
    /// Largest |noisy mean − plain loss| / standard error (the wrong prediction).
    pub plain_max_z: f64,
    pub ridge_solution: Vec<f64>,
    pub least_squares_solution: Vec<f64>,
    /// ‖w_ridge − w_ls‖: how far apart the two candidate limits are.
    pub solution_gap: f64,
    pub sgd: SgdTrace,
    /// The bound 2/(x² + σ²) of the scalar problem.
    pub eta_bound: f64,
    /// The limit xy/(x² + σ²) of E w_k.
    pub scalar_limit: f64,
    pub sweep: Vec<SweepRow>,
}

impl Job for NoiseStudy {
    const NAME: &'static str = "study-noise";
    type Report = NoiseReport;

    fn env(&self) -> &Env {
        &self.env
    }

    fn validate(&self) -> Result<(), JobError> {
        count("features", self.features, 1, 100)?;
        count("rows", self.rows, self.features, 100_000)?;
        positive("sigma", self.sigma)?;
        count("weights", self.weights, 1, 10_000)?;
        count("draws", self.draws, 2, 1_000_000)?;
        if (self.weights * self.draws).saturating_mul(self.rows * self.features) > 2_000_000_000 {
            return Err(JobError::setting(
                "draws",
                "weights × draws × rows × features must stay below 2e9 (minutes of work)",
            ));
        }
        count("sgd_steps", self.sgd_steps, 1, 100_000_000)?;
        positive("sgd_lr", self.sgd_lr)?;
        count("sgd_batch", self.sgd_batch, 1, 100_000)?;
        let s = &self.scalar;
        finite("scalar.x", s.x)?;
        finite("scalar.y", s.y)?;
        positive("scalar.sigma", s.sigma)?;
        finite("scalar.w0", s.w0)?;
        if s.w0 == s.limit() {
            return Err(JobError::setting(
                "scalar.w0",
                "must differ from the limit xy/(x² + σ²), or there is nothing to converge",
            ));
        }
        if self.fractions.is_empty() {
            return Err(JobError::setting(
                "fractions",
                "give at least one step size",
            ));
        }
        for f in &self.fractions {
            positive("fractions", *f)?;
        }
        count("scalar_steps", self.scalar_steps, 1, 10_000)?;
        count("runs", self.runs, 2, 10_000_000)?;
        if self.runs * (self.scalar_steps + 1) > 50_000_000 {
            return Err(JobError::setting(
                "runs",
                "runs × (scalar_steps + 1) must stay below 5e7 (memory of the paths)",
            ));
        }
        Ok(())
    }

    fn run(&self, obs: &mut dyn Observer) -> Result<NoiseReport, JobError> {
        let mut rng = StdRng::seed_from_u64(self.env.seed);
        let p = Problem::random(self.rows, self.features, &mut rng);
        let singular = || JobError::Run("XᵀX is singular: use more rows".into());
        let ridge_solution = p.ridge(self.sigma).ok_or_else(singular)?;
        let least_squares_solution = p.ridge(0.0).ok_or_else(singular)?;

        obs.stage("instance noise: Monte Carlo mean of the noisy loss");
        let mut identity = Vec::with_capacity(self.weights);
        for i in 0..self.weights {
            identity.extend(noise::ridge_identity(
                &p, self.sigma, 1, self.draws, &mut rng,
            ));
            obs.progress(i as u64 + 1, self.weights as u64);
        }
        let max_abs = |f: &dyn Fn(&IdentityRow) -> f64| identity.iter().map(f).fold(0.0, f64::max);
        let identity_max_z = max_abs(&|r| r.z.abs());
        let plain_max_z = max_abs(&|r| (r.noisy_mean - r.plain).abs() / r.std_error);

        obs.stage("instance noise: SGD on noisy inputs");
        let record = (self.sgd_steps / 200).max(1);
        let sgd = noise::noisy_sgd(
            &p,
            self.sigma,
            self.sgd_lr,
            self.sgd_steps,
            self.sgd_batch,
            record,
            &mut rng,
        )
        .ok_or_else(singular)?;
        if sgd.to_ridge.iter().any(|d| !d.is_finite()) {
            return Err(JobError::setting(
                "sgd_lr",
                format!(
                    "SGD diverged at step size {}: use a smaller one",
                    self.sgd_lr
                ),
            ));
        }

        obs.stage("scalar gradient descent across the step-size bound");
        let mut sweep = Vec::with_capacity(self.fractions.len());
        for (i, f) in self.fractions.iter().enumerate() {
            sweep.extend(noise::step_size_sweep(
                &self.scalar,
                &[*f],
                self.scalar_steps,
                self.runs,
                &mut rng,
            ));
            obs.progress(i as u64 + 1, self.fractions.len() as u64);
        }
        let report = NoiseReport {
            config: self.clone(),
            ridge_lambda: self.rows as f64 * self.sigma * self.sigma,
            identity,
            identity_max_z,
            plain_max_z,
            solution_gap: distance(&ridge_solution, &least_squares_solution),
            ridge_solution,
            least_squares_solution,
            sgd,
            eta_bound: self.scalar.eta_bound(),
            scalar_limit: self.scalar.limit(),
            sweep,
        };
        self.plots(&report)?;
        self.env.outputs().json("metrics.json", &report)?;
        Ok(report)
    }
}

impl NoiseStudy {
    fn plots(&self, r: &NoiseReport) -> Result<(), JobError> {
        let out = self.env.outputs();
        let mut rows = r.identity.clone();
        rows.sort_by(|a, b| a.ridge.total_cmp(&b.ridge));
        let pts = |f: fn(&IdentityRow) -> f64| -> Vec<(f64, f64)> {
            rows.iter().map(|row| (row.ridge, f(row))).collect()
        };
        let (mc, ridge, plain) = (pts(|r| r.noisy_mean), pts(|r| r.ridge), pts(|r| r.plain));
        line_plot(
            out.figure("identity"),
            &format!(
                "E‖(X+N)w − y‖² vs ridge loss (m = {}, σ = {})",
                self.rows, self.sigma
            ),
            "ridge loss ‖Xw − y‖² + mσ²‖w‖²",
            "loss",
            &[
                Line {
                    name: "Monte Carlo mean of the noisy loss",
                    points: &mc,
                },
                Line {
                    name: "ridge loss (prediction)",
                    points: &ridge,
                },
                Line {
                    name: "plain loss ‖Xw − y‖²",
                    points: &plain,
                },
            ],
            false,
        )?;
        let steps = |d: &[f64]| -> Vec<(f64, f64)> {
            r.sgd
                .steps
                .iter()
                .zip(d)
                .map(|(k, d)| (*k as f64, *d))
                .collect()
        };
        let (to_ridge, to_ls) = (steps(&r.sgd.to_ridge), steps(&r.sgd.to_least_squares));
        line_plot(
            out.figure("sgd"),
            "SGD on noisy inputs",
            "step",
            "distance",
            &[
                Line {
                    name: "‖w − w_ridge‖",
                    points: &to_ridge,
                },
                Line {
                    name: "‖w − w_least squares‖",
                    points: &to_ls,
                },
            ],
            true,
        )?;
        let series: Vec<[Vec<(f64, f64)>; 3]> = r
            .sweep
            .iter()
            .map(|s| {
                let path = |v: &[f64]| v.iter().enumerate().map(|(k, w)| (k as f64, *w)).collect();
                let limit = vec![
                    (0.0, r.scalar_limit),
                    (self.scalar_steps as f64, r.scalar_limit),
                ];
                [path(&s.mean), path(&s.expected), limit]
            })
            .collect();
        let titles: Vec<String> = r
            .sweep
            .iter()
            .map(|s| format!("η = {} × 2/(x² + σ²) = {:.3}", s.fraction, s.eta))
            .collect();
        let panels: Vec<Panel> = series
            .iter()
            .zip(&titles)
            .map(|(s, title)| Panel {
                title,
                x_label: "step k",
                y_label: "w_k",
                histograms: vec![],
                lines: vec![
                    PanelLine {
                        name: "Monte Carlo mean of w_k",
                        points: &s[0],
                        dashed: false,
                    },
                    PanelLine {
                        name: "closed form E w_k",
                        points: &s[1],
                        dashed: true,
                    },
                    PanelLine {
                        name: "limit xy/(x² + σ²)",
                        points: &s[2],
                        dashed: true,
                    },
                ],
                x_range: None,
            })
            .collect();
        panel_figure(
            out.figure("scalar"),
            "Scalar GD with noisy input x + ε",
            &panels,
            2,
        )?;
        Ok(())
    }
}
