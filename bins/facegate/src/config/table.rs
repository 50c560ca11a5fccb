//! The identity table: a CSV file `watcher_person_id,acs_object_id[,name]`.
//!
//! A small loader of our own, used by validation (`check`) until
//! `identity_core::MappingTable::parse_csv` is available on this branch; the grammar is the same:
//! one mapping per line, an optional header line starting with `watcher_person_id`, blank lines
//! and lines starting with `#` ignored, the name optionally in double quotes (`""` for a quote).

use std::collections::HashMap;
use std::path::Path;

/// Largest table file read (rows beyond that are a mistake, not an identity table).
pub const MAX_TABLE_BYTES: u64 = 64 * 1024 * 1024;

/// One mapping: a Watcher person to an ACS object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MappingRow {
    /// The Watcher person id.
    pub watcher_person_id: u64,
    /// The ACS object id.
    pub acs_object_id: u32,
    /// An optional display name (documentation only; never sent to the ACS).
    pub name: Option<String>,
}

/// A problem at one line of the table (1-based; 0 = the file as a whole).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableProblem {
    /// 1-based line number, 0 when the file itself could not be read.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Reads and parses the table file.
pub fn load_table(path: &Path) -> Result<Vec<MappingRow>, Vec<TableProblem>> {
    let whole = |message: String| vec![TableProblem { line: 0, message }];
    let meta = std::fs::metadata(path).map_err(|e| whole(format!("cannot read: {e}")))?;
    if meta.len() > MAX_TABLE_BYTES {
        return Err(whole(format!(
            "{} bytes is larger than the {MAX_TABLE_BYTES}-byte limit",
            meta.len()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| whole(format!("cannot read: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|_| whole("is not UTF-8 text".into()))?;
    parse_table(&text)
}

/// Parses table text; reports every bad line, and duplicate person ids.
pub fn parse_table(text: &str) -> Result<Vec<MappingRow>, Vec<TableProblem>> {
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut seen: HashMap<u64, usize> = HashMap::new();
    for (idx, raw) in text.lines().enumerate() {
        let line_no = idx + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if rows.is_empty() && problems.is_empty() && line.starts_with("watcher_person_id") {
            continue;
        }
        match parse_line(line) {
            Ok(row) => {
                if let Some(first) = seen.insert(row.watcher_person_id, line_no) {
                    problems.push(TableProblem {
                        line: line_no,
                        message: format!(
                            "person {} is already mapped at line {first}",
                            row.watcher_person_id
                        ),
                    });
                } else {
                    rows.push(row);
                }
            }
            Err(message) => problems.push(TableProblem {
                line: line_no,
                message,
            }),
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

fn parse_line(line: &str) -> Result<MappingRow, String> {
    let mut parts = line.splitn(3, ',');
    let person = parts.next().unwrap_or("").trim();
    let object = parts
        .next()
        .ok_or("expected watcher_person_id,acs_object_id[,name]")?
        .trim();
    let watcher_person_id = person
        .parse::<u64>()
        .map_err(|_| format!("watcher_person_id {person:?} is not a non-negative integer"))?;
    let acs_object_id = object
        .parse::<u32>()
        .map_err(|_| format!("acs_object_id {object:?} is not an integer in 0..=4294967295"))?;
    let name = match parts.next().map(str::trim) {
        None | Some("") => None,
        Some(n) => Some(unquote(n)?),
    };
    Ok(MappingRow {
        watcher_person_id,
        acs_object_id,
        name,
    })
}

fn unquote(field: &str) -> Result<String, String> {
    match field.strip_prefix('"') {
        None => Ok(field.to_string()),
        Some(rest) => {
            let inner = rest
                .strip_suffix('"')
                .ok_or("the name opens a quote but does not close it")?;
            Ok(inner.replace("\"\"", "\""))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_headers_comments_and_quoted_names_are_read() {
        let rows = parse_table(
            "watcher_person_id,acs_object_id,name\n# staff\n135,6,Ivanov Ivan\n\n136,7\n137,8,\"Doe, \"\"JD\"\" John\"\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].name.as_deref(), Some("Ivanov Ivan"));
        assert_eq!(rows[1].name, None);
        assert_eq!(rows[2].name.as_deref(), Some("Doe, \"JD\" John"));
        assert_eq!(rows[2].acs_object_id, 8);
    }

    #[test]
    fn every_bad_line_is_reported_with_its_number() {
        let problems = parse_table("1,2\nx,3\n4\n5,-1\n1,9\n").unwrap_err();
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![2, 3, 4, 5]);
        assert!(problems[3].message.contains("already mapped at line 1"));
    }

    #[test]
    fn a_missing_file_is_one_problem_for_the_whole_file() {
        let problems = load_table(Path::new("/nonexistent/people.csv")).unwrap_err();
        assert_eq!(problems[0].line, 0);
        assert!(problems[0].message.contains("cannot read"));
    }
}
