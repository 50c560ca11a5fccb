//! Events per second of the whole in-process pipeline, without sockets: webhook body bytes →
//! `watcher_api::payload::parse_webhook` → the bridge's own conversion
//! (`facegate_bridge::pipeline::convert::arrivals`) → `identity_core::Engine::decide_all` →
//! `acs_proto::encode_command` of each `ALLOWPASS` into a `BytesMut` (the bytes that would go
//! on the wire) → `Engine::settle(.., Granted, ..)` as the dispatcher does after the ACS
//! answers. Malformed arrivals are skipped as the decider skips them.
//!
//! Not included (they need sockets, tasks or files): HTTP, the intake queue and task hand-offs,
//! the ACS round trip, the journal and logging.
//!
//! Workload, at a simulated **20,000 events/s** (20 bodies per simulated millisecond; `now` is
//! a parameter that advances with them): one event per body; 90 % push notifications shaped
//! like the Watcher article's (`shared/reference/fixtures/push-person.json`) and 10 %
//! one-element activity arrays; table identity with 150,000 mapped persons taken in turn (a
//! person comes back every 7.5 s, after the 5 s cooldown); 2 ACSs with 4 doors on 4 cameras;
//! default policy (10 s `max_event_age`, 2 s `clock_skew`, 5 s cooldown, dedup capacity
//! 400,000). Event times lag `now` by up to 1 s (Watcher sends whole seconds). Per 100 bodies:
//! 90 fresh and distinct (→ allowed), 3 stale (event 30 s old), 3 from an unknown camera, 4
//! re-deliveries of the exact bytes of the fresh body 1,000 fresh bodies back, ≈ 55 ms earlier
//! (→ duplicate). Before measuring, 15 simulated seconds (300,000 bodies) are run so the dedup
//! table (one entry per non-stale event over the 12 s window) and the cooldown table (≈ 90,000
//! grants) are at their steady-state sizes. Body generation is outside the timed part.
//!
//! ```text
//! cargo bench -p facegate-bridge --bench pipeline -- --warm-up-time 1 --measurement-time 3
//! ```

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;
use std::time::{Duration, Instant, SystemTime};

use acs_proto::{encode_command, AccessPointId, Command, Direction};
use bytes::BytesMut;
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use facegate_bridge::pipeline::convert::arrivals;
use identity_core::{
    Decision, Door, Engine, EngineConfig, IdentityMode, MappingTable, Outcome, Policy, UnixMillis,
};
use watcher_api::payload::parse_webhook;

/// Bodies per timed iteration (half a simulated second).
const BATCH: usize = 10_000;
/// Simulated bodies per millisecond (20,000 events/s).
const PER_MS: u64 = 20;
/// Mapped persons, taken in turn.
const PERSONS: u64 = 150_000;
/// Bodies run before measuring (15 simulated seconds).
const PREFILL: usize = 300_000;
/// A re-delivery repeats the body sent this many bodies earlier.
const REDELIVERY_DISTANCE: usize = 1_000;
/// Cameras with a door, in the order events are spread over them.
const CAMERAS: [&str; 4] = ["entrance", "exit", "lobby", "garage"];

fn config() -> EngineConfig {
    let mut csv = String::from("watcher_person_id,acs_object_id,name\n");
    for p in 1..=PERSONS {
        let _ = writeln!(csv, "{p},{},Person {p}", p + 10_000);
    }
    let door = |camera: &str, acs: &str, ap: u32, direction| Door {
        camera: camera.into(),
        acs: acs.into(),
        access_point: AccessPointId(ap),
        direction,
    };
    EngineConfig {
        doors: vec![
            door("entrance", "hq", 1, Direction::In),
            door("exit", "hq", 1, Direction::Out),
            door("lobby", "hq", 2, Direction::In),
            door("garage", "annex", 1, Direction::In),
        ],
        identity: IdentityMode::Table(MappingTable::parse_csv(&csv).expect("valid table")),
        policy: Policy::default(),
    }
}

/// One body to feed, with the simulated time it arrives at.
struct Body {
    bytes: Vec<u8>,
    now: i64,
}

/// Makes the body stream; its clock only moves forward.
struct Generator {
    seq: u64,
    start: i64,
    recent: VecDeque<Vec<u8>>,
}

impl Generator {
    fn new(start: i64) -> Self {
        Self {
            seq: 0,
            start,
            recent: VecDeque::with_capacity(REDELIVERY_DISTANCE + 1),
        }
    }

    fn next(&mut self) -> Body {
        let seq = self.seq;
        self.seq += 1;
        let now = self.start + (seq / PER_MS) as i64;
        let kind = seq % 100;
        let bytes = if (90..94).contains(&kind) && self.recent.len() >= REDELIVERY_DISTANCE {
            // A re-delivery: the exact bytes of an earlier (fresh) body.
            self.recent[0].clone()
        } else {
            // Deterministic lag of 0..1000 ms behind `now`, then whole seconds as Watcher sends.
            let lag = (seq.wrapping_mul(7_919) % 1_000) as i64;
            let mut event_ms = now - lag;
            let mut camera = CAMERAS[(seq % 4) as usize];
            match kind {
                94..=96 => event_ms -= 30_000,
                97..=99 => camera = "parking",
                _ => {}
            }
            let person = 1 + seq % PERSONS;
            let secs = event_ms / 1_000;
            let text = if seq % 10 == 5 {
                activity_body(seq, camera, person, secs)
            } else {
                push_body(seq, camera, person, secs)
            };
            text.into_bytes()
        };
        if kind < 90 {
            if self.recent.len() >= REDELIVERY_DISTANCE {
                self.recent.pop_front();
            }
            self.recent.push_back(bytes.clone());
        }
        Body { bytes, now }
    }
}

fn push_body(seq: u64, camera: &str, person: u64, secs: i64) -> String {
    format!(
        r#"{{"registration_ids":[],"priority":"high","notification":{{"id":"bench-{seq}","body":"Person detected","group":"{camera}_group1","data":{{"targetScreen":"camera_events","event":"person","person_look_took":0,"event_start_at":{secs},"camera":"{camera} camera","person":{{"id":{person},"first_seen_at":"2020-06-23 14:18:31","last_seen_at":"2020-06-25 17:09:36","person_list_id":1,"name":"Person {person}"}},"camera_id":"{camera}","utc":"{secs}"}}}}}}"#
    )
}

fn activity_body(seq: u64, camera: &str, person: u64, secs: i64) -> String {
    format!(
        r#"[{{"id":"bench-{seq}","camera_id":"{camera}","start_at":"{secs}","end_at":"","object_class":"face","object_id":"{person}","object_action":"enter"}}]"#
    )
}

/// What happened to the events fed so far.
#[derive(Default)]
struct Tally {
    bodies: u64,
    wire_bytes: u64,
    by_outcome: BTreeMap<&'static str, u64>,
}

/// The pipeline for one body: parse, convert, decide, encode every `ALLOWPASS`, settle.
fn feed(engine: &mut Engine, wire: &mut BytesMut, body: &Body, tally: &mut Tally) {
    tally.bodies += 1;
    let Ok(webhook) = parse_webhook(&body.bytes) else {
        *tally.by_outcome.entry("bad_request").or_default() += 1;
        return;
    };
    let now = UnixMillis(body.now);
    let received_at = SystemTime::UNIX_EPOCH + Duration::from_millis(body.now.unsigned_abs());
    for arrival in arrivals(webhook, received_at, tokio::time::Instant::now()) {
        if arrival.malformed.is_some() {
            *tally.by_outcome.entry("malformed").or_default() += 1;
            continue;
        }
        for decision in engine.decide_all(&arrival.sighting, now) {
            match decision {
                Decision::Allow(allow) => {
                    encode_command(
                        &Command::AllowPass {
                            ap: allow.access_point,
                            object: allow.object,
                            direction: allow.direction,
                        },
                        wire,
                    );
                    // The bytes "go on the wire": count them and reuse the buffer.
                    tally.wire_bytes += black_box(&wire[..]).len() as u64;
                    wire.clear();
                    engine.settle(&allow, Outcome::Granted, now);
                    *tally.by_outcome.entry("allowed").or_default() += 1;
                }
                Decision::Reject(r) => {
                    *tally.by_outcome.entry(r.outcome.as_str()).or_default() += 1;
                }
            }
        }
    }
}

fn bench(c: &mut Criterion) {
    let mut engine = Engine::new(config()).expect("valid config");
    let mut generator = Generator::new(1_733_300_000_000);
    let mut wire = BytesMut::with_capacity(64);
    let mut tally = Tally::default();
    for _ in 0..PREFILL {
        let body = generator.next();
        feed(&mut engine, &mut wire, &body, &mut tally);
    }
    let len = engine.state_len();
    eprintln!(
        "prefill: {} bodies, outcomes {:?}, state: dedup={} cooldown={}",
        tally.bodies, tally.by_outcome, len.dedup, len.cooldown
    );
    let allowed = tally.by_outcome.get("allowed").copied().unwrap_or(0);
    assert!(
        allowed * 100 >= tally.bodies * 85,
        "the workload should be ~90 % allowed; got {:?}",
        tally.by_outcome
    );
    assert_eq!(engine.overflow_rejections(), 0, "tables within capacity");

    let mut tally = Tally::default();
    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("body_to_allowpass_20k_per_s", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                let bodies: Vec<Body> = (0..BATCH).map(|_| generator.next()).collect();
                let started = Instant::now();
                for body in &bodies {
                    feed(&mut engine, &mut wire, body, &mut tally);
                }
                spent += started.elapsed();
            }
            spent
        })
    });
    group.finish();
    let len = engine.state_len();
    eprintln!(
        "measured: {} bodies, {} ALLOWPASS bytes, outcomes {:?}, overflow={}, state: dedup={} cooldown={}",
        tally.bodies,
        tally.wire_bytes,
        tally.by_outcome,
        engine.overflow_rejections(),
        len.dedup,
        len.cooldown
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
