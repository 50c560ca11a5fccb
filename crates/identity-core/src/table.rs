//! The identity table: Watcher person id → ACS object id (`people.csv`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use acs_proto::ObjectId;

use crate::sighting::PersonId;

/// Longest accepted name in the table, in bytes (longer names are an error, not truncated).
pub const MAX_NAME_LEN: usize = 256;

/// One row of the table.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Mapping {
    /// The ACS object id.
    pub object: ObjectId,
    /// Optional display name (documentation for the operator only).
    pub name: Option<String>,
}

/// Watcher person id → ACS object id, with an optional name per row.
///
/// The file format is `watcher_person_id,acs_object_id[,name]`, one mapping per line, an
/// optional header line with exactly those column names, `#` comments and blank lines.
/// A name may be quoted (`"Ivanov, Ivan"`, `""` for a quote inside).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct MappingTable {
    rows: BTreeMap<PersonId, Mapping>,
}

/// Why a table row was rejected.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum TableErrorKind {
    /// The line has fewer than two comma-separated fields.
    #[error("expected `watcher_person_id,acs_object_id[,name]`")]
    MissingField,
    /// The person id is not a decimal number that fits in 64 bits.
    #[error("watcher_person_id {0:?} is not a number")]
    BadPersonId(String),
    /// The object id is not a decimal number in 1..=4294967295.
    #[error("acs_object_id {0:?} is not a number in 1..=4294967295")]
    BadObjectId(String),
    /// The same person id appears on an earlier line.
    #[error("person {person} is already mapped on line {first_line}")]
    DuplicatePerson {
        /// The repeated person id.
        person: PersonId,
        /// The line of the first mapping.
        first_line: usize,
    },
    /// The name is longer than [`MAX_NAME_LEN`] bytes or has a control character.
    #[error("name is longer than 256 bytes or contains control characters")]
    BadName,
    /// A quoted name is not closed.
    #[error("unterminated quoted name")]
    UnterminatedQuote,
}

/// A table error with its 1-based line number.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct TableError {
    /// 1-based line number in the file.
    pub line: usize,
    /// What is wrong.
    pub kind: TableErrorKind,
}

/// `insert` found the person already mapped.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
#[error("person {0} is already mapped")]
pub struct AlreadyMapped(pub PersonId);

impl MappingTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses the CSV text; reports every bad line at once.
    pub fn parse_csv(text: &str) -> Result<MappingTable, Vec<TableError>> {
        let mut rows = BTreeMap::new();
        let mut first_line = BTreeMap::new();
        let mut errors = Vec::new();
        let mut seen_data = false;
        for (idx, raw) in text.lines().enumerate() {
            let line_no = idx + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if !seen_data && is_header(line) {
                seen_data = true;
                continue;
            }
            seen_data = true;
            match parse_row(line) {
                Ok((person, mapping)) => {
                    if let Some(&first) = first_line.get(&person) {
                        errors.push(TableError {
                            line: line_no,
                            kind: TableErrorKind::DuplicatePerson {
                                person,
                                first_line: first,
                            },
                        });
                    } else {
                        first_line.insert(person, line_no);
                        rows.insert(person, mapping);
                    }
                }
                Err(kind) => errors.push(TableError {
                    line: line_no,
                    kind,
                }),
            }
        }
        if errors.is_empty() {
            Ok(MappingTable { rows })
        } else {
            Err(errors)
        }
    }

    /// Adds a mapping; a person can be mapped only once.
    pub fn insert(
        &mut self,
        person: PersonId,
        object: ObjectId,
        name: Option<String>,
    ) -> Result<(), AlreadyMapped> {
        if self.rows.contains_key(&person) {
            return Err(AlreadyMapped(person));
        }
        self.rows.insert(person, Mapping { object, name });
        Ok(())
    }

    /// The mapping of a person.
    pub fn lookup(&self, person: PersonId) -> Option<&Mapping> {
        self.rows.get(&person)
    }

    /// Number of mappings.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the table has no mappings.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// All mappings in person id order.
    pub fn iter(&self) -> impl Iterator<Item = (PersonId, &Mapping)> {
        self.rows.iter().map(|(p, m)| (*p, m))
    }

    /// Writes the table back as CSV (with a header), in person id order; `parse_csv` reads it
    /// back unchanged.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("watcher_person_id,acs_object_id,name\n");
        for (person, m) in &self.rows {
            let _ = write!(out, "{},{}", person.0, m.object.0);
            if let Some(name) = &m.name {
                let _ = write!(out, ",\"{}\"", name.replace('"', "\"\""));
            }
            out.push('\n');
        }
        out
    }
}

fn is_header(line: &str) -> bool {
    let fields: Vec<String> = line
        .split(',')
        .map(|f| f.trim().to_ascii_lowercase())
        .collect();
    matches!(
        fields.iter().map(String::as_str).collect::<Vec<_>>()[..],
        ["watcher_person_id", "acs_object_id"] | ["watcher_person_id", "acs_object_id", "name"]
    )
}

fn parse_row(line: &str) -> Result<(PersonId, Mapping), TableErrorKind> {
    let mut parts = line.splitn(3, ',');
    let person_s = parts.next().unwrap_or("").trim();
    let object_s = parts.next().ok_or(TableErrorKind::MissingField)?.trim();
    let name_s = parts.next().map(str::trim);

    let person = parse_digits::<u64>(person_s)
        .map(PersonId)
        .ok_or_else(|| TableErrorKind::BadPersonId(clip(person_s)))?;
    let object = parse_digits::<u32>(object_s)
        .filter(|&o| o != 0)
        .map(ObjectId)
        .ok_or_else(|| TableErrorKind::BadObjectId(clip(object_s)))?;
    let name = match name_s {
        None | Some("") => None,
        Some(n) => Some(parse_name(n)?),
    };
    Ok((person, Mapping { object, name }))
}

/// Decimal digits only (no sign, no spaces inside), so `+5` or `0x5` are rejected.
fn parse_digits<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_name(n: &str) -> Result<String, TableErrorKind> {
    let name = if let Some(inner) = n.strip_prefix('"') {
        let inner = inner
            .strip_suffix('"')
            .ok_or(TableErrorKind::UnterminatedQuote)?;
        inner.replace("\"\"", "\"")
    } else {
        n.to_owned()
    };
    if name.len() > MAX_NAME_LEN || name.chars().any(char::is_control) {
        return Err(TableErrorKind::BadName);
    }
    Ok(name)
}

/// Error messages quote at most 32 characters of the offending field.
fn clip(s: &str) -> String {
    s.chars().take(32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rows_with_header_comments_and_names() {
        let t = MappingTable::parse_csv(
            "# people\nwatcher_person_id,acs_object_id,name\n135,6,Ivanov Ivan\n\n136, 7\n137,8,\"Petrov, Petr\"\n",
        )
        .expect("valid table");
        assert_eq!(t.len(), 3);
        assert_eq!(t.lookup(PersonId(135)).map(|m| m.object), Some(ObjectId(6)));
        assert_eq!(
            t.lookup(PersonId(135)).and_then(|m| m.name.as_deref()),
            Some("Ivanov Ivan")
        );
        assert_eq!(t.lookup(PersonId(136)).map(|m| m.object), Some(ObjectId(7)));
        assert_eq!(
            t.lookup(PersonId(137)).and_then(|m| m.name.as_deref()),
            Some("Petrov, Petr")
        );
        assert!(t.lookup(PersonId(1)).is_none());
    }

    #[test]
    fn reports_every_bad_line_with_its_number() {
        let errs = MappingTable::parse_csv("1,2\nx,3\n4\n5,0\n6,99999999999\n1,9\n7,-1\n")
            .expect_err("invalid table");
        let lines: Vec<_> = errs.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 3, 4, 5, 6, 7]);
        assert!(matches!(errs[0].kind, TableErrorKind::BadPersonId(_)));
        assert_eq!(errs[1].kind, TableErrorKind::MissingField);
        assert!(matches!(errs[2].kind, TableErrorKind::BadObjectId(_)));
        assert_eq!(
            errs[4].kind,
            TableErrorKind::DuplicatePerson {
                person: PersonId(1),
                first_line: 1
            }
        );
        assert!(errs[4].to_string().starts_with("line 6: person 1"));
    }

    #[test]
    fn a_header_is_only_accepted_before_the_first_row() {
        let errs = MappingTable::parse_csv("1,2\nwatcher_person_id,acs_object_id\n")
            .expect_err("late header");
        assert_eq!(errs[0].line, 2);
    }

    #[test]
    fn names_with_control_characters_are_rejected() {
        let errs = MappingTable::parse_csv("1,2,\"a\rALLOWPASS\"\n3,4,\"open\n").expect_err("bad");
        assert_eq!(errs[0].kind, TableErrorKind::BadName);
        assert_eq!(errs[1].kind, TableErrorKind::UnterminatedQuote);
    }

    #[test]
    fn to_csv_round_trips() {
        let mut t = MappingTable::new();
        t.insert(PersonId(1), ObjectId(2), Some("A \"B\", C".into()))
            .expect("new");
        t.insert(PersonId(3), ObjectId(4), None).expect("new");
        assert_eq!(
            t.insert(PersonId(1), ObjectId(5), None),
            Err(AlreadyMapped(PersonId(1)))
        );
        assert_eq!(MappingTable::parse_csv(&t.to_csv()), Ok(t));
    }
}
