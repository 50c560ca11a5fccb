//! The v2 client against a scripted HTTP peer: login, re-login, API key, subscriptions, cameras,
//! retries, limits and redaction.
#![cfg(feature = "client")]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{Reply, Scripted};
use serde_json::{json, Value};
use watcher_api::client::{ClientError, RetryPolicy, WatcherClient};

const LOGIN: &str = "/vsaas/api/v2/auth/login";
const SUBS: &str = "/vsaas/api/v2/my/subscriptions";

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        initial: Duration::from_millis(5),
        max: Duration::from_millis(20),
    }
}

fn client(url: &str) -> WatcherClient {
    WatcherClient::builder(url)
        .login("admin", "pa55word")
        .retry(fast_retry())
        .build()
        .expect("client builds")
}

/// A Watcher whose sessions are numbered; only the newest one is accepted, and `revoke` makes
/// it refuse every session until the next login.
fn session_server(revoke_after_first_get: bool) -> impl Fn(&common::Recorded) -> Reply {
    let logins = AtomicUsize::new(0);
    let gets = AtomicUsize::new(0);
    move |r| {
        if r.path == LOGIN {
            let body = r.json();
            if body != json!({"login": "admin", "password": "pa55word"}) {
                return Reply::json(401, json!({"error": "bad login"}));
            }
            let n = logins.fetch_add(1, Ordering::SeqCst) + 1;
            return Reply::json(200, json!({"session": format!("s{n}")}));
        }
        let current = format!("s{}", logins.load(Ordering::SeqCst));
        let get = gets.fetch_add(1, Ordering::SeqCst);
        let revoked = revoke_after_first_get && get == 1;
        if r.header("x-vsaas-session") != Some(current.as_str()) || revoked {
            return Reply::json(401, json!({"error": "session expired"}));
        }
        Reply::json(200, json!([]))
    }
}

#[tokio::test]
async fn login_posts_json_credentials_and_later_calls_carry_the_session() {
    let server = Scripted::start(session_server(false)).await;
    let watcher = client(&server.url());
    assert_eq!(watcher.subscriptions().list().await.expect("list"), vec![]);
    assert_eq!(watcher.subscriptions().list().await.expect("list"), vec![]);
    assert_eq!(server.count("POST", LOGIN), 1, "the session is reused");
    let gets: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path == SUBS)
        .collect();
    assert!(gets
        .iter()
        .all(|r| r.header("x-vsaas-session") == Some("s1")));
    assert!(gets.iter().all(|r| r
        .header("user-agent")
        .is_some_and(|ua| ua.starts_with("facegate"))));
}

#[tokio::test]
async fn a_refused_session_triggers_one_relogin_and_the_request_is_replayed() {
    let server = Scripted::start(session_server(true)).await;
    let watcher = client(&server.url());
    watcher.subscriptions().list().await.expect("first list");
    watcher
        .subscriptions()
        .list()
        .await
        .expect("second list survives the lost session");
    assert_eq!(server.count("POST", LOGIN), 2);
    let last = server.requests().into_iter().last().expect("requests");
    assert_eq!(last.header("x-vsaas-session"), Some("s2"));
}

#[tokio::test]
async fn a_persistent_refusal_is_reported_after_exactly_one_relogin() {
    let server = Scripted::start(|r| {
        if r.path == LOGIN {
            Reply::json(200, json!({"session": "s"}))
        } else {
            Reply::json(403, json!({"error": "forbidden"}))
        }
    })
    .await;
    let err = client(&server.url())
        .subscriptions()
        .list()
        .await
        .expect_err("refused");
    assert!(
        matches!(err, ClientError::Unauthorized { status: 403, .. }),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert_eq!(server.count("POST", LOGIN), 2);
    assert_eq!(server.count("GET", SUBS), 2);
}

#[tokio::test]
async fn a_wrong_password_is_unauthorized_and_never_echoed() {
    let server =
        Scripted::start(|_| Reply::json(401, json!({"error": "invalid login or password"}))).await;
    let watcher = client(&server.url());
    let err = watcher.cameras().await.expect_err("bad password");
    assert!(
        matches!(err, ClientError::Unauthorized { status: 401, .. }),
        "{err:?}"
    );
    for text in [err.to_string(), format!("{err:?}"), format!("{watcher:?}")] {
        assert!(!text.contains("pa55word"), "secret leaked: {text}");
    }
}

#[tokio::test]
async fn an_api_key_is_sent_as_a_header_and_never_triggers_a_login() {
    let server = Scripted::start(|r| match r.header("x-vsaas-api-key") {
        Some("k3y") => Reply::json(
            200,
            json!([{"id": "entrance", "name": "entrance", "title": "Entrance"}]),
        ),
        _ => Reply::json(401, json!({})),
    })
    .await;
    let good = WatcherClient::builder(server.url())
        .api_key("k3y")
        .build()
        .expect("client");
    let cams = good.cameras().await.expect("cameras");
    assert_eq!(cams[0].title.as_deref(), Some("Entrance"));
    let bad = WatcherClient::builder(server.url())
        .api_key("wrong")
        .build()
        .expect("client");
    let err = bad.cameras().await.expect_err("refused");
    assert!(matches!(err, ClientError::Unauthorized { status: 401, .. }));
    assert_eq!(server.count("POST", LOGIN), 0);
    assert!(
        !format!("{bad:?}").contains("wrong"),
        "api key redacted in Debug"
    );
}

/// A Watcher with a real subscription collection (ids are numbers, notification types strings).
#[tokio::test]
async fn gets_are_retried_with_backoff_until_they_succeed() {
    let calls = AtomicUsize::new(0);
    let server = Scripted::start(move |_| {
        if calls.fetch_add(1, Ordering::SeqCst) < 2 {
            Reply::raw(502, "bad gateway")
        } else {
            Reply::json(200, json!([]))
        }
    })
    .await;
    let watcher = WatcherClient::builder(server.url())
        .api_key("k")
        .retry(fast_retry())
        .build()
        .expect("client");
    assert!(watcher
        .subscriptions()
        .list()
        .await
        .expect("third try works")
        .is_empty());
    assert_eq!(server.count("GET", SUBS), 3);
}

#[tokio::test]
async fn gets_give_up_after_max_attempts_with_the_last_error() {
    let server = Scripted::start(|_| Reply::raw(500, "boom\n\u{1b}[31m")).await;
    let watcher = WatcherClient::builder(server.url())
        .api_key("k")
        .retry(fast_retry())
        .build()
        .expect("client");
    let err = watcher.cameras().await.expect_err("always 500");
    assert_eq!(
        err.to_string(),
        "Watcher answered HTTP 500 to list cameras: boom[31m"
    );
    assert_eq!(server.count("GET", "/vsaas/api/v2/cameras"), 3);
}

#[tokio::test]
async fn cameras_are_fetched_page_by_page_with_limit_and_offset() {
    let server = Scripted::start(|r| {
        let limit: usize = r.param("limit").and_then(|v| v.parse().ok()).unwrap_or(100);
        let offset: usize = r.param("offset").and_then(|v| v.parse().ok()).unwrap_or(0);
        let cams: Vec<Value> = (offset..250.min(offset + limit))
            .map(|i| json!({"name": format!("cam{i}")}))
            .collect();
        Reply::json(200, Value::Array(cams))
    })
    .await;
    let watcher = WatcherClient::builder(server.url())
        .api_key("k")
        .build()
        .expect("client");
    let cams = watcher.cameras().await.expect("cameras");
    assert_eq!(cams.len(), 250);
    assert_eq!(cams[249].name.as_deref(), Some("cam249"));
    let offsets: Vec<String> = server
        .requests()
        .iter()
        .filter_map(|r| r.param("offset").map(str::to_owned))
        .collect();
    assert_eq!(offsets, ["0", "100", "200"]);
}

#[tokio::test]
async fn a_server_that_ignores_offset_does_not_make_the_listing_loop() {
    let server = Scripted::start(|_| {
        Reply::json(
            200,
            Value::Array((0..100).map(|i| json!({"name": i})).collect()),
        )
    })
    .await;
    let watcher = WatcherClient::builder(server.url())
        .api_key("k")
        .build()
        .expect("client");
    assert_eq!(watcher.cameras().await.expect("cameras").len(), 100);
    assert_eq!(server.count("GET", "/vsaas/api/v2/cameras"), 2);
}

#[tokio::test]
async fn an_oversized_answer_is_refused_not_buffered() {
    let server =
        Scripted::start(|_| Reply::raw(200, &format!("[{}]", "1,".repeat(5000) + "1"))).await;
    let watcher = WatcherClient::builder(server.url())
        .api_key("k")
        .max_response_bytes(1000)
        .build()
        .expect("client");
    let err = watcher.subscriptions().list().await.expect_err("too large");
    assert!(
        matches!(err, ClientError::TooLarge { limit: 1000, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_answer_of_the_wrong_shape_names_the_json_path() {
    let server = Scripted::start(|_| Reply::json(200, json!([{"id": 1, "event_type": {}}]))).await;
    let watcher = WatcherClient::builder(server.url())
        .api_key("k")
        .build()
        .expect("client");
    let err = watcher.subscriptions().list().await.expect_err("bad shape");
    assert_eq!(
        err.to_string(),
        "unexpected answer to list subscriptions: [0].event_type: expected a string or number, found an object"
    );
}

#[tokio::test]
async fn an_unreachable_watcher_is_a_retryable_transport_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let watcher = WatcherClient::builder(format!("http://{addr}"))
        .login("admin", "pa55word")
        .retry(fast_retry())
        .build()
        .expect("client");
    let err = watcher
        .subscriptions()
        .list()
        .await
        .expect_err("nobody listens");
    assert!(matches!(err, ClientError::Transport { .. }), "{err:?}");
    assert!(err.is_retryable());
    assert!(!err.to_string().contains("pa55word"));
}

#[test]
fn bad_base_urls_are_refused_at_build_time() {
    for url in [
        "not a url",
        "ftp://watcher",
        "http://admin:pw@watcher",
        "http://watcher/?x=1",
    ] {
        let err = WatcherClient::builder(url).build().expect_err(url);
        assert!(matches!(err, ClientError::Config(_)), "{url}: {err:?}");
        assert!(!err.to_string().contains(":pw@"), "{err}");
    }
    let ok = WatcherClient::builder("http://watcher:8080/")
        .build()
        .expect("builds");
    assert_eq!(ok.base_url(), "http://watcher:8080");
}

#[test]
fn credentials_are_redacted_in_debug_output() {
    let builder = WatcherClient::builder("http://w").login("admin", "hunter2");
    let text = format!("{builder:?}");
    assert!(
        text.contains("admin") && !text.contains("hunter2"),
        "{text}"
    );
    let text = format!(
        "{:?}",
        WatcherClient::builder("http://w").api_key("k3y-value")
    );
    assert!(!text.contains("k3y-value"), "{text}");
}

#[tokio::test]
async fn sessions_and_tokens_never_show_in_debug_output() {
    let server = Scripted::start(|r| match r.path.as_str() {
        LOGIN => Reply::json(200, json!({"session": "sess-0123456789abcdef"})),
        "/watcher/client-api/v3/login" => {
            Reply::json(200, json!({"access_token": "tok-0123456789abcdef", "refresh_token": "ref-0123456789abcdef"}))
        }
        "/watcher/client-api/v3/persons" => Reply::json(200, json!({"persons": []})),
        _ => Reply::json(200, json!([])),
    })
    .await;
    let watcher = client(&server.url());
    watcher.subscriptions().list().await.expect("v2 call");
    watcher.persons_page(None, None).await.expect("v3 call");
    let text = format!("{watcher:?}");
    for secret in [
        "sess-0123456789abcdef",
        "tok-0123456789abcdef",
        "ref-0123456789abcdef",
        "pa55word",
    ] {
        assert!(!text.contains(secret), "{secret} leaked in {text}");
    }
}
