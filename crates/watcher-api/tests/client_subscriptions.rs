//! v2 subscriptions against a scripted HTTP peer: ensure, create, delete.
#![cfg(feature = "client")]

mod common;

use std::sync::Mutex;
use std::time::Duration;

use common::{Reply, Scripted};
use serde_json::{json, Value};
use watcher_api::client::{NewSubscription, RetryPolicy, WatcherClient};

const SUBS: &str = "/vsaas/api/v2/my/subscriptions";

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        initial: Duration::from_millis(5),
        max: Duration::from_millis(20),
    }
}

fn subscription_server() -> impl Fn(&common::Recorded) -> Reply {
    let subs: Mutex<Vec<Value>> = Mutex::new(vec![json!({
        "id": 1, "event_type": "push_person_list", "notification_type": 1,
        "notify_url": "http://bridge/hook"
    })]);
    move |r| {
        let mut subs = subs.lock().expect("subs");
        match (r.method.as_str(), r.path.as_str()) {
            ("GET", SUBS) => Reply::json(200, Value::Array(subs.clone())),
            ("POST", SUBS) => {
                let mut sub = r.json();
                sub["id"] = json!(subs.len() + 1);
                subs.push(sub.clone());
                Reply::json(200, sub)
            }
            _ => Reply::json(404, json!({})),
        }
    }
}

#[tokio::test]
async fn ensure_creates_only_what_is_missing_and_twice_creates_nothing() {
    let server = Scripted::start(subscription_server()).await;
    let watcher = WatcherClient::builder(server.url())
        .api_key("k")
        .build()
        .expect("client");
    let desired = [
        NewSubscription::person_list(1, "http://bridge/hook"),
        NewSubscription::person_list(3, "http://bridge/hook"),
        NewSubscription::person_list(3, "http://bridge/hook"),
        NewSubscription {
            event_type: "push_person_single".into(),
            notification_type: "135".into(),
            notify_url: "http://bridge/hook".into(),
        },
    ];
    let first = watcher
        .subscriptions()
        .ensure(&desired)
        .await
        .expect("ensure");
    assert_eq!(
        first.existing.len(),
        1,
        "list 1 existed with a numeric notification_type"
    );
    assert_eq!(first.created.len(), 2, "list 3 once, person 135 once");
    assert_eq!(first.created[0].notification_type.as_deref(), Some("3"));
    let second = watcher
        .subscriptions()
        .ensure(&desired)
        .await
        .expect("ensure again");
    assert!(second.created.is_empty());
    assert_eq!(second.existing.len(), 3);
    assert_eq!(server.count("POST", SUBS), 2);
    let listed = watcher.subscriptions().list().await.expect("list");
    assert_eq!(listed.len(), 3);
    let posted = server
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .expect("a POST");
    assert_eq!(
        posted.json(),
        json!({"event_type": "push_person_list", "notification_type": "3", "notify_url": "http://bridge/hook"})
    );
}

#[tokio::test]
async fn create_and_delete_are_never_retried_on_a_server_error() {
    let server = Scripted::start(|_| Reply::json(503, json!({"error": "busy"}))).await;
    let watcher = WatcherClient::builder(server.url())
        .api_key("k")
        .retry(fast_retry())
        .build()
        .expect("client");
    let err = watcher
        .subscriptions()
        .create(&NewSubscription::person_list(1, "http://bridge/hook"))
        .await
        .expect_err("503");
    assert!(err.is_retryable(), "the caller may decide to retry");
    assert_eq!(err.status(), Some(503));
    watcher.subscriptions().delete("7").await.expect_err("503");
    assert_eq!(server.count("POST", SUBS), 1);
    assert_eq!(server.count("DELETE", &format!("{SUBS}/7")), 1);
}

#[tokio::test]
async fn delete_percent_encodes_the_id_into_one_path_segment() {
    let server = Scripted::start(|_| Reply::raw(204, "")).await;
    let watcher = WatcherClient::builder(server.url())
        .api_key("k")
        .build()
        .expect("client");
    watcher
        .subscriptions()
        .delete("a/b c")
        .await
        .expect("deleted");
    assert_eq!(server.requests()[0].path, format!("{SUBS}/a%2Fb%20c"));
}
