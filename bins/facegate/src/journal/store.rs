//! The synchronous journal: one SQLite connection.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, OpenFlags, Row};

use super::record::{JournalQuery, JournalRecord};
use super::schema::{COLUMNS, CREATE, SCHEMA_VERSION};
use super::JournalError;

/// Most rows [`Journal::recent`] returns (the newest ones), so a restart after a flood cannot
/// exhaust memory.
pub const RECENT_CAP: usize = 100_000;

/// SQLite page cache of the writing connection, as `PRAGMA cache_size` (negative = KiB).
const WRITER_CACHE_KIB: i64 = -512;

/// One connection to the journal database.
#[derive(Debug)]
pub struct Journal {
    pub(super) conn: Connection,
    path: PathBuf,
}

impl Journal {
    /// Opens (creating if needed) the journal for writing: WAL mode, `synchronous = NORMAL`,
    /// schema and indices. The directory must exist.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        let open_err = |source| JournalError::Open {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(open_err)?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(open_err)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(open_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(path = %path.display(), mode, "journal is not in WAL mode");
        }
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        // The writer only appends (and prunes hourly): a small page cache is enough, and the
        // default (2 MiB) is a noticeable part of the bridge's 30 MB budget (SPEC §8).
        conn.pragma_update(None, "cache_size", WRITER_CACHE_KIB)
            .map_err(open_err)?;
        let journal = Journal {
            conn,
            path: path.to_path_buf(),
        };
        journal.check_version()?;
        journal.conn.execute_batch(CREATE).map_err(open_err)?;
        journal
            .conn
            .pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(open_err)?;
        Ok(journal)
    }

    /// Opens an existing journal for queries only (`facegate journal`).
    pub fn open_read_only(path: &Path) -> Result<Journal, JournalError> {
        if !path.exists() {
            return Err(JournalError::NotFound(path.to_path_buf()));
        }
        let open_err = |source| JournalError::Open {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(open_err)?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(open_err)?;
        let journal = Journal {
            conn,
            path: path.to_path_buf(),
        };
        journal.check_version()?;
        Ok(journal)
    }

    fn check_version(&self) -> Result<(), JournalError> {
        let found: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(JournalError::NewerSchema {
                path: self.path.clone(),
                found,
                supported: SCHEMA_VERSION,
            });
        }
        Ok(())
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Inserts `rows` in one transaction.
    pub fn insert_batch(&mut self, rows: &[JournalRecord]) -> Result<(), JournalError> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(&format!(
                "INSERT INTO journal ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
            ))?;
            for r in rows {
                stmt.execute(rusqlite::params![
                    r.received_at,
                    r.source,
                    r.event_key,
                    r.event_time,
                    r.person_id.map(u64_to_sql),
                    r.person_name,
                    r.person_list.map(u64_to_sql),
                    r.camera,
                    r.acs,
                    r.access_point,
                    r.object_id,
                    r.direction,
                    r.outcome,
                    r.acs_error,
                    r.latency_us.map(u64_to_sql),
                    r.detail,
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The rows matching `q`: the newest `q.limit` of them, returned oldest first.
    pub fn query(&self, q: &JournalQuery) -> Result<Vec<JournalRecord>, JournalError> {
        let mut clauses = Vec::new();
        let mut params: Vec<Value> = Vec::new();
        if let Some(since) = q.since {
            params.push(Value::Integer(since));
            clauses.push(format!("received_at >= ?{}", params.len()));
        }
        if let Some(outcome) = &q.outcome {
            params.push(Value::Text(outcome.clone()));
            clauses.push(format!("outcome = ?{}", params.len()));
        }
        if let Some(person) = q.person {
            params.push(Value::Integer(u64_to_sql(person)));
            clauses.push(format!("person_id = ?{}", params.len()));
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let limit = q.limit.map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
        params.push(Value::Integer(limit));
        let sql = format!(
            "SELECT {COLUMNS} FROM journal {filter} ORDER BY received_at DESC, id DESC LIMIT ?{}",
            params.len()
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt
            .query_map(params_from_iter(params), from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        rows.reverse();
        Ok(rows)
    }

    /// Rows received at or after `since_ms`, oldest first (at most the newest [`RECENT_CAP`]):
    /// what the bridge replays at start to rebuild de-duplication and cooldown state.
    pub fn recent(&self, since_ms: i64) -> Result<Vec<JournalRecord>, JournalError> {
        self.query(&JournalQuery {
            since: Some(since_ms),
            limit: Some(RECENT_CAP),
            ..JournalQuery::default()
        })
    }

    /// Deletes rows received before `older_than_ms`; returns how many.
    pub fn prune(&self, older_than_ms: i64) -> Result<usize, JournalError> {
        Ok(self.conn.execute(
            "DELETE FROM journal WHERE received_at < ?1",
            [older_than_ms],
        )?)
    }

    /// Number of rows.
    pub fn count(&self) -> Result<u64, JournalError> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM journal", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

pub(super) fn u64_to_sql(v: u64) -> i64 {
    i64::from_ne_bytes(v.to_ne_bytes())
}

pub(super) fn u64_from_sql(v: i64) -> u64 {
    u64::from_ne_bytes(v.to_ne_bytes())
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<JournalRecord> {
    Ok(JournalRecord {
        received_at: r.get(0)?,
        source: r.get(1)?,
        event_key: r.get(2)?,
        event_time: r.get(3)?,
        person_id: r.get::<_, Option<i64>>(4)?.map(u64_from_sql),
        person_name: r.get(5)?,
        person_list: r.get::<_, Option<i64>>(6)?.map(u64_from_sql),
        camera: r.get(7)?,
        acs: r.get(8)?,
        access_point: r.get(9)?,
        object_id: r.get(10)?,
        direction: r.get(11)?,
        outcome: r.get(12)?,
        acs_error: r.get(13)?,
        latency_us: r.get::<_, Option<i64>>(14)?.map(u64_from_sql),
        detail: r.get(15)?,
    })
}
