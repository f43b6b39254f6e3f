//! Checks of the Burn model: the tensor forward pass against the f64 map and the autodiff
//! gradient of the NLL against central differences in f64 (the experiment's checks are in
//! `jobs::flow1d`).

use super::map::FlowMap;
use super::model::Flow1d;
use burn::module::Param;
use burn::prelude::*;
use burn::tensor::DType;

fn map() -> FlowMap {
    FlowMap {
        w: vec![0.3, -0.5, 1.1],
        mu: vec![-1.2, 0.3, 1.4],
        tau: vec![-1.2, 0.5, -0.6],
    }
}

const XS: [f64; 7] = [-3.0, -1.3, -0.2, 0.0, 0.4, 1.5, 4.0];

/// Mean NLL of `xs` under `m`, in f64.
fn mean_nll(m: &FlowMap, xs: &[f64]) -> f64 {
    -m.log_density(xs).iter().sum::<f64>() / xs.len() as f64
}

#[test]
fn tensor_forward_matches_the_f64_map() {
    // f32 tensors vs f64 scalars: relative error of a few f32 ulps, tolerance 1e-5.
    let device = Device::flex();
    let m = map();
    let model = Flow1d::from_map(&m, &device);
    let xs: Vec<f32> = XS.iter().map(|&x| x as f32).collect();
    let (f, lfp) = model.forward(Tensor::from_data(TensorData::new(xs, [XS.len()]), &device));
    let f = f.into_data().convert::<f64>().try_to_vec::<f64>().unwrap();
    let lfp = lfp
        .into_data()
        .convert::<f64>()
        .try_to_vec::<f64>()
        .unwrap();
    for (i, (f64_f, f64_l)) in m.eval(&XS).into_iter().enumerate() {
        assert!(
            (f[i] - f64_f).abs() < 1e-5 * (1.0 + f64_f.abs()),
            "f at {}",
            XS[i]
        );
        assert!(
            (lfp[i] - f64_l).abs() < 1e-5 * (1.0 + f64_l.abs()),
            "log f' at {}",
            XS[i]
        );
    }
    let back = Flow1d::from_map(&m, &device).to_map();
    assert!(back.w.iter().zip(&m.w).all(|(a, b)| (a - b).abs() < 1e-7));
}

#[test]
fn autodiff_gradient_of_the_nll_matches_central_differences_in_f64() {
    // The module on f64 tensors, differentiated by Burn's autodiff, against central differences
    // of the f64 map's mean NLL with h = 1e-6: truncation h²·|∂³L|/6 ≈ 1e-11, rounding
    // ε·|L|/h ≈ 1e-9. Tolerance 1e-7 absolute.
    let device = Device::flex().autodiff();
    let m = map();
    let p = |v: &[f64]| {
        let t = Tensor::<1>::from_data(
            TensorData::new(v.to_vec(), [v.len()]),
            (&device, DType::F64),
        );
        Param::from_tensor(t)
    };
    let model = Flow1d {
        w: p(&m.w),
        mu: p(&m.mu),
        tau: p(&m.tau),
    };
    let x = Tensor::<1>::from_data(
        TensorData::new(XS.to_vec(), [XS.len()]),
        (&device, DType::F64),
    );
    let loss = model.nll(x).mean();
    let autodiff_loss = loss.clone().into_scalar::<f64>();
    assert!(
        (autodiff_loss - mean_nll(&m, &XS)).abs() < 1e-12,
        "same loss in f64"
    );
    let grads = loss.backward();
    let h = 1e-6;
    for (name, param) in [("w", &model.w), ("mu", &model.mu), ("tau", &model.tau)] {
        let g = param.grad(&grads).expect("gradient");
        let g = g.into_data().convert::<f64>().try_to_vec::<f64>().unwrap();
        for i in 0..m.len() {
            let shifted = |d: f64| {
                let mut q = m.clone();
                let v = match name {
                    "w" => &mut q.w,
                    "mu" => &mut q.mu,
                    _ => &mut q.tau,
                };
                v[i] += d;
                mean_nll(&q, &XS)
            };
            let fd = (shifted(h) - shifted(-h)) / (2.0 * h);
            assert!(
                (g[i] - fd).abs() < 1e-7,
                "∂L/∂{name}_{i}: autodiff {} vs {fd}",
                g[i]
            );
        }
    }
}
