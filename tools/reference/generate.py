#!/usr/bin/env python3
"""Writes the conformance fixtures of nnlab: small JSON files with seeded inputs (and edge cases)
and the outputs of the reference libraries (numpy, SciPy, scikit-learn, PyTorch) on them.

Run with the peer virtual environment of ../shared/bench/README.md:

    ~/.venvs/peer/bin/python tools/reference/generate.py crates/nnlab/tests/fixtures/reference

Each fixture records the library versions it was made with; the output is byte-for-byte
reproducible with those versions (seeded numpy generators, one torch thread, float64 where the
library allows, JSON with sorted keys and Python's shortest round-trip float repr).
"""

import json
import math
import sys
from pathlib import Path

import numpy as np
import scipy
import scipy.signal
import scipy.spatial.distance
import scipy.special
import scipy.stats
import sklearn
import sklearn.metrics
import torch

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


def versions(*names):
    mods = {"numpy": np, "scipy": scipy, "sklearn": sklearn, "torch": torch}
    v = {n: mods[n].__version__ for n in names}
    v["python"] = "%d.%d" % sys.version_info[:2]
    return v


def lst(a):
    """A JSON-ready nested list of Python floats / ints."""
    return np.asarray(a).tolist()


def write(out, name, libs, cases):
    doc = {"generator": "tools/reference/generate.py", "versions": versions(*libs), "cases": cases}
    text = json.dumps(doc, sort_keys=True, indent=1, allow_nan=False) + "\n"
    (out / name).write_text(text)
    return len(cases)


def signal_cases():
    rng = np.random.default_rng(19)
    pairs = [
        ([1.0], [2.0]),
        ([1.0, 2.0], [3.0]),
        ([-4.0, -1.0], [-4.0, 2.0, 2.0, 2.0, 5.0]),  # kernel longer than signal (the case)
        ([1.0, 2.0, 3.0, 4.0], [1.0, -1.0]),  # even lengths
        ([0.0, 0.0, 0.0], [1.0, 2.0, 3.0]),  # zeros
        ([1e300, -1e300, 1e300], [1e-300, 2.0]),  # large magnitudes
        ([3.0, 1.0, 4.0, 1.0, 5.0], [9.0, 2.0, 6.0, 5.0]),
    ]
    for _ in range(24):
        n, m = rng.integers(1, 9, size=2)
        x = rng.integers(-5, 6, size=n).astype(float)
        h = rng.integers(-5, 6, size=m).astype(float)
        pairs.append((x.tolist(), h.tolist()))
    for _ in range(8):
        n, m = rng.integers(1, 12, size=2)
        pairs.append((rng.normal(size=n).tolist(), rng.normal(size=m).tolist()))
    cases = []
    for x, h in pairs:
        case = {"x": x, "h": h}
        for mode in ["full", "valid", "same"]:
            case["np_convolve_" + mode] = lst(np.convolve(x, h, mode))
            case["np_correlate_" + mode] = lst(np.correlate(x, h, mode))
            case["scipy_correlate_" + mode] = lst(scipy.signal.correlate(x, h, mode, method="direct"))
        cases.append(case)
    return cases


def softmax_cases():
    rng = np.random.default_rng(20)
    vecs = [[0.0], [1.0, 1.0], [1000.0, 1000.0, -1000.0], [-1e4, 0.0, 1e4], [0.5, -0.25, 3.0, 3.0]]
    for _ in range(12):
        vecs.append((rng.normal(size=rng.integers(1, 10)) * rng.choice([1.0, 10.0, 100.0])).tolist())
    return [
        {"x": v, "logsumexp": float(scipy.special.logsumexp(v)), "softmax": lst(scipy.special.softmax(v))}
        for v in vecs
    ]


def stats_cases():
    rng = np.random.default_rng(21)
    ps = [1e-9, 1e-4, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1 - 1e-4]
    dists = {
        "normal": scipy.stats.norm(),
        "normal:2:0.5": scipy.stats.norm(2, 0.5),
        "exponential": scipy.stats.expon(),
        "exponential:3": scipy.stats.expon(scale=1 / 3),
        "uniform": scipy.stats.uniform(),
        "uniform:-2:5": scipy.stats.uniform(-2, 7),
    }
    cases = []
    for spec, d in dists.items():
        samples = d.rvs(size=int(rng.integers(5, 40)), random_state=rng)
        cases.append(
            {
                "spec": spec,
                "p": ps,
                "ppf": lst(d.ppf(ps)),
                "samples": lst(samples),
                "ks": float(scipy.stats.kstest(samples, d.cdf).statistic),
            }
        )
    return cases


def t(a):
    return torch.tensor(a, dtype=torch.float64)


def torch_op_cases():
    g = torch.Generator().manual_seed(22)
    F = torch.nn.functional
    cases = []

    def rnd(*shape):
        return torch.randn(*shape, generator=g, dtype=torch.float64)

    for stride, pad, dil, (ci, co, k, n) in [
        (1, 0, 1, (1, 1, 3, 7)),
        (2, 1, 1, (2, 3, 3, 9)),
        (1, 2, 2, (1, 2, 2, 6)),
        (3, 1, 2, (2, 2, 3, 11)),
    ]:
        x, w = rnd(1, ci, n), rnd(co, ci, k)
        y = F.conv1d(x, w, stride=stride, padding=pad, dilation=dil)
        cases.append({"op": "conv1d", "x": lst(x), "w": lst(w), "stride": stride, "padding": pad, "dilation": dil, "y": lst(y)})
    for stride, pad, dil, (ci, co, k, h, wd) in [
        (1, 0, 1, (1, 1, 3, 5, 5)),
        (2, 1, 1, (2, 3, 3, 7, 6)),
        (1, 2, 2, (1, 2, 2, 6, 6)),
        (2, 0, 3, (1, 1, 2, 9, 8)),
    ]:
        x, w = rnd(1, ci, h, wd), rnd(co, ci, k, k)
        y = F.conv2d(x, w, stride=stride, padding=pad, dilation=dil)
        cases.append({"op": "conv2d", "x": lst(x), "w": lst(w), "stride": stride, "padding": pad, "dilation": dil, "y": lst(y)})
        # The adjoint of that convolution: conv_transpose2d with the same weights, sized back
        # to x's shape by output_padding.
        op = (h + 2 * pad - dil * (k - 1) - 1) % stride, (wd + 2 * pad - dil * (k - 1) - 1) % stride
        u = rnd(*y.shape)
        z = F.conv_transpose2d(u, w, stride=stride, padding=pad, dilation=dil, output_padding=op)
        cases.append({"op": "conv_transpose2d", "x": lst(u), "w": lst(w), "stride": stride, "padding": pad, "dilation": dil, "output_padding": list(op), "y": lst(z)})
    for k, s, shape in [(2, 2, (1, 1, 4, 4)), (3, 1, (1, 2, 5, 6)), (2, 1, (1, 1, 3, 5)), (3, 2, (1, 1, 7, 7))]:
        x = rnd(*shape)
        cases.append({"op": "avg_pool2d", "x": lst(x), "k": k, "stride": s, "y": lst(F.avg_pool2d(x, k, s))})
        cases.append({"op": "max_pool2d", "x": lst(x), "k": k, "stride": s, "y": lst(F.max_pool2d(x, k, s))})
        for p in [1.0, 2.0, 3.0]:
            # PyTorch pools x^p without |.|: on signed input p = 1 gives the signed window sum
            # and p = 3 NaN roots, so signed cases are kept for p = 1, 2 only.
            if p < 3:
                cases.append({"op": "lp_pool2d", "x": lst(x), "k": k, "stride": s, "p": p, "y": lst(F.lp_pool2d(x, p, k, s))})
            xa = x.abs()
            cases.append({"op": "lp_pool2d", "x": lst(xa), "k": k, "stride": s, "p": p, "y": lst(F.lp_pool2d(xa, p, k, s))})
    for r, shape in [(2, (1, 1, 2, 3)), (3, (1, 2, 2, 2))]:
        x = rnd(*shape)
        cases.append({"op": "interpolate_nearest", "x": lst(x), "r": r, "y": lst(F.interpolate(x, scale_factor=r, mode="nearest"))})
    return cases


def kl_cases():
    g = torch.Generator().manual_seed(23)
    D = torch.distributions
    cases = []
    for m0, s0, m1, s1 in [(0.0, 1.0, 0.0, 1.0), (0.0, 1.0, 1.0, 2.0), (-3.0, 0.1, 2.0, 5.0), (1.5, 3.0, 1.4, 0.2)]:
        kl = D.kl_divergence(D.Normal(t(m0), t(s0)), D.Normal(t(m1), t(s1)))
        cases.append({"kind": "univariate", "mu0": m0, "sigma0": s0, "mu1": m1, "sigma1": s1, "kl": float(kl)})
    for d in [1, 2, 3, 5]:
        a0 = torch.randn(d, d, generator=g, dtype=torch.float64)
        a1 = torch.randn(d, d, generator=g, dtype=torch.float64)
        c0 = a0 @ a0.T + 0.5 * torch.eye(d, dtype=torch.float64)
        c1 = a1 @ a1.T + 0.5 * torch.eye(d, dtype=torch.float64)
        m0 = torch.randn(d, generator=g, dtype=torch.float64)
        m1 = torch.randn(d, generator=g, dtype=torch.float64)
        kl = D.kl_divergence(D.MultivariateNormal(m0, c0), D.MultivariateNormal(m1, c1))
        cases.append({"kind": "multivariate", "mean0": lst(m0), "cov0": lst(c0), "mean1": lst(m1), "cov1": lst(c1), "kl": float(kl)})
    return cases


# Expressions in the tracer's syntax and the same function written for torch.
EXPRESSIONS = [
    ("1/(x1+x2) + x2^2 + cos(x1)", lambda x1, x2: 1 / (x1 + x2) + x2**2 + torch.cos(x1), [3.0, 6.0]),
    ("x1*x2*sin(x1)", lambda x1, x2: x1 * x2 * torch.sin(x1), [0.7, -1.3]),
    ("exp(x1)*log(x2) - x1/x2", lambda x1, x2: torch.exp(x1) * torch.log(x2) - x1 / x2, [0.3, 2.5]),
    ("sqrt(x1^2 + x2^2)", lambda x1, x2: torch.sqrt(x1**2 + x2**2), [3.0, 4.0]),
    ("tanh(x1) + x1^3 - 2*x2", lambda x1, x2: torch.tanh(x1) + x1**3 - 2 * x2, [-0.4, 1.0]),
    ("log(1 + exp(x1*x2))", lambda x1, x2: torch.log(1 + torch.exp(x1 * x2)), [1.2, -0.8]),
    # relu'(0) = 0 in both (PyTorch's autograd convention and nnlab's).
    ("relu(x1)*x2 + sigmoid(x2)", lambda x1, x2: torch.relu(x1) * x2 + torch.sigmoid(x2), [0.0, 1.5]),
    ("abs(x1 - x2) + tan(x1)", lambda x1, x2: torch.abs(x1 - x2) + torch.tan(x1), [0.4, -0.2]),
]


def autograd_cases():
    cases = []
    for text, f, at in EXPRESSIONS:
        xs = [t(v).requires_grad_() for v in at]
        y = f(*xs)
        grads = torch.autograd.grad(y, xs)
        cases.append({"expr": text, "at": at, "value": float(y.detach()), "gradient": [float(gr) for gr in grads]})
    return cases


def softmax_regression_cases():
    """Loss (1/n) sum_i -log softmax(W x_i + b)_{y_i} + (lambda/2)||W||^2 and its autograd gradient."""
    g = torch.Generator().manual_seed(26)
    cases = []
    for k, d, n, lam in [(2, 3, 4, 0.0), (3, 5, 7, 0.1), (10, 6, 12, 1e-4), (4, 2, 1, 1.0)]:
        x = torch.rand(n, d, generator=g, dtype=torch.float64) * 2 - 1
        y = torch.randint(0, k, (n,), generator=g)
        w = (torch.rand(k, d, generator=g, dtype=torch.float64) * 2 - 1).requires_grad_()
        b = (torch.rand(k, generator=g, dtype=torch.float64) * 2 - 1).requires_grad_()
        loss = torch.nn.functional.cross_entropy(x @ w.T + b, y) + 0.5 * lam * (w**2).sum()
        gw, gb = torch.autograd.grad(loss, [w, b])
        cases.append({"k": k, "d": d, "lambda": lam, "x": lst(x), "y": lst(y), "w": lst(w.detach()), "b": lst(b.detach()), "loss": float(loss.detach()), "grad_w": lst(gw), "grad_b": lst(gb)})
    return cases


def cnn_cases():
    nn = torch.nn
    nets = [
        (
            "input 28x28x1; conv 3x3 f10 p1 s1; maxpool 2; conv 3x3 f10 p1; maxpool 2; flatten; fc 3",
            nn.Sequential(nn.Conv2d(1, 10, 3, padding=1), nn.MaxPool2d(2), nn.Conv2d(10, 10, 3, padding=1), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(490, 3)),
            (1, 1, 28, 28),
        ),
        (
            "input 32x32x3; conv 5 f6; relu; maxpool 2; conv 5 f16; relu; maxpool 2; flatten; fc 120; relu; fc 84; relu; fc 10",
            nn.Sequential(nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)),
            (1, 3, 32, 32),
        ),
        (
            "input 28x28x1; conv 3x3 f16 s2 p1; relu; conv 3x3 f32 s2 p1; relu; flatten; fc 32",
            nn.Sequential(nn.Conv2d(1, 16, 3, 2, 1), nn.ReLU(), nn.Conv2d(16, 32, 3, 2, 1), nn.ReLU(), nn.Flatten(), nn.Linear(1568, 32)),
            (1, 1, 28, 28),
        ),
        (
            "input 64x64x3; conv 3x3 f8 d2 p2 nobias; avgpool 2; conv 3x5 f4 s1; flatten; fc 7 nobias",
            nn.Sequential(nn.Conv2d(3, 8, 3, dilation=2, padding=2, bias=False), nn.AvgPool2d(2), nn.Conv2d(8, 4, (3, 5)), nn.Flatten(), nn.Linear(4 * 30 * 28, 7, bias=False)),
            (1, 3, 64, 64),
        ),
    ]
    cases = []
    for desc, net, shape in nets:
        out = net(torch.zeros(*shape))
        cases.append({"desc": desc, "params": sum(p.numel() for p in net.parameters()), "output_shape": list(out.shape[1:])})
    return cases


def divergence_cases():
    rng = np.random.default_rng(25)
    pairs = [([0.5, 0.5], [0.5, 0.5]), ([0.99, 0.01], [0.5, 0.5]), ([0.2, 0.3, 0.5], [0.5, 0.3, 0.2])]
    for _ in range(6):
        k = int(rng.integers(2, 8))
        p, q = rng.random(k), rng.random(k)
        pairs.append(((p / p.sum()).tolist(), (q / q.sum()).tolist()))
    cases = []
    for p, q in pairs:
        pa, qa = np.array(p), np.array(q)
        cases.append(
            {
                "p": p,
                "q": q,
                "kl": float(scipy.stats.entropy(pa, qa)),
                "reverse_kl": float(scipy.stats.entropy(qa, pa)),
                "total_variation": float(0.5 * np.abs(pa - qa).sum()),
                # The common convention H² = ½ Σ (√p − √q)², in [0, 1].
                "squared_hellinger_half": float(0.5 * ((np.sqrt(pa) - np.sqrt(qa)) ** 2).sum()),
                "chi_squared": float(((pa - qa) ** 2 / qa).sum()),
                # SciPy returns the Jensen–Shannon *distance*, the square root of the divergence.
                "jensenshannon_distance": float(scipy.spatial.distance.jensenshannon(pa, qa)),
            }
        )
    return cases


def metric_cases():
    rng = np.random.default_rng(24)
    cases = [
        {"normal": [0.0, 0.0, 1.0], "anomalous": [1.0, 1.0]},
        {"normal": [1.0, 2.0, 3.0], "anomalous": [1.0, 2.0, 3.0]},
        {"normal": [0.1], "anomalous": [0.9]},
        {"normal": [0.9], "anomalous": [0.1]},
    ]
    for _ in range(8):
        n, a = rng.integers(1, 30, size=2)
        cases.append(
            {
                "normal": (rng.integers(0, 6, size=n) / 2).tolist(),
                "anomalous": (rng.integers(2, 9, size=a) / 2).tolist(),
            }
        )
    for c in cases:
        y = [0] * len(c["normal"]) + [1] * len(c["anomalous"])
        s = c["normal"] + c["anomalous"]
        c["auroc"] = float(sklearn.metrics.roc_auc_score(y, s))
        c["average_precision"] = float(sklearn.metrics.average_precision_score(y, s))
    return cases


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "crates/nnlab/tests/fixtures/reference")
    out.mkdir(parents=True, exist_ok=True)
    made = {
        "signal.json": write(out, "signal.json", ["numpy", "scipy"], signal_cases()),
        "softmax.json": write(out, "softmax.json", ["scipy"], softmax_cases()),
        "stats.json": write(out, "stats.json", ["scipy"], stats_cases()),
        "torch_ops.json": write(out, "torch_ops.json", ["torch"], torch_op_cases()),
        "kl.json": write(out, "kl.json", ["torch"], kl_cases()),
        "autograd.json": write(out, "autograd.json", ["torch"], autograd_cases()),
        "softmax_regression.json": write(out, "softmax_regression.json", ["torch"], softmax_regression_cases()),
        "cnn_params.json": write(out, "cnn_params.json", ["torch"], cnn_cases()),
        "divergences.json": write(out, "divergences.json", ["numpy", "scipy"], divergence_cases()),
        "metrics.json": write(out, "metrics.json", ["sklearn"], metric_cases()),
    }
    for name, n in made.items():
        print(f"{name}: {n} cases")


if __name__ == "__main__":
    main()
