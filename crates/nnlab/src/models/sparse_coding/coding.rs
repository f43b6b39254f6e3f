//! Batched sparse coding by FISTA on Burn tensors, and the scores and reconstructions built on
//! the codes.

use super::Dictionary;
use crate::data::Images;
use crate::prox::{Dense, power_iteration};
use crate::train::batch_tensor;
use burn::prelude::*;

/// Images coded in one batch (1000 × K codes in f32 are 1 MB for K = 256).
const BATCH: usize = 1000;

/// Codes of a set of images with their per-image terms.
#[derive(Clone, Debug, PartialEq)]
pub struct Codes {
    /// n × K codes, row-major.
    pub z: Vec<f32>,
    /// ½‖x − Dz‖² per image.
    pub residual: Vec<f32>,
    /// ‖z‖₁ per image.
    pub l1: Vec<f32>,
    /// Number of nonzero code entries per image.
    pub nonzeros: Vec<u32>,
}

impl Dictionary {
    /// L = λ_max(DᵀD) = ‖D‖₂² by [`power_iteration`] through D and Dᵀ.
    pub fn lipschitz_of(dim: usize, atoms: usize, d: &[f64]) -> f64 {
        let op = Dense::new(dim, atoms, d.to_vec()).expect("d × K entries");
        power_iteration(&op, 500, 1e-9, 0)
    }

    fn tensors(&self, device: &Device) -> (Tensor<2>, Tensor<2>) {
        let d: Vec<f32> = self.d.iter().map(|&v| v as f32).collect();
        let d = Tensor::<2>::from_data(TensorData::new(d, [self.dim, self.atoms]), device);
        let gram = d.clone().transpose().matmul(d.clone());
        (d, gram)
    }

    /// FISTA on min_Z ½‖X − ZDᵀ‖² + λ‖Z‖₁ for a batch X (rows are images): the gradient is
    /// Z·G − C with G = DᵀD and C = X·D computed once; z ← S_{λ/L}(y − (yG − C)/L), then the
    /// momentum step of [`crate::prox::fista`]. Starts from Z = 0. With D = 0 (L = 0) the
    /// minimizer is Z = 0.
    fn code_batch(&self, x: Tensor<2>, d: &Tensor<2>, gram: &Tensor<2>) -> Tensor<2> {
        let c = x.matmul(d.clone());
        if self.lipschitz <= 0.0 {
            return c.zeros_like();
        }
        let step = (1.0 / self.lipschitz) as f32;
        let tau = (self.lambda / self.lipschitz) as f32;
        let mut z = c.zeros_like();
        let mut y = z.clone();
        let mut t = 1.0f64;
        for _ in 0..self.coding_iterations {
            let v = y.clone() - (y.matmul(gram.clone()) - c.clone()).mul_scalar(step);
            let z_new = v.clone().sign() * (v.abs() - tau).clamp_min(0.0);
            let t_next = (1.0 + (1.0 + 4.0 * t * t).sqrt()) / 2.0;
            let beta = ((t - 1.0) / t_next) as f32;
            y = z_new.clone() + (z_new.clone() - z).mul_scalar(beta);
            z = z_new;
            t = t_next;
        }
        z
    }

    /// The codes ẑ(x) of every image of `data` (pixel count must equal `dim`), with the residual
    /// and ℓ₁ terms of the coding objective. `progress(done, total)` is called per batch.
    pub fn encode(
        &self,
        data: &Images,
        device: &Device,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Codes {
        assert_eq!(
            data.dim(),
            self.dim,
            "image size does not match the dictionary"
        );
        let (d, gram) = self.tensors(device);
        let mut out = Codes {
            z: Vec::with_capacity(data.n * self.atoms),
            residual: Vec::with_capacity(data.n),
            l1: Vec::with_capacity(data.n),
            nonzeros: Vec::with_capacity(data.n),
        };
        let all: Vec<usize> = (0..data.n).collect();
        for (b, idx) in all.chunks(BATCH).enumerate() {
            let x = batch_tensor(data, idx, device);
            let z = self.code_batch(x.clone(), &d, &gram);
            let r = (x - z.clone().matmul(d.clone().transpose()))
                .square()
                .sum_dim(1)
                .mul_scalar(0.5);
            out.residual.extend(to_vec(r));
            out.l1.extend(to_vec(z.clone().abs().sum_dim(1)));
            let zv = to_vec(z);
            out.nonzeros.extend(
                zv.chunks(self.atoms)
                    .map(|row| row.iter().filter(|v| **v != 0.0).count() as u32),
            );
            out.z.extend(zv);
            progress(((b + 1) * BATCH).min(data.n) as u64, data.n as u64);
        }
        out
    }

    /// Anomaly scores s(x) = ½‖x − Dẑ(x)‖² + λ‖ẑ(x)‖₁, the optimal value of the coding problem.
    pub fn score(&self, data: &Images, device: &Device) -> Vec<f32> {
        let c = self.encode(data, device, &mut |_, _| {});
        c.residual
            .iter()
            .zip(&c.l1)
            .map(|(r, l)| r + self.lambda as f32 * l)
            .collect()
    }

    /// Dz for each row of the n × K codes `z`, as n × d pixels.
    pub fn reconstruct(&self, z: &[f32]) -> Vec<f32> {
        let n = z.len() / self.atoms.max(1);
        let mut out = vec![0.0f32; n * self.dim];
        for (zi, xi) in z.chunks(self.atoms).zip(out.chunks_mut(self.dim)) {
            for (p, xp) in xi.iter_mut().enumerate() {
                let row = &self.d[p * self.atoms..(p + 1) * self.atoms];
                *xp = row.iter().zip(zi).map(|(a, &c)| a * c as f64).sum::<f64>() as f32;
            }
        }
        out
    }
}

fn to_vec(t: Tensor<2>) -> Vec<f32> {
    t.into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .expect("f32 tensor data")
}
