//! Shared harness for the bridge's end-to-end tests: a config on a temp dir, the real bridge
//! in-process, an HTTP client, and a channel of finished sightings.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use facegate::bridge::app::{Bridge, BridgeHandle, RunOptions};
use facegate::bridge::config::Config;
use facegate::bridge::journal::{Journal, JournalQuery, JournalRecord};
use tokio::sync::mpsc;

/// The ingest token of every test bridge.
pub const TOKEN: &str = "e2e-token-0123456789abcdef0123456789abcdef";
/// The ACS password of every test.
pub const ACS_PASSWORD: &str = "acs-secret-pw";

/// One finished sighting as the observer saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub outcome: String,
    pub person: u64,
    pub acs_error: Option<u32>,
    pub detail: Option<String>,
    pub direction: Option<String>,
}

/// What a test bridge looks like.
#[derive(Debug, Clone)]
pub struct Setup {
    pub acs_address: String,
    pub dry_run: bool,
    pub reply_timeout: &'static str,
    pub max_event_age: &'static str,
    pub cooldown: &'static str,
    pub queue_capacity: usize,
    pub max_body: &'static str,
    pub allow_from: Option<&'static str>,
    pub connections: usize,
    pub allow_lists: &'static str,
    pub ingest_listen: String,
    /// Appended to the TOML (e.g. a `[watcher]` section).
    pub extra: String,
    /// Appended to the `[ingest]` section (e.g. `tls_cert`).
    pub ingest_extra: String,
}

impl Setup {
    pub fn new(acs_address: impl Into<String>) -> Self {
        Self {
            acs_address: acs_address.into(),
            dry_run: false,
            reply_timeout: "1s",
            max_event_age: "10s",
            cooldown: "5s",
            queue_capacity: 1024,
            max_body: "64KiB",
            allow_from: None,
            connections: 1,
            allow_lists: "[1, 2]",
            ingest_listen: "127.0.0.1:0".to_owned(),
            extra: String::new(),
            ingest_extra: String::new(),
        }
    }

    /// The TOML: employee 135 → object 6, 136 → object 7, visitor 300 (list 3) → object 8;
    /// person 999 unmapped. Doors: `entrance` AP 1 in, `exit` AP 1 out, `gate` AP 2 in.
    pub fn toml(&self, dir: &std::path::Path) -> String {
        let journal = dir.join("journal.db");
        let allow = self
            .allow_from
            .map(|c| format!("allow_from = [\"{c}\"]\n"))
            .unwrap_or_default();
        format!(
            r#"
[ingest]
listen = "{ingest_listen}"
token = "{TOKEN}"
max_body = "{max_body}"
queue_capacity = {queue}
{allow}{ingest_extra}

[[acs]]
name = "hq"
address = "{addr}"
user = "admin"
password = "{ACS_PASSWORD}"
connections = {conns}
reply_timeout = "{reply}"
dry_run = {dry}

[[door]]
camera = "entrance"
access_point = 1
direction = "in"

[[door]]
camera = "exit"
access_point = 1
direction = "out"

[[door]]
camera = "gate"
access_point = 2
direction = "in"

[identity]
mode = "table"
table = "people.csv"

[policy]
max_event_age = "{age}"
clock_skew = "2s"
cooldown = "{cooldown}"
allow_lists = {allow_lists}
deny_lists = [3]
min_score = 0.5

[journal]
path = "{journal}"

[admin]
listen = "127.0.0.1:0"
{extra}
"#,
            max_body = self.max_body,
            queue = self.queue_capacity,
            addr = self.acs_address,
            conns = self.connections,
            reply = self.reply_timeout,
            dry = self.dry_run,
            age = self.max_event_age,
            cooldown = self.cooldown,
            journal = journal.display(),
            allow_lists = self.allow_lists,
            ingest_listen = self.ingest_listen,
            extra = self.extra,
            ingest_extra = self.ingest_extra,
        )
    }
}

/// The identity table: 135 → 6, 136 → 7, 300 → 8 (a visitor on the deny list), 137 → 9 (an
/// object the ACS does not know), and 1001..=1040 → 6 (flood tests).
pub fn people_csv() -> String {
    let mut s = String::from(
        "watcher_person_id,acs_object_id,name\n135,6,Ivanov Ivan\n136,7,Petrova Anna\n300,8,Visitor\n137,9,Ghost\n",
    );
    for p in 1001..=1040 {
        s.push_str(&format!("{p},6\n"));
    }
    s
}

/// An ACS simulator on port 0 with the test credentials, access points 1 and 2, objects 6, 7, 8.
pub async fn acs_sim() -> facegate::sim::acs::AcsSimHandle {
    acs_sim_with(facegate::sim::acs::Faults::default()).await
}

/// An ACS simulator with fault knobs.
pub async fn acs_sim_with(faults: facegate::sim::acs::Faults) -> facegate::sim::acs::AcsSimHandle {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    acs_sim_on(listener, faults)
}

/// An ACS simulator on an already-bound listener.
pub fn acs_sim_on(
    listener: tokio::net::TcpListener,
    faults: facegate::sim::acs::Faults,
) -> facegate::sim::acs::AcsSimHandle {
    let config = facegate::sim::acs::AcsSimConfig {
        user: "admin".to_owned(),
        password: facegate::acs_proto::Secret::new(ACS_PASSWORD),
        faults,
        ..Default::default()
    };
    facegate::sim::acs::AcsSim::start(config, listener)
}

/// Number of ALLOWPASS commands the simulator received.
pub fn allowpasses(sim: &facegate::sim::acs::AcsSimHandle) -> usize {
    sim.allow_passes().len()
}

/// A running bridge plus everything a test needs around it.
pub struct Harness {
    pub bridge: Option<BridgeHandle>,
    pub dir: Arc<tempfile::TempDir>,
    pub http: reqwest::Client,
    pub seen: mpsc::UnboundedReceiver<Seen>,
    pub setup: Setup,
}

/// Short reconnect backoff so "ACS down, then up" tests are fast.
pub fn fast_reconnect() -> facegate::bridge::app::AcsTweak {
    Arc::new(|c: &mut facegate::acs_client::AcsConfig| {
        c.reconnect.initial = Duration::from_millis(50);
        c.reconnect.max = Duration::from_millis(200);
        c.connect_timeout = Duration::from_millis(500);
    })
}

impl Harness {
    /// Starts a bridge in a fresh temp dir.
    pub async fn start(setup: Setup) -> Self {
        let dir = Arc::new(tempfile::tempdir().expect("temp dir"));
        Self::start_in(setup, dir).await
    }

    /// Starts a bridge in `dir` (a restart keeps the journal).
    pub async fn start_in(setup: Setup, dir: Arc<tempfile::TempDir>) -> Self {
        std::fs::write(dir.path().join("people.csv"), people_csv()).expect("write people.csv");
        let config = Config::from_toml_str(&setup.toml(dir.path()), dir.path())
            .unwrap_or_else(|e| panic!("test config: {:?}", e.lines()));
        let (tx, rx) = mpsc::unbounded_channel();
        let tx = Mutex::new(tx);
        let options = RunOptions {
            dry_run: false,
            observer: Some(Arc::new(move |arrival, finished| {
                let seen = Seen {
                    outcome: finished.outcome.as_str().to_owned(),
                    person: arrival.sighting.person.id.0,
                    acs_error: finished.acs_error,
                    detail: finished.detail.clone(),
                    direction: finished.direction.clone(),
                };
                if let Ok(tx) = tx.lock() {
                    let _ = tx.send(seen);
                }
            })),
            acs_tweak: Some(fast_reconnect()),
        };
        let bridge = Bridge::start(config, options).await.expect("bridge starts");
        Self {
            bridge: Some(bridge),
            dir,
            http: reqwest::Client::new(),
            seen: rx,
            setup,
        }
    }

    pub fn handle(&self) -> &BridgeHandle {
        self.bridge.as_ref().expect("bridge running")
    }

    /// `http://127.0.0.1:port/watcher/events/TOKEN`.
    pub fn events_url(&self) -> String {
        let addr = self.handle().ingest_addr.expect("ingest bound");
        format!("http://{addr}/watcher/events/{TOKEN}")
    }

    pub fn admin_url(&self, path: &str) -> String {
        let addr = self.handle().admin_addr.expect("admin bound");
        format!("http://{addr}{path}")
    }

    /// POSTs `body` to `url`; returns status, Retry-After and body.
    pub async fn post_to(&self, url: &str, body: String) -> (u16, Option<String>, String) {
        let r = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("request sent");
        let status = r.status().as_u16();
        let retry = r
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = r.text().await.unwrap_or_default();
        (status, retry, text)
    }

    /// POSTs `body` to the events URL.
    pub async fn post(&self, body: String) -> (u16, String) {
        let (s, _, t) = self.post_to(&self.events_url(), body).await;
        (s, t)
    }

    /// The next finished sighting (fails the test after 5 s).
    pub async fn next(&mut self) -> Seen {
        tokio::time::timeout(Duration::from_secs(5), self.seen.recv())
            .await
            .expect("a sighting finished in time")
            .expect("observer channel open")
    }

    /// Posts one push recognition and returns its outcome.
    pub async fn outcome_of(&mut self, body: String) -> Seen {
        let (status, text) = self.post(body).await;
        assert_eq!(status, 202, "ingest answer: {text}");
        self.next().await
    }

    /// Waits until /readyz answers `want`, up to 5 s.
    pub async fn wait_ready(&self, want: u16) {
        let url = self.admin_url("/readyz");
        for _ in 0..100 {
            if let Ok(r) = self.http.get(&url).send().await {
                if r.status().as_u16() == want {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("/readyz never answered {want}");
    }

    /// Stops the bridge (drain + journal flush) and returns every journal row.
    pub async fn stop(mut self) -> (Vec<JournalRecord>, Arc<tempfile::TempDir>) {
        if let Some(b) = self.bridge.take() {
            b.shutdown().await.expect("clean shutdown");
        }
        let rows = journal_rows(&self.dir);
        (rows, self.dir)
    }
}

/// Every journal row in `dir`, oldest first.
pub fn journal_rows(dir: &tempfile::TempDir) -> Vec<JournalRecord> {
    let j = Journal::open(&dir.path().join("journal.db")).expect("journal opens");
    let mut rows = j.query(&JournalQuery::default()).expect("journal query");
    rows.sort_by_key(|r| r.received_at);
    rows
}

/// Unix seconds now.
pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// An article-form push notification.
pub fn push(person: u64, list: u64, camera: &str, at_secs: i64, id: &str, name: &str) -> String {
    serde_json::json!({
        "registration_ids": [],
        "priority": "high",
        "notification": {
            "id": id,
            "body": "Person detected",
            "data": {
                "event": "person",
                "event_start_at": at_secs,
                "camera": camera,
                "camera_id": "",
                "utc": at_secs.to_string(),
                "person": {"id": person, "person_list_id": list, "name": name}
            }
        }
    })
    .to_string()
}

/// A push for an employee at `camera`, now, with a fresh notification id.
pub fn push_now(person: u64, camera: &str) -> String {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let id = format!("n-{}", N.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
    push(person, 1, camera, now_secs(), &id, "Employee")
}

/// An activity-event array element.
pub fn activity(
    id: &str,
    camera: &str,
    class: &str,
    object: &str,
    action: &str,
) -> serde_json::Value {
    serde_json::json!({
        "id": id, "camera_id": camera, "start_at": now_secs().to_string(), "end_at": "",
        "object_class": class, "object_id": object, "object_action": action
    })
}
