//! The deblurring job: an image x (an MNIST digit) blurred by a known Gaussian kernel K plus
//! noise, b = Kx + σ_n·e, recovered by min_x ½‖Kx − b‖² + λ‖x‖₁ subject to 0 ≤ x ≤ 1 with FISTA
//! (and ISTA for comparison), step 1/L with L = ‖K‖₂² by power iteration; PSNR by iteration.

use super::{Env, Job, JobError, Observer};
use crate::data::Split;
use crate::plot::{GridRow, Line, image_grid, line_plot};
use crate::prox::{
    Blur2d, L1Box, LeastSquares, Operator, Options, Step, fista, gaussian_kernel, ista,
    power_iteration, psnr,
};
use rand::SeedableRng;
use rand::rngs::StdRng;

/// Settings of the deblurring job.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DeblurConfig {
    /// The image set (a data selection such as `mnist:test`).
    pub data: String,
    /// Which image of the set.
    pub index: usize,
    /// σ of the Gaussian kernel, in pixels.
    pub sigma: f64,
    /// Kernel radius r (side 2r + 1).
    pub radius: usize,
    /// Standard deviation of the added Gaussian noise (pixels in [0, 1]).
    pub noise: f64,
    /// λ of the ℓ₁ penalty on pixels.
    pub lambda: f64,
    /// FISTA / ISTA iterations.
    pub iterations: usize,
    pub env: Env,
}

impl Default for DeblurConfig {
    fn default() -> Self {
        Self {
            data: "mnist:test".into(),
            index: 0,
            sigma: 1.5,
            radius: 4,
            noise: 0.01,
            lambda: 2e-3,
            iterations: 300,
            env: Env::named("deblur"),
        }
    }
}

/// What the deblurring job measured.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DeblurReport {
    pub image: String,
    pub lipschitz: f64,
    pub psnr_blurred: f64,
    pub psnr_fista: f64,
    pub psnr_ista: f64,
    pub iterations: usize,
    pub grad_map_norm_fista: f64,
    pub objective_fista: f64,
    pub objective_ista: f64,
    pub seconds_fista: f64,
    /// The best PSNR along FISTA's iterates and its iteration: deconvolution is ill-posed, so
    /// the iterates can pass closer to the truth than the minimizer does (semi-convergence).
    pub best_psnr_fista: f64,
    pub best_iteration_fista: usize,
    /// PSNR of FISTA's x_k for k = 1, …, iterations.
    pub psnr_by_iteration: Vec<f64>,
}

impl Job for DeblurConfig {
    const NAME: &'static str = "deblur";
    type Report = DeblurReport;

    fn env(&self) -> &Env {
        &self.env
    }

    fn validate(&self) -> Result<(), JobError> {
        let pos = |v: f64| v.is_finite() && v > 0.0;
        if !pos(self.sigma) {
            return Err(JobError::setting("sigma", "must be positive and finite"));
        }
        if self.radius == 0 || self.radius > 20 {
            return Err(JobError::setting("radius", "must be in 1..=20"));
        }
        if !(self.noise.is_finite() && self.noise >= 0.0) {
            return Err(JobError::setting("noise", "must be finite and ≥ 0"));
        }
        if !(self.lambda.is_finite() && self.lambda >= 0.0) {
            return Err(JobError::setting("lambda", "must be finite and ≥ 0"));
        }
        if self.iterations == 0 || self.iterations > 100_000 {
            return Err(JobError::setting("iterations", "must be in 1..=100000"));
        }
        Ok(())
    }

    fn run(&self, obs: &mut dyn Observer) -> Result<DeblurReport, JobError> {
        obs.stage("loading the image");
        let images = self.env.load("data", &self.data, Split::Test, obs)?;
        if self.index >= images.n {
            return Err(JobError::setting(
                "index",
                format!(
                    "{} has {} images; index {} is out of range",
                    images.name, images.n, self.index
                ),
            ));
        }
        let (h, w) = (images.rows, images.cols);
        let truth: Vec<f64> = images.image(self.index).iter().map(|&p| p as f64).collect();
        let side = 2 * self.radius + 1;
        let blur = Blur2d::new(h, w, side, gaussian_kernel(self.sigma, self.radius))
            .expect("odd side, side² entries");
        let mut b = vec![0.0; h * w];
        blur.apply(&truth, &mut b);
        let mut e = vec![0.0; h * w];
        crate::prob::fill_standard_normal(&mut StdRng::seed_from_u64(self.env.seed), &mut e);
        b.iter_mut()
            .zip(&e)
            .for_each(|(bi, ei)| *bi += self.noise * ei);
        let lip = power_iteration(&blur, 1000, 1e-10, self.env.seed);
        let f = LeastSquares { op: &blur, b: &b };
        let g = L1Box {
            lambda: self.lambda,
            hi: 1.0,
        };
        let opts = Options {
            max_iter: self.iterations,
            tol: 0.0,
            step: Step::Fixed { lipschitz: lip },
            record: false,
        };
        let x0 = vec![0.0; h * w];
        obs.stage("FISTA");
        let total = self.iterations as u64;
        let mut psnr_fista_k = Vec::with_capacity(self.iterations);
        let start = std::time::Instant::now();
        let sf = fista(&f, &g, &x0, &opts, &mut |k, x| {
            psnr_fista_k.push(psnr(x, &truth));
            obs.progress(k as u64, total);
        });
        let seconds_fista = start.elapsed().as_secs_f64();
        obs.stage("ISTA");
        let mut psnr_ista_k = Vec::with_capacity(self.iterations);
        let si = ista(&f, &g, &x0, &opts, &mut |k, x| {
            psnr_ista_k.push(psnr(x, &truth));
            obs.progress(k as u64, total);
        });
        let p_blur = psnr(&b, &truth);
        let out = self.env.outputs();
        let f32s = |v: &[f64]| v.iter().map(|&a| a as f32).collect::<Vec<f32>>();
        let (t32, b32, f32v, i32v) = (f32s(&truth), f32s(&b), f32s(&sf.x), f32s(&si.x));
        let title = format!(
            "{} #{}: Gaussian blur sigma {} + noise {}; l1 {} on [0,1]",
            images.name, self.index, self.sigma, self.noise, self.lambda
        );
        let fmt = |p: f64| format!("{p:.2} dB");
        image_grid(
            out.figure("deblur"),
            &title,
            &[GridRow {
                label: "original / blurred / ISTA / FISTA".into(),
                images: vec![&t32, &b32, &i32v, &f32v],
                captions: vec![
                    "original".into(),
                    fmt(p_blur),
                    fmt(*psnr_ista_k.last().unwrap_or(&f64::NAN)),
                    fmt(*psnr_fista_k.last().unwrap_or(&f64::NAN)),
                ],
            }],
            h,
            w,
        )?;
        let pts = |v: &[f64]| -> Vec<(f64, f64)> {
            v.iter()
                .enumerate()
                .map(|(k, p)| ((k + 1) as f64, *p))
                .collect()
        };
        let (pf, pi) = (pts(&psnr_fista_k), pts(&psnr_ista_k));
        let flat = vec![(1.0, p_blur), (self.iterations as f64, p_blur)];
        line_plot(
            out.figure("psnr"),
            &format!("PSNR by iteration ({} #{})", images.name, self.index),
            "iteration k",
            "PSNR (dB)",
            &[
                Line {
                    name: "FISTA",
                    points: &pf,
                },
                Line {
                    name: "ISTA",
                    points: &pi,
                },
                Line {
                    name: "blurred input",
                    points: &flat,
                },
            ],
            false,
        )?;
        let (best_iteration_fista, best_psnr_fista) =
            psnr_fista_k
                .iter()
                .enumerate()
                .fold(
                    (0, f64::NEG_INFINITY),
                    |b, (k, &p)| if p > b.1 { (k + 1, p) } else { b },
                );
        out.bytes("recovered.npy", &crate::npy::to_bytes(&[h, w], &sf.x))?;
        let rep = DeblurReport {
            image: format!("{} #{}", images.name, self.index),
            lipschitz: lip,
            psnr_blurred: p_blur,
            psnr_fista: psnr(&sf.x, &truth),
            psnr_ista: psnr(&si.x, &truth),
            iterations: sf.iterations,
            grad_map_norm_fista: sf.grad_map_norm,
            objective_fista: sf.objective,
            objective_ista: si.objective,
            seconds_fista,
            best_psnr_fista,
            best_iteration_fista,
            psnr_by_iteration: psnr_fista_k,
        };
        out.json(
            "metrics.json",
            &serde_json::json!({ "config": self, "report": &rep }),
        )?;
        Ok(rep)
    }
}
