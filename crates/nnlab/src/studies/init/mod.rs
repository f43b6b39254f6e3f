//! Initialization of deep networks: the weight distributions (zeros, Xavier uniform and normal,
//! He), a deep MLP built from them on Burn, its per-layer activation spread and gradient norms at
//! initialization, the symmetry of its hidden units, and its training.
//!
//! The predictions the study checks: zeros never break the symmetry between the hidden units of
//! a layer; He initialization keeps the variance of ReLU activations constant with depth, Xavier
//! halves it per (square) layer; Xavier suits tanh.

mod mlp;
mod train;

pub use mlp::{AtInit, Mlp, MlpShape, at_init, geometric_ratio, variance_ratios};
pub use train::{Curve, TrainSettings, accuracy, train_and_measure};

use rand::Rng;
use rand::rngs::StdRng;

/// How the weights of a layer are drawn (biases always start at 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum Init {
    /// Every weight 0.
    Zeros,
    /// Glorot and Bengio (2010), uniform.
    XavierUniform,
    /// Glorot and Bengio (2010), normal.
    XavierNormal,
    /// He, Zhang, Ren and Sun (2015), normal.
    He,
}

impl Init {
    /// Every initialization, in the order the study reports them.
    pub const ALL: [Init; 4] = [
        Init::Zeros,
        Init::XavierUniform,
        Init::XavierNormal,
        Init::He,
    ];

    /// The name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Init::Zeros => "zeros",
            Init::XavierUniform => "xavier-uniform",
            Init::XavierNormal => "xavier-normal",
            Init::He => "he",
        }
    }

    /// The variance of one weight of a layer with `fan_in` inputs and `fan_out` outputs:
    /// 0 for zeros; Xavier Var = 2/(fan_in + fan_out) (uniform and normal alike); He
    /// Var = 2/fan_in.
    ///
    /// Why: a unit z = Σᵢ wᵢhᵢ of fan_in independent terms has Var z = fan_in · Var w · E h².
    /// Xavier compromises between keeping the forward variance (fan_in · Var w = 1) and the
    /// backward one (fan_out · Var w = 1) for activations that are linear near 0 (tanh). ReLU
    /// zeroes half of a symmetric z, so E h² = Var z / 2 and the forward variance is kept by
    /// fan_in · Var w = 2 (He); a square layer with Xavier (Var w = 1/n) halves it instead.
    pub fn variance(self, fan_in: usize, fan_out: usize) -> f64 {
        match self {
            Init::Zeros => 0.0,
            Init::XavierUniform | Init::XavierNormal => 2.0 / (fan_in + fan_out) as f64,
            Init::He => 2.0 / fan_in as f64,
        }
    }

    /// The weights of a layer, row-major [fan_in, fan_out] (Burn's `Linear` layout), drawn from
    /// `rng`: Xavier uniform from U(−a, a) with a = √(6/(fan_in + fan_out)) (variance a²/3, the
    /// Xavier variance); Xavier normal and He from N(0, [`Init::variance`]).
    pub fn sample(self, fan_in: usize, fan_out: usize, rng: &mut StdRng) -> Vec<f32> {
        let n = fan_in * fan_out;
        match self {
            Init::Zeros => vec![0.0; n],
            Init::XavierUniform => {
                let a = (6.0 / (fan_in + fan_out) as f64).sqrt();
                (0..n)
                    .map(|_| rng.random_range(-a..a) as f32)
                    .collect::<Vec<_>>()
            }
            Init::XavierNormal | Init::He => {
                let sd = self.variance(fan_in, fan_out).sqrt();
                crate::studies::normals(rng, n)
                    .into_iter()
                    .map(|z| (sd * z) as f32)
                    .collect()
            }
        }
    }
}

/// The hidden units' nonlinearity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum Activation {
    Relu,
    Tanh,
    Sigmoid,
}

impl Activation {
    /// Every activation, in the order the study reports them.
    pub const ALL: [Activation; 3] = [Activation::Relu, Activation::Tanh, Activation::Sigmoid];

    /// The name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Relu => "relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
        }
    }
}

/// The predicted per-layer ratio Var h_l / Var h_{l−1} of ReLU activations through a square
/// layer: fan_in · Var w / 2 (see [`Init::variance`]): 1 for He, ½ for Xavier, 0 for zeros.
pub fn predicted_relu_ratio(init: Init, width: usize) -> f64 {
    width as f64 * init.variance(width, width) / 2.0
}

/// The band around a predicted ratio r that a measured geometric-mean ratio must fall in:
/// [r/1.25, 1.25 r]. With width 256 one layer's ratio scatters by about ±15 % (the squared
/// norm of Wh has n = 256 degrees of freedom, √(2/n) ≈ 9 %, plus which half the ReLU keeps);
/// the geometric mean of nine layers by about ±5 %, so the band (±22 % in log) is more than
/// four standard deviations wide, and the bands of He (1) and Xavier (½) do not overlap.
pub const RATIO_BAND: f64 = 1.25;

/// Whether `measured` lies in the band [`RATIO_BAND`] around `predicted`.
pub fn in_band(measured: f64, predicted: f64) -> bool {
    measured >= predicted / RATIO_BAND && measured <= predicted * RATIO_BAND
}

/// The largest relative error |v̂/v − 1| of the sample variance v̂ (about the known mean 0) of a
/// 300 × 200 layer's weights against [`Init::variance`] v, over the three random
/// initializations, each drawn with `seed`; `wrong_bound` draws Xavier uniform with the bound
/// √(2/(fan_in + fan_out)) instead (the variance taken for the squared bound), which must fail.
/// 60 000 draws: the relative standard error of v̂ is √((κ − 1)/N), κ the kurtosis (3 normal,
/// 1.8 uniform), at most 0.6 %.
pub fn variance_formula_error(seed: u64, wrong_bound: bool) -> f64 {
    use rand::SeedableRng;
    let (fan_in, fan_out) = (300, 200);
    let mut rng = StdRng::seed_from_u64(seed);
    [Init::XavierUniform, Init::XavierNormal, Init::He]
        .iter()
        .map(|&init| {
            let w: Vec<f32> = if wrong_bound && init == Init::XavierUniform {
                let a = (2.0 / (fan_in + fan_out) as f64).sqrt();
                (0..fan_in * fan_out)
                    .map(|_| rng.random_range(-a..a) as f32)
                    .collect()
            } else {
                init.sample(fan_in, fan_out, &mut rng)
            };
            let v = w.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>() / w.len() as f64;
            (v / init.variance(fan_in, fan_out) - 1.0).abs()
        })
        .fold(0.0, f64::max)
}

/// The init variance formulas as a row of the proof sheet.
pub const VARIANCE_CHECK: crate::verify::Check = crate::verify::Check {
    id: "study.init-variance",
    identity: "Var w = 2/(fan_in+fan_out) (Xavier; uniform bound sqrt(6/(fan_in+fan_out))), Var w = 2/fan_in (He)",
    method: "sample variance of 300x200 drawn weights against the formula, Xavier uniform, Xavier normal, He (max relative error)",
    tolerance: 0.03,
    why: "60 000 draws: relative standard error of the sample variance <= sqrt(2/60000) = 0.6 %; 0.03 is 5 of them, a wrong formula is off by >= 33 %",
    measure: |seed| {
        crate::verify::Measurement::new(
            variance_formula_error(seed, false),
            "fan_in 300, fan_out 200, 60 000 weights each",
        )
    },
    broken: |seed| {
        crate::verify::Measurement::new(
            variance_formula_error(seed, true),
            "fan_in 300, fan_out 200, 60 000 weights each",
        )
    },
    fault: "Xavier uniform bound sqrt(2/(fan_in+fan_out)) (the variance as the squared bound)",
};

#[cfg(test)]
mod tests;
