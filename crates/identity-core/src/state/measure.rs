//! Memory per entry of the seen-event and cooldown tables at the default capacities, against
//! the previous layout (`HashMap<u128, i64>` + `BTreeSet<(i64, u128)>`, and `CooldownKey`
//! with an owned ACS name in a `HashMap` + `BTreeMap`). Ignored: it allocates ~100 MB and
//! reads `/proc/self/statm`. Run with
//! `cargo test -p identity-core --release --lib -- --ignored --nocapture --test-threads=1 bytes_per_entry`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use acs_proto::{AccessPointId, Direction};

use super::cooldown::{CooldownKey, CooldownTable};
use super::dedup::{DedupTable, EventDigest};
use crate::sighting::PersonId;

const DEDUP: usize = 400_000;
const COOLDOWN: usize = 200_000;

/// Resident set size in bytes (Linux), 0 elsewhere.
fn rss() -> usize {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<usize>().ok())
        .map_or(0, |pages| pages * 4096)
}

fn per_entry(before: usize, n: usize) -> f64 {
    rss().saturating_sub(before) as f64 / n as f64
}

fn key(i: u64) -> CooldownKey {
    CooldownKey {
        person: PersonId(i),
        acs: "hq".into(),
        access_point: AccessPointId(1 + (i % 4) as u32),
        direction: Direction::In,
    }
}

/// Event times spread over a 12 s window, out of order, like 25 000 events/s would be.
fn time(i: u64) -> i64 {
    (i.wrapping_mul(0x9e37_79b9_7f4a_7c15) % 12_000) as i64
}

#[test]
#[ignore = "measurement: allocates ~100 MB, prints numbers"]
fn bytes_per_entry() {
    let r0 = rss();
    let mut d = DedupTable::default();
    for i in 0..DEDUP as u64 {
        d.insert(EventDigest::of(&format!("push:{i}")), time(i), DEDUP)
            .expect("room");
    }
    let dedup_rss = per_entry(r0, DEDUP);
    let dedup_cap = d.heap_bytes() as f64 / DEDUP as f64;

    let r0 = rss();
    let mut c = CooldownTable::default();
    for i in 0..COOLDOWN as u64 {
        c.take(key(i), i as i64 / 40, i, COOLDOWN).expect("room");
    }
    let cooldown_rss = per_entry(r0, COOLDOWN);
    let cooldown_cap = c.heap_bytes() as f64 / COOLDOWN as f64;

    let r0 = rss();
    let mut old_map: HashMap<u128, i64> = HashMap::new();
    let mut old_set: BTreeSet<(i64, u128)> = BTreeSet::new();
    for i in 0..DEDUP as u64 {
        let digest = u128::from(i).wrapping_mul(0x6c62_272e_07bb_0142_62b8_2175_6295_c58d);
        old_map.insert(digest, time(i));
        old_set.insert((time(i), digest));
    }
    let old_dedup_rss = per_entry(r0, DEDUP);

    let r0 = rss();
    let mut old_keys: HashMap<CooldownKey, (i64, u64)> = HashMap::new();
    let mut old_times: BTreeMap<(i64, u64), CooldownKey> = BTreeMap::new();
    for i in 0..COOLDOWN as u64 {
        old_keys.insert(key(i), (i as i64 / 40, i));
        old_times.insert((i as i64 / 40, i), key(i));
    }
    let old_cooldown_rss = per_entry(r0, COOLDOWN);

    println!("dedup    @{DEDUP}: new {dedup_rss:.1} B/entry RSS ({dedup_cap:.1} by capacity), old {old_dedup_rss:.1} B/entry RSS");
    println!("cooldown @{COOLDOWN}: new {cooldown_rss:.1} B/entry RSS ({cooldown_cap:.1} by capacity), old {old_cooldown_rss:.1} B/entry RSS");
    assert_eq!(d.len(), DEDUP);
    assert_eq!(c.len(), COOLDOWN);
    assert_eq!(old_map.len() + old_keys.len(), DEDUP + COOLDOWN);
    assert!(dedup_cap < 40.0, "dedup {dedup_cap} B/entry");
    assert!(cooldown_cap < 90.0, "cooldown {cooldown_cap} B/entry");
    drop((old_set, old_times));
}
