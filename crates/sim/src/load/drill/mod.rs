//! Fault drills: scripted, re-runnable runs of a spawned bridge under load while something
//! goes wrong, each judged against stated pass criteria (printed as PASS/FAIL).
//!
//! | drill | what happens | pass criteria |
//! |---|---|---|
//! | `acs-restart` | at 2 s every ACS link is dropped and logins go unanswered for 2 s | no `ALLOWPASS` after its event's deadline; ready again ≤ 10 s after logins are accepted; no duplicate; events after that pass |
//! | `acs-slow` | from 2 s to 4 s the ACS answers `ALLOWPASS` after 2.5 s (reply timeout 2 s) | timeouts counted in `/metrics`; nothing re-sent (no duplicate); events from 3 s after the fault pass |
//! | `watcher-down` | the bridge starts with `[watcher]` pointing at a dead port | ready anyway; every event passes; still running |
//! | `overload` | base rate 3 s, 10× for 2 s, base 6 s | every request answered (202 or 503, no timeouts or resets); every 202 passes; peak RSS ≤ 30 MiB; back to p99 ≤ 100 ms within 5 s of the burst; no duplicate |
//! | `kill9` | SIGKILL at 3 s, restart at 4 s, then the handled events are posted again | ready ≤ 20 s; no second `ALLOWPASS` for a replayed event; every event that passed > 200 ms before the kill is in the journal; no duplicate |
//!
//! # Layout
//! - this file: [`Drill`], [`DrillResult`], [`Check`], the runner and shared helpers;
//! - `acs`: the ACS drills; `bridge`: the bridge-side drills.

mod acs;
mod bridge;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use serde::Serialize;

use super::error::LoadError;
use super::report::Report;
use super::sender::{ConnectionMode, SendPlan};
use super::session::{BridgeChoice, LoadSession, SessionOptions};

/// One drill.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Drill {
    /// ACS links dropped and logins unanswered for a while during load.
    AcsRestart,
    /// The ACS answers `ALLOWPASS` slower than the bridge's reply timeout for a while.
    AcsSlow,
    /// Watcher unreachable when the bridge starts.
    WatcherDown,
    /// A burst at 10× the base rate.
    Overload,
    /// The bridge killed with SIGKILL under load, then restarted.
    Kill9,
}

impl Drill {
    /// Every drill, in the order `all` runs them.
    pub const ALL: [Drill; 5] = [
        Drill::AcsRestart,
        Drill::AcsSlow,
        Drill::WatcherDown,
        Drill::Overload,
        Drill::Kill9,
    ];

    /// The drill's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Drill::AcsRestart => "acs-restart",
            Drill::AcsSlow => "acs-slow",
            Drill::WatcherDown => "watcher-down",
            Drill::Overload => "overload",
            Drill::Kill9 => "kill9",
        }
    }

    /// The drill called `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The base rate used when none is given, events per second.
    pub fn default_rate(self) -> f64 {
        match self {
            Drill::AcsSlow => 50.0,
            Drill::Overload => 500.0,
            _ => 200.0,
        }
    }
}

/// How to run drills.
#[derive(Clone, Debug)]
pub struct DrillOptions {
    /// The `facegate` executable.
    pub bin: PathBuf,
    /// Where each drill's config, journal and log go (one subdirectory per drill).
    pub work_dir: PathBuf,
    /// Base rate; `None`: the drill's [`Drill::default_rate`].
    pub rate: Option<f64>,
}

/// One judged criterion.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    /// The criterion, as a sentence.
    pub name: String,
    /// Whether it held.
    pub pass: bool,
    /// What was measured.
    pub detail: String,
}

/// A drill's outcome.
#[derive(Clone, Debug, Serialize)]
pub struct DrillResult {
    /// The drill's name.
    pub drill: String,
    /// Every check passed.
    pub pass: bool,
    /// The checks.
    pub checks: Vec<Check>,
    /// Measurements that are not criteria (reconnect time, outcomes from `/metrics`, …).
    pub notes: BTreeMap<String, String>,
    /// The load report of the run (absent when the bridge never became ready).
    pub report: Option<Report>,
}

impl DrillResult {
    fn new(drill: Drill) -> Self {
        Self {
            drill: drill.name().to_owned(),
            pass: true,
            checks: Vec::new(),
            notes: BTreeMap::new(),
            report: None,
        }
    }

    fn check(&mut self, name: &str, pass: bool, detail: impl Into<String>) {
        self.pass &= pass;
        self.checks.push(Check {
            name: name.to_owned(),
            pass,
            detail: detail.into(),
        });
    }

    fn note(&mut self, key: &str, value: impl Into<String>) {
        self.notes.insert(key.to_owned(), value.into());
    }
}

/// Runs one drill against a freshly spawned bridge.
pub async fn run(drill: Drill, opts: &DrillOptions) -> Result<DrillResult, LoadError> {
    let rate = opts.rate.unwrap_or(drill.default_rate());
    match drill {
        Drill::AcsRestart => acs::restart(opts, rate).await,
        Drill::AcsSlow => acs::slow(opts, rate).await,
        Drill::WatcherDown => bridge::watcher_down(opts, rate).await,
        Drill::Overload => bridge::overload(opts, rate).await,
        Drill::Kill9 => bridge::kill9(opts, rate).await,
    }
}

/// The result as text: one PASS/FAIL line per check, then the notes.
pub fn render(r: &DrillResult) -> String {
    let mut s = String::new();
    let verdict = |p: bool| if p { "PASS" } else { "FAIL" };
    // Writing into a String cannot fail.
    let _ = writeln!(s, "drill {}: {}", r.drill, verdict(r.pass));
    for c in &r.checks {
        let _ = writeln!(s, "  [{}] {} ({})", verdict(c.pass), c.name, c.detail);
    }
    for (k, v) in &r.notes {
        let _ = writeln!(s, "  note {k}: {v}");
    }
    s
}

/// Session options for a drill: a spawned bridge in `work_dir/<drill>`, persons 1..=100 000,
/// a 1 s cooldown and the given event age.
fn session_options(opts: &DrillOptions, drill: Drill, max_event_age: Duration) -> SessionOptions {
    SessionOptions {
        bridge: BridgeChoice::Spawn {
            bin: opts.bin.clone(),
        },
        first_person: 1,
        persons: 100_000,
        camera: "load".to_owned(),
        cooldown: Duration::from_secs(1),
        max_event_age,
        acs_connections: 2,
        queue_capacity: None,
        work_dir: opts.work_dir.join(drill.name()),
        ready_timeout: Duration::from_secs(20),
        watcher_url: None,
    }
}

/// A keep-alive plan at `rate` for `duration`, run id `drill`.
fn plan(drill: Drill, rate: f64, duration: Duration) -> SendPlan {
    SendPlan {
        rate,
        duration,
        mode: ConnectionMode::KeepAlive { connections: 8 },
        first_person: 1,
        persons: 100_000,
        camera: "load".to_owned(),
        run_id: format!("{}-{}", drill.name(), unique()),
        request_timeout: Duration::from_secs(10),
        then: Vec::new(),
    }
}

fn unique() -> u128 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis()
}

/// `facegate_events_total` summed by outcome, from the admin `/metrics` (empty when it
/// cannot be read).
async fn outcomes(admin: Option<SocketAddr>) -> BTreeMap<String, u64> {
    let Some(admin) = admin else {
        return BTreeMap::new();
    };
    match super::process::get_text(admin, "/metrics").await {
        Ok((200, text)) => parse_outcomes(&text),
        _ => BTreeMap::new(),
    }
}

/// Sums `facegate_events_total{…,outcome="X",…} N` lines of a Prometheus text by outcome.
fn parse_outcomes(text: &str) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("facegate_events_total{") else {
            continue;
        };
        let Some((labels, value)) = rest.rsplit_once("} ") else {
            continue;
        };
        let outcome = labels
            .split(',')
            .find_map(|kv| kv.strip_prefix("outcome=\""))
            .and_then(|v| v.strip_suffix('"'));
        if let (Some(outcome), Ok(n)) = (outcome, value.trim().parse::<f64>()) {
            if n.is_finite() && n >= 0.0 {
                *out.entry(outcome.to_owned()).or_default() += n as u64;
            }
        }
    }
    out
}

fn outcomes_text(m: &BTreeMap<String, u64>) -> String {
    if m.is_empty() {
        return "unavailable".to_owned();
    }
    m.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Polls `/readyz` until 200; how long it took, or `None` after `within`.
async fn until_ready(admin: Option<SocketAddr>, within: Duration) -> Option<Duration> {
    let admin = admin?;
    let start = Instant::now();
    while start.elapsed() < within {
        if let Ok(200) = super::process::get_status(admin, "/readyz").await {
            return Some(start.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

fn errors_text(r: &Report) -> String {
    if r.errors.is_empty() {
        return "none".to_owned();
    }
    r.errors
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Starts the session, or records a failed "ready" check and returns `None`.
async fn start(opts: &SessionOptions, result: &mut DrillResult) -> Option<LoadSession> {
    match LoadSession::start(opts).await {
        Ok(s) => Some(s),
        Err(e) => {
            result.check("the bridge starts and becomes ready", false, e.to_string());
            None
        }
    }
}

fn ms(d: Duration) -> String {
    format!("{} ms", d.as_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_drill_is_found_by_its_name() {
        for d in Drill::ALL {
            assert_eq!(Drill::from_name(d.name()), Some(d));
        }
        assert_eq!(Drill::from_name("meteor"), None);
    }

    #[test]
    fn outcomes_are_summed_over_sources_from_the_metrics_text() {
        let text = "# HELP facegate_events_total Sightings.\n\
                    facegate_events_total{source=\"push\",outcome=\"granted\"} 10\n\
                    facegate_events_total{source=\"poll\",outcome=\"granted\"} 5\n\
                    facegate_events_total{source=\"push\",outcome=\"acs_timeout\"} 3\n\
                    facegate_events_total{source=\"push\",outcome=\"cooldown\"} NaN\n\
                    facegate_queue_depth{acs=\"sim\"} 7\n";
        let m = parse_outcomes(text);
        assert_eq!(m.get("granted"), Some(&15));
        assert_eq!(m.get("acs_timeout"), Some(&3));
        assert_eq!(m.get("cooldown"), None);
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn a_single_failed_check_fails_the_drill_and_is_printed() {
        let mut r = DrillResult::new(Drill::Kill9);
        r.check("first", true, "ok");
        r.check("second", false, "3 duplicates");
        r.note("restart", "812 ms");
        assert!(!r.pass);
        let text = render(&r);
        assert!(text.starts_with("drill kill9: FAIL"), "{text}");
        assert!(text.contains("[PASS] first (ok)"));
        assert!(text.contains("[FAIL] second (3 duplicates)"));
        assert!(text.contains("note restart: 812 ms"));
    }
}
