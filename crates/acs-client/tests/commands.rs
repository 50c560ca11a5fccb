//! Command links against the ACS simulator over real sockets.

mod common;

use std::time::Duration;

use acs_client::{AcsPool, LinkState, PassOutcome};
use acs_proto::{
    AccessPointId, ApMode, ApState, ApTargets, Command, ErrorCode, ObjectId, Secret, Timestamp,
};
use common::*;
use sim::acs::{CommandKind, Faults};
use tokio::time::Instant;

#[tokio::test]
async fn a_known_object_is_granted_and_an_unknown_one_is_denied_with_its_code() {
    let sim = start_sim().await;
    let pool = ready_pool(config(sim.addr())).await;

    assert_eq!(pass(&pool, 1, 6, in_ms(1000)).await, PassOutcome::Granted);
    let denied = pass(&pool, 1, 999, in_ms(1000)).await;
    assert_eq!(denied.error_code(), Some(ErrorCode::UnknownObject));
    assert_eq!(denied.as_str(), "denied_by_acs");
    let bad_ap = pass(&pool, 42, 6, in_ms(1000)).await;
    assert_eq!(bad_ap.error_code(), Some(ErrorCode::UnknownAccessPoint));

    let lines: Vec<String> = sim.received().into_iter().map(|r| r.line).collect();
    assert_eq!(lines[0], r#"LOGIN 1.8 "admin" "<redacted>""#);
    assert_eq!(
        &lines[1..],
        [
            "ALLOWPASS 1 6 IN",
            "ALLOWPASS 1 999 IN",
            "ALLOWPASS 42 6 IN"
        ]
    );
    pool.shutdown().await;
}

#[tokio::test]
async fn the_typed_read_commands_return_the_sites_data() {
    let sim = start_sim().await;
    let pool = ready_pool(config(sim.addr())).await;

    let aps = pool.ap_list().await.expect("ap list");
    assert_eq!(aps, vec![AccessPointId(1), AccessPointId(2)]);
    let info = pool.ap_info(AccessPointId(2)).await.expect("ap info");
    assert_eq!(info.id, AccessPointId(2));
    let object = pool.object_info(ObjectId(7)).await.expect("object info");
    assert_eq!(object.id, ObjectId(7));
    assert_eq!(pool.all_objects().await.expect("all").len(), 3);
    assert_eq!(pool.zones().await.expect("zones").len(), 2);
    pool.set_ap_mode(ApMode::Locked, ApTargets::List(vec![AccessPointId(1)]))
        .await
        .expect("set mode");
    assert_eq!(sim.ap_state(AccessPointId(1)), Some(ApState::OnlineLocked));

    assert_eq!(pass(&pool, 2, 6, in_ms(1000)).await, PassOutcome::Granted);
    let location = pool.location(ObjectId(6)).await.expect("location");
    assert_eq!(location.object, ObjectId(6));
    let from = Timestamp::new(2000, 1, 1, 0, 0, 0).expect("from");
    let till = Timestamp::new(2999, 1, 1, 0, 0, 0).expect("till");
    let history = pool.history(from, till).await.expect("history");
    assert_eq!(history.len(), 1, "{history:?}");

    let err = pool.object_info(ObjectId(999)).await.expect_err("unknown");
    assert!(matches!(
        err,
        acs_client::AcsError::Server {
            code: ErrorCode::UnknownObject,
            ..
        }
    ));
    assert!(!err.is_retryable());
    pool.shutdown().await;
}

#[tokio::test]
async fn a_wrong_password_is_reported_as_auth_failed_and_not_retried_hot() {
    let sim = start_sim().await;
    let mut cfg = config(sim.addr());
    cfg.password = Secret::new("wrong-password-xyz");
    cfg.reconnect.max = Duration::from_millis(600);
    let before = Instant::now();
    let pool = AcsPool::start(cfg);
    let mut rx = pool.watch_links().remove(0);

    let state = wait_state(&mut rx, |s| matches!(s, LinkState::AuthFailed { .. })).await;
    let LinkState::AuthFailed { until, code } = state else {
        unreachable!()
    };
    assert_eq!(code, ErrorCode::AuthenticationFailed);
    // Equal jitter at the cap: at least half of `max` (600 ms) after the failure.
    assert!(until >= before + Duration::from_millis(300));
    assert_eq!(pool.state().health, acs_client::Health::AuthFailed);

    // Requests meanwhile are not sent, and the login is not hammered. The link waits past
    // the deadline, so the answer comes at once instead of at the deadline.
    let asked = Instant::now();
    assert_eq!(
        pass(&pool, 1, 6, in_ms(150)).await,
        PassOutcome::Unavailable
    );
    assert!(
        asked.elapsed() < Duration::from_millis(100),
        "{:?}",
        asked.elapsed()
    );
    assert_eq!(logins(&sim), 1);
    assert!(sim.allow_passes().is_empty());
    assert!(!format!("{:?}", pool.state()).contains("wrong-password-xyz"));
    pool.shutdown().await;
}

#[tokio::test]
async fn a_reply_timeout_poisons_the_link_and_the_pass_is_never_resent() {
    let sim = start_sim().await;
    sim.set_faults(Faults::none().with_silent(CommandKind::AllowPass));
    let pool = ready_pool(config(sim.addr())).await;
    let mut rx = pool.watch_links().remove(0);

    let started = Instant::now();
    let outcome = pass(&pool, 1, 6, in_ms(2000)).await;
    assert_eq!(outcome, PassOutcome::Timeout);
    assert!(outcome.was_sent());
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(200) && waited < Duration::from_millis(900),
        "{waited:?}"
    );

    // The link was closed and comes back on a new connection.
    sim.set_faults(Faults::none());
    wait_state(&mut rx, |s| !s.is_logged_in()).await;
    wait_state(&mut rx, LinkState::is_logged_in).await;
    assert_eq!(pass(&pool, 1, 7, in_ms(1000)).await, PassOutcome::Granted);

    tokio::time::sleep(Duration::from_millis(300)).await;
    let passes = sim.allow_passes();
    assert_eq!(passes.len(), 2, "{passes:?}");
    assert_eq!(passes[0].1, acs_proto::ObjectRef::Id(ObjectId(6)));
    assert_eq!(connections_seen(&sim).len(), 2);
    pool.shutdown().await;
}

#[tokio::test]
async fn a_deadline_shorter_than_the_reply_timeout_bounds_the_wait() {
    let sim = start_sim().await;
    sim.set_faults(
        Faults::none().with_delay_on(CommandKind::AllowPass, Duration::from_millis(600)),
    );
    let pool = ready_pool(config(sim.addr())).await;
    let started = Instant::now();
    assert_eq!(pass(&pool, 1, 6, in_ms(60)).await, PassOutcome::Timeout);
    assert!(started.elapsed() < Duration::from_millis(400));
    pool.shutdown().await;
}

#[tokio::test]
async fn a_garbage_reply_is_an_unknown_result_and_resets_the_link() {
    let sim = start_sim().await;
    let pool = ready_pool(config(sim.addr())).await;
    sim.set_faults(Faults::none().with_garbage_on(CommandKind::AllowPass));
    assert_eq!(pass(&pool, 1, 6, in_ms(1000)).await, PassOutcome::Timeout);
    sim.set_faults(Faults::none());
    assert!(pool.wait_ready(in_ms(2000)).await);
    assert_eq!(pass(&pool, 1, 6, in_ms(1000)).await, PassOutcome::Granted);
    assert_eq!(sim.allow_passes().len(), 2);
    assert_eq!(connections_seen(&sim).len(), 2);
    pool.shutdown().await;
}

#[tokio::test]
async fn a_dropped_link_reconnects_after_a_backoff() {
    let sim = start_sim().await;
    let pool = ready_pool(config(sim.addr())).await;
    let mut rx = pool.watch_links().remove(0);

    let before = Instant::now();
    sim.disconnect_all();
    let state = wait_state(&mut rx, |s| matches!(s, LinkState::Backoff { .. })).await;
    let LinkState::Backoff { until, attempt, .. } = state else {
        unreachable!()
    };
    assert_eq!(attempt, 1);
    // The first delay is at least half of `initial` (20 ms).
    assert!(until >= before + Duration::from_millis(10));
    wait_state(&mut rx, LinkState::is_logged_in).await;
    assert_eq!(pass(&pool, 2, 8, in_ms(1000)).await, PassOutcome::Granted);
    assert_eq!(logins(&sim), 2);
    pool.shutdown().await;
}

#[tokio::test]
async fn a_server_that_drops_every_link_is_retried_with_growing_delays() {
    let sim = start_sim().await;
    // Each connection is closed right after its LOGIN is answered.
    sim.set_faults(Faults::none().with_drop_after(1));
    let pool = AcsPool::start(config(sim.addr()));
    let mut rx = pool.watch_links().remove(0);
    let started = Instant::now();
    let mut attempts = Vec::new();
    loop {
        let state = wait_state(&mut rx, |s| matches!(s, LinkState::Backoff { .. })).await;
        let LinkState::Backoff { attempt, .. } = state else {
            unreachable!()
        };
        if attempts.last() != Some(&attempt) {
            attempts.push(attempt);
        }
        if attempt >= 4 {
            break;
        }
        wait_state(&mut rx, |s| !matches!(s, LinkState::Backoff { .. })).await;
    }
    let elapsed = started.elapsed();
    assert!(attempts.windows(2).all(|w| w[0] < w[1]), "{attempts:?}");
    // Three backoffs of at least 10, 20 and 40 ms (equal jitter over 20, 40, 80 ms) came
    // before the fourth: the delays grow and nothing loops hot.
    assert!(elapsed >= Duration::from_millis(70), "{elapsed:?}");
    assert!(logins(&sim) <= 5, "{}", logins(&sim));
    pool.shutdown().await;
}

#[tokio::test]
async fn an_acs_that_is_down_at_start_gives_unavailable_then_grants_once_it_is_up() {
    // Reserve a port, then free it: nothing listens there.
    let probe = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = probe.local_addr().expect("addr");
    drop(probe);
    let pool = AcsPool::start(config(addr));

    let started = Instant::now();
    let deadline = in_ms(250);
    assert_eq!(pass(&pool, 1, 6, deadline).await, PassOutcome::Unavailable);
    // By the deadline at the latest (earlier once the backoff outlasts the deadline).
    let waited = started.elapsed();
    assert!(waited < Duration::from_millis(400), "{waited:?}");
    assert!(matches!(
        pool.state().links[0],
        LinkState::Backoff { .. } | LinkState::Connecting { .. }
    ));

    let sim = start_sim_on(addr).await;
    assert_eq!(pass(&pool, 1, 6, in_ms(2000)).await, PassOutcome::Granted);
    assert_eq!(sim.allow_passes().len(), 1);
    pool.shutdown().await;
}

#[tokio::test]
async fn replies_written_byte_by_byte_are_read_whole() {
    let sim = start_sim().await;
    sim.set_faults(Faults::none().with_byte_by_byte());
    let pool = ready_pool(config(sim.addr())).await;
    assert_eq!(pass(&pool, 1, 6, in_ms(1000)).await, PassOutcome::Granted);
    assert_eq!(pool.all_objects().await.expect("objects").len(), 3);
    assert_eq!(connections_seen(&sim).len(), 1);
    pool.shutdown().await;
}

#[tokio::test]
async fn coalesced_replies_are_matched_one_to_one() {
    let sim = start_sim().await;
    sim.set_faults(Faults::none().with_coalesce());
    let mut cfg = config(sim.addr());
    cfg.connections = 2;
    let pool = ready_pool(cfg).await;
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let pool = pool.clone();
            tokio::spawn(async move { pass(&pool, 1, 6 + i % 3, in_ms(2000)).await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.expect("task"), PassOutcome::Granted);
    }
    assert_eq!(sim.allow_passes().len(), 20);
    pool.shutdown().await;
}

#[tokio::test]
async fn the_idle_probe_sends_getaplist_on_a_quiet_link() {
    let sim = start_sim().await;
    let mut cfg = config(sim.addr());
    cfg.idle_probe = Some(Duration::from_millis(50));
    let pool = ready_pool(cfg).await;
    let seen = sim
        .wait_for_commands(3, Duration::from_secs(2))
        .await
        .expect("probes");
    assert!(seen[1..]
        .iter()
        .all(|r| r.command == Some(Command::GetApList)));
    assert!(pool.is_ready());
    pool.shutdown().await;
}

#[tokio::test]
async fn a_silent_probe_resets_the_link() {
    let sim = start_sim().await;
    sim.set_faults(Faults::none().with_silent(CommandKind::GetApList));
    let mut cfg = config(sim.addr());
    cfg.idle_probe = Some(Duration::from_millis(50));
    let pool = ready_pool(cfg).await;
    let mut rx = pool.watch_links().remove(0);
    let state = wait_state(&mut rx, |s| matches!(s, LinkState::Backoff { .. })).await;
    let LinkState::Backoff { reason, .. } = state else {
        unreachable!()
    };
    assert!(
        matches!(reason, acs_client::AcsError::Timeout),
        "{reason:?}"
    );
    pool.shutdown().await;
}

#[tokio::test]
async fn shutdown_says_exit_and_later_requests_are_not_sent() {
    let sim = start_sim().await;
    let pool = ready_pool(config(sim.addr())).await;
    pool.shutdown().await;
    assert_eq!(
        pass(&pool, 1, 6, in_ms(200)).await,
        PassOutcome::Unavailable
    );
    assert!(matches!(pool.state().links[0], LinkState::Closed));
    let seen = sim
        .wait_for_commands(2, Duration::from_secs(1))
        .await
        .expect("exit");
    assert_eq!(seen[1].command, Some(Command::Exit));
    assert!(sim.allow_passes().is_empty());
}
