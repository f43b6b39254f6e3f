//! `anomaly export` on small saved detectors: the safetensors file read back holds the PyTorch
//! `state_dict` (names, shapes, [out, in] linear weights) and computes, with PyTorch's
//! definitions, the scores nnlab gives; detectors that are not plain autoencoders are refused.
//! (`score.py` itself is run in PyTorch by the CLI test `cli_export`.)

use burn::prelude::Device;
use nnlab::anomaly::{Detector, DetectorInfo, ModelConfig, ScorerConfig};
use nnlab::complexity::Correction;
use nnlab::data::{DataSource, Images, Selection, Split, write_idx_u8};
use nnlab::jobs::anomaly::export::{Config, SCRIPT, WEIGHTS};
use nnlab::jobs::{JobError, execute};
use nnlab::models::autoencoder::{TorchSequential, TorchTensor};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::path::{Path, PathBuf};

/// Both float32 networks sum 256 squared pixel errors in different orders (and the reference
/// accumulates in f64): relative differences are ~1e-6; 1e-4 is the bar the export must meet.
const REL_TOL: f64 = 1e-4;

/// Saves a detector of shape `model` with fresh weights (seed 5) into `dir`.
fn save(dir: &Path, model: ScorerConfig, complexity: Correction, threshold: f64) -> PathBuf {
    let device = Device::flex();
    let det = Detector {
        model: nnlab::train::seeded(&device, 5, || model.init(&device)),
        info: DetectorInfo {
            model,
            validation_mean: 0.4,
            validation_std: 0.1,
            sigmas: 2.0,
            threshold,
            trained_on: "generated".into(),
            nnlab_version: "test".into(),
            complexity,
            weights_md5: String::new(),
        },
    };
    let path = dir.join("model");
    det.save(&path).unwrap();
    path
}

fn ae(conv: bool) -> ScorerConfig {
    ScorerConfig::Ae(if conv {
        ModelConfig {
            hidden: vec![4, 6],
            latent: 5,
            ..ModelConfig::conv(16, 16)
        }
    } else {
        ModelConfig {
            hidden: vec![24, 12],
            latent: 6,
            ..ModelConfig::mlp(16, 16)
        }
    })
}

fn export(model: &Path, to: &Path) -> Result<nnlab::jobs::anomaly::export::Report, JobError> {
    let cfg = Config {
        model: model.to_path_buf(),
        to: to.to_path_buf(),
        ..Config::default()
    };
    execute(&cfg, &mut ())
}

/// 50 random 16×16 images, written as gzip IDX and loaded as nnlab loads data.
fn images(dir: &Path) -> Images {
    let mut rng = StdRng::seed_from_u64(9);
    let px: Vec<u8> = (0..50 * 256).map(|_| rng.random()).collect();
    let path = dir.join("images-idx3-ubyte.gz");
    write_idx_u8(&path, &[50, 16, 16], &px, true).unwrap();
    let sel: Selection = path.display().to_string().parse().unwrap();
    sel.load(&DataSource::resolve(None), Split::Test, &mut ())
        .unwrap()
}

/// The `state_dict` in the exported file, in file order.
fn read_back(path: &Path) -> (Vec<TorchTensor>, Option<String>) {
    let bytes = std::fs::read(path).unwrap();
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let (_, meta) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
    let format = meta
        .metadata()
        .as_ref()
        .and_then(|m| m.get("format").cloned());
    let tensors = st
        .tensors()
        .into_iter()
        .map(|(name, v)| {
            assert_eq!(v.dtype(), safetensors::Dtype::F32, "{name}");
            let values = v
                .data()
                .chunks(4)
                .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
                .collect();
            TorchTensor {
                name,
                shape: v.shape().to_vec(),
                values,
            }
        })
        .collect();
    (tensors, format)
}

fn max_rel_diff(a: &[f32], b: &[f32]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(&x, &y)| (f64::from(x) - f64::from(y)).abs() / f64::from(y).abs().max(1e-12))
        .fold(0.0, f64::max)
}

#[test]
fn exported_state_dict_scores_like_nnlab() {
    let dir = tempfile::tempdir().unwrap();
    let data = images(dir.path());
    let device = Device::flex();
    for conv in [false, true] {
        let model = save(
            &dir.path().join(format!("{conv}")),
            ae(conv),
            Correction::None,
            0.6,
        );
        let to = dir.path().join(format!("torch-{conv}"));
        let r = export(&model, &to).unwrap();
        assert_eq!(
            (r.weights.clone(), r.script.clone()),
            (to.join(WEIGHTS), to.join(SCRIPT))
        );
        let det = Detector::load(&model, &device).unwrap();
        let nnlab::anomaly::ScoringModel::Ae(net) = &det.model else {
            unreachable!()
        };
        let expected = net.to_torch();
        let (mut tensors, format) = read_back(&to.join(WEIGHTS));
        assert_eq!(format.as_deref(), Some("pt"));
        // safetensors sorts its header; compare as sets of (name, shape).
        tensors.sort_by(|a, b| a.name.cmp(&b.name));
        let mut want: Vec<_> = expected
            .tensors
            .iter()
            .map(|t| (&t.name, &t.shape))
            .collect();
        want.sort();
        let got: Vec<_> = tensors.iter().map(|t| (&t.name, &t.shape)).collect();
        assert_eq!(got, want, "conv {conv}");
        if !conv {
            // nn.Linear(256, 24): weight [out, in] = [24, 256].
            assert!(got.contains(&(&"0.weight".to_string(), &vec![24, 256])));
        }
        // The file's tensors, run as PyTorch defines the modules, give nnlab's scores.
        let seq = TorchSequential {
            modules: expected.modules.clone(),
            tensors,
        };
        let reference: Vec<f32> = (0..data.n)
            .map(|i| {
                let x = data.image(i);
                let y = seq.eval(x).unwrap();
                x.iter().zip(&y).map(|(a, b)| (a - b) * (a - b)).sum()
            })
            .collect();
        let scores = det.score(&data, &device);
        let rel = max_rel_diff(&reference, &scores);
        assert!(rel < REL_TOL, "conv {conv}: relative difference {rel:e}");
        let script = std::fs::read_to_string(&r.script).unwrap();
        assert!(script.contains("THRESHOLD = 0.6\n"), "{script}");
        assert_eq!(
            script.matches("nn.Linear(").count(),
            if conv { 2 } else { 6 }
        );
    }
}

#[test]
fn detectors_that_are_not_plain_autoencoders_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let vae = ScorerConfig::Vae(nnlab::models::vae::VaeConfig {
        rows: 4,
        cols: 4,
        hidden: vec![3],
        latent: 2,
    });
    let cases = [
        (
            save(&dir.path().join("vae"), vae, Correction::None, 0.6),
            "vae detector",
        ),
        (
            save(&dir.path().join("ratio"), ae(false), Correction::Ratio, 0.6),
            "input complexity",
        ),
    ];
    for (model, says) in cases {
        let to = dir.path().join("out");
        let err = export(&model, &to).unwrap_err().to_string();
        assert!(
            err.contains(says) && err.contains(&model.display().to_string()),
            "{err}"
        );
        assert!(!to.exists(), "nothing is written");
    }
    let err = export(&dir.path().join("missing"), &dir.path().join("out")).unwrap_err();
    assert!(err.to_string().contains("detector.json"), "{err}");
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let model = save(&dir.path().join("ae"), ae(false), Correction::None, 0.6);
    match export(&model, &file).unwrap_err() {
        JobError::Setting { field, .. } => assert_eq!(field, "to"),
        other => panic!("{other}"),
    }
}
