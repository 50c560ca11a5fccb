//! The demo's result: the aligned table, the summary, and the audit of the ACS simulator's log.

use std::fmt::Write as _;
use std::time::Duration;

use acs_proto::{Command, ObjectRef};
use sim::acs::AcsSimHandle;

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

/// Reads the ACS simulator's log: every line must be one well-formed command, and the
/// injected `ALLOWPASS 1 7 IN` must not be there.
pub(super) fn audit(acs: &AcsSimHandle, steps: Vec<StepResult>) -> Report {
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
