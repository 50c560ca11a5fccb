//! Seen events: a 64-bit digest of the de-duplication key, expiring by event time.
//!
//! Layout per entry: one `u64` digest in a hash set (8 bytes + 1 control byte) and one
//! `(i64 event time, u64 digest)` entry in a [`TimeRing`] (16 bytes, in 64 ms buckets). With
//! the growth slack of both, that is ≈ 25–45 bytes per live entry (see the crate doc and the
//! ignored `bytes_per_entry` test in `state/measure.rs`).

use std::collections::{HashMap, HashSet};
use std::fmt;

use super::hash::MixState;
use super::ring::TimeRing;
use super::Full;

/// A 64-bit FNV-1a digest of a de-duplication key.
///
/// Keys are stored as digests so memory per entry is fixed whatever a peer puts in an event
/// key. A collision can only make a fresh event look like a duplicate — a late "no", never a
/// wrong "yes". By the birthday bound, with `n` live entries a *new* event collides with one
/// of them with probability ≈ n / 2^64 (≈ 2.2e-14 at 400 000 entries), and the chance that
/// any two of 400 000 live entries collide is ≈ n² / 2^65 ≈ 4e-9. FNV is not collision
/// resistant against an adversary: a peer who can craft event keys could force false
/// `duplicate`s for its own events, nothing more. The function is fixed (not randomly keyed)
/// so digests in a snapshot stay valid across restarts and builds.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct EventDigest(pub u64);

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Streams text into an FNV-1a 64 digest.
pub(crate) struct Fnv64(u64);

impl Fnv64 {
    pub(crate) fn new() -> Self {
        Self(FNV_OFFSET)
    }
    pub(crate) fn finish(&self) -> EventDigest {
        EventDigest(self.0)
    }
}

impl fmt::Write for Fnv64 {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for b in s.bytes() {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(FNV_PRIME);
        }
        Ok(())
    }
}

impl EventDigest {
    /// The digest of a key as returned by [`Sighting::dedup_key`](crate::Sighting::dedup_key).
    pub fn of(key: &str) -> Self {
        let mut h = Fnv64::new();
        let _ = fmt::Write::write_str(&mut h, key);
        h.finish()
    }
}

impl serde::Serialize for EventDigest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{:016x}", self.0))
    }
}

impl<'de> serde::Deserialize<'de> for EventDigest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        if s.len() != 16 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(serde::de::Error::custom(
                "event digest must be 16 hex digits",
            ));
        }
        u64::from_str_radix(&s, 16)
            .map(EventDigest)
            .map_err(serde::de::Error::custom)
    }
}

/// A set of digests, plus a time index of `(event time, digest)` for expiry. `contains`,
/// `insert` and `expire` are O(1) amortised (plus one sort per 64 ms bucket).
///
/// The set holds no times, which halves its size. A digest inserted again (only journal
/// replay or restore do that: `decide` checks `contains` first) gets a second index entry and
/// a count in `extra`; when one of its index entries expires and the digest still has
/// extras, the count drops and the digest stays. So the digest is forgotten with its *latest*
/// time — "a known digest keeps the later of the two times". The index is compacted when
/// extras outnumber live entries, so it stays within twice the capacity.
#[derive(Debug, Default)]
pub(crate) struct DedupTable {
    seen: HashSet<u64, MixState>,
    by_time: TimeRing<u64>,
    /// Digests with more than one index entry → how many more.
    extra: HashMap<u64, u32, MixState>,
}

impl DedupTable {
    pub(crate) fn len(&self) -> usize {
        self.seen.len()
    }

    pub(crate) fn contains(&self, d: EventDigest) -> bool {
        self.seen.contains(&d.0)
    }

    /// Forgets every event with `event_time < cutoff`, oldest first.
    pub(crate) fn expire(&mut self, cutoff: i64) {
        let mut removed = false;
        let (seen, extra) = (&mut self.seen, &mut self.extra);
        self.by_time.expire(cutoff, |_, d| {
            if let Some(n) = extra.get_mut(&d) {
                // Another index entry for this digest is still live.
                *n -= 1;
                if *n == 0 {
                    extra.remove(&d);
                }
            } else {
                seen.remove(&d);
                removed = true;
            }
        });
        if removed {
            self.shrink_when_mostly_empty();
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
        if self.seen.contains(&d.0) {
            *self.extra.entry(d.0).or_insert(0) += 1;
            self.by_time.push(event_time, d.0);
            if self.by_time.len() > 2 * self.seen.len() + 64 {
                self.compact_index();
            }
            return Ok(());
        }
        if self.seen.len() >= capacity {
            return Err(Full);
        }
        self.seen.insert(d.0);
        self.by_time.push(event_time, d.0);
        Ok(())
    }

    /// Every entry with its latest time, oldest first (ties by digest, so the order is
    /// deterministic).
    pub(crate) fn entries(&self) -> Vec<(EventDigest, i64)> {
        self.latest()
            .into_iter()
            .map(|(t, d)| (EventDigest(d), t))
            .collect()
    }

    /// Bytes held by the containers (capacity × slot size; excludes allocator overhead).
    #[cfg(test)]
    pub(crate) fn heap_bytes(&self) -> usize {
        let buckets = |cap: usize| (cap * 8 / 7).next_power_of_two();
        buckets(self.seen.capacity()) * (std::mem::size_of::<u64>() + 1)
            + buckets(self.extra.capacity()) * (std::mem::size_of::<(u64, u32)>() + 1)
            + self.by_time.heap_bytes()
    }

    /// One `(latest time, digest)` per digest, sorted by time then digest.
    fn latest(&self) -> Vec<(i64, u64)> {
        let mut v: Vec<(i64, u64)> = self.by_time.iter().collect();
        if !self.extra.is_empty() {
            // Keep the last (latest) entry of each digest.
            v.sort_unstable_by_key(|&(t, d)| (d, t));
            let mut latest: Vec<(i64, u64)> = Vec::with_capacity(self.seen.len());
            for (t, d) in v {
                match latest.last_mut() {
                    Some(last) if last.1 == d => *last = (t, d),
                    _ => latest.push((t, d)),
                }
            }
            v = latest;
        }
        v.sort_unstable();
        v
    }

    /// Drops index entries superseded by a later time for the same digest.
    fn compact_index(&mut self) {
        let latest = self.latest();
        self.extra = HashMap::default();
        self.by_time = TimeRing::default();
        for (t, d) in latest {
            self.by_time.push(t, d);
        }
    }

    /// Gives memory back after a burst, so an idle bridge stays small.
    fn shrink_when_mostly_empty(&mut self) {
        let len = self.seen.len();
        if self.seen.capacity() > 4 * len + 1024 {
            self.seen.shrink_to(2 * len);
            self.extra.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_removes_only_events_older_than_the_cutoff() {
        let mut t = DedupTable::default();
        for i in [3, 9, 0, 5, 7, 1, 8, 2, 6, 4] {
            t.insert(EventDigest::of(&i.to_string()), i, 100)
                .expect("room");
        }
        t.expire(5);
        assert_eq!(t.len(), 5);
        assert!(!t.contains(EventDigest::of("4")));
        assert!(t.contains(EventDigest::of("5")));
        let times: Vec<i64> = t.entries().iter().map(|&(_, t)| t).collect();
        assert_eq!(times, [5, 6, 7, 8, 9]);
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
        t.expire(4);
        assert_eq!(t.len(), 0);
    }

    #[test]
    fn repeated_later_times_for_one_digest_keep_the_time_index_bounded() {
        let mut t = DedupTable::default();
        for i in 0..10_000 {
            t.insert(EventDigest::of("same"), i, 10).expect("known");
        }
        assert!(t.by_time.len() <= 2 * t.len() + 65, "{}", t.by_time.len());
        t.expire(9_999);
        assert!(t.contains(EventDigest::of("same")));
        t.expire(10_000);
        assert_eq!(t.len(), 0);
    }

    #[test]
    fn a_drained_table_gives_its_memory_back() {
        let mut t = DedupTable::default();
        for i in 0..100_000u64 {
            t.insert(EventDigest(i), 0, usize::MAX).expect("room");
        }
        let full = t.heap_bytes();
        t.expire(1);
        assert_eq!(t.len(), 0);
        assert!(t.heap_bytes() < full / 10, "{} of {full}", t.heap_bytes());
    }

    #[test]
    fn digest_serialises_as_hex_and_rejects_garbage() {
        let d = EventDigest::of("push:abc");
        let json = serde_json::to_string(&d).expect("ser");
        assert_eq!(json.len(), 18);
        assert_eq!(serde_json::from_str::<EventDigest>(&json).expect("de"), d);
        assert!(serde_json::from_str::<EventDigest>("\"xyz\"").is_err());
        let long = format!("\"{}\"", "0".repeat(32));
        assert!(serde_json::from_str::<EventDigest>(&long).is_err());
    }

    #[test]
    fn fnv1a_64_matches_the_reference_vectors() {
        assert_eq!(EventDigest::of("").0, 0xcbf2_9ce4_8422_2325);
        assert_eq!(EventDigest::of("a").0, 0xaf63_dc4c_8601_ec8c);
        assert_eq!(EventDigest::of("foobar").0, 0x8594_4171_f739_67e8);
    }

    proptest::proptest! {
        #[test]
        fn the_table_behaves_like_a_map_of_latest_times(
            ops in proptest::collection::vec((0u64..24, -3_000i64..3_000, 0u8..4), 1..400)
        ) {
            let cap = 16;
            let mut t = DedupTable::default();
            let mut model: std::collections::HashMap<u64, i64> = Default::default();
            let mut now = 0i64;
            for (d, dt, op) in ops {
                if op == 0 {
                    now += dt.abs();
                    let cutoff = now - 12_000 + dt / 4;
                    t.expire(cutoff);
                    model.retain(|_, &mut at| at >= cutoff);
                } else {
                    let at = now + dt;
                    let got = t.insert(EventDigest(d), at, cap);
                    let full = model.len() >= cap;
                    let want = match model.get_mut(&d) {
                        Some(old) => {
                            *old = (*old).max(at);
                            Ok(())
                        }
                        None if full => Err(Full),
                        None => {
                            model.insert(d, at);
                            Ok(())
                        }
                    };
                    proptest::prop_assert_eq!(got, want);
                }
                proptest::prop_assert_eq!(t.len(), model.len());
                let mut want: Vec<(EventDigest, i64)> =
                    model.iter().map(|(&d, &at)| (EventDigest(d), at)).collect();
                want.sort_unstable_by_key(|&(d, at)| (at, d));
                proptest::prop_assert_eq!(t.entries(), want);
            }
        }
    }
}
