//! Secrets in the configuration: exactly one of `<name>` (inline), `<name>_env` (an environment
//! variable) or `<name>_file` (a file, trailing newline removed). Problems name the key and, for
//! `_env`, the variable, but never the value.

use std::path::Path;

use acs_proto::Secret;

/// Largest secret file read.
pub const MAX_SECRET_FILE_BYTES: u64 = 64 * 1024;

/// Where a secret was written in the configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SecretSources {
    /// `<name> = "…"`: the value itself.
    pub inline: Option<String>,
    /// `<name>_env = "VAR"`.
    pub env: Option<String>,
    /// `<name>_file = "path"` (relative to the config file).
    pub file: Option<String>,
}

/// How resolving a secret went.
#[derive(Debug)]
pub enum SecretOutcome {
    /// No source given.
    Missing,
    /// Read from the environment or a file.
    Resolved(Secret),
    /// Given inline: works, but deserves a warning.
    Inline(Secret),
    /// A problem: `(key suffix, message)`, the suffix being `""`, `"_env"` or `"_file"`.
    Problem(&'static str, String),
}

/// Resolves `sources`, reading `_env` through `env` and `_file` relative to `base`.
pub fn resolve_secret(
    sources: &SecretSources,
    name: &str,
    base: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> SecretOutcome {
    let given = [&sources.inline, &sources.env, &sources.file]
        .iter()
        .filter(|s| s.is_some())
        .count();
    if given > 1 {
        return SecretOutcome::Problem(
            "",
            format!("set only one of {name}, {name}_env, {name}_file"),
        );
    }
    if let Some(var) = &sources.env {
        if var.trim().is_empty() {
            return SecretOutcome::Problem("_env", "names no environment variable".into());
        }
        return match env(var) {
            None => {
                SecretOutcome::Problem("_env", format!("environment variable {var} is not set"))
            }
            Some(v) if v.is_empty() => {
                SecretOutcome::Problem("_env", format!("environment variable {var} is empty"))
            }
            Some(v) => SecretOutcome::Resolved(Secret::new(v)),
        };
    }
    if let Some(file) = &sources.file {
        let path = base.join(file);
        return match read_secret_file(&path) {
            Ok(v) => SecretOutcome::Resolved(Secret::new(v)),
            Err(e) => SecretOutcome::Problem("_file", e),
        };
    }
    match &sources.inline {
        Some(v) if v.is_empty() => SecretOutcome::Problem("", "is empty".into()),
        Some(v) => SecretOutcome::Inline(Secret::new(v.clone())),
        None => SecretOutcome::Missing,
    }
}

fn read_secret_file(path: &Path) -> Result<String, String> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    if meta.len() > MAX_SECRET_FILE_BYTES {
        return Err(format!(
            "{shown} is larger than {MAX_SECRET_FILE_BYTES} bytes"
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{shown} is not UTF-8 text"))?;
    let value = text.trim_end_matches(['\r', '\n']);
    if value.is_empty() {
        return Err(format!("{shown} is empty"));
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn an_env_source_reads_the_variable() {
        let s = SecretSources {
            env: Some("TOKEN".into()),
            ..Default::default()
        };
        let env = |v: &str| (v == "TOKEN").then(|| "s3cret".to_string());
        match resolve_secret(&s, "token", Path::new("."), &env) {
            SecretOutcome::Resolved(secret) => assert_eq!(secret.expose(), "s3cret"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_missing_variable_is_named_but_no_value_is_shown() {
        let s = SecretSources {
            env: Some("ACS_PASSWORD".into()),
            ..Default::default()
        };
        match resolve_secret(&s, "password", Path::new("."), &no_env) {
            SecretOutcome::Problem(suffix, msg) => {
                assert_eq!(suffix, "_env");
                assert_eq!(msg, "environment variable ACS_PASSWORD is not set");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn a_file_source_drops_the_trailing_newline_and_is_relative_to_the_base() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pw"), "hunter2\n").unwrap();
        let s = SecretSources {
            file: Some("pw".into()),
            ..Default::default()
        };
        match resolve_secret(&s, "password", dir.path(), &no_env) {
            SecretOutcome::Resolved(secret) => assert_eq!(secret.expose(), "hunter2"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn two_sources_at_once_are_refused() {
        let s = SecretSources {
            inline: Some("a".into()),
            env: Some("B".into()),
            file: None,
        };
        assert!(matches!(
            resolve_secret(&s, "token", Path::new("."), &no_env),
            SecretOutcome::Problem("", m) if m.contains("only one of token, token_env, token_file")
        ));
    }

    #[test]
    fn inline_and_missing_are_told_apart() {
        let inline = SecretSources {
            inline: Some("x".into()),
            ..Default::default()
        };
        assert!(matches!(
            resolve_secret(&inline, "token", Path::new("."), &no_env),
            SecretOutcome::Inline(_)
        ));
        assert!(matches!(
            resolve_secret(&SecretSources::default(), "token", Path::new("."), &no_env),
            SecretOutcome::Missing
        ));
    }
}
