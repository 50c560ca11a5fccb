//! Shared helpers of the Watcher simulator tests: a world, a started simulator, a webhook
//! receiver (a tiny hyper server on port 0) and a v2 login.

#![allow(dead_code)]

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use sim::watcher::{PersonsFile, User, WatcherSim, WatcherSimConfig, WatcherSimHandle};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

pub const USER: &str = "admin";
pub const PASSWORD: &str = "s3cret-pass";
pub const API_KEY: &str = "test-api-key-0123456789";

/// Lists 1 Employees, 3 Banned, 5 Contractors; persons 135 and 137 (list 1), 136 (list 3),
/// 140 (list 5); cameras entrance/Entrance and exit/Exit.
pub fn world() -> PersonsFile {
    let mut world = PersonsFile::from_json(
        r#"{"person_lists": [{"id": 1, "name": "Employees"}, {"id": 3, "name": "Banned"},
                             {"id": 5, "name": "Contractors"}],
            "persons": [
              {"id": 135, "name": "Ivanov Ivan", "person_list_id": 1, "external_id": "6"},
              {"id": 136, "name": "Petrov Petr", "person_list_id": 3, "external_id": "7"},
              {"id": 137, "name": "Sidorova Anna", "person_list_id": 1, "external_id": null},
              {"id": 140, "name": "Builder Bob", "person_list_id": 5, "external_id": "9"}],
            "cameras": [{"id": "entrance", "name": "Entrance"}, {"id": "exit", "name": "Exit"}],
            "users": []}"#,
    )
    .expect("test world parses");
    world.users.push(User::with_password(USER, PASSWORD));
    world
}

pub fn config() -> WatcherSimConfig {
    let mut config = WatcherSimConfig::new(world());
    config.api_key = Some(API_KEY.to_string());
    config
}

pub async fn start(config: WatcherSimConfig) -> WatcherSimHandle {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    WatcherSim::start(config, listener).expect("start")
}

/// A webhook receiver answering `status` and forwarding `(path, json body)`.
pub struct Receiver {
    pub url: String,
    pub rx: mpsc::UnboundedReceiver<(String, Value)>,
}

impl Receiver {
    pub async fn next(&mut self) -> (String, Value) {
        tokio::time::timeout(std::time::Duration::from_secs(5), self.rx.recv())
            .await
            .expect("a delivery within 5 s")
            .expect("receiver alive")
    }
}

pub async fn receiver(status: u16) -> Receiver {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind receiver");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(
                    move |req: hyper::Request<hyper::body::Incoming>| {
                        let tx = tx.clone();
                        async move {
                            let path = req.uri().path().to_string();
                            let body = req.into_body().collect().await.map(|b| b.to_bytes());
                            let value = body
                                .ok()
                                .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                                .unwrap_or(Value::Null);
                            let _ = tx.send((path, value));
                            let mut resp = hyper::Response::new(Full::new(Bytes::from("{}")));
                            *resp.status_mut() =
                                hyper::StatusCode::from_u16(status).expect("valid status");
                            Ok::<_, Infallible>(resp)
                        }
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Receiver { url, rx }
}

/// Logs in over v2 and returns the session.
pub async fn login_v2(client: &reqwest::Client, base: &str) -> String {
    let resp: Value = client
        .post(format!("{base}/vsaas/api/v2/auth/login"))
        .json(&serde_json::json!({"login": USER, "password": PASSWORD}))
        .send()
        .await
        .expect("login request")
        .json()
        .await
        .expect("login json");
    resp["session"]
        .as_str()
        .expect("session string")
        .to_string()
}

/// Registers a subscription with the API key; returns the created object.
pub async fn subscribe(
    client: &reqwest::Client,
    base: &str,
    event_type: &str,
    notification_type: &str,
    notify_url: &str,
) -> Value {
    let resp = client
        .post(format!("{base}/vsaas/api/v2/my/subscriptions"))
        .header("X-Vsaas-Api-Key", API_KEY)
        .json(&serde_json::json!({
            "event_type": event_type,
            "notification_type": notification_type,
            "notify_url": notify_url,
        }))
        .send()
        .await
        .expect("subscribe request");
    assert_eq!(resp.status(), 200);
    resp.json().await.expect("subscription json")
}
