//! Proof-sheet checks of the softmax family and the activations (see [`crate::verify`]):
//! ν_β → max, ∇ν_β → one-hot, ∇ν_1 = softmax, shift invariance and the K − 1 parametrization,
//! the β → 0 limit, σ(kx) → H(x), ReLU = x·H(x), and the sigmoid → tanh converter. Each measure
//! takes the function under test as a parameter, so its broken twin swaps in a wrong one.

use super::*;
use crate::verify::{Check, Measurement, worst};
use burn::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Rows of `x` as a `[batch, K]` f32 tensor.
fn rows(x: &[Vec<f64>], device: &Device) -> Tensor<2> {
    let (b, k) = (x.len(), x[0].len());
    let v: Vec<f32> = x.iter().flatten().map(|&t| t as f32).collect();
    Tensor::from_data(TensorData::new(v, [b, k]), device)
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f64> {
    let v = t
        .into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .expect("f32 tensor");
    v.into_iter().map(f64::from).collect()
}

/// `batch` seeded rows of K values uniform in [−scale, scale), rounded to f32.
fn random_rows(rng: &mut StdRng, batch: usize, k: usize, scale: f64) -> Vec<Vec<f64>> {
    (0..batch)
        .map(|_| {
            (0..k)
                .map(|_| rng.random_range(-scale..scale) as f32 as f64)
                .collect()
        })
        .collect()
}

fn max_of(x: &[f64]) -> f64 {
    x.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

/// A log-sum-exp under test: (rows, β) ↦ ν_β of each row.
pub type Lse = fn(Tensor<2>, f64) -> Tensor<1>;

/// The largest violation of max x ≤ ν_β(x) ≤ max x + log(K)/β by `nu` over 8 seeded rows
/// (K = 6, |x| ≤ 5) and β = 1, 10, …, 10⁴ (so ν_β − max → 0 like log(K)/β).
pub fn logsumexp_bracket(nu: Lse, seed: u64) -> Measurement {
    let device = Device::flex();
    let x = random_rows(&mut StdRng::seed_from_u64(seed), 8, 6, 5.0);
    let mut errs = Vec::new();
    for beta in [1.0, 10.0, 100.0, 1e3, 1e4] {
        for (r, n) in x.iter().zip(values(nu(rows(&x, &device), beta))) {
            let m = max_of(r);
            errs.push((m - n).max(n - m - 6f64.ln() / beta).max(0.0));
        }
    }
    Measurement::new(worst(errs), "8 rows, K = 6, β = 1 … 1e4")
}

/// ν_β → max via max ≤ ν_β ≤ max + log(K)/β.
pub const LOGSUMEXP_MAX: Check = Check {
    id: "logsumexp.max-limit",
    identity: "max x <= nu_b(x) = (1/b) log sum exp(b x_i) <= max x + log(K)/b, so nu_b -> max as b -> inf",
    method: "closed-form bracket on random rows (f32), b = 1 ... 1e4",
    tolerance: 1e-5,
    why: "f32 rounding of nu for |x| <= 5, K = 6: eps*(2(1 + |max| + log K) + 2K/b) < 3e-6",
    measure: |seed| logsumexp_bracket(logsumexp, seed),
    broken: |seed| logsumexp_bracket(|x, b| logsumexp(x.mul_scalar(b), 1.0), seed),
    fault: "log sum exp(b x) without the 1/b",
};

/// A gradient under test: (rows, β) ↦ ∇ν_β of each row (same shape).
pub type LseGrad = fn(Tensor<2>, f64) -> Tensor<2>;

/// ∇ν_β by Burn's autodiff of [`logsumexp`].
pub fn logsumexp_autodiff(x: Tensor<2>, beta: f64) -> Tensor<2> {
    let ad = x.device().autodiff();
    let xt = Tensor::<2>::from_data(x.into_data(), &ad).require_grad();
    let grads = logsumexp(xt.clone(), beta).sum().backward();
    xt.grad(&grads).expect("∇ν_β")
}

/// The largest (‖∇ν_β(x) − e_a‖₁ − 2(K − 1)e^{−βg})⁺ over β = 1 … 10³ and 8 seeded rows with a
/// unique maximiser a and gap g ≥ 0.5, with ∇ν_β given by `grad`.
pub fn gradient_one_hot(grad: LseGrad, seed: u64) -> Measurement {
    let device = Device::flex();
    let mut x = random_rows(&mut StdRng::seed_from_u64(seed), 8, 5, 3.0);
    for r in &mut x {
        let m = max_of(r);
        r[0] = m + 0.5; // unique maximiser at 0, gap ≥ 0.5
    }
    let mut errs = Vec::new();
    for beta in [1.0, 10.0, 100.0, 1e3] {
        let g = values(grad(rows(&x, &device), beta));
        for (r, gr) in x.iter().zip(g.chunks(5)) {
            let gap = r[0] - max_of(&r[1..]);
            let l1: f64 = gr
                .iter()
                .enumerate()
                .map(|(i, v)| (v - f64::from(u8::from(i == 0))).abs())
                .sum();
            errs.push((l1 - 8.0 * (-beta * gap).exp()).max(0.0));
        }
    }
    Measurement::new(worst(errs), "8 rows, K = 5, gap ≥ 0.5, β = 1 … 1e3")
}

/// ∇ν_β → e_argmax.
pub const GRADIENT_ONE_HOT: Check = Check {
    id: "logsumexp.grad-one-hot",
    identity: "||grad nu_b(x) - e_argmax||_1 <= 2(K-1) exp(-b*gap) -> 0 as b -> inf",
    method: "autodiff (Burn) of nu_b vs the closed-form bound, b = 1 ... 1e3",
    tolerance: 1e-5,
    why: "f32 rounding of K = 5 softmax entries (each within a few ulps, 6e-8)",
    measure: |seed| gradient_one_hot(logsumexp_autodiff, seed),
    broken: |seed| gradient_one_hot(|x, _| softmax(x), seed),
    fault: "softmax(x) regardless of b",
};

/// max |∇ν_1(x) − claimed(x)| over 16 seeded rows (K = 7, |x| ≤ 4), ∇ν_1 by autodiff.
pub fn gradient_is_softmax(claimed: fn(Tensor<2>) -> Tensor<2>, seed: u64) -> Measurement {
    let device = Device::flex();
    let x = random_rows(&mut StdRng::seed_from_u64(seed), 16, 7, 4.0);
    let g = values(logsumexp_autodiff(rows(&x, &device), 1.0));
    let p = values(claimed(rows(&x, &device)));
    let err = worst(g.iter().zip(&p).map(|(a, b)| (a - b).abs()));
    Measurement::new(err, "16 rows, K = 7")
}

/// ∇ν_1 = softmax.
pub const GRADIENT_SOFTMAX: Check = Check {
    id: "logsumexp.grad-softmax",
    identity: "grad log sum exp(x) = softmax(x)",
    method: "autodiff (Burn) of logsumexp vs softmax, random rows",
    tolerance: 1e-6,
    why: "values <= 1 computed by a few f32 operations each: error of a few ulps (6e-8)",
    measure: |seed| gradient_is_softmax(softmax, seed),
    broken: |seed| gradient_is_softmax(sigmoid, seed),
    fault: "the element-wise sigmoid",
};

/// max over 8 seeded rows (K = 6, |x| ≤ 5) of |s(x + c1) − s(x)| (c uniform in [−30, 30]) and
/// |s(x) − s([x_1 − x_K, …, x_{K−1} − x_K, 0])| (K − 1 free parameters), for `s` under test.
pub fn shift_invariance(s: fn(Tensor<2>) -> Tensor<2>, seed: u64) -> Measurement {
    let device = Device::flex();
    let mut rng = StdRng::seed_from_u64(seed);
    let x = random_rows(&mut rng, 8, 6, 5.0);
    let shifted: Vec<Vec<f64>> = x
        .iter()
        .map(|r| {
            let c = rng.random_range(-30.0..30.0);
            r.iter().map(|v| v + c).collect()
        })
        .collect();
    let reduced: Vec<Vec<f64>> = x
        .iter()
        .map(|r| r.iter().map(|v| v - r[5]).collect())
        .collect();
    let p = values(s(rows(&x, &device)));
    let a = values(s(rows(&shifted, &device)));
    let b = values(s(rows(&reduced, &device)));
    let err = worst(
        p.iter()
            .zip(a.iter().zip(&b))
            .map(|(p, (a, b))| (p - a).abs().max((p - b).abs())),
    );
    Measurement::new(err, "8 rows, K = 6, shifts |c| ≤ 30")
}

/// softmax(x + c1) = softmax(x); K − 1 free parameters.
pub const SHIFT_INVARIANCE: Check = Check {
    id: "softmax.shift",
    identity: "softmax(x + c*1) = softmax(x), so softmax(x) = softmax(x_1 - x_K, ..., x_{K-1} - x_K, 0): K-1 free parameters",
    method: "exact identity evaluated in f32 on random rows and shifts",
    tolerance: 1e-5,
    why: "x + c rounds by |c|*6e-8 <= 2e-6 in f32, moving each probability by that relative amount",
    measure: |seed| shift_invariance(softmax, seed),
    broken: |seed| {
        shift_invariance(
            |x| {
                let e = x.exp();
                e.clone() / e.sum_dim(1).add_scalar(1.0)
            },
            seed,
        )
    },
    fault: "exp(x_i) / (1 + sum_j exp(x_j)) (an extra class)",
};

/// A tempered softmax under test: (rows, c) ↦ softmax(c·x).
pub type TemperedSoftmax = fn(Tensor<2>, f64) -> Tensor<2>;

/// The largest violation of e^{−c·r}/K ≤ softmax(c·x)_i ≤ e^{c·r}/K (r = max x − min x) for
/// c = 0, 1e-3, 1e-2, 0.1 (c = 0: exactly 1/K), and of ‖softmax(c·x) − e_a‖₁ ≤ 2(K−1)e^{−c·g}
/// for c = 10, 100, 1000 on 8 seeded rows (K = 6, unique maximiser, gap g ≥ 0.5).
pub fn temperature_limits(s: TemperedSoftmax, seed: u64) -> Measurement {
    let device = Device::flex();
    let mut x = random_rows(&mut StdRng::seed_from_u64(seed), 8, 6, 3.0);
    for r in &mut x {
        r[2] = max_of(r) + 0.5;
    }
    let k = 6.0;
    let mut errs = Vec::new();
    for c in [0.0, 1e-3, 1e-2, 0.1] {
        for (r, p) in x.iter().zip(values(s(rows(&x, &device), c)).chunks(6)) {
            let range = max_of(r) + max_of(&r.iter().map(|v| -v).collect::<Vec<_>>());
            let (lo, hi) = ((-c * range).exp() / k, (c * range).exp() / k);
            errs.extend(p.iter().map(|&v| (lo - v).max(v - hi).max(0.0)));
        }
    }
    for c in [10.0, 100.0, 1e3] {
        for (r, p) in x.iter().zip(values(s(rows(&x, &device), c)).chunks(6)) {
            let gap = r[2] - max_of(&[&r[..2], &r[3..]].concat());
            let l1: f64 = p
                .iter()
                .enumerate()
                .map(|(i, v)| (v - f64::from(u8::from(i == 2))).abs())
                .sum();
            errs.push((l1 - 2.0 * (k - 1.0) * (-c * gap).exp()).max(0.0));
        }
    }
    Measurement::new(
        worst(errs),
        "8 rows, K = 6; c = 0, 1e-3, 1e-2, 0.1 and 10, 100, 1e3",
    )
}

/// softmax(c·x) → uniform as c → 0 (equal at c = 0), → one-hot as c → ∞.
pub const TEMPERATURE_LIMITS: Check = Check {
    id: "softmax.temperature",
    identity: "softmax(c x) = 1/K at c = 0, within [e^{-c r}, e^{c r}]/K (r = max - min), and -> e_argmax as c -> inf",
    method: "closed-form bounds on random rows (f32), c = 0 ... 1e3",
    tolerance: 1e-6,
    why: "probabilities <= 1 from a few f32 operations: error of a few ulps (6e-8)",
    measure: |seed| temperature_limits(softmax_beta, seed),
    broken: |seed| temperature_limits(|x, _| softmax(x), seed),
    fault: "softmax(x) regardless of c",
};

/// The largest (|s(kx) − H(x)| − e^{−k|x|})⁺ over a grid of x (including 0) and
/// k = 1, 10, 100, 1000, for the sigmoid `s` under test (f32).
pub fn sigmoid_step_limit(s: fn(Tensor<1>) -> Tensor<1>, seed: u64) -> Measurement {
    let device = Device::flex();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut xs: Vec<f64> = (0..64)
        .map(|_| rng.random_range(-2.0f32..2.0) as f64)
        .collect();
    xs.extend([0.0, 1e-3, -1e-3]);
    let mut errs = Vec::new();
    for k in [1.0, 10.0, 100.0, 1e3] {
        let kx: Vec<f32> = xs.iter().map(|&x| (k * x) as f32).collect();
        let n = kx.len();
        let y = values(s(Tensor::from_data(TensorData::new(kx, [n]), &device)));
        for (&x, y) in xs.iter().zip(y) {
            errs.push(((y - heaviside_f64(x)).abs() - (-k * x.abs()).exp()).max(0.0));
        }
    }
    Measurement::new(worst(errs), "67 points in [-2, 2] with 0, k = 1 … 1e3")
}

/// σ(kx) → H(x).
pub const SIGMOID_HEAVISIDE: Check = Check {
    id: "sigmoid.step-limit",
    identity: "|sigmoid(kx) - H(x)| <= exp(-k|x|) (H(0) = 1/2), so sigmoid(kx) -> H(x) as k -> inf",
    method: "closed-form bound on a random grid with x = 0, k = 1 ... 1e3 (f32)",
    tolerance: 1e-7,
    why: "sigmoid in (0, 1) rounds by at most one f32 ulp (6e-8)",
    measure: |seed| sigmoid_step_limit(sigmoid, seed),
    broken: |seed| sigmoid_step_limit(|x| x.tanh(), seed),
    fault: "tanh (which tends to sign(x))",
};

/// max over seeded x (with 0) of |r(x) − x·H(x)|, and over x ≠ 0 of |r'(x) − H(x)| with r' by
/// autodiff, for the ReLU `r` under test.
pub fn relu_heaviside(r: fn(Tensor<1>) -> Tensor<1>, seed: u64) -> Measurement {
    let ad = Device::flex().autodiff();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut xs: Vec<f32> = (0..64).map(|_| rng.random_range(-3.0f32..3.0)).collect();
    xs.push(0.0);
    let n = xs.len();
    let xt = Tensor::<1>::from_data(TensorData::new(xs.clone(), [n]), &ad).require_grad();
    let y = r(xt.clone());
    let grads = y.clone().sum().backward();
    let dy = values(xt.grad(&grads).expect("relu'"));
    let mut errs = Vec::new();
    for ((&x, y), d) in xs.iter().zip(values(y)).zip(dy) {
        let (x, h) = (f64::from(x), heaviside_f64(f64::from(x)));
        errs.push((y - x * h).abs());
        if x != 0.0 {
            errs.push((d - h).abs());
        }
    }
    Measurement::new(worst(errs), "65 points in [-3, 3] with 0")
}

/// ReLU = x·H(x), ReLU' = H away from 0.
pub const RELU_HEAVISIDE: Check = Check {
    id: "relu.heaviside",
    identity: "relu(x) = x*H(x), and relu'(x) = H(x) for x != 0",
    method: "exact equality; derivative by autodiff (Burn)",
    tolerance: 0.0,
    why: "max(0, x), x*1, x*0 and the step 0/1 are exact in f32",
    measure: |seed| relu_heaviside(relu, seed),
    broken: |seed| relu_heaviside(|x| x.clone() * sigmoid(x), seed),
    fault: "x*sigmoid(x) (SiLU)",
};

/// max |y_σ − y_tanh| / (1 + |y_σ|) between a seeded sigmoid network (4-8-3, weights in
/// [−2, 2)) and `convert` of it, on 32 random inputs.
pub fn converter_error(convert: fn(&SigmoidNet) -> TanhNet, seed: u64) -> Measurement {
    let device = Device::flex();
    let net = SigmoidNet::random(4, 8, 3, 2.0, seed, &device);
    let x = rows(
        &random_rows(&mut StdRng::seed_from_u64(seed ^ 1), 32, 4, 3.0),
        &device,
    );
    let a = values(net.forward(x.clone()));
    let b = values(convert(&net).forward(x));
    let err = worst(
        a.iter()
            .zip(&b)
            .map(|(a, b)| (a - b).abs() / (1.0 + a.abs())),
    );
    Measurement::new(err, "network 4-8-3, 32 inputs")
}

/// The sigmoid → tanh network converter.
pub const SIGMOID_TO_TANH: Check = Check {
    id: "sigmoid.tanh-converter",
    identity: "V s(Wx + b) + c = (V/2) tanh((W/2)x + b/2) + c + V*1/2, from s(z) = (tanh(z/2) + 1)/2",
    method: "both networks evaluated in f32 on random inputs",
    tolerance: 1e-5,
    why: "f32 sums of 8 hidden terms with |V| < 2: rounding ~ 8*2*6e-8 relative",
    measure: |seed| converter_error(sigmoid_to_tanh, seed),
    broken: |seed| {
        converter_error(
            |n| {
                let mut t = sigmoid_to_tanh(n);
                t.c = n.c.clone();
                t
            },
            seed,
        )
    },
    fault: "the output bias not shifted by V*1/2",
};
