//! A cheap, per-process seeded hasher for keys that are already small integers (event
//! digests, person ids).
//!
//! `std`'s SipHash is built for arbitrary byte strings; the tables here hash one to three
//! integers per lookup, so a seeded xor + 64-bit finaliser (the MurmurHash3 `fmix64`
//! mix) is enough and several times cheaper. The seed comes from `std`'s `RandomState`, so a
//! peer cannot precompute event keys whose digests pile up in one probe sequence of this
//! process's tables (FNV itself is unkeyed: crafted *digest* collisions are possible, and
//! cost only a false `duplicate`, see [`EventDigest`](super::dedup::EventDigest)).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

/// Builds [`MixHasher`]s sharing one random seed.
#[derive(Clone, Debug)]
pub(crate) struct MixState {
    seed: u64,
}

impl MixState {
    /// A fresh random seed.
    pub(crate) fn new() -> Self {
        let mut h = RandomState::new().build_hasher();
        h.write_u64(0x5eed);
        Self { seed: h.finish() }
    }
}

impl Default for MixState {
    fn default() -> Self {
        Self::new()
    }
}

impl BuildHasher for MixState {
    type Hasher = MixHasher;
    fn build_hasher(&self) -> MixHasher {
        MixHasher(self.seed)
    }
}

/// Folds integers into a 64-bit state; `finish` runs a full-avalanche finaliser, so the low
/// bits (the bucket index) depend on every input bit.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MixHasher(u64);

const K: u64 = 0x9e37_79b9_7f4a_7c15;

impl Hasher for MixHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(buf));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(23) ^ i).wrapping_mul(K);
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
    fn finish(&self) -> u64 {
        let mut x = self.0;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^ (x >> 33)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_seed_hashes_equal_keys_equally_and_spreads_nearby_keys() {
        let s = MixState::new();
        let h = |v: u64| s.hash_one(v);
        assert_eq!(h(7), h(7));
        // Consecutive ids land in many different low-bit buckets.
        let buckets: std::collections::HashSet<u64> = (0..1_000u64).map(|v| h(v) & 1023).collect();
        assert!(buckets.len() > 500, "{}", buckets.len());
    }
}
