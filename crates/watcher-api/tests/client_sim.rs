//! The client against the Watcher simulator (`sim::watcher`) over real sockets: login, session
//! loss, ensure twice, delivery to the notify URL, long-poll, cursor paging, restart mid-stream.
#![cfg(feature = "client")]

mod common;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{Reply, Scripted};
use futures_util::StreamExt;
use serde_json::json;
use sim::watcher::{PersonsFile, Recognition, WatcherSim, WatcherSimConfig, WatcherSimHandle};
use tokio::net::TcpListener;
use watcher_api::client::{EpisodeQuery, EpisodeStream, FaceMatch, NewSubscription, WatcherClient};
use watcher_api::payload::{parse_webhook, PersonId, PersonListId, Webhook};

const WORLD: &str = r#"{
  "person_lists": [{"id": 1, "name": "Employees"}, {"id": 3, "name": "Banned"}],
  "persons": [
    {"id": 135, "name": "Ivanov Ivan", "person_list_id": 1, "external_id": "6"},
    {"id": 136, "name": "Petrov Petr", "person_list_id": 1, "external_id": "7"},
    {"id": 200, "name": "Sidorov", "person_list_id": 3, "external_id": "8"}
  ],
  "cameras": [{"id": "entrance", "name": "Entrance"}, {"id": "exit", "name": "Exit"}],
  "users": [{"login": "admin", "password": "secret"}]
}"#;

fn config() -> WatcherSimConfig {
    WatcherSimConfig::new(PersonsFile::from_json(WORLD).expect("world parses"))
}

async fn start_sim() -> WatcherSimHandle {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    WatcherSim::start(config(), listener).expect("simulator starts")
}

fn client(sim: &WatcherSimHandle) -> WatcherClient {
    WatcherClient::builder(sim.base_url())
        .login("admin", "secret")
        .build()
        .expect("client")
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_millis() as u64
}

fn query() -> EpisodeQuery {
    EpisodeQuery {
        updated_at_gt: Some(now_ms().saturating_sub(60_000)),
        poll_timeout: Duration::from_secs(5),
        ..EpisodeQuery::default()
    }
}

async fn next(stream: &mut EpisodeStream) -> FaceMatch {
    let item = tokio::time::timeout(Duration::from_secs(5), stream.next()).await;
    match item
        .expect("a match within 5 s")
        .expect("the stream does not end")
    {
        Ok(m) => m,
        Err(e) => panic!("stream error: {e}"),
    }
}

#[tokio::test]
async fn login_then_cameras_and_subscriptions_are_listed() {
    let sim = start_sim().await;
    let watcher = client(&sim);
    let cameras = watcher.cameras().await.expect("cameras");
    let names: Vec<_> = cameras.iter().filter_map(|c| c.title.as_deref()).collect();
    assert_eq!(names, ["Entrance", "Exit"]);
    assert!(watcher
        .subscriptions()
        .list()
        .await
        .expect("list")
        .is_empty());
    let wrong = WatcherClient::builder(sim.base_url())
        .login("admin", "nope")
        .build()
        .expect("client");
    let err = wrong.cameras().await.expect_err("wrong password");
    assert_eq!(err.status(), Some(401));
}

#[tokio::test]
async fn a_lost_session_is_renewed_without_the_caller_noticing() {
    let sim = start_sim().await;
    let watcher = client(&sim);
    watcher.subscriptions().list().await.expect("first list");
    sim.invalidate_sessions();
    watcher
        .subscriptions()
        .list()
        .await
        .expect("list after the session was lost");
    watcher
        .person(PersonId(135))
        .await
        .expect("v3 token renewed too");
    sim.invalidate_sessions();
    let person = watcher
        .person(PersonId(135))
        .await
        .expect("person after tokens were lost");
    assert_eq!(person.external_id.as_deref(), Some("6"));
}

#[tokio::test]
async fn an_api_key_works_against_the_simulator() {
    let sim = start_sim().await;
    sim.set_api_key(Some("k3y".into()));
    let watcher = WatcherClient::builder(sim.base_url())
        .api_key("k3y")
        .build()
        .expect("client");
    assert_eq!(watcher.cameras().await.expect("cameras").len(), 2);
}

#[tokio::test]
async fn ensure_twice_registers_once_and_a_recognition_reaches_the_notify_url() {
    let sim = start_sim().await;
    let receiver = Scripted::start(|_| Reply::json(200, json!({"accepted": 1}))).await;
    let hook = format!("{}/watcher/events/t0ken", receiver.url());
    let watcher = client(&sim);
    let desired = [NewSubscription::person_list(1, hook.clone())];
    let first = watcher
        .subscriptions()
        .ensure(&desired)
        .await
        .expect("ensure");
    assert_eq!((first.created.len(), first.existing.len()), (1, 0));
    let second = watcher
        .subscriptions()
        .ensure(&desired)
        .await
        .expect("ensure again");
    assert_eq!((second.created.len(), second.existing.len()), (0, 1));
    assert_eq!(second.existing[0].id, first.created[0].id);
    assert_eq!(sim.subscriptions().len(), 1);

    let done = sim
        .recognize(Recognition::new(135, "entrance"))
        .await
        .expect("recognize");
    assert_eq!(done.deliveries.len(), 1);
    assert!(done.deliveries[0].is_success(), "{:?}", done.deliveries[0]);
    let posts: Vec<_> = receiver
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].path, "/watcher/events/t0ken");
    let Ok(Webhook::Push(push)) = parse_webhook(&posts[0].body) else {
        panic!("the simulator's delivery is not a push notification");
    };
    assert_eq!(push.person_id(), PersonId(135));
    assert_eq!(push.list_id(), Some(PersonListId(1)));
    assert!(push.event_time().is_some());

    watcher
        .subscriptions()
        .delete(&first.created[0].id)
        .await
        .expect("delete");
    assert!(sim.subscriptions().is_empty());
}

#[tokio::test]
async fn the_long_poll_receives_an_episode_created_while_it_waits() {
    let sim = start_sim().await;
    let mut stream = client(&sim).episodes(EpisodeQuery {
        updated_at_gt: Some(now_ms()),
        ..query()
    });
    let state = sim.state();
    let started = Instant::now();
    let later = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        state
            .recognize(Recognition::new(135, "entrance"))
            .await
            .expect("recognize");
    });
    let got = next(&mut stream).await;
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "the answer waited for the episode"
    );
    assert_eq!(got.person.person_id, PersonId(135));
    assert_eq!(got.person.external_id.as_deref(), Some("6"));
    assert_eq!(got.media.as_deref(), Some("entrance"));
    later.await.expect("recognizer");
}

#[tokio::test]
async fn cursor_paging_yields_every_episode_once_even_when_updated() {
    let sim = start_sim().await;
    let from = now_ms().saturating_sub(1);
    for (person, camera) in [
        (135, "entrance"),
        (136, "entrance"),
        (200, "exit"),
        (135, "entrance"),
    ] {
        sim.recognize(Recognition::new(person, camera))
            .await
            .expect("recognize");
    }
    let query = EpisodeQuery {
        updated_at_gt: Some(from),
        limit: Some(1),
        ..query()
    };
    let mut stream = client(&sim).episodes(query);
    let mut persons = Vec::new();
    for _ in 0..3 {
        persons.push(next(&mut stream).await.person.person_id.get());
    }
    persons.sort_unstable();
    assert_eq!(persons, [135, 136, 200]);
    // Seen again on the same camera: the episode is updated and re-sent, but not re-yielded.
    let again = sim
        .recognize(Recognition::new(136, "entrance"))
        .await
        .expect("recognize");
    let more = tokio::time::timeout(Duration::from_millis(500), stream.next()).await;
    assert!(
        more.is_err(),
        "the re-sent episode {} was dropped: {more:?}",
        again.episode_id
    );
}

#[tokio::test]
async fn the_stream_survives_a_simulator_restart_that_forgets_every_token() {
    let sim = start_sim().await;
    let addr = sim.addr();
    let mut stream = client(&sim).episodes(query());
    sim.recognize(Recognition::new(135, "entrance"))
        .await
        .expect("recognize");
    assert_eq!(next(&mut stream).await.person.person_id, PersonId(135));
    // The stream is now held in a long-poll; kill the server under it.
    let pending = tokio::spawn(async move {
        let m = next(&mut stream).await;
        (stream, m)
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    sim.shutdown().await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let listener = TcpListener::bind(addr).await.expect("rebind the same port");
    let fresh = WatcherSim::start(config(), listener).expect("restart");
    fresh
        .recognize(Recognition::new(136, "exit"))
        .await
        .expect("recognize after restart");
    let (_stream, m) = pending.await.expect("poller");
    assert_eq!(m.person.person_id, PersonId(136));
    assert_eq!(m.media.as_deref(), Some("exit"));
}

#[tokio::test]
async fn activity_events_can_be_polled_from_the_v2_events_list() {
    let sim = start_sim().await;
    sim.recognize(Recognition::new(135, "entrance"))
        .await
        .expect("recognize");
    let events = client(&sim).activity_events().await.expect("events");
    let face = events
        .iter()
        .find(|e| e.person_id() == Some(PersonId(135)))
        .expect("135's event");
    assert!(face.is_pass_request());
    assert_eq!(face.camera_id.as_deref(), Some("entrance"));
}
