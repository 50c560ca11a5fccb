//! The journal schema (version 1).

/// `PRAGMA user_version` of the schema below.
pub(crate) const SCHEMA_VERSION: i64 = 1;

/// Creates the table and indices if missing. `person_id`, `person_list` and `latency_us` are
/// stored as the bit pattern of the `u64` in SQLite's signed 64-bit integer, so every value
/// round-trips (ids above `i64::MAX` read back unchanged, they just sort oddly).
pub(crate) const CREATE: &str = "
CREATE TABLE IF NOT EXISTS journal (
    id           INTEGER PRIMARY KEY,
    received_at  INTEGER NOT NULL,
    source       TEXT    NOT NULL,
    event_key    TEXT    NOT NULL,
    event_time   INTEGER NOT NULL,
    person_id    INTEGER,
    person_name  TEXT,
    person_list  INTEGER,
    camera       TEXT,
    acs          TEXT,
    access_point INTEGER,
    object_id    INTEGER,
    direction    TEXT,
    outcome      TEXT    NOT NULL,
    acs_error    INTEGER,
    latency_us   INTEGER,
    detail       TEXT
);
CREATE INDEX IF NOT EXISTS journal_received_at ON journal (received_at);
CREATE INDEX IF NOT EXISTS journal_outcome ON journal (outcome, received_at);
CREATE INDEX IF NOT EXISTS journal_person_id ON journal (person_id, received_at);
CREATE INDEX IF NOT EXISTS journal_event_key ON journal (event_key);
";

/// The columns in [`JournalRecord`](super::JournalRecord) order.
pub(crate) const COLUMNS: &str = "received_at, source, event_key, event_time, person_id, \
    person_name, person_list, camera, acs, access_point, object_id, direction, outcome, \
    acs_error, latency_us, detail";
