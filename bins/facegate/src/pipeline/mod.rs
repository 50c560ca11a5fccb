//! The pipeline: parsed sightings → one decision point → per-ACS lanes → outcome.
//!
//! Layout: [`convert`] turns webhook bodies into [`convert::Arrival`]s; [`PipelineSink`] is the
//! ingest side (parse, reserve room in the bounded intake queue for the whole body or answer
//! `Busy`); the decider task (this module) is the ONE place that asks the engine, so two
//! deliveries of the same event cannot both be allowed; [`dispatch`] sends each allowed
//! command at once on its ACS lane and settles the engine with the result. Every arrival ends
//! in exactly one [`Finished`] per decision (one per door; normally one), which becomes one
//! journal record, one metrics count and one structured log line.

pub mod convert;
pub mod dispatch;
mod finish;

use finish::direction_name;
pub use finish::{FinishObserver, Finished, Recorder, Shared};

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use identity_core::{Allow, Decision, Engine, Outcome, UnixMillis};
use tokio::sync::{mpsc, watch, OwnedSemaphorePermit};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::ingest::{EventSink, SinkError};
use crate::metrics::Metrics;
use convert::{unix_ms, Arrival};
use dispatch::Lane;

/// Size of the bounded intake queue (each [`Lane`] carries its own bound).
#[derive(Debug, Clone, Copy)]
pub struct PipelineLimits {
    /// Sightings accepted but not yet decided.
    pub intake: usize,
}

impl Default for PipelineLimits {
    fn default() -> Self {
        Self { intake: 1024 }
    }
}

/// The running pipeline.
pub struct Pipeline {
    intake: mpsc::Sender<Arrival>,
    shared: Arc<Shared>,
    lanes: Arc<HashMap<String, Arc<Lane>>>,
    /// `Some(deadline)` once draining: stop taking sightings; what is still undecided at the
    /// deadline is finished as `expired` without a decision. Dropping it means "stop now".
    stop: watch::Sender<Option<Instant>>,
    decider: JoinHandle<()>,
}

/// How long after the drain deadline the decider gets to journal what it gave up on.
const FINISH_GRACE: Duration = Duration::from_millis(500);

impl Pipeline {
    /// Starts the decider over `engine`, with one lane per ACS.
    pub fn start(
        engine: Engine,
        lanes: Vec<Lane>,
        metrics: Arc<Metrics>,
        recorder: Arc<dyn Recorder>,
        observer: Option<FinishObserver>,
        limits: PipelineLimits,
    ) -> Self {
        let shared = Arc::new(Shared {
            engine: Mutex::new(engine),
            metrics,
            recorder,
            observer,
        });
        let lanes: Arc<HashMap<String, Arc<Lane>>> = Arc::new(
            lanes
                .into_iter()
                .map(|l| (l.name.clone(), Arc::new(l)))
                .collect(),
        );
        let (tx, rx) = mpsc::channel(limits.intake.max(1));
        let (stop, stop_rx) = watch::channel(None);
        let decider = tokio::spawn(decide_loop(shared.clone(), lanes.clone(), rx, stop_rx));
        Self {
            intake: tx,
            shared,
            lanes,
            stop,
            decider,
        }
    }

    /// The ingest side of this pipeline.
    pub fn sink(&self) -> PipelineSink {
        PipelineSink {
            intake: self.intake.clone(),
        }
    }

    /// The shared state (engine, metrics).
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// The lanes by ACS name.
    pub fn lanes(&self) -> &HashMap<String, Arc<Lane>> {
        &self.lanes
    }

    /// Stops taking sightings, decides what is queued, and waits up to `bound` for every
    /// command in flight to finish. Sightings still undecided when `bound` runs out (the
    /// decider was waiting for room on a full ACS lane) are not sent and are journaled as
    /// `expired`, so each still ends in one record. Returns `false` if the bound was hit.
    pub async fn drain(mut self, bound: Duration) -> bool {
        let deadline = Instant::now() + bound;
        let _ = self.stop.send(Some(deadline));
        let decided = tokio::time::timeout_at(deadline + FINISH_GRACE, &mut self.decider)
            .await
            .is_ok();
        if !decided {
            self.decider.abort();
        }
        let mut all = decided;
        for lane in self.lanes.values() {
            let n = u32::try_from(lane.capacity).unwrap_or(u32::MAX);
            let waited =
                tokio::time::timeout_at(deadline, lane.permits.clone().acquire_many_owned(n)).await;
            all &= matches!(waited, Ok(Ok(_)));
        }
        all
    }
}

/// The ingest side: parses bodies and queues their sightings, all or nothing.
#[derive(Clone)]
pub struct PipelineSink {
    intake: mpsc::Sender<Arrival>,
}

impl PipelineSink {
    /// Sightings accepted but not yet decided.
    pub fn depth(&self) -> usize {
        self.intake.max_capacity() - self.intake.capacity()
    }

    /// Queues one arrival, waiting for room (poll mode: backpressure slows the long-poll
    /// instead of refusing). `false` once the pipeline is closing.
    pub async fn send(&self, arrival: Arrival) -> bool {
        self.intake.send(arrival).await.is_ok()
    }
}

impl EventSink for PipelineSink {
    fn submit(&self, body: &[u8], received_at: SystemTime) -> Result<usize, SinkError> {
        let received = tokio::time::Instant::now();
        let webhook = watcher_api::payload::parse_webhook(body)
            .map_err(|e| SinkError::BadRequest(e.to_string()))?;
        let arrivals = convert::arrivals(webhook, received_at, received);
        let n = arrivals.len();
        if n == 0 {
            return Ok(0);
        }
        if n > self.intake.max_capacity() {
            return Err(SinkError::TooMany(format!(
                "{n} events in one body; at most {} are accepted",
                self.intake.max_capacity()
            )));
        }
        let permits = self
            .intake
            .try_reserve_many(n)
            .map_err(|_| SinkError::Busy)?;
        for (permit, arrival) in permits.zip(arrivals) {
            permit.send(arrival);
        }
        Ok(n)
    }
}

/// The drain deadline once stopping: the one the pipeline sent, or "now" if it was dropped.
fn stop_deadline(stop: &watch::Receiver<Option<Instant>>, changed: bool) -> Option<Instant> {
    if changed {
        *stop.borrow()
    } else {
        Some(Instant::now())
    }
}

async fn decide_loop(
    shared: Arc<Shared>,
    lanes: Arc<HashMap<String, Arc<Lane>>>,
    mut rx: mpsc::Receiver<Arrival>,
    mut stop: watch::Receiver<Option<Instant>>,
) {
    let mut stop_at: Option<Instant> = None;
    loop {
        let arrival = tokio::select! {
            biased;
            r = stop.changed(), if stop_at.is_none() => {
                stop_at = stop_deadline(&stop, r.is_ok());
                if stop_at.is_some() {
                    // No new sightings; the ones already accepted are still finished below.
                    rx.close();
                }
                continue;
            }
            a = rx.recv() => match a {
                Some(a) => a,
                None => break,
            },
        };
        if stop_at.is_some_and(|d| Instant::now() >= d) {
            let mut f = Finished::empty(Outcome::Expired);
            f.detail = Some("the bridge stopped before deciding it; nothing sent".to_owned());
            shared.finish(&arrival, f);
            continue;
        }
        decide_one(&shared, &lanes, arrival, &mut stop, &mut stop_at).await;
    }
}

/// Waits for room on `lane`; once the bridge is stopping, only until the drain deadline.
async fn lane_permit(
    lane: &Lane,
    stop: &mut watch::Receiver<Option<Instant>>,
    stop_at: &mut Option<Instant>,
) -> Result<OwnedSemaphorePermit, &'static str> {
    let acquire = lane.permits.clone().acquire_owned();
    tokio::pin!(acquire);
    loop {
        if let Some(deadline) = *stop_at {
            return match tokio::time::timeout_at(deadline, &mut acquire).await {
                Ok(Ok(p)) => Ok(p),
                Ok(Err(_)) => Err("ACS lane closed"),
                Err(_) => Err("the bridge stopped before the ACS lane had room; nothing sent"),
            };
        }
        tokio::select! {
            p = &mut acquire => return p.map_err(|_| "ACS lane closed"),
            r = stop.changed() => *stop_at = stop_deadline(stop, r.is_ok()),
        }
    }
}

async fn decide_one(
    shared: &Arc<Shared>,
    lanes: &HashMap<String, Arc<Lane>>,
    arrival: Arrival,
    stop: &mut watch::Receiver<Option<Instant>>,
    stop_at: &mut Option<Instant>,
) {
    if let Some(why) = &arrival.malformed {
        let mut f = Finished::empty(Outcome::Ignored);
        f.detail = Some(why.clone());
        shared.finish(&arrival, f);
        return;
    }
    let now = UnixMillis(unix_ms(SystemTime::now()));
    let decisions = shared
        .engine
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .decide_all(&arrival.sighting, now);
    for decision in decisions {
        match decision {
            Decision::Reject(r) => {
                let mut f = Finished::empty(r.outcome);
                if let Some(door) = &r.door {
                    f.acs = Some(door.acs.clone());
                    f.access_point = Some(door.access_point.0);
                    f.direction = Some(direction_name(door.direction).to_owned());
                }
                f.object_id = r.object.map(|o| o.0);
                f.detail = (!r.detail.is_empty()).then_some(r.detail);
                shared.finish(&arrival, f);
            }
            Decision::Allow(allow) => {
                let Some(lane) = lanes.get(&allow.acs).cloned() else {
                    // Config validation makes this unreachable; fail closed all the same.
                    not_sent(
                        shared,
                        &arrival,
                        &allow,
                        Outcome::AcsUnavailable,
                        "no such ACS",
                    );
                    continue;
                };
                // Waiting here is the backpressure: the intake queue fills and ingest answers 503.
                let permit = match lane_permit(&lane, stop, stop_at).await {
                    Ok(p) => p,
                    Err(why) => {
                        let outcome = if stop_at.is_some() {
                            Outcome::Expired
                        } else {
                            Outcome::AcsUnavailable
                        };
                        not_sent(shared, &arrival, &allow, outcome, why);
                        continue;
                    }
                };
                if let Some(g) = shared.metrics.acs(&lane.name) {
                    g.queue_depth.fetch_add(1, Ordering::Relaxed);
                }
                tokio::spawn(dispatch::run(
                    shared.clone(),
                    lane,
                    arrival.clone(),
                    allow,
                    permit,
                ));
            }
        }
    }
}

/// Finishes an allowed sighting whose command was never handed to a lane (`acs_unavailable`,
/// or `expired` while stopping); the cooldown taken for it is released.
fn not_sent(shared: &Shared, arrival: &Arrival, allow: &Allow, outcome: Outcome, why: &str) {
    let now = UnixMillis(unix_ms(SystemTime::now()));
    shared
        .engine
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .settle(allow, outcome, now);
    let mut f = Finished::for_allow(allow);
    f.outcome = outcome;
    f.detail = Some(why.to_owned());
    shared.finish(arrival, f);
}

#[cfg(test)]
mod tests;
