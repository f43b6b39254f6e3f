//! The one place that turns the library's config field names into this tool's flags: a job's
//! [`JobError::Setting`] names a field such as `train.batch_size`; the user typed
//! `--batch-size`.

use nnlab::jobs::JobError;

/// Fields whose flag is not `--` + the last path segment with `_` → `-`.
const OVERRIDES: &[(&str, &str)] = &[
    ("n_samples", "--samples"),
    ("n_train", "--train"),
    ("n_test", "--test"),
    ("losses", "--loss"),
    ("log_histogram", "--linear-histogram"),
    ("env.out", "--out"),
    ("env.data_dir", "--data-dir"),
];

/// The flag that sets config field `field` (e.g. `train.lr` → `--lr`).
pub fn flag(field: &str) -> String {
    if let Some((_, f)) = OVERRIDES.iter().find(|(name, _)| *name == field) {
        return (*f).to_string();
    }
    let last = field.rsplit('.').next().unwrap_or(field);
    match OVERRIDES.iter().find(|(name, _)| *name == last) {
        Some((_, f)) => (*f).to_string(),
        None => format!("--{}", last.replace('_', "-")),
    }
}

/// The error's message for the command line: setting errors name the flag, not the field.
pub fn message(e: &JobError) -> String {
    match e {
        JobError::Setting { field, message } => format!("{}: {message}", flag(field)),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::flag;

    #[test]
    fn fields_map_to_flags() {
        assert_eq!(flag("train.batch_size"), "--batch-size");
        assert_eq!(flag("train.lr"), "--lr");
        assert_eq!(flag("validation"), "--validation");
        assert_eq!(flag("normal_test"), "--normal-test");
        assert_eq!(flag("n_samples"), "--samples");
        assert_eq!(flag("out"), "--out");
        assert_eq!(flag("sparse.atoms"), "--atoms");
        assert_eq!(flag("sparse.lambda"), "--lambda");
        assert_eq!(flag("sparse.coding_iterations"), "--coding-iterations");
    }
}
