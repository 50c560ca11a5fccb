//! Property tests over random interleavings of sightings, settles, reloads and time.

mod common;

use std::collections::{BTreeMap, HashMap};

use common::*;
use identity_core::*;
use proptest::prelude::*;

const CAMERAS: [&str; 4] = ["entrance", "exit", "lobby", "garage"];
const SETTLE: [Outcome; 6] = [
    Outcome::Granted,
    Outcome::DeniedByAcs,
    Outcome::AcsTimeout,
    Outcome::AcsUnavailable,
    Outcome::Expired,
    Outcome::DryRun,
];

#[derive(Clone, Debug)]
enum Op {
    /// A sighting with event time `now + dt`.
    See {
        person: u64,
        list: Option<u64>,
        camera: usize,
        by_id: bool,
        key: Option<u8>,
        dt: i64,
        score: Option<f32>,
        action: u8,
        source: u8,
    },
    /// Move the caller's clock (may step back a little).
    Time(i64),
    /// Report an outcome for the n-th Allow so far (modulo their count).
    Settle(usize, usize),
    /// Re-deliver the n-th sighting so far (modulo their count), unchanged.
    Redeliver(usize),
    /// Reload the same configuration.
    Reload,
}

fn op() -> impl Strategy<Value = Op> {
    let see = (
        (134u64..141, list(), 0usize..4, any::<bool>()),
        (
            proptest::option::of(0u8..12),
            -13_000i64..4_000,
            proptest::option::of(0.5f32..1.0),
            0u8..8,
            0u8..3,
        ),
    )
        .prop_map(
            |((person, list, camera, by_id), (key, dt, score, action, source))| Op::See {
                person,
                list,
                camera,
                by_id,
                key,
                dt,
                score,
                action,
                source,
            },
        );
    prop_oneof![
        8 => see,
        4 => (-500i64..2_500).prop_map(Op::Time),
        2 => (any::<usize>(), 0usize..SETTLE.len()).prop_map(|(i, o)| Op::Settle(i, o)),
        2 => any::<usize>().prop_map(Op::Redeliver),
        1 => Just(Op::Reload),
    ]
}

/// Mostly allowed lists, so allows (and therefore the cooldown rule) are exercised often.
fn list() -> impl Strategy<Value = Option<u64>> {
    prop_oneof![
        4 => Just(Some(1)),
        1 => Just(Some(2)),
        1 => Just(Some(3)),
        1 => Just(Some(0)),
        1 => Just(None),
    ]
}

fn build(op: &Op, now: i64) -> Option<Sighting> {
    let Op::See {
        person,
        list,
        camera,
        by_id,
        key,
        dt,
        score,
        action,
        source,
    } = op.clone()
    else {
        return None;
    };
    let mut s = sighting(person, CAMERAS[camera], "", now + dt);
    s.event_key = key.map(|k| format!("k{k}"));
    s.person.list_id = list;
    if by_id {
        s.camera = CameraRef {
            id: Some(CAMERAS[camera].into()),
            name: None,
        };
    }
    s.score = score;
    s.action = match action {
        0 => Action::Leave,
        1 => Action::Other,
        _ => Action::Enter,
    };
    s.source = [Source::Push, Source::Activity, Source::Episodes][usize::from(source)];
    Some(s)
}

/// Everything observable from one run, for the determinism check.
type Trace = Vec<(Vec<Decision>, Option<bool>)>;

/// Runs the ops, asserting the safety invariants as it goes, and returns the trace.
fn run(config: EngineConfig, ops: &[Op]) -> Result<Trace, TestCaseError> {
    let mut engine = Engine::new(config.clone()).expect("valid");
    let policy = config.policy.clone();
    let table = match &config.identity {
        IdentityMode::Table(t) => t.clone(),
        _ => unreachable!("the test config uses a table"),
    };
    let mut now = T0;
    let mut trace = Trace::new();
    let mut allows: Vec<Allow> = Vec::new();
    // Per cooldown key: (granted_at, ticket) of grants that still hold their cooldown.
    let mut held: HashMap<CooldownKey, Vec<(i64, u64)>> = HashMap::new();
    // Identical sightings must never be allowed in two different calls.
    let mut allowed_sightings: Vec<Sighting> = Vec::new();
    let mut delivered: Vec<Sighting> = Vec::new();

    for op in ops {
        match op {
            Op::Time(dt) => now += dt,
            Op::Reload => {
                engine.reload(config.clone()).expect("valid");
            }
            Op::Settle(i, o) => {
                if allows.is_empty() {
                    continue;
                }
                let a = allows[i % allows.len()].clone();
                let outcome = SETTLE[*o];
                let released = engine.settle(&a, outcome, UnixMillis(now));
                if released {
                    prop_assert!(outcome.releases_cooldown());
                    if let Some(v) = held.get_mut(&a.key) {
                        v.retain(|&(_, t)| t != a.ticket);
                    }
                }
                trace.push((Vec::new(), Some(released)));
            }
            Op::See { .. } | Op::Redeliver(_) => {
                let s = match op {
                    Op::Redeliver(i) if !delivered.is_empty() => {
                        delivered[i % delivered.len()].clone()
                    }
                    Op::Redeliver(_) => continue,
                    _ => build(op, now).expect("a sighting op"),
                };
                delivered.push(s.clone());
                let decisions = engine.decide_all(&s, UnixMillis(now));
                let clock = engine.clock().0;
                prop_assert!(!decisions.is_empty());
                let mut any_allow = false;
                for d in &decisions {
                    let Decision::Allow(a) = d else { continue };
                    any_allow = true;
                    // Never allowed: ignored, future, stale, unmapped, deny-listed,
                    // not-allowed-list or low-score sightings.
                    prop_assert_eq!(s.action, Action::Enter);
                    prop_assert!(s.event_time.0 - clock <= 2_000, "future allowed");
                    prop_assert!(clock - s.event_time.0 <= 10_000, "stale allowed");
                    let mapped = table.lookup(s.person.id).map(|m| m.object);
                    prop_assert_eq!(mapped.map(ObjectRef::Id), Some(a.object), "unmapped");
                    let list = s.person.list_id;
                    if !policy.allow_lists.is_empty() {
                        prop_assert!(list.is_some_and(|l| policy.allow_lists.contains(&l)));
                    }
                    prop_assert!(!list.is_some_and(|l| policy.deny_lists.contains(&l)));
                    if let (Some(score), Some(min)) = (s.score, policy.min_score) {
                        prop_assert!(score >= min, "low score allowed");
                    }
                    prop_assert_eq!(a.deadline.0, s.event_time.0 + 10_000);
                    // At most one Allow per (person, acs, ap, direction) per cooldown,
                    // unless the earlier one was settled as never sent.
                    let prior = held.entry(a.key.clone()).or_default();
                    for &(at, _) in prior.iter() {
                        prop_assert!(
                            a.granted_at.0 - at >= 5_000,
                            "second allow {} ms after the first",
                            a.granted_at.0 - at
                        );
                    }
                    prior.push((a.granted_at.0, a.ticket));
                    allows.push(a.clone());
                }
                if any_allow {
                    prop_assert!(!allowed_sightings.contains(&s), "duplicate allowed");
                    allowed_sightings.push(s.clone());
                }
                trace.push((decisions, None));
            }
        }
        let len = engine.state_len();
        prop_assert!(len.dedup <= policy.dedup_capacity);
        prop_assert!(len.cooldown <= policy.cooldown_capacity);
        prop_assert!(len.unmapped <= policy.unmapped_capacity);
    }
    Ok(trace)
}

/// Tiny tables, and no allow lists (so the deny list alone must stop list 3).
fn small_config() -> EngineConfig {
    let mut c = config();
    c.policy.allow_lists.clear();
    c.policy.dedup_capacity = 16;
    c.policy.cooldown_capacity = 4;
    c.policy.unmapped_capacity = 3;
    c
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_interleavings_never_break_the_safety_rules(ops in proptest::collection::vec(op(), 1..200)) {
        run(config(), &ops)?;
    }

    #[test]
    fn the_rules_hold_with_tiny_tables_and_only_a_deny_list(ops in proptest::collection::vec(op(), 1..200)) {
        run(small_config(), &ops)?;
    }

    #[test]
    fn the_same_inputs_always_give_the_same_decisions(ops in proptest::collection::vec(op(), 1..120)) {
        let first = run(config(), &ops)?;
        let second = run(config(), &ops)?;
        prop_assert_eq!(first, second);
    }

    #[test]
    fn a_snapshot_restored_into_a_fresh_engine_decides_like_the_original(
        before in proptest::collection::vec(op(), 1..80),
        after in proptest::collection::vec(op(), 1..80),
    ) {
        let mut original = Engine::new(config()).expect("valid");
        let mut now = T0;
        for op in &before {
            match op {
                Op::Time(dt) => now += dt,
                _ => if let Some(s) = build(op, now) { original.decide_all(&s, UnixMillis(now)); },
            }
        }
        let mut copy = Engine::new(config()).expect("valid");
        copy.restore(original.snapshot()).expect("restore");
        for op in &after {
            match op {
                Op::Time(dt) => now += dt,
                _ => if let Some(s) = build(op, now) {
                    let a = original.decide_all(&s, UnixMillis(now));
                    let b = copy.decide_all(&s, UnixMillis(now));
                    // Tickets may differ; outcomes, doors and objects must not.
                    let strip = |v: Vec<Decision>| -> Vec<(Option<Outcome>, Option<DoorRef>)> {
                        v.into_iter().map(|d| (d.rejected(), d.door())).collect()
                    };
                    prop_assert_eq!(strip(a), strip(b));
                },
            }
        }
    }
}

#[test]
fn a_flood_of_distinct_persons_keeps_every_table_within_its_bound() {
    let mut cfg = config();
    cfg.identity = IdentityMode::Same;
    cfg.policy.allow_lists.clear();
    cfg.policy.dedup_capacity = 1_000;
    cfg.policy.cooldown_capacity = 500;
    cfg.policy.unmapped_capacity = 100;
    let mut e = Engine::new(cfg).expect("valid");
    let mut outcomes: BTreeMap<Option<Outcome>, usize> = BTreeMap::new();
    let mut now = T0;
    for i in 0..50_000u64 {
        now += 1;
        // Every 5th person cannot be an ACS object (id too large): fills the unmapped list.
        let person = if i % 5 == 0 { (1 << 40) + i } else { i + 1 };
        let s = sighting(person, "entrance", "", now);
        let d = e.decide(&s, UnixMillis(now));
        *outcomes.entry(d.rejected()).or_default() += 1;
        let len = e.state_len();
        assert!(
            len.dedup <= 1_000 && len.cooldown <= 500 && len.unmapped <= 100,
            "{len:?}"
        );
    }
    // The flood was refused safely (no eviction of live entries) ...
    assert!(
        outcomes
            .get(&Some(Outcome::Duplicate))
            .copied()
            .unwrap_or(0)
            > 0
    );
    assert!(e.overflow_rejections() > 0);
    // ... and once the window passes, the engine admits again.
    now += 20_000;
    let d = e.decide(&sighting(7, "entrance", "", now), UnixMillis(now));
    assert!(d.is_allow(), "{d:?}");
    let len = e.state_len();
    assert!(len.dedup <= 1 && len.cooldown <= 1, "{len:?}");
}

#[test]
fn the_generated_workloads_exercise_allows_and_every_engine_outcome() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRng, TestRunner};
    // A fixed seed, so this check is deterministic.
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::deterministic_rng(Default::default()),
    );
    let mut counts: BTreeMap<Option<Outcome>, usize> = BTreeMap::new();
    for _ in 0..64 {
        let ops = proptest::collection::vec(op(), 150)
            .new_tree(&mut runner)
            .expect("generate")
            .current();
        let trace = run(config(), &ops).expect("invariants hold");
        for d in trace.iter().flat_map(|(d, _)| d) {
            *counts.entry(d.rejected()).or_default() += 1;
        }
    }
    assert!(counts.get(&None).copied().unwrap_or(0) > 100, "{counts:?}");
    for o in [
        Outcome::Ignored,
        Outcome::Future,
        Outcome::Stale,
        Outcome::Duplicate,
        Outcome::UnknownCamera,
        Outcome::DeniedList,
        Outcome::NotAllowedList,
        Outcome::LowScore,
        Outcome::UnmappedPerson,
        Outcome::Cooldown,
    ] {
        assert!(
            counts.contains_key(&Some(o)),
            "{o} never produced: {counts:?}"
        );
    }
}
