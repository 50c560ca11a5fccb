//! Seen events: a 128-bit digest of the de-duplication key, expiring by event time.

use std::collections::{BTreeSet, HashMap};
use std::fmt;

use super::Full;

/// A 128-bit FNV-1a digest of a de-duplication key.
///
/// Keys are stored as digests so memory per entry is fixed whatever a peer puts in an event
/// key. FNV is not collision resistant against an adversary, but a collision can only make a
/// fresh event look like a duplicate — a late "no", never a wrong "yes". The function is
/// fixed (not randomly keyed) so digests in a snapshot stay valid across restarts and builds.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct EventDigest(pub u128);

const FNV_OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
const FNV_PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;

/// Streams text into an FNV-1a 128 digest.
pub(crate) struct Fnv128(u128);

impl Fnv128 {
    pub(crate) fn new() -> Self {
        Self(FNV_OFFSET)
    }
    pub(crate) fn finish(&self) -> EventDigest {
        EventDigest(self.0)
    }
}

impl fmt::Write for Fnv128 {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for b in s.bytes() {
            self.0 ^= u128::from(b);
            self.0 = self.0.wrapping_mul(FNV_PRIME);
        }
        Ok(())
    }
}

impl EventDigest {
    /// The digest of a key as returned by [`Sighting::dedup_key`](crate::Sighting::dedup_key).
    pub fn of(key: &str) -> Self {
        let mut h = Fnv128::new();
        let _ = fmt::Write::write_str(&mut h, key);
        h.finish()
    }
}

impl serde::Serialize for EventDigest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{:032x}", self.0))
    }
}

impl<'de> serde::Deserialize<'de> for EventDigest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        if s.len() != 32 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(serde::de::Error::custom(
                "event digest must be 32 hex digits",
            ));
        }
        u128::from_str_radix(&s, 16)
            .map(EventDigest)
            .map_err(serde::de::Error::custom)
    }
}

/// Digest → event time, plus an index by event time for expiry. O(log n) per operation.
#[derive(Debug, Default)]
pub(crate) struct DedupTable {
    by_digest: HashMap<EventDigest, i64>,
    by_time: BTreeSet<(i64, EventDigest)>,
}

impl DedupTable {
    pub(crate) fn len(&self) -> usize {
        self.by_digest.len()
    }

    pub(crate) fn contains(&self, d: EventDigest) -> bool {
        self.by_digest.contains_key(&d)
    }

    /// Forgets every event with `event_time < cutoff`, oldest first.
    pub(crate) fn expire(&mut self, cutoff: i64) {
        while let Some(&(t, d)) = self.by_time.first() {
            if t >= cutoff {
                break;
            }
            self.by_time.pop_first();
            self.by_digest.remove(&d);
        }
    }

    /// Remembers an event. A known digest keeps the later of the two times. A new digest is
    /// refused with `Full` at capacity: live entries are never evicted, because forgetting a
    /// live event could let its re-delivery pass.
    pub(crate) fn insert(
        &mut self,
        d: EventDigest,
        event_time: i64,
        capacity: usize,
    ) -> Result<(), Full> {
        let len = self.by_digest.len();
        match self.by_digest.get_mut(&d) {
            Some(t) => {
                if event_time > *t {
                    self.by_time.remove(&(*t, d));
                    self.by_time.insert((event_time, d));
                    *t = event_time;
                }
                Ok(())
            }
            None if len >= capacity => Err(Full),
            None => {
                self.by_digest.insert(d, event_time);
                self.by_time.insert((event_time, d));
                Ok(())
            }
        }
    }

    pub(crate) fn entries(&self) -> impl Iterator<Item = (EventDigest, i64)> + '_ {
        self.by_time.iter().map(|&(t, d)| (d, t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_removes_only_events_older_than_the_cutoff() {
        let mut t = DedupTable::default();
        for i in 0..10 {
            t.insert(EventDigest::of(&i.to_string()), i, 100)
                .expect("room");
        }
        t.expire(5);
        assert_eq!(t.len(), 5);
        assert!(!t.contains(EventDigest::of("4")));
        assert!(t.contains(EventDigest::of("5")));
    }

    #[test]
    fn a_full_table_refuses_new_events_but_accepts_known_ones() {
        let mut t = DedupTable::default();
        t.insert(EventDigest::of("a"), 1, 1).expect("room");
        assert_eq!(t.insert(EventDigest::of("b"), 2, 1), Err(Full));
        assert_eq!(t.insert(EventDigest::of("a"), 3, 1), Ok(()));
        t.expire(2);
        assert!(
            t.contains(EventDigest::of("a")),
            "time was moved to the later event"
        );
    }

    #[test]
    fn digest_serialises_as_hex_and_rejects_garbage() {
        let d = EventDigest::of("push:abc");
        let json = serde_json::to_string(&d).expect("ser");
        assert_eq!(json.len(), 34);
        assert_eq!(serde_json::from_str::<EventDigest>(&json).expect("de"), d);
        assert!(serde_json::from_str::<EventDigest>("\"xyz\"").is_err());
    }
}
