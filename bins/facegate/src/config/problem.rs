//! Configuration problems: each names the key it is about (`door[2].access_point`).

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem with one key. Array entries are 0-based: `door[0]` is the first `[[door]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The key, e.g. `door[2].access_point`, `ingest.token_env`, or `""` for the whole file.
    pub key: String,
    /// What is wrong and, where possible, how to fix it. Never contains a secret value.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.key, self.message)
        }
    }
}

/// Why a configuration was refused: every error found (not just the first), plus warnings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigErrors {
    /// The file the problems are in.
    pub file: PathBuf,
    /// Errors: the configuration cannot be used.
    pub errors: Vec<Problem>,
    /// Warnings: it would work, but deserves attention.
    pub warnings: Vec<Problem>,
}

impl ConfigErrors {
    /// One line per error, then one per warning, each starting with the file name.
    pub fn lines(&self) -> Vec<String> {
        problem_lines(&self.file, &self.errors, &self.warnings)
    }
}

/// Formats problems one line each: `facegate.toml: error: door[0].camera: …`.
pub fn problem_lines(file: &Path, errors: &[Problem], warnings: &[Problem]) -> Vec<String> {
    let file = file.display();
    errors
        .iter()
        .map(|p| format!("{file}: error: {p}"))
        .chain(warnings.iter().map(|p| format!("{file}: warning: {p}")))
        .collect()
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lines().join("\n"))
    }
}

impl std::error::Error for ConfigErrors {}

/// Collects problems while the configuration is resolved.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    pub(crate) errors: Vec<Problem>,
    pub(crate) warnings: Vec<Problem>,
}

impl Problems {
    pub(crate) fn error(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.errors.push(Problem {
            key: key.into(),
            message: message.into(),
        });
    }

    pub(crate) fn warn(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.warnings.push(Problem {
            key: key.into(),
            message: message.into(),
        });
    }
}
