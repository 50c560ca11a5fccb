//! The bridge configuration (SPEC §3): TOML → [`Config`], with every problem reported by key.
//!
//! Layout: `raw` holds the serde types as written (`deny_unknown_fields` everywhere), `ctx`
//! the keyed conversion helpers, `sources` / `doors` / `misc` resolve the sections, `types`
//! the resolved structs, `problem` the [`Problem`] / [`ConfigErrors`] reporting, `cidr` and
//! `table` two small value parsers. Array entries are named 0-based: `door[0]` is the first
//! `[[door]]`.
//!
//! ```no_run
//! let config = facegate_bridge::config::Config::load(std::path::Path::new("facegate.toml"))
//!     .map_err(|e| e.to_string())?;
//! println!("{} doors", config.doors.len());
//! # Ok::<(), String>(())
//! ```

pub mod cidr;
mod ctx;
mod doors;
mod misc;
mod partial;
mod problem;
mod raw;
mod sources;
pub mod table;
mod types;

use std::path::{Path, PathBuf};

pub use cidr::Cidr;
pub use doors::{DEFAULT_ACS_NAME, DEFAULT_OIF_PORT};
pub use misc::{DEFAULT_JOURNAL_FILE, DEFAULT_RETENTION};
pub use partial::{load_mapping_sections, MappingSections};
pub use problem::{problem_lines, ConfigErrors, Problem};
pub use sources::{DEFAULT_MAX_BODY, MIN_TOKEN_CHARS};
pub use types::*;

use ctx::Ctx;
use problem::Problems;
use raw::de_table;

/// Largest config file read.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

const SECTIONS: &str = "ingest, watcher, acs, door, identity, policy, journal, admin";

impl Config {
    /// Reads and resolves the file at `path`; secrets come from the process environment.
    pub fn load(path: &Path) -> Result<Config, ConfigErrors> {
        let text = read_config(path)?;
        let base = base_dir(path);
        let mut config =
            Self::from_toml_str_with_env(&text, &base, path, &|var| std::env::var(var).ok())?;
        if readable_by_others(path)
            && config
                .warnings
                .iter()
                .any(|w| w.message.starts_with("inline secret"))
        {
            config.warnings.push(Problem {
                key: String::new(),
                message: "the file holds inline secrets and is readable by other users (chmod 600, or move the secrets to *_env / *_file)".into(),
            });
        }
        Ok(config)
    }

    /// Resolves TOML text; relative paths are taken from `base_dir`, secrets from the process
    /// environment. For tests and the demo.
    pub fn from_toml_str(text: &str, base_dir: &Path) -> Result<Config, ConfigErrors> {
        Self::from_toml_str_with_env(text, base_dir, Path::new("<memory>"), &|var| {
            std::env::var(var).ok()
        })
    }

    /// Resolves TOML text with an explicit environment lookup (so tests need not touch the
    /// process environment). `source_path` only names the file in problems.
    pub fn from_toml_str_with_env(
        text: &str,
        base_dir: &Path,
        source_path: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigErrors> {
        let mut cx = Ctx {
            problems: Problems::default(),
            base: base_dir,
            env,
        };
        let config = resolve(&mut cx, text, source_path);
        let Problems {
            mut errors,
            mut warnings,
        } = cx.problems;
        // Report in file-section order (acs and doors are resolved first because doors name
        // an acs); the sort is stable, so entries keep their order within a section.
        errors.sort_by_key(|p| section_rank(&p.key));
        warnings.sort_by_key(|p| section_rank(&p.key));
        match config {
            Some(mut c) if errors.is_empty() => {
                c.warnings = warnings;
                Ok(c)
            }
            _ => Err(ConfigErrors {
                file: source_path.to_path_buf(),
                errors,
                warnings,
            }),
        }
    }
}

/// Position of a key's section in SPEC §3 order; file-level problems (empty key) first.
fn section_rank(key: &str) -> usize {
    let section = key.split(['.', '[']).next().unwrap_or("");
    [
        "", "ingest", "watcher", "acs", "door", "identity", "policy", "journal", "admin",
    ]
    .iter()
    .position(|s| *s == section)
    .unwrap_or(9)
}

/// Reads only `[journal]` (for `facegate journal`, which must work without the secrets in the
/// environment). Other sections are not validated.
pub fn load_journal_config(path: &Path) -> Result<JournalConfig, ConfigErrors> {
    let text = read_config(path)?;
    let base = base_dir(path);
    let env = |_: &str| None;
    let mut cx = Ctx {
        problems: Problems::default(),
        base: &base,
        env: &env,
    };
    let fail = |errors| ConfigErrors {
        file: path.to_path_buf(),
        errors,
        warnings: Vec::new(),
    };
    let mut table = match parse_document(&mut cx, &text) {
        Some(t) => t,
        None => return Err(fail(cx.problems.errors)),
    };
    let raw = match table.remove("journal") {
        Some(v) => de_table(v, "journal", &mut cx.problems).unwrap_or_default(),
        None => raw::RawJournal::default(),
    };
    let journal = misc::journal(&mut cx, raw);
    if cx.problems.errors.is_empty() {
        Ok(journal)
    } else {
        Err(fail(cx.problems.errors))
    }
}

fn read_config(path: &Path) -> Result<String, ConfigErrors> {
    let fail = |message: String| ConfigErrors {
        file: path.to_path_buf(),
        errors: vec![Problem {
            key: String::new(),
            message,
        }],
        warnings: Vec::new(),
    };
    let meta =
        std::fs::metadata(path).map_err(|e| fail(format!("cannot read the config file: {e}")))?;
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(fail(format!(
            "the config file is larger than {MAX_CONFIG_BYTES} bytes"
        )));
    }
    let bytes =
        std::fs::read(path).map_err(|e| fail(format!("cannot read the config file: {e}")))?;
    String::from_utf8(bytes).map_err(|_| fail("the config file is not UTF-8 text".into()))
}

#[cfg(unix)]
fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
}

#[cfg(not(unix))]
fn readable_by_others(_: &Path) -> bool {
    false
}

/// The directory relative paths are resolved against: the config file's, made absolute.
fn base_dir(path: &Path) -> PathBuf {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::path::absolute(&parent).unwrap_or(parent)
}

fn parse_document(cx: &mut Ctx<'_>, text: &str) -> Option<toml::Table> {
    match text.parse::<toml::Table>() {
        Ok(t) => Some(t),
        Err(e) => {
            let place = e
                .span()
                .map(|span| {
                    let before = text.get(..span.start).unwrap_or(text);
                    let line = before.matches('\n').count() + 1;
                    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                    format!("line {line}, column {col}: ")
                })
                .unwrap_or_default();
            let message = e.message().trim().replace('\n', " ");
            cx.problems
                .error("", format!("TOML syntax error at {place}{message}"));
            None
        }
    }
}

fn array_of_tables<T: serde::de::DeserializeOwned>(
    cx: &mut Ctx<'_>,
    name: &str,
    value: Option<toml::Value>,
) -> Vec<T> {
    match value {
        None => Vec::new(),
        Some(toml::Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .filter_map(|(i, v)| de_table(v, &format!("{name}[{i}]"), &mut cx.problems))
            .collect(),
        Some(_) => {
            cx.problems.error(
                name,
                format!("write [[{name}]] (an array of tables), not [{name}]"),
            );
            Vec::new()
        }
    }
}

fn resolve(cx: &mut Ctx<'_>, text: &str, source_path: &Path) -> Option<Config> {
    let mut doc = parse_document(cx, text)?;
    let mut take = |name: &str| doc.remove(name);
    let ingest = take("ingest");
    let watcher = take("watcher");
    let raw_watcher_mode = watcher
        .as_ref()
        .and_then(|w| w.get("mode"))
        .and_then(toml::Value::as_str)
        .map(str::to_owned);
    let acs = take("acs");
    let door = take("door");
    let identity = take("identity");
    let policy = take("policy");
    let journal = take("journal");
    let admin = take("admin");
    for name in doc.keys() {
        cx.problems.error(
            name.as_str(),
            format!("unknown section (expected one of {SECTIONS})"),
        );
    }

    let raw_acs: Vec<raw::RawAcs> = array_of_tables(cx, "acs", acs.clone());
    let acs_count = acs
        .as_ref()
        .and_then(toml::Value::as_array)
        .map_or(0, Vec::len);
    if acs_count == 0 {
        cx.problems
            .error("acs", "missing: at least one [[acs]] is required");
    }
    let acs_servers = if raw_acs.len() == acs_count {
        doors::acs_servers(cx, raw_acs)
    } else {
        // Some [[acs]] tables could not be read: resolve the rest for their problems only.
        let _ = doors::acs_servers(cx, raw_acs);
        vec![None; acs_count]
    };
    let names: Vec<Option<String>> = acs_servers
        .iter()
        .map(|a| a.as_ref().map(|a| a.name.clone()))
        .collect();

    let raw_doors: Vec<raw::RawDoor> = array_of_tables(cx, "door", door.clone());
    if door
        .as_ref()
        .and_then(toml::Value::as_array)
        .is_none_or(Vec::is_empty)
    {
        cx.problems
            .error("door", "missing: at least one [[door]] is required");
    }
    let doors = doors::doors(cx, raw_doors, &names);

    let ingest = section(cx, ingest, "ingest").map(|r| r.and_then(|r| sources::ingest(cx, r)));
    let watcher = section(cx, watcher, "watcher").map(|r| r.and_then(|r| sources::watcher(cx, r)));
    let identity = match section(cx, identity, "identity") {
        None => {
            cx.problems
                .error("identity", "missing: the [identity] section is required");
            None
        }
        Some(r) => r.and_then(|r| misc::identity(cx, r)),
    };
    let policy = section(cx, policy, "policy").map(|r| misc::policy(cx, r.unwrap_or_default()));
    let raw_journal = section(cx, journal, "journal")
        .flatten()
        .unwrap_or_default();
    let journal = misc::journal(cx, raw_journal);
    let admin = section(cx, admin, "admin").map(|r| misc::admin(cx, r.unwrap_or_default()));

    // The mode as written, so a [watcher] with other errors still counts as the source it names.
    let poll = raw_watcher_mode.as_deref() == Some("poll");
    if ingest.is_none() && !poll {
        if watcher.is_some() {
            cx.problems.error(
                "ingest",
                "missing: watcher.mode = \"push\" needs an [ingest] section to receive events",
            );
        } else {
            cx.problems.error(
                "ingest",
                "missing: add [ingest] (webhook) or [watcher] with mode = \"poll\" as the event source",
            );
        }
    }

    let acs: Vec<AcsServerConfig> = acs_servers.into_iter().flatten().collect();
    Some(Config {
        ingest: ingest.transpose_opt()?,
        watcher: watcher.transpose_opt()?,
        acs,
        doors,
        identity: identity?,
        policy: policy.unwrap_or_default(),
        journal,
        admin,
        source_path: source_path.to_path_buf(),
        warnings: Vec::new(),
    })
}

/// `None` when the section is absent, `Some(None)` when present but unreadable.
fn section<T: serde::de::DeserializeOwned>(
    cx: &mut Ctx<'_>,
    value: Option<toml::Value>,
    name: &str,
) -> Option<Option<T>> {
    value.map(|v| de_table(v, name, &mut cx.problems))
}

/// `Some(None)` (section present but broken) → `None`; `None` (absent) → `Some(None)`.
trait TransposeOpt<T> {
    fn transpose_opt(self) -> Option<Option<T>>;
}

impl<T> TransposeOpt<T> for Option<Option<T>> {
    fn transpose_opt(self) -> Option<Option<T>> {
        match self {
            None => Some(None),
            Some(None) => None,
            Some(Some(t)) => Some(Some(t)),
        }
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_props;
#[cfg(test)]
mod tests_sources;
