//! Reading only `[identity]` and `[journal]`, for the `mapping` commands: they must work
//! without the bridge's secrets in the environment, and `mapping set` must work while the table
//! file does not exist yet. Other sections are not validated.

use std::path::{Path, PathBuf};

use super::ctx::Ctx;
use super::problem::Problems;
use super::raw::{self, de_table};
use super::types::{IdentityMode, JournalConfig};
use super::{base_dir, misc, parse_document, read_config, ConfigErrors};

/// `[identity]` and `[journal]` of a config file, resolved without reading the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MappingSections {
    /// The config file.
    pub source_path: PathBuf,
    /// `identity.mode`.
    pub mode: IdentityMode,
    /// `identity.table`, relative paths resolved against the config file's directory.
    pub table: Option<PathBuf>,
    /// `[journal]`.
    pub journal: JournalConfig,
}

/// Reads `[identity]` (mode and table path) and `[journal]` of the file at `path`.
pub fn load_mapping_sections(path: &Path) -> Result<MappingSections, ConfigErrors> {
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
    let Some(mut doc) = parse_document(&mut cx, &text) else {
        return Err(fail(cx.problems.errors));
    };
    let raw_journal = match doc.remove("journal") {
        Some(v) => de_table(v, "journal", &mut cx.problems).unwrap_or_default(),
        None => raw::RawJournal::default(),
    };
    let journal = misc::journal(&mut cx, raw_journal);
    let identity: Option<raw::RawIdentity> = match doc.remove("identity") {
        Some(v) => de_table(v, "identity", &mut cx.problems),
        None => {
            cx.problems
                .error("identity", "missing: the [identity] section is required");
            None
        }
    };
    let mut resolved = None;
    if let Some(r) = identity {
        let mode = match cx.required("identity.mode", r.mode).as_deref() {
            Some("same") => Some(IdentityMode::Same),
            Some("table") => Some(IdentityMode::Table),
            Some("external_id") => Some(IdentityMode::ExternalId),
            Some(other) => {
                cx.problems.error(
                    "identity.mode",
                    format!("{other:?} is not \"same\", \"table\" or \"external_id\""),
                );
                None
            }
            None => None,
        };
        let table = cx.path("identity.table", r.table);
        if mode == Some(IdentityMode::Table) && table.is_none() {
            cx.problems.error(
                "identity.table",
                "missing: mode = \"table\" needs a CSV file",
            );
        }
        resolved = mode.map(|m| (m, table));
    }
    match resolved {
        Some((mode, table)) if cx.problems.errors.is_empty() => Ok(MappingSections {
            source_path: path.to_path_buf(),
            mode,
            table,
            journal,
        }),
        _ => Err(fail(cx.problems.errors)),
    }
}
