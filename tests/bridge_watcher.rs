//! End-to-end with the Watcher simulator: push-mode subscriptions ensured through the real
//! `watcher-api` client, recognitions delivered by the simulator, and a Watcher that is down
//! when the bridge starts.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{acs_sim, allowpasses, Harness, Setup, TOKEN};
use facegate::sim::watcher::{PersonsFile, Recognition, WatcherSim, WatcherSimConfig};

const WATCHER_KEY: &str = "watcher-api-key-for-tests";

fn persons() -> PersonsFile {
    PersonsFile::from_json(
        r#"{"person_lists": [{"id": 1, "name": "Employees"}],
            "persons": [{"id": 135, "name": "Ivanov Ivan", "person_list_id": 1}],
            "cameras": [{"id": "entrance", "name": "Entrance"}]}"#,
    )
    .expect("persons file")
}

fn free_port() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr")
}

fn watcher_section(watcher: SocketAddr, ingest: SocketAddr) -> String {
    format!(
        r#"
[watcher]
url = "http://{watcher}"
api_key = "{WATCHER_KEY}"
mode = "push"
public_url = "http://{ingest}/"

[[watcher.subscribe]]
event_type = "push_person_list"
notification_type = "1"
"#
    )
}

async fn start_watcher(addr: SocketAddr) -> facegate::sim::watcher::WatcherSimHandle {
    let mut config = WatcherSimConfig::new(persons());
    config.api_key = Some(WATCHER_KEY.to_owned());
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .expect("bind watcher");
    WatcherSim::start(config, listener).expect("watcher sim")
}

async fn wait_for_subscriptions(w: &facegate::sim::watcher::WatcherSimHandle, n: usize) {
    for _ in 0..200 {
        if w.subscriptions().len() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("subscriptions never registered");
}

#[tokio::test]
async fn the_bridge_registers_its_subscription_and_a_recognition_opens_the_door() {
    let acs = acs_sim().await;
    let watcher_addr = free_port();
    let watcher = start_watcher(watcher_addr).await;
    let ingest = free_port();
    let mut setup = Setup::new(acs.addr().to_string());
    setup.ingest_listen = ingest.to_string();
    setup.extra = watcher_section(watcher_addr, ingest);
    let mut h = Harness::start(setup).await;
    h.wait_ready(200).await;
    wait_for_subscriptions(&watcher, 1).await;
    let subs = watcher.subscriptions();
    assert_eq!(subs.len(), 1);
    let expected_url = format!("http://{ingest}/watcher/events/{TOKEN}");
    assert_eq!(
        subs[0].notify_url, expected_url,
        "no doubled slash, token in the path"
    );

    let recognized = watcher
        .recognize(Recognition::new(135, "entrance"))
        .await
        .expect("recognition");
    assert!(recognized.deliveries.iter().all(|d| d.is_success()));
    assert_eq!(h.next().await.outcome, "granted");
    assert_eq!(allowpasses(&acs), 1);
    h.stop().await;
}

#[tokio::test]
async fn a_watcher_down_at_start_is_retried_and_ingest_works_meanwhile() {
    let acs = acs_sim().await;
    let watcher_addr = free_port();
    let ingest = free_port();
    let mut setup = Setup::new(acs.addr().to_string());
    setup.ingest_listen = ingest.to_string();
    setup.extra = watcher_section(watcher_addr, ingest);
    let mut h = Harness::start(setup).await;
    h.wait_ready(200).await;
    // Watcher is down, but webhooks are served.
    assert_eq!(
        h.outcome_of(common::push_now(135, "entrance"))
            .await
            .outcome,
        "granted"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let watcher = start_watcher(watcher_addr).await;
    wait_for_subscriptions(&watcher, 1).await;
    // Ensured once, never duplicated.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(watcher.subscriptions().len(), 1);
    h.stop().await;
}

fn poll_section(watcher: SocketAddr) -> String {
    format!(
        r#"
[watcher]
url = "http://{watcher}"
login = "admin"
password = "watcher-pw"
mode = "poll"
"#
    )
}

#[tokio::test]
async fn poll_mode_turns_v3_face_episodes_into_passes_and_applies_min_score() {
    let acs = acs_sim().await;
    let watcher_addr = free_port();
    let mut world = persons();
    world
        .users
        .push(facegate::sim::watcher::User::with_password(
            "admin",
            "watcher-pw",
        ));
    let mut config = WatcherSimConfig::new(world);
    // Every recognition its own episode (by default the simulator merges a face's sightings).
    config.episode_merge_window = Duration::from_millis(1);
    let listener = tokio::net::TcpListener::bind(watcher_addr)
        .await
        .expect("bind");
    let watcher = WatcherSim::start(config, listener).expect("watcher sim");
    let mut setup = Setup::new(acs.addr().to_string());
    setup.extra = poll_section(watcher_addr);
    let mut h = Harness::start(setup).await;
    h.wait_ready(200).await;
    // Let the first long-poll reach the simulator.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let mut weak = Recognition::new(135, "entrance");
    weak.score = Some(0.3);
    watcher.recognize(weak).await.expect("recognition");
    assert_eq!(h.next().await.outcome, "low_score");

    // A second later: a new episode (within the clock skew, so not `future`).
    let mut strong = Recognition::new(135, "entrance");
    strong.score = Some(0.99);
    strong.at = Some(common::now_secs() + 1);
    watcher.recognize(strong).await.expect("recognition");
    let seen = h.next().await;
    assert_eq!(seen.outcome, "granted", "{seen:?}");
    assert_eq!(allowpasses(&acs), 1);
    h.stop().await;
}

#[tokio::test]
async fn a_restart_in_poll_mode_does_not_replay_a_handled_episode() {
    let acs = acs_sim().await;
    let watcher_addr = free_port();
    let mut world = persons();
    world
        .users
        .push(facegate::sim::watcher::User::with_password(
            "admin",
            "watcher-pw",
        ));
    let listener = tokio::net::TcpListener::bind(watcher_addr)
        .await
        .expect("bind");
    let watcher = WatcherSim::start(WatcherSimConfig::new(world), listener).expect("watcher sim");
    let mut setup = Setup::new(acs.addr().to_string());
    setup.extra = poll_section(watcher_addr);
    let mut h = Harness::start(setup.clone()).await;
    h.wait_ready(200).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    watcher
        .recognize(Recognition::new(135, "entrance"))
        .await
        .expect("recognition");
    assert_eq!(h.next().await.outcome, "granted");
    let (_, dir) = h.stop().await;

    // The new process polls from `now - (max_event_age + clock_skew)`, so Watcher hands the
    // same episode over again: the journal-rebuilt state must call it a duplicate.
    let mut again = Harness::start_in(setup, dir).await;
    again.wait_ready(200).await;
    let seen = again.next().await;
    assert_eq!(seen.outcome, "duplicate", "{seen:?}");
    assert_eq!(allowpasses(&acs), 1, "one door opening for one episode");
    let (rows, _) = again.stop().await;
    let granted = rows.iter().filter(|r| r.outcome == "granted").count();
    assert_eq!(granted, 1, "the journal holds exactly one grant");
}
