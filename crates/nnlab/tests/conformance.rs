//! Conformance with the reference libraries: nnlab against fixtures written by numpy, SciPy,
//! scikit-learn and PyTorch (`tools/reference/generate.py`, committed under
//! `tests/fixtures/reference/`, so these tests need no Python). Where nnlab deliberately differs
//! from a reference, the test asserts the documented relation instead of equality.
//!
//! Tolerances: f64 computations (signal, softmax, quantiles, KL, gradients, metrics) agree to a
//! relative 1e-9 (both sides evaluate the same closed forms in double precision; the rest is
//! rounding of a few dozen operations). Burn's tensor operations run in f32, so they are held to
//! 2e-5 relative to the output's largest magnitude (f32 epsilon 1.2e-7 times sums of up to ~100
//! terms, with margin).

use burn::prelude::*;
use nnlab::ops::signal::{self, Mode};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/reference/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert!(doc["versions"].is_object(), "{name} records its versions");
    doc
}

fn cases(name: &str) -> Vec<Value> {
    fixture(name)["cases"].as_array().unwrap().clone()
}

fn floats(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(a) => a.iter().flat_map(floats).collect(),
        Value::Number(n) => vec![n.as_f64().unwrap()],
        _ => panic!("not a number or array: {v}"),
    }
}

fn shape(v: &Value) -> Vec<usize> {
    match v {
        Value::Array(a) => {
            let mut s = vec![a.len()];
            if let Some(first) = a.first() {
                s.extend(shape(first));
            }
            s
        }
        _ => vec![],
    }
}

fn usize_of(v: &Value) -> usize {
    v.as_u64().unwrap() as usize
}

/// Asserts |a − b| ≤ tol · max(1, max|b|) elementwise.
fn assert_close(what: &str, a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(
        a.len(),
        b.len(),
        "{what}: lengths {} vs {}",
        a.len(),
        b.len()
    );
    let scale = b.iter().fold(1.0f64, |m, x| m.max(x.abs()));
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (x - y).abs() <= tol * scale,
            "{what}[{i}]: nnlab {x} vs reference {y} (tolerance {tol} x {scale})\nnnlab {a:?}\nref   {b:?}"
        );
    }
}

const F64_TOL: f64 = 1e-9;
const F32_TOL: f64 = 2e-5;

#[test]
fn convolution_and_correlation_match_numpy_in_every_mode() {
    for c in cases("signal.json") {
        let (x, h) = (floats(&c["x"]), floats(&c["h"]));
        for (mode, name) in [
            (Mode::Full, "full"),
            (Mode::Valid, "valid"),
            (Mode::Same, "same"),
        ] {
            let conv = signal::convolve(&x, &h, mode).unwrap().values;
            let what = format!("convolve({x:?}, {h:?}, {name})");
            assert_close(
                &what,
                &conv,
                &floats(&c[format!("np_convolve_{name}")]),
                F64_TOL,
            );
            let corr = signal::correlate(&x, &h, mode).unwrap().values;
            let what = format!("correlate({x:?}, {h:?}, {name})");
            assert_close(
                &what,
                &corr,
                &floats(&c[format!("np_correlate_{name}")]),
                F64_TOL,
            );
        }
    }
}

/// SciPy's `signal.correlate` agrees with numpy in full and valid mode; in same mode it returns
/// len(x) values (numpy: max(len(x), len(h))). The documented relation: SciPy's same output is
/// the len(x) values of nnlab's full correlation starting ⌊(len(h) − 1)/2⌋ after its first.
#[test]
fn scipy_correlate_same_is_a_window_of_the_full_correlation() {
    for c in cases("signal.json") {
        let (x, h) = (floats(&c["x"]), floats(&c["h"]));
        for name in ["full", "valid"] {
            assert_close(
                name,
                &floats(&c[format!("scipy_correlate_{name}")]),
                &floats(&c[format!("np_correlate_{name}")]),
                F64_TOL,
            );
        }
        let full = signal::correlate(&x, &h, Mode::Full).unwrap();
        let scipy_same = floats(&c["scipy_correlate_same"]);
        assert_eq!(scipy_same.len(), x.len());
        // SciPy centres len(x) outputs in the len(x) + len(h) − 1 full ones: offset
        // ⌊(len(h) − 1)/2⌋ from the full output's first index −(len(h) − 1).
        let first = full.start + ((h.len() - 1) / 2) as i64;
        let window: Vec<f64> = (0..x.len() as i64).map(|i| full.at(first + i)).collect();
        assert_close("scipy same window", &window, &scipy_same, F64_TOL);
    }
}

#[test]
fn logsumexp_and_softmax_match_scipy() {
    for c in cases("softmax.json") {
        let x = floats(&c["x"]);
        let lse = nnlab::softmax::logsumexp_f64(&x, 1.0);
        assert_close(
            "logsumexp",
            &[lse],
            &[c["logsumexp"].as_f64().unwrap()],
            F64_TOL,
        );
        let p = nnlab::softmax::softmax_beta_f64(&x, 1.0);
        assert_close("softmax", &p, &floats(&c["softmax"]), F64_TOL);
    }
}

#[test]
fn quantiles_and_ks_statistic_match_scipy_stats() {
    use nnlab::prob::{Cdf, InverseCdf, ks_distance};
    for c in cases("stats.json") {
        let spec = c["spec"].as_str().unwrap();
        let dist = Cdf::named(spec).unwrap();
        let ps = floats(&c["p"]);
        let q: Vec<f64> = ps.iter().map(|&p| dist.quantile(p)).collect();
        // nnlab's Φ is Numerical Recipes' erfcc (prob::named::normal_cdf), absolute error
        // < 1.2e-7 and relative < 1.2e-7 in the lower tail, not SciPy's double-precision one: a
        // normal quantile (bisection on Φ) moves by at most 1.2e-7/φ(x) ≤ 3e-7 near the centre
        // and less in the tails, and the KS statistic (a sup of |F_n − Φ|) by at most 1.2e-7.
        // The other distributions have exact closed forms on both sides.
        let (q_tol, ks_tol) = if spec.starts_with("normal") {
            (1e-6, 2e-7)
        } else {
            (F64_TOL, F64_TOL)
        };
        assert_close(&format!("{spec} quantiles"), &q, &floats(&c["ppf"]), q_tol);
        let ks = ks_distance(&floats(&c["samples"]), &dist);
        assert_close(
            &format!("{spec} KS"),
            &[ks],
            &[c["ks"].as_f64().unwrap()],
            ks_tol,
        );
    }
}

fn device() -> Device {
    Device::flex()
}

fn tensor<const D: usize>(v: &Value) -> Tensor<D> {
    let s: [usize; D] = shape(v).try_into().unwrap();
    let data: Vec<f32> = floats(v).iter().map(|&x| x as f32).collect();
    Tensor::from_data(TensorData::new(data, s), &device())
}

fn values<const D: usize>(t: Tensor<D>) -> Vec<f64> {
    let v = t
        .into_data()
        .convert::<f32>()
        .try_into_vec::<f32>()
        .unwrap();
    v.into_iter().map(f64::from).collect()
}

#[test]
fn convolutions_pooling_and_upsampling_match_pytorch() {
    use nnlab::ops::{self, ConvGeometry};
    let mut seen = std::collections::BTreeSet::new();
    for c in cases("torch_ops.json") {
        let op = c["op"].as_str().unwrap();
        seen.insert(op.to_string());
        let y = floats(&c["y"]);
        let s = c.get("stride").map(usize_of).unwrap_or(1);
        let got = match op {
            "conv1d" => {
                let g =
                    ConvGeometry::new([s], [usize_of(&c["padding"])], [usize_of(&c["dilation"])]);
                values(ops::conv1d(tensor(&c["x"]), tensor(&c["w"]), &g))
            }
            "conv2d" | "conv_transpose2d" => {
                let (pad, dil) = (usize_of(&c["padding"]), usize_of(&c["dilation"]));
                let g = ConvGeometry::new([s, s], [pad, pad], [dil, dil]);
                if op == "conv2d" {
                    values(ops::conv2d(tensor(&c["x"]), tensor(&c["w"]), &g))
                } else {
                    let o = floats(&c["output_padding"]);
                    let op = [o[0] as usize, o[1] as usize];
                    values(ops::conv_transpose2d(
                        tensor(&c["x"]),
                        tensor(&c["w"]),
                        &g,
                        op,
                    ))
                }
            }
            "avg_pool2d" | "max_pool2d" | "lp_pool2d" => {
                let k = usize_of(&c["k"]);
                let x = tensor::<4>(&c["x"]);
                match op {
                    "avg_pool2d" => values(ops::avg_pool2d(x, [k, k], [s, s])),
                    "max_pool2d" => values(ops::max_pool2d(x, [k, k], [s, s])),
                    _ => {
                        let p = c["p"].as_f64().unwrap();
                        let ours = values(ops::lp_pool2d(x, p, [k, k], [s, s]));
                        let nonneg = floats(&c["x"]).iter().all(|&v| v >= 0.0);
                        if !nonneg && p == 1.0 {
                            // Deliberate difference: nnlab pools |x|^p (the L_p norm of the
                            // window), PyTorch pools x^p. The documented relation,
                            // nnlab(x) = PyTorch(|x|), is checked by the nonnegative twin
                            // cases; at p = 1 on signed input PyTorch gives the signed window
                            // sum, and the triangle inequality says Σ|x| ≥ |Σ x|.
                            for (a, b) in ours.iter().zip(&y) {
                                assert!(*a >= b.abs() - F32_TOL * a.abs().max(1.0), "{a} vs {b}");
                            }
                            continue;
                        }
                        // Nonnegative input, or p = 2 (x² = |x|²): equal.
                        ours
                    }
                }
            }
            "interpolate_nearest" => {
                values(ops::upsample_nearest2d(tensor(&c["x"]), usize_of(&c["r"])))
            }
            other => panic!("fixture op {other} has no nnlab counterpart"),
        };
        assert_close(op, &got, &y, F32_TOL);
    }
    assert_eq!(
        seen.len(),
        7,
        "every op of the fixture was checked: {seen:?}"
    );
}

#[test]
fn gaussian_kl_matches_torch_distributions() {
    use nnlab::prob::{Gaussian, kl_gaussian, kl_univariate_normal};
    for c in cases("kl.json") {
        let want = c["kl"].as_f64().unwrap();
        let got = if c["kind"] == "univariate" {
            let f = |k: &str| c[k].as_f64().unwrap();
            kl_univariate_normal(f("mu0"), f("sigma0"), f("mu1"), f("sigma1"))
        } else {
            let g0 = Gaussian::new(&floats(&c["mean0"]), &floats(&c["cov0"])).unwrap();
            let g1 = Gaussian::new(&floats(&c["mean1"]), &floats(&c["cov1"])).unwrap();
            kl_gaussian(&g0, &g1).unwrap()
        };
        assert_close("KL", &[got], &[want], F64_TOL);
    }
}

#[test]
fn tracer_gradients_match_torch_autograd() {
    use nnlab::trace::{Trace, parse};
    for c in cases("autograd.json") {
        let expr = c["expr"].as_str().unwrap();
        let trace = Trace::build(&parse(expr).unwrap());
        let at = floats(&c["at"]);
        let values = trace.eval(&at).unwrap();
        let value = values[trace.output()];
        assert_close(expr, &[value], &[c["value"].as_f64().unwrap()], F64_TOL);
        assert_close(
            expr,
            &trace.gradient(&values),
            &floats(&c["gradient"]),
            F64_TOL,
        );
    }
}

#[test]
fn cnn_parameter_counts_and_shapes_match_pytorch_numel() {
    for c in cases("cnn_params.json") {
        let desc = c["desc"].as_str().unwrap();
        let report = nnlab::shapes::analyze(desc).unwrap();
        assert_eq!(report.params, c["params"].as_u64().unwrap(), "{desc}");
        // PyTorch's shape is [C, H, W] (or [N]); nnlab's is H x W x C (or N).
        let mut torch_shape: Vec<usize> = floats(&c["output_shape"])
            .iter()
            .map(|&v| v as usize)
            .collect();
        if torch_shape.len() == 3 {
            torch_shape.rotate_left(1);
        }
        let ours = report.layers.last().unwrap().output.dims();
        assert_eq!(ours, torch_shape, "{desc}");
    }
}

#[test]
fn auroc_and_average_precision_match_scikit_learn_with_ties() {
    for c in cases("metrics.json") {
        let f = |k: &str| -> Vec<f32> { floats(&c[k]).iter().map(|&v| v as f32).collect() };
        let (normal, anomalous) = (f("normal"), f("anomalous"));
        let auroc = nnlab::metrics::auroc(&normal, &anomalous);
        assert_close("AUROC", &[auroc], &[c["auroc"].as_f64().unwrap()], F64_TOL);
        let ap = nnlab::metrics::aupr(&normal, &anomalous);
        let what = format!("AP of {normal:?} / {anomalous:?}");
        assert_close(
            &what,
            &[ap],
            &[c["average_precision"].as_f64().unwrap()],
            F64_TOL,
        );
    }
}

#[test]
fn f_divergences_match_scipy_with_documented_conventions() {
    use nnlab::prob::FDivergence as F;
    for c in cases("divergences.json") {
        let (p, q) = (floats(&c["p"]), floats(&c["q"]));
        let d = |f: F| f.discrete(&p, &q).unwrap();
        let want = |k: &str| c[k].as_f64().unwrap();
        assert_close("KL", &[d(F::KullbackLeibler)], &[want("kl")], F64_TOL);
        assert_close(
            "reverse KL",
            &[d(F::ReverseKullbackLeibler)],
            &[want("reverse_kl")],
            F64_TOL,
        );
        assert_close(
            "TV",
            &[d(F::TotalVariation)],
            &[want("total_variation")],
            F64_TOL,
        );
        assert_close("chi2", &[d(F::ChiSquared)], &[want("chi_squared")], F64_TOL);
        // Deliberate difference: nnlab's squared Hellinger has no ½, so it is twice the
        // common H² = ½ Σ (√p − √q)².
        let h = want("squared_hellinger_half");
        assert_close("Hellinger", &[d(F::SquaredHellinger)], &[2.0 * h], F64_TOL);
        // SciPy's `jensenshannon` is the distance √JS (natural log).
        let js = want("jensenshannon_distance").powi(2);
        assert_close("JS", &[d(F::JensenShannon)], &[js], F64_TOL);
    }
}

#[test]
fn softmax_regression_loss_and_gradient_match_torch_autograd() {
    use nnlab::models::softmax_regression::math::{Params, Problem};
    for c in cases("softmax_regression.json") {
        let problem = Problem {
            k: usize_of(&c["k"]),
            d: usize_of(&c["d"]),
            x: floats(&c["x"]),
            y: floats(&c["y"]).iter().map(|&v| v as usize).collect(),
            lambda: c["lambda"].as_f64().unwrap(),
        };
        let p = Params {
            w: floats(&c["w"]),
            b: floats(&c["b"]),
        };
        let lg = problem.loss_grad(&p);
        assert_close("loss", &[lg.loss], &[c["loss"].as_f64().unwrap()], F64_TOL);
        assert_close("dL/dW", &lg.grad.w, &floats(&c["grad_w"]), F64_TOL);
        assert_close("dL/db", &lg.grad.b, &floats(&c["grad_b"]), F64_TOL);
    }
}
