//! The Watcher simulator's v3 Client API over real sockets: login, episodes long-poll, cursors,
//! episode updates, persons; and a restart on the same port that keeps the state.

mod watcher_support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sim::watcher::{Recognition, WatcherSim};
use watcher_support::*;

const V3: &str = "/watcher/client-api/v3";

async fn token(client: &reqwest::Client, base: &str) -> String {
    let resp = client
        .post(format!("{base}{V3}/login"))
        .basic_auth(USER, Some(PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert!(body["refresh_token"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
    assert!(body["expires_at"].as_i64().is_some());
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_string()
}

async fn episodes(client: &reqwest::Client, base: &str, token: &str, query: &str) -> Value {
    let resp = client
        .get(format!("{base}{V3}/episodes?{query}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{query}");
    resp.json().await.unwrap()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

#[tokio::test]
async fn v3_login_takes_basic_credentials_and_the_token_authenticates() {
    let sim = start(config()).await;
    let client = reqwest::Client::new();
    let base = sim.base_url();
    let bad = client
        .post(format!("{base}{V3}/login"))
        .basic_auth(USER, Some("nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    let anonymous = client
        .get(format!("{base}{V3}/episodes"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let forged = client
        .get(format!("{base}{V3}/episodes"))
        .bearer_auth("x")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);

    let token = token(&client, &base).await;
    assert_eq!(
        episodes(&client, &base, &token, "episode_type=face").await["episodes"],
        json!([])
    );
    let basic = client
        .get(format!("{base}{V3}/person_lists"))
        .basic_auth(USER, Some(PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 200);
    sim.invalidate_sessions();
    let stale = client
        .get(format!("{base}{V3}/episodes"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 401);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_held_long_poll_is_woken_by_a_recognition() {
    let sim = start(config()).await;
    let client = reqwest::Client::new();
    let base = sim.base_url();
    let token = token(&client, &base).await;
    let since = now_ms();
    let started = Instant::now();
    let poll = {
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        tokio::spawn(async move {
            let q = format!("episode_type=face&updated_at_gt={since}&poll_timeout=30");
            episodes(&client, &base, &token, &q).await
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !poll.is_finished(),
        "the poll must be held while there is nothing"
    );
    let done = sim
        .recognize(Recognition::new(135, "entrance"))
        .await
        .unwrap();
    let page = tokio::time::timeout(Duration::from_secs(5), poll)
        .await
        .unwrap()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    let ep = &page["episodes"][0];
    assert_eq!(ep["episode_id"], done.episode_id);
    assert_eq!(ep["episode_type"], "face");
    assert_eq!(ep["media"], "entrance");
    assert!(ep["updated_at"].as_i64().unwrap() > since);
    let person = &ep["matched_persons"][0]["person"];
    assert_eq!(person["person_id"], 135);
    assert_eq!(person["external_id"], "6");
    assert_eq!(person["originator"], "api");
    assert_eq!(person["name"], "Ivanov Ivan");
    assert_eq!(person["person_list"], json!({"id": 1, "name": "Employees"}));
    assert_eq!(ep["matched_persons"][0]["match_score"], 0.95);
    assert_eq!(page["next"], Value::Null);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_long_poll_with_nothing_new_answers_empty_when_poll_timeout_expires() {
    let sim = start(config()).await;
    let client = reqwest::Client::new();
    let base = sim.base_url();
    let token = token(&client, &base).await;
    sim.recognize(Recognition::new(135, "entrance"))
        .await
        .unwrap();
    let all = episodes(&client, &base, &token, "episode_type=face").await;
    let last = all["episodes"][0]["updated_at"].as_i64().unwrap();
    let started = Instant::now();
    let q = format!("episode_type=face&updated_at_gt={last}&poll_timeout=1");
    let page = episodes(&client, &base, &token, &q).await;
    let waited = started.elapsed();
    assert_eq!(page["episodes"], json!([]));
    assert!(waited >= Duration::from_millis(900), "{waited:?}");
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    sim.shutdown().await;
}

#[tokio::test]
async fn updated_at_gt_filters_older_episodes_and_media_filters_cameras() {
    let sim = start(config()).await;
    let client = reqwest::Client::new();
    let base = sim.base_url();
    let token = token(&client, &base).await;
    sim.recognize(Recognition::new(135, "entrance"))
        .await
        .unwrap();
    sim.recognize(Recognition::new(136, "exit")).await.unwrap();
    sim.recognize(Recognition::new(137, "entrance"))
        .await
        .unwrap();
    let all = episodes(&client, &base, &token, "episode_type=face").await;
    let eps = all["episodes"].as_array().unwrap();
    assert_eq!(eps.len(), 3);
    let first = eps[0]["updated_at"].as_i64().unwrap();
    let newer = episodes(&client, &base, &token, &format!("updated_at_gt={first}")).await;
    let persons: Vec<&Value> = newer["episodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["matched_persons"][0]["person"]["person_id"])
        .collect();
    assert_eq!(persons, vec![&json!(136), &json!(137)]);
    let exit = episodes(&client, &base, &token, "media=exit").await;
    assert_eq!(exit["episodes"].as_array().unwrap().len(), 1);
    let vehicles = episodes(&client, &base, &token, "episode_type=vehicle").await;
    assert_eq!(vehicles["episodes"], json!([]));
    let bad = client
        .get(format!("{base}{V3}/episodes?updated_at_gt=yesterday"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    sim.shutdown().await;
}

#[tokio::test]
async fn cursors_page_through_more_episodes_than_the_limit() {
    let sim = start(config()).await;
    let client = reqwest::Client::new();
    let base = sim.base_url();
    let token = token(&client, &base).await;
    for (person, camera) in [
        (135, "entrance"),
        (136, "entrance"),
        (137, "exit"),
        (140, "exit"),
        (135, "exit"),
    ] {
        sim.recognize(Recognition::new(person, camera))
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut query = "episode_type=face&limit=2".to_string();
    for _ in 0..10 {
        let page = episodes(&client, &base, &token, &query).await;
        let batch = page["episodes"].as_array().unwrap();
        assert!(batch.len() <= 2);
        seen.extend(batch.iter().map(|e| e["episode_id"].as_u64().unwrap()));
        match page["next"].as_str() {
            Some(next) => query = format!("episode_type=face&limit=2&cursor={}", urlencode(next)),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(unique, seen, "no episode twice, in order");
    let bad = client
        .get(format!("{base}{V3}/episodes?cursor=garbage"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    sim.shutdown().await;
}

fn urlencode(s: &str) -> String {
    s.replace('%', "%25")
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}

#[tokio::test]
async fn the_same_face_again_updates_the_episode_and_resends_it_to_pollers() {
    let sim = start(config()).await;
    let client = reqwest::Client::new();
    let base = sim.base_url();
    let token = token(&client, &base).await;
    let first = sim
        .recognize(Recognition::new(135, "entrance"))
        .await
        .unwrap();
    let page = episodes(&client, &base, &token, "episode_type=face").await;
    let before = page["episodes"][0].clone();
    let updated_at = before["updated_at"].as_i64().unwrap();

    let mut again = Recognition::new(135, "entrance");
    again.score = Some(0.99);
    let second = sim.recognize(again).await.unwrap();
    assert_eq!(second.episode_id, first.episode_id);
    let page = episodes(
        &client,
        &base,
        &token,
        &format!("updated_at_gt={updated_at}"),
    )
    .await;
    let after = &page["episodes"][0];
    assert_eq!(page["episodes"].as_array().unwrap().len(), 1);
    assert_eq!(after["episode_id"], before["episode_id"]);
    assert_eq!(after["opened_at"], before["opened_at"]);
    assert!(after["updated_at"].as_i64().unwrap() > updated_at);
    assert_eq!(after["matched_persons"][0]["match_score"], 0.99);

    let other_camera = sim.recognize(Recognition::new(135, "exit")).await.unwrap();
    assert_ne!(other_camera.episode_id, first.episode_id);
    let mut later = Recognition::new(135, "entrance");
    later.at = Some(now_ms() / 1000 + 60);
    let later = sim.recognize(later).await.unwrap();
    assert_ne!(
        later.episode_id, first.episode_id,
        "outside the merge window: a new episode"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn v3_persons_carry_external_id_and_unknown_faces_have_none() {
    let sim = start(config()).await;
    let client = reqwest::Client::new();
    let base = sim.base_url();
    let token = token(&client, &base).await;
    let unknown = sim.recognize_unknown("exit").await.unwrap();
    let get = |path: String| {
        let client = client.clone();
        let token = token.clone();
        async move { client.get(path).bearer_auth(token).send().await.unwrap() }
    };
    let one: Value = get(format!("{base}{V3}/persons/135"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["external_id"], "6");
    assert_eq!(one["person_list"]["name"], "Employees");
    let new: Value = get(format!("{base}{V3}/persons/{}", unknown.person_id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(new["external_id"], Value::Null);
    assert_eq!(new["originator"], "identification_service");
    assert!(new.get("person_list").is_none());
    assert_eq!(get(format!("{base}{V3}/persons/1")).await.status(), 404);

    let page: Value = get(format!("{base}{V3}/persons?limit=3"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["persons"].as_array().unwrap().len(), 3);
    assert_eq!(page["estimated_count"], 5);
    let next = page["next"].as_str().expect("a next cursor").to_string();
    let rest: Value = get(format!(
        "{base}{V3}/persons?limit=3&cursor={}",
        urlencode(&next)
    ))
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(rest["persons"].as_array().unwrap().len(), 2);
    assert_eq!(rest["next"], Value::Null);
    let lists: Value = get(format!("{base}{V3}/person_lists"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(lists["person_lists"][1], json!({"id": 3, "name": "Banned"}));
    sim.shutdown().await;
}

#[tokio::test]
async fn a_restart_on_the_same_port_keeps_subscriptions_sessions_and_episodes() {
    let sim = start(config()).await;
    let client = reqwest::Client::new();
    let base = sim.base_url();
    let addr = sim.addr();
    let session = login_v2(&client, &base).await;
    let token = token(&client, &base).await;
    subscribe(
        &client,
        &base,
        "push_person_list",
        "1",
        "http://127.0.0.1:9/x",
    )
    .await;
    sim.recognize(Recognition::new(135, "entrance"))
        .await
        .unwrap();

    // A long-poll held across the shutdown ends (as a real restart would cut it).
    let held = {
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        tokio::spawn(async move {
            client
                .get(format!(
                    "{base}{V3}/episodes?updated_at_gt=99999999999999&poll_timeout=30"
                ))
                .bearer_auth(token)
                .send()
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let state = sim.state();
    sim.shutdown().await;
    let cut = tokio::time::timeout(Duration::from_secs(5), held)
        .await
        .unwrap()
        .unwrap();
    assert!(cut.is_err(), "the held poll ends with the server");
    assert!(client
        .get(format!("{base}/vsaas/api/v2/cameras"))
        .send()
        .await
        .is_err());

    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .expect("same port again");
    let sim = WatcherSim::start_with_state(state, listener).unwrap();
    assert_eq!(sim.addr(), addr);
    let subs: Value = client
        .get(format!("{base}/vsaas/api/v2/my/subscriptions"))
        .header("X-Vsaas-Session", &session)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(subs.as_array().unwrap().len(), 1);
    let page = episodes(&client, &base, &token, "episode_type=face").await;
    assert_eq!(page["episodes"].as_array().unwrap().len(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_refresh_token_buys_new_tokens_once() {
    let sim = start(config()).await;
    let client = reqwest::Client::new();
    let base = sim.base_url();
    let login: Value = client
        .post(format!("{base}{V3}/login"))
        .basic_auth(USER, Some(PASSWORD))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let refresh = json!({"refresh_token": login["refresh_token"]});
    let renewed = client
        .post(format!("{base}{V3}/login"))
        .json(&refresh)
        .send()
        .await
        .unwrap();
    assert_eq!(renewed.status(), 200);
    let renewed: Value = renewed.json().await.unwrap();
    assert_ne!(renewed["access_token"], login["access_token"]);
    let token = renewed["access_token"].as_str().unwrap();
    assert_eq!(
        episodes(&client, &base, token, "episode_type=face").await["next"],
        Value::Null
    );
    let reused = client
        .post(format!("{base}{V3}/login"))
        .json(&refresh)
        .send()
        .await
        .unwrap();
    assert_eq!(reused.status(), 401, "a refresh token is single-use");
    sim.shutdown().await;
}

#[tokio::test]
async fn an_expired_access_token_is_refused() {
    let mut config = config();
    config.token_lifetime = Duration::ZERO;
    let sim = start(config).await;
    let client = reqwest::Client::new();
    let base = sim.base_url();
    let token = token(&client, &base).await;
    let resp = client
        .get(format!("{base}{V3}/episodes"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    sim.shutdown().await;
}
