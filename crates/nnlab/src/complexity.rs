//! Input complexity: the length L(x) in bits of a lossless compression of an image, a
//! universal-code estimate of −log₂ of its probability under a model that knows nothing about the
//! data. Anomaly scores are confounded by it (a plain image gets a small reconstruction error and
//! a high likelihood whatever the model learned); [`Correction`] removes it.

use crate::data::Images;
use flate2::Compression;
use flate2::write::ZlibEncoder;
use std::io::Write;

/// How a score s(x) is corrected for the input complexity L(x) (bits).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum Correction {
    /// The score as it is.
    #[default]
    None,
    /// s(x) / L(x): the score per bit of information in the image (for reconstruction errors).
    Ratio,
    /// s(x) − L(x)·ln 2: for a negative log-likelihood in nats, the log-likelihood ratio of the
    /// compressor's model to the learned one (the "input complexity" score).
    Difference,
}

impl Correction {
    /// Whether this is [`Correction::None`] (then it is left out of saved configs).
    pub fn is_none(&self) -> bool {
        *self == Self::None
    }

    /// The corrected score of an image with score `s` and complexity `bits`.
    pub fn apply(self, s: f64, bits: f64) -> f64 {
        match self {
            Self::None => s,
            Self::Ratio => s / bits,
            Self::Difference => s - bits * std::f64::consts::LN_2,
        }
    }

    /// Corrects the scores of `images` in place (no work for [`Correction::None`]).
    pub fn apply_all(self, scores: &mut [f32], images: &Images) {
        if self == Self::None {
            return;
        }
        for (i, s) in scores.iter_mut().enumerate() {
            *s = self.apply(f64::from(*s), compressed_bits(images.image(i))) as f32;
        }
    }
}

/// L(x): the length in bits of the zlib stream (deflate, level 9) of the image's 8-bit grey
/// levels round(255·x), x clamped to [0, 1]. Always positive (a stream has a header).
pub fn compressed_bits(image: &[f32]) -> f64 {
    let bytes: Vec<u8> = image
        .iter()
        .map(|&x| (x.clamp(0.0, 1.0) * 255.0).round() as u8)
        .collect();
    let mut enc = ZlibEncoder::new(Vec::with_capacity(bytes.len() / 2), Compression::best());
    enc.write_all(&bytes)
        .expect("writing to memory cannot fail");
    let out = enc.finish().expect("writing to memory cannot fail");
    8.0 * out.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    #[test]
    fn noise_is_more_complex_than_a_plain_image_and_lengths_are_deterministic() {
        let plain = vec![0.0f32; 784];
        let mut rng = StdRng::seed_from_u64(1);
        let noise: Vec<f32> = (0..784).map(|_| rng.random::<f32>()).collect();
        let (lp, ln) = (compressed_bits(&plain), compressed_bits(&noise));
        // A constant image compresses to a few dozen bytes; uniform noise over 256 levels cannot
        // compress below its 784 bytes of entropy (deflate adds a little).
        assert!(lp > 0.0 && lp < 8.0 * 40.0, "{lp}");
        assert!(ln >= 8.0 * 784.0, "{ln}");
        assert_eq!(compressed_bits(&noise), ln);
    }

    #[test]
    fn corrections_follow_their_formulas() {
        assert_eq!(Correction::None.apply(3.0, 8.0), 3.0);
        assert_eq!(Correction::Ratio.apply(3.0, 8.0), 0.375);
        let d = Correction::Difference.apply(10.0, 8.0);
        assert!((d - (10.0 - 8.0 * 2f64.ln())).abs() < 1e-12);
    }
}
