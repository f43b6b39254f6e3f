//! The 1-D flow job (`nnlab flow1d`): sample the mixture, train the flow, measure (held-out
//! NLL against the mixture's entropy, KS distance of z = f_θ(x) to N(0, 1), mass of p_θ,
//! draws without a preimage) and write `metrics.json` and the four-panel `flow1d.png`.

#[cfg(test)]
mod tests;

use super::{Env, Job, JobError, Observer, Outputs, check_counts, check_train, limits};
use crate::models::flow1d::map::{FlowMap, HALF_LN_2PI};
use crate::models::flow1d::{Mixture, model};
use crate::plot::{Panel, PanelHistogram, PanelLine, Target, panel_figure};
use crate::prob::gaussian::fill_standard_normal;
use crate::prob::named::{Cdf, ks_distance};
use crate::train::{EpochStats, TrainConfig, TrainObserver};
use burn::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::path::PathBuf;

/// Mixed into the seed for the data draws and for the z draws, so they are independent of
/// the batch order.
const DATA_STREAM: u64 = 0xDA7A_DA7A_DA7A_DA7A;
const SAMPLE_STREAM: u64 = 0x9E37_79B9_7F4A_7C15;

/// Settings of the experiment.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Config {
    pub mixture: Mixture,
    /// Number n of components of f_θ.
    pub components: usize,
    /// Epochs, batch size, learning rate and seed (data, shuffling and sampling).
    pub train: TrainConfig,
    pub n_train: usize,
    pub n_test: usize,
    /// Draws z ~ N(0, 1) pushed through f_θ⁻¹ for the sample histogram.
    pub samples: usize,
    /// Output folder and seed (the data root is not used: the data are drawn). Not part of
    /// `metrics.json`, which records `train.seed`.
    #[serde(skip)]
    pub env: Env,
}

impl Config {
    /// The training settings of the run: `train` with the run's seed and checkpoints in the
    /// output folder ([`crate::jobs::training`]).
    pub fn training(&self) -> TrainConfig {
        crate::jobs::training(self, &self.train)
    }
}

impl Default for Config {
    /// The course setting: n = 5, 50 epochs of Adam at lr 5e-2, 5 000 training and 5 000
    /// held-out draws, 10 000 samples, seed 0; batches of 1 000 (5 steps an epoch, 250 in all).
    /// Measured over seeds 0–3: batches of 100 leave the last iterate noisy at this learning
    /// rate (held-out NLL 0.009–0.032 nats above the true density's, KS 0.03–0.10), batches of
    /// 1 000 give 0.003–0.009 nats (KS 0.017–0.055), and 2 500 take too few steps (0.06–0.08).
    fn default() -> Self {
        Self {
            mixture: Mixture::default(),
            components: 5,
            train: TrainConfig {
                epochs: 50,
                batch_size: 1000,
                lr: 5e-2,
                seed: 0,
                grad_clip: None,
                ..TrainConfig::default()
            },
            n_train: 5000,
            n_test: 5000,
            samples: 10_000,
            env: Env::named(<Self as Job>::NAME),
        }
    }
}

/// Most mixture components of the flow: 10⁴.
pub const MAX_COMPONENTS: usize = 10_000;

impl Job for Config {
    const NAME: &'static str = "flow1d";
    type Report = Report;

    fn env(&self) -> &Env {
        &self.env
    }

    fn training_settings(&self) -> Option<&TrainConfig> {
        Some(&self.train)
    }

    fn validate(&self) -> Result<(), JobError> {
        check_counts(&[
            ("components", Some(self.components)),
            ("n_train", Some(self.n_train)),
            ("n_test", Some(self.n_test)),
            ("samples", Some(self.samples)),
        ])?;
        check_train("train", &self.train)?;
        limits::check_max(&[
            ("components", Some(self.components), MAX_COMPONENTS),
            ("n_train", Some(self.n_train), limits::MAX_POINTS),
            ("n_test", Some(self.n_test), limits::MAX_POINTS),
            ("samples", Some(self.samples), limits::MAX_POINTS),
        ])?;
        self.env.device()?;
        Ok(())
    }

    /// Runs the experiment ([`measure`]) and writes its outputs.
    fn run(&self, obs: &mut dyn Observer) -> Result<Report, JobError> {
        let device = self.env.device()?;
        obs.stage("training");
        let run = measure(self, &device, obs)?;
        obs.stage("writing outputs");
        run.write(&self.env.outputs())?;
        Ok(run.report)
    }
}

/// The measured outcome (written as `metrics.json`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub config: Config,
    /// θ at the start (data-dependent) and after training.
    pub start: FlowMap,
    pub learned: FlowMap,
    /// S = Σ e^{w_i}: f_θ maps onto (−S/2, S/2).
    pub scale: f64,
    /// ∫ p_θ = 2Φ(S/2) − 1.
    pub mass: f64,
    /// Mean −log p_θ(x) over the held-out set (nats).
    pub test_nll: f64,
    /// Mean −log p(x) of the held-out set under the true mixture (nats).
    pub test_nll_true: f64,
    /// H(p) = −∫ p log p of the true mixture by Simpson quadrature (nats): the lowest expected
    /// NLL any model can reach.
    pub entropy: f64,
    /// Kolmogorov–Smirnov distance of the held-out z = f_θ(x) to N(0, 1).
    pub ks_z: f64,
    /// Draws z ~ N(0, 1) with |z| ≥ S/2 (no preimage), out of `config.samples`.
    pub no_preimage: usize,
    pub no_preimage_fraction: f64,
    pub history: Vec<EpochStats>,
}

/// The report and the data the figure is drawn from.
pub struct Measured {
    pub report: Report,
    pub x_test: Vec<f64>,
    pub z_test: Vec<f64>,
    /// f_θ⁻¹(z) of the draws that have a preimage.
    pub x_samples: Vec<f64>,
}

/// Draws the data from `cfg.mixture` (training set, then held-out set, from one seeded
/// `StdRng`), trains the flow on `device`, measures it, and pushes `cfg.samples` draws
/// z ~ N(0, 1) through f_θ⁻¹ (those with |z| ≥ S/2 are counted, not drawn).
pub fn measure(
    cfg: &Config,
    device: &Device,
    observer: &mut dyn TrainObserver,
) -> Result<Measured, JobError> {
    cfg.validate()?;
    // Three streams from one seed: the data (here), the batch order (in `train`, seeded by
    // `seed` itself) and the z draws, each its own StdRng.
    let train = cfg.training();
    let seed = train.seed;
    let mut rng = StdRng::seed_from_u64(seed ^ DATA_STREAM);
    let x_train = cfg.mixture.sample(cfg.n_train, &mut rng);
    let x_test = cfg.mixture.sample(cfg.n_test, &mut rng);
    let start = model::Flow1d::init_map(&x_train, cfg.components);
    let (learned, history) = model::train(&x_train, cfg.components, &train, device, observer)?;

    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let log_p = learned.log_density(&x_test);
    let test_nll = -mean(&log_p);
    let true_lp: Vec<f64> = x_test.iter().map(|&x| cfg.mixture.log_density(x)).collect();
    let z_test: Vec<f64> = learned.eval(&x_test).into_iter().map(|(f, _)| f).collect();
    let normal = Cdf::normal(0.0, 1.0).expect("N(0, 1)");
    let ks_z = ks_distance(&z_test, &normal);

    let mut z = vec![0.0; cfg.samples];
    let mut sample_rng = StdRng::seed_from_u64(seed ^ SAMPLE_STREAM);
    fill_standard_normal(&mut sample_rng, &mut z);
    let x_samples: Vec<f64> = learned.inverse(&z).into_iter().flatten().collect();
    let no_preimage = cfg.samples - x_samples.len();

    let report = Report {
        config: Config {
            train,
            ..cfg.clone()
        },
        start,
        scale: learned.scale(),
        mass: learned.mass(),
        test_nll,
        test_nll_true: -mean(&true_lp),
        entropy: cfg.mixture.entropy(),
        ks_z,
        no_preimage,
        no_preimage_fraction: no_preimage as f64 / cfg.samples as f64,
        history,
        learned,
    };
    Ok(Measured {
        report,
        x_test,
        z_test,
        x_samples,
    })
}

/// `points` equally spaced (x, g(x)) on [lo, hi].
fn curve(lo: f64, hi: f64, points: usize, g: impl Fn(&[f64]) -> Vec<f64>) -> Vec<(f64, f64)> {
    let xs: Vec<f64> = (0..points)
        .map(|i| lo + (hi - lo) * i as f64 / (points - 1) as f64)
        .collect();
    let ys = g(&xs);
    xs.into_iter().zip(ys).collect()
}

impl Measured {
    /// Writes `flow1d.png` (true vs learned density, the map f_θ with its bounds ±S/2, the
    /// held-out z histogram vs N(0, 1), the f_θ⁻¹ samples vs the true and the learned density) and
    /// `metrics.json` through `out`. Returns where the figure went and the JSON's path.
    pub fn write(&self, out: &Outputs) -> Result<(Target, PathBuf), JobError> {
        let r = &self.report;
        let mix = &r.config.mixture;
        let s_max = mix.stds.iter().copied().fold(0.0, f64::max);
        let lo = mix.means.iter().copied().fold(f64::INFINITY, f64::min) - 4.0 * s_max;
        let hi = mix.means.iter().copied().fold(f64::NEG_INFINITY, f64::max) + 4.0 * s_max;
        let true_p = |xs: &[f64]| xs.iter().map(|&x| mix.log_density(x).exp()).collect();
        let model_p = |xs: &[f64]| {
            r.learned
                .log_density(xs)
                .into_iter()
                .map(f64::exp)
                .collect()
        };
        let p_true = curve(lo, hi, 600, true_p);
        let p_model = curve(lo, hi, 600, model_p);
        let pad = 0.5 * (hi - lo);
        let map = curve(lo - pad, hi + pad, 600, |xs| {
            r.learned.eval(xs).into_iter().map(|(f, _)| f).collect()
        });
        let half = 0.5 * r.scale;
        let (upper, lower) = (
            [(lo - pad, half), (hi + pad, half)],
            [(lo - pad, -half), (hi + pad, -half)],
        );
        let zr = half.clamp(3.0, 5.0);
        let phi = curve(-zr, zr, 400, |zs| {
            zs.iter()
                .map(|z| (-0.5 * z * z - HALF_LN_2PI).exp())
                .collect()
        });
        let names = [
            format!("learned p_θ (mass {:.4})", r.mass),
            format!("f_θ(x), S = {:.3}", r.scale),
            format!("held-out z = f_θ(x), KS = {:.4}", r.ks_z),
            format!(
                "x = f_θ^-1(z), z ~ N(0,1), {} of {} without preimage",
                r.no_preimage, r.config.samples
            ),
        ];
        let line = |name, points, dashed| PanelLine {
            name,
            points,
            dashed,
        };
        let hist = |name, values, bins| PanelHistogram { name, values, bins };
        let panel = |title, x_label, y_label, histograms, lines, x_range| Panel {
            title,
            x_label,
            y_label,
            histograms,
            lines,
            x_range,
        };
        let panels = [
            panel(
                "True density vs learned density",
                "x",
                "density",
                vec![],
                vec![
                    line("true mixture p", &p_true[..], false),
                    line(&names[0], &p_model, false),
                ],
                None,
            ),
            panel(
                "The map f_θ (bounded by ±S/2)",
                "x",
                "z = f_θ(x)",
                vec![],
                vec![
                    line(&names[1], &map[..], false),
                    line("+S/2", &upper, true),
                    line("−S/2", &lower, true),
                ],
                None,
            ),
            panel(
                "z = f_θ(x) on held-out data vs N(0, 1)",
                "z",
                "density",
                vec![hist(&names[2], &self.z_test[..], 60)],
                vec![line("N(0, 1) density", &phi, false)],
                Some((-zr, zr)),
            ),
            panel(
                "Samples x = f_θ^-1(z) vs the true density",
                "x",
                "density",
                vec![hist(&names[3], &self.x_samples[..], 80)],
                vec![
                    line("true mixture p", &p_true, false),
                    line("learned p_θ", &p_model, false),
                ],
                Some((lo, hi)),
            ),
        ];
        let png = out.figure("flow1d");
        let title = format!(
            "1-D flow, {} components: held-out NLL {:.4} vs entropy {:.4} nats",
            r.config.components, r.test_nll, r.entropy
        );
        panel_figure(&png, &title, &panels, 2)?;
        let json = out.json("metrics.json", r)?;
        Ok((png, json))
    }
}
