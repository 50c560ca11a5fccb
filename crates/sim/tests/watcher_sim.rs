//! The Watcher simulator over real sockets: v2 auth, subscriptions, `/sim/recognize` delivery.

mod watcher_support;

use serde_json::{json, Value};
use sim::watcher::{DeliveryMode, EventType, Recognition};
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
async fn recognize_delivers_the_article_json_and_reports_the_status() {
    let sim = start(config()).await;
    let client = reqwest::Client::new();
    let base = sim.base_url();
    let mut rx = receiver(202).await;
    let notify = format!("{}/watcher/events/tok", rx.url);
    let sub = subscribe(&client, &base, "push_person_list", "1", &notify).await;

    let reply: Value = client
        .post(format!("{base}/sim/recognize"))
        .json(&json!({"person_id": 135, "camera": "entrance", "at": 1593706529, "score": 0.9}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reply["person_id"], 135);
    assert_eq!(reply["deliveries"][0]["subscription_id"], sub["id"]);
    assert_eq!(reply["deliveries"][0]["status"], 202);
    assert_eq!(reply["deliveries"][0]["url"], notify);

    let (path, body) = rx.next().await;
    assert_eq!(path, "/watcher/events/tok");
    assert_eq!(body["registration_ids"], json!([]));
    assert_eq!(body["priority"], "high");
    assert_eq!(body["notification"]["body"], "Person detected");
    let data = &body["notification"]["data"];
    assert_eq!(data["targetScreen"], "camera_events");
    assert_eq!(data["event"], "person");
    assert_eq!(data["event_start_at"], 1593706529);
    assert_eq!(data["utc"], "1593706529");
    assert_eq!(data["camera"], "Entrance");
    assert_eq!(data["camera_id"], "entrance");
    assert_eq!(data["person"]["id"], 135);
    assert_eq!(data["person"]["person_list_id"], 1);
    assert_eq!(data["person"]["name"], "Ivanov Ivan");
    assert_eq!(data["person"]["last_seen_at"], "2020-07-02 16:15:29");

    let log = sim.deliveries();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].status.status, Some(202));
    assert_eq!(log[0].body, body);
    sim.shutdown().await;
}

#[tokio::test]
async fn list_single_and_category_subscriptions_match_their_persons() {
    let sim = start(config()).await;
    let client = reqwest::Client::new();
    let base = sim.base_url();
    let rx = receiver(200).await;
    let list1 = subscribe(&client, &base, "push_person_list", "1", &rx.url).await["id"].clone();
    let single =
        subscribe(&client, &base, "push_person_single", "136", &rx.url).await["id"].clone();
    let cat5 = subscribe(&client, &base, "push_person_category", "5", &rx.url).await["id"].clone();

    let ids = |done: &sim::watcher::Recognized| -> Vec<Value> {
        done.deliveries
            .iter()
            .map(|d| json!(d.subscription_id))
            .collect()
    };
    let done = sim
        .recognize(Recognition::new(137, "entrance"))
        .await
        .unwrap();
    assert_eq!(ids(&done), vec![list1.clone()]);
    let done = sim.recognize(Recognition::new(136, "Exit")).await.unwrap();
    assert_eq!(ids(&done), vec![single]);
    let done = sim.recognize(Recognition::new(140, "exit")).await.unwrap();
    assert_eq!(ids(&done), vec![cat5]);
    assert!(done.deliveries.iter().all(|d| d.is_success()));
    assert_eq!(sim.deliveries().len(), 3);
    sim.shutdown().await;
}

#[tokio::test]
async fn recognize_reports_unreachable_targets_and_bad_requests() {
    let sim = start(config()).await;
    let client = reqwest::Client::new();
    let base = sim.base_url();
    // A port that was just free: connection refused.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead = format!("http://{}/x", closed.local_addr().unwrap());
    drop(closed);
    subscribe(&client, &base, "push_person_list", "1", &dead).await;
    let reply: Value = client
        .post(format!("{base}/sim/recognize"))
        .json(&json!({"person_id": "135", "camera": "entrance"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reply["deliveries"][0]["status"], Value::Null);
    assert!(reply["deliveries"][0]["error"]
        .as_str()
        .is_some_and(|e| e.starts_with("connect")));

    for (body, status) in [
        (json!({"person_id": 999, "camera": "entrance"}), 404),
        (json!({"person_id": 135, "camera": "roof"}), 404),
        (json!({"person_id": 135}), 400),
        (json!({"person_id": -1, "camera": "entrance"}), 400),
        (
            json!({"person_id": 135, "camera": "entrance", "score": 7}),
            400,
        ),
        (json!([1]), 400),
    ] {
        let resp = client
            .post(format!("{base}/sim/recognize"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), status, "{body}");
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn unknown_face_creates_a_person_without_external_id_and_matches_no_list() {
    let sim = start(config()).await;
    let client = reqwest::Client::new();
    let base = sim.base_url();
    let rx = receiver(200).await;
    subscribe(&client, &base, "push_person_list", "1", &rx.url).await;
    let reply: Value = client
        .post(format!("{base}/sim/recognize"))
        .json(&json!({"person_id": null, "camera": "entrance"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reply["deliveries"], json!([]));
    let id = reply["person_id"].as_u64().expect("new person id");
    let person = sim.state().person(id).expect("person created");
    assert_eq!((person.external_id, person.person_list_id), (None, None));
    let second = sim.recognize_unknown("exit").await.unwrap();
    assert_ne!(second.person_id, id);
    sim.shutdown().await;
}

#[tokio::test]
async fn activity_mode_posts_an_array_to_the_configured_url() {
    let mut rx = receiver(200).await;
    let mut config = config();
    config.delivery = DeliveryMode::Activity {
        url: format!("{}/activity", rx.url),
    };
    let sim = start(config).await;
    let done = sim.recognize_unknown("exit").await.unwrap();
    assert_eq!(done.deliveries.len(), 1);
    assert_eq!(done.deliveries[0].subscription_id, None);
    let (path, body) = rx.next().await;
    assert_eq!(path, "/activity");
    assert_eq!(body[0]["object_class"], "face");
    assert_eq!(body[0]["object_action"], "enter");
    assert_eq!(body[0]["camera_id"], "exit");
    assert_eq!(body[0]["object_id"], done.person_id.to_string());
    sim.shutdown().await;
}

#[tokio::test]
async fn toplevel_mode_puts_data_beside_notification() {
    let mut rx = receiver(200).await;
    let mut config = config();
    config.delivery = DeliveryMode::PushTopLevel;
    let sim = start(config).await;
    let client = reqwest::Client::new();
    subscribe(
        &client,
        &sim.base_url(),
        "push_person_single",
        "135",
        &rx.url,
    )
    .await;
    sim.recognize(Recognition::new(135, "entrance"))
        .await
        .unwrap();
    let (_, body) = rx.next().await;
    assert_eq!(body["data"]["person"]["id"], 135);
    assert!(body["notification"].get("data").is_none());
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
