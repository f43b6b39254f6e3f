//! Tests of the sigmoid → tanh network converter: equal outputs on seeded random networks and
//! inputs, sensitivity (a wrong converter is caught), and the inverse round trip.

use super::tests::{EPS32, random_rows, rows, values};
use super::*;
use burn::prelude::*;

/// Output tolerances for a network with output weights `v` ([n_out, hidden], row-major values)
/// and biases `c`: output i is c_i plus `hidden` terms of size ≤ |V_ij| (|σ|, |tanh| ≤ 1),
/// each formed with a few f32 roundings (the hidden pre-activations agree exactly, since W/2,
/// b/2 only halve them): tol_i = 1e-6 + 8ε(|c_i| + Σ_j |V_ij|), ≈ 1e-5 for these sizes.
fn tolerances(v: &[f64], c: &[f64]) -> Vec<f64> {
    let hidden = v.len() / c.len();
    c.iter()
        .enumerate()
        .map(|(i, ci)| {
            let row: f64 = v[i * hidden..(i + 1) * hidden]
                .iter()
                .map(|x| x.abs())
                .sum();
            1e-6 + 8.0 * EPS32 * (ci.abs() + row)
        })
        .collect()
}

/// max_i |a_i − b_i| / tol_(i mod n_out) over a row-major [batch, n_out] pair.
fn worst_ratio(a: &[f64], b: &[f64], tol: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .enumerate()
        .map(|(i, (x, y))| (x - y).abs() / tol[i % tol.len()])
        .fold(0.0, f64::max)
}

const SIZES: [(usize, usize, usize); 4] = [(3, 5, 2), (1, 8, 1), (6, 16, 4), (10, 12, 3)];

#[test]
fn converted_tanh_net_computes_the_same_function() {
    let dev = Device::flex();
    for (seed, &(n_in, hidden, n_out)) in SIZES.iter().enumerate() {
        let seed = seed as u64;
        let net = SigmoidNet::random(n_in, hidden, n_out, 1.0, 100 + seed, &dev);
        let tanh_net = sigmoid_to_tanh(&net);
        let x = rows(&random_rows(200 + seed, 32, n_in, 3.0), &dev);
        let y = values(net.forward(x.clone()));
        let y2 = values(tanh_net.forward(x.clone()));
        let tol = tolerances(&values(net.v.clone()), &values(net.c.clone()));
        let r = worst_ratio(&y, &y2, &tol);
        assert!(
            r <= 1.0,
            "sizes {n_in}-{hidden}-{n_out}: error {r}× tolerance"
        );

        // Sensitivity: forgetting the output shift V·1/2, or not halving W, breaks equality
        // by O(1) — far beyond the tolerance.
        let no_shift = TanhNet {
            c: net.c.clone(),
            ..tanh_net.clone()
        };
        let r = worst_ratio(&y, &values(no_shift.forward(x.clone())), &tol);
        assert!(r > 100.0, "missing c-shift must be detected ({r})");
        let no_half = TanhNet {
            w: net.w.clone(),
            ..tanh_net.clone()
        };
        let r = worst_ratio(&y, &values(no_half.forward(x)), &tol);
        assert!(r > 100.0, "unhalved W must be detected ({r})");
    }
}

#[test]
fn tanh_to_sigmoid_inverts_the_converter() {
    let dev = Device::flex();
    let net = SigmoidNet::random(4, 7, 3, 1.5, 5, &dev);
    let back = tanh_to_sigmoid(&sigmoid_to_tanh(&net));
    // Halving and doubling are exact in binary floating point.
    assert_eq!(values(back.w.clone()), values(net.w.clone()));
    assert_eq!(values(back.b.clone()), values(net.b.clone()));
    assert_eq!(values(back.v.clone()), values(net.v.clone()));
    // c'' = (c + s) − s with s = V·1/2, |s| ≤ 7·1.5/2: two roundings of size ≤ ε(|c| + |s|).
    let c = values(net.c.clone());
    let c2 = values(back.c.clone());
    for (a, b) in c.iter().zip(&c2) {
        assert!(
            (a - b).abs() <= 2.0 * EPS32 * (a.abs() + 5.25),
            "{a} vs {b}"
        );
    }
    // And the restored net computes the original function.
    let x = rows(&random_rows(9, 16, 4, 3.0), &dev);
    let tol = tolerances(&values(net.v.clone()), &c);
    let r = worst_ratio(
        &values(net.forward(x.clone())),
        &values(back.forward(x)),
        &tol,
    );
    assert!(r <= 1.0, "round trip: error {r}× tolerance");
}
