//! Sparse coding and dictionary learning: images x ∈ ℝᵈ are coded as x ≈ Dz with a dictionary
//! D ∈ ℝ^{d×K} of atoms (columns, ‖d_j‖₂ ≤ 1) and a sparse code
//! ẑ(x) = argmin_z ½‖x − Dz‖² + λ‖z‖₁, found by FISTA per image (batched on Burn tensors:
//! ∇ = Z·DᵀD − X·D, step 1/L with L = λ_max(DᵀD) by power iteration). D is learned by
//! alternating sparse coding of the training images and block-coordinate dictionary updates
//! (Mairal et al. 2009). The anomaly score s(x) = ½‖x − Dẑ(x)‖² + λ‖ẑ(x)‖₁ is the optimal
//! value of the coding problem; [`Dictionary::save`] / [`Dictionary::load`] keep a trained
//! dictionary as `dictionary.json` + `atoms.npy`; [`SparseCoder`] holds it as a Burn module
//! (the anomaly detector's scorer, saved like every other network).

mod coder;
mod coding;
mod learn;
mod store;

pub use coder::SparseCoder;
pub use coding::Codes;
pub use learn::{DictionaryConfig, RoundStats};

#[cfg(test)]
mod tests;

/// A trained dictionary and the coding settings that go with it.
#[derive(Clone, Debug, PartialEq)]
pub struct Dictionary {
    /// d, the length of a signal (pixels of an image).
    pub dim: usize,
    /// K, the number of atoms.
    pub atoms: usize,
    /// λ of the coding problem.
    pub lambda: f64,
    /// FISTA iterations per code.
    pub coding_iterations: usize,
    /// L = λ_max(DᵀD), the Lipschitz constant of the coding gradient.
    pub lipschitz: f64,
    /// D, d × K row-major: entry (p, j) is pixel p of atom j.
    pub d: Vec<f64>,
}

impl Dictionary {
    /// Atom j as a d-vector.
    pub fn atom(&self, j: usize) -> Vec<f64> {
        (0..self.dim).map(|p| self.d[p * self.atoms + j]).collect()
    }
}
