//! The Watcher simulator's deliveries over real sockets: `/sim/recognize` to a local receiver,
//! subscription matching, unknown faces, the three delivery forms.

mod watcher_support;

use serde_json::{json, Value};
use sim::watcher::{DeliveryMode, Recognition};
use watcher_support::*;

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
async fn every_recognition_is_listed_in_the_v2_activity_events_feed() {
    let sim = start(config()).await;
    sim.recognize(Recognition::new(135, "entrance"))
        .await
        .unwrap();
    let unknown = sim.recognize_unknown("exit").await.unwrap();
    let client = reqwest::Client::new();
    let url = format!("{}/vsaas/api/v2/events?type=activity", sim.base_url());
    let events: Value = client
        .get(&url)
        .header("X-Vsaas-Api-Key", API_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["object_id"], "135");
    assert_eq!(events[0]["camera_id"], "entrance");
    assert_eq!(events[1]["object_id"], unknown.person_id.to_string());
    assert_ne!(events[0]["id"], events[1]["id"]);
    let paged: Value = client
        .get(format!("{url}&limit=1&offset=1"))
        .header("X-Vsaas-Api-Key", API_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(paged.as_array().map(Vec::len), Some(1));
    assert_eq!(paged[0], events[1]);
    sim.shutdown().await;
}
