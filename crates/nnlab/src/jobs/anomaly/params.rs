//! The size of each scoring model, counted before it is built so that the parameter cap
//! ([`limits::MAX_PARAMS`]) is checked in validation.

use crate::anomaly::{Arch, ScorerConfig};
use crate::jobs::limits::{self, chain, dense_params};

/// Parameters of a scoring model, an upper bound computed with checked arithmetic (`None` on
/// overflow): dense layers hold (a + 1)·b each ([`dense_params`]); a 3×3 convolution a → b
/// holds (9a + 1)·b; the flow counts as in [`limits::flow_params`]; the sparse coder holds its
/// atoms, pixels × K.
pub fn model_params(cfg: &ScorerConfig) -> Option<usize> {
    let add = |a: Option<usize>, b: Option<usize>| a?.checked_add(b?);
    match cfg {
        ScorerConfig::Ae(m) if m.arch == Arch::Conv => {
            let conv = [1usize]
                .iter()
                .chain(&m.hidden)
                .collect::<Vec<_>>()
                .windows(2)
                .try_fold(0usize, |t, w| {
                    t.checked_add(w[0].checked_mul(9)?.checked_add(1)?.checked_mul(*w[1])?)
                })?;
            let flat = m
                .hidden
                .last()?
                .checked_mul((m.rows / 4).checked_mul(m.cols / 4)?)?;
            let dense = add(
                dense_params(&[flat, m.latent]),
                dense_params(&[m.latent, flat]),
            );
            add(conv.checked_mul(2), dense)
        }
        ScorerConfig::Ae(m) => {
            let rev: Vec<usize> = m.hidden.iter().rev().copied().collect();
            add(
                dense_params(&chain(m.input_dim(), &m.hidden, m.latent)),
                dense_params(&chain(m.latent, &rev, m.input_dim())),
            )
        }
        ScorerConfig::Vae(m) => {
            let n = m.rows.checked_mul(m.cols)?;
            let rev: Vec<usize> = m.hidden.iter().rev().copied().collect();
            let heads = dense_params(&chain(n, &m.hidden, m.latent))?.checked_mul(2);
            add(heads, dense_params(&chain(m.latent, &rev, n)))
        }
        ScorerConfig::Flow { flow, .. } => limits::flow_params(flow),
        ScorerConfig::Sparse { rows, cols, sparse } => {
            rows.checked_mul(*cols)?.checked_mul(sparse.atoms)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anomaly::SparseConfig;

    /// The sparse coder's count is the number of entries of its one weight tensor.
    #[test]
    fn sparse_coder_count_is_its_weight_tensor() {
        let sparse = SparseConfig {
            atoms: 5,
            lambda: 0.1,
            coding_iterations: 1,
        };
        let cfg = ScorerConfig::Sparse {
            rows: 3,
            cols: 4,
            sparse: sparse.clone(),
        };
        let device = burn::prelude::Device::flex();
        let crate::anomaly::ScoringModel::Sparse(coder) = cfg.init(&device) else {
            panic!("a sparse config builds a sparse coder");
        };
        let [pixels, atoms] = coder.atoms.val().dims();
        assert_eq!((pixels, atoms), (12, 5));
        assert_eq!(model_params(&cfg), Some(pixels * atoms));
        let huge = ScorerConfig::Sparse {
            rows: usize::MAX,
            cols: 2,
            sparse,
        };
        assert_eq!(model_params(&huge), None);
    }
}
