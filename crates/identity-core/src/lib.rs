//! identity-core — the decision heart of facegate: a [`Sighting`] and `now` in, a
//! [`Decision`] out. Pure: no IO, no clock, no tasks. Time is always a parameter
//! ([`UnixMillis`]), so every behaviour is deterministic and testable with fabricated times.
//!
//! The engine maps a recognised Watcher person to an ACS object and a camera to a door
//! (ACS, access point, direction), applies the admission policy of SPEC §2–3, and either
//! answers [`Decision::Allow`] — "send `ALLOWPASS` before this deadline" — or a
//! [`Rejection`] carrying one of the stable SPEC [`Outcome`]s and a short reason.
//!
//! # Layout
//! - [`sighting`](Sighting): the normalised input ([`Sighting`], [`PersonRef`], [`CameraRef`],
//!   [`Source`], [`Action`]) and its de-duplication key.
//! - [`Outcome`]: the SPEC §2 strings, `FromStr`, and which ones sent an `ALLOWPASS`.
//! - `config`: [`Door`], [`IdentityMode`], [`Policy`], [`EngineConfig::validate`].
//! - `table`: the identity table [`MappingTable`] (`people.csv`).
//! - `engine`: [`Engine`] — the checks, `settle`, reload, restore.
//! - `decision`: [`Decision`], [`Allow`], [`Rejection`].
//! - `state/`: bounded tables — `dedup` (seen events as 64-bit digests), `cooldown` (recent
//!   grants), `unmapped` (persons without an ACS object), `snapshot` ([`StateSnapshot`]),
//!   `ring` (the time index both tables expire by), `hash` (their seeded integer hasher).
//!
//! # Example
//! ```no_run
//! use identity_core::*;
//! use acs_proto::{AccessPointId, Direction};
//!
//! let table = MappingTable::parse_csv("watcher_person_id,acs_object_id,name\n135,6,Ivanov Ivan\n")
//!     .expect("valid table");
//! let config = EngineConfig {
//!     doors: vec![Door {
//!         camera: "entrance".into(),
//!         acs: "hq".into(),
//!         access_point: AccessPointId(1),
//!         direction: Direction::In,
//!     }],
//!     identity: IdentityMode::Table(table),
//!     policy: Policy::default(),
//! };
//! let mut engine = Engine::new(config).expect("valid config");
//! let now = UnixMillis(1_733_300_000_000);
//! let sighting = Sighting {
//!     source: Source::Push,
//!     event_key: None,
//!     person: PersonRef { id: PersonId(135), list_id: Some(1), ..PersonRef::default() },
//!     camera: CameraRef { id: None, name: Some("entrance".into()) },
//!     event_time: now,
//!     score: None,
//!     action: Action::Enter,
//! };
//! for decision in engine.decide_all(&sighting, now) {
//!     match decision {
//!         Decision::Allow(allow) => {
//!             // send ALLOWPASS allow.access_point allow.object allow.direction to allow.acs
//!             // before allow.deadline, then report what happened:
//!             engine.settle(&allow, Outcome::Granted, now);
//!         }
//!         Decision::Reject(r) => println!("{} ({})", r.outcome, r.detail),
//!     }
//! }
//! ```
//!
//! # Check order
//! Every sighting goes through these checks in this order; the first that fails names the
//! outcome:
//! 1. `ignored` — the action is not [`Action::Enter`].
//! 2. `future` — `event_time > now + clock_skew`.
//! 3. `stale` — `now - event_time > max_event_age` (or the event is older than the
//!    de-duplication horizon, see below).
//! 4. `duplicate` — the [`Sighting::dedup_key`] was seen before. The key is *recorded here*,
//!    so a re-delivery of a sighting rejected by any later check is also `duplicate`.
//! 5. `unknown_camera` — no door's `camera` equals the sighting's camera id or name.
//! 6. `denied_list` — the person's list is in `deny_lists`.
//! 7. `not_allowed_list` — `allow_lists` is non-empty and the list is not in it (or unknown).
//! 8. `low_score` — a score is given, `min_score` is set and the score is below it (NaN too).
//! 9. `unmapped_person` — identity gives no ACS object (`same`: the id must be in
//!    1..=u32::MAX; `table`: a row; `external_id`: plain decimal digits in 1..=u32::MAX). The
//!    person is counted in [`Engine::unmapped`].
//! 10. `cooldown` — per door: the same (person, ACS, access point, direction) was granted less
//!     than `cooldown` ago.
//! 11. otherwise [`Allow`], with `deadline = event_time + max_event_age`.
//!
//! A camera may serve several doors (with different directions). [`Engine::decide_all`]
//! returns one decision per matching door, in configuration order (checks 1–9 give the same
//! rejection for each door); with no door it returns exactly one `unknown_camera`.
//! [`Engine::decide`] considers only the first matching door. `validate` rejects two doors
//! with the same camera string and direction; it cannot know that one door names a camera by
//! id and another the same camera by name — `facegate check --online` is the place for that.
//!
//! # Safety reasoning ("a wrong yes is worse than a late no")
//! - **Decide is atomic.** `decide` takes `&mut self`: callers share the engine behind a
//!   mutex, and both the seen-event record and the cooldown are written *before* the
//!   decision is returned. Two concurrent deliveries of one event cannot both pass, and two
//!   different events of one person at one door cannot both pass inside the cooldown.
//! - **Cooldown is taken at `Allow`, released only when nothing left.** [`Engine::settle`]
//!   releases it for `acs_unavailable` and `expired` (no command was written) and keeps it for
//!   `granted`, `denied_by_acs`, `acs_timeout` (the ACS may have opened) and `dry_run` (so a
//!   dry run shows what a live run would do).
//! - **Bounded memory without forgetting live facts.** A seen event only matters while it
//!   could still pass the stale check, i.e. until `event_time + max_event_age`; entries are
//!   kept for `max_event_age + clock_skew` after their event time (the extra skew is margin)
//!   and expired oldest first on every call. Grants expire `cooldown` after they were taken.
//!   Each table has a hard capacity. When a table is full of *live* entries the engine does
//!   not evict one (that could let a re-delivery or a second pass through); it rejects the new
//!   sighting instead — `duplicate` ("cannot rule out a re-delivery") or `cooldown` ("cannot
//!   hold a cooldown") — and counts it in [`Engine::overflow_rejections`]. The unmapped list
//!   is informational, so it simply drops its least recently seen person.
//! - **Time never runs backwards.** The engine keeps the latest `now` it was given and uses
//!   it; if the caller's clock steps back, events look older (late "no"), never younger.
//! - **The de-duplication horizon.** The engine remembers the oldest event time it can still
//!   vouch for. If a reload widens `max_event_age`, events older than what was remembered are
//!   rejected as `stale` until the new window has filled, instead of passing unchecked.
//! - **Hostile input.** Event keys are stored as fixed-size 64-bit FNV-1a digests (a
//!   collision can only cause a false `duplicate`, see "Capacity and memory"); names are
//!   clipped; object ids are only ever numbers from the table, a fitting person id, or an
//!   all-digit `external_id`. The tables hash with a per-process random seed, so crafted keys
//!   cannot be aimed at one probe sequence.
//! - **Restart.** The bridge replays recent journal rows with [`Engine::remember_event`] and
//!   [`Engine::remember_pass`], or saves and merges a [`StateSnapshot`].
//!
//! # Capacity and memory
//! A seen event is kept for `max_event_age + clock_skew` (12 s by default), a grant for
//! `cooldown` (5 s). At `r` events/s the tables therefore hold about `12·r` events and up to
//! `5·r` grants (only allowed sightings take one). The defaults — `dedup_capacity` 400 000,
//! `cooldown_capacity` 200 000 — cover 33 000 events/s of distinct events and 40 000
//! grants/s at the default windows; widen them together with the windows.
//!
//! Memory grows on demand (nothing is pre-sized, and a table drained after a burst gives
//! its memory back). Both tables index entries by time in a ring of 64 ms buckets
//! (`state/ring.rs`): O(1) to add, expiry exact to the millisecond at O(1) amortised per
//! entry. Measured at the default capacities (by capacity × slot size; resident-set growth
//! in brackets):
//! - **dedup**: a `u64` digest in a hash set plus a 16-byte `(time, digest)` ring entry,
//!   ≈ 29 bytes per entry at 400 000 entries [≈ 36 resident] — was ≈ 90 resident with 128-bit
//!   digests, a map of times and a `BTreeSet` index;
//! - **cooldown**: a 16-byte compact key (person, access point, interned ACS name,
//!   direction) → `(i64 at, u64 ticket)` map slot plus a 24-byte ring entry, ≈ 70 bytes per
//!   entry at 200 000 [≈ 70 resident] — was ≈ 250 with an owned ACS name per key in a map
//!   and a `BTreeMap`.
//!
//! Both hash with a seeded multiply/xor-shift hasher instead of SipHash (`state/hash.rs`).
//! The ignored test `state::measure::bytes_per_entry` prints these numbers; the bench
//! `decide/flood_25k_per_s` drives the tables at 25 000 events/s.
//!
//! **Digest collisions.** Two different keys with the same 64-bit digest make the second
//! event a false `duplicate` — a late "no", never a wrong "yes". For random keys the chance
//! that a new event collides with one of `n` live entries is `n / 2^64` (≈ 2e-14 at 400 000),
//! and that any two of 400 000 live entries collide is `n² / 2^65` ≈ 4e-9. FNV is not
//! collision resistant: a peer who can craft event keys can only make its own events look
//! like duplicates. The digest is unkeyed so snapshots stay valid across restarts.
//!
//! A reload keeps all state. Durations changed by a reload apply from then on; a grant that
//! already expired under a shorter cooldown is not revived.

mod config;
mod decision;
mod engine;
mod identity;
mod outcome;
mod sighting;
mod state;
mod table;
mod time;

pub use config::{
    ConfigProblem, Door, EngineConfig, IdentityMode, Policy, CAPACITY_LIMIT, CLOCK_SKEW_LIMIT,
    COOLDOWN_LIMIT, MAX_DOOR_NAME_LEN, MAX_EVENT_AGE_LIMIT,
};
pub use decision::{Allow, Decision, DoorRef, Rejection};
pub use engine::Engine;
pub use outcome::{Outcome, UnknownOutcome};
pub use sighting::{dedup_key_from, Action, CameraRef, PersonId, PersonRef, Sighting, Source};
pub use state::cooldown::CooldownKey;
pub use state::dedup::EventDigest;
pub use state::snapshot::{
    CooldownEntry, DedupEntry, RestoreError, StateSnapshot, SNAPSHOT_FORMAT,
};
pub use state::unmapped::UnmappedPerson;
pub use state::StateLen;
pub use table::{AlreadyMapped, Mapping, MappingTable, TableError, TableErrorKind, MAX_NAME_LEN};
pub use time::UnixMillis;

/// Re-exported so users need not depend on `acs-proto` for the id types.
pub use acs_proto::{AccessPointId, Direction, ObjectId, ObjectRef};
