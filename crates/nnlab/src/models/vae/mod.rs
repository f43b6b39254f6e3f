//! The variational autoencoder (Kingma & Welling): a Gaussian encoder q(z|x) = N(μ(x), diag σ²(x)),
//! a Bernoulli decoder p(x|z) with logits from an MLP and the prior p(z) = N(0, I), trained on
//! the evidence lower bound
//!
//! ELBO(x) = E_q[log p(x|z)] − KL(q(z|x) ‖ N(0, I)) ≤ log p(x)
//!
//! with the reparameterization z = μ + σ ⊙ ε and the closed-form KL; evaluated with the
//! importance-weighted bound IW_k (≥ ELBO, growing with k toward log p(x)).
//!
//! [`VaeConfig`] / [`Vae`] are the network, [`train`] / [`score`] / [`evaluate`] train and measure
//! it; the `nnlab vae` run is the job [`crate::jobs::vae`].

pub mod check;
pub mod elbo;
mod measure;

pub use crate::train::{EpochStats, TrainConfig, TrainError, TrainObserver};
pub use measure::{Evaluation, codes, evaluate, sample_means, score, train};

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::{relu, sigmoid};
use elbo::{
    bernoulli_log_likelihood, kl_to_standard_normal, log_normal_diag_at, log_standard_normal,
    logsumexp_rows, reparameterize,
};
use rand::rngs::StdRng;

/// Shape of a VAE; serialized beside the weights (`vae.json`) so a saved model can be rebuilt.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct VaeConfig {
    /// Image height and width; the input dimension is rows·cols.
    pub rows: usize,
    pub cols: usize,
    /// Hidden widths of the encoder MLP (mirrored in the decoder), each followed by ReLU.
    pub hidden: Vec<usize>,
    /// Dimension of z.
    pub latent: usize,
}

impl VaeConfig {
    /// The default for images: one hidden layer of 400 units and a 20-dimensional latent
    /// (784-400-(20, 20) / 20-400-784 on MNIST, the architecture of Kingma & Welling's MNIST
    /// experiments and of the PyTorch example).
    pub fn for_images(rows: usize, cols: usize) -> Self {
        Self {
            rows,
            cols,
            hidden: vec![400],
            latent: 20,
        }
    }

    /// Input dimension n = rows·cols.
    pub fn input_dim(&self) -> usize {
        self.rows * self.cols
    }

    /// Checks the configuration can be built; the message names the offending field.
    pub fn validate(&self) -> Result<(), String> {
        if self.input_dim() == 0 {
            return Err(format!("image size {}x{} is empty", self.rows, self.cols));
        }
        if self.latent == 0 {
            return Err("latent dimension must be positive".into());
        }
        if self.hidden.contains(&0) {
            return Err(format!(
                "hidden widths must be positive, got {:?}",
                self.hidden
            ));
        }
        Ok(())
    }

    /// Builds the network with fresh (Kaiming-uniform) weights on `device`. Create it through
    /// `train::seeded` for reproducible weights.
    pub fn init(&self, device: &Device) -> Vae {
        let stack = |w: &[usize]| -> Vec<Linear> {
            w.windows(2)
                .map(|p| LinearConfig::new(p[0], p[1]).init(device))
                .collect()
        };
        let mut enc = vec![self.input_dim()];
        enc.extend(&self.hidden);
        let mut dec = vec![self.latent];
        dec.extend(self.hidden.iter().rev());
        let top = *enc.last().expect("input width");
        let bottom = *dec.last().expect("latent width");
        Vae {
            encoder: stack(&enc),
            mu: LinearConfig::new(top, self.latent).init(device),
            log_var: LinearConfig::new(top, self.latent).init(device),
            decoder: stack(&dec),
            logits: LinearConfig::new(bottom, self.input_dim()).init(device),
        }
    }
}

/// The network: encoder layers (ReLU) then two linear heads μ(x) and log σ²(x); decoder layers
/// (ReLU) then a linear layer to the pixel logits l(z) (Bernoulli means σ(l)).
#[derive(Module, Debug)]
pub struct Vae {
    encoder: Vec<Linear>,
    mu: Linear,
    log_var: Linear,
    decoder: Vec<Linear>,
    logits: Linear,
}

impl Vae {
    /// The parameters of q(z|x): (μ(x), log σ²(x)), each [batch, latent].
    pub fn encode(&self, x: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let h = self.encoder.iter().fold(x, |h, l| relu(l.forward(h)));
        (self.mu.forward(h.clone()), self.log_var.forward(h))
    }

    /// The logits l(z) of p(x|z) = Π_d Bernoulli(x_d; σ(l_d)), shape [batch, n].
    pub fn decode_logits(&self, z: Tensor<2>) -> Tensor<2> {
        let h = self.decoder.iter().fold(z, |h, l| relu(l.forward(h)));
        self.logits.forward(h)
    }

    /// The latent dimension.
    pub fn latent(&self) -> usize {
        self.mu.weight.dims()[1]
    }

    /// −ELBO of every row of x with one reparameterized sample z = μ + σ ⊙ ε per row
    /// (ε: [batch, latent], standard normal):
    ///
    /// −ELBO(x) ≈ −log p(x|z) + ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²),
    ///
    /// an unbiased estimate of −ELBO whose gradient is the reparameterized gradient.
    pub fn neg_elbo(&self, x: Tensor<2>, eps: Tensor<2>) -> Tensor<1> {
        let (recon, kl) = self.elbo_terms(x, eps);
        kl - recon
    }

    /// The two ELBO terms of every row for one reparameterized sample each:
    /// (log p(x|z), KL(q(z|x) ‖ N(0, I))), see [`Vae::neg_elbo`].
    pub fn elbo_terms(&self, x: Tensor<2>, eps: Tensor<2>) -> (Tensor<1>, Tensor<1>) {
        let (mu, log_var) = self.encode(x.clone());
        self.elbo_terms_at(x, mu, log_var, eps)
    }

    /// [`Vae::elbo_terms`] with q(z|x) = N(μ, diag e^{log σ²}) already encoded, so several
    /// samples can share one encoding.
    pub fn elbo_terms_at(
        &self,
        x: Tensor<2>,
        mu: Tensor<2>,
        log_var: Tensor<2>,
        eps: Tensor<2>,
    ) -> (Tensor<1>, Tensor<1>) {
        let z = reparameterize(mu.clone(), log_var.clone(), eps);
        let recon = bernoulli_log_likelihood(x, self.decode_logits(z));
        (recon, kl_to_standard_normal(mu, log_var))
    }

    /// Log importance weights log w_i = log p(x|z_i) + log N(z_i; 0, I) − log q(z_i|x) for
    /// z_i = μ(x) + σ(x) ⊙ ε_i, with ε: [k, batch, latent]; returns [k, batch]. Each log w_i is
    /// a single-sample ELBO estimate (E_q log w = ELBO). The k·batch decodings run in one pass.
    pub fn log_importance_weights(&self, x: Tensor<2>, eps: Tensor<3>) -> Tensor<2> {
        let [k, b, l] = eps.dims();
        let (mu, log_var) = self.encode(x.clone());
        let eps = eps.reshape([k * b, l]);
        let mu = mu
            .unsqueeze_dim::<3>(0)
            .repeat_dim(0, k)
            .reshape([k * b, l]);
        let log_var = log_var
            .unsqueeze_dim::<3>(0)
            .repeat_dim(0, k)
            .reshape([k * b, l]);
        let z = reparameterize(mu, log_var.clone(), eps.clone());
        let xs = x.clone().unsqueeze_dim::<3>(0).repeat_dim(0, k);
        let xs = xs.reshape([k * b, x.dims()[1]]);
        let log_px_z = bernoulli_log_likelihood(xs, self.decode_logits(z.clone()));
        let log_w = log_px_z + log_standard_normal(z) - log_normal_diag_at(eps, log_var);
        log_w.reshape([k, b])
    }

    /// The importance-weighted bound of every row with k samples z_i ~ q(z|x) (noise from `rng`):
    ///
    /// IW_k(x) = log (1/k) Σ_i p(x, z_i) / q(z_i|x) = logsumexp_i(log w_i) − log k,
    ///
    /// with E[IW_1] = ELBO ≤ E[IW_k] ≤ E[IW_{k+1}] ≤ log p(x) (Burda et al.). Samples are
    /// processed in chunks of at most 4096 decodings.
    ///
    /// # Panics
    /// If `k` is 0 (callers validate user input first, as the VAE job does).
    pub fn iw_log_likelihood(&self, x: Tensor<2>, k: usize, rng: &mut StdRng) -> Tensor<1> {
        assert!(k > 0, "importance sampling needs at least one sample");
        let [b, _] = x.dims();
        let device = x.device();
        let chunk = (4096 / b.max(1)).clamp(1, k);
        let mut parts = Vec::with_capacity(k.div_ceil(chunk));
        let mut done = 0;
        while done < k {
            let c = chunk.min(k - done);
            let eps = crate::train::normal_noise(rng, [c, b, self.latent()], &device);
            parts.push(self.log_importance_weights(x.clone(), eps));
            done += c;
        }
        logsumexp_rows(Tensor::cat(parts, 0)).sub_scalar((k as f64).ln())
    }

    /// The Bernoulli means σ(l(μ(x))) decoded at the posterior mean z = μ(x), [batch, n].
    pub fn reconstruct(&self, x: Tensor<2>) -> Tensor<2> {
        let (mu, _) = self.encode(x);
        sigmoid(self.decode_logits(mu))
    }
}

#[cfg(test)]
mod tests_elbo;
#[cfg(test)]
mod tests_iw;
#[cfg(test)]
mod tests_train;
