//! One ACS lane: a bounded number of commands in flight, each written at once.
//!
//! The decider takes a permit from the lane's semaphore before handing a command over (that is
//! the bounded per-ACS queue: when it is full the decider waits and the intake queue fills,
//! which turns into `503`s at the door of the bridge, not into memory). The command task then
//! calls `allow_pass` immediately with the sighting's deadline; nothing is batched.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::SystemTime;

use acs_client::{AcsPool, PassOutcome};
use acs_proto::{encode_command, Command};
use bytes::BytesMut;
use identity_core::{Allow, Outcome, UnixMillis};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::convert::{unix_ms, Arrival};
use super::{Finished, Shared};

/// Where one ACS's commands go.
#[derive(Clone, Debug)]
pub enum Target {
    /// A real pool of logged-in links.
    Pool(AcsPool),
    /// Dry run: nothing is sent; the outcome is `dry_run` with the line in `detail`.
    DryRun,
}

/// One ACS: its target and its bound on queued commands.
#[derive(Debug)]
pub struct Lane {
    /// The `[[acs]] name`.
    pub name: String,
    /// Where commands go.
    pub target: Target,
    /// Permits = free places in this ACS's queue.
    pub permits: Arc<Semaphore>,
    /// The queue bound.
    pub capacity: usize,
}

impl Lane {
    /// A lane with room for `capacity` commands.
    pub fn new(name: impl Into<String>, target: Target, capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            name: name.into(),
            target,
            permits: Arc::new(Semaphore::new(capacity)),
            capacity,
        }
    }

    /// `true` when the lane is a dry run or its pool has every link logged in.
    pub fn is_ready(&self) -> bool {
        match &self.target {
            Target::Pool(p) => p.is_ready(),
            Target::DryRun => true,
        }
    }
}

/// The `ALLOWPASS` line exactly as the encoder writes it (CRLF stripped), for dry runs and logs.
pub fn allowpass_line(allow: &Allow) -> String {
    let mut buf = BytesMut::new();
    encode_command(
        &Command::AllowPass {
            ap: allow.access_point,
            object: allow.object,
            direction: allow.direction,
        },
        &mut buf,
    );
    String::from_utf8_lossy(&buf).trim_end().to_owned()
}

/// Sends one allowed command and finishes the sighting. Runs in its own task.
pub(super) async fn run(
    shared: Arc<Shared>,
    lane: Arc<Lane>,
    arrival: Arrival,
    allow: Allow,
    permit: OwnedSemaphorePermit,
) {
    let gauges = shared.metrics.acs(&lane.name);
    let now = UnixMillis(unix_ms(SystemTime::now()));
    let remaining = allow.deadline.millis_since(now);
    let mut finished = Finished::for_allow(&allow);
    if remaining <= 0 {
        finished.outcome = Outcome::Expired;
        finished.detail = Some("deadline passed while queued".to_owned());
    } else {
        match &lane.target {
            Target::DryRun => {
                finished.outcome = Outcome::DryRun;
                finished.detail = Some(allowpass_line(&allow));
            }
            Target::Pool(pool) => {
                let remaining = std::time::Duration::from_millis(remaining.unsigned_abs());
                let deadline = tokio::time::Instant::now() + remaining;
                let sent_at = tokio::time::Instant::now();
                let outcome = pool
                    .allow_pass(allow.access_point, allow.object, allow.direction, deadline)
                    .await;
                if outcome.was_sent() {
                    shared.metrics.acs_command.observe(sent_at.elapsed());
                    finished.latency = Some(arrival.received.elapsed());
                }
                finished.outcome = match &outcome {
                    PassOutcome::Granted => Outcome::Granted,
                    PassOutcome::Denied { code, text } => {
                        finished.acs_error = Some(code.code());
                        finished.acs_reply = Some(format!("ERROR {} {text}", code.code()));
                        Outcome::DeniedByAcs
                    }
                    PassOutcome::Timeout => Outcome::AcsTimeout,
                    PassOutcome::Unavailable => Outcome::AcsUnavailable,
                };
                if matches!(outcome, PassOutcome::Granted) {
                    finished.acs_reply = Some("OK".to_owned());
                }
            }
        }
    }
    let settled_at = UnixMillis(unix_ms(SystemTime::now()));
    shared
        .engine
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .settle(&allow, finished.outcome, settled_at);
    if let Some(g) = gauges {
        g.queue_depth.fetch_sub(1, Ordering::Relaxed);
    }
    drop(permit);
    shared.finish(&arrival, finished);
}
