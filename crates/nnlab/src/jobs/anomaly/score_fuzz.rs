//! Property-based fuzzing of detector loading ([`load_detector`], what `anomaly score` runs):
//! saved detectors of every scorer (autoencoder MLP and convolutional, VAE, flow, sparse coder)
//! with their `detector.json` mutated (bytes flipped or cut, or one value replaced by an extreme
//! number, a wrong type or nothing) and their weights mutated (bytes flipped, cut or appended,
//! with the checksum updated so the weights parser is reached). [`QUICK_CASES`] cases per property in
//! `cargo test`; the ignored `_long` test runs `NNLAB_FUZZ_CASES`.
//!
//! Property: loading never panics; an error names `detector.json` or `weights.safetensors`;
//! a detector that loads scores images of its size, one score each, without panicking.

use super::*;
use crate::anomaly::{Arch, DetectorInfo, Scorer, ScorerConfig, ScoringModel};
use crate::complexity::Correction;
use crate::data::Images;
use crate::data::fuzz_tests::{QUICK_CASES, fuzz_runner, long_cases};
use crate::jobs::anomaly::Config as AnomalyConfig;
use crate::models::sparse_coding::{Dictionary, SparseCoder};
use proptest::prelude::*;
use serde_json::Value;

/// The two files of a saved detector of each kind, on 4×4 images.
fn saved() -> Vec<(Vec<u8>, Vec<u8>)> {
    let device = Device::flex();
    let kinds = [
        (Scorer::Ae, Arch::Mlp, vec![3]),
        (Scorer::Ae, Arch::Conv, vec![2, 2]),
        (Scorer::Vae, Arch::Mlp, vec![3]),
        (Scorer::Flow, Arch::Mlp, vec![4]),
        (Scorer::Sparse, Arch::Mlp, vec![]),
    ];
    kinds
        .into_iter()
        .map(|(scorer, arch, hidden)| {
            let mut cfg = AnomalyConfig {
                arch,
                hidden: Some(hidden),
                latent: Some(2),
                ..AnomalyConfig::for_scorer(scorer)
            };
            cfg.sparse.atoms = 3;
            let model = cfg.model(4, 4);
            let det = Detector {
                model: match &model {
                    // Atoms drawn from images: an all-zero dictionary codes nothing.
                    ScorerConfig::Sparse { sparse, .. } => {
                        let dict = Dictionary::initial(&images(), &sparse.dictionary(0, 1));
                        ScoringModel::Sparse(SparseCoder::from_dictionary(&dict.unwrap(), &device))
                    }
                    _ => crate::train::seeded(&device, 1, || model.init(&device)),
                },
                info: DetectorInfo {
                    model,
                    validation_mean: 0.5,
                    validation_std: 0.1,
                    sigmas: 3.0,
                    threshold: 0.8,
                    trained_on: "fuzz".into(),
                    nnlab_version: "0".into(),
                    complexity: Correction::None,
                    weights_md5: String::new(),
                },
            };
            let dir = tempfile::tempdir().unwrap();
            det.save(dir.path()).unwrap();
            let read = |n: &str| std::fs::read(dir.path().join(n)).unwrap();
            (read("detector.json"), read("weights.safetensors"))
        })
        .collect()
}

/// Values that stress a field: extremes, wrong types, nothing.
fn odd_value() -> impl Strategy<Value = Value> {
    prop::sample::select(vec![
        Value::Null,
        Value::Bool(true),
        Value::from(0),
        Value::from(-1),
        Value::from(1),
        Value::from(3),
        Value::from(4096),
        Value::from(1u64 << 32),
        Value::from(u64::MAX),
        Value::from(1e308),
        Value::from(-1e308),
        Value::from(0.5),
        Value::from("x"),
        Value::from("conv"),
        Value::from("flow"),
        Value::Array(vec![]),
        Value::Array(vec![Value::from(100_000_000)]),
        Value::Object(Default::default()),
    ])
}

/// Replaces the `which`-th leaf (counted depth first) of `v` by `new`, or removes it from its
/// object when `new` is `None`.
fn replace_leaf(v: &mut Value, which: &mut usize, new: &Option<Value>) -> bool {
    let children: Vec<String> = match v {
        Value::Object(m) => m.keys().cloned().collect(),
        Value::Array(a) => (0..a.len()).map(|i| i.to_string()).collect(),
        _ => return false,
    };
    let is_object = matches!(v, Value::Object(_));
    for key in children {
        let child = match v {
            Value::Object(m) => m.get_mut(&key),
            Value::Array(a) => a.get_mut(key.parse::<usize>().unwrap()),
            _ => None,
        }
        .unwrap();
        let leaf = !matches!(child, Value::Object(_) | Value::Array(_));
        if leaf && *which == 0 {
            match (new, is_object) {
                (Some(n), _) => *child = n.clone(),
                (None, false) => *child = Value::Null,
                (None, true) => {
                    if let Value::Object(m) = v {
                        m.remove(&key);
                    }
                }
            }
            return true;
        }
        if leaf {
            *which -= 1;
        } else if replace_leaf(child, which, new) {
            return true;
        }
    }
    false
}

/// A mutation of a detector folder.
#[derive(Clone, Debug)]
enum Mutation {
    /// Set bytes of `detector.json` and cut it.
    JsonBytes(Vec<(prop::sample::Index, u8)>, Option<usize>),
    /// Replace (or remove) one value of `detector.json`.
    JsonValue(prop::sample::Index, Option<Value>),
    /// Set bytes of the weights, cut them or append some; `fix` updates the checksum.
    Weights(Vec<(prop::sample::Index, u8)>, Option<usize>, Vec<u8>, bool),
}

fn mutation() -> impl Strategy<Value = (prop::sample::Index, Mutation)> {
    let flips = || prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4);
    let m = prop_oneof![
        (flips(), prop::option::of(0usize..2000)).prop_map(|(f, c)| Mutation::JsonBytes(f, c)),
        (any::<prop::sample::Index>(), prop::option::of(odd_value()))
            .prop_map(|(i, v)| Mutation::JsonValue(i, v)),
        (
            flips(),
            prop::option::of(0usize..4000),
            prop::collection::vec(any::<u8>(), 0..8),
            any::<bool>()
        )
            .prop_map(|(f, c, e, fix)| Mutation::Weights(f, c, e, fix)),
    ];
    (any::<prop::sample::Index>(), m)
}

fn flip(bytes: &mut Vec<u8>, flips: &[(prop::sample::Index, u8)], cut: Option<usize>) {
    if !bytes.is_empty() {
        for (at, v) in flips {
            let i = at.index(bytes.len());
            bytes[i] = *v;
        }
    }
    if let Some(c) = cut {
        bytes.truncate(c);
    }
}

/// Applies `m` to the files of a saved detector; returns the new (json, weights).
fn apply(json: &[u8], weights: &[u8], m: &Mutation) -> (Vec<u8>, Vec<u8>) {
    let (mut json, mut weights) = (json.to_vec(), weights.to_vec());
    match m {
        Mutation::JsonBytes(flips, cut) => flip(&mut json, flips, *cut),
        Mutation::JsonValue(at, new) => {
            let mut v: Value = serde_json::from_slice(&json).unwrap();
            let mut leaves = 0;
            count_leaves(&v, &mut leaves);
            let mut which = at.index(leaves.max(1));
            replace_leaf(&mut v, &mut which, new);
            json = serde_json::to_vec(&v).unwrap();
        }
        Mutation::Weights(flips, cut, extra, fix) => {
            flip(&mut weights, flips, *cut);
            weights.extend(extra);
            if *fix {
                let mut v: Value = serde_json::from_slice(&json).unwrap();
                v["weights_md5"] = crate::io::md5_hex(&weights).into();
                json = serde_json::to_vec(&v).unwrap();
            }
        }
    }
    (json, weights)
}

fn count_leaves(v: &Value, n: &mut usize) {
    match v {
        Value::Object(m) => m.values().for_each(|c| count_leaves(c, n)),
        Value::Array(a) => a.iter().for_each(|c| count_leaves(c, n)),
        _ => *n += 1,
    }
}

/// Three 4×4 images to score.
fn images() -> Images {
    Images {
        n: 3,
        rows: 4,
        cols: 4,
        pixels: (0..48).map(|i| (i % 7) as f32 / 7.0).collect(),
        labels: None,
        name: "fuzz".into(),
    }
}

fn fuzz_detectors(cases: u32, seeded: bool) {
    let bases = saved();
    let dir = tempfile::tempdir().unwrap();
    let device = Device::flex();
    let images = images();
    let mut runner = fuzz_runner(cases, seeded);
    runner
        .run(&mutation(), |(which, m)| {
            let (json, weights) = &bases[which.index(bases.len())];
            let (json, weights) = apply(json, weights, &m);
            std::fs::write(dir.path().join("detector.json"), &json).unwrap();
            std::fs::write(dir.path().join("weights.safetensors"), &weights).unwrap();
            match load_detector(dir.path(), &device) {
                Ok(det) => {
                    if det.check_input(&images).is_ok() {
                        prop_assert_eq!(det.score(&images, &device).len(), images.n);
                    }
                }
                Err(e) => {
                    let msg = e.to_string();
                    prop_assert!(
                        msg.contains("detector.json") || msg.contains("weights.safetensors"),
                        "{}",
                        msg
                    );
                }
            }
            Ok(())
        })
        .unwrap();
}

/// Every unmutated detector loads and scores like the saved model (the fuzz starts from valid
/// folders, so mutations are what makes cases fail).
#[test]
fn unmutated_detectors_load() {
    let dir = tempfile::tempdir().unwrap();
    for (json, weights) in saved() {
        std::fs::write(dir.path().join("detector.json"), &json).unwrap();
        std::fs::write(dir.path().join("weights.safetensors"), &weights).unwrap();
        load_detector(dir.path(), &Device::flex()).unwrap();
    }
}

#[test]
fn fuzz_detector_loading_quick() {
    fuzz_detectors(QUICK_CASES, true);
}

#[test]
#[ignore = "long fuzz run (NNLAB_FUZZ_CASES cases): run the ignored fuzz tests"]
fn fuzz_detector_loading_long() {
    fuzz_detectors(long_cases(), false);
}
