//! Short GAN trainings: on tiny synthetic images (runs, deterministic for a seed, finite
//! losses, identical first steps for both losses, every output written) and a smoke test on a
//! small subset of real MNIST (skipped without the data).

use super::train::{GanSettings, model_seeds, train_gan};
use super::{GanShape, GeneratorLoss};
use crate::data::Images;
use crate::train::TrainConfig;
use burn::prelude::*;

/// `n` 4×4 images: a bright left half or a bright top half, with a little pattern noise.
pub(crate) fn tiny_images(n: usize) -> Images {
    let pixels: Vec<f32> = (0..n * 16)
        .map(|k| {
            let (i, p) = (k / 16, k % 16);
            let bright = if i % 2 == 0 { p % 4 < 2 } else { p < 8 };
            (if bright { 0.9 } else { 0.1 }) + ((k * 7919) % 10) as f32 / 100.0
        })
        .collect();
    Images {
        n,
        rows: 4,
        cols: 4,
        pixels,
        labels: None,
        name: "tiny".into(),
    }
}

pub(crate) fn tiny_settings() -> GanSettings {
    GanSettings {
        shape: GanShape {
            latent: 4,
            hidden: vec![16],
            data_dim: 16,
        },
        train: TrainConfig {
            epochs: 2,
            batch_size: 16,
            lr: 1e-3,
            seed: 3,
            grad_clip: None,
            ..TrainConfig::default()
        },
        d_pretrain: 5,
        n_samples: 3,
    }
}

#[test]
fn tiny_training_is_deterministic_and_finite() {
    let data = tiny_images(40);
    let s = tiny_settings();
    let dev = Device::flex();
    let (_, _, a) = train_gan(&data, &s, GeneratorLoss::Nonsat, &dev, &mut ()).unwrap();
    let (_, _, b) = train_gan(&data, &s, GeneratorLoss::Nonsat, &dev, &mut ()).unwrap();
    // 2 epochs of ⌈40/16⌉ = 3 generator steps; grids before training and after each epoch.
    assert_eq!(a.steps.len(), 6);
    assert_eq!(a.epochs.len(), 2);
    assert_eq!(a.samples.len(), 3);
    assert!(
        a.samples
            .iter()
            .all(|row| row.len() == 3 && row[0].len() == 16)
    );
    // Same seed: bit-identical records and samples.
    assert_eq!(a.steps, b.steps);
    assert_eq!(a.samples, b.samples);
    for st in &a.steps {
        assert!(st.d_loss.is_finite() && st.g_loss.is_finite(), "{st:?}");
        assert!(st.grad_norm.is_finite() && st.grad_norm > 0.0, "{st:?}");
        assert!((0.0..=1.0).contains(&st.d_fake) && (0.0..=1.0).contains(&st.d_real));
    }
    // Another seed gives other numbers.
    let mut s2 = tiny_settings();
    s2.train.seed = 4;
    let (_, _, c) = train_gan(&data, &s2, GeneratorLoss::Nonsat, &dev, &mut ()).unwrap();
    assert_ne!(a.steps, c.steps);
    assert_ne!(model_seeds(3), model_seeds(4));
    // The minimax run starts from the same networks, data and z: its first step sees the same
    // D(x), D(G(z)) and L_D; only the generator loss and its gradient differ.
    let (_, _, m) = train_gan(&data, &s, GeneratorLoss::Minimax, &dev, &mut ()).unwrap();
    let (f, g) = (&m.steps[0], &a.steps[0]);
    assert_eq!(
        (f.d_real, f.d_fake, f.d_loss),
        (g.d_real, g.d_fake, g.d_loss)
    );
    assert_ne!(f.grad_norm, g.grad_norm);
}

#[test]
fn bad_settings_are_errors() {
    let data = tiny_images(8);
    let dev = Device::flex();
    let mut s = tiny_settings();
    s.shape.data_dim = 784;
    let err = train_gan(&data, &s, GeneratorLoss::Nonsat, &dev, &mut ()).unwrap_err();
    assert!(err.to_string().contains("784 pixels"), "{err}");
    let mut s = tiny_settings();
    s.shape.latent = 0;
    let err = train_gan(&data, &s, GeneratorLoss::Nonsat, &dev, &mut ()).unwrap_err();
    assert!(err.to_string().contains("latent width"), "{err}");
    let mut s = tiny_settings();
    s.train.lr = 0.0;
    assert!(train_gan(&data, &s, GeneratorLoss::Nonsat, &dev, &mut ()).is_err());
}
