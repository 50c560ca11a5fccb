//! End-to-end: hot reload of doors, identity and policy — through the API, a change of the
//! identity table file, and SIGHUP to the `facegate run` binary.

mod common;

use std::time::Duration;

use common::{acs_sim, allowpasses, people_csv, push_now, Harness, Setup};
use facegate::bridge::config::Config;

async fn bridge(sim: &facegate::sim::acs::AcsSimHandle) -> Harness {
    let h = Harness::start(Setup::new(sim.addr().to_string())).await;
    h.wait_ready(200).await;
    h
}

#[tokio::test]
async fn a_changed_identity_table_is_picked_up_without_a_restart() {
    let sim = acs_sim().await;
    let mut h = bridge(&sim).await;
    assert_eq!(
        h.outcome_of(push_now(999, "entrance")).await.outcome,
        "unmapped_person"
    );
    let table = h.dir.path().join("people.csv");
    std::fs::write(&table, format!("{}999,7,New Hire\n", people_csv())).expect("write table");
    let mut outcome = String::new();
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        outcome = h.outcome_of(push_now(999, "gate")).await.outcome;
        if outcome != "unmapped_person" {
            break;
        }
    }
    assert_eq!(outcome, "granted", "the new mapping is used");
    assert_eq!(allowpasses(&sim), 1);
    h.stop().await;
}

#[tokio::test]
async fn an_invalid_table_is_rejected_and_the_old_mapping_stays_in_force() {
    let sim = acs_sim().await;
    let mut h = bridge(&sim).await;
    let table = h.dir.path().join("people.csv");
    std::fs::write(
        &table,
        "watcher_person_id,acs_object_id\n135,not-a-number\n",
    )
    .expect("write");
    let why = h.handle().reloader().reload_table().expect_err("rejected");
    assert!(why.contains("people.csv"), "names the file: {why}");
    assert_eq!(
        h.outcome_of(push_now(135, "entrance")).await.outcome,
        "granted"
    );
    h.stop().await;
}

#[tokio::test]
async fn a_reload_keeps_cooldowns_and_rejects_doors_on_an_unknown_acs() {
    let sim = acs_sim().await;
    let mut h = bridge(&sim).await;
    assert_eq!(
        h.outcome_of(push_now(135, "entrance")).await.outcome,
        "granted"
    );
    let dir = h.dir.path().to_path_buf();
    let mut setup = h.setup.clone();
    setup.cooldown = "60s";
    let config = Config::from_toml_str(&setup.toml(&dir), &dir).expect("config");
    h.handle().reload(config).expect("valid reload");
    assert_eq!(
        h.outcome_of(push_now(135, "entrance")).await.outcome,
        "cooldown",
        "the grant before the reload still counts"
    );
    let bad = format!(
        "{}\n[[door]]\ncamera = \"lobby\"\nacs = \"elsewhere\"\naccess_point = 1\ndirection = \"in\"\n",
        setup.toml(&dir)
    );
    let rejected = match Config::from_toml_str(&bad, &dir) {
        Ok(config) => h.handle().reload(config).is_err(),
        Err(_) => true,
    };
    assert!(
        rejected,
        "a door on an ACS the bridge did not start is refused"
    );
    assert_eq!(
        h.outcome_of(push_now(135, "lobby")).await.outcome,
        "unknown_camera"
    );
    assert_eq!(allowpasses(&sim), 1);
    h.stop().await;
}

async fn status(h: &Harness) -> serde_json::Value {
    let body = reqwest::get(h.admin_url("/api/status"))
        .await
        .expect("GET /api/status")
        .text()
        .await
        .expect("status body");
    serde_json::from_str(&body).expect("status is JSON")
}

#[tokio::test]
async fn api_status_shows_the_config_generation_and_the_last_rejected_reload() {
    let sim = acs_sim().await;
    let h = bridge(&sim).await;
    let first = status(&h).await;
    assert_eq!(first["config"]["generation"], 1);
    assert!(first["config"]["loaded_at_ms"].as_i64().unwrap_or(0) > 0);
    assert!(first["config"]["last_rejected"].is_null());

    let dir = h.dir.path().to_path_buf();
    let config = Config::from_toml_str(&h.setup.toml(&dir), &dir).expect("config");
    h.handle().reload(config).expect("valid reload");
    let second = status(&h).await;
    assert_eq!(second["config"]["generation"], 2);
    assert!(second["config"]["loaded_at_ms"].as_i64() >= first["config"]["loaded_at_ms"].as_i64());

    std::fs::write(
        dir.join("people.csv"),
        "watcher_person_id,acs_object_id\n135,not-a-number\n",
    )
    .expect("write");
    h.handle().reloader().reload_table().expect_err("rejected");
    let third = status(&h).await;
    assert_eq!(
        third["config"]["generation"], 2,
        "a rejected reload is not a new generation"
    );
    let why = third["config"]["last_rejected"]["why"]
        .as_str()
        .unwrap_or("");
    assert!(why.contains("people.csv"), "says why: {why}");
    h.stop().await;
}
