//! A trained dictionary as a Burn [`Module`]: the atoms D are one `Param<Tensor<2>>`, so the
//! weights are saved, loaded and checksummed by the same safetensors path as every other
//! network; λ and the FISTA iteration count travel as non-persistent settings.

use super::Dictionary;
use crate::data::Images;
use burn::module::Param;
use burn::prelude::*;

/// The sparse coder x ↦ ẑ(x) = argmin_z ½‖x − Dz‖² + λ‖z‖₁ with its dictionary as a parameter.
#[derive(Module, Debug)]
pub struct SparseCoder {
    /// D, pixels × atoms (f32).
    pub atoms: Param<Tensor<2>>,
    /// λ of the coding problem.
    #[module(skip)]
    pub lambda: f64,
    /// FISTA iterations per code.
    #[module(skip)]
    pub coding_iterations: usize,
}

impl SparseCoder {
    /// A coder with all-zero atoms of shape `dim` × `atoms`, to load saved weights into.
    pub fn zeros(
        dim: usize,
        atoms: usize,
        lambda: f64,
        coding_iterations: usize,
        device: &Device,
    ) -> Self {
        Self {
            atoms: Param::from_tensor(Tensor::zeros([dim, atoms], device)),
            lambda,
            coding_iterations,
        }
    }

    /// The coder of a trained dictionary (its atoms rounded to f32, as the batched coding uses
    /// them).
    pub fn from_dictionary(dict: &Dictionary, device: &Device) -> Self {
        let d: Vec<f32> = dict.d.iter().map(|&v| v as f32).collect();
        let t = Tensor::<2>::from_data(TensorData::new(d, [dict.dim, dict.atoms]), device);
        Self {
            atoms: Param::from_tensor(t),
            lambda: dict.lambda,
            coding_iterations: dict.coding_iterations,
        }
    }

    /// The dictionary held by the parameter, with L = λ_max(DᵀD) computed from these atoms.
    /// A coder and its saved-and-loaded copy give the same dictionary, bit for bit.
    pub fn dictionary(&self) -> Dictionary {
        let [dim, atoms] = self.atoms.val().dims();
        let d: Vec<f64> = self
            .atoms
            .val()
            .into_data()
            .convert::<f32>()
            .try_into_vec::<f32>()
            .expect("f32 atoms")
            .into_iter()
            .map(f64::from)
            .collect();
        Dictionary {
            dim,
            atoms,
            lambda: self.lambda,
            coding_iterations: self.coding_iterations,
            lipschitz: Dictionary::lipschitz_of(dim, atoms, &d),
            d,
        }
    }

    /// The anomaly scores s(x) of [`Dictionary::score`].
    pub fn score(&self, data: &Images, device: &Device) -> Vec<f32> {
        self.dictionary().score(data, device)
    }

    /// The codes ẑ(x) of every image, row-major [n, atoms].
    pub fn codes(&self, data: &Images, device: &Device) -> Vec<f32> {
        self.dictionary().encode(data, device, &mut |_, _| {}).z
    }

    /// The reconstructions Dẑ(x) of the images `idx`, each a row-major `Vec` of pixels.
    pub fn reconstruct(&self, data: &Images, idx: &[usize], device: &Device) -> Vec<Vec<f32>> {
        let dict = self.dictionary();
        let codes = dict.encode(&data.subset(idx), device, &mut |_, _| {});
        dict.reconstruct(&codes.z)
            .chunks(dict.dim)
            .map(<[f32]>::to_vec)
            .collect()
    }
}
