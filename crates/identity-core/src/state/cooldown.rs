//! Recent grants per (person, ACS, access point, direction), expiring after the cooldown.

use std::collections::{BTreeMap, HashMap};

use acs_proto::{AccessPointId, Direction};

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

/// Key → (granted at, ticket), plus an index by time for expiry. O(log n) per operation.
///
/// The ticket identifies one grant, so `release` of an old `Allow` cannot remove a newer grant
/// for the same key.
#[derive(Debug, Default)]
pub(crate) struct CooldownTable {
    by_key: HashMap<CooldownKey, (i64, u64)>,
    by_time: BTreeMap<(i64, u64), CooldownKey>,
}

impl CooldownTable {
    pub(crate) fn len(&self) -> usize {
        self.by_key.len()
    }

    /// When the key was last granted, if still remembered.
    pub(crate) fn granted_at(&self, key: &CooldownKey) -> Option<i64> {
        self.by_key.get(key).map(|&(at, _)| at)
    }

    /// Forgets every grant with `at < cutoff`, oldest first.
    pub(crate) fn expire(&mut self, cutoff: i64) {
        while let Some((&(at, ticket), _)) = self.by_time.first_key_value() {
            if at >= cutoff {
                break;
            }
            if let Some(key) = self.by_time.remove(&(at, ticket)) {
                self.by_key.remove(&key);
            }
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
        match self.by_key.get(&key) {
            Some(&(old_at, old_ticket)) => {
                if at >= old_at {
                    self.by_time.remove(&(old_at, old_ticket));
                    self.by_time.insert((at, ticket), key.clone());
                    self.by_key.insert(key, (at, ticket));
                }
                Ok(())
            }
            None if self.by_key.len() >= capacity => Err(Full),
            None => {
                self.by_time.insert((at, ticket), key.clone());
                self.by_key.insert(key, (at, ticket));
                Ok(())
            }
        }
    }

    /// Removes the grant with this ticket; false when it is gone or was superseded.
    pub(crate) fn release(&mut self, key: &CooldownKey, ticket: u64) -> bool {
        match self.by_key.get(key) {
            Some(&(at, t)) if t == ticket => {
                self.by_key.remove(key);
                self.by_time.remove(&(at, t));
                true
            }
            _ => false,
        }
    }

    pub(crate) fn entries(&self) -> impl Iterator<Item = (&CooldownKey, i64)> + '_ {
        self.by_time.iter().map(|(&(at, _), k)| (k, at))
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
        assert_eq!(t.entries().count(), 1);
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
}
