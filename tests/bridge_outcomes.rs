//! End-to-end: one test per SPEC §2 outcome, over real HTTP into the bridge and real OIF to the
//! ACS simulator. (`dry_run` is covered in `bridge_ingest.rs` and `bridge_run.rs`; `low_score`
//! needs a match score, which only v3 episodes carry: see `bridge_watcher.rs`, poll mode.)

mod common;

use common::{
    acs_sim, acs_sim_with, activity, allowpasses, now_secs, push, push_now, Harness, Setup,
};
use facegate::sim::acs::{AcsSimHandle, CommandKind, Faults, Selector};

async fn bridge(sim: &AcsSimHandle, tweak: impl FnOnce(&mut Setup)) -> Harness {
    let mut setup = Setup::new(sim.addr().to_string());
    tweak(&mut setup);
    let h = Harness::start(setup).await;
    h.wait_ready(200).await;
    h
}

#[tokio::test]
async fn an_employee_at_the_entrance_is_granted_and_journaled_with_latency() {
    let sim = acs_sim().await;
    let mut h = bridge(&sim, |_| {}).await;
    let seen = h.outcome_of(push_now(135, "entrance")).await;
    assert_eq!(seen.outcome, "granted");
    assert_eq!(allowpasses(&sim), 1);
    let line = sim
        .received()
        .into_iter()
        .map(|r| r.line)
        .find(|l| l.starts_with("ALLOWPASS"));
    assert_eq!(line.as_deref(), Some("ALLOWPASS 1 6 IN"));
    let (rows, _) = h.stop().await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].outcome, "granted");
    assert!(rows[0].latency_us.is_some_and(|us| us > 0));
    assert_eq!(rows[0].acs.as_deref(), Some("hq"));
}

#[tokio::test]
async fn the_exit_camera_is_granted_in_direction_out() {
    let sim = acs_sim().await;
    let mut h = bridge(&sim, |_| {}).await;
    let seen = h.outcome_of(push_now(135, "exit")).await;
    assert_eq!(seen.outcome, "granted");
    assert_eq!(seen.direction.as_deref(), Some("out"));
    assert_eq!(
        sim.allow_passes(),
        vec![(
            1.into(),
            facegate::acs_proto::ObjectRef::Id(6.into()),
            facegate::acs_proto::Direction::Out
        )]
    );
    h.stop().await;
}

#[tokio::test]
async fn an_object_the_acs_refuses_is_denied_by_acs_with_its_error_code() {
    let sim = acs_sim().await;
    let mut h = bridge(&sim, |_| {}).await;
    let seen = h.outcome_of(push_now(137, "entrance")).await;
    assert_eq!(seen.outcome, "denied_by_acs");
    assert!(seen.acs_error.is_some());
    let (rows, _) = h.stop().await;
    assert_eq!(rows[0].acs_error, seen.acs_error);
}

#[tokio::test]
async fn an_acs_that_never_answers_gives_acs_timeout_and_exactly_one_allowpass() {
    let faults = Faults {
        silent: Selector::Kinds(vec![CommandKind::AllowPass]),
        ..Faults::default()
    };
    let sim = acs_sim_with(faults).await;
    let mut h = bridge(&sim, |s| s.reply_timeout = "300ms").await;
    let seen = h.outcome_of(push_now(135, "entrance")).await;
    assert_eq!(seen.outcome, "acs_timeout");
    // Give a resend every chance to happen: it must not.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(allowpasses(&sim), 1, "ALLOWPASS is never re-sent");
    h.stop().await;
}

#[tokio::test]
async fn an_unreachable_acs_gives_acs_unavailable_and_nothing_is_sent() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    let mut setup = Setup::new(port.to_string());
    setup.max_event_age = "1s";
    let mut h = Harness::start(setup).await;
    h.wait_ready(503).await;
    let seen = h.outcome_of(push_now(135, "entrance")).await;
    assert_eq!(seen.outcome, "acs_unavailable");
    let (rows, _) = h.stop().await;
    assert_eq!(rows[0].outcome, "acs_unavailable");
    assert_eq!(rows[0].latency_us, None, "nothing was written");
}

#[tokio::test]
async fn a_command_whose_deadline_passes_in_the_queue_is_expired_and_not_sent() {
    // One slot per ACS; the first command holds it until its deadline (no reply comes).
    let faults = Faults {
        silent: Selector::Kinds(vec![CommandKind::AllowPass]),
        ..Faults::default()
    };
    let sim = acs_sim_with(faults).await;
    let mut h = bridge(&sim, |s| {
        s.queue_capacity = 1;
        s.max_event_age = "2s";
        s.reply_timeout = "10s";
    })
    .await;
    let at = now_secs();
    let first = push(135, 1, "entrance", at, "q-1", "a");
    let second = push(136, 1, "entrance", at, "q-2", "b");
    assert_eq!(h.post(first).await.0, 202);
    assert_eq!(h.post(second).await.0, 202);
    let mut outcomes = vec![h.next().await.outcome, h.next().await.outcome];
    outcomes.sort();
    assert_eq!(outcomes, ["acs_timeout", "expired"]);
    assert_eq!(allowpasses(&sim), 1, "the expired one was never written");
    h.stop().await;
}

#[tokio::test]
async fn an_old_event_is_stale_and_a_future_one_is_future() {
    let sim = acs_sim().await;
    let mut h = bridge(&sim, |_| {}).await;
    let old = push(135, 1, "entrance", now_secs() - 60, "old", "a");
    assert_eq!(h.outcome_of(old).await.outcome, "stale");
    let ahead = push(135, 1, "entrance", now_secs() + 60, "ahead", "a");
    assert_eq!(h.outcome_of(ahead).await.outcome, "future");
    assert_eq!(allowpasses(&sim), 0);
    h.stop().await;
}

#[tokio::test]
async fn the_same_notification_twice_is_a_duplicate() {
    let sim = acs_sim().await;
    let mut h = bridge(&sim, |_| {}).await;
    let body = push(135, 1, "entrance", now_secs(), "dup-1", "a");
    assert_eq!(h.outcome_of(body.clone()).await.outcome, "granted");
    assert_eq!(h.outcome_of(body).await.outcome, "duplicate");
    assert_eq!(allowpasses(&sim), 1);
    h.stop().await;
}

#[tokio::test]
async fn the_same_face_again_within_the_cooldown_is_cooldown() {
    let sim = acs_sim().await;
    let mut h = bridge(&sim, |_| {}).await;
    assert_eq!(
        h.outcome_of(push_now(135, "entrance")).await.outcome,
        "granted"
    );
    assert_eq!(
        h.outcome_of(push_now(135, "entrance")).await.outcome,
        "cooldown"
    );
    // Another door is another cooldown.
    assert_eq!(h.outcome_of(push_now(135, "exit")).await.outcome, "granted");
    assert_eq!(allowpasses(&sim), 2);
    h.stop().await;
}

#[tokio::test]
async fn a_camera_without_a_door_is_unknown_camera() {
    let sim = acs_sim().await;
    let mut h = bridge(&sim, |_| {}).await;
    assert_eq!(
        h.outcome_of(push_now(135, "lobby")).await.outcome,
        "unknown_camera"
    );
    assert_eq!(allowpasses(&sim), 0);
    h.stop().await;
}

#[tokio::test]
async fn a_person_without_an_acs_object_is_unmapped_person() {
    let sim = acs_sim().await;
    let mut h = bridge(&sim, |_| {}).await;
    assert_eq!(
        h.outcome_of(push_now(999, "entrance")).await.outcome,
        "unmapped_person"
    );
    assert_eq!(allowpasses(&sim), 0);
    h.stop().await;
}

#[tokio::test]
async fn list_policy_gives_denied_list_and_not_allowed_list() {
    let sim = acs_sim().await;
    let mut h = bridge(&sim, |_| {}).await;
    let banned = push(300, 3, "entrance", now_secs(), "v-1", "Visitor");
    assert_eq!(h.outcome_of(banned).await.outcome, "denied_list");
    let other_list = push(136, 5, "entrance", now_secs(), "v-2", "Someone");
    assert_eq!(h.outcome_of(other_list).await.outcome, "not_allowed_list");
    assert_eq!(allowpasses(&sim), 0);
    h.stop().await;
}

#[tokio::test]
async fn a_leave_or_a_vehicle_is_ignored() {
    let sim = acs_sim().await;
    let mut h = bridge(&sim, |s| s.allow_lists = "[]").await;
    let body = serde_json::json!([
        activity("l-1", "entrance", "face", "135", "leave"),
        activity("l-2", "entrance", "vehicle", "A123BC77", "enter"),
    ]);
    assert_eq!(h.post(body.to_string()).await.0, 202);
    assert_eq!(h.next().await.outcome, "ignored");
    assert_eq!(h.next().await.outcome, "ignored");
    assert_eq!(allowpasses(&sim), 0);
    h.stop().await;
}

#[tokio::test]
async fn a_face_activity_enter_is_granted() {
    let sim = acs_sim().await;
    let mut h = bridge(&sim, |s| s.allow_lists = "[]").await;
    let body = serde_json::json!([activity("g-1", "gate", "face", "136", "enter")]);
    assert_eq!(h.post(body.to_string()).await.0, 202);
    assert_eq!(h.next().await.outcome, "granted");
    assert_eq!(
        sim.allow_passes(),
        vec![(
            2.into(),
            facegate::acs_proto::ObjectRef::Id(7.into()),
            facegate::acs_proto::Direction::In
        )]
    );
    h.stop().await;
}
