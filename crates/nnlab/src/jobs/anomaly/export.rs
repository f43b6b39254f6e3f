//! The export job (`nnlab anomaly export`): a saved autoencoder detector (the `model/` folder of
//! an anomaly run, loaded and checked like `anomaly score` does) written for PyTorch as
//! `model.safetensors`, the `state_dict` of the equivalent `nn.Sequential` in PyTorch's names and
//! layouts ([`crate::models::autoencoder::torch`]), and `score.py`, which rebuilds that network,
//! loads the weights and scores IDX images with the detector's score and threshold.

use crate::anomaly::{Arch, Detector, ModelConfig, ScorerConfig, ScoringModel};
use crate::jobs::{Env, Job, JobError, Observer, Outputs};
use crate::models::autoencoder::{TorchModule, TorchSequential};
use std::path::PathBuf;

/// File name of the weights in the export folder.
pub const WEIGHTS: &str = "model.safetensors";
/// File name of the scoring script in the export folder.
pub const SCRIPT: &str = "score.py";

/// Settings of one export. `Default` has empty paths, which [`Job::validate`] rejects: the
/// detector and the destination must be named.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Config {
    /// Folder of a saved detector (`detector.json` + `weights.safetensors`).
    pub model: PathBuf,
    /// Folder that receives `model.safetensors` and `score.py` (created if missing).
    pub to: PathBuf,
    /// Device the detector is loaded on (`out`, `seed` and the data settings are not used).
    pub env: Env,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            model: PathBuf::new(),
            to: PathBuf::new(),
            env: Env::named("anomaly-export"),
        }
    }
}

/// What an export wrote.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Report {
    /// The autoencoder family (`mlp` or `conv`).
    pub arch: Arch,
    /// The detector's threshold τ and its training data, as written into `score.py`.
    pub threshold: f64,
    pub trained_on: String,
    /// Modules of the `nn.Sequential`, tensors of its `state_dict` and their total size.
    pub modules: usize,
    pub tensors: usize,
    pub parameters: usize,
    /// The two files written.
    pub weights: PathBuf,
    pub script: PathBuf,
}

impl Job for Config {
    const NAME: &'static str = "anomaly-export";
    type Report = Report;
    const WRITES_OUT: bool = false;

    fn env(&self) -> &Env {
        &self.env
    }

    fn validate(&self) -> Result<(), JobError> {
        if self.model.as_os_str().is_empty() {
            return Err(JobError::setting(
                "model",
                "name the folder of a saved detector",
            ));
        }
        if self.to.as_os_str().is_empty() {
            return Err(JobError::setting("to", "name the folder to export into"));
        }
        if self.to.exists() && !self.to.is_dir() {
            return Err(JobError::setting(
                "to",
                format!("{} exists and is not a folder", self.to.display()),
            ));
        }
        self.env.device()?;
        Ok(())
    }

    fn run(&self, obs: &mut dyn Observer) -> Result<Report, JobError> {
        let device = self.env.device()?;
        obs.stage("loading the detector");
        let det = Detector::load(&self.model, &device)?;
        let refuse = |why: String| {
            JobError::file(
                &self.model,
                format!(
                    "cannot export to PyTorch: {why}; only autoencoder (ae) detectors without \
                     a complexity correction export"
                ),
            )
        };
        let (ScoringModel::Ae(ae), ScorerConfig::Ae(cfg)) = (&det.model, &det.info.model) else {
            let scorer = det.info.model.scorer();
            return Err(refuse(format!(
                "this is a {scorer} detector ({}), not an autoencoder",
                scorer.formula()
            )));
        };
        if !det.info.complexity.is_none() {
            return Err(refuse(format!(
                "its scores are corrected for input complexity ({:?}), which depends on the \
                 exact bytes of nnlab's zlib compressor",
                det.info.complexity
            )));
        }
        obs.stage("writing the PyTorch model");
        let seq = ae.to_torch();
        let bytes =
            safetensors_bytes(&seq, &det).map_err(|e| JobError::file(&self.to.join(WEIGHTS), e))?;
        let out = Outputs::new(&self.to);
        let weights = out.bytes(WEIGHTS, &bytes)?;
        let script = out.text(SCRIPT, &score_script(&seq, cfg, &det))?;
        Ok(Report {
            arch: cfg.arch,
            threshold: det.info.threshold,
            trained_on: det.info.trained_on.clone(),
            modules: seq.modules.len(),
            tensors: seq.tensors.len(),
            parameters: seq.tensors.iter().map(|t| t.values.len()).sum(),
            weights,
            script,
        })
    }
}

/// The `state_dict` of `seq` as safetensors, with the metadata `format = pt` that PyTorch's own
/// `save_file` writes and the detector's threshold and training data.
fn safetensors_bytes(seq: &TorchSequential, det: &Detector) -> Result<Vec<u8>, String> {
    let threshold = format!("{:?}", det.info.threshold);
    crate::io::f32_safetensors(
        seq.tensors
            .iter()
            .map(|t| (t.name.as_str(), t.shape.as_slice(), t.values.as_slice())),
        &[
            ("format", "pt"),
            ("threshold", &threshold),
            ("trained_on", &det.info.trained_on),
        ],
    )
}

/// `score.py` for the detector: the template with its network, image size and threshold.
fn score_script(seq: &TorchSequential, cfg: &ModelConfig, det: &Detector) -> String {
    let (rows, cols) = (cfg.rows, cfg.cols);
    let layers: String = seq
        .modules
        .iter()
        .map(|m| format!("        {},\n", python(m)))
        .collect();
    let net = match cfg.arch {
        Arch::Mlp => {
            let widths: Vec<String> = std::iter::once(cfg.input_dim())
                .chain(cfg.hidden.iter().copied())
                .chain([cfg.latent])
                .map(|w| w.to_string())
                .collect();
            format!("dense autoencoder {} mirrored", widths.join("-"))
        }
        Arch::Conv => format!(
            "convolutional autoencoder, channels {:?}, code {}",
            cfg.hidden, cfg.latent
        ),
    };
    // The description goes into a """docstring""": escape what could end it.
    let description = format!(
        "{net} on {rows}x{cols} images, trained on {} (nnlab {})",
        det.info.trained_on, det.info.nnlab_version
    )
    .replace('\\', "\\\\")
    .replace('"', "\\\"");
    include_str!("score_template.py")
        .replace("@DESCRIPTION@", &description)
        .replace("@SIGMAS@", &format!("{}", det.info.sigmas))
        .replace("@THRESHOLD@", &format!("{:?}", det.info.threshold))
        .replace("@ROWS@", &rows.to_string())
        .replace("@COLS@", &cols.to_string())
        .replace("@LAYERS@\n", &layers)
}

/// The PyTorch constructor of one module, e.g. `nn.Linear(784, 256)`.
fn python(m: &TorchModule) -> String {
    let pair = |p: [usize; 2]| format!("({}, {})", p[0], p[1]);
    match *m {
        TorchModule::Linear { inputs, outputs } => format!("nn.Linear({inputs}, {outputs})"),
        TorchModule::Conv2d {
            in_channels,
            out_channels,
            kernel,
            stride,
            padding,
        } => format!(
            "nn.Conv2d({in_channels}, {out_channels}, {}, stride={}, padding={})",
            pair(kernel),
            pair(stride),
            pair(padding)
        ),
        TorchModule::ConvTranspose2d {
            in_channels,
            out_channels,
            kernel,
            stride,
            padding,
            output_padding,
        } => format!(
            "nn.ConvTranspose2d({in_channels}, {out_channels}, {}, stride={}, padding={}, \
             output_padding={})",
            pair(kernel),
            pair(stride),
            pair(padding),
            pair(output_padding)
        ),
        TorchModule::Relu => "nn.ReLU()".into(),
        TorchModule::Sigmoid => "nn.Sigmoid()".into(),
        TorchModule::Flatten => "nn.Flatten()".into(),
        TorchModule::Unflatten([c, h, w]) => format!("nn.Unflatten(1, ({c}, {h}, {w}))"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::anomaly::DetectorInfo;
    use burn::prelude::Device;

    /// A training-data name with quotes and backslashes cannot end the script's docstring.
    #[test]
    fn script_docstring_survives_quotes_in_names() {
        let device = Device::flex();
        let cfg = ModelConfig {
            hidden: vec![3],
            latent: 2,
            ..ModelConfig::mlp(4, 4)
        };
        let det = Detector {
            model: ScoringModel::Ae(cfg.init(&device)),
            info: DetectorInfo {
                model: ScorerConfig::Ae(cfg.clone()),
                validation_mean: 0.0,
                validation_std: 1.0,
                sigmas: 3.0,
                threshold: 3.0,
                trained_on: r#"a"""b\"#.into(),
                nnlab_version: "0".into(),
                complexity: Default::default(),
                weights_md5: String::new(),
            },
        };
        let ScoringModel::Ae(ae) = &det.model else {
            unreachable!()
        };
        let script = score_script(&ae.to_torch(), &cfg, &det);
        let quotes = |text: &str| text.matches(r#"""""#).count();
        assert_eq!(
            quotes(&script),
            quotes(include_str!("score_template.py")),
            "the name adds no triple quote: {script}"
        );
        assert!(script.contains(r#"a\"\"\"b\\ (nnlab"#), "{script}");
        assert!(script.contains("nn.Linear(16, 3),\n        nn.ReLU(),"));
    }
}
