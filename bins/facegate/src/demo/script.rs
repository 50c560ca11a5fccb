//! The scripted morning: each step, what it expects, and the proof from the ACS's log.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::report::{audit, StepResult};
pub use super::report::{format_latency, Report};
use super::world::{COLLEAGUE, EMPLOYEE, INJECTOR, UNMAPPED, VISITOR};
use super::{http, Demo};
use crate::pipeline::convert::Arrival;
use crate::pipeline::Finished;

/// How long a step waits for its sighting to finish.
const STEP_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the wrong-token step waits to be sure nothing was decided.
const QUIET: Duration = Duration::from_millis(300);

/// One finished sighting, as the demo prints it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Outcome string.
    pub outcome: String,
    /// ACS reply (`OK`, `ERROR n …`) or `-` when nothing was sent.
    pub reply: String,
    /// Webhook received → outcome.
    pub latency: Duration,
    /// Person id.
    pub person: u64,
    /// Door direction, when a door was found.
    pub direction: Option<String>,
}

impl Seen {
    /// From the pipeline's observer callback.
    pub fn new(arrival: &Arrival, f: &Finished) -> Self {
        Self {
            outcome: f.outcome.as_str().to_owned(),
            reply: f.acs_reply.clone().unwrap_or_else(|| "-".to_owned()),
            latency: arrival.received.elapsed(),
            person: arrival.sighting.person.id.0,
            direction: f.direction.clone(),
        }
    }
}

enum Action {
    /// The Watcher simulator recognises `person` at `camera`, `age` seconds ago.
    Recognize {
        person: u64,
        camera: &'static str,
        age: i64,
    },
    /// A push notification posted straight to the webhook, with a notification id.
    Direct {
        person: u64,
        camera: &'static str,
        id: &'static str,
    },
    /// A push notification posted with a wrong token.
    WrongToken,
}

struct Step {
    name: &'static str,
    expected: &'static str,
    action: Action,
}

fn steps() -> Vec<Step> {
    use Action::*;
    vec![
        Step {
            name: "employee enters",
            expected: "granted",
            action: Recognize {
                person: EMPLOYEE,
                camera: "entrance",
                age: 0,
            },
        },
        Step {
            name: "same face again",
            expected: "cooldown",
            action: Recognize {
                person: EMPLOYEE,
                camera: "entrance",
                age: 1,
            },
        },
        Step {
            name: "a delivery (id demo-1)",
            expected: "granted",
            action: Direct {
                person: COLLEAGUE,
                camera: "exit",
                id: "demo-1",
            },
        },
        Step {
            name: "the same delivery again",
            expected: "duplicate",
            action: Direct {
                person: COLLEAGUE,
                camera: "exit",
                id: "demo-1",
            },
        },
        Step {
            name: "old event (60 s ago)",
            expected: "stale",
            action: Recognize {
                person: EMPLOYEE,
                camera: "entrance",
                age: 60,
            },
        },
        Step {
            name: "unknown face",
            expected: "unmapped_person",
            action: Recognize {
                person: UNMAPPED,
                camera: "entrance",
                age: 0,
            },
        },
        Step {
            name: "deny-listed visitor",
            expected: "denied_list",
            action: Recognize {
                person: VISITOR,
                camera: "entrance",
                age: 0,
            },
        },
        Step {
            name: "exit camera",
            expected: "granted",
            action: Recognize {
                person: EMPLOYEE,
                camera: "exit",
                age: 0,
            },
        },
        Step {
            name: "request with a wrong token",
            expected: "404",
            action: WrongToken,
        },
        Step {
            name: "name carries an OIF command",
            expected: "granted",
            action: Recognize {
                person: INJECTOR,
                camera: "entrance",
                age: 0,
            },
        },
    ]
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

/// A push notification in the article's form, with a notification id.
fn push_body(person: u64, camera: &str, id: &str, at: i64) -> String {
    serde_json::json!({
        "registration_ids": [],
        "priority": "high",
        "notification": {
            "id": id,
            "body": "Person detected",
            "data": {
                "event": "person",
                "event_start_at": at,
                "camera": camera,
                "camera_id": camera,
                "person": {"id": person, "person_list_id": 1, "name": "Petrova Anna"}
            }
        }
    })
    .to_string()
}

/// Plays every step in order.
pub async fn play(demo: &mut Demo) -> anyhow::Result<Report> {
    let ingest = demo.ingest_addr()?;
    let watcher = demo.watcher.addr();
    let start = now_secs();
    let mut results = Vec::new();
    for step in steps() {
        let mut result = StepResult {
            name: step.name,
            expected: step.expected,
            outcome: String::new(),
            reply: "-".to_owned(),
            latency: None,
            direction: None,
        };
        match step.action {
            Action::Recognize {
                person,
                camera,
                age,
            } => {
                let body = serde_json::json!({
                    "person_id": person, "camera": camera, "at": start - age
                });
                let (status, text) =
                    http::post(watcher, "/sim/recognize", body.to_string()).await?;
                if status != 200 {
                    anyhow::bail!("the Watcher simulator refused a recognition ({status}): {text}");
                }
            }
            Action::Direct { person, camera, id } => {
                let path = format!("/watcher/events/{}", demo.token);
                let (status, _) =
                    http::post(ingest, &path, push_body(person, camera, id, start)).await?;
                if status != 202 {
                    result.outcome = status.to_string();
                    results.push(result);
                    continue;
                }
            }
            Action::WrongToken => {
                let before = demo.acs.allow_passes().len();
                let wrong = format!("/watcher/events/{}", super::world::random_hex(48));
                let body = push_body(EMPLOYEE, "entrance", "demo-forged", start);
                let (status, _) = http::post(ingest, &wrong, body).await?;
                let quiet = tokio::time::timeout(QUIET, demo.seen.recv()).await.is_err();
                let sent = demo.acs.allow_passes().len() - before;
                result.outcome = if quiet && sent == 0 {
                    status.to_string()
                } else {
                    format!("{status}, but {sent} sent")
                };
                result.reply = "(nothing sent)".to_owned();
                results.push(result);
                continue;
            }
        }
        match tokio::time::timeout(STEP_TIMEOUT, demo.seen.recv()).await {
            Ok(Some(seen)) => {
                result.outcome = seen.outcome;
                result.reply = seen.reply;
                result.latency = Some(seen.latency);
                result.direction = seen.direction;
            }
            Ok(None) | Err(_) => result.outcome = "(no outcome in 5 s)".to_owned(),
        }
        results.push(result);
    }
    Ok(audit(&demo.acs, results))
}
