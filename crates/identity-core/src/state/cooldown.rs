//! Recent grants per (person, ACS, access point, direction), expiring after the cooldown.
//!
//! Layout per entry: a 16-byte [`Slot`] key (person, access point, interned ACS name and
//! direction) → `(i64 granted at, u64 ticket)` in a hash map (32 bytes + 1 control byte),
//! and one 24-byte `(at, slot)` entry in a [`TimeRing`] by grant time. ACS names are
//! interned: each distinct name is stored once, not once per grant.

use std::collections::HashMap;

use acs_proto::{AccessPointId, Direction};

use super::hash::MixState;
use super::ring::TimeRing;
use super::Full;
use crate::sighting::PersonId;

/// What a cooldown is keyed by: one person through one door in one direction.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct CooldownKey {
    /// Watcher person id.
    pub person: PersonId,
    /// The `[[acs]]` name.
    pub acs: String,
    /// The access point.
    pub access_point: AccessPointId,
    /// The direction.
    pub direction: Direction,
}

/// Most distinct ACS names the table interns (the index shares a `u32` with the direction).
const MAX_ACS_NAMES: usize = 1 << 24;

/// The compact form of a [`CooldownKey`]: `acs_dir` is `interned ACS index << 2 | direction`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
struct Slot {
    person: u64,
    access_point: u32,
    acs_dir: u32,
}

/// Key → (granted at, ticket), plus a time index of `(at, slot)` for expiry. All operations
/// are O(1) amortised.
///
/// The ticket identifies one grant, so `release` of an old `Allow` cannot remove a newer grant
/// for the same key. The index holds no ticket and is lazily cleaned: a replaced or released
/// grant leaves its entry behind, skipped when it expires (its time no longer matches the
/// slot's; an entry left by a grant released and re-taken in the same millisecond expires
/// the new grant at exactly the right moment). The index is rebuilt from the map when such
/// entries outnumber live ones.
#[derive(Debug, Default)]
pub(crate) struct CooldownTable {
    by_slot: HashMap<Slot, (i64, u64), MixState>,
    by_time: TimeRing<Slot>,
    /// Interned ACS names (index → name, name → index). Cleared when the table empties.
    names: Vec<String>,
    name_ix: HashMap<String, u32, MixState>,
}

fn direction_bits(d: Direction) -> u32 {
    match d {
        Direction::In => 0,
        Direction::Out => 1,
        Direction::Unknown => 2,
    }
}

fn direction_of(bits: u32) -> Direction {
    match bits & 3 {
        0 => Direction::In,
        1 => Direction::Out,
        _ => Direction::Unknown,
    }
}

impl CooldownTable {
    pub(crate) fn len(&self) -> usize {
        self.by_slot.len()
    }

    /// When the key was last granted, if still remembered.
    pub(crate) fn granted_at(&self, key: &CooldownKey) -> Option<i64> {
        let slot = self.slot(key)?;
        self.by_slot.get(&slot).map(|&(at, _)| at)
    }

    /// Forgets every grant with `at < cutoff`, oldest first.
    pub(crate) fn expire(&mut self, cutoff: i64) {
        let mut removed = false;
        let by_slot = &mut self.by_slot;
        self.by_time.expire(cutoff, |at, slot| {
            if by_slot.get(&slot).is_some_and(|&(t, _)| t == at) {
                by_slot.remove(&slot);
                removed = true;
            }
        });
        if removed {
            self.shrink_when_mostly_empty();
        }
    }

    /// Records a grant. An existing entry for the key is replaced only by a later grant.
    /// A new key is refused with `Full` at capacity: live grants are never evicted, because
    /// forgetting one could let a second pass through inside the cooldown.
    pub(crate) fn take(
        &mut self,
        key: CooldownKey,
        at: i64,
        ticket: u64,
        capacity: usize,
    ) -> Result<(), Full> {
        let len = self.by_slot.len();
        let known = self.slot(&key).filter(|s| self.by_slot.contains_key(s));
        let slot = match known {
            Some(slot) => slot,
            None if len >= capacity => return Err(Full),
            None => self.intern(&key).ok_or(Full)?,
        };
        match self.by_slot.get_mut(&slot) {
            Some(old) if at < old.0 => return Ok(()),
            Some(old) => *old = (at, ticket),
            None => {
                self.by_slot.insert(slot, (at, ticket));
            }
        }
        self.by_time.push(at, slot);
        self.compact_index();
        Ok(())
    }

    /// Removes the grant with this ticket; false when it is gone or was superseded.
    pub(crate) fn release(&mut self, key: &CooldownKey, ticket: u64) -> bool {
        let Some(slot) = self.slot(key) else {
            return false;
        };
        match self.by_slot.get(&slot) {
            Some(&(_, t)) if t == ticket => {
                self.by_slot.remove(&slot);
                self.compact_index();
                true
            }
            _ => false,
        }
    }

    /// Every grant, oldest first (ties by ticket).
    pub(crate) fn entries(&self) -> Vec<(CooldownKey, i64)> {
        let mut v: Vec<(i64, u64, Slot)> = self
            .by_slot
            .iter()
            .map(|(&slot, &(at, ticket))| (at, ticket, slot))
            .collect();
        v.sort_unstable();
        v.into_iter()
            .map(|(at, _, slot)| (self.key_of(slot), at))
            .collect()
    }

    /// Bytes held by the containers (capacity × slot size; excludes allocator overhead and
    /// the interned names).
    #[cfg(test)]
    pub(crate) fn heap_bytes(&self) -> usize {
        let buckets = (self.by_slot.capacity() * 8 / 7).next_power_of_two();
        buckets * (std::mem::size_of::<(Slot, (i64, u64))>() + 1) + self.by_time.heap_bytes()
    }

    /// The compact key, if the ACS name is interned (else the key cannot be in the table).
    fn slot(&self, key: &CooldownKey) -> Option<Slot> {
        let ix = *self.name_ix.get(key.acs.as_str())?;
        Some(Slot {
            person: key.person.0,
            access_point: key.access_point.0,
            acs_dir: ix << 2 | direction_bits(key.direction),
        })
    }

    /// The compact key, interning the ACS name; `None` when too many names are interned.
    fn intern(&mut self, key: &CooldownKey) -> Option<Slot> {
        if !self.name_ix.contains_key(key.acs.as_str()) {
            if self.names.len() >= MAX_ACS_NAMES {
                return None;
            }
            let ix = u32::try_from(self.names.len()).ok()?;
            self.names.push(key.acs.clone());
            self.name_ix.insert(key.acs.clone(), ix);
        }
        self.slot(key)
    }

    fn key_of(&self, slot: Slot) -> CooldownKey {
        let ix = (slot.acs_dir >> 2) as usize;
        CooldownKey {
            person: PersonId(slot.person),
            acs: self.names.get(ix).cloned().unwrap_or_default(),
            access_point: AccessPointId(slot.access_point),
            direction: direction_of(slot.acs_dir),
        }
    }

    fn compact_index(&mut self) {
        if self.by_time.len() > 2 * self.by_slot.len() + 64 {
            let mut ring = TimeRing::default();
            for (&slot, &(at, _)) in &self.by_slot {
                ring.push(at, slot);
            }
            self.by_time = ring;
        }
    }

    /// Gives memory back after a burst, and forgets interned names nobody uses.
    fn shrink_when_mostly_empty(&mut self) {
        let len = self.by_slot.len();
        if len == 0 {
            self.names.clear();
            self.name_ix.clear();
            self.by_time = TimeRing::default();
        }
        if self.by_slot.capacity() > 4 * len + 1024 {
            self.by_slot.shrink_to(2 * len);
            self.compact_index();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(p: u64) -> CooldownKey {
        CooldownKey {
            person: PersonId(p),
            acs: "hq".into(),
            access_point: AccessPointId(1),
            direction: Direction::In,
        }
    }

    #[test]
    fn release_only_removes_the_matching_ticket() {
        let mut t = CooldownTable::default();
        t.take(key(1), 10, 1, 10).expect("room");
        t.take(key(1), 20, 2, 10).expect("room");
        assert!(!t.release(&key(1), 1), "superseded ticket");
        assert_eq!(t.granted_at(&key(1)), Some(20));
        assert!(t.release(&key(1), 2));
        assert_eq!(t.len(), 0);
    }

    #[test]
    fn an_older_grant_does_not_replace_a_newer_one() {
        let mut t = CooldownTable::default();
        t.take(key(1), 20, 1, 10).expect("room");
        t.take(key(1), 10, 2, 10).expect("room");
        assert_eq!(t.granted_at(&key(1)), Some(20));
        assert_eq!(t.entries().len(), 1);
    }

    #[test]
    fn expiry_and_capacity() {
        let mut t = CooldownTable::default();
        t.take(key(1), 10, 1, 2).expect("room");
        t.take(key(2), 20, 2, 2).expect("room");
        assert_eq!(t.take(key(3), 30, 3, 2), Err(Full));
        t.expire(15);
        assert_eq!(t.granted_at(&key(1)), None);
        t.take(key(3), 30, 3, 2).expect("room after expiry");
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn a_replaced_grant_is_not_expired_with_its_old_time() {
        let mut t = CooldownTable::default();
        t.take(key(1), 10, 1, 10).expect("room");
        t.take(key(1), 30, 2, 10).expect("room");
        t.expire(20);
        assert_eq!(t.granted_at(&key(1)), Some(30));
        // A released then re-taken key: the released entry's index twin is skipped.
        assert!(t.release(&key(1), 2));
        t.take(key(1), 25, 3, 10).expect("room");
        t.expire(26);
        assert_eq!(t.granted_at(&key(1)), None);
    }

    #[test]
    fn keys_differing_in_acs_or_direction_are_distinct_and_round_trip() {
        let mut t = CooldownTable::default();
        let mut other = key(1);
        other.acs = "annex".into();
        let mut out = key(1);
        out.direction = Direction::Out;
        let mut unknown = key(1);
        unknown.direction = Direction::Unknown;
        for (i, k) in [key(1), other.clone(), out.clone(), unknown.clone()]
            .into_iter()
            .enumerate()
        {
            t.take(k, 10 + i as i64, i as u64, 10).expect("room");
        }
        assert_eq!(t.len(), 4);
        let keys: Vec<CooldownKey> = t.entries().into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, [key(1), other, out, unknown]);
        let mut never = key(1);
        never.acs = "never-seen".into();
        assert_eq!(t.granted_at(&never), None);
        assert!(!t.release(&never, 0));
    }

    #[test]
    fn released_and_retaken_grants_keep_the_time_index_bounded() {
        let mut t = CooldownTable::default();
        for i in 0..10_000u64 {
            t.take(key(1), 0, i, 10).expect("room");
            assert!(t.release(&key(1), i));
        }
        assert!(t.by_time.len() <= 2 * t.len() + 65, "{}", t.by_time.len());
    }

    proptest::proptest! {
        #[test]
        fn the_table_behaves_like_a_map_of_latest_grants(
            ops in proptest::collection::vec((0u64..12, 0i64..3_000, 0u8..6, 0usize..64), 1..400)
        ) {
            let cap = 6;
            let mut t = CooldownTable::default();
            let mut model: std::collections::HashMap<CooldownKey, (i64, u64)> = Default::default();
            let mut now = 0i64;
            let mut ticket = 0u64;
            let mut taken: Vec<(CooldownKey, u64)> = Vec::new();
            for (p, dt, op, pick) in ops {
                let mut k = key(p % 4);
                k.acs = ["hq", "annex", "depot"][(p % 3) as usize].into();
                k.direction = [Direction::In, Direction::Out][(p / 6) as usize % 2];
                match op {
                    0 => {
                        now += dt;
                        let cutoff = now - 5_000;
                        t.expire(cutoff);
                        model.retain(|_, &mut (at, _)| at >= cutoff);
                    }
                    1 if !taken.is_empty() => {
                        let (k, tk) = taken[pick % taken.len()].clone();
                        let want = model.get(&k).is_some_and(|&(_, m)| m == tk);
                        if want {
                            model.remove(&k);
                        }
                        proptest::prop_assert_eq!(t.release(&k, tk), want);
                    }
                    _ => {
                        ticket += 1;
                        let at = now - dt / 2;
                        let got = t.take(k.clone(), at, ticket, cap);
                        let full = model.len() >= cap;
                        let want = match model.get_mut(&k) {
                            Some(old) => {
                                if at >= old.0 {
                                    *old = (at, ticket);
                                }
                                Ok(())
                            }
                            None if full => Err(Full),
                            None => {
                                model.insert(k.clone(), (at, ticket));
                                Ok(())
                            }
                        };
                        proptest::prop_assert_eq!(got, want);
                        taken.push((k, ticket));
                    }
                }
                proptest::prop_assert_eq!(t.len(), model.len());
                for (k, &(at, _)) in &model {
                    proptest::prop_assert_eq!(t.granted_at(k), Some(at));
                }
                let mut want: Vec<(i64, u64, CooldownKey)> =
                    model.iter().map(|(k, &(at, tk))| (at, tk, k.clone())).collect();
                want.sort_unstable_by_key(|e| (e.0, e.1));
                let want: Vec<(CooldownKey, i64)> =
                    want.into_iter().map(|(at, _, k)| (k, at)).collect();
                proptest::prop_assert_eq!(t.entries(), want);
            }
        }
    }
}
