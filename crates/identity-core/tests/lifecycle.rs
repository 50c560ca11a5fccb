//! The engine over time: settle, several doors per camera, full tables, reload, restart.

mod common;

use common::*;
use identity_core::*;

fn reject(engine: &mut Engine, s: &Sighting, now: i64) -> Rejection {
    match engine.decide(s, UnixMillis(now)) {
        Decision::Reject(r) => r,
        Decision::Allow(a) => panic!("expected a rejection, got {a:?}"),
    }
}

fn allow(engine: &mut Engine, s: &Sighting, now: i64) -> Allow {
    match engine.decide(s, UnixMillis(now)) {
        Decision::Allow(a) => a,
        Decision::Reject(r) => panic!("expected an allow, got {r:?}"),
    }
}

#[test]
fn settle_releases_the_cooldown_only_when_nothing_was_sent() {
    for (outcome, released) in [
        (Outcome::AcsUnavailable, true),
        (Outcome::Expired, true),
        (Outcome::Granted, false),
        (Outcome::DeniedByAcs, false),
        (Outcome::AcsTimeout, false),
        (Outcome::DryRun, false),
    ] {
        let mut e = engine();
        let a = allow(&mut e, &sighting(135, "entrance", "k1", T0), T0);
        assert_eq!(
            e.settle(&a, outcome, UnixMillis(T0 + 10)),
            released,
            "{outcome}"
        );
        let again = e.decide(
            &sighting(135, "entrance", "k2", T0 + 20),
            UnixMillis(T0 + 20),
        );
        assert_eq!(again.is_allow(), released, "{outcome}");
    }
}

#[test]
fn settling_an_old_allow_does_not_release_a_newer_grant() {
    let mut e = engine();
    let first = allow(&mut e, &sighting(135, "entrance", "k1", T0), T0);
    let second = allow(
        &mut e,
        &sighting(135, "entrance", "k2", T0 + 5_000),
        T0 + 5_000,
    );
    assert!(!e.settle(&first, Outcome::Expired, UnixMillis(T0 + 5_001)));
    let r = reject(
        &mut e,
        &sighting(135, "entrance", "k3", T0 + 5_002),
        T0 + 5_002,
    );
    assert_eq!(r.outcome, Outcome::Cooldown);
    assert!(e.settle(&second, Outcome::AcsUnavailable, UnixMillis(T0 + 5_003)));
}

#[test]
fn a_camera_serving_two_doors_gets_one_decision_per_door() {
    let mut e = engine();
    let all = e.decide_all(&sighting(135, "lobby", "k1", T0), UnixMillis(T0));
    let aps: Vec<_> = all
        .iter()
        .map(|d| d.as_allow().map(|a| (a.access_point.0, a.direction)))
        .collect();
    assert_eq!(aps, [Some((2, Direction::In)), Some((3, Direction::Out))]);
    // A door-independent rejection is repeated per door, with the door filled in.
    let all = e.decide_all(&sighting(135, "lobby", "k1", T0), UnixMillis(T0));
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|d| d.rejected() == Some(Outcome::Duplicate)));
    assert_eq!(
        all[1].door().map(|d| d.access_point),
        Some(AccessPointId(3))
    );
    // No door: exactly one decision.
    let all = e.decide_all(&sighting(135, "garage", "k2", T0), UnixMillis(T0));
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].rejected(), Some(Outcome::UnknownCamera));
}

#[test]
fn decide_considers_only_the_first_matching_door() {
    let mut e = engine();
    let a = allow(&mut e, &sighting(135, "lobby", "k1", T0), T0);
    assert_eq!(a.access_point, AccessPointId(2));
    assert_eq!(e.state_len().cooldown, 1);
}

#[test]
fn a_full_dedup_table_rejects_new_events_instead_of_forgetting_live_ones() {
    let mut cfg = config();
    cfg.policy.dedup_capacity = 2;
    let mut e = Engine::new(cfg).expect("valid");
    allow(&mut e, &sighting(135, "entrance", "k1", T0), T0);
    allow(&mut e, &sighting(136, "entrance", "k2", T0), T0);
    let r = reject(&mut e, &sighting(140, "entrance", "k3", T0), T0);
    assert_eq!(r.outcome, Outcome::Duplicate);
    assert!(r.detail.contains("full"));
    assert_eq!(e.overflow_rejections(), 1);
    // The first two are still remembered.
    assert_eq!(
        reject(&mut e, &sighting(135, "entrance", "k1", T0), T0 + 1).outcome,
        Outcome::Duplicate
    );
    // Once they expire (max_event_age + clock_skew), there is room again.
    allow(
        &mut e,
        &sighting(140, "entrance", "k4", T0 + 12_001),
        T0 + 12_001,
    );
    assert_eq!(e.state_len().dedup, 1);
}

#[test]
fn a_full_cooldown_table_rejects_new_grants_as_cooldown() {
    let mut cfg = config();
    cfg.policy.cooldown_capacity = 1;
    let mut e = Engine::new(cfg).expect("valid");
    allow(&mut e, &sighting(135, "entrance", "k1", T0), T0);
    let r = reject(&mut e, &sighting(136, "entrance", "k2", T0), T0);
    assert_eq!(r.outcome, Outcome::Cooldown);
    assert!(r.detail.contains("full"));
    allow(
        &mut e,
        &sighting(136, "entrance", "k3", T0 + 5_000),
        T0 + 5_000,
    );
}

#[test]
fn reload_keeps_dedup_and_cooldown_state_and_rejects_invalid_configs() {
    let mut e = engine();
    allow(&mut e, &sighting(135, "entrance", "k1", T0), T0);
    reject(&mut e, &sighting(777, "entrance", "k2", T0), T0);
    assert_eq!(e.unmapped().len(), 1);

    let mut bad = config();
    bad.policy.cooldown = ms(0);
    let problems = e.reload(bad).expect_err("invalid");
    assert_eq!(problems[0].entry, "policy.cooldown");
    assert_eq!(e.config().policy.cooldown, ms(5_000), "old config kept");

    let mut cfg = config();
    cfg.identity = IdentityMode::Table(MappingTable::parse_csv("135,6\n777,77\n").expect("table"));
    e.reload(cfg).expect("valid");
    assert!(
        e.unmapped().is_empty(),
        "the newly mapped person left the list"
    );
    assert_eq!(
        reject(&mut e, &sighting(135, "entrance", "k1", T0), T0 + 1).outcome,
        Outcome::Duplicate
    );
    assert_eq!(
        reject(&mut e, &sighting(135, "entrance", "k3", T0 + 2), T0 + 2).outcome,
        Outcome::Cooldown
    );
    allow(&mut e, &sighting(777, "entrance", "k4", T0 + 3), T0 + 3);
}

#[test]
fn widening_max_event_age_by_reload_rejects_events_older_than_what_is_remembered() {
    let mut e = engine();
    allow(&mut e, &sighting(135, "entrance", "k1", T0), T0);
    // 20 s later the event is forgotten (window 12 s); any call moves engine time.
    reject(
        &mut e,
        &sighting(136, "garage", "x", T0 + 20_000),
        T0 + 20_000,
    );
    assert_eq!(
        e.state_len().dedup,
        1,
        "only the garage event is remembered"
    );
    let mut cfg = config();
    cfg.policy.max_event_age = ms(60_000);
    e.reload(cfg).expect("valid");
    let r = reject(&mut e, &sighting(135, "entrance", "k1", T0), T0 + 21_000);
    assert_eq!(r.outcome, Outcome::Stale, "{}", r.detail);
    assert!(r.detail.contains("horizon"));
}

#[test]
fn remembered_events_and_passes_survive_a_restart() {
    let mut e = engine();
    let s = sighting(135, "entrance", "k1", T0);
    assert!(e.remember_event(&s.dedup_key(), s.event_time));
    assert!(e.remember_pass(
        PersonId(136),
        "hq",
        AccessPointId(1),
        Direction::In,
        UnixMillis(T0 - 1_000)
    ));
    assert_eq!(reject(&mut e, &s, T0 + 100).outcome, Outcome::Duplicate);
    let r = reject(&mut e, &sighting(136, "entrance", "k2", T0 + 100), T0 + 100);
    assert_eq!(r.outcome, Outcome::Cooldown);
    // An expired pass is not remembered.
    assert!(!e.remember_pass(
        PersonId(140),
        "hq",
        AccessPointId(1),
        Direction::In,
        UnixMillis(T0 - 60_000)
    ));
}

#[test]
fn a_snapshot_restored_into_a_new_engine_keeps_every_decision() {
    let mut e = engine();
    allow(&mut e, &sighting(135, "entrance", "k1", T0), T0);
    reject(&mut e, &sighting(777, "exit", "k2", T0), T0);
    let snap = e.snapshot();
    let json = serde_json::to_string(&snap).expect("serialise");
    let back: StateSnapshot = serde_json::from_str(&json).expect("deserialise");
    assert_eq!(back, snap);

    let mut fresh = engine();
    fresh.restore(back).expect("restore");
    assert_eq!(fresh.state_len(), e.state_len());
    assert_eq!(fresh.unmapped(), e.unmapped());
    assert_eq!(
        reject(&mut fresh, &sighting(135, "entrance", "k1", T0), T0 + 1).outcome,
        Outcome::Duplicate
    );
    assert_eq!(
        reject(&mut fresh, &sighting(135, "entrance", "k3", T0 + 1), T0 + 1).outcome,
        Outcome::Cooldown
    );
    let mut wrong = snap;
    wrong.format = 99;
    assert_eq!(
        fresh.restore(wrong),
        Err(RestoreError::Format { found: 99 })
    );
}

#[test]
fn the_engine_can_be_shared_behind_a_mutex_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();
    assert_send_sync::<Decision>();
    assert_send_sync::<StateSnapshot>();
}

#[test]
fn concurrent_duplicate_deliveries_behind_a_mutex_give_exactly_one_allow() {
    let engine = std::sync::Arc::new(std::sync::Mutex::new(engine()));
    let s = sighting(135, "entrance", "", T0);
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let (engine, s) = (engine.clone(), s.clone());
            std::thread::spawn(move || {
                let mut e = engine.lock().expect("not poisoned");
                e.decide(&s, UnixMillis(T0)).is_allow()
            })
        })
        .collect();
    let allows = handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .filter(|&a| a)
        .count();
    assert_eq!(allows, 1);
}

#[test]
fn a_version_1_snapshot_with_128_bit_digests_is_refused_cleanly() {
    let mut e = engine();
    allow(&mut e, &sighting(135, "entrance", "k1", T0), T0);
    let mut json: serde_json::Value = serde_json::to_value(e.snapshot()).expect("serialise");
    assert_eq!(json["format"], 2);
    json["format"] = 1.into();
    // An old snapshot with no events parses, and restore refuses its version.
    let mut empty = json.clone();
    empty["dedup"] = serde_json::Value::Array(Vec::new());
    let old: StateSnapshot = serde_json::from_value(empty).expect("parses");
    let mut fresh = engine();
    assert_eq!(fresh.restore(old), Err(RestoreError::Format { found: 1 }));
    assert_eq!(fresh.state_len().total(), 0, "nothing was merged");
    // With a 128-bit (32 hex digit) digest it does not even parse.
    json["dedup"][0]["digest"] = "0123456789abcdef0123456789abcdef".into();
    let err = serde_json::from_value::<StateSnapshot>(json).expect_err("old digest");
    assert!(err.to_string().contains("16 hex digits"), "{err}");
}

/// SPEC §8: ≥ 20 000 events/s. At 25 000 distinct events/s (each person back after 6 s, past
/// the 5 s cooldown) the default tables never fill: no sighting is refused for capacity.
#[test]
fn the_default_capacities_sustain_25_000_events_per_second() {
    let mut cfg = config();
    cfg.identity = IdentityMode::Same;
    cfg.policy = Policy::default();
    let mut e = Engine::new(cfg).expect("valid");
    let mut now = T0;
    let mut allows = 0u64;
    let mut peak = StateLen::default();
    // 16 simulated seconds: the 12 s de-duplication window fills, then holds steady.
    for seq in 0..16 * 25_000u64 {
        if seq % 25 == 0 {
            now += 1;
        }
        let late = (seq.wrapping_mul(7_919) % 2_000) as i64;
        let s = sighting(
            1 + seq % 150_000,
            "entrance",
            &format!("e{seq}"),
            now - late,
        );
        for d in e.decide_all(&s, UnixMillis(now)) {
            if let Decision::Allow(a) = d {
                allows += 1;
                e.settle(&a, Outcome::Granted, UnixMillis(now));
            }
        }
        let len = e.state_len();
        peak.dedup = peak.dedup.max(len.dedup);
        peak.cooldown = peak.cooldown.max(len.cooldown);
    }
    assert_eq!(e.overflow_rejections(), 0, "peak {peak:?}");
    assert_eq!(allows, 16 * 25_000, "peak {peak:?}");
    assert!(peak.dedup > 250_000 && peak.cooldown > 120_000, "{peak:?}");
}
