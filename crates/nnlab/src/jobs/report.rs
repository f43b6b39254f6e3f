//! Every run's `report.html` and `run.json`, written by [`super::execute`] after a successful
//! run, so that each job gets its report page without writing a line for it.

use super::{Job, JobError};
use crate::report::{self, RunInfo};

/// Writes `run.json` and `report.html` into the job's output folder, if the run wrote into it
/// (a job such as `anomaly-score` that writes elsewhere gets none). The page shows the
/// command line of this process, `job`'s config, its `report` and every figure in the folder.
/// With `since` (when the run took the folder), `run.json` lists the files written since then,
/// and the files of `previous` (the folder's earlier run) not among them are removed first
/// ([`super::stale`]), so the page shows no figure of another run.
pub fn write<J: Job>(
    job: &J,
    report: &J::Report,
    wall_seconds: f64,
    since: Option<std::time::SystemTime>,
    previous: &[String],
) -> Result<Option<std::path::PathBuf>, JobError> {
    let out = job.env().outputs();
    if !out.dir().is_dir() {
        return Ok(None);
    }
    let mut files = Vec::new();
    if let Some(t) = since {
        files = super::stale::written_since(out.dir(), t);
        super::stale::remove(out.dir(), previous, &files)?;
    }
    for name in [report::RUN_JSON, report::PAGE] {
        if !files.iter().any(|f| f == name) {
            files.push(name.to_string());
        }
    }
    files.sort();
    let json = |v: serde_json::Result<serde_json::Value>| {
        v.map_err(|e| JobError::file(&out.path(report::PAGE), e))
    };
    let config = json(serde_json::to_value(job))?;
    let metrics = json(serde_json::to_value(report))?;
    let finished = report::html::now_secs();
    let info = RunInfo {
        job: J::NAME.to_string(),
        command: std::env::args().collect::<Vec<_>>().join(" "),
        finished,
        date: report::html::utc_date(finished),
        wall_seconds,
        version: env!("CARGO_PKG_VERSION").to_string(),
        files,
    };
    out.json(report::RUN_JSON, &info)?;
    let figures = report::figures(out.dir()).map_err(|e| JobError::file(out.dir(), e))?;
    let page = report::run_page(&info, &config, &metrics, &figures);
    Ok(Some(out.text(report::PAGE, &page)?))
}

#[cfg(test)]
mod tests {
    use crate::jobs::{execute, flow1d::Config};
    use crate::report::RunInfo;

    /// A tiny flow1d run through `execute` gets `run.json` and a page that shows its figure and
    /// its held-out NLL exactly as `metrics.json` writes it.
    #[test]
    fn execute_writes_report_page_and_run_json() {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = Config::default();
        cfg.env.out = dir.path().join("run");
        (cfg.train.epochs, cfg.train.batch_size) = (1, 100);
        (cfg.n_train, cfg.n_test, cfg.samples) = (200, 200, 200);
        let r = execute(&cfg, &mut ()).unwrap();
        let page = std::fs::read_to_string(dir.path().join("run/report.html")).unwrap();
        let nll = serde_json::Value::from(r.test_nll).to_string();
        assert!(page.contains(&format!("data-metric=\"test_nll\">{nll}</td>")));
        assert!(page.contains("<figure id=\"fig-flow1d.png\"><img"));
        let info: RunInfo =
            serde_json::from_slice(&std::fs::read(dir.path().join("run/run.json")).unwrap())
                .unwrap();
        assert_eq!(
            (info.job.as_str(), info.version.as_str()),
            ("flow1d", env!("CARGO_PKG_VERSION"))
        );
        assert!(info.wall_seconds > 0.0);
    }
}
