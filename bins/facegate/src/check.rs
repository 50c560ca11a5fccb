//! `facegate check -c F [--online]`: validate a configuration and report every problem, one
//! line each; with `--online` also run the checks against Watcher and the ACS
//! ([`crate::online`]).

use std::path::Path;
use std::time::Duration;

use crate::cli::{EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS};
use crate::config::{problem_lines, Config, IdentityMode, WatcherMode};

/// What `check` prints and its exit code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckReport {
    /// Lines for stdout: errors, then warnings, then a summary.
    pub lines: Vec<String>,
    /// 0 = valid (and every online check passed), 1 = errors found or an online check
    /// failed, 2 = a peer was unreachable.
    pub exit: u8,
}

/// Validates the file at `path`; with `online = Some(timeout)` a valid config is also checked
/// against Watcher and the ACS, each request bounded by `timeout`.
pub fn check(path: &Path, online: Option<Duration>) -> CheckReport {
    match Config::load(path) {
        Err(e) => {
            let mut lines = e.lines();
            let (n_err, n_warn) = (e.errors.len(), e.warnings.len());
            lines.push(format!(
                "{}: {n_err} error{}, {n_warn} warning{}",
                path.display(),
                plural(n_err),
                plural(n_warn)
            ));
            CheckReport {
                lines,
                exit: EXIT_PROBLEMS,
            }
        }
        Ok(config) => {
            let mut lines = problem_lines(path, &[], &config.warnings);
            lines.push(summary(&config));
            if let Some(timeout) = online {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(r) => r,
                    Err(e) => {
                        lines.push(format!("facegate: cannot start the async runtime: {e}"));
                        return CheckReport {
                            lines,
                            exit: EXIT_ERROR,
                        };
                    }
                };
                let report = runtime.block_on(crate::online::check_online(&config, timeout));
                lines.extend(report.lines());
                return CheckReport {
                    lines,
                    exit: report.exit(),
                };
            }
            CheckReport {
                lines,
                exit: EXIT_OK,
            }
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `config OK: 2 doors, 1 ACS, identity table with 2 rows, webhook on 0.0.0.0:8080, …`
pub fn summary(c: &Config) -> String {
    let identity = match c.identity.mode {
        IdentityMode::Same => "identity mode same".to_string(),
        IdentityMode::ExternalId => "identity mode external_id".to_string(),
        IdentityMode::Table => format!(
            "identity table with {} row{}",
            c.identity.rows.len(),
            plural(c.identity.rows.len())
        ),
    };
    let mut parts = vec![
        format!("{} door{}", c.doors.len(), plural(c.doors.len())),
        format!("{} ACS", c.acs.len()),
        identity,
    ];
    if let Some(i) = &c.ingest {
        let scheme = if i.tls.is_some() { "https" } else { "http" };
        parts.push(format!("webhook on {scheme}://{}", i.listen));
    }
    if let Some(w) = &c.watcher {
        parts.push(match w.mode {
            WatcherMode::Push => format!(
                "{} Watcher subscription{}",
                w.subscribe.len(),
                plural(w.subscribe.len())
            ),
            WatcherMode::Poll => "Watcher poll".to_string(),
        });
    }
    if let Some(a) = &c.admin {
        parts.push(format!("admin on {}", a.listen));
    }
    let dry: Vec<&str> = c
        .acs
        .iter()
        .filter(|a| a.dry_run)
        .map(|a| a.name.as_str())
        .collect();
    if !dry.is_empty() {
        parts.push(format!("dry run for {}", dry.join(", ")));
    }
    parts.push(format!("journal {}", c.journal.path.display()));
    let warned = if c.warnings.is_empty() {
        String::new()
    } else {
        format!(
            " ({} warning{})",
            c.warnings.len(),
            plural(c.warnings.len())
        )
    };
    format!("config OK{warned}: {}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = r#"
[ingest]
token_file = "token"
[[acs]]
address = "127.0.0.1:3312"
user = "Administrator"
password = "inline-password"
[[door]]
camera = "entrance"
access_point = 1
[identity]
mode = "table"
table = "people.csv"
"#;

    fn write(dir: &Path, config: &str) -> std::path::PathBuf {
        std::fs::write(dir.join("token"), "0123456789abcdef0123456789abcdef\n").unwrap();
        std::fs::write(dir.join("people.csv"), "135,6\n136,7\n").unwrap();
        let path = dir.join("facegate.toml");
        std::fs::write(&path, config).unwrap();
        path
    }

    #[test]
    fn a_valid_config_prints_its_warnings_and_a_summary() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), VALID);
        set_mode(&path, 0o644);
        let report = check(&path, None);
        assert_eq!(report.exit, EXIT_OK, "{:?}", report.lines);
        assert_eq!(report.lines.len(), 3, "{:?}", report.lines);
        assert!(report.lines[0].ends_with(
            "warning: acs[0].password: inline secret; prefer password_env or password_file so it stays out of the file"
        ));
        assert!(report.lines[1].ends_with("warning: the file holds inline secrets and is readable by other users (chmod 600, or move the secrets to *_env / *_file)"), "{}", report.lines[1]);
        assert!(report.lines[2].starts_with(
            "config OK (2 warnings): 1 door, 1 ACS, identity table with 2 rows, webhook on http://0.0.0.0:8080"
        ), "{}", report.lines[2]);
        assert!(!report.lines.concat().contains("inline-password"));
    }

    #[test]
    fn every_error_is_one_line_naming_file_and_key_and_the_exit_is_1() {
        let dir = tempfile::tempdir().unwrap();
        let bad = VALID.replace("access_point = 1", "access_point = \"x\"\ncolor = 2")
            + "[policy]\nmin_score = 2\n";
        let path = write(dir.path(), &bad);
        let report = check(&path, None);
        assert_eq!(report.exit, EXIT_PROBLEMS);
        let file = path.display().to_string();
        assert!(report
            .lines
            .iter()
            .all(|l| l.starts_with(&file) && !l.contains('\n')));
        for key in ["door[0].color", "door[0].access_point", "policy.min_score"] {
            assert!(
                report
                    .lines
                    .iter()
                    .any(|l| l.contains(&format!("error: {key}: "))),
                "{key} in {:?}",
                report.lines
            );
        }
        assert!(report
            .lines
            .last()
            .unwrap()
            .ends_with("3 errors, 1 warning"));
    }

    fn set_mode(path: &Path, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn a_private_file_with_an_inline_secret_gets_only_the_inline_warning() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), VALID);
        set_mode(&path, 0o600);
        let report = check(&path, None);
        assert_eq!(report.lines.len(), 2, "{:?}", report.lines);
        assert!(report.lines[1].starts_with("config OK (1 warning)"));
    }

    #[test]
    fn online_with_an_unreachable_acs_exits_2_after_the_offline_summary() {
        let dir = tempfile::tempdir().unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let path = write(
            dir.path(),
            &VALID.replace("127.0.0.1:3312", &addr.to_string()),
        );
        let report = check(&path, Some(Duration::from_millis(300)));
        assert_eq!(report.exit, EXIT_ERROR, "{:#?}", report.lines);
        assert!(report.lines.iter().any(|l| l.starts_with("config OK")));
        assert!(
            report
                .lines
                .iter()
                .any(|l| l.starts_with("acs default") && l.contains("UNREACHABLE")),
            "{:#?}",
            report.lines
        );
    }

    #[test]
    fn a_missing_file_is_one_clear_line() {
        let report = check(Path::new("/nonexistent/facegate.toml"), None);
        assert_eq!(report.exit, EXIT_PROBLEMS);
        assert!(report.lines[0]
            .starts_with("/nonexistent/facegate.toml: error: cannot read the config file"));
    }
}
