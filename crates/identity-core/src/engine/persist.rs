//! Restart support: journal replay (`remember_*`) and snapshot/restore.

use acs_proto::{AccessPointId, Direction};

use super::Engine;
use crate::sighting::PersonId;
use crate::state::cooldown::CooldownKey;
use crate::state::dedup::EventDigest;
use crate::state::snapshot::{
    CooldownEntry, DedupEntry, RestoreError, StateSnapshot, SNAPSHOT_FORMAT,
};
use crate::time::{millis, UnixMillis};

impl Engine {
    /// Remembers an event as seen (journal replay after a restart): pass
    /// [`Sighting::dedup_key`](crate::Sighting::dedup_key), or rebuild it from journal
    /// columns with [`dedup_key_from`](crate::dedup_key_from). Replay every row of the last
    /// `max_event_age + clock_skew`, whatever its outcome. False when the table is full of
    /// live events or the event is older than what the engine still vouches for.
    pub fn remember_event(&mut self, dedup_key: &str, event_time: UnixMillis) -> bool {
        self.remember_digest(EventDigest::of(dedup_key), event_time.0)
    }

    /// Remembers a grant (journal replay): replay rows whose outcome holds a cooldown —
    /// `granted`, `denied_by_acs`, `acs_timeout`, `dry_run` — from the last `cooldown`. `at`
    /// is when the `Allow` was decided; the journal's `received_at` is a close stand-in (a
    /// few ms earlier, so the restored cooldown ends that much sooner). False when the table
    /// is full of live grants or the grant has already expired.
    pub fn remember_pass(
        &mut self,
        person: PersonId,
        acs: &str,
        access_point: AccessPointId,
        direction: Direction,
        at: UnixMillis,
    ) -> bool {
        let key = CooldownKey {
            person,
            acs: acs.to_owned(),
            access_point,
            direction,
        };
        self.remember_grant(key, at.0)
    }

    /// A copy of the state (de-duplication digests, grants, unmapped persons).
    pub fn snapshot(&self) -> StateSnapshot {
        StateSnapshot {
            format: SNAPSHOT_FORMAT,
            clock: UnixMillis(self.clock),
            horizon: UnixMillis(self.horizon),
            dedup: self
                .dedup
                .entries()
                .into_iter()
                .map(|(digest, t)| DedupEntry {
                    digest,
                    event_time: UnixMillis(t),
                })
                .collect(),
            cooldown: self
                .cooldown
                .entries()
                .into_iter()
                .map(|(k, at)| CooldownEntry {
                    person: k.person,
                    acs: k.acs,
                    access_point: k.access_point,
                    direction: k.direction,
                    at: UnixMillis(at),
                })
                .collect(),
            unmapped: self.unmapped.list(),
        }
    }

    /// Merges a snapshot into the current state (nothing already remembered is forgotten;
    /// engine time and horizon move to the later of the two). Entries that no longer fit the
    /// capacities are skipped.
    pub fn restore(&mut self, snapshot: StateSnapshot) -> Result<(), RestoreError> {
        if snapshot.format != SNAPSHOT_FORMAT {
            return Err(RestoreError::Format {
                found: snapshot.format,
            });
        }
        self.clock = self.clock.max(snapshot.clock.0);
        self.horizon = self.horizon.max(snapshot.horizon.0);
        for e in snapshot.dedup {
            self.remember_digest(e.digest, e.event_time.0);
        }
        for e in snapshot.cooldown {
            let key = CooldownKey {
                person: e.person,
                acs: e.acs,
                access_point: e.access_point,
                direction: e.direction,
            };
            self.remember_grant(key, e.at.0);
        }
        let cap = self.config.policy.unmapped_capacity;
        for p in snapshot.unmapped.into_iter().rev() {
            self.unmapped.record(p, cap);
        }
        self.expire();
        Ok(())
    }

    fn remember_digest(&mut self, digest: EventDigest, event_time: i64) -> bool {
        if event_time < self.horizon {
            return false;
        }
        self.dedup
            .insert(digest, event_time, self.config.policy.dedup_capacity)
            .is_ok()
    }

    fn remember_grant(&mut self, key: CooldownKey, at: i64) -> bool {
        let expired_before = self
            .clock
            .saturating_sub(millis(self.config.policy.cooldown))
            .saturating_add(1);
        if at < expired_before {
            return false;
        }
        self.next_ticket += 1;
        self.cooldown
            .take(
                key,
                at,
                self.next_ticket,
                self.config.policy.cooldown_capacity,
            )
            .is_ok()
    }
}
