//! The identity table: a CSV file `watcher_person_id,acs_object_id[,name]`.
//!
//! Reading is bounded here; parsing is `identity_core::MappingTable::parse_csv`, so `check`
//! applies exactly the rules of the running bridge: one mapping per line, an optional header
//! line, blank lines and `#` comments ignored, the name optionally in double quotes.

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

/// Parses table text with `identity_core::MappingTable::parse_csv` (the same rules the running
/// bridge applies) and reports every bad line.
pub fn parse_table(text: &str) -> Result<Vec<MappingRow>, Vec<TableProblem>> {
    match identity_core::MappingTable::parse_csv(text) {
        Ok(table) => Ok(table
            .iter()
            .map(|(person, mapping)| MappingRow {
                watcher_person_id: person.0,
                acs_object_id: mapping.object.0,
                name: mapping.name.clone(),
            })
            .collect()),
        Err(errors) => Err(errors
            .into_iter()
            .map(|e| TableProblem {
                line: e.line,
                message: e.kind.to_string(),
            })
            .collect()),
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
        assert!(
            problems[3].message.contains("already mapped on line 1"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_missing_file_is_one_problem_for_the_whole_file() {
        let problems = load_table(Path::new("/nonexistent/people.csv")).unwrap_err();
        assert_eq!(problems[0].line, 0);
        assert!(problems[0].message.contains("cannot read"));
    }
}
