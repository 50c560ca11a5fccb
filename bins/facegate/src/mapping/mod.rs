//! `facegate mapping pending|set|import -c F`: the onboarding workflow of the identity table.
//!
//! Layout: `pending` summarises the journal's `unmapped_person` rows; `file` edits the table
//! file as text (comments and order kept) and writes it atomically; `edit` holds `set` and
//! `import`. Only `[identity]` and `[journal]` of the config are read, so these commands work
//! without the bridge's secrets in the environment. A running bridge picks the new file up
//! when it reloads the table.

pub mod edit;
pub mod file;
pub mod pending;

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use crate::cli::{EXIT_ERROR, EXIT_OK, EXIT_PROBLEMS};
use crate::config::{load_mapping_sections, IdentityMode, MappingSections};
use crate::duration::parse_duration;
use crate::journal::Journal;

/// `facegate mapping …`.
#[derive(Clone, Debug, Subcommand)]
pub enum MappingCommand {
    /// Persons seen but not mapped yet (from the journal's `unmapped_person` rows).
    Pending {
        /// The configuration file (only `[identity]` and `[journal]` are read).
        #[arg(short, long, default_value = "facegate.toml")]
        config: PathBuf,
        /// Only sightings within this duration before now, e.g. `7d`.
        #[arg(long)]
        since: Option<String>,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
    },
    /// Map a Watcher person to an ACS object in the table file (atomic write).
    Set(SetArgs),
    /// Validate a CSV export and merge it into the table file (atomic write).
    Import {
        /// The configuration file (only `[identity]` is read).
        #[arg(short, long, default_value = "facegate.toml")]
        config: PathBuf,
        /// The CSV file: `watcher_person_id,acs_object_id[,name]` per line.
        file: PathBuf,
        /// Overwrite the rows of persons the table maps differently.
        #[arg(long)]
        replace: bool,
    },
}

/// Arguments of `facegate mapping set`.
#[derive(Clone, Debug, Args)]
pub struct SetArgs {
    /// The configuration file (only `[identity]` is read).
    #[arg(short, long, default_value = "facegate.toml")]
    pub config: PathBuf,
    /// The Watcher person id.
    pub person: String,
    /// The ACS object id (1..=4294967295).
    pub object: String,
    /// A display name kept in the table (never sent to the ACS).
    #[arg(long)]
    pub name: Option<String>,
    /// Replace the person's existing row.
    #[arg(long)]
    pub replace: bool,
}

/// Runs a mapping command: results to `out`, errors (one line each) and progress to `err`.
pub fn mapping_command(cmd: &MappingCommand, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let result = match cmd {
        MappingCommand::Pending {
            config,
            since,
            json,
        } => run_pending(config, since.as_deref(), *json, now_ms(), out, err),
        MappingCommand::Set(a) => run_set(a, out),
        MappingCommand::Import {
            config,
            file,
            replace,
        } => run_import(config, file, *replace, out, err),
    };
    match result {
        Ok(code) => code,
        Err((code, lines)) => {
            for l in lines {
                let _ = writeln!(err, "{l}");
            }
            code
        }
    }
}

type Failure = (u8, Vec<String>);

fn now_ms() -> i64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn sections(config: &Path) -> Result<MappingSections, Failure> {
    load_mapping_sections(config).map_err(|e| (EXIT_PROBLEMS, e.lines()))
}

/// The table path, or a clear error when `identity.mode` is not `table`.
fn table_path(s: &MappingSections) -> Result<PathBuf, Failure> {
    match (&s.mode, &s.table) {
        (IdentityMode::Table, Some(p)) => Ok(p.clone()),
        (mode, _) => Err((
            EXIT_ERROR,
            vec![format!(
                "{}: identity.mode is {:?}; the mapping table is used only with identity.mode = \"table\"",
                s.source_path.display(),
                mode_name(*mode)
            )],
        )),
    }
}

fn mode_name(mode: IdentityMode) -> &'static str {
    match mode {
        IdentityMode::Same => "same",
        IdentityMode::Table => "table",
        IdentityMode::ExternalId => "external_id",
    }
}

fn run_pending(
    config: &Path,
    since: Option<&str>,
    json: bool,
    now_ms: i64,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, Failure> {
    let since = match since {
        None => None,
        Some(text) => {
            let d =
                parse_duration(text).map_err(|e| (EXIT_ERROR, vec![format!("--since: {e}")]))?;
            Some(now_ms.saturating_sub(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)))
        }
    };
    let s = sections(config)?;
    let table = match s.mode {
        IdentityMode::Table => {
            Some(file::TableFile::load(&table_path(&s)?).map_err(|lines| (EXIT_PROBLEMS, lines))?)
        }
        _ => None,
    };
    let journal = Journal::open_read_only(&s.journal.path)
        .map_err(|e| (EXIT_ERROR, vec![format!("facegate: {e}")]))?;
    let is_mapped = |p: u64| table.as_ref().is_some_and(|t| t.contains(p));
    let (persons, anonymous) = pending::pending(&journal, since, &is_mapped)
        .map_err(|e| (EXIT_ERROR, vec![format!("facegate: {e}")]))?;
    pending::write(&persons, json, out)
        .map_err(|e| (EXIT_ERROR, vec![format!("facegate: {e}")]))?;
    if anonymous > 0 && !json {
        let _ = writeln!(
            err,
            "note: {anonymous} unmapped sighting{} had no Watcher person id (unknown faces) and cannot be mapped",
            if anonymous == 1 { "" } else { "s" }
        );
    }
    Ok(EXIT_OK)
}

fn run_set(a: &SetArgs, out: &mut dyn Write) -> Result<u8, Failure> {
    let usage = |e: String| (EXIT_ERROR, vec![e]);
    let person = edit::parse_person(&a.person).map_err(usage)?;
    let object = edit::parse_object(&a.object).map_err(usage)?;
    let s = sections(&a.config)?;
    let table = table_path(&s)?;
    let outcome = edit::set(&table, person, object, a.name.as_deref(), a.replace)
        .map_err(|e| (EXIT_PROBLEMS, vec![e]))?;
    let shown = table.display();
    let _ = match outcome {
        edit::SetOutcome::Added => {
            writeln!(out, "{shown}: mapped person {person} to object {object}")
        }
        edit::SetOutcome::Replaced(old) => writeln!(
            out,
            "{shown}:{}: person {person} now maps to object {object} (was `{}`)",
            old.line,
            old.text.trim()
        ),
        edit::SetOutcome::Unchanged => writeln!(
            out,
            "{shown}: person {person} already maps to object {object}; nothing changed"
        ),
    };
    Ok(EXIT_OK)
}

fn run_import(
    config: &Path,
    csv: &Path,
    replace: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<u8, Failure> {
    let s = sections(config)?;
    let table = table_path(&s)?;
    let report = edit::import(&table, csv, replace, err).map_err(|l| (EXIT_PROBLEMS, l))?;
    for c in &report.conflicts {
        let _ = writeln!(err, "replaced: {c}");
    }
    let _ = writeln!(
        out,
        "{}: {} rows read from {}: {} added, {} replaced, {} already mapped",
        table.display(),
        report.rows,
        csv.display(),
        report.added,
        report.replaced,
        report.unchanged
    );
    Ok(EXIT_OK)
}

#[cfg(test)]
mod tests;
