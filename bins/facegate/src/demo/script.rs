//! The scripted morning: each step, what it expects, and the proof from the ACS's log.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use acs_proto::{Command, ObjectRef};
use sim::acs::AcsSimHandle;

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

/// One played step.
#[derive(Debug, Clone)]
pub struct StepResult {
    /// Step name.
    pub name: &'static str,
    /// Expected outcome (or `404`).
    pub expected: &'static str,
    /// What happened.
    pub outcome: String,
    /// ACS reply or `-`.
    pub reply: String,
    /// Latency, when a sighting finished.
    pub latency: Option<Duration>,
    /// Direction of the door, when one was found.
    pub direction: Option<String>,
}

impl StepResult {
    /// Whether the step did what it should.
    pub fn matched(&self) -> bool {
        self.outcome == self.expected
    }
}

/// The whole run.
#[derive(Debug, Clone)]
pub struct Report {
    /// Every step, in order.
    pub steps: Vec<StepResult>,
    /// Lines the ACS simulator received.
    pub acs_lines: Vec<String>,
    /// Problems found in the ACS log (injection proof); empty when clean.
    pub acs_problems: Vec<String>,
    /// ALLOWPASS lines received.
    pub allowpasses: Vec<String>,
}

impl Report {
    /// Every step matched and the ACS log is clean.
    pub fn all_matched(&self) -> bool {
        self.steps.iter().all(StepResult::matched) && self.acs_problems.is_empty()
    }

    /// The aligned table and summary.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:>2}  {:<28} {:<16} {:<16} {:<14} {:>10}",
            "#", "step", "expected", "outcome", "ACS reply", "latency"
        );
        for (i, s) in self.steps.iter().enumerate() {
            let latency = s.latency.map_or_else(|| "-".to_owned(), format_latency);
            let outcome = match &s.direction {
                Some(d) if s.outcome == "granted" => format!("{} ({d})", s.outcome),
                _ => s.outcome.clone(),
            };
            let _ = writeln!(
                out,
                "{:>2}  {:<28} {:<16} {:<16} {:<14} {:>10}  {}",
                i + 1,
                s.name,
                s.expected,
                outcome,
                s.reply,
                latency,
                if s.matched() { "ok" } else { "MISMATCH" }
            );
        }
        let matched = self.steps.iter().filter(|s| s.matched()).count();
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "ACS simulator received {} lines; ALLOWPASS: {}",
            self.acs_lines.len(),
            self.allowpasses.join(", ")
        );
        if self.acs_problems.is_empty() {
            let _ = writeln!(
                out,
                "Every line was one well-formed command; no ALLOWPASS for object 7 at access point 1 (nothing injected)."
            );
        } else {
            for p in &self.acs_problems {
                let _ = writeln!(out, "ACS LOG PROBLEM: {p}");
            }
        }
        let verdict = if self.all_matched() { "PASS" } else { "FAIL" };
        let _ = writeln!(
            out,
            "{verdict}: {matched}/{} steps matched their expectation.",
            self.steps.len()
        );
        out
    }
}

/// `850 µs`, `1.2 ms`.
pub fn format_latency(d: Duration) -> String {
    if d < Duration::from_millis(1) {
        format!("{} µs", d.as_micros())
    } else {
        format!("{:.1} ms", d.as_secs_f64() * 1e3)
    }
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

/// Reads the ACS simulator's log: every line must be one well-formed command, and the
/// injected `ALLOWPASS 1 7 IN` must not be there.
fn audit(acs: &AcsSimHandle, steps: Vec<StepResult>) -> Report {
    let received = acs.received();
    let mut problems = Vec::new();
    let mut allowpasses = Vec::new();
    for r in &received {
        match &r.command {
            None => problems.push(format!("malformed line {:?}", r.line)),
            Some(Command::AllowPass {
                ap,
                object,
                direction,
            }) => {
                allowpasses.push(r.line.clone());
                if ap.0 == 1 && *object == ObjectRef::Id(7.into()) {
                    problems.push(format!(
                        "injected command received: ALLOWPASS {ap} 7 {}",
                        direction.as_str()
                    ));
                }
            }
            Some(_) => {}
        }
        if r.line.contains(['\r', '\n']) {
            problems.push(format!("line with a line break: {:?}", r.line));
        }
    }
    let granted = steps.iter().filter(|s| s.outcome == "granted").count();
    if allowpasses.len() != granted {
        problems.push(format!(
            "{} ALLOWPASS received for {granted} granted steps",
            allowpasses.len()
        ));
    }
    Report {
        steps,
        acs_lines: received.into_iter().map(|r| r.line).collect(),
        acs_problems: problems,
        allowpasses,
    }
}
