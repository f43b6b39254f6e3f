//! The Lasso job: min_x ½‖Ax − b‖² + λ‖x‖₁ on a problem read from `.npy` files or generated
//! (seeded, the peer script's construction), solved by ISTA and FISTA with step 1/L (L by power
//! iteration) and by the subgradient method; timings, objectives, ‖G_t‖, support; x as `.npy`,
//! and the measured convergence F(x_k) − F* against the bounds L‖x*‖²/(2k) and 2L‖x*‖²/(k+1)².

use super::{Env, Job, JobError, Observer};
use crate::plot::{Line, loglog_scatter};
use crate::prox::{
    Dense, L1, LeastSquares, Options, Solution, Step, fista, ista, power_iteration, sparse_problem,
    subgradient, support,
};
use std::path::PathBuf;
use std::time::Instant;

/// Settings of the Lasso job.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LassoConfig {
    /// The matrix A (m × n `.npy`, f64 or f32); with `b`. `None`: generate the problem.
    pub a: Option<PathBuf>,
    /// The vector b (m `.npy`); with `a`.
    pub b: Option<PathBuf>,
    /// Rows m of a generated problem.
    pub m: usize,
    /// Columns n of a generated problem.
    pub n: usize,
    /// Nonzeros k of the generated ground truth.
    pub k: usize,
    /// λ > 0.
    pub lambda: f64,
    /// Maximum iterations of ISTA, FISTA and the subgradient method.
    pub iterations: usize,
    /// Stop ISTA / FISTA once ‖G_t‖ ≤ tol (0: run all iterations).
    pub tol: f64,
    pub env: Env,
}

impl Default for LassoConfig {
    fn default() -> Self {
        Self {
            a: None,
            b: None,
            m: 200,
            n: 500,
            k: 10,
            lambda: 0.05,
            iterations: 500,
            tol: 1e-10,
            env: Env::named("lasso"),
        }
    }
}

/// One solver's result.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SolverReport {
    pub solver: String,
    pub objective: f64,
    pub iterations: usize,
    pub grad_map_norm: f64,
    pub converged: bool,
    /// |{i : |x_i| > 1e-6}|.
    pub support: usize,
    /// Of the true support (generated problems), how many entries are nonzero in x.
    pub support_recovered: Option<usize>,
    /// Solver time (without L and without recording the history).
    pub seconds: f64,
}

/// Everything the Lasso job measured.
#[derive(Clone, Debug, serde::Serialize)]
pub struct LassoReport {
    pub problem: String,
    pub m: usize,
    pub n: usize,
    pub lambda: f64,
    /// L = ‖A‖₂² by power iteration, and its time.
    pub lipschitz: f64,
    pub lipschitz_seconds: f64,
    /// F* from FISTA run to ‖G‖ ≤ 1e-12 (or 20 000 iterations).
    pub f_star: f64,
    pub true_support: Option<usize>,
    pub solvers: Vec<SolverReport>,
    /// max_k k·(F(x_k) − F*) for ISTA and its bound L‖x₀ − x*‖²/2.
    pub ista_rate_constant: f64,
    pub ista_bound: f64,
    /// max_k (k+1)²·(F(x_k) − F*) for FISTA and its bound 2L‖x₀ − x*‖².
    pub fista_rate_constant: f64,
    pub fista_bound: f64,
}

/// A, b, the true x when generated, and a description.
type Problem = (Dense, Vec<f64>, Option<Vec<f64>>, String);

/// Largest m·n accepted for a generated problem (800 MB of f64).
const MAX_ENTRIES: usize = 100_000_000;

impl LassoConfig {
    fn problem(&self) -> Result<Problem, JobError> {
        match (&self.a, &self.b) {
            (Some(ap), Some(bp)) => {
                let read =
                    |p: &PathBuf| crate::npy::read(p).map_err(|e| JobError::file(p, e.message));
                let (a, b) = (read(ap)?, read(bp)?);
                let [rows, cols] = a.shape[..] else {
                    return Err(JobError::file(
                        ap,
                        format!("A must be 2-D, got shape {:?}", a.shape),
                    ));
                };
                if b.shape != [rows] {
                    return Err(JobError::file(
                        bp,
                        format!(
                            "b must be 1-D with {rows} entries (the rows of A), got shape {:?}",
                            b.shape
                        ),
                    ));
                }
                for (p, v) in [(ap, &a.data), (bp, &b.data)] {
                    if v.iter().any(|x| !x.is_finite()) {
                        return Err(JobError::file(p, "holds non-finite values"));
                    }
                }
                if rows == 0 || cols == 0 {
                    return Err(JobError::file(ap, "A is empty"));
                }
                let name = format!("{} and {}", ap.display(), bp.display());
                Ok((
                    Dense::new(rows, cols, a.data).expect("shape checked"),
                    b.data,
                    None,
                    name,
                ))
            }
            _ => {
                let p = sparse_problem(self.m, self.n, self.k, self.env.seed);
                let name = format!(
                    "generated m={} n={} k={} seed={}",
                    self.m, self.n, self.k, self.env.seed
                );
                Ok((p.a, p.b, Some(p.x_true), name))
            }
        }
    }
}

impl Job for LassoConfig {
    const NAME: &'static str = "lasso";
    type Report = LassoReport;

    fn env(&self) -> &Env {
        &self.env
    }

    fn validate(&self) -> Result<(), JobError> {
        if self.a.is_some() != self.b.is_some() {
            let field = if self.a.is_some() { "b" } else { "a" };
            return Err(JobError::setting(field, "a and b must be given together"));
        }
        if self.a.is_none() {
            if self.m == 0 || self.n == 0 {
                return Err(JobError::setting("m", "m and n must be positive"));
            }
            if self.m.saturating_mul(self.n) > MAX_ENTRIES {
                return Err(JobError::setting(
                    "n",
                    format!("m·n must be at most {MAX_ENTRIES}"),
                ));
            }
            if self.k > self.n {
                return Err(JobError::setting(
                    "k",
                    format!("must be at most n = {}", self.n),
                ));
            }
        }
        if !(self.lambda.is_finite() && self.lambda > 0.0) {
            return Err(JobError::setting(
                "lambda",
                format!("must be positive and finite, got {}", self.lambda),
            ));
        }
        if self.iterations == 0 || self.iterations > 10_000_000 {
            return Err(JobError::setting("iterations", "must be in 1..=10000000"));
        }
        if !(self.tol.is_finite() && self.tol >= 0.0) {
            return Err(JobError::setting("tol", "must be finite and ≥ 0"));
        }
        Ok(())
    }

    fn run(&self, obs: &mut dyn Observer) -> Result<LassoReport, JobError> {
        obs.stage("reading the problem");
        let (a, b, x_true, problem) = self.problem()?;
        let f = LeastSquares { op: &a, b: &b };
        let g = L1 {
            lambda: self.lambda,
        };
        let x0 = vec![0.0; a.cols];
        obs.stage("power iteration for L = ‖A‖²");
        let t = Instant::now();
        let lip = power_iteration(&a, 10_000, 1e-12, self.env.seed);
        let lipschitz_seconds = t.elapsed().as_secs_f64();
        if !(lip.is_finite() && lip > 0.0) {
            return Err(JobError::Run(
                "A is zero: the problem has no Lipschitz step".into(),
            ));
        }
        let step = Step::Fixed { lipschitz: lip };
        let opts = Options {
            max_iter: self.iterations,
            tol: self.tol,
            step,
            record: false,
        };
        let truth = x_true.as_ref().map(|x| support(x, 0.0));
        let report = |name: &str, s: &Solution, seconds: f64| SolverReport {
            solver: name.into(),
            objective: s.objective,
            iterations: s.iterations,
            grad_map_norm: s.grad_map_norm,
            converged: s.converged,
            support: support(&s.x, 1e-6).len(),
            support_recovered: truth
                .as_ref()
                .map(|t| t.iter().filter(|&&i| s.x[i].abs() > 1e-6).count()),
            seconds,
        };
        let total = self.iterations as u64;
        let mut solvers = Vec::new();
        let mut timed = |name: &str, accelerated: bool, obs: &mut dyn Observer| {
            obs.stage(name);
            let t = Instant::now();
            let mut tick = |k: usize, _: &[f64]| {
                if k.is_multiple_of(64) {
                    obs.progress(k as u64, total)
                }
            };
            let s = if accelerated {
                fista(&f, &g, &x0, &opts, &mut tick)
            } else {
                ista(&f, &g, &x0, &opts, &mut tick)
            };
            obs.progress(total, total);
            solvers.push(report(name, &s, t.elapsed().as_secs_f64()));
            s
        };
        timed("ISTA", false, obs);
        let x_fista = timed("FISTA", true, obs).x;
        obs.stage("subgradient method");
        let t = Instant::now();
        let sub = subgradient(&f, self.lambda, lip, &x0, self.iterations);
        solvers.push(report("subgradient", &sub, t.elapsed().as_secs_f64()));

        obs.stage("convergence history");
        let star_opts = Options {
            max_iter: 20_000.max(self.iterations),
            tol: 1e-12,
            step,
            record: false,
        };
        let star = fista(&f, &g, &x_fista, &star_opts, &mut |_, _| {});
        let f_star = solvers
            .iter()
            .map(|s| s.objective)
            .fold(star.objective, f64::min);
        let rec = Options {
            tol: 0.0,
            record: true,
            ..opts
        };
        let hi = ista(&f, &g, &x0, &rec, &mut |_, _| {}).history;
        let hf = fista(&f, &g, &x0, &rec, &mut |_, _| {}).history;
        let r2 = crate::prox::dot(&star.x, &star.x);
        let gaps = |h: &[f64]| -> Vec<(f64, f64)> {
            h.iter()
                .enumerate()
                .skip(1)
                .map(|(k, v)| (k as f64, v - f_star))
                .collect()
        };
        let (gi, gf, gs) = (gaps(&hi), gaps(&hf), gaps(&sub.history));
        let max_scaled = |g: &[(f64, f64)], p: i32, shift: f64| {
            g.iter()
                .map(|(k, v)| (k + shift).powi(p) * v)
                .fold(0.0, f64::max)
        };
        let (ista_bound, fista_bound) = (lip * r2 / 2.0, 2.0 * lip * r2);
        let ks: Vec<f64> = (1..=self.iterations).map(|k| k as f64).collect();
        let bound_i: Vec<(f64, f64)> = ks.iter().map(|k| (*k, ista_bound / k)).collect();
        let bound_f: Vec<(f64, f64)> = ks
            .iter()
            .map(|k| (*k, fista_bound / (k + 1.0).powi(2)))
            .collect();
        let out = self.env.outputs();
        loglog_scatter(
            out.figure("convergence"),
            &format!("Lasso: F(x_k) - F*  ({problem}, lambda {})", self.lambda),
            "iteration k",
            "F(x_k) - F*",
            &[
                Line {
                    name: "ISTA",
                    points: &gi,
                },
                Line {
                    name: "FISTA",
                    points: &gf,
                },
                Line {
                    name: "subgradient (best so far)",
                    points: &gs,
                },
                Line {
                    name: "ISTA bound L|x*|^2/(2k)",
                    points: &bound_i,
                },
                Line {
                    name: "FISTA bound 2L|x*|^2/(k+1)^2",
                    points: &bound_f,
                },
            ],
        )?;
        let csv: String = std::iter::once("k,ista,fista,subgradient\n".to_string())
            .chain((0..hi.len()).map(|k| format!("{k},{},{},{}\n", hi[k], hf[k], sub.history[k])))
            .collect();
        out.text("history.csv", &csv)?;
        out.bytes("x.npy", &crate::npy::to_bytes(&[x_fista.len()], &x_fista))?;
        let rep = LassoReport {
            problem,
            m: a.rows,
            n: a.cols,
            lambda: self.lambda,
            lipschitz: lip,
            lipschitz_seconds,
            f_star,
            true_support: truth.map(|t| t.len()),
            solvers,
            ista_rate_constant: max_scaled(&gi, 1, 0.0),
            ista_bound,
            fista_rate_constant: max_scaled(&gf, 2, 1.0),
            fista_bound,
        };
        out.json(
            "metrics.json",
            &serde_json::json!({ "config": self, "report": &rep }),
        )?;
        Ok(rep)
    }
}
