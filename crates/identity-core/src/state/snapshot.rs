//! A serialisable copy of the engine's state, for rebuilding it after a restart.

use acs_proto::{AccessPointId, Direction};

use super::dedup::EventDigest;
use super::unmapped::UnmappedPerson;
use crate::sighting::PersonId;
use crate::time::UnixMillis;

/// Version of the snapshot layout; `restore` refuses other versions.
///
/// Version 2: event digests are 64-bit (16 hex digits). Version 1 held 128-bit digests; a
/// version-1 snapshot is refused with [`RestoreError::Format`] (replay the journal instead).
pub const SNAPSHOT_FORMAT: u32 = 2;

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(remote = "Direction", rename_all = "lowercase")]
enum DirectionDef {
    In,
    Out,
    Unknown,
}

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(remote = "AccessPointId")]
struct AccessPointIdDef(u32);

/// One remembered event.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
pub struct DedupEntry {
    /// Digest of the de-duplication key.
    pub digest: EventDigest,
    /// The event time (the entry expires with it).
    pub event_time: UnixMillis,
}

/// One remembered grant.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
pub struct CooldownEntry {
    /// Watcher person id.
    pub person: PersonId,
    /// The `[[acs]]` name.
    pub acs: String,
    /// The access point.
    #[serde(with = "AccessPointIdDef")]
    pub access_point: AccessPointId,
    /// The direction (`in`, `out`, `unknown`).
    #[serde(with = "DirectionDef")]
    pub direction: Direction,
    /// When the grant was taken (engine time).
    pub at: UnixMillis,
}

/// The engine's state: what `snapshot()` returns and `restore()` merges back.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
pub struct StateSnapshot {
    /// Layout version ([`SNAPSHOT_FORMAT`]).
    pub format: u32,
    /// The latest `now` the engine had seen.
    pub clock: UnixMillis,
    /// Events older than this are no longer remembered (see the crate doc, "Safety").
    pub horizon: UnixMillis,
    /// Remembered events, oldest first.
    pub dedup: Vec<DedupEntry>,
    /// Remembered grants, oldest first.
    pub cooldown: Vec<CooldownEntry>,
    /// Unmapped persons, most recently seen first.
    pub unmapped: Vec<UnmappedPerson>,
}

/// `restore` was given a snapshot it cannot use.
#[derive(Clone, Copy, PartialEq, Eq, Debug, thiserror::Error)]
pub enum RestoreError {
    /// The snapshot has another layout version.
    #[error("snapshot format {found} is not supported (expected {SNAPSHOT_FORMAT})")]
    Format {
        /// The version found.
        found: u32,
    },
}
