//! Checkpoints and reused output folders, against the `nnlab` binary: a training run killed
//! with SIGKILL after its first checkpoint and resumed ends with the metrics and weights of an
//! uninterrupted run; a run into the folder of an earlier run of another scorer removes that
//! run's outputs it does not write again, and nothing else.

mod common;

use common::{nnlab, text};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SIDE: usize = 12;

/// `n` images of a two-pixel bar, horizontal (normal) or vertical (anomalous), at a position
/// and with background noise given by a fixed formula of the image index.
fn bars(n: usize, vertical: bool, salt: usize) -> Vec<u8> {
    let mut px = vec![0u8; n * SIDE * SIDE];
    for (i, img) in px.chunks_mut(SIDE * SIDE).enumerate() {
        let at = 2 + (i * 7 + salt) % (SIDE - 4);
        for (k, p) in img.iter_mut().enumerate() {
            let (r, c) = (k / SIDE, k % SIDE);
            let line = if vertical { c } else { r };
            *p = if line == at || line == at + 1 {
                230
            } else {
                ((i * 31 + k * 17 + salt) % 25) as u8
            };
        }
    }
    px
}

/// Writes the normal training, normal test and anomaly sets into `dir`; returns the options
/// of an anomaly run on them (without --out, --scorer and the checkpoint options).
fn data_args(dir: &Path) -> Vec<String> {
    let mut args = vec!["anomaly".to_string()];
    for (flag, n, vertical, salt) in [
        ("--normal", 400, false, 0),
        ("--normal-test", 100, false, 1),
        ("--anomaly", 100, true, 2),
    ] {
        let path = dir.join(format!("{}.idx", &flag[2..]));
        nnlab::data::write_idx_u8(&path, &[n, SIDE, SIDE], &bars(n, vertical, salt), false)
            .unwrap();
        args.extend([flag.to_string(), path.display().to_string()]);
    }
    let rest = "--validation 100 --hidden 24 --latent 4 --batch-size 40 --seed 3 --quiet";
    args.extend(rest.split(' ').map(String::from));
    args
}

fn run_ok(args: &[String]) {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = nnlab(&refs);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{args:?}\n{out}\n{err}");
}

/// `metrics.json` of `out` without what legitimately differs between an interrupted and an
/// uninterrupted run: timings, the output folder and the checkpoint options.
fn metrics(out: &Path) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.retain(|k, _| {
                    !(k.contains("seconds")
                        || k.contains("per_sec")
                        || ["out", "checkpoint_every", "resume"].contains(&k.as_str()))
                });
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v: Value =
        serde_json::from_slice(&std::fs::read(out.join("metrics.json")).unwrap()).unwrap();
    strip(&mut v);
    v
}

fn checkpoints(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    let name = p.file_name().unwrap().to_string_lossy().into_owned();
                    name.starts_with("checkpoint-epoch-") && p.join("checkpoint.json").is_file()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The binary trains 150 epochs with a checkpoint after every epoch; as soon as the first
/// checkpoint folder is complete it gets SIGKILL. `--resume` into the same folder (whose lock
/// is now stale) finishes the run. Its metrics.json (timings aside) and its saved weights are
/// identical to those of an uninterrupted run with the same seed: tolerance 0, the same
/// floating-point operations in the same order. A run with another seed differs in both, so
/// the comparison can fail.
#[test]
fn a_killed_run_resumes_to_the_uninterrupted_result() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = data_args(dir.path());
    args.extend(["--epochs", "150"].map(String::from));
    let killed = dir.path().join("killed");
    let with_out = |out: &Path, extra: &[&str]| {
        let mut a = args.clone();
        a.extend(["--out".to_string(), out.display().to_string()]);
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };

    let mut child = Command::new(env!("CARGO_BIN_EXE_nnlab"))
        .args(with_out(&killed, &["--checkpoint-every", "1"]))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while checkpoints(&killed).is_empty() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before its first checkpoint"
        );
        assert!(start.elapsed() < Duration::from_secs(300), "no checkpoint");
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL
    let status = child.wait().unwrap();
    assert_eq!(status.code(), None, "killed by the signal, not finished");
    assert!(!killed.join("metrics.json").exists());
    let at = checkpoints(&killed);
    eprintln!("killed after {:?}", at);

    let k = killed.display().to_string();
    run_ok(&with_out(&killed, &["--resume", &k]));
    let straight = dir.path().join("straight");
    run_ok(&with_out(&straight, &[]));
    assert_eq!(metrics(&killed), metrics(&straight));
    let weights = |out: &Path| std::fs::read(out.join("model/weights.safetensors")).unwrap();
    assert_eq!(weights(&killed), weights(&straight));

    let other = dir.path().join("other");
    let mut a = with_out(&other, &[]);
    let seed = a.iter().position(|s| s == "--seed").unwrap();
    a[seed + 1] = "4".into();
    run_ok(&a);
    assert_ne!(metrics(&other)["epochs"], metrics(&straight)["epochs"]);
    assert_ne!(weights(&other), weights(&straight));
}

/// Resuming with settings other than the checkpoint's fails before any work, naming --resume
/// and the setting; so does a folder without a checkpoint.
#[test]
fn resume_checks_the_checkpoint_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = data_args(dir.path());
    let out = dir.path().join("run").display().to_string();
    args.extend(["--epochs", "2", "--checkpoint-every", "2", "--out", &out].map(String::from));
    run_ok(&args);
    let resume = |extra: &[&str]| {
        let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
        a.extend(extra);
        let o = nnlab(&a);
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(1), "{err}");
        err
    };
    let err = resume(&["--resume", &out, "--lr", "0.01"]);
    assert!(
        err.contains("--resume") && err.contains("learning rate"),
        "{err}"
    );
    let err = resume(&["--resume", &out, "--hidden", "25"]);
    assert!(
        err.contains("--resume") && err.contains("`hidden`"),
        "{err}"
    );
    let empty = dir.path().display().to_string();
    let err = resume(&["--resume", &empty]);
    assert!(err.contains("holds no checkpoint"), "{err}");
    let fresh = data_args(dir.path());
    let mut zero: Vec<&str> = fresh.iter().map(String::as_str).collect();
    zero.extend(["--checkpoint-every", "0"]);
    let o = nnlab(&zero);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("--checkpoint-every"), "{err}");
}

/// A flow run writes extremes.png; an autoencoder run into the same folder writes
/// reconstructions.png instead and removes the flow run's extremes.png and checkpoint (listed
/// in its run.json), but not a file the user put there. Its run.json lists what it wrote.
#[test]
fn a_reused_folder_loses_the_outputs_of_the_previous_run() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = data_args(dir.path());
    let out = dir.path().join("run");
    let o = out.display().to_string();
    args.extend(["--epochs", "1", "--out", &o].map(String::from));
    let mut flow = args.clone();
    flow.extend(["--scorer", "flow", "--checkpoint-every", "1"].map(String::from));
    run_ok(&flow);
    assert!(out.join("extremes.png").exists() && !checkpoints(&out).is_empty());
    std::fs::write(out.join("notes.txt"), "mine").unwrap();

    run_ok(&args);
    assert!(out.join("reconstructions.png").exists());
    assert!(!out.join("extremes.png").exists(), "stale figure removed");
    assert!(checkpoints(&out).is_empty(), "stale checkpoint removed");
    assert_eq!(
        std::fs::read_to_string(out.join("notes.txt")).unwrap(),
        "mine"
    );
    let info: Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    let files: Vec<&str> = info["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    for f in [
        "metrics.json",
        "reconstructions.png",
        "model/detector.json",
        "run.json",
    ] {
        assert!(files.contains(&f), "{f} in {files:?}");
    }
    assert!(!files.contains(&"notes.txt") && !files.contains(&"extremes.png"));
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        !page.contains("extremes.png"),
        "the page shows no stale figure"
    );
}
