//! Persons seen without an ACS object, for `facegate mapping pending`.

use std::collections::{BTreeMap, HashMap};

use crate::sighting::PersonId;
use crate::time::UnixMillis;

/// Longest name or camera kept per unmapped person, in characters.
const MAX_TEXT: usize = 128;

/// A person recognised at a door who has no ACS object yet.
#[derive(Clone, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
pub struct UnmappedPerson {
    /// Watcher person id.
    pub id: PersonId,
    /// The latest name Watcher gave (clipped to 128 characters).
    pub name: Option<String>,
    /// The latest camera (id, else name; clipped to 128 characters).
    pub camera: String,
    /// How many sightings were rejected as `unmapped_person`.
    pub count: u64,
    /// First such sighting (engine time).
    pub first_seen: UnixMillis,
    /// Latest such sighting (engine time).
    pub last_seen: UnixMillis,
}

/// Bounded by capacity; when full the least recently seen person is dropped (this list is for
/// the operator, not for safety, so eviction is harmless).
#[derive(Debug, Default)]
pub(crate) struct UnmappedTable {
    by_id: HashMap<PersonId, (UnmappedPerson, u64)>,
    lru: BTreeMap<(UnixMillis, u64), PersonId>,
    seq: u64,
}

impl UnmappedTable {
    pub(crate) fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Adds one sighting (`count` of them for a restored entry).
    pub(crate) fn record(&mut self, entry: UnmappedPerson, capacity: usize) {
        self.seq += 1;
        let seq = self.seq;
        let entry = UnmappedPerson {
            name: entry.name.map(|n| clip(&n)),
            camera: clip(&entry.camera),
            ..entry
        };
        if let Some((old, old_seq)) = self.by_id.get_mut(&entry.id) {
            self.lru.remove(&(old.last_seen, *old_seq));
            old.count = old.count.saturating_add(entry.count);
            old.first_seen = old.first_seen.min(entry.first_seen);
            if entry.last_seen >= old.last_seen {
                old.last_seen = entry.last_seen;
                old.name = entry.name.or(old.name.take());
                old.camera = entry.camera;
            }
            *old_seq = seq;
            self.lru.insert((old.last_seen, seq), entry.id);
            return;
        }
        while self.by_id.len() >= capacity.max(1) {
            match self.lru.pop_first() {
                Some((_, victim)) => {
                    self.by_id.remove(&victim);
                }
                None => break,
            }
        }
        self.lru.insert((entry.last_seen, seq), entry.id);
        self.by_id.insert(entry.id, (entry, seq));
    }

    /// Drops persons for which `mapped` is true (after a reload added their mapping).
    pub(crate) fn retain_unmapped(&mut self, mut still_unmapped: impl FnMut(PersonId) -> bool) {
        let lru = &mut self.lru;
        self.by_id.retain(|id, (p, seq)| {
            let keep = still_unmapped(*id);
            if !keep {
                lru.remove(&(p.last_seen, *seq));
            }
            keep
        });
    }

    /// Every entry, most recently seen first.
    pub(crate) fn list(&self) -> Vec<UnmappedPerson> {
        self.lru
            .values()
            .rev()
            .filter_map(|id| self.by_id.get(id).map(|(p, _)| p.clone()))
            .collect()
    }
}

fn clip(s: &str) -> String {
    s.chars().take(MAX_TEXT).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(id: u64, at: i64) -> UnmappedPerson {
        UnmappedPerson {
            id: PersonId(id),
            name: Some(format!("p{id}")),
            camera: "entrance".into(),
            count: 1,
            first_seen: UnixMillis(at),
            last_seen: UnixMillis(at),
        }
    }

    #[test]
    fn repeated_sightings_are_counted_once_per_person() {
        let mut t = UnmappedTable::default();
        t.record(seen(1, 10), 10);
        t.record(seen(1, 20), 10);
        t.record(seen(2, 15), 10);
        let list = t.list();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].id, PersonId(1));
        assert_eq!(list[0].count, 2);
        assert_eq!(list[0].first_seen, UnixMillis(10));
        assert_eq!(list[0].last_seen, UnixMillis(20));
    }

    #[test]
    fn a_full_list_drops_the_least_recently_seen_person() {
        let mut t = UnmappedTable::default();
        t.record(seen(1, 10), 2);
        t.record(seen(2, 20), 2);
        t.record(seen(1, 30), 2);
        t.record(seen(3, 40), 2);
        let ids: Vec<_> = t.list().iter().map(|p| p.id.0).collect();
        assert_eq!(ids, [3, 1]);
        t.retain_unmapped(|id| id != PersonId(3));
        assert_eq!(t.len(), 1);
        assert_eq!(t.list().len(), 1);
    }

    #[test]
    fn long_names_are_clipped() {
        let mut t = UnmappedTable::default();
        let mut p = seen(1, 1);
        p.name = Some("x".repeat(10_000));
        t.record(p, 1);
        assert_eq!(t.list()[0].name.as_deref().map(str::len), Some(128));
    }
}
