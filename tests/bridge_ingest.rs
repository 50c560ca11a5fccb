//! End-to-end: the webhook listener's answers (SPEC §5) and both ingest shapes, on a dry-run
//! bridge (no ACS needed: nothing is ever sent).

mod common;

use common::{activity, push_now, Harness, Setup, TOKEN};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn dry() -> Setup {
    let mut s = Setup::new("127.0.0.1:9");
    s.dry_run = true;
    s
}

#[tokio::test]
async fn a_wrong_token_gets_an_empty_404_and_nothing_is_decided() {
    let mut h = Harness::start(dry()).await;
    let addr = h.handle().ingest_addr.expect("ingest");
    let wrong = format!(
        "http://{addr}/watcher/events/{}x",
        &TOKEN[..TOKEN.len() - 1]
    );
    let (status, _, body) = h.post_to(&wrong, push_now(135, "entrance")).await;
    assert_eq!(status, 404);
    assert!(body.is_empty(), "a 404 reveals nothing: {body:?}");
    for path in ["/", "/watcher/events/", "/watcher/events", "/metrics"] {
        let (status, _, body) = h
            .post_to(&format!("http://{addr}{path}"), "{}".into())
            .await;
        assert_eq!((status, body.as_str()), (404, ""), "path {path}");
    }
    let get = h.http.get(h.events_url()).send().await.expect("GET sent");
    assert_eq!(get.status().as_u16(), 404, "only POST is served");
    // The right token still works, and it is the only sighting ever decided.
    let seen = h.outcome_of(push_now(135, "entrance")).await;
    assert_eq!(seen.outcome, "dry_run");
    let (rows, _) = h.stop().await;
    assert_eq!(rows.len(), 1);
    assert!(rows.iter().all(|r| r.outcome == "dry_run"));
}

#[tokio::test]
async fn a_source_outside_allow_from_gets_403() {
    let mut s = dry();
    s.allow_from = Some("10.0.0.0/8");
    let h = Harness::start(s).await;
    let (status, _) = h.post(push_now(135, "entrance")).await;
    assert_eq!(status, 403);
    let (rows, _) = h.stop().await;
    assert!(rows.is_empty());
}

#[tokio::test]
async fn a_source_inside_allow_from_is_accepted() {
    let mut s = dry();
    s.allow_from = Some("127.0.0.0/8");
    let mut h = Harness::start(s).await;
    assert_eq!(
        h.outcome_of(push_now(135, "entrance")).await.outcome,
        "dry_run"
    );
    h.stop().await;
}

#[tokio::test]
async fn a_body_over_max_body_gets_413() {
    let mut s = dry();
    s.max_body = "1KiB";
    let h = Harness::start(s).await;
    let big = format!("{{\"pad\": \"{}\"}}", "x".repeat(4096));
    let (status, _) = h.post(big).await;
    assert_eq!(status, 413);
    // Without Content-Length (chunked), the limit is enforced while reading.
    let addr = h.handle().ingest_addr.expect("ingest");
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST /watcher/events/{TOKEN} HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.expect("write head");
    for _ in 0..8 {
        let chunk = format!("200\r\n{}\r\n", "x".repeat(512));
        if s.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
    }
    let mut answer = vec![0u8; 64];
    let n = s.read(&mut answer).await.expect("read answer");
    let answer = String::from_utf8_lossy(&answer[..n]).to_string();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let (rows, _) = h.stop().await;
    assert!(rows.is_empty());
}

#[tokio::test]
async fn not_json_or_an_unknown_shape_gets_400_with_a_path_aware_error() {
    let h = Harness::start(dry()).await;
    let (status, body) = h.post("not json".into()).await;
    assert_eq!(status, 400);
    let v: serde_json::Value = serde_json::from_str(&body).expect("JSON error body");
    assert!(v["error"].as_str().is_some_and(|e| !e.is_empty()));
    let (status, body) = h.post("42".into()).await;
    assert_eq!(status, 400, "{body}");
    let bad = serde_json::json!({"notification": {"data": {"person": {"id": "abc"}}}});
    let (status, body) = h.post(bad.to_string()).await;
    assert_eq!(status, 400);
    assert!(body.contains("person.id"), "names the JSON path: {body}");
    let (rows, _) = h.stop().await;
    assert!(rows.is_empty(), "malformed bodies decide nothing");
}

#[tokio::test]
async fn a_push_notification_is_accepted_with_202_and_counted() {
    let mut h = Harness::start(dry()).await;
    let (status, body) = h.post(push_now(135, "entrance")).await;
    assert_eq!(status, 202);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).expect("json"),
        serde_json::json!({"accepted": 1})
    );
    let seen = h.next().await;
    assert_eq!(seen.outcome, "dry_run");
    assert_eq!(seen.detail.as_deref(), Some("ALLOWPASS 1 6 IN"));
    let (rows, _) = h.stop().await;
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(r.source, "push");
    assert_eq!(r.person_id, Some(135));
    assert_eq!(r.object_id, Some(6));
    assert_eq!(r.access_point, Some(1));
    assert_eq!(r.direction.as_deref(), Some("in"));
    assert_eq!(r.camera.as_deref(), Some("entrance"));
}

#[tokio::test]
async fn an_activity_array_gives_one_record_per_element_and_only_face_enter_can_pass() {
    // Activity events carry no person list: with `allow_lists` set they could never pass.
    let mut s = dry();
    s.allow_lists = "[]";
    let mut h = Harness::start(s).await;
    let body = serde_json::json!([
        activity("a-1", "entrance", "face", "135", "enter"),
        activity("a-2", "entrance", "face", "135", "leave"),
        activity("a-3", "entrance", "vehicle", "A123BC77", "enter"),
        activity("a-4", "entrance", "face", "not-a-number", "enter"),
    ]);
    let (status, text) = h.post(body.to_string()).await;
    assert_eq!(status, 202);
    assert_eq!(text, r#"{"accepted":4}"#);
    let mut outcomes = Vec::new();
    for _ in 0..4 {
        outcomes.push(h.next().await.outcome);
    }
    outcomes.sort();
    assert_eq!(outcomes, ["dry_run", "ignored", "ignored", "ignored"]);
    let mut s = dry();
    s.allow_lists = "[1]";
    let mut listed = Harness::start(s).await;
    let one = serde_json::json!([activity("b-1", "entrance", "face", "135", "enter")]);
    assert_eq!(listed.post(one.to_string()).await.0, 202);
    assert_eq!(listed.next().await.outcome, "not_allowed_list");
    listed.stop().await;
    let (rows, _) = h.stop().await;
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r.source == "activity"));
    let empty = serde_json::json!([]).to_string();
    let h = Harness::start(dry()).await;
    assert_eq!(h.post(empty).await, (202, r#"{"accepted":0}"#.to_owned()));
    h.stop().await;
}

#[tokio::test]
async fn the_dry_run_records_the_exact_line_and_keeps_the_cooldown() {
    let mut h = Harness::start(dry()).await;
    let first = h.outcome_of(push_now(136, "gate")).await;
    assert_eq!(first.outcome, "dry_run");
    assert_eq!(first.detail.as_deref(), Some("ALLOWPASS 2 7 IN"));
    assert_eq!(
        h.outcome_of(push_now(136, "gate")).await.outcome,
        "cooldown"
    );
    h.stop().await;
}

#[tokio::test]
async fn an_array_with_more_events_than_the_queue_holds_gets_413() {
    let mut s = dry();
    s.queue_capacity = 4;
    s.allow_lists = "[]";
    let h = Harness::start(s).await;
    let many: Vec<_> = (0..5)
        .map(|i| activity(&format!("m-{i}"), "entrance", "face", "135", "enter"))
        .collect();
    let (status, body) = h.post(serde_json::Value::from(many).to_string()).await;
    assert_eq!(status, 413, "{body}");
    let (rows, _) = h.stop().await;
    assert!(rows.is_empty(), "all or nothing");
}
