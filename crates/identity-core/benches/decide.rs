//! Decisions per second of `Engine::decide_all` on a mixed workload.
//!
//! Workload per batch of 10 000 sightings (one per simulated millisecond): 2 000 persons of
//! whom 1 500 are mapped, 4 doors on 3 cameras plus 1 unknown camera, ~5 % leave actions,
//! ~5 % stale, ~10 % re-deliveries, half with an event key, half with a score. The engine
//! keeps its state across batches, so dedup and cooldown tables are at steady-state size.
//!
//! `flood_25k_per_s`: 25 distinct events per simulated millisecond (25 000 events/s), each
//! with its own event key, from 150 000 persons in turn (each person comes back every 6 s,
//! after the 5 s cooldown), event times up to 2 s late. At steady state the dedup table holds
//! ≈ 300 000 events and the cooldown table ≈ 125 000 grants, so this measures the tables at
//! the sizes SPEC §8's rate needs (capacities set explicitly to 400 000 / 200 000).

use std::fmt::Write as _;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use identity_core::*;

const BATCH: usize = 10_000;

struct Item {
    sighting: Sighting,
    /// Event time relative to `now`.
    dt: i64,
    /// Re-deliver the previous item's sighting instead.
    redeliver: bool,
    keyed: bool,
}

fn config() -> EngineConfig {
    let mut csv = String::from("watcher_person_id,acs_object_id\n");
    for p in 1..=1_500u32 {
        let _ = writeln!(csv, "{p},{}", p + 10_000);
    }
    let door = |camera: &str, ap: u32, direction| Door {
        camera: camera.into(),
        acs: "hq".into(),
        access_point: AccessPointId(ap),
        direction,
    };
    EngineConfig {
        doors: vec![
            door("entrance", 1, Direction::In),
            door("exit", 1, Direction::Out),
            door("lobby", 2, Direction::In),
            door("lobby", 3, Direction::Out),
        ],
        identity: IdentityMode::Table(MappingTable::parse_csv(&csv).expect("table")),
        policy: Policy {
            allow_lists: vec![1, 2],
            deny_lists: vec![3],
            min_score: Some(0.8),
            ..Policy::default()
        },
    }
}

fn workload() -> Vec<Item> {
    let mut rng = xorshift(0x5eed);
    (0..BATCH)
        .map(|_| {
            let r = rng();
            let camera = ["entrance", "exit", "lobby", "garage"][(r % 4) as usize];
            let action = if r % 20 == 0 {
                Action::Leave
            } else {
                Action::Enter
            };
            let dt = if r % 20 == 1 {
                -30_000
            } else {
                -(((r >> 8) % 2_000) as i64)
            };
            let keyed = (r >> 20) % 2 == 0;
            Item {
                sighting: Sighting {
                    source: Source::Push,
                    event_key: keyed.then(String::new),
                    person: PersonRef {
                        id: PersonId(1 + (r >> 24) % 2_000),
                        external_id: None,
                        list_id: Some([1, 1, 1, 2, 3][((r >> 12) % 5) as usize]),
                        name: Some("Ivanov Ivan".into()),
                    },
                    camera: CameraRef {
                        id: None,
                        name: Some(camera.into()),
                    },
                    event_time: UnixMillis(0),
                    score: ((r >> 40) % 2 == 0).then_some(0.7 + ((r >> 44) % 30) as f32 / 100.0),
                    action,
                },
                dt,
                redeliver: (r >> 50) % 10 == 0,
                keyed,
            }
        })
        .collect()
}

/// A tiny deterministic xorshift generator (the bench needs no rand crate).
fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("decide");
    group.throughput(Throughput::Elements(BATCH as u64));
    let mut engine = Engine::new(config()).expect("valid config");
    let mut items = workload();
    let mut now = 1_733_300_000_000i64;
    let mut seq = 0u64;
    let mut allows = 0u64;
    group.bench_function("mixed_decide_all", |b| {
        b.iter(|| {
            for i in 0..items.len() {
                now += 1;
                if items[i].redeliver && i > 0 {
                    let d = engine.decide_all(&items[i - 1].sighting, UnixMillis(now));
                    allows += d.iter().filter(|d| d.is_allow()).count() as u64;
                    continue;
                }
                seq += 1;
                let item = &mut items[i];
                item.sighting.event_time = UnixMillis(now + item.dt);
                if item.keyed {
                    if let Some(k) = item.sighting.event_key.as_mut() {
                        k.clear();
                        let _ = write!(k, "evt-{seq}");
                    }
                }
                for d in engine.decide_all(&item.sighting, UnixMillis(now)) {
                    if let Decision::Allow(a) = d {
                        allows += 1;
                        engine.settle(&a, Outcome::Granted, UnixMillis(now));
                    }
                }
            }
        })
    });
    group.finish();
    let len = engine.state_len();
    eprintln!(
        "allows={allows} state: dedup={} cooldown={} unmapped={}",
        len.dedup, len.cooldown, len.unmapped
    );
}

fn flood(c: &mut Criterion) {
    let mut group = c.benchmark_group("decide");
    group.throughput(Throughput::Elements(BATCH as u64));
    let config = EngineConfig {
        doors: vec![Door {
            camera: "entrance".into(),
            acs: "hq".into(),
            access_point: AccessPointId(1),
            direction: Direction::In,
        }],
        identity: IdentityMode::Same,
        policy: Policy {
            dedup_capacity: 400_000,
            cooldown_capacity: 200_000,
            ..Policy::default()
        },
    };
    let mut engine = Engine::new(config).expect("valid config");
    let mut s = Sighting {
        source: Source::Push,
        event_key: Some(String::new()),
        person: PersonRef::default(),
        camera: CameraRef {
            id: None,
            name: Some("entrance".into()),
        },
        event_time: UnixMillis(0),
        score: None,
        action: Action::Enter,
    };
    let mut now = 1_733_300_000_000i64;
    let mut seq = 0u64;
    let mut outcomes = [0u64; 2];
    group.bench_function("flood_25k_per_s", |b| {
        b.iter(|| {
            for _ in 0..BATCH {
                seq += 1;
                if seq % 25 == 0 {
                    now += 1;
                }
                s.person.id = PersonId(1 + seq % 150_000);
                s.event_time = UnixMillis(now - (seq.wrapping_mul(7_919) % 2_000) as i64);
                if let Some(k) = s.event_key.as_mut() {
                    k.clear();
                    let _ = write!(k, "evt-{seq}");
                }
                for d in engine.decide_all(&s, UnixMillis(now)) {
                    match d {
                        Decision::Allow(a) => {
                            outcomes[0] += 1;
                            engine.settle(&a, Outcome::Granted, UnixMillis(now));
                        }
                        Decision::Reject(_) => outcomes[1] += 1,
                    }
                }
            }
        })
    });
    group.finish();
    let len = engine.state_len();
    eprintln!(
        "flood: allows={} rejects={} overflow={} state: dedup={} cooldown={}",
        outcomes[0],
        outcomes[1],
        engine.overflow_rejections(),
        len.dedup,
        len.cooldown
    );
}

criterion_group!(benches, bench, flood);
criterion_main!(benches);
