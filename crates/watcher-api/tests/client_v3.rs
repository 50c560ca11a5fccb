//! The v3 client against a scripted HTTP peer: Basic login, bearer renewal, the episode stream's
//! cursors, de-duplication, fallbacks and restarts.
#![cfg(feature = "client")]

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{Recorded, Reply, Scripted};
use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use watcher_api::client::{ClientError, EpisodeQuery, FaceMatch, RetryPolicy, WatcherClient};
use watcher_api::payload::{EpisodeId, PersonId};

const LOGIN: &str = "/watcher/client-api/v3/login";
const EPISODES: &str = "/watcher/client-api/v3/episodes";
/// `admin:pw` in Base64.
const BASIC: &str = "Basic YWRtaW46cHc=";

fn client(url: &str) -> WatcherClient {
    WatcherClient::builder(url)
        .login("admin", "pw")
        .retry(RetryPolicy {
            max_attempts: 3,
            initial: Duration::from_millis(10),
            max: Duration::from_millis(50),
        })
        .build()
        .expect("client builds")
}

fn episode(id: u64, updated_at: u64, persons: &[u64]) -> Value {
    let matched: Vec<Value> = persons
        .iter()
        .map(|p| json!({"person": {"person_id": p, "external_id": p.to_string()}, "match_score": 0.9}))
        .collect();
    json!({"episode_id": id, "episode_type": "face", "media": "entrance", "opened_at": 1,
           "updated_at": updated_at, "matched_persons": matched})
}

fn pairs(matches: &[FaceMatch]) -> Vec<(u64, u64)> {
    matches
        .iter()
        .map(|m| (m.episode_id.get(), m.person.person_id.get()))
        .collect()
}

fn query() -> EpisodeQuery {
    EpisodeQuery {
        poll_timeout: Duration::from_secs(1),
        ..EpisodeQuery::default()
    }
}

async fn take(stream: &mut watcher_api::client::EpisodeStream, n: usize) -> Vec<FaceMatch> {
    let mut out = Vec::new();
    while out.len() < n {
        let next = tokio::time::timeout(Duration::from_secs(5), stream.next()).await;
        match next
            .expect("stream item within 5 s")
            .expect("stream never ends")
        {
            Ok(m) => out.push(m),
            Err(e) => panic!("unexpected stream error: {e}"),
        }
    }
    out
}

/// Answers a Basic login with token `t<n>`; accepts only `Bearer t<n>` for the newest `n`.
fn token_check(logins: &AtomicUsize, r: &Recorded) -> Option<Reply> {
    if r.path == LOGIN {
        if r.header("authorization") != Some(BASIC) {
            return Some(Reply::json(401, json!({"error": "bad credentials"})));
        }
        let n = logins.fetch_add(1, Ordering::SeqCst) + 1;
        return Some(Reply::json(
            200,
            json!({"access_token": format!("t{n}"), "refresh_token": "r"}),
        ));
    }
    let want = format!("Bearer t{}", logins.load(Ordering::SeqCst));
    (r.header("authorization") != Some(want.as_str())).then(|| Reply::json(401, json!({})))
}

#[tokio::test]
async fn login_uses_http_basic_and_later_calls_a_bearer_token() {
    let logins = AtomicUsize::new(0);
    let server = Scripted::start(move |r| {
        token_check(&logins, r).unwrap_or_else(|| {
            Reply::json(
                200,
                json!({"person_id": 7036001172460666975u64, "name": "Ivanov Ivan"}),
            )
        })
    })
    .await;
    let watcher = client(&server.url());
    let person = watcher
        .person(PersonId(7_036_001_172_460_666_975))
        .await
        .expect("person");
    assert_eq!(person.name.as_deref(), Some("Ivanov Ivan"));
    watcher.person(PersonId(1)).await.expect("second call");
    assert_eq!(server.count("POST", LOGIN), 1);
    let gets: Vec<Recorded> = server
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET")
        .collect();
    assert_eq!(
        gets[0].path,
        "/watcher/client-api/v3/persons/7036001172460666975"
    );
    assert!(gets
        .iter()
        .all(|r| r.header("authorization") == Some("Bearer t1")));
}

#[tokio::test]
async fn the_token_is_refreshed_shortly_before_it_expires() {
    let refreshed = Arc::new(Mutex::new(Vec::new()));
    let seen = refreshed.clone();
    let server = Scripted::start(move |r| {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock")
            .as_millis() as u64;
        if r.path == LOGIN {
            let body = r.json();
            let token = if let Some(refresh) = body.get("refresh_token") {
                seen.lock().expect("log").push(refresh.clone());
                "fresh"
            } else {
                "first"
            };
            return Reply::json(
                200,
                json!({"access_token": token, "refresh_token": "r1", "expires_at": now_ms + 400}),
            );
        }
        Reply::json(200, json!({"persons": [], "next": null}))
    })
    .await;
    let watcher = client(&server.url());
    watcher
        .persons_page(Some(10), None)
        .await
        .expect("first page");
    tokio::time::sleep(Duration::from_millis(350)).await;
    watcher
        .persons_page(Some(10), None)
        .await
        .expect("second page");
    assert_eq!(*refreshed.lock().expect("log"), vec![json!("r1")]);
    let gets: Vec<Recorded> = server
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET")
        .collect();
    assert_eq!(gets[0].header("authorization"), Some("Bearer first"));
    assert_eq!(gets[1].header("authorization"), Some("Bearer fresh"));
    assert_eq!(gets[0].param("limit"), Some("10"));
}

#[tokio::test]
async fn an_api_key_cannot_be_used_for_v3() {
    let watcher = WatcherClient::builder("http://127.0.0.1:9")
        .api_key("k")
        .build()
        .expect("client");
    let err = watcher
        .person(PersonId(1))
        .await
        .expect_err("v3 needs a login");
    assert!(matches!(err, ClientError::MissingCredentials(_)), "{err:?}");
}

#[tokio::test]
async fn the_stream_follows_cursors_then_long_polls_from_the_watermark_yielding_each_pair_once() {
    let logins = AtomicUsize::new(0);
    let server = Scripted::start(move |r| {
        if let Some(reply) = token_check(&logins, r) {
            return reply;
        }
        assert_eq!(r.param("episode_type"), Some("face"));
        match (r.param("cursor"), r.param("updated_at_gt")) {
            (None, None) => Reply::json(200, json!({"episodes": [episode(1, 100, &[11, 12])], "next": "c1"})),
            // The update of episode 1 repeats both persons and adds a third.
            (Some("c1"), None) => Reply::json(200, json!({
                "episodes": [episode(2, 150, &[21]), episode(1, 200, &[11, 12, 13])], "next": null})),
            (None, Some("200")) => Reply::json(200, json!({"episodes": [episode(3, 300, &[31])], "next": null})),
            _ => Reply { delay: Duration::from_millis(200), ..Reply::json(200, json!({"episodes": [], "next": null})) },
        }
    })
    .await;
    let mut stream = client(&server.url()).episodes(query());
    let got = take(&mut stream, 5).await;
    assert_eq!(pairs(&got), [(1, 11), (1, 12), (2, 21), (1, 13), (3, 31)]);
    assert_eq!(got[0].episode_id, EpisodeId(1));
    assert_eq!(got[0].media.as_deref(), Some("entrance"));
    assert_eq!(got[3].rank, 2);
    let polls: Vec<Recorded> = server
        .requests()
        .into_iter()
        .filter(|r| r.path == EPISODES)
        .collect();
    assert_eq!(polls[0].param("poll_timeout"), Some("1"));
    assert_eq!(polls[0].param("limit"), Some("100"));
    assert_eq!(polls[1].param("cursor"), Some("c1"));
    assert_eq!(
        polls[1].param("poll_timeout"),
        None,
        "a cursor page is not held"
    );
    assert_eq!(polls[2].param("updated_at_gt"), Some("200"));
}

#[tokio::test]
async fn a_refused_cursor_falls_back_to_polling_from_the_watermark() {
    let server = Scripted::start(|r| {
        if r.path == LOGIN {
            return Reply::json(200, json!({"access_token": "t"}));
        }
        match (r.param("cursor"), r.param("updated_at_gt")) {
            (None, None) => Reply::json(
                200,
                json!({"episodes": [episode(1, 100, &[11])], "next": "old"}),
            ),
            (Some(_), _) => Reply::json(
                400,
                json!({"error": "cursor: not a cursor this server issued"}),
            ),
            (None, Some("100")) => Reply::json(
                200,
                json!({"episodes": [episode(2, 101, &[21])], "next": null}),
            ),
            _ => Reply {
                delay: Duration::from_millis(200),
                ..Reply::json(200, json!({"episodes": []}))
            },
        }
    })
    .await;
    let mut stream = client(&server.url()).episodes(query());
    assert_eq!(pairs(&take(&mut stream, 2).await), [(1, 11), (2, 21)]);
}

#[tokio::test]
async fn a_refused_token_during_polling_logs_in_again_and_polling_goes_on() {
    let logins = Arc::new(AtomicUsize::new(0));
    let forget = Arc::new(AtomicBool::new(false));
    let (l, f) = (logins.clone(), forget.clone());
    let server = Scripted::start(move |r| {
        if f.swap(false, Ordering::SeqCst) && r.path == EPISODES {
            return Reply::json(401, json!({}));
        }
        if let Some(reply) = token_check(&l, r) {
            return reply;
        }
        let gt: u64 = r
            .param("updated_at_gt")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        Reply::json(
            200,
            json!({"episodes": [episode(gt + 1, gt + 1, &[5])], "next": null}),
        )
    })
    .await;
    let mut stream = client(&server.url()).episodes(query());
    take(&mut stream, 1).await;
    forget.store(true, Ordering::SeqCst);
    assert_eq!(pairs(&take(&mut stream, 2).await), [(2, 5), (3, 5)]);
    assert_eq!(logins.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn transient_server_errors_do_not_end_the_stream() {
    let calls = AtomicUsize::new(0);
    let server = Scripted::start(move |r| {
        if r.path == LOGIN {
            return Reply::json(200, json!({"access_token": "t"}));
        }
        match calls.fetch_add(1, Ordering::SeqCst) {
            0..=2 => Reply::raw(503, "restarting"),
            3 => Reply::raw(200, "<html>proxy error</html>"),
            4 => Reply::json(200, json!({"episodes": [episode(9, 9, &[1])]})),
            _ => Reply {
                delay: Duration::from_millis(200),
                ..Reply::json(200, json!({"episodes": []}))
            },
        }
    })
    .await;
    let mut stream = client(&server.url()).episodes(query());
    let first = tokio::time::timeout(Duration::from_secs(5), stream.next())
        .await
        .expect("in time");
    let err = first
        .expect("item")
        .expect_err("a body that is not JSON is reported");
    assert!(matches!(err, ClientError::Decode { .. }), "{err:?}");
    assert_eq!(pairs(&take(&mut stream, 1).await), [(9, 1)]);
}

#[tokio::test]
async fn the_stream_survives_a_server_restart_on_the_same_port() {
    let logins = Arc::new(AtomicUsize::new(0));
    let handler = {
        let logins = logins.clone();
        move |r: &Recorded| {
            if let Some(reply) = token_check(&logins, r) {
                return reply;
            }
            match r.param("updated_at_gt") {
                None => Reply::json(
                    200,
                    json!({"episodes": [episode(1, 100, &[11])], "next": null}),
                ),
                // Before the restart the head of the stream is held (the restart cuts it).
                Some("100") if logins.load(Ordering::SeqCst) == 1 => Reply {
                    delay: Duration::from_secs(5),
                    ..Reply::json(200, json!({"episodes": []}))
                },
                Some("100") => Reply::json(200, json!({"episodes": [episode(2, 101, &[22])]})),
                _ => Reply {
                    delay: Duration::from_millis(200),
                    ..Reply::json(200, json!({"episodes": []}))
                },
            }
        }
    };
    let handler: common::Handler = Arc::new(handler);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let log = Arc::new(Mutex::new(Vec::new()));
    let server = Scripted::on(listener, handler.clone(), log.clone());
    let mut stream = client(&server.url()).episodes(query());
    assert_eq!(pairs(&take(&mut stream, 1).await), [(1, 11)]);
    let pending = tokio::spawn(async move {
        let got = take(&mut stream, 1).await;
        (stream, got)
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    server.stop().await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    // The new process has forgotten every token: the client must log in again.
    logins.fetch_add(1, Ordering::SeqCst);
    let restarted = Scripted::on(TcpListener::bind(addr).await.expect("rebind"), handler, log);
    let (_stream, got) = pending.await.expect("poller task");
    assert_eq!(pairs(&got), [(2, 22)]);
    assert!(
        restarted.count("POST", LOGIN) >= 2,
        "logged in again after the restart"
    );
}
