//! One test per SPEC outcome the engine decides, identity modes and engine time.

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
fn a_mapped_person_at_a_known_door_is_allowed_with_the_event_deadline() {
    let mut e = engine();
    let a = allow(&mut e, &sighting(135, "entrance", "k1", T0 - 500), T0);
    assert_eq!(a.acs, "hq");
    assert_eq!(a.access_point, AccessPointId(1));
    assert_eq!(a.object, ObjectRef::Id(ObjectId(6)));
    assert_eq!(a.direction, Direction::In);
    assert_eq!(a.deadline, UnixMillis(T0 - 500 + 10_000));
    assert_eq!(a.granted_at, UnixMillis(T0));
    assert_eq!(a.key.person, PersonId(135));
}

#[test]
fn a_leave_or_other_action_is_ignored() {
    let mut e = engine();
    for action in [Action::Leave, Action::Other] {
        let mut s = sighting(135, "entrance", "", T0);
        s.action = action;
        assert_eq!(reject(&mut e, &s, T0).outcome, Outcome::Ignored);
    }
}

#[test]
fn an_event_ahead_of_now_by_more_than_the_skew_is_future() {
    let mut e = engine();
    assert_eq!(
        reject(&mut e, &sighting(135, "entrance", "k", T0 + 2_001), T0).outcome,
        Outcome::Future
    );
    // Exactly at the skew is accepted.
    allow(&mut e, &sighting(135, "entrance", "k2", T0 + 2_000), T0);
}

#[test]
fn an_event_older_than_max_event_age_is_stale() {
    let mut e = engine();
    let r = reject(&mut e, &sighting(135, "entrance", "k", T0 - 10_001), T0);
    assert_eq!(r.outcome, Outcome::Stale);
    assert!(r.detail.contains("10001 ms old"), "{}", r.detail);
    assert_eq!(r.door.map(|d| d.access_point), Some(AccessPointId(1)));
    allow(&mut e, &sighting(135, "entrance", "k2", T0 - 10_000), T0);
}

#[test]
fn a_redelivered_event_is_duplicate_even_when_the_first_was_rejected() {
    let mut e = engine();
    let s = sighting(135, "entrance", "k", T0);
    allow(&mut e, &s, T0);
    assert_eq!(reject(&mut e, &s, T0 + 6_000).outcome, Outcome::Duplicate);

    let unmapped = sighting(999, "entrance", "k9", T0);
    assert_eq!(
        reject(&mut e, &unmapped, T0).outcome,
        Outcome::UnmappedPerson
    );
    assert_eq!(reject(&mut e, &unmapped, T0).outcome, Outcome::Duplicate);
}

#[test]
fn events_without_a_key_are_deduplicated_by_fingerprint() {
    let mut e = engine();
    let s = sighting(135, "entrance", "", T0);
    allow(&mut e, &s, T0);
    assert_eq!(reject(&mut e, &s, T0 + 9_000).outcome, Outcome::Duplicate);
    // Another recognition of the same person a moment later is a new event.
    let next = sighting(135, "entrance", "", T0 + 6_000);
    allow(&mut e, &next, T0 + 6_000);
}

#[test]
fn the_same_key_from_another_source_is_a_different_event() {
    let mut e = engine();
    allow(&mut e, &sighting(135, "entrance", "k", T0), T0);
    let mut s = sighting(136, "entrance", "k", T0);
    s.source = Source::Episodes;
    allow(&mut e, &s, T0);
}

#[test]
fn a_camera_without_a_door_is_unknown_camera() {
    let mut e = engine();
    let r = reject(&mut e, &sighting(135, "garage", "k", T0), T0);
    assert_eq!(r.outcome, Outcome::UnknownCamera);
    assert_eq!(r.door, None);
}

#[test]
fn a_door_matches_the_camera_id_or_name() {
    let mut e = engine();
    let mut s = sighting(135, "", "k", T0);
    s.camera = CameraRef {
        id: Some("entrance".into()),
        name: Some("Main entrance".into()),
    };
    allow(&mut e, &s, T0);
}

#[test]
fn a_deny_listed_person_is_denied_list_even_if_also_allowed_by_mapping() {
    let mut e = engine();
    let mut s = sighting(135, "entrance", "k", T0);
    s.person.list_id = Some(3);
    assert_eq!(reject(&mut e, &s, T0).outcome, Outcome::DeniedList);
}

#[test]
fn a_list_outside_the_allow_lists_or_an_unknown_list_is_not_allowed_list() {
    let mut e = engine();
    let mut s = sighting(135, "entrance", "k1", T0);
    s.person.list_id = Some(7);
    assert_eq!(reject(&mut e, &s, T0).outcome, Outcome::NotAllowedList);
    let mut s = sighting(135, "entrance", "k2", T0);
    s.person.list_id = None;
    assert_eq!(reject(&mut e, &s, T0).outcome, Outcome::NotAllowedList);
}

#[test]
fn an_empty_allow_list_admits_every_list_and_an_unknown_list() {
    let mut cfg = config();
    cfg.policy.allow_lists.clear();
    let mut e = Engine::new(cfg).expect("valid");
    let mut s = sighting(135, "entrance", "k", T0);
    s.person.list_id = None;
    allow(&mut e, &s, T0);
}

#[test]
fn a_score_below_min_score_is_low_score_and_a_missing_score_is_not_judged() {
    let mut e = engine();
    let mut s = sighting(135, "entrance", "k1", T0);
    s.score = Some(0.79);
    assert_eq!(reject(&mut e, &s, T0).outcome, Outcome::LowScore);
    let mut s = sighting(135, "entrance", "k2", T0);
    s.score = Some(f32::NAN);
    assert_eq!(reject(&mut e, &s, T0).outcome, Outcome::LowScore);
    let mut s = sighting(135, "entrance", "k3", T0);
    s.score = Some(0.8);
    allow(&mut e, &s, T0);
    let s = sighting(136, "entrance", "k4", T0);
    allow(&mut e, &s, T0);
}

#[test]
fn a_person_without_an_acs_object_is_unmapped_and_listed_for_the_operator() {
    let mut e = engine();
    for (i, now) in [T0, T0 + 1_000].into_iter().enumerate() {
        let s = sighting(777, "entrance", &format!("u{i}"), now);
        let r = reject(&mut e, &s, now);
        assert_eq!(r.outcome, Outcome::UnmappedPerson);
    }
    let list = e.unmapped();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].id, PersonId(777));
    assert_eq!(list[0].count, 2);
    assert_eq!(list[0].camera, "entrance");
    assert_eq!(list[0].name.as_deref(), Some("person 777"));
    assert_eq!(list[0].first_seen, UnixMillis(T0));
    assert_eq!(list[0].last_seen, UnixMillis(T0 + 1_000));
}

#[test]
fn a_second_grant_for_the_same_person_and_door_within_the_cooldown_is_cooldown() {
    let mut e = engine();
    allow(&mut e, &sighting(135, "entrance", "k1", T0), T0);
    let r = reject(
        &mut e,
        &sighting(135, "entrance", "k2", T0 + 4_999),
        T0 + 4_999,
    );
    assert_eq!(r.outcome, Outcome::Cooldown);
    assert_eq!(r.object, Some(ObjectId(6)));
    // Another door or direction is not affected.
    allow(&mut e, &sighting(135, "exit", "k3", T0 + 4_999), T0 + 4_999);
    // Nor another person.
    allow(
        &mut e,
        &sighting(136, "entrance", "k4", T0 + 4_999),
        T0 + 4_999,
    );
    // After the cooldown the person may pass again.
    allow(
        &mut e,
        &sighting(135, "entrance", "k5", T0 + 5_000),
        T0 + 5_000,
    );
}

#[test]
fn identity_modes_same_and_external_id_map_numbers_only() {
    let mut cfg = config();
    cfg.identity = IdentityMode::Same;
    let mut e = Engine::new(cfg.clone()).expect("valid");
    let a = allow(&mut e, &sighting(42, "entrance", "k1", T0), T0);
    assert_eq!(a.object, ObjectRef::Id(ObjectId(42)));
    let r = reject(&mut e, &sighting(1 << 40, "entrance", "k2", T0), T0);
    assert_eq!(r.outcome, Outcome::UnmappedPerson);

    cfg.identity = IdentityMode::ExternalId;
    let mut e = Engine::new(cfg).expect("valid");
    let mut s = sighting(135, "entrance", "k1", T0);
    s.person.external_id = Some("6".into());
    assert_eq!(allow(&mut e, &s, T0).object, ObjectRef::Id(ObjectId(6)));
    let mut s = sighting(136, "entrance", "k2", T0);
    s.person.external_id = Some("7\r\nALLOWPASS 1 7 IN".into());
    assert_eq!(reject(&mut e, &s, T0).outcome, Outcome::UnmappedPerson);
}

#[test]
fn engine_time_never_runs_backwards() {
    let mut e = engine();
    allow(&mut e, &sighting(135, "entrance", "k1", T0), T0);
    // The caller's clock steps back a minute: the event is judged by the latest time seen.
    let r = reject(
        &mut e,
        &sighting(136, "entrance", "k2", T0 - 60_000),
        T0 - 60_000,
    );
    assert_eq!(r.outcome, Outcome::Stale);
    assert_eq!(e.clock(), UnixMillis(T0));
}

#[test]
fn the_engine_refuses_an_invalid_config() {
    let mut cfg = config();
    cfg.doors.push(door("entrance", "hq", 5, Direction::In));
    let problems = Engine::new(cfg).expect_err("invalid");
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].entry, "door[4]");
}

#[test]
fn dry_run_and_command_outcomes_are_not_rejections_the_engine_produces() {
    // granted, denied_by_acs, acs_timeout, acs_unavailable, expired and dry_run are the
    // bridge's outcomes for an Allow; the engine only ever rejects with the others.
    let mut e = engine();
    let mut seen = std::collections::BTreeSet::new();
    for (i, person) in [135u64, 777].into_iter().enumerate() {
        for (j, cam) in ["entrance", "garage"].into_iter().enumerate() {
            for dt in [-20_000i64, 0, 5_000] {
                let s = sighting(person, cam, &format!("{i}{j}{dt}"), T0 + dt);
                if let Some(o) = e.decide(&s, UnixMillis(T0)).rejected() {
                    seen.insert(o);
                }
            }
        }
    }
    for o in seen {
        assert!(!o.sent_allowpass() && !o.releases_cooldown() && o != Outcome::DryRun);
    }
}
