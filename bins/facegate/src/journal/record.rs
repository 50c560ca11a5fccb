//! The journal row and the query filter.

use serde::Serialize;

/// Every SPEC §2 outcome name, as stored in the `outcome` column.
pub const OUTCOMES: &[&str] = &[
    "granted",
    "denied_by_acs",
    "acs_timeout",
    "acs_unavailable",
    "expired",
    "stale",
    "future",
    "duplicate",
    "cooldown",
    "unknown_camera",
    "unmapped_person",
    "not_allowed_list",
    "denied_list",
    "low_score",
    "ignored",
    "dry_run",
];

/// One sighting and what became of it. Serializes (for `journal --json`) with exactly the SPEC
/// §6 names; `detail` is an extra column shown in the table view only.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct JournalRecord {
    /// When facegate received it, unix milliseconds.
    pub received_at: i64,
    /// Where it came from (`push`, `activity`, `poll`, `demo`, …).
    pub source: String,
    /// The de-duplication key of the event.
    pub event_key: String,
    /// When the camera saw it, unix milliseconds.
    pub event_time: i64,
    /// The Watcher person id.
    pub person_id: Option<u64>,
    /// The Watcher person name (never sent to the ACS unescaped).
    pub person_name: Option<String>,
    /// The Watcher person list id.
    pub person_list: Option<u64>,
    /// The camera name or id.
    pub camera: Option<String>,
    /// The `[[acs]]` name.
    pub acs: Option<String>,
    /// The ACS access point id.
    pub access_point: Option<u32>,
    /// The ACS object id.
    pub object_id: Option<u32>,
    /// `in`, `out` or `unknown`.
    pub direction: Option<String>,
    /// One of [`OUTCOMES`].
    pub outcome: String,
    /// The `n` of an `ERROR n` answer.
    pub acs_error: Option<u32>,
    /// Ingest → ACS reply, microseconds.
    pub latency_us: Option<u64>,
    /// Free text (e.g. the command a dry run would have sent). Never a secret.
    #[serde(skip)]
    pub detail: Option<String>,
}

/// Filters for [`Journal::query`](super::Journal::query); all optional and combined with AND.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JournalQuery {
    /// Only rows received at or after this unix-millisecond time.
    pub since: Option<i64>,
    /// Only rows with this outcome.
    pub outcome: Option<String>,
    /// Only rows about this Watcher person id.
    pub person: Option<u64>,
    /// At most this many rows (the newest ones); `None` = no limit.
    pub limit: Option<usize>,
}
