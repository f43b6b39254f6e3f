//! Convolution and correlation facts: hand cases, correlation = convolution with the flipped
//! kernel, commutativity of full convolution, valid/same as slices of full; the rectangular
//! pulse response by direct summation against the closed form, and its shift property.

use super::signal::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const X: [f64; 4] = [1.0, 2.0, 3.0, 4.0];
const H: [f64; 3] = [1.0, 0.0, 2.0];

fn random(rng: &mut StdRng, n: usize) -> Vec<f64> {
    (0..n).map(|_| rng.random_range(-1.0..1.0)).collect()
}

#[test]
fn hand_cases() {
    let full = convolve(&X, &H, Mode::Full).unwrap();
    assert_eq!(full.start, 0);
    assert_eq!(full.values, [1.0, 2.0, 5.0, 8.0, 6.0, 8.0]);
    let valid = convolve(&X, &H, Mode::Valid).unwrap();
    assert_eq!((valid.start, valid.values), (2, vec![5.0, 8.0]));
    let same = convolve(&X, &H, Mode::Same).unwrap();
    assert_eq!((same.start, same.values), (1, vec![2.0, 5.0, 8.0, 6.0]));
    // y[n] = x[n] + 2 x[n+2], n = -2..=3.
    let corr = correlate(&X, &H, Mode::Full).unwrap();
    assert_eq!(corr.start, -2);
    assert_eq!(corr.values, [2.0, 4.0, 7.0, 10.0, 3.0, 4.0]);
    let valid = correlate(&X, &H, Mode::Valid).unwrap();
    assert_eq!((valid.start, valid.values), (0, vec![7.0, 10.0]));
    // Even kernel length: numpy's np.convolve([1,2,3,4,5], [1,1,1,1], 'same') = [3,6,10,14,12].
    let same = convolve(&[1.0, 2.0, 3.0, 4.0, 5.0], &[1.0; 4], Mode::Same).unwrap();
    assert_eq!(same.values, [3.0, 6.0, 10.0, 14.0, 12.0]);
    // Kernel longer than the signal: valid has length M − N + 1.
    let valid = convolve(&[1.0, 1.0], &X, Mode::Valid).unwrap();
    assert_eq!((valid.start, valid.values), (1, vec![3.0, 5.0, 7.0]));
}

#[test]
fn errors() {
    assert_eq!(convolve(&[], &H, Mode::Full), Err(SignalError::Empty("x")));
    assert_eq!(correlate(&X, &[], Mode::Full), Err(SignalError::Empty("h")));
    assert_eq!(
        convolve(&X, &[1.0, f64::NAN], Mode::Full),
        Err(SignalError::NonFinite {
            what: "h",
            index: 1
        })
    );
    assert!("diagonal".parse::<Mode>().is_err());
    assert_eq!("same".parse::<Mode>(), Ok(Mode::Same));
}

#[test]
fn correlation_is_convolution_with_flipped_kernel() {
    let mut rng = StdRng::seed_from_u64(1);
    for (n, m) in [(1, 1), (4, 3), (7, 2), (3, 5), (10, 10), (2, 9)] {
        let (x, h) = (random(&mut rng, n), random(&mut rng, m));
        let flipped: Vec<f64> = h.iter().rev().copied().collect();
        for mode in [Mode::Full, Mode::Valid, Mode::Same] {
            let c = correlate(&x, &h, mode).unwrap();
            if n < m && mode == Mode::Same {
                // numpy's convention for a kernel longer than the signal: the correlation of
                // h with x, read backwards (see `correlate`).
                let hx = correlate(&h, &x, mode).unwrap();
                let back: Vec<f64> = hx.values.iter().rev().copied().collect();
                assert_eq!(c.values, back, "{n} {m}");
                assert_eq!(c.start, -(hx.start + hx.values.len() as i64 - 1));
                continue;
            }
            let f = convolve(&x, &flipped, mode).unwrap();
            assert_eq!(c.start + m as i64 - 1, f.start, "{n} {m} {mode:?}");
            // Same products, summed in the opposite order: rounding only.
            for (a, b) in c.values.iter().zip(&f.values) {
                assert!((a - b).abs() < 1e-14, "{n} {m} {mode:?}: {a} vs {b}");
            }
            assert_eq!(c.values.len(), f.values.len());
        }
    }
}

#[test]
fn full_convolution_commutes_and_modes_are_slices() {
    let mut rng = StdRng::seed_from_u64(2);
    for (n, m) in [(1, 1), (4, 3), (7, 2), (3, 5), (10, 10), (2, 9), (6, 1)] {
        let (x, h) = (random(&mut rng, n), random(&mut rng, m));
        let xh = convolve(&x, &h, Mode::Full).unwrap();
        let hx = convolve(&h, &x, Mode::Full).unwrap();
        assert_eq!(xh.values.len(), n + m - 1);
        for (a, b) in xh.values.iter().zip(&hx.values) {
            assert!((a - b).abs() < 1e-14, "{n} {m}: {a} vs {b}");
        }
        for (mode, len) in [(Mode::Valid, n.abs_diff(m) + 1), (Mode::Same, n.max(m))] {
            let part = convolve(&x, &h, mode).unwrap();
            assert_eq!(part.values.len(), len, "{n} {m} {mode:?}");
            // Same summation order per output: exactly the full values.
            for i in part.indices() {
                assert_eq!(part.at(i), xh.at(i), "{n} {m} {mode:?} at {i}");
            }
            let part = correlate(&x, &h, mode).unwrap();
            let full = correlate(&x, &h, Mode::Full).unwrap();
            for i in part.indices() {
                assert_eq!(part.at(i), full.at(i), "corr {n} {m} {mode:?} at {i}");
            }
        }
    }
}

#[test]
fn rect_closed_form_matches_direct_sum() {
    for a in [0.5, -0.7, 0.9, 1.0, 1.3, 0.0] {
        for length in [1, 2, 4, 9] {
            let p = RectPulse {
                length,
                a,
                shift: 0,
            };
            let range = -6..30;
            let d = p.direct(range.clone()).unwrap();
            let c = p.closed_form(range.clone()).unwrap();
            let mut regimes = [false; 3];
            for (n, (yd, yc)) in range.zip(d.iter().zip(&c)) {
                regimes[if n < 0 {
                    0
                } else if n < length as i64 {
                    1
                } else {
                    2
                }] = true;
                let tol = 1e-12 * yd.abs().max(1.0);
                assert!(
                    (yd - yc).abs() <= tol,
                    "a {a} L {length} n {n}: {yd} vs {yc}"
                );
                if n < 0 {
                    assert_eq!(*yd, 0.0);
                }
            }
            assert_eq!(regimes, [true; 3]);
        }
    }
    // The hand values for L = 4, a = 0.5: 1, 1.5, 1.75, 1.875, then 1.875/2, ...
    let p = RectPulse {
        length: 4,
        a: 0.5,
        shift: 0,
    };
    assert_eq!(
        p.closed_form(-1..6).unwrap(),
        [0.0, 1.0, 1.5, 1.75, 1.875, 0.9375, 0.46875]
    );
}

#[test]
fn rect_shift_shifts_output_exactly() {
    for shift in [-5i64, -1, 1, 3, 17] {
        let p0 = RectPulse {
            length: 5,
            a: 0.8,
            shift: 0,
        };
        let p = RectPulse { shift, ..p0 };
        let y0 = p0.direct(-10..25).unwrap();
        let y = p.direct(-10 + shift..25 + shift).unwrap();
        assert_eq!(y, y0, "shift {shift}");
        let x0: Vec<f64> = (-10..25).map(|n| p0.x(n)).collect();
        let x: Vec<f64> = (-10 + shift..25 + shift).map(|n| p.x(n)).collect();
        assert_eq!(x, x0);
        assert_eq!(
            p.closed_form(-10 + shift..25 + shift).unwrap(),
            p0.closed_form(-10..25).unwrap()
        );
    }
    let bad = RectPulse {
        length: 0,
        a: 0.5,
        shift: 0,
    };
    assert!(bad.direct(0..3).is_err());
}
