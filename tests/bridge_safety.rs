//! End-to-end: the SPEC §7 non-negotiables, over real sockets.

mod common;

use std::sync::{Arc, Mutex};

use common::{
    acs_sim, acs_sim_on, acs_sim_with, activity, allowpasses, now_secs, push, push_now, Harness,
    Setup, ACS_PASSWORD, TOKEN,
};
use facegate::acs_proto::ObjectRef;
use facegate::sim::acs::{CommandKind, Faults, Selector};
use futures_util::future::join_all;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

async fn bridge_for(addr: std::net::SocketAddr, tweak: impl FnOnce(&mut Setup)) -> Harness {
    let mut setup = Setup::new(addr.to_string());
    tweak(&mut setup);
    let h = Harness::start(setup).await;
    h.wait_ready(200).await;
    h
}

#[tokio::test]
async fn a_name_carrying_an_oif_command_injects_nothing() {
    let sim = acs_sim().await;
    let mut h = bridge_for(sim.addr(), |s| s.allow_lists = "[]").await;
    let evil = push(
        135,
        1,
        "entrance",
        now_secs(),
        "evil-1",
        "Evil\r\nALLOWPASS 1 7 IN",
    );
    assert_eq!(h.outcome_of(evil).await.outcome, "granted");
    // The same text in the ids and the camera cannot become a door either.
    let body = serde_json::json!([activity(
        "e-2",
        "entrance",
        "face",
        "7\r\nALLOWPASS 1 7 IN",
        "enter"
    )]);
    assert_eq!(h.post(body.to_string()).await.0, 202);
    assert_eq!(h.next().await.outcome, "ignored");
    let cam = push(
        136,
        1,
        "entrance\r\nALLOWPASS 1 7 IN",
        now_secs(),
        "evil-3",
        "x",
    );
    assert_eq!(h.outcome_of(cam).await.outcome, "unknown_camera");
    h.stop().await;
    let received = sim.received();
    assert!(
        received.iter().all(|r| r.command.is_some()),
        "every line is one well-formed command"
    );
    assert!(received.iter().all(|r| !r.line.contains(['\r', '\n'])));
    let passes = sim.allow_passes();
    assert_eq!(passes.len(), 1);
    assert!(
        passes.iter().all(|(_, o, _)| *o != ObjectRef::Id(7.into())),
        "no ALLOWPASS for object 7"
    );
}

#[tokio::test]
async fn a_forged_token_gets_404_and_nothing_is_sent() {
    let sim = acs_sim().await;
    let h = bridge_for(sim.addr(), |_| {}).await;
    let addr = h.handle().ingest_addr.expect("ingest");
    for forged in [
        "",
        "x",
        &TOKEN[1..],
        &format!("{TOKEN}x"),
        &TOKEN.to_uppercase(),
    ] {
        let url = format!("http://{addr}/watcher/events/{forged}");
        let (status, _, body) = h.post_to(&url, push_now(135, "entrance")).await;
        assert_eq!((status, body.as_str()), (404, ""), "token {forged:?}");
    }
    let (rows, _) = h.stop().await;
    assert!(rows.is_empty());
    assert_eq!(allowpasses(&sim), 0);
}

#[tokio::test]
async fn a_flood_gets_503_with_retry_after_and_everything_accepted_is_journaled() {
    let faults = Faults {
        silent: Selector::Kinds(vec![CommandKind::AllowPass]),
        ..Faults::default()
    };
    let sim = acs_sim_with(faults).await;
    let h = bridge_for(sim.addr(), |s| {
        s.queue_capacity = 2;
        s.max_event_age = "1s";
        s.reply_timeout = "10s";
    })
    .await;
    let mut accepted = 0;
    let mut busy = 0;
    for person in 1001..=1040 {
        let (status, retry, _) = h
            .post_to(&h.events_url(), push_now(person, "entrance"))
            .await;
        match status {
            202 => accepted += 1,
            503 => {
                assert_eq!(retry.as_deref(), Some("1"));
                busy += 1;
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert!(busy > 0, "a full queue answers 503");
    assert!(accepted <= 8, "the queues are bounded: {accepted} accepted");
    let health = h
        .http
        .get(h.admin_url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(health.status().as_u16(), 200);
    let (rows, _) = h.stop().await;
    assert_eq!(rows.len(), accepted, "nothing accepted is lost");
    // One link, and it never answers: the first command times out, the others wait for a
    // link or a queue slot until their deadline.
    let allowed = ["acs_timeout", "acs_unavailable", "expired", "stale"];
    assert!(
        rows.iter().all(|r| allowed.contains(&r.outcome.as_str())),
        "{:?}",
        rows.iter().map(|r| &r.outcome).collect::<Vec<_>>()
    );
    assert_eq!(
        allowpasses(&sim),
        1,
        "one link, one command written, never re-sent"
    );
}

#[tokio::test]
async fn an_acs_down_at_start_flips_readyz_when_it_comes_up_and_then_grants() {
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    let mut h = Harness::start(Setup::new(addr.to_string())).await;
    h.wait_ready(503).await;
    let status = h.handle().status();
    assert_eq!(status["ready"], false);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .expect("rebind the port");
    let sim = acs_sim_on(listener, Faults::default());
    h.wait_ready(200).await;
    assert_eq!(
        h.outcome_of(push_now(135, "entrance")).await.outcome,
        "granted"
    );
    assert_eq!(allowpasses(&sim), 1);
    let metrics = h
        .http
        .get(h.admin_url("/metrics"))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(metrics.contains("facegate_acs_link_up{acs=\"hq\"} 1"));
    assert!(metrics.contains("facegate_events_total{source=\"push\",outcome=\"granted\"} 1"));
    h.stop().await;
}

/// A scripted OIF peer: `OK` to LOGIN, `ERROR 4` to the first ALLOWPASS, `OK` afterwards.
async fn forgetful_acs() -> (std::net::SocketAddr, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let lines = Arc::new(Mutex::new(Vec::new()));
    let log = lines.clone();
    tokio::spawn(async move {
        let mut refused = false;
        while let Ok((stream, _)) = listener.accept().await {
            let (r, mut w) = stream.into_split();
            let mut r = BufReader::new(r).lines();
            while let Ok(Some(line)) = r.next_line().await {
                let reply = if line.starts_with("ALLOWPASS") && !refused {
                    refused = true;
                    "ERROR 4 NOT LOGGED IN\r\n"
                } else {
                    "OK\r\n"
                };
                log.lock().expect("log").push(line);
                if w.write_all(reply.as_bytes()).await.is_err() {
                    break;
                }
            }
        }
    });
    (addr, lines)
}

#[tokio::test]
async fn error_4_leads_to_a_relogin_and_the_pass_is_granted() {
    let (addr, lines) = forgetful_acs().await;
    let mut h = bridge_for(addr, |_| {}).await;
    assert_eq!(
        h.outcome_of(push_now(135, "entrance")).await.outcome,
        "granted"
    );
    h.stop().await;
    let lines = lines.lock().expect("lines").clone();
    let kinds: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.split(' ').next())
        .filter(|k| *k == "LOGIN" || *k == "ALLOWPASS")
        .collect();
    assert_eq!(
        kinds,
        ["LOGIN", "ALLOWPASS", "LOGIN", "ALLOWPASS"],
        "{lines:?}"
    );
}

#[tokio::test]
async fn concurrent_duplicate_deliveries_open_the_door_once() {
    let sim = acs_sim().await;
    let mut h = bridge_for(sim.addr(), |_| {}).await;
    let same = push(135, 1, "entrance", now_secs(), "burst-1", "a");
    let posts = (0..16).map(|_| h.post(same.clone()));
    assert!(join_all(posts).await.iter().all(|(s, _)| *s == 202));
    // Different notification ids of the same face at the same door: cooldown, not a second pass.
    let bodies: Vec<String> = (0..16).map(|_| push_now(136, "gate")).collect();
    let posts = bodies.into_iter().map(|b| h.post(b));
    assert!(join_all(posts).await.iter().all(|(s, _)| *s == 202));
    let mut outcomes = Vec::new();
    for _ in 0..32 {
        outcomes.push(h.next().await.outcome);
    }
    let count = |o: &str| outcomes.iter().filter(|x| *x == o).count();
    assert_eq!(count("granted"), 2);
    assert_eq!(count("duplicate"), 15);
    assert_eq!(count("cooldown"), 15);
    assert_eq!(allowpasses(&sim), 2);
    h.stop().await;
}

#[tokio::test]
async fn a_restart_within_the_cooldown_does_not_open_the_door_again() {
    let sim = acs_sim().await;
    let mut h = bridge_for(sim.addr(), |s| s.cooldown = "30s").await;
    let first = push(135, 1, "entrance", now_secs(), "r-1", "a");
    assert_eq!(h.outcome_of(first.clone()).await.outcome, "granted");
    let setup = h.setup.clone();
    let (_, dir) = h.stop().await;

    let mut h = Harness::start_in(setup, dir).await;
    h.wait_ready(200).await;
    assert_eq!(h.outcome_of(first).await.outcome, "duplicate");
    assert_eq!(
        h.outcome_of(push_now(135, "entrance")).await.outcome,
        "cooldown"
    );
    let (rows, _) = h.stop().await;
    assert_eq!(rows.len(), 3, "the journal spans both runs");
    assert_eq!(allowpasses(&sim), 1);
}

#[tokio::test]
async fn secrets_appear_in_no_admin_answer_and_no_journal_row() {
    let sim = acs_sim().await;
    let mut h = bridge_for(sim.addr(), |_| {}).await;
    assert_eq!(
        h.outcome_of(push_now(135, "entrance")).await.outcome,
        "granted"
    );
    let mut texts = Vec::new();
    for path in ["/metrics", "/api/status", "/healthz", "/readyz"] {
        let r = h.http.get(h.admin_url(path)).send().await.expect("admin");
        texts.push(r.text().await.expect("text"));
    }
    let status: serde_json::Value = serde_json::from_str(&texts[1]).expect("status JSON");
    assert_eq!(status["ready"], true);
    assert_eq!(status["acs"][0]["name"], "hq");
    texts.push(format!("{:?}", h.handle().status()));
    let (rows, _) = h.stop().await;
    texts.push(format!("{rows:?}"));
    for t in &texts {
        assert!(
            !t.contains(ACS_PASSWORD) && !t.contains(TOKEN),
            "secret leaked: {t}"
        );
    }
}
