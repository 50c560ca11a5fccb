//! The Watcher simulator over real sockets: v2 auth, subscriptions, persons file, bounds.

mod watcher_support;

use serde_json::{json, Value};
use sim::watcher::EventType;
use watcher_support::*;

#[tokio::test]
async fn v2_calls_without_credentials_are_refused_with_401() {
    let sim = start(config()).await;
    let client = reqwest::Client::new();
    for path in ["my/subscriptions", "cameras", "persons", "person_lists"] {
        let resp = client
            .get(format!("{}/vsaas/api/v2/{path}", sim.base_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 401, "{path}");
    }
    let resp = client
        .get(format!("{}/vsaas/api/v2/cameras", sim.base_url()))
        .header("X-Vsaas-Session", "made-up")
        .header("X-Vsaas-Api-Key", "wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    sim.shutdown().await;
}

#[tokio::test]
async fn login_returns_a_session_that_authenticates_until_invalidated() {
    let sim = start(config()).await;
    let client = reqwest::Client::new();
    let base = sim.base_url();
    let bad = client
        .post(format!("{base}/vsaas/api/v2/auth/login"))
        .json(&json!({"login": USER, "password": "wrong"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    let session = login_v2(&client, &base).await;
    let cams = client
        .get(format!("{base}/vsaas/api/v2/cameras"))
        .header("X-Vsaas-Session", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(cams.status(), 200);
    let cams: Value = cams.json().await.unwrap();
    assert_eq!(
        cams[0],
        json!({"id": "entrance", "name": "Entrance", "title": "Entrance"})
    );
    sim.invalidate_sessions();
    let after = client
        .get(format!("{base}/vsaas/api/v2/cameras"))
        .header("X-Vsaas-Session", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401);
    sim.shutdown().await;
}

#[tokio::test]
async fn api_key_authenticates_and_can_be_changed() {
    let sim = start(config()).await;
    let client = reqwest::Client::new();
    let url = format!("{}/vsaas/api/v2/persons", sim.base_url());
    let resp = client
        .get(&url)
        .header("X-Vsaas-Api-Key", API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let persons: Value = resp.json().await.unwrap();
    assert_eq!(
        persons[0],
        json!({"id": 135, "name": "Ivanov Ivan", "person_list_id": 1, "external_id": "6"})
    );
    sim.set_api_key(Some("rotated-key".into()));
    let old = client
        .get(&url)
        .header("X-Vsaas-Api-Key", API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 401);
    let new = client
        .get(&url)
        .header("X-Vsaas-Api-Key", "rotated-key")
        .send()
        .await
        .unwrap();
    assert_eq!(new.status(), 200);
    sim.shutdown().await;
}

#[tokio::test]
async fn subscriptions_are_created_from_json_and_form_listed_and_deleted() {
    let sim = start(config()).await;
    let client = reqwest::Client::new();
    let base = sim.base_url();
    let created = subscribe(
        &client,
        &base,
        "push_person_list",
        "1",
        "http://127.0.0.1:9/a",
    )
    .await;
    assert_eq!(created["event_type"], "push_person_list");
    assert_eq!(created["notification_type"], "1");
    assert_eq!(created["notify_url"], "http://127.0.0.1:9/a");
    let first_id = created["id"].as_u64().expect("numeric id");

    let form = client
        .post(format!("{base}/vsaas/api/v2/my/subscriptions"))
        .header("X-Vsaas-Api-Key", API_KEY)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("event_type=push_person_single&notification_type=135&notify_url=http%3A%2F%2F127.0.0.1%3A9%2Fb")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 200);
    let form: Value = form.json().await.unwrap();
    assert_eq!(form["notify_url"], "http://127.0.0.1:9/b");
    assert_ne!(form["id"], created["id"]);

    let list: Value = client
        .get(format!("{base}/vsaas/api/v2/my/subscriptions"))
        .header("X-Vsaas-Api-Key", API_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    assert_eq!(
        sim.subscriptions()[1].event_type,
        EventType::PushPersonSingle
    );

    let url = format!("{base}/vsaas/api/v2/my/subscriptions/{first_id}");
    let del = client
        .delete(&url)
        .header("X-Vsaas-Api-Key", API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), 204);
    let again = client
        .delete(&url)
        .header("X-Vsaas-Api-Key", API_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404);
    assert_eq!(sim.subscriptions().len(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn invalid_subscriptions_are_rejected_with_400_and_an_error() {
    let sim = start(config()).await;
    let client = reqwest::Client::new();
    let url = format!("{}/vsaas/api/v2/my/subscriptions", sim.base_url());
    let bodies = [
        json!({"event_type": "push_camera", "notification_type": "1", "notify_url": "http://x/"}),
        json!({"notification_type": "1", "notify_url": "http://x/"}),
        json!({"event_type": "push_person_list", "notification_type": "1"}),
        json!({"event_type": "push_person_list", "notify_url": "ftp://x/"}),
        json!({"event_type": "push_person_list", "notification_type": "one", "notify_url": "http://x/"}),
    ];
    for body in bodies {
        let resp = client
            .post(&url)
            .header("X-Vsaas-Api-Key", API_KEY)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{body}");
        let err: Value = resp.json().await.unwrap();
        assert!(
            err["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{err}"
        );
    }
    let not_json = client
        .post(&url)
        .header("X-Vsaas-Api-Key", API_KEY)
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    assert!(sim.subscriptions().is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let sim = start(config()).await;
    // Declared too large: refused before any of it is sent.
    let mut stream = tokio::net::TcpStream::connect(sim.addr()).await.unwrap();
    stream
        .write_all(b"POST /sim/recognize HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n")
        .await
        .unwrap();
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 413");
    // Chunked (no length): cut off at the limit while reading.
    let mut stream = tokio::net::TcpStream::connect(sim.addr()).await.unwrap();
    stream
        .write_all(b"POST /sim/recognize HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        .await
        .unwrap();
    let chunk = vec![b' '; 64 * 1024];
    // Exactly the limit, then one byte more and the end of the body in one write, so the
    // server has read everything when it answers (no reset racing the answer).
    for _ in 0..16 {
        stream
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .await
            .unwrap();
        stream.write_all(&chunk).await.unwrap();
        stream.write_all(b"\r\n").await.unwrap();
    }
    stream.write_all(b"1\r\n \r\n0\r\n\r\n").await.unwrap();
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).await.unwrap();
    assert_eq!(&head, b"HTTP/1.1 413");
    sim.shutdown().await;
}

#[test]
fn the_shipped_example_persons_file_is_valid() {
    let world = sim::watcher::PersonsFile::from_json(include_str!("../examples-data/persons.json"))
        .expect("examples-data/persons.json is valid");
    assert!(world
        .persons
        .iter()
        .any(|p| p.id == 135 && p.external_id.as_deref() == Some("6")));
    assert_eq!(
        world.users[0].password_env.as_deref(),
        Some("WATCHER_PASSWORD")
    );
}

#[test]
fn persons_files_with_inconsistent_ids_are_rejected_naming_the_key() {
    let dup = r#"{"persons": [{"id": 1}, {"id": 1}]}"#;
    let err = sim::watcher::PersonsFile::from_json(dup)
        .unwrap_err()
        .to_string();
    assert!(err.contains("persons[1].id"), "{err}");
    let orphan = r#"{"persons": [{"id": 1, "person_list_id": 9}]}"#;
    let err = sim::watcher::PersonsFile::from_json(orphan)
        .unwrap_err()
        .to_string();
    assert!(err.contains("persons[0].person_list_id"), "{err}");
    let unknown_key = r#"{"people": []}"#;
    assert!(sim::watcher::PersonsFile::from_json(unknown_key).is_err());
    let user = r#"{"users": [{"login": "a"}]}"#;
    let err = sim::watcher::PersonsFile::from_json(user)
        .unwrap_err()
        .to_string();
    assert!(err.contains("users[0]"), "{err}");
}

#[tokio::test]
async fn subscriptions_and_unknown_persons_are_bounded() {
    let mut config = config();
    config.max_subscriptions = 2;
    config.max_unknown_persons = 2;
    let sim = start(config).await;
    let client = reqwest::Client::new();
    let base = sim.base_url();
    subscribe(
        &client,
        &base,
        "push_person_list",
        "1",
        "http://127.0.0.1:9/a",
    )
    .await;
    subscribe(
        &client,
        &base,
        "push_person_list",
        "3",
        "http://127.0.0.1:9/b",
    )
    .await;
    let third = client
        .post(format!("{base}/vsaas/api/v2/my/subscriptions"))
        .header("X-Vsaas-Api-Key", API_KEY)
        .json(&json!({"event_type": "push_person_list", "notify_url": "http://127.0.0.1:9/c"}))
        .send()
        .await
        .unwrap();
    assert_eq!(third.status(), 400);
    assert_eq!(sim.subscriptions().len(), 2);

    let first = sim.recognize_unknown("entrance").await.unwrap().person_id;
    let second = sim.recognize_unknown("entrance").await.unwrap().person_id;
    let third = sim.recognize_unknown("entrance").await.unwrap().person_id;
    let state = sim.state();
    assert!(
        state.person(first).is_none(),
        "the oldest unknown person is forgotten"
    );
    assert!(state.person(second).is_some() && state.person(third).is_some());
    assert_eq!(state.persons().len(), 4 + 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn login_also_returns_the_session_in_a_header() {
    let sim = start(config()).await;
    let resp = reqwest::Client::new()
        .post(format!("{}/vsaas/api/v2/auth/login", sim.base_url()))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("login={USER}&password={PASSWORD}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let header = resp.headers()["x-vsaas-session"]
        .to_str()
        .unwrap()
        .to_string();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["session"], header);
    sim.shutdown().await;
}

#[test]
fn secrets_are_redacted_in_debug_output() {
    let config = config();
    let shown = format!("{config:?}");
    assert!(!shown.contains(API_KEY), "{shown}");
    assert!(!shown.contains(PASSWORD), "{shown}");
    assert!(shown.contains("<redacted>"));
}
