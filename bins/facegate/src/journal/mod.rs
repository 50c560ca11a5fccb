//! The journal (SPEC §6): one SQLite row per sighting, written off the hot path.
//!
//! Layout: `record` holds [`JournalRecord`] and [`JournalQuery`], `store` the synchronous
//! [`Journal`] (open in WAL mode, insert a batch, query, prune), `summary` the aggregates
//! ([`Journal::unmapped_summary`]), `writer` the dedicated writer
//! thread behind a cheap [`JournalHandle`], fed through `queue` (bounded, memory follows the
//! backlog).
//!
//! Durability: rows are committed by the writer thread in batches. A batch is committed when the
//! queue has stayed empty for `linger` (10 ms after the batch's first row), when it holds
//! `max_batch` (512) rows, or at the latest
//! `batch_interval` (50 ms) after its first row arrived — so after a crash of the process at
//! most the rows of the last ~50–100 ms (the open batch plus what was still queued) are
//! missing. `synchronous = NORMAL` in WAL mode keeps committed rows across a process crash; only
//! a power loss can take back the last commits. [`JournalHandle::shutdown`] writes everything.
//!
//! ```no_run
//! # async fn demo() -> Result<(), facegate_bridge::journal::JournalError> {
//! use facegate_bridge::journal::{spawn_writer, Journal, JournalWriterConfig};
//! let journal = Journal::open(std::path::Path::new("facegate.db"))?;
//! let handle = spawn_writer(journal, JournalWriterConfig::default())?;
//! // handle.record(record);
//! handle.shutdown().await;
//! # Ok(()) }
//! ```

mod queue;
mod record;
mod schema;
mod store;
mod summary;
mod writer;

pub use record::{JournalQuery, JournalRecord, OUTCOMES};
pub use store::{Journal, RECENT_CAP};
pub use summary::UnmappedSummary;
pub use writer::{spawn_writer, JournalHandle, JournalStats, JournalWriterConfig};

use std::path::PathBuf;

/// What can go wrong with the journal.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The database file could not be opened or prepared.
    #[error("cannot open the journal {path}: {source}")]
    Open {
        /// The journal file.
        path: PathBuf,
        /// SQLite's reason.
        source: rusqlite::Error,
    },
    /// The file does not exist (read-only open).
    #[error("the journal {0} does not exist (has the bridge run with this config yet?)")]
    NotFound(PathBuf),
    /// The file was written by a newer schema than this build understands.
    #[error("the journal {path} has schema version {found}; this facegate understands up to {supported}")]
    NewerSchema {
        /// The journal file.
        path: PathBuf,
        /// The version found.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// A statement failed.
    #[error("journal database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The writer thread could not be started.
    #[error("cannot start the journal writer thread: {0}")]
    Spawn(std::io::Error),
}

#[cfg(test)]
mod tests;
