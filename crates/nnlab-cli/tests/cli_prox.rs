//! `nnlab lasso`, `nnlab deblur` and `nnlab dictionary` end to end on small settings: they print
//! their measurements and write their files; bad settings and bad files fail with exit code 1
//! and a message naming them. Deblur and dictionary use the real MNIST files (skipped if absent).

mod common;

use common::{nnlab, text};
use nnlab::data::testing::shared_data_dir;

#[test]
fn lasso_on_a_generated_problem_prints_and_writes_everything() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("lasso");
    let o = nnlab(&[
        "lasso",
        "--m",
        "30",
        "--n",
        "60",
        "--k",
        "3",
        "--iterations",
        "200",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    for needle in [
        "ISTA",
        "FISTA",
        "subgradient",
        "F* =",
        "rates:",
        "(3/3 true)",
    ] {
        assert!(stdout.contains(needle), "missing '{needle}' in:\n{stdout}");
    }
    for f in ["x.npy", "convergence.png", "history.csv", "metrics.json"] {
        assert!(out.join(f).exists(), "{f}");
    }
    let x = nnlab::npy::read(&out.join("x.npy")).unwrap();
    assert_eq!(x.shape, vec![60]);
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap();
    let r = &m["report"];
    assert!(r["ista_rate_constant"].as_f64().unwrap() <= r["ista_bound"].as_f64().unwrap());
    assert!(r["fista_rate_constant"].as_f64().unwrap() <= r["fista_bound"].as_f64().unwrap());
}

#[test]
fn lasso_reads_npy_files_and_matches_the_generated_run() {
    let dir = tempfile::tempdir().unwrap();
    let p = nnlab::prox::sparse_problem(20, 40, 3, 9);
    let (ap, bp) = (dir.path().join("A.npy"), dir.path().join("b.npy"));
    std::fs::write(&ap, nnlab::npy::to_bytes(&[20, 40], &p.a.data)).unwrap();
    std::fs::write(&bp, nnlab::npy::to_bytes(&[20], &p.b)).unwrap();
    let run = |extra: &[&str], out: &str| {
        let out = dir.path().join(out);
        let mut args = vec!["lasso", "--quiet", "--out", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        let o = nnlab(&args);
        assert!(o.status.success(), "{:?}", text(&o));
        nnlab::npy::read(&out.join("x.npy")).unwrap().data
    };
    let from_files = run(
        &["--a", ap.to_str().unwrap(), "--b", bp.to_str().unwrap()],
        "f",
    );
    let generated = run(&["--m", "20", "--n", "40", "--k", "3", "--seed", "9"], "g");
    // The same problem: the solutions agree to rounding (1e-12; last-bit differences between
    // the problem generated in this test binary and in the CLI binary have been observed).
    let diff = from_files
        .iter()
        .zip(&generated)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert_eq!(from_files.len(), 40);
    assert!(diff < 1e-12, "{diff}");
}

#[test]
fn lasso_rejects_bad_settings_and_files_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.npy");
    std::fs::write(&bad, b"not numpy at all").unwrap();
    let short_b = dir.path().join("b.npy");
    std::fs::write(&short_b, nnlab::npy::to_bytes(&[3], &[1.0, 2.0, 3.0])).unwrap();
    let a = dir.path().join("A.npy");
    std::fs::write(&a, nnlab::npy::to_bytes(&[2, 2], &[1.0; 4])).unwrap();
    let cases: [(&[&str], &str); 5] = [
        (&["--lambda", "0"], "lambda"),
        (&["--k", "900"], "k"),
        (&["--a", a.to_str().unwrap()], "b"),
        (
            &[
                "--a",
                bad.to_str().unwrap(),
                "--b",
                short_b.to_str().unwrap(),
            ],
            "bad.npy",
        ),
        (
            &["--a", a.to_str().unwrap(), "--b", short_b.to_str().unwrap()],
            "b.npy",
        ),
    ];
    for (args, needle) in cases {
        let out = dir.path().join("o");
        let mut all = vec!["lasso", "--quiet", "--out", out.to_str().unwrap()];
        all.extend_from_slice(args);
        let o = nnlab(&all);
        let (_, stderr) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains(needle),
            "{args:?}: '{needle}' not in {stderr}"
        );
    }
}

#[test]
fn deblur_improves_psnr_on_a_real_digit() {
    let Some(data) = shared_data_dir() else {
        eprintln!("skipped: no real data");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deblur");
    let o = nnlab(&[
        "deblur",
        "--offline",
        "--data-dir",
        data.to_str().unwrap(),
        "--index",
        "3",
        "--iterations",
        "60",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap();
    let r = &m["report"];
    let (blur, fista) = (
        r["psnr_blurred"].as_f64().unwrap(),
        r["psnr_fista"].as_f64().unwrap(),
    );
    assert!(fista > blur + 1.0, "FISTA {fista} dB vs blurred {blur} dB");
    for f in ["deblur.png", "psnr.png", "recovered.npy"] {
        assert!(out.join(f).exists(), "{f}");
    }
    let o = nnlab(&[
        "deblur",
        "--offline",
        "--data-dir",
        data.to_str().unwrap(),
        "--index",
        "99999",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("index"));
}

#[test]
fn dictionary_learns_and_codes_real_digits() {
    let Some(data) = shared_data_dir() else {
        eprintln!("skipped: no real data");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dict");
    let o = nnlab(&[
        "dictionary",
        "--offline",
        "--data-dir",
        data.to_str().unwrap(),
        "--train-limit",
        "500",
        "--test",
        "mnist:test:0",
        "--atoms",
        "32",
        "--rounds",
        "2",
        "--coding-iterations",
        "30",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert!(o.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(
        stdout.contains("round   2") && stdout.contains("nonzeros"),
        "{stdout}"
    );
    for f in [
        "atoms.png",
        "reconstructions.png",
        "objective.png",
        "metrics.json",
        "model/atoms.npy",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    let d = nnlab::models::sparse_coding::Dictionary::load(&out.join("model")).unwrap();
    assert_eq!((d.dim, d.atoms), (784, 32));
    let o = nnlab(&[
        "dictionary",
        "--atoms",
        "0",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("atoms"));
}
