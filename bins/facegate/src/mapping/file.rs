//! The identity table file as text: rows are edited in place so comments, blank lines, the
//! header and the order of the other rows survive, and the result is written atomically.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::config::table::{parse_table, MAX_TABLE_BYTES};

/// The table file: its lines and, per person, the index of the line that maps it.
#[derive(Clone, Debug)]
pub struct TableFile {
    /// The file.
    pub path: PathBuf,
    lines: Vec<String>,
    rows: HashMap<u64, usize>,
}

/// A person's row as the file has it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExistingRow {
    /// 1-based line number.
    pub line: usize,
    /// The object id.
    pub object: u32,
    /// The name, if any.
    pub name: Option<String>,
    /// The line as written.
    pub text: String,
}

impl TableFile {
    /// Reads and validates the table; a missing file is an empty table (it is created on
    /// [`TableFile::write`]). Errors are lines `people.csv:3: …`.
    pub fn load(path: &Path) -> Result<TableFile, Vec<String>> {
        let whole = |m: String| vec![format!("{}: {m}", path.display())];
        let text = match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(whole(format!("cannot read: {e}"))),
            Ok(meta) if meta.len() > MAX_TABLE_BYTES => {
                return Err(whole(format!(
                    "{} bytes is larger than the {MAX_TABLE_BYTES}-byte limit",
                    meta.len()
                )))
            }
            Ok(_) => {
                let bytes = std::fs::read(path).map_err(|e| whole(format!("cannot read: {e}")))?;
                String::from_utf8(bytes).map_err(|_| whole("is not UTF-8 text".into()))?
            }
        };
        Self::from_text(path, &text)
    }

    /// Validates `text` (the rules of the running bridge) and indexes its rows.
    pub fn from_text(path: &Path, text: &str) -> Result<TableFile, Vec<String>> {
        let parsed = parse_table(text).map_err(|problems| {
            problems
                .iter()
                .map(|p| format!("{}:{}: {}", path.display(), p.line, p.message))
                .collect::<Vec<_>>()
        })?;
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let mut rows = HashMap::with_capacity(parsed.len());
        // Every person id parse_table accepted is on exactly one data line: find it by its
        // first field (comments, blank lines and the header never start with a bare number).
        for (i, line) in lines.iter().enumerate() {
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            let first = t.split(',').next().unwrap_or("").trim();
            if let Ok(person) = first.parse::<u64>() {
                if first.bytes().all(|b| b.is_ascii_digit()) {
                    rows.entry(person).or_insert(i);
                }
            }
        }
        Ok(TableFile {
            path: path.to_path_buf(),
            lines,
            rows,
        })
    }

    /// Number of mapped persons.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether no person is mapped.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The mapped persons in the order of their lines.
    pub fn persons(&self) -> Vec<u64> {
        let mut v: Vec<(usize, u64)> = self.rows.iter().map(|(p, i)| (*i, *p)).collect();
        v.sort_unstable();
        v.into_iter().map(|(_, p)| p).collect()
    }

    /// Whether `person` is mapped.
    pub fn contains(&self, person: u64) -> bool {
        self.rows.contains_key(&person)
    }

    /// The row of `person`, if mapped.
    pub fn row(&self, person: u64) -> Option<ExistingRow> {
        let &i = self.rows.get(&person)?;
        let text = self.lines.get(i)?.clone();
        let parsed = parse_table(&text).ok()?.into_iter().next()?;
        Some(ExistingRow {
            line: i + 1,
            object: parsed.acs_object_id,
            name: parsed.name,
            text,
        })
    }

    /// Maps `person` to `object`: replaces the person's line if there is one, else appends.
    pub fn upsert(&mut self, person: u64, object: u32, name: Option<&str>) {
        let line = format_row(person, object, name);
        match self.rows.get(&person) {
            Some(&i) => self.lines[i] = line,
            None => {
                self.rows.insert(person, self.lines.len());
                self.lines.push(line);
            }
        }
    }

    /// The file's new text (always ending with a newline).
    pub fn text(&self) -> String {
        let mut out = String::with_capacity(self.lines.iter().map(|l| l.len() + 1).sum());
        for l in &self.lines {
            out.push_str(l);
            out.push('\n');
        }
        out
    }

    /// Re-validates the new text, then replaces the file atomically (see [`write_atomic`]).
    pub fn write(&self) -> Result<(), String> {
        let text = self.text();
        if let Err(problems) = parse_table(&text) {
            let first = problems
                .first()
                .map_or(String::new(), |p| p.message.clone());
            return Err(format!(
                "{}: refusing to write an invalid table: {first}",
                self.path.display()
            ));
        }
        write_atomic(&self.path, text.as_bytes())
            .map_err(|e| format!("{}: cannot write: {e}", self.path.display()))
    }
}

/// `135,6` or `135,6,"Ivanov, Ivan"` (quoted only when needed).
pub fn format_row(person: u64, object: u32, name: Option<&str>) -> String {
    let mut s = format!("{person},{object}");
    if let Some(n) = name.filter(|n| !n.is_empty()) {
        if n.contains([',', '"']) || n.trim() != n {
            let _ = write!(s, ",\"{}\"", n.replace('"', "\"\""));
        } else {
            let _ = write!(s, ",{n}");
        }
    }
    s
}

/// Writes `bytes` to a temporary file in `path`'s directory, syncs it, gives it the old file's
/// permissions, renames it over `path` and syncs the directory: readers (the running bridge)
/// see either the old or the new file, never half of one. A symbolic link is followed (its
/// target is replaced, the link stays).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let resolved;
    let path = if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        resolved = std::fs::canonicalize(path)?;
        resolved.as_path()
    } else {
        path
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "table".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(
        ".{name}.tmp-{}-{:08x}",
        std::process::id(),
        fastrand::u32(..)
    ));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        if let Ok(meta) = std::fs::metadata(path) {
            f.set_permissions(meta.permissions())?;
        }
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)?;
        // Make the rename itself durable.
        std::fs::File::open(&dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
