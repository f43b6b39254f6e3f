//! The solvers: the least-squares gradient by finite differences, adjoints by the dot-product
//! test, L by power iteration against known singular values, the Beck–Teboulle rates
//! F(x_k) − F* ≤ L‖x₀ − x*‖²/(2k) (ISTA) and ≤ 2L‖x₀ − x*‖²/(k+1)² (FISTA), the KKT
//! conditions at the solution, and backtracking.

use super::*;
use crate::ops::dot_product_test;

/// Central differences: max_i |(f(x + h e_i) − f(x − h e_i))/(2h) − grad_i| for h = 1e-5. f is
/// quadratic, so the difference quotient is exact up to rounding: ≈ ε·|f|/h ≈ 1e-10 for |f| ~ 10.
fn fd_error(value: impl Fn(&[f64]) -> f64, grad: &[f64], x: &[f64]) -> f64 {
    let h = 1e-5;
    let mut worst: f64 = 0.0;
    let mut y = x.to_vec();
    for i in 0..x.len() {
        y[i] = x[i] + h;
        let up = value(&y);
        y[i] = x[i] - h;
        let down = value(&y);
        y[i] = x[i];
        worst = worst.max(((up - down) / (2.0 * h) - grad[i]).abs());
    }
    worst
}

#[test]
fn least_squares_gradient_matches_finite_differences_and_a_wrong_one_fails() {
    let p = sparse_problem(12, 20, 3, 1);
    let f = LeastSquares { op: &p.a, b: &p.b };
    let x: Vec<f64> = (0..20).map(|i| (i as f64 * 0.37).sin()).collect();
    let mut g = vec![0.0; 20];
    f.value_grad(&x, &mut g);
    assert!(fd_error(|y| f.value(y), &g, &x) < 1e-7);
    // Forgetting b in the residual, ∇ = AᵀAx, is a plausible wrong formula.
    let mut ax = vec![0.0; 12];
    p.a.apply(&x, &mut ax);
    let mut wrong = vec![0.0; 20];
    p.a.adjoint(&ax, &mut wrong);
    assert!(fd_error(|y| f.value(y), &wrong, &x) > 1e-2);
}

/// The f32 dot-product test of [`crate::ops`]: 1e-5 separates rounding from a wrong adjoint.
const DOT_TOL: f64 = 1e-5;

#[test]
fn dense_and_blur_adjoints_pass_the_dot_product_test() {
    let p = sparse_problem(30, 50, 3, 2);
    let (a, at) = linear_ops(&p.a);
    assert!(dot_product_test(&a, &at, 1).rel_error < DOT_TOL);
    // A lopsided kernel, so that the correlation adjoint differs from the convolution.
    let kernel: Vec<f64> = (0..25).map(|i| ((i * 7 % 11) as f64) / 11.0).collect();
    let blur = Blur2d::new(9, 7, 5, kernel).unwrap();
    let (k, kt) = linear_ops(&blur);
    assert!(dot_product_test(&k, &kt, 2).rel_error < DOT_TOL);
    // Using the convolution itself as its adjoint is the plausible mistake: it fails.
    let (k2, _) = linear_ops(&blur);
    assert!(dot_product_test(&k, &k2, 2).rel_error > 1e-2);
    let gauss = Blur2d::new(28, 28, 9, gaussian_kernel(1.5, 4)).unwrap();
    let (g, gt) = linear_ops(&gauss);
    assert!(dot_product_test(&g, &gt, 3).rel_error < DOT_TOL);
}

/// A = H₁ diag(s) H₂ with Householder reflections H = I − 2uuᵀ/‖u‖²: singular values s.
fn known_spectrum(m: usize, n: usize, s: &[f64]) -> Dense {
    let house = |k: usize, seed: f64| {
        let u: Vec<f64> = (0..k).map(|i| (i as f64 * seed).cos() + 0.3).collect();
        let uu = dot(&u, &u);
        move |i: usize, j: usize| f64::from(u8::from(i == j)) - 2.0 * u[i] * u[j] / uu
    };
    let (h1, h2) = (house(m, 1.3), house(n, 0.7));
    let mut data = vec![0.0; m * n];
    for i in 0..m {
        for j in 0..n {
            data[i * n + j] = s
                .iter()
                .enumerate()
                .map(|(k, sk)| h1(i, k) * sk * h2(k, j))
                .sum();
        }
    }
    Dense::new(m, n, data).unwrap()
}

#[test]
fn power_iteration_finds_the_largest_squared_singular_value() {
    let a = known_spectrum(15, 25, &[3.0, 2.5, 1.0, 0.5]);
    // The quotient's error decays like (2.5/3)^{2k}: 300 steps reach rounding.
    let l = power_iteration(&a, 1000, 1e-14, 0);
    assert!((l - 9.0).abs() < 1e-9, "L = {l}");
    let blur = Blur2d::new(28, 28, 9, gaussian_kernel(1.5, 4)).unwrap();
    // A normalized nonnegative kernel has ‖K‖₂ ≤ ‖K‖₁ = 1.
    let lb = power_iteration(&blur, 500, 1e-12, 0);
    assert!(lb > 0.5 && lb <= 1.0 + 1e-12, "{lb}");
}

/// F* and x* of a small Lasso, by FISTA to ‖G‖ ≤ 1e-11.
fn reference(p: &SparseProblem, lambda: f64) -> (Solution, f64) {
    let f = LeastSquares { op: &p.a, b: &p.b };
    let lip = power_iteration(&p.a, 2000, 1e-15, 0);
    let opts = Options {
        max_iter: 50_000,
        tol: 1e-11,
        step: Step::Fixed { lipschitz: lip },
        record: false,
    };
    let s = fista(
        &f,
        &L1 { lambda },
        &vec![0.0; p.a.cols],
        &opts,
        &mut |_, _| {},
    );
    assert!(s.converged);
    (s, lip)
}

#[test]
fn ista_and_fista_obey_their_rates_and_fista_is_faster() {
    let p = sparse_problem(40, 100, 5, 3);
    let lambda = 0.05;
    let (star, lip) = reference(&p, lambda);
    let f = LeastSquares { op: &p.a, b: &p.b };
    let g = L1 { lambda };
    let x0 = vec![0.0; 100];
    let r2 = dot(&star.x, &star.x); // ‖x₀ − x*‖² with x₀ = 0
    let opts = Options {
        max_iter: 400,
        tol: 0.0,
        step: Step::Fixed { lipschitz: lip },
        record: true,
    };
    let ista_run = ista(&f, &g, &x0, &opts, &mut |_, _| {});
    let fista_run = fista(&f, &g, &x0, &opts, &mut |_, _| {});
    // F* is accurate to ~‖G‖²/L ≪ 1e-15; 1e-12 absorbs rounding of F ≈ 1.
    for k in 1..=400 {
        let (gi, gf) = (
            ista_run.history[k] - star.objective,
            fista_run.history[k] - star.objective,
        );
        assert!(
            gi <= lip * r2 / (2.0 * k as f64) + 1e-12,
            "ISTA k={k}: {gi}"
        );
        assert!(
            gf <= 2.0 * lip * r2 / ((k + 1) as f64).powi(2) + 1e-12,
            "FISTA k={k}: {gf}"
        );
        assert!(gi >= -1e-12 && gf >= -1e-12, "F* is the minimum");
    }
    // ISTA is monotone; FISTA is ahead after 100 iterations on this instance.
    assert!(ista_run.history.windows(2).all(|w| w[1] <= w[0] + 1e-15));
    assert!(fista_run.history[100] - star.objective < ista_run.history[100] - star.objective);
}

#[test]
fn solution_satisfies_kkt_and_gradient_map_vanishes() {
    let p = sparse_problem(40, 100, 5, 4);
    let lambda = 0.05;
    let (star, lip) = reference(&p, lambda);
    assert!(star.grad_map_norm < 1e-10);
    let f = LeastSquares { op: &p.a, b: &p.b };
    let mut grad = vec![0.0; 100];
    f.value_grad(&star.x, &mut grad);
    // KKT: −∇f(x*) ∈ λ∂‖x*‖₁, i.e. ∇f_i = −λ sign x_i on the support, |∇f_i| ≤ λ off it. The
    // gradient map bounds the violation by (1 + L·t)‖G‖ = 2‖G‖ ≤ 2e-10 (here 1e-9).
    for (xi, gi) in star.x.iter().zip(&grad) {
        let viol = if *xi != 0.0 {
            (gi + lambda * xi.signum()).abs()
        } else {
            (gi.abs() - lambda).max(0.0)
        };
        assert!(viol < 1e-9, "KKT violated by {viol}");
    }
    let gmap = gradient_map(&f, &L1 { lambda }, &star.x, 1.0 / lip);
    assert!(norm(&gmap) < 1e-10);
    // The true support (5 entries of size ~2) is recovered.
    let truth = support(&p.x_true, 0.0);
    assert!(truth.iter().all(|&i| star.x[i].abs() > 0.1));
}

#[test]
fn backtracking_converges_without_knowing_l() {
    let p = sparse_problem(40, 100, 5, 5);
    let lambda = 0.05;
    let (star, lip) = reference(&p, lambda);
    let f = LeastSquares { op: &p.a, b: &p.b };
    let opts = Options {
        max_iter: 20_000,
        tol: 1e-9,
        step: Step::Backtracking {
            initial: 1e-3,
            factor: 2.0,
        },
        record: false,
    };
    let s = fista(&f, &L1 { lambda }, &vec![0.0; 100], &opts, &mut |_, _| {});
    assert!(s.converged);
    // Sufficient decrease holds for every L ≥ L_f, so L stops below 2·L_f.
    assert!(s.lipschitz <= 2.0 * lip, "{} vs {lip}", s.lipschitz);
    assert!((s.objective - star.objective).abs() <= 1e-9 * star.objective);
}

#[test]
fn subgradient_method_is_slower_than_fista() {
    let p = sparse_problem(40, 100, 5, 6);
    let lambda = 0.05;
    let (star, lip) = reference(&p, lambda);
    let f = LeastSquares { op: &p.a, b: &p.b };
    let s = subgradient(&f, lambda, lip, &vec![0.0; 100], 2000);
    assert_eq!(s.history.len(), 2001);
    assert!(s.history.windows(2).all(|w| w[1] <= w[0]));
    let gap = s.objective - star.objective;
    assert!(gap > 0.0 && gap < s.history[0] - star.objective);
    let opts = Options {
        max_iter: 200,
        tol: 0.0,
        step: Step::Fixed { lipschitz: lip },
        record: false,
    };
    let fast = fista(&f, &L1 { lambda }, &vec![0.0; 100], &opts, &mut |_, _| {});
    assert!(fast.objective - star.objective < gap / 10.0);
}
