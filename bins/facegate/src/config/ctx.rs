//! Helpers that turn raw values into resolved ones, recording a keyed problem on failure.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use acs_proto::Secret;

use super::problem::Problems;
use super::raw::V;
use crate::duration::parse_duration;
use crate::secret::{resolve_secret, SecretOutcome, SecretSources};

/// Resolution context: the problems found so far, the config file's directory, the environment.
pub(crate) struct Ctx<'a> {
    pub(crate) problems: Problems,
    pub(crate) base: &'a Path,
    pub(crate) env: &'a dyn Fn(&str) -> Option<String>,
}

impl Ctx<'_> {
    /// The value, or `None` (with a problem when it had the wrong type).
    pub(crate) fn take<T>(&mut self, key: &str, v: Option<V<T>>) -> Option<T> {
        match v?.0 {
            Ok(t) => Some(t),
            Err(e) => {
                self.problems.error(key, e);
                None
            }
        }
    }

    /// Like [`take`](Self::take), with a "missing" problem when absent.
    pub(crate) fn required<T>(&mut self, key: &str, v: Option<V<T>>) -> Option<T> {
        if v.is_none() {
            self.problems.error(key, "missing (required)");
            return None;
        }
        self.take(key, v)
    }

    /// A required non-empty string.
    pub(crate) fn required_text(&mut self, key: &str, v: Option<V<String>>) -> Option<String> {
        let s = self.required(key, v)?;
        if s.trim().is_empty() {
            self.problems.error(key, "must not be empty");
            return None;
        }
        Some(s)
    }

    /// A duration, `default` when absent; `positive` refuses zero.
    pub(crate) fn duration(
        &mut self,
        key: &str,
        v: Option<V<String>>,
        default: Duration,
        positive: bool,
    ) -> Duration {
        let Some(text) = self.take(key, v) else {
            return default;
        };
        match parse_duration(&text) {
            Ok(d) if positive && d.is_zero() => {
                self.problems.error(key, "must be greater than zero");
                default
            }
            Ok(d) => d,
            Err(e) => {
                self.problems.error(key, e);
                default
            }
        }
    }

    /// A socket address `ip:port`, `default` when absent.
    pub(crate) fn socket_addr(
        &mut self,
        key: &str,
        v: Option<V<String>>,
        default: &str,
    ) -> SocketAddr {
        let fallback = || {
            default
                .parse()
                .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 0)))
        };
        let Some(text) = self.take(key, v) else {
            return fallback();
        };
        match text.trim().parse() {
            Ok(a) => a,
            Err(_) => {
                self.problems.error(
                    key,
                    format!("{text:?} is not an address like \"0.0.0.0:8080\" or \"[::]:8080\""),
                );
                fallback()
            }
        }
    }

    /// A path relative to the config file's directory.
    pub(crate) fn path(&mut self, key: &str, v: Option<V<String>>) -> Option<PathBuf> {
        let text = self.take(key, v)?;
        if text.trim().is_empty() {
            self.problems.error(key, "must not be empty");
            return None;
        }
        Some(self.base.join(text))
    }

    /// A path that must name an existing file.
    pub(crate) fn existing_file(&mut self, key: &str, v: Option<V<String>>) -> Option<PathBuf> {
        let path = self.path(key, v)?;
        if !path.is_file() {
            self.problems
                .error(key, format!("file {} does not exist", path.display()));
        }
        Some(path)
    }

    /// A secret from `<prefix>`, `<prefix>_env` or `<prefix>_file`; `prefix` is the full key
    /// such as `ingest.token`. Missing is an error only when `required`.
    pub(crate) fn secret(
        &mut self,
        prefix: &str,
        inline: Option<V<String>>,
        env: Option<V<String>>,
        file: Option<V<String>>,
        required: bool,
    ) -> Option<Secret> {
        let sources = SecretSources {
            inline: self.take(prefix, inline),
            env: self.take(&format!("{prefix}_env"), env),
            file: self.take(&format!("{prefix}_file"), file),
        };
        let name = prefix.rsplit('.').next().unwrap_or(prefix);
        match resolve_secret(&sources, name, self.base, self.env) {
            SecretOutcome::Resolved(s) => Some(s),
            SecretOutcome::Inline(s) => {
                self.problems.warn(
                    prefix,
                    format!("inline secret; prefer {name}_env or {name}_file so it stays out of the file"),
                );
                Some(s)
            }
            SecretOutcome::Missing => {
                if required {
                    self.problems.error(
                        format!("{prefix}_env"),
                        format!("missing: set {name}_env (or {name}_file, or {name})"),
                    );
                }
                None
            }
            SecretOutcome::Problem(suffix, message) => {
                self.problems.error(format!("{prefix}{suffix}"), message);
                None
            }
        }
    }
}
