//! Tests of the leak study on tiny generated digits: the leaky pipeline puts near-copies of
//! validation images into training and the honest one does not; the classifier learns.

use super::*;

/// `n` 8×8 images of 10 classes: class c is a bright bar in column c (or row c − 5 for c ≥ 5) on
/// a noisy background, so the classes are separable but each image is unique.
fn toy(n: usize, seed: u64) -> Images {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut pixels = Vec::with_capacity(n * 64);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let c = i % 10;
        labels.push(c as u8);
        for y in 0..8 {
            for x in 0..8 {
                let on = if c < 5 { x == c + 1 } else { y == c - 4 };
                let noise: f32 = rand::Rng::random(&mut rng);
                pixels.push(if on { 0.9 } else { 0.3 * noise });
            }
        }
    }
    Images {
        n,
        rows: 8,
        cols: 8,
        pixels,
        labels: Some(labels),
        name: "toy".into(),
    }
}

#[test]
fn leaky_split_shares_sources_and_the_honest_one_does_not() {
    // Labels as image identities (60 < 256): every copy carries the label of its source.
    let mut images = toy(60, 1);
    images.labels = Some((0..60).collect());
    let aug = Augment {
        max_shift: 1,
        max_degrees: 10.0,
        copies: 3,
    };
    let (lt, lv, shared) = augment_then_split(&images, &aug, 0.25, 2).unwrap();
    let (ht, hv) = split_then_augment(&images, &aug, 0.25, 2).unwrap();
    assert_eq!((lt.n, lv.n), (180, 60));
    assert_eq!((ht.n, hv.n), (180, 15));
    let shared_by_labels = |t: &Images, v: &Images| {
        let tl = t.labels.as_ref().unwrap();
        let vl = v.labels.as_ref().unwrap();
        vl.iter().filter(|l| tl.contains(l)).count() as f64 / v.n as f64
    };
    // With 4 versions per source and 1/4 of the pool validating, a validation image's 3
    // siblings all validate with probability ≈ (1/4)³, so nearly all share a source.
    assert!(shared > 0.9, "leaky shared fraction {shared}");
    assert_eq!(shared, shared_by_labels(&lt, &lv));
    assert_eq!(shared_by_labels(&ht, &hv), 0.0);
}

#[test]
fn classifier_learns_the_toy_classes() {
    let (train, test) = (toy(200, 3), toy(100, 4));
    let cfg = ClassifierConfig {
        hidden: 16,
        epochs: 5,
        batch_size: 20,
        lr: 1e-2,
    };
    let device = Device::flex();
    let curve = train_and_measure(&train, &test, &test, &cfg, &device, 5, &mut ()).unwrap();
    assert_eq!(curve.validation.len(), 5);
    // Chance is 0.1; the bars are separable.
    assert!(curve.test[4] > 0.9, "test accuracy {:?}", curve.test);
    let unlabelled = Images {
        labels: None,
        ..train.clone()
    };
    assert!(train_and_measure(&unlabelled, &test, &test, &cfg, &device, 5, &mut ()).is_err());
}
