//! Progress display for long jobs: stage headings, a download bar and one bar per training epoch,
//! all on stderr and all silenced by `--quiet`.

use indicatif::{ProgressBar, ProgressStyle};
use nnlab::train::{EpochStats, TrainObserver};

/// Draws the progress of a job with indicatif.
pub struct Bars {
    quiet: bool,
    bar: ProgressBar,
    /// The bar of the download in progress.
    download: ProgressBar,
}

impl Bars {
    pub fn new(quiet: bool) -> Self {
        Self {
            quiet,
            bar: ProgressBar::hidden(),
            download: ProgressBar::hidden(),
        }
    }
}

impl TrainObserver for Bars {
    fn epoch_start(&mut self, epoch: usize, epochs: usize, steps: usize) {
        if self.quiet {
            return;
        }
        self.bar = ProgressBar::new(steps as u64).with_style(
            ProgressStyle::with_template(
                "{prefix} [{bar:30.cyan/blue}] {pos}/{len} steps  {msg}  eta {eta}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        self.bar.set_prefix(format!("epoch {epoch:>2}/{epochs}"));
    }

    fn step(&mut self, loss_per_image: f64, images_per_sec: f64) {
        self.bar.inc(1);
        self.bar.set_message(format!(
            "loss/img {loss_per_image:8.3}  {images_per_sec:>7.0} img/s"
        ));
    }

    fn epoch_end(&mut self, s: &EpochStats) {
        self.bar.finish_with_message(format!(
            "loss/img {:8.3}  {:>7.0} img/s  {:.1}s",
            s.loss_per_image, s.images_per_sec, s.seconds
        ));
    }
}

impl nnlab::jobs::Observer for Bars {
    fn stage(&mut self, what: &str) {
        if !self.quiet {
            eprintln!("==> {what}");
        }
    }

    fn progress(&mut self, done: u64, total: u64) {
        if self.quiet {
            return;
        }
        if self.bar.is_hidden() || self.bar.length() != Some(total) || done == 0 {
            self.bar = ProgressBar::new(total).with_style(
                ProgressStyle::with_template("[{bar:30.cyan/blue}] {pos}/{len}  eta {eta}")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
        }
        self.bar.set_position(done);
        if done >= total {
            self.bar.finish();
        }
    }

    fn download(&mut self, file: &str, done: u64, total: Option<u64>) {
        if self.quiet {
            return;
        }
        if done == 0 {
            self.download = ProgressBar::new(total.unwrap_or(0)).with_style(
                ProgressStyle::with_template(
                    "downloading {msg} [{bar:30.cyan/blue}] {bytes}/{total_bytes} ({bytes_per_sec})",
                )
                .expect("valid template")
                .progress_chars("=> "),
            );
            if total.is_none() {
                self.download.unset_length();
            }
            self.download.set_message(file.to_string());
        }
        self.download.set_position(done);
        if total == Some(done) {
            self.download.finish();
        }
    }
}
