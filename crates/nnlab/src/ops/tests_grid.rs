//! The 2-D matrix operators against naive `f64` loops written from the definitions: Burn's
//! convolution (true and correlation, strided, padded, dilated) and pooling (max, avg, LP),
//! LP pooling at p = 2 pinned to hand-computed values, and the matrix parser's errors.

use super::grid::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn m(text: &str) -> Matrix {
    Matrix::parse(text).unwrap()
}

/// A matrix with rows, cols drawn from `sizes` and entries uniform in [−1, 1) (f32 values).
fn random(rng: &mut StdRng, sizes: std::ops::Range<usize>) -> Matrix {
    let (rows, cols) = (rng.random_range(sizes.clone()), rng.random_range(sizes));
    Matrix::new(
        rows,
        cols,
        (0..rows * cols)
            .map(|_| rng.random_range(-1.0f32..1.0) as f64)
            .collect(),
    )
}

/// |a − b| ≤ tol·(1 + |b|) entry by entry, with equal sizes.
fn assert_close(a: &Matrix, b: &Matrix, tol: f64, what: &str) {
    assert_eq!((a.rows, a.cols), (b.rows, b.cols), "{what}: sizes");
    for (x, y) in a.data.iter().zip(&b.data) {
        assert!((x - y).abs() <= tol * (1.0 + y.abs()), "{what}: {x} vs {y}");
    }
}

#[test]
fn parser_reads_rows_and_rejects_malformed_matrices() {
    let a = m(" 1, 2,3 ; 4,5,-6.5");
    assert_eq!((a.rows, a.cols), (2, 3));
    assert_eq!(a.data, [1.0, 2.0, 3.0, 4.0, 5.0, -6.5]);
    let err = |t: &str| Matrix::parse(t).unwrap_err();
    assert_eq!(err(""), GridError::Empty);
    assert_eq!(err("  "), GridError::Empty);
    assert_eq!(err("1,2;;3,4"), GridError::EmptyRow { row: 2 });
    assert_eq!(
        err("1,2,3;4,5"),
        GridError::Ragged {
            row: 2,
            got: 2,
            expected: 3
        }
    );
    assert!(matches!(
        err("1,x;3,4"),
        GridError::NotANumber { row: 1, col: 2, .. }
    ));
    assert!(matches!(
        err("1,2;3,"),
        GridError::NotANumber { row: 2, col: 2, .. }
    ));
    assert!(matches!(
        err("1,inf"),
        GridError::NotFinite { row: 1, col: 2, .. }
    ));
    assert!(matches!(err("NaN"), GridError::NotFinite { .. }));
    assert!(err("1,2,3;4,5").to_string().contains("row 2 has 2 entries"));
}

#[test]
fn the_issue_example_by_hand() {
    // 2×2 box sum over 1…9: 1+2+4+5 = 12, 2+3+5+6 = 16, 4+5+7+8 = 24, 5+6+8+9 = 28.
    let (x, h) = (m("1,2,3;4,5,6;7,8,9"), m("1,1;1,1"));
    let spec = Conv2dSpec {
        stride: 1,
        padding: 0,
        dilation: 1,
        correlate: false,
    };
    let want = Matrix::new(2, 2, vec![12.0, 16.0, 24.0, 28.0]);
    assert_eq!(spec.apply(&x, &h).unwrap(), want);
    assert_eq!(spec.apply_naive(&x, &h).unwrap(), want);
    // True convolution flips h: with h = [1, 2; 3, 4] the window's top-left weight is 4.
    let h = m("1,2;3,4");
    let y = spec.apply_naive(&x, &h).unwrap();
    assert_eq!(y.at(0, 0), 4.0 * 1.0 + 3.0 * 2.0 + 2.0 * 4.0 + 1.0 * 5.0);
    let corr = Conv2dSpec {
        correlate: true,
        ..spec
    };
    assert_eq!(
        corr.apply_naive(&x, &h).unwrap().at(0, 0),
        1.0 + 4.0 + 12.0 + 20.0
    );
}

#[test]
fn dilated_kernel_and_output_size() {
    let spec = Conv2dSpec {
        stride: 2,
        padding: 1,
        dilation: 2,
        correlate: true,
    };
    let dk = spec.dilated_kernel(&m("1,2;3,4"));
    assert_eq!((dk.rows, dk.cols), (3, 3));
    assert_eq!(dk.data, [1.0, 0.0, 2.0, 0.0, 0.0, 0.0, 3.0, 0.0, 4.0]);
    // o = ⌊(5 + 2 − 2·1 − 1)/2⌋ + 1 = 3 and ⌊(4 + 2 − 2 − 1)/2⌋ + 1 = 2.
    let x = Matrix::new(5, 4, vec![1.0; 20]);
    assert_eq!(spec.output_size(&x, &m("1,2;3,4")).unwrap(), [3, 2]);
    let flipped = Conv2dSpec {
        correlate: false,
        ..spec
    }
    .dilated_kernel(&m("1,2;3,4"));
    assert_eq!(flipped.data, [4.0, 0.0, 3.0, 0.0, 0.0, 0.0, 2.0, 0.0, 1.0]);
}

#[test]
fn burn_conv2d_matches_the_naive_loop() {
    let mut rng = StdRng::seed_from_u64(21);
    let mut cases = 0;
    while cases < 60 {
        let x = random(&mut rng, 1..9);
        let h = random(&mut rng, 1..4);
        let spec = Conv2dSpec {
            stride: rng.random_range(1..4),
            padding: rng.random_range(0..4),
            dilation: rng.random_range(1..4),
            correlate: rng.random_bool(0.5),
        };
        let Ok(naive) = spec.apply_naive(&x, &h) else {
            continue; // the dilated kernel does not fit: both refuse
        };
        // f32 products of entries < 1 summed over ≤ 9 taps: error ≲ 9 · 6e-8 ≈ 5e-7.
        assert_close(
            &spec.apply(&x, &h).unwrap(),
            &naive,
            1e-6,
            &format!("{spec:?}"),
        );
        cases += 1;
    }
}

#[test]
fn geometry_errors_before_any_work() {
    let (x, h) = (m("1,2;3,4"), m("1,1,1;1,1,1;1,1,1"));
    let spec = Conv2dSpec {
        stride: 1,
        padding: 0,
        dilation: 1,
        correlate: false,
    };
    assert!(matches!(
        spec.apply(&x, &h),
        Err(GridError::KernelTooLarge { .. })
    ));
    assert!(spec.apply(&x, &m("1")).is_ok());
    let zero = Conv2dSpec { stride: 0, ..spec };
    assert_eq!(
        zero.apply(&x, &h),
        Err(GridError::Zero { what: "the stride" })
    );
    let dil = Conv2dSpec {
        dilation: 0,
        ..spec
    };
    assert!(matches!(dil.apply(&x, &h), Err(GridError::Zero { .. })));
    let huge = Conv2dSpec {
        padding: usize::MAX / 4,
        ..spec
    };
    assert!(matches!(
        huge.apply(&x, &h),
        Err(GridError::TooLarge { .. } | GridError::KernelTooLarge { .. })
    ));
    let big = Conv2dSpec {
        padding: 5000,
        ..spec
    };
    assert!(matches!(big.apply(&x, &h), Err(GridError::TooLarge { .. })));
}

#[test]
fn lp_pooling_at_p2_by_hand() {
    // Windows [3 4; 0 0] → √(9 + 16) = 5 and [4 1; 0 2] → √(16 + 1 + 4) = √21 (stride 1).
    let x = m("3,4,1;0,0,2");
    let spec = PoolSpec {
        pool: Pool::Lp(2.0),
        k: 2,
        stride: 1,
    };
    let want = [5.0, 21f64.sqrt()];
    for y in [spec.apply(&x).unwrap(), spec.apply_naive(&x).unwrap()] {
        assert_eq!((y.rows, y.cols), (1, 2));
        // f32 squares, sum and root: relative error ≲ 4 · 6e-8.
        for (a, b) in y.data.iter().zip(want) {
            assert!((a - b).abs() <= 3e-7 * b, "{a} vs {b}");
        }
    }
    // A constant window c gives the L_2 norm n^{1/2}|c| = 2·2 = 4 (no 1/n inside), negatives
    // counted by |x|: [−2 2; 2 −2] also gives 4.
    for t in ["2,2;2,2", "-2,2;2,-2"] {
        let y = spec.apply(&m(t)).unwrap();
        assert_eq!(y.data, [4.0]);
    }
    // 1, 2, 3, 4 in one window: √30.
    let y = PoolSpec { stride: 2, ..spec }.apply(&m("1,2;3,4")).unwrap();
    assert!((y.data[0] - 30f64.sqrt()).abs() < 1e-6);
}

#[test]
fn burn_pooling_matches_the_naive_loop() {
    let mut rng = StdRng::seed_from_u64(5);
    for trial in 0..45 {
        let x = random(&mut rng, 2..9);
        let pool = [Pool::Max, Pool::Avg, Pool::Lp(rng.random_range(1.0..6.0))][trial % 3];
        let spec = PoolSpec {
            pool,
            k: rng.random_range(1..3),
            stride: rng.random_range(1..4),
        };
        let naive = spec.apply_naive(&x).unwrap();
        // f32 powers, window sums of ≤ 4 terms and the root: ≲ 1e-6 relative.
        assert_close(&spec.apply(&x).unwrap(), &naive, 2e-6, &format!("{spec:?}"));
    }
}

#[test]
fn pooling_errors() {
    let x = m("1,2;3,4");
    let spec = |pool, k, stride| PoolSpec { pool, k, stride };
    assert!(matches!(
        spec(Pool::Max, 3, 1).apply(&x),
        Err(GridError::KernelTooLarge { .. })
    ));
    assert!(matches!(
        spec(Pool::Max, 0, 1).apply(&x),
        Err(GridError::Zero { .. })
    ));
    assert!(matches!(
        spec(Pool::Avg, 1, 0).apply(&x),
        Err(GridError::Zero { .. })
    ));
    for p in [0.5, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            spec(Pool::Lp(p), 2, 2).apply(&x),
            Err(GridError::BadExponent(_))
        ));
    }
    // 10^60 overflows f32: an error, not inf.
    assert_eq!(
        spec(Pool::Lp(60.0), 2, 2).apply(&m("10,10;10,10")),
        Err(GridError::Overflow)
    );
}
