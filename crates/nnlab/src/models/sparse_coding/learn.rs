//! Dictionary learning by alternating minimization of
//! F(D, Z) = (1/n) Σ_i ½‖x_i − Dz_i‖² + λ‖z_i‖₁ over codes (FISTA, [`Dictionary::encode`])
//! and atoms (one block-coordinate sweep, Mairal et al. 2009): with A = ZᵀZ and B = XᵀZ, atom j
//! minimizes F with the others fixed at u_j = d_j + (b_j − D a_j)/A_jj, projected onto the unit
//! ball d_j = u_j / max(‖u_j‖, 1). Each atom step cannot increase F for the fixed codes.

use super::Dictionary;
use crate::data::Images;
use crate::prox::{dot, norm};
use crate::train::batch_tensor;
use burn::prelude::*;
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::index::sample;

/// Settings of dictionary learning.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DictionaryConfig {
    /// K, the number of atoms (the code size).
    pub atoms: usize,
    /// λ > 0 of the coding problem ½‖x − Dz‖² + λ‖z‖₁.
    pub lambda: f64,
    /// Alternations of sparse coding and dictionary update.
    pub rounds: usize,
    /// FISTA iterations per code.
    pub coding_iterations: usize,
    /// Seed of the initial atoms (random training images) and of re-drawn unused atoms.
    pub seed: u64,
}

impl Default for DictionaryConfig {
    fn default() -> Self {
        Self {
            atoms: 256,
            lambda: 0.1,
            rounds: 10,
            coding_iterations: 100,
            seed: 0,
        }
    }
}

impl DictionaryConfig {
    /// Checks every setting; the error is (field, message).
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if self.atoms == 0 || self.atoms > 4096 {
            return Err(("atoms", format!("must be in 1..=4096, got {}", self.atoms)));
        }
        if !(self.lambda.is_finite() && self.lambda > 0.0) {
            return Err((
                "lambda",
                format!("must be positive and finite, got {}", self.lambda),
            ));
        }
        if self.rounds > 1000 {
            return Err((
                "rounds",
                format!("must be at most 1000, got {}", self.rounds),
            ));
        }
        if self.coding_iterations == 0 || self.coding_iterations > 100_000 {
            return Err((
                "coding_iterations",
                format!("must be in 1..=100000, got {}", self.coding_iterations),
            ));
        }
        Ok(())
    }
}

/// One alternation of dictionary learning.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RoundStats {
    pub round: usize,
    /// F(D, Z) after coding with the current D.
    pub objective_coded: f64,
    /// F(D', Z) after the atom sweep (≤ `objective_coded`).
    pub objective_updated: f64,
    /// Mean number of nonzero code entries per image.
    pub mean_nonzeros: f64,
    /// Atoms re-drawn because no image used them.
    pub redrawn: usize,
    pub seconds: f64,
}

/// A training image scaled to unit norm (a blank image gives the first basis vector).
fn unit_image(data: &Images, i: usize) -> Vec<f64> {
    let v: Vec<f64> = data.image(i).iter().map(|&p| p as f64).collect();
    let nv = norm(&v);
    if nv > 0.0 {
        v.iter().map(|a| a / nv).collect()
    } else {
        (0..v.len()).map(|p| f64::from(u8::from(p == 0))).collect()
    }
}

impl Dictionary {
    /// The initial dictionary: K distinct random images of `data` at unit norm.
    pub fn initial(data: &Images, cfg: &DictionaryConfig) -> Result<Dictionary, String> {
        if data.n < cfg.atoms {
            return Err(format!(
                "{} has {} images, fewer than the {} atoms to initialize",
                data.name, data.n, cfg.atoms
            ));
        }
        let (dim, k) = (data.dim(), cfg.atoms);
        let mut rng = StdRng::seed_from_u64(cfg.seed);
        let mut d = vec![0.0; dim * k];
        for (j, i) in sample(&mut rng, data.n, k).into_iter().enumerate() {
            for (p, v) in unit_image(data, i).into_iter().enumerate() {
                d[p * k + j] = v;
            }
        }
        Ok(Dictionary {
            dim,
            atoms: k,
            lambda: cfg.lambda,
            coding_iterations: cfg.coding_iterations,
            lipschitz: Dictionary::lipschitz_of(dim, k, &d),
            d,
        })
    }

    /// Learns a dictionary on `data` ([`DictionaryConfig::rounds`] alternations from
    /// [`Dictionary::initial`]); `on_round` sees each round's statistics.
    pub fn train(
        data: &Images,
        cfg: &DictionaryConfig,
        device: &Device,
        on_round: &mut dyn FnMut(&RoundStats),
    ) -> Result<(Dictionary, Vec<RoundStats>), String> {
        cfg.validate().map_err(|(f, m)| format!("{f}: {m}"))?;
        let mut dict = Dictionary::initial(data, cfg)?;
        let mut rng = StdRng::seed_from_u64(cfg.seed ^ 0x5eed);
        let mut stats = Vec::new();
        for round in 1..=cfg.rounds {
            let start = std::time::Instant::now();
            let codes = dict.encode(data, device, &mut |_, _| {});
            let (a, b, xx) = dict.statistics(data, &codes.z, device);
            let l1: f64 = codes.l1.iter().map(|&v| v as f64).sum();
            let n = data.n as f64;
            let coded = (dict.quadratic(&a, &b, xx) + cfg.lambda * l1) / n;
            let redrawn = dict.update_atoms(&a, &b, data, &mut rng);
            let updated = (dict.quadratic(&a, &b, xx) + cfg.lambda * l1) / n;
            dict.lipschitz = Dictionary::lipschitz_of(dict.dim, dict.atoms, &dict.d);
            let s = RoundStats {
                round,
                objective_coded: coded,
                objective_updated: updated,
                mean_nonzeros: codes.nonzeros.iter().map(|&c| c as f64).sum::<f64>() / n,
                redrawn,
                seconds: start.elapsed().as_secs_f64(),
            };
            on_round(&s);
            stats.push(s);
        }
        Ok((dict, stats))
    }

    /// A = ZᵀZ (K × K), B = XᵀZ (d × K), both row-major, and Σ‖x_i‖², accumulated in f64 over
    /// batches of Burn products.
    pub fn statistics(
        &self,
        data: &Images,
        z: &[f32],
        device: &Device,
    ) -> (Vec<f64>, Vec<f64>, f64) {
        let k = self.atoms;
        let mut a = vec![0.0; k * k];
        let mut b = vec![0.0; self.dim * k];
        let all: Vec<usize> = (0..data.n).collect();
        for idx in all.chunks(1000) {
            let x = batch_tensor(data, idx, device);
            let zs = z[idx[0] * k..(idx[idx.len() - 1] + 1) * k].to_vec();
            let zt = Tensor::<2>::from_data(TensorData::new(zs, [idx.len(), k]), device);
            let add = |acc: &mut Vec<f64>, t: Tensor<2>| {
                let v = t
                    .into_data()
                    .convert::<f32>()
                    .try_into_vec::<f32>()
                    .expect("f32");
                acc.iter_mut().zip(v).for_each(|(s, v)| *s += v as f64);
            };
            add(&mut a, zt.clone().transpose().matmul(zt.clone()));
            add(&mut b, x.transpose().matmul(zt));
        }
        let xx = data.pixels.iter().map(|&p| p as f64 * p as f64).sum();
        (a, b, xx)
    }

    /// Σ_i ½‖x_i − Dz_i‖² = ½Σ‖x_i‖² − tr(DᵀB) + ½tr(DᵀD A) from the statistics.
    pub fn quadratic(&self, a: &[f64], b: &[f64], xx: f64) -> f64 {
        let k = self.atoms;
        let dtb: f64 = self.d.iter().zip(b).map(|(u, v)| u * v).sum();
        let mut dtda = 0.0;
        let mut da = vec![0.0; k];
        for p in 0..self.dim {
            let row = &self.d[p * k..(p + 1) * k];
            for (j, daj) in da.iter_mut().enumerate() {
                *daj = (0..k).map(|l| row[l] * a[l * k + j]).sum();
            }
            dtda += dot(row, &da);
        }
        0.5 * xx - dtb + 0.5 * dtda
    }

    /// One block-coordinate sweep over the atoms (see the module doc); an atom no code uses
    /// (A_jj = 0) is re-drawn as a random training image at unit norm. Returns how many were.
    fn update_atoms(&mut self, a: &[f64], b: &[f64], data: &Images, rng: &mut StdRng) -> usize {
        let (k, dim) = (self.atoms, self.dim);
        let mut redrawn = 0;
        for j in 0..k {
            let ajj = a[j * k + j];
            let mut u: Vec<f64> = if ajj <= 1e-12 {
                redrawn += 1;
                unit_image(data, sample(rng, data.n, 1).index(0))
            } else {
                (0..dim)
                    .map(|p| {
                        let row = &self.d[p * k..(p + 1) * k];
                        let daj: f64 = (0..k).map(|l| row[l] * a[l * k + j]).sum();
                        row[j] + (b[p * k + j] - daj) / ajj
                    })
                    .collect()
            };
            let nu = norm(&u).max(1.0);
            u.iter_mut().for_each(|v| *v /= nu);
            for (p, v) in u.into_iter().enumerate() {
                self.d[p * k + j] = v;
            }
        }
        redrawn
    }
}
