//! A time index for expiry: a ring of fixed-width time buckets, exact to the millisecond.
//!
//! Entries are `(time, value)`. A bucket covers [`WIDTH`] ms; inserting appends to the
//! bucket of the entry's time (O(1), whatever the order of arrival). Expiry drops whole
//! buckets that end before the cutoff and, for the one bucket the cutoff falls into, sorts it
//! once (newest first) and pops its oldest entries — so `expire(cutoff)` removes exactly the
//! entries with `time < cutoff`, at O(1) amortised per entry plus one sort per bucket.
//!
//! The ring spans at most [`SPAN`] buckets (≈ 9 min, more than the longest
//! `max_event_age + clock_skew` or the default cooldown). Times before the ring's first
//! bucket or beyond its span (journal replay, a reload that shortened a window, a cooldown of
//! hours) go to a small min-heap instead, which expiry drains as well.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// Bucket width in milliseconds.
const WIDTH: i64 = 64;
/// Most buckets in the ring (8192 × 64 ms ≈ 524 s).
const SPAN: i64 = 8_192;
/// Emptied buckets kept for reuse while the index is not empty.
const SPARE: usize = 32;

/// Entries ordered for expiry by time. See the module doc.
#[derive(Debug)]
pub(crate) struct TimeRing<T> {
    buckets: VecDeque<Vec<(i64, T)>>,
    /// Bucket number (`time.div_euclid(WIDTH)`) of `buckets[0]`.
    first: i64,
    /// `buckets[0]` is sorted newest first, so its oldest entry is last.
    front_sorted: bool,
    /// Entries whose time falls outside the ring.
    far: BinaryHeap<Reverse<(i64, T)>>,
    len: usize,
    spare: Vec<Vec<(i64, T)>>,
}

impl<T> Default for TimeRing<T>
where
    T: Ord,
{
    fn default() -> Self {
        Self {
            buckets: VecDeque::new(),
            first: 0,
            front_sorted: false,
            far: BinaryHeap::new(),
            len: 0,
            spare: Vec::new(),
        }
    }
}

impl<T: Copy + Ord> TimeRing<T> {
    /// Number of entries.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Adds an entry.
    pub(crate) fn push(&mut self, time: i64, value: T) {
        self.len += 1;
        let b = time.div_euclid(WIDTH);
        if self.buckets.is_empty() {
            self.first = b;
            self.front_sorted = false;
        }
        let ix = match b.checked_sub(self.first) {
            Some(ix) if (0..SPAN).contains(&ix) => ix as usize,
            _ => {
                self.far.push(Reverse((time, value)));
                return;
            }
        };
        while self.buckets.len() <= ix {
            let fresh = self.spare.pop().unwrap_or_default();
            self.buckets.push_back(fresh);
        }
        let sorted = ix == 0 && self.front_sorted;
        if let Some(bucket) = self.buckets.get_mut(ix) {
            if sorted {
                let pos = bucket.partition_point(|e| *e > (time, value));
                bucket.insert(pos, (time, value));
            } else {
                if bucket.len() == bucket.capacity() {
                    // Grow by a quarter, not double: buckets are many and long-lived, so
                    // doubling would waste up to half of each (still amortised O(1)).
                    bucket.reserve_exact((bucket.capacity() / 4).max(16));
                }
                bucket.push((time, value));
            }
        }
    }

    /// Removes every entry with `time < cutoff`, calling `forget(time, value)` for each.
    pub(crate) fn expire(&mut self, cutoff: i64, mut forget: impl FnMut(i64, T)) {
        while let Some(front) = self.buckets.front_mut() {
            let start = self.first.saturating_mul(WIDTH);
            let end = (self.first.saturating_add(1)).saturating_mul(WIDTH);
            if end <= cutoff {
                self.len -= front.len();
                for &(t, v) in front.iter() {
                    forget(t, v);
                }
                if let Some(mut done) = self.buckets.pop_front() {
                    done.clear();
                    if self.spare.len() < SPARE {
                        self.spare.push(done);
                    }
                }
                self.first = self.first.saturating_add(1);
                self.front_sorted = false;
                continue;
            }
            if start < cutoff {
                if !self.front_sorted {
                    front.sort_unstable_by(|a, b| b.cmp(a));
                    self.front_sorted = true;
                }
                while let Some(&(t, v)) = front.last() {
                    if t >= cutoff {
                        break;
                    }
                    front.pop();
                    self.len -= 1;
                    forget(t, v);
                }
            }
            break;
        }
        while let Some(&Reverse((t, v))) = self.far.peek() {
            if t >= cutoff {
                break;
            }
            self.far.pop();
            self.len -= 1;
            forget(t, v);
        }
        if self.len == 0 {
            // Idle: give the memory back.
            self.buckets = VecDeque::new();
            self.spare = Vec::new();
            self.far = BinaryHeap::new();
        }
    }

    /// Every entry, in no particular order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (i64, T)> + '_ {
        self.buckets
            .iter()
            .flatten()
            .copied()
            .chain(self.far.iter().map(|r| r.0))
    }

    /// Bytes reserved (capacity × entry size).
    #[cfg(test)]
    pub(crate) fn heap_bytes(&self) -> usize {
        let entry = std::mem::size_of::<(i64, T)>();
        let vecs = self.buckets.iter().chain(self.spare.iter());
        vecs.map(|b| b.capacity() * entry + std::mem::size_of::<Vec<(i64, T)>>())
            .sum::<usize>()
            + self.far.capacity() * entry
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(r: &mut TimeRing<u32>, cutoff: i64) -> Vec<(i64, u32)> {
        let mut out = Vec::new();
        r.expire(cutoff, |t, v| out.push((t, v)));
        out.sort_unstable();
        out
    }

    #[test]
    fn expiry_is_exact_to_the_millisecond_whatever_the_order_of_arrival() {
        let mut r = TimeRing::default();
        let times = [500, 3, 130, 64, 63, 65, 1_000, 127, 128, 0];
        for (i, &t) in times.iter().enumerate() {
            r.push(t, i as u32);
        }
        assert_eq!(drain(&mut r, 64), [(0, 9), (3, 1), (63, 4)]);
        // A late arrival into the bucket already sorted for expiry.
        r.push(100, 10);
        r.push(64, 11);
        assert_eq!(drain(&mut r, 65), [(64, 3), (64, 11)]);
        assert_eq!(drain(&mut r, 129), [(65, 5), (100, 10), (127, 7), (128, 8)]);
        assert_eq!(r.len(), 3);
        assert_eq!(drain(&mut r, i64::MAX), [(130, 2), (500, 0), (1_000, 6)]);
        assert_eq!(r.len(), 0);
    }

    #[test]
    fn times_outside_the_ring_are_kept_and_expired_too() {
        let mut r = TimeRing::default();
        r.push(1_000_000, 1);
        r.push(0, 2); // before the ring's first bucket
        r.push(1_000_000 + SPAN * WIDTH * 3, 3); // beyond its span
        r.push(i64::MIN, 4);
        r.push(i64::MAX, 5);
        assert_eq!(r.len(), 5);
        assert_eq!(r.iter().count(), 5);
        assert_eq!(
            drain(&mut r, 1_000_001),
            [(i64::MIN, 4), (0, 2), (1_000_000, 1)]
        );
        assert_eq!(drain(&mut r, i64::MAX), [(1_000_000 + SPAN * WIDTH * 3, 3)]);
        assert_eq!(r.len(), 1);
    }

    #[test]
    fn an_emptied_ring_gives_its_memory_back() {
        let mut r = TimeRing::default();
        for i in 0..100_000u32 {
            r.push(i64::from(i % 5_000), i);
        }
        assert!(r.heap_bytes() > 100_000 * 16);
        r.expire(5_000, |_, _| {});
        assert_eq!(r.len(), 0);
        assert_eq!(r.heap_bytes(), 0);
    }

    proptest::proptest! {
        #[test]
        fn expiry_matches_a_sorted_model(
            ops in proptest::collection::vec(
                (proptest::bool::weighted(0.7), -2_000i64..2_000, proptest::bool::weighted(0.05)),
                1..400,
            )
        ) {
            let mut r = TimeRing::default();
            let mut model: Vec<(i64, u32)> = Vec::new();
            let mut now = 0i64;
            for (i, &(is_push, dt, far)) in ops.iter().enumerate() {
                if is_push {
                    let t = if far { now + dt * SPAN } else { now + dt };
                    r.push(t, i as u32);
                    model.push((t, i as u32));
                } else {
                    now += dt.abs() / 4;
                    let cutoff = now - 1_000 + dt / 8;
                    let mut gone = drain(&mut r, cutoff);
                    let mut expect: Vec<(i64, u32)> =
                        model.iter().copied().filter(|&(t, _)| t < cutoff).collect();
                    model.retain(|&(t, _)| t >= cutoff);
                    gone.sort_unstable();
                    expect.sort_unstable();
                    proptest::prop_assert_eq!(gone, expect);
                }
                proptest::prop_assert_eq!(r.len(), model.len());
                let mut all: Vec<(i64, u32)> = r.iter().collect();
                all.sort_unstable();
                let mut m = model.clone();
                m.sort_unstable();
                proptest::prop_assert_eq!(all, m);
            }
        }
    }
}
