//! The decision engine: checks in a fixed order, bounded state, no clock.

mod persist;

use std::collections::HashMap;

use acs_proto::{ObjectId, ObjectRef};

use crate::config::{ConfigProblem, Door, EngineConfig, IdentityMode};
use crate::decision::{Allow, Decision, DoorRef, Rejection};
use crate::identity::{mode_name, resolve};
use crate::outcome::Outcome;
use crate::sighting::{Action, Sighting};
use crate::state::cooldown::{CooldownKey, CooldownTable};
use crate::state::dedup::{DedupTable, Fnv64};
use crate::state::unmapped::{UnmappedPerson, UnmappedTable};
use crate::state::StateLen;
use crate::time::{millis, UnixMillis};

/// Turns sightings into decisions. See the crate documentation for the check order and the
/// safety reasoning. All methods are O(1) or O(log n) amortised in the table sizes.
#[derive(Debug)]
pub struct Engine {
    config: EngineConfig,
    /// Camera id or name → door indices, in configuration order.
    cameras: HashMap<String, Vec<usize>>,
    dedup: DedupTable,
    cooldown: CooldownTable,
    unmapped: UnmappedTable,
    /// The latest `now` seen: engine time never runs backwards.
    clock: i64,
    /// Events with an earlier event time are no longer remembered and are rejected as stale.
    horizon: i64,
    next_ticket: u64,
    overflow_rejections: u64,
}

/// A check failed before any door-specific work.
type Reject = (Outcome, String);

impl Engine {
    /// Validates the configuration and builds an engine with empty state.
    pub fn new(config: EngineConfig) -> Result<Engine, Vec<ConfigProblem>> {
        config.validate()?;
        Ok(Engine {
            cameras: index_cameras(&config.doors),
            config,
            dedup: DedupTable::default(),
            cooldown: CooldownTable::default(),
            unmapped: UnmappedTable::default(),
            clock: i64::MIN,
            horizon: i64::MIN,
            next_ticket: 0,
            overflow_rejections: 0,
        })
    }

    /// The configuration in force.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Replaces doors, identity and policy after validating them; de-duplication, cooldown
    /// and unmapped state are kept (unmapped persons the new table maps are dropped from the
    /// list). An invalid config changes nothing. A smaller capacity applies to new entries:
    /// tables already above it shrink as their entries expire (live entries are never
    /// evicted).
    pub fn reload(&mut self, config: EngineConfig) -> Result<(), Vec<ConfigProblem>> {
        config.validate()?;
        self.cameras = index_cameras(&config.doors);
        self.config = config;
        if let IdentityMode::Table(t) = &self.config.identity {
            self.unmapped.retain_unmapped(|id| t.lookup(id).is_none());
        }
        Ok(())
    }

    /// The decision for the sighting at the *first* matching door (configuration order).
    ///
    /// Use [`decide_all`](Self::decide_all) when a camera may serve several doors: `decide`
    /// records the event as seen, so the other doors are never considered for it.
    pub fn decide(&mut self, sighting: &Sighting, now: UnixMillis) -> Decision {
        let mut all = self.evaluate(sighting, now, 1);
        all.pop().unwrap_or_else(|| {
            Decision::Reject(rejection(Outcome::UnknownCamera, "no door".into(), None))
        })
    }

    /// One decision per matching door, in configuration order; exactly one
    /// `Reject(unknown_camera)` (or one earlier rejection) when no door matches.
    ///
    /// A rejection that does not depend on the door (ignored, future, stale, duplicate, list,
    /// score, unmapped) is repeated for every matching door, so each (sighting, door) pair
    /// gets one journal record with its door columns filled.
    pub fn decide_all(&mut self, sighting: &Sighting, now: UnixMillis) -> Vec<Decision> {
        self.evaluate(sighting, now, usize::MAX)
    }

    /// Reports what became of an `Allow`. Releases its cooldown when the command provably
    /// never left (`acs_unavailable`, `expired`) and returns whether it did; every other
    /// outcome keeps it (`granted`, `denied_by_acs`, `acs_timeout` — and `dry_run`, so a dry
    /// run shows exactly the cooldowns a live run would apply).
    pub fn settle(&mut self, allow: &Allow, outcome: Outcome, now: UnixMillis) -> bool {
        self.tick(now);
        outcome.releases_cooldown() && self.cooldown.release(&allow.key, allow.ticket)
    }

    /// Unmapped persons seen, most recently seen first (bounded by
    /// `policy.unmapped_capacity`).
    pub fn unmapped(&self) -> Vec<UnmappedPerson> {
        self.unmapped.list()
    }

    /// Entries per table.
    pub fn state_len(&self) -> StateLen {
        StateLen {
            dedup: self.dedup.len(),
            cooldown: self.cooldown.len(),
            unmapped: self.unmapped.len(),
        }
    }

    /// Sightings rejected because a table was full of live entries (a metric worth alerting
    /// on: raise the capacity).
    pub fn overflow_rejections(&self) -> u64 {
        self.overflow_rejections
    }

    /// The engine time: the latest `now` given so far.
    pub fn clock(&self) -> UnixMillis {
        UnixMillis(self.clock)
    }

    fn evaluate(&mut self, s: &Sighting, now: UnixMillis, limit: usize) -> Vec<Decision> {
        let now = self.tick(now);
        let doors = self.matching_doors(s, limit);
        if let Err((outcome, detail)) = self.sighting_checks(s, now) {
            return self.reject_each(&doors, outcome, detail);
        }
        if doors.is_empty() {
            let detail = "no door is configured for this camera".to_owned();
            return vec![Decision::Reject(rejection(
                Outcome::UnknownCamera,
                detail,
                None,
            ))];
        }
        if let Err((outcome, detail)) = self.person_checks(s) {
            return self.reject_each(&doors, outcome, detail);
        }
        let Some(object) = resolve(&self.config.identity, &s.person) else {
            self.record_unmapped(s, now);
            let detail = format!(
                "person {} has no ACS object (identity mode {})",
                s.person.id,
                mode_name(&self.config.identity)
            );
            return self.reject_each(&doors, Outcome::UnmappedPerson, detail);
        };
        doors
            .iter()
            .map(|&i| self.grant(i, s, object, now))
            .collect()
    }

    /// ignored → future → stale → duplicate. The event is recorded as seen here, before any
    /// later check can reject it, so a re-delivery of anything is `duplicate`.
    fn sighting_checks(&mut self, s: &Sighting, now: i64) -> Result<(), Reject> {
        let p = &self.config.policy;
        if s.action != Action::Enter {
            return Err((
                Outcome::Ignored,
                format!("action {:?} is not enter", s.action),
            ));
        }
        let ahead = s.event_time.0.saturating_sub(now);
        if ahead > millis(p.clock_skew) {
            let detail = format!(
                "event time is {ahead} ms ahead of now (clock_skew {} ms)",
                millis(p.clock_skew)
            );
            return Err((Outcome::Future, detail));
        }
        let age = now.saturating_sub(s.event_time.0);
        if age > millis(p.max_event_age) {
            let detail = format!(
                "event is {age} ms old (max_event_age {} ms)",
                millis(p.max_event_age)
            );
            return Err((Outcome::Stale, detail));
        }
        if s.event_time.0 < self.horizon {
            let detail = "event is older than the de-duplication horizon (the window was widened by a reload)".to_owned();
            return Err((Outcome::Stale, detail));
        }
        let mut h = Fnv64::new();
        let _ = s.write_dedup_key(&mut h);
        let digest = h.finish();
        if self.dedup.contains(digest) {
            return Err((Outcome::Duplicate, "event already seen".to_owned()));
        }
        if self
            .dedup
            .insert(digest, s.event_time.0, p.dedup_capacity)
            .is_err()
        {
            self.overflow_rejections += 1;
            let detail = format!(
                "de-duplication table is full ({} live events): cannot rule out a re-delivery",
                p.dedup_capacity
            );
            return Err((Outcome::Duplicate, detail));
        }
        Ok(())
    }

    /// deny list → allow list → score.
    fn person_checks(&self, s: &Sighting) -> Result<(), Reject> {
        let p = &self.config.policy;
        let list = s.person.list_id;
        if let Some(l) = list.filter(|l| p.deny_lists.contains(l)) {
            let detail = format!("person list {l} is in policy.deny_lists");
            return Err((Outcome::DeniedList, detail));
        }
        if !p.allow_lists.is_empty() {
            match list {
                Some(l) if p.allow_lists.contains(&l) => {}
                Some(l) => {
                    let detail = format!("person list {l} is not in policy.allow_lists");
                    return Err((Outcome::NotAllowedList, detail));
                }
                None => {
                    let detail = "person list unknown and policy.allow_lists is set".to_owned();
                    return Err((Outcome::NotAllowedList, detail));
                }
            }
        }
        if let (Some(min), Some(score)) = (p.min_score, s.score) {
            // A NaN score is incomparable: treat it as low.
            let high_enough = matches!(
                score.partial_cmp(&min),
                Some(std::cmp::Ordering::Greater | std::cmp::Ordering::Equal)
            );
            if !high_enough {
                let detail = format!("match score {score} is below policy.min_score {min}");
                return Err((Outcome::LowScore, detail));
            }
        }
        Ok(())
    }

    /// cooldown → Allow (taking the cooldown before returning).
    fn grant(&mut self, door: usize, s: &Sighting, object: ObjectId, now: i64) -> Decision {
        let Some(d) = self.config.doors.get(door) else {
            let detail = "door disappeared".to_owned();
            return Decision::Reject(rejection(Outcome::UnknownCamera, detail, None));
        };
        let p = &self.config.policy;
        let key = CooldownKey {
            person: s.person.id,
            acs: d.acs.clone(),
            access_point: d.access_point,
            direction: d.direction,
        };
        let door_ref = door_ref(d);
        if let Some(at) = self.cooldown.granted_at(&key) {
            let since = now.saturating_sub(at);
            if since < millis(p.cooldown) {
                let detail = format!(
                    "granted {since} ms ago (policy.cooldown {} ms)",
                    millis(p.cooldown)
                );
                let mut r = rejection(Outcome::Cooldown, detail, Some(door_ref));
                r.object = Some(object);
                return Decision::Reject(r);
            }
        }
        self.next_ticket += 1;
        let ticket = self.next_ticket;
        if self
            .cooldown
            .take(key.clone(), now, ticket, p.cooldown_capacity)
            .is_err()
        {
            self.overflow_rejections += 1;
            let detail = format!(
                "cooldown table is full ({} live grants): cannot hold a cooldown",
                p.cooldown_capacity
            );
            let mut r = rejection(Outcome::Cooldown, detail, Some(door_ref));
            r.object = Some(object);
            return Decision::Reject(r);
        }
        Decision::Allow(Allow {
            acs: door_ref.acs,
            access_point: d.access_point,
            object: ObjectRef::Id(object),
            direction: d.direction,
            deadline: s.event_time + p.max_event_age,
            key,
            granted_at: UnixMillis(now),
            ticket,
        })
    }

    fn matching_doors(&self, s: &Sighting, limit: usize) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::new();
        for label in [s.camera.id.as_deref(), s.camera.name.as_deref()]
            .into_iter()
            .flatten()
        {
            if let Some(ix) = self.cameras.get(label) {
                out.extend(ix);
            }
        }
        out.sort_unstable();
        out.dedup();
        out.truncate(limit);
        out
    }

    fn reject_each(&self, doors: &[usize], outcome: Outcome, detail: String) -> Vec<Decision> {
        if doors.is_empty() {
            return vec![Decision::Reject(rejection(outcome, detail, None))];
        }
        doors
            .iter()
            .map(|&i| {
                let door = self.config.doors.get(i).map(door_ref);
                Decision::Reject(rejection(outcome, detail.clone(), door))
            })
            .collect()
    }

    fn record_unmapped(&mut self, s: &Sighting, now: i64) {
        let entry = UnmappedPerson {
            id: s.person.id,
            name: s.person.name.clone(),
            camera: s.camera.label().to_owned(),
            count: 1,
            first_seen: UnixMillis(now),
            last_seen: UnixMillis(now),
        };
        self.unmapped
            .record(entry, self.config.policy.unmapped_capacity);
    }

    /// Moves engine time forward (never back) and expires old entries.
    fn tick(&mut self, now: UnixMillis) -> i64 {
        self.clock = self.clock.max(now.0);
        self.expire();
        self.clock
    }

    /// Dedup entries live for `max_event_age + clock_skew` after their event time: any older
    /// event is stale anyway. Cooldown entries live for `cooldown` after the grant.
    fn expire(&mut self) {
        let p = &self.config.policy;
        let window = millis(p.max_event_age).saturating_add(millis(p.clock_skew));
        let cutoff = self.clock.saturating_sub(window);
        self.dedup.expire(cutoff);
        self.horizon = self.horizon.max(cutoff);
        let cooldown_cutoff = self
            .clock
            .saturating_sub(millis(p.cooldown))
            .saturating_add(1);
        self.cooldown.expire(cooldown_cutoff);
    }
}

fn index_cameras(doors: &[Door]) -> HashMap<String, Vec<usize>> {
    let mut map: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, d) in doors.iter().enumerate() {
        map.entry(d.camera.clone()).or_default().push(i);
    }
    map
}

fn door_ref(d: &Door) -> DoorRef {
    DoorRef {
        acs: d.acs.clone(),
        access_point: d.access_point,
        direction: d.direction,
    }
}

fn rejection(outcome: Outcome, detail: String, door: Option<DoorRef>) -> Rejection {
    Rejection {
        outcome,
        detail,
        door,
        object: None,
    }
}
