//! Aggregates over the journal, computed by SQLite (so memory grows with the number of
//! persons, not of rows): the `unmapped_person` summary behind `facegate mapping pending`.

use rusqlite::params_from_iter;
use rusqlite::types::Value;

use super::store::{u64_from_sql, Journal};
use super::JournalError;

/// One person's `unmapped_person` rows, summarised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnmappedSummary {
    /// The Watcher person id.
    pub person_id: u64,
    /// The newest non-empty name journaled for them.
    pub name: Option<String>,
    /// Number of rows.
    pub count: u64,
    /// Oldest `received_at` (unix ms).
    pub first_seen: i64,
    /// Newest `received_at` (unix ms).
    pub last_seen: i64,
    /// The camera of the newest row that names one.
    pub camera: Option<String>,
}

const LATEST: &str = "FROM journal l WHERE l.outcome = 'unmapped_person' \
    AND l.person_id = j.person_id AND l.{col} IS NOT NULL \
    ORDER BY l.received_at DESC, l.id DESC LIMIT 1";

impl Journal {
    /// The `unmapped_person` rows received at or after `since` (all when `None`), grouped by
    /// person, in no particular order; plus the number of such rows without a person id.
    pub fn unmapped_summary(
        &self,
        since: Option<i64>,
    ) -> Result<(Vec<UnmappedSummary>, u64), JournalError> {
        let (filter, params) = match since {
            Some(s) => (" AND received_at >= ?1", vec![Value::Integer(s)]),
            None => ("", Vec::new()),
        };
        let name = LATEST.replace("{col}", "person_name");
        let camera = LATEST.replace("{col}", "camera");
        let sql = format!(
            "SELECT j.person_id, COUNT(*), MIN(j.received_at), MAX(j.received_at), \
             (SELECT l.person_name {name}), (SELECT l.camera {camera}) \
             FROM journal j WHERE j.outcome = 'unmapped_person' AND j.person_id IS NOT NULL{filter} \
             GROUP BY j.person_id"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt
            .query_map(params_from_iter(params.iter()), |r| {
                Ok(UnmappedSummary {
                    person_id: u64_from_sql(r.get(0)?),
                    count: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                    first_seen: r.get(2)?,
                    last_seen: r.get(3)?,
                    name: r.get(4)?,
                    camera: r.get(5)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let anonymous: i64 = self.conn.query_row(
            &format!(
                "SELECT COUNT(*) FROM journal WHERE outcome = 'unmapped_person' \
                 AND person_id IS NULL{filter}"
            ),
            params_from_iter(params.iter()),
            |r| r.get(0),
        )?;
        Ok((rows, u64::try_from(anonymous).unwrap_or(0)))
    }
}
