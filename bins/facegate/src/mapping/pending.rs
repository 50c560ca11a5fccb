//! `facegate mapping pending`: persons the cameras saw whom the identity table does not map yet.

use std::io::Write;

use serde::Serialize;

use crate::journal::Journal;
use crate::journal_cmd::{format_utc_ms, printable};

/// One unmapped person, summarised from the journal's `unmapped_person` rows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PendingPerson {
    /// The Watcher person id.
    pub person_id: u64,
    /// The latest name Watcher sent.
    pub name: Option<String>,
    /// How many `unmapped_person` sightings.
    pub count: u64,
    /// First sighting, unix milliseconds (received time).
    pub first_seen: i64,
    /// Latest sighting, unix milliseconds (received time).
    pub last_seen: i64,
    /// The camera of the latest sighting.
    pub camera: Option<String>,
}

/// The persons of the journal's `unmapped_person` rows received at or after `since`, grouped
/// by SQLite, without the persons `is_mapped` says are mapped now; newest last-seen first. The
/// second value counts the rows without a person id (faces Watcher does not know), which
/// cannot be mapped.
pub fn pending(
    journal: &Journal,
    since: Option<i64>,
    is_mapped: &dyn Fn(u64) -> bool,
) -> Result<(Vec<PendingPerson>, u64), crate::journal::JournalError> {
    let (rows, anonymous) = journal.unmapped_summary(since)?;
    let mut out: Vec<PendingPerson> = rows
        .into_iter()
        .filter(|r| !is_mapped(r.person_id))
        .map(|r| PendingPerson {
            person_id: r.person_id,
            name: r.name,
            count: r.count,
            first_seen: r.first_seen,
            last_seen: r.last_seen,
            camera: r.camera,
        })
        .collect();
    out.sort_by(|a, b| {
        b.last_seen
            .cmp(&a.last_seen)
            .then(a.person_id.cmp(&b.person_id))
    });
    Ok((out, anonymous))
}

const HEADERS: [&str; 6] = [
    "PERSON",
    "NAME",
    "COUNT",
    "FIRST SEEN (UTC)",
    "LAST SEEN (UTC)",
    "CAMERA",
];

/// An aligned table (or one JSON object per line with `json`).
pub fn write(persons: &[PendingPerson], json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        for p in persons {
            let line = serde_json::to_string(p).map_err(std::io::Error::other)?;
            writeln!(out, "{line}")?;
        }
        return Ok(());
    }
    if persons.is_empty() {
        return writeln!(out, "(no unmapped persons seen)");
    }
    let cells: Vec<[String; 6]> = persons
        .iter()
        .map(|p| {
            [
                p.person_id.to_string(),
                p.name.as_deref().map_or_else(|| "-".into(), printable),
                p.count.to_string(),
                format_utc_ms(p.first_seen),
                format_utc_ms(p.last_seen),
                p.camera.as_deref().map_or_else(|| "-".into(), printable),
            ]
        })
        .collect();
    write_aligned(&HEADERS.map(String::from), &cells, out)
}

/// Writes a header and rows as left-aligned columns two spaces apart.
pub fn write_aligned<const N: usize>(
    headers: &[String; N],
    rows: &[[String; N]],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut widths = headers.clone().map(|h| h.chars().count());
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cols: &[String; N]| {
        let mut s = String::new();
        for (c, w) in cols.iter().zip(widths) {
            s.push_str(c);
            s.push_str(&" ".repeat(w.saturating_sub(c.chars().count()) + 2));
        }
        s.trim_end().to_string()
    };
    writeln!(out, "{}", line(headers))?;
    for row in rows {
        writeln!(out, "{}", line(row))?;
    }
    Ok(())
}
