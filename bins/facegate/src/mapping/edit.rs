//! `facegate mapping set` and `facegate mapping import`: add mappings to the table file.

use std::io::Write;
use std::path::Path;

use super::file::{ExistingRow, TableFile};
use crate::config::table::MAX_TABLE_BYTES;

/// Longest accepted name, in bytes (the identity table's limit).
pub const MAX_NAME_BYTES: usize = 256;
/// `import` prints a progress line every this many rows (for files larger than that).
pub const PROGRESS_EVERY: usize = 10_000;
/// At most this many line errors or conflicts are printed.
pub const MAX_REPORTED: usize = 50;

/// A Watcher person id: decimal digits.
pub fn parse_person(text: &str) -> Result<u64, String> {
    let t = text.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "PERSON {text:?} is not a Watcher person id (digits only)"
        ));
    }
    t.parse()
        .map_err(|_| format!("PERSON {text:?} is too large for a Watcher person id"))
}

/// An ACS object id: decimal digits, 1..=4294967295.
pub fn parse_object(text: &str) -> Result<u32, String> {
    let t = text.trim();
    let bad = || format!("OBJECT {text:?} is not an ACS object id (a number in 1..=4294967295)");
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    match t.parse::<u32>() {
        Ok(0) | Err(_) => Err(bad()),
        Ok(n) => Ok(n),
    }
}

/// A display name for the table: at most 256 bytes, no control characters.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.len() > MAX_NAME_BYTES || name.chars().any(char::is_control) {
        return Err(format!(
            "--name must be at most {MAX_NAME_BYTES} bytes without control characters"
        ));
    }
    Ok(())
}

/// What `set` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetOutcome {
    /// A new row was appended.
    Added,
    /// The person's row was replaced (`--replace`); the old row.
    Replaced(ExistingRow),
    /// The person was already mapped exactly so; the file was not touched.
    Unchanged,
}

/// Maps `person` to `object` in the table at `table`, atomically. A person mapped to something
/// else is refused (naming the file and the existing row) unless `replace`.
pub fn set(
    table: &Path,
    person: u64,
    object: u32,
    name: Option<&str>,
    replace: bool,
) -> Result<SetOutcome, String> {
    if let Some(n) = name {
        check_name(n)?;
    }
    let mut file = TableFile::load(table).map_err(|lines| lines.join("\n"))?;
    let outcome = match file.row(person) {
        Some(row) if row.object == object && (name.is_none() || row.name.as_deref() == name) => {
            return Ok(SetOutcome::Unchanged)
        }
        Some(row) if !replace => {
            return Err(format!(
                "{}:{}: person {person} is already mapped ({}); use --replace to change it",
                table.display(),
                row.line,
                row.text.trim()
            ))
        }
        Some(row) => SetOutcome::Replaced(row),
        None => SetOutcome::Added,
    };
    file.upsert(person, object, name);
    file.write()?;
    Ok(outcome)
}

/// What `import` did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Rows in the import file.
    pub rows: usize,
    /// Persons added to the table.
    pub added: usize,
    /// Persons whose row was replaced (`--replace`).
    pub replaced: usize,
    /// Persons already mapped exactly so.
    pub unchanged: usize,
    /// The conflicts, one line each (reported; with `--replace` they were overwritten).
    pub conflicts: Vec<String>,
}

/// Validates the whole CSV at `csv` (every bad line reported as `file:line: …`), then merges
/// it into the table at `table` and writes it atomically. A person mapped differently in the
/// table is a conflict: without `replace` nothing is written. Progress lines go to `progress`.
pub fn import(
    table: &Path,
    csv: &Path,
    replace: bool,
    progress: &mut dyn Write,
) -> Result<ImportReport, Vec<String>> {
    let whole = |m: String| vec![format!("{}: {m}", csv.display())];
    let meta = std::fs::metadata(csv).map_err(|e| whole(format!("cannot read: {e}")))?;
    if meta.len() > MAX_TABLE_BYTES {
        return Err(whole(format!(
            "{} bytes is larger than the {MAX_TABLE_BYTES}-byte limit",
            meta.len()
        )));
    }
    let bytes = std::fs::read(csv).map_err(|e| whole(format!("cannot read: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|_| whole("is not UTF-8 text".into()))?;
    let incoming = TableFile::from_text(csv, &text).map_err(cap)?;
    let mut file = TableFile::load(table).map_err(cap)?;
    let persons = incoming.persons();
    let total = persons.len();
    let show = total > PROGRESS_EVERY;
    if show {
        let _ = writeln!(progress, "import: {total} rows valid; merging");
    }
    let mut report = ImportReport {
        rows: total,
        ..ImportReport::default()
    };
    let mut changes = Vec::new();
    for (done, person) in persons.into_iter().enumerate() {
        if show && done > 0 && done % PROGRESS_EVERY == 0 {
            let _ = writeln!(progress, "import: {done}/{total} rows merged");
        }
        let Some(new) = incoming.row(person) else {
            continue;
        };
        match file.row(person) {
            None => {
                report.added += 1;
                changes.push((person, new.object, new.name));
            }
            Some(old)
                if old.object == new.object && (new.name.is_none() || old.name == new.name) =>
            {
                report.unchanged += 1;
            }
            Some(old) => {
                report.conflicts.push(format!(
                    "{}:{}: person {person} is mapped as `{}` in {}:{}",
                    csv.display(),
                    new.line,
                    old.text.trim(),
                    table.display(),
                    old.line
                ));
                report.replaced += 1;
                let name = new.name.or(old.name);
                changes.push((person, new.object, name));
            }
        }
    }
    if show {
        let _ = writeln!(progress, "import: {total}/{total} rows merged");
    }
    if !report.conflicts.is_empty() && !replace {
        let n = report.conflicts.len();
        let mut lines = cap(std::mem::take(&mut report.conflicts));
        lines.push(format!(
            "{n} conflict{}; nothing written (use --replace to overwrite these rows)",
            if n == 1 { "" } else { "s" }
        ));
        return Err(lines);
    }
    if changes.is_empty() {
        return Ok(report);
    }
    for (person, object, name) in changes {
        file.upsert(person, object, name.as_deref());
    }
    file.write().map_err(|e| vec![e])?;
    Ok(report)
}

/// At most [`MAX_REPORTED`] lines, then how many more there were.
fn cap(mut lines: Vec<String>) -> Vec<String> {
    if lines.len() > MAX_REPORTED {
        let more = lines.len() - MAX_REPORTED;
        lines.truncate(MAX_REPORTED);
        lines.push(format!("… and {more} more"));
    }
    lines
}
