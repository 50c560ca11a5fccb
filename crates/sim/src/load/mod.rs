//! The load driver behind `facegate-sim load`: drives a bridge over HTTP at a fixed rate and
//! times each event from its request's first byte to the `ALLOWPASS` line read by an
//! in-process ACS simulator, so both timestamps come from one process and one clock.
//!
//! The sender is open-loop: event `i` is due at `start + i / rate` whatever the bridge does.
//! A slow bridge therefore shows up as latency, and latency is reported twice: from the
//! actual first byte, and from the intended send time (which also counts waiting behind a
//! busy keep-alive connection, so it is free of coordinated omission). Every event carries a
//! person id from a large cycling range and a unique notification id, so cooldown and
//! de-duplication never hide one; with `[identity] mode = "same"` each should produce exactly
//! one `ALLOWPASS` for object id = person id.
//!
//! # Layout
//! - [`plan`]: what to send (phases, connection mode, person ids); [`sender`]: the schedule
//!   and the hyper HTTP/1 connections (keep-alive round-robin, or a new connection per
//!   request); [`payload`]: the push-notification body.
//! - [`arrivals`]: collects `ALLOWPASS` lines from the simulator's live feed.
//! - [`report`]: matches events to passes, quantiles from [`histogram`], JSON; [`table`]:
//!   the plain-text table.
//! - [`site`]: the simulator's objects and the bridge TOML; [`process`]: the bridge as a
//!   child process; [`rss`]: its memory from `/proc`; [`session`]: simulator + bridge
//!   together, spawned or external.
//! - [`ramp`]: judging steps of rising rate to find the highest sustainable one.
//! - [`drill`]: fault drills with pass criteria (ACS restart and slowness, Watcher down,
//!   overload, SIGKILL).
//! - [`target`]: the ingest URL.
//!
//! # Example
//! ```no_run
//! use std::time::Duration;
//! use sim::acs::AcsSim;
//! use sim::load::{drive, site, ConnectionMode, SendPlan};
//!
//! # async fn demo() -> anyhow::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let acs = AcsSim::start(site::acs_config(1, 100_000), listener);
//! // … start a bridge whose [[acs]] is acs.addr() and whose [[door]] camera is "load" …
//! let plan = SendPlan {
//!     rate: 1_000.0,
//!     duration: Duration::from_secs(30),
//!     mode: ConnectionMode::KeepAlive { connections: 8 },
//!     first_person: 1,
//!     persons: 100_000,
//!     camera: "load".to_owned(),
//!     run_id: "run1".to_owned(),
//!     request_timeout: Duration::from_secs(10),
//!     then: Vec::new(),
//! };
//! let url = "http://127.0.0.1:8080/watcher/events/0123456789abcdef0123456789abcdef";
//! let report = drive(&acs, url, plan, Duration::from_secs(5), None).await?;
//! print!("{}", sim::load::report::render_table(&report));
//! # Ok(())
//! # }
//! ```

pub mod arrivals;
pub mod drill;
mod error;
pub mod histogram;
pub mod payload;
pub mod plan;
pub mod process;
pub mod ramp;
pub mod report;
pub mod rss;
pub mod sender;
pub mod session;
pub mod site;
pub mod table;
pub mod target;

use std::time::{Duration, Instant};

pub use error::LoadError;
pub use report::{Report, RunInfo};
pub use sender::{ConnectionMode, Phase, SendOutcome, SendPlan, SendRecord};
pub use session::{BridgeChoice, LoadSession, SessionOptions};
pub use target::Target;

use crate::acs::AcsSimHandle;
use arrivals::ArrivalCollector;
use rss::RssSampler;

/// How often the bridge's `VmRSS` is sampled during a run.
pub const RSS_INTERVAL: Duration = Duration::from_millis(100);

/// Everything one run produced: the report and the raw material behind it (drills judge
/// individual events).
#[derive(Clone, Debug)]
pub struct Run {
    /// The report.
    pub report: Report,
    /// Every event as sent.
    pub sends: Vec<SendRecord>,
    /// Every `ALLOWPASS` seen.
    pub arrivals: arrivals::Arrivals,
}

/// Sends `plan` to `url`, waits up to `grace` after the last answer for the `ALLOWPASS`es
/// still due at `acs`, and reports. `bridge_pid`, when known, is sampled for memory.
pub async fn drive(
    acs: &AcsSimHandle,
    url: &str,
    plan: SendPlan,
    grace: Duration,
    bridge_pid: Option<u32>,
) -> Result<Report, LoadError> {
    Ok(drive_detailed(acs, url, plan, grace, bridge_pid)
        .await?
        .report)
}

/// [`drive`], keeping every send and arrival.
pub async fn drive_detailed(
    acs: &AcsSimHandle,
    url: &str,
    plan: SendPlan,
    grace: Duration,
    bridge_pid: Option<u32>,
) -> Result<Run, LoadError> {
    let phases = plan.phases();
    if !phases.iter().all(|p| p.rate.is_finite() && p.rate > 0.0) {
        return Err(LoadError::BadOption {
            name: "rate",
            reason: "must be a positive number of events per second",
        });
    }
    if plan.total() == 0 {
        return Err(LoadError::BadOption {
            name: "duration",
            reason: "sends no event at this rate",
        });
    }
    if plan.persons == 0 {
        return Err(LoadError::BadOption {
            name: "persons",
            reason: "must be at least 1",
        });
    }
    let target = Target::resolve(url).await?;
    let (mode, connections) = match plan.mode {
        ConnectionMode::KeepAlive { connections } => ("keep-alive", connections.max(1)),
        ConnectionMode::PerRequest { max_in_flight } => ("new-connection", max_in_flight.max(1)),
    };
    let total_duration = plan.total_duration();
    let info = RunInfo {
        target: target::redact_path(url),
        mode: mode.to_owned(),
        connections,
        offered_rate: plan.total() as f64 / total_duration.as_secs_f64().max(1e-9),
        duration: total_duration,
    };
    let collector = ArrivalCollector::start(acs);
    let sampler = bridge_pid.map(|pid| RssSampler::start(pid, RSS_INTERVAL));
    let sends = sender::run(target, plan).await;
    let accepted = sends
        .iter()
        .filter(|s| s.outcome.error_kind().is_none())
        .count() as u64;
    let waited = Instant::now();
    while collector.seen() < accepted && waited.elapsed() < grace {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let arrivals = collector.finish(acs).await;
    let rss = match sampler {
        Some(s) => Some(s.finish().await),
        None => None,
    };
    let report = report::build(&info, &sends, &arrivals, rss);
    Ok(Run {
        report,
        sends,
        arrivals,
    })
}
