//! 2-D toy densities for the flow: two moons and two rings drawn with a seeded `StdRng`, the
//! maximum-likelihood Gaussian baseline, training on points with [`crate::train::fit`], and the
//! learned density on a grid (for heat maps and quadrature).
//!
//! Points travel through `fit` as an [`Images`] of 1×2 "images" whose two "pixels" are the
//! coordinates (they are not limited to [0, 1]; `fit` only copies them into batches).

use super::{RealNvp, RealNvpConfig};
use crate::data::Images;
use crate::prob::gaussian::Gaussian;
use crate::train::{self as fit, EpochStats, TrainConfig, TrainError, TrainObserver};
use burn::prelude::*;
use rand::Rng;
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::f64::consts::{PI, TAU};
use std::fmt;
use std::str::FromStr;

/// Which 2-D toy distribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Toy {
    /// Two interleaved half circles of radius 1 (scikit-learn's `make_moons` geometry), upper
    /// one centred at (−0.5, −0.25) and lower one at (0.5, 0.25) (the pair is centred at the
    /// origin), equal counts, isotropic Gaussian noise of standard deviation 0.1.
    Moons,
    /// Two concentric circles of radii 1 and 2 with counts in proportion to their length
    /// (1 : 2), uniform angle, isotropic Gaussian noise of standard deviation 0.1.
    Rings,
}

/// Standard deviation of the Gaussian noise added to every toy point.
pub const TOY_NOISE: f64 = 0.1;

impl FromStr for Toy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "moons" => Ok(Self::Moons),
            "rings" => Ok(Self::Rings),
            o => Err(format!("unknown toy '{o}': expected 'moons' or 'rings'")),
        }
    }
}

impl fmt::Display for Toy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Moons => "moons",
            Self::Rings => "rings",
        })
    }
}

/// One standard normal draw (Box–Muller).
fn gauss(rng: &mut StdRng) -> f64 {
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (TAU * u2).cos()
}

impl Toy {
    /// `n` points drawn with `StdRng::seed_from_u64(seed)` (see the variants for the geometry).
    pub fn sample(self, n: usize, seed: u64) -> Vec<[f64; 2]> {
        let mut rng = StdRng::seed_from_u64(seed);
        (0..n)
            .map(|i| {
                let [x, y] = match self {
                    Toy::Moons => {
                        let t = PI * rng.random::<f64>();
                        if i % 2 == 0 {
                            [t.cos() - 0.5, t.sin() - 0.25]
                        } else {
                            [0.5 - t.cos(), 0.25 - t.sin()]
                        }
                    }
                    Toy::Rings => {
                        let r = if rng.random::<f64>() < 1.0 / 3.0 {
                            1.0
                        } else {
                            2.0
                        };
                        let a = TAU * rng.random::<f64>();
                        [r * a.cos(), r * a.sin()]
                    }
                };
                [
                    x + TOY_NOISE * gauss(&mut rng),
                    y + TOY_NOISE * gauss(&mut rng),
                ]
            })
            .collect()
    }
}

/// Points as an [`Images`] of 1×`d` rows, for [`fit::fit`] and [`crate::train::batch_tensor`].
pub fn points_as_images<const D: usize>(points: &[[f64; D]], name: &str) -> Images {
    Images {
        n: points.len(),
        rows: 1,
        cols: D,
        pixels: points.iter().flatten().map(|&v| v as f32).collect(),
        labels: None,
        name: name.into(),
    }
}

/// The maximum-likelihood Gaussian N(x̄, S) of `points` (S the 1/n sample covariance), the
/// baseline a flow must beat.
pub fn gaussian_fit(points: &[[f64; 2]]) -> Result<Gaussian, String> {
    let n = points.len() as f64;
    let mean = [0, 1].map(|j| points.iter().map(|p| p[j]).sum::<f64>() / n);
    let mut cov = vec![0.0; 4];
    for p in points {
        for a in 0..2 {
            for b in 0..2 {
                cov[2 * a + b] += (p[a] - mean[a]) * (p[b] - mean[b]) / n;
            }
        }
    }
    Gaussian::new(&mean, &cov).map_err(|e| e.to_string())
}

/// Mean log-likelihood (nats per point) of `points` under `g`.
pub fn gaussian_mean_log_likelihood(g: &Gaussian, points: &[[f64; 2]]) -> f64 {
    points.iter().map(|p| g.log_density(p)).sum::<f64>() / points.len() as f64
}

/// Trains a fresh flow on `points` (seeded init; batch loss Σ −log p_X(x)).
pub fn train_points(
    cfg: &RealNvpConfig,
    points: &[[f64; 2]],
    train: &TrainConfig,
    device: &Device,
    obs: &mut dyn TrainObserver,
) -> Result<(RealNvp, Vec<EpochStats>), TrainError> {
    cfg.validate().map_err(TrainError::Config)?;
    if cfg.dim != 2 {
        return Err(TrainError::Config(format!(
            "toy points are 2-D but the flow has dimension {}",
            cfg.dim
        )));
    }
    let data = points_as_images(points, "toy");
    let device = device.clone().autodiff();
    let model = fit::seeded(&device, train.seed, || cfg.init(&device));
    fit::fit(
        model,
        &data,
        train,
        |m: &RealNvp, x, _| m.log_prob(x).neg().sum(),
        obs,
    )
}

/// log p_X of each point of `points` [n × d] (computed in one batch).
pub fn log_prob_points<const D: usize>(
    model: &RealNvp,
    points: &[[f64; D]],
    device: &Device,
) -> Vec<f64> {
    if points.is_empty() {
        return Vec::new();
    }
    let flat: Vec<f32> = points.iter().flatten().map(|&v| v as f32).collect();
    let x = Tensor::from_data(TensorData::new(flat, [points.len(), D]), device);
    let lp = model.log_prob(x).into_data().convert::<f32>();
    lp.try_into_vec::<f32>()
        .unwrap()
        .into_iter()
        .map(f64::from)
        .collect()
}

/// The density p_X on the `nx`×`ny` grid of cell centres of [x0, x1]×[y0, y1], row-major with
/// y rows from bottom (y0) to top, x along each row.
pub fn density_grid(
    model: &RealNvp,
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
    (nx, ny): (usize, usize),
    device: &Device,
) -> Vec<f64> {
    let centre =
        |lo: f64, hi: f64, k: usize, n: usize| lo + (hi - lo) * (k as f64 + 0.5) / n as f64;
    let pts: Vec<[f64; 2]> = (0..ny)
        .flat_map(|j| (0..nx).map(move |i| [centre(x0, x1, i, nx), centre(y0, y1, j, ny)]))
        .collect();
    log_prob_points(model, &pts, device)
        .into_iter()
        .map(f64::exp)
        .collect()
}

/// `count` samples of the flow as points.
pub fn sample_points(
    model: &RealNvp,
    count: usize,
    rng: &mut StdRng,
    device: &Device,
) -> Vec<[f64; 2]> {
    if count == 0 {
        return Vec::new();
    }
    let x = model.sample(count, rng, device);
    let v = x
        .into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .unwrap();
    v.chunks(2)
        .map(|p| [f64::from(p[0]), f64::from(p[1])])
        .collect()
}
