//! Collects the `ALLOWPASS` lines the in-process ACS simulator reads, with the simulator's
//! own receive timestamps (the same clock the sender stamps with).

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use acs_proto::{Command, ObjectRef};
use tokio::sync::{broadcast, oneshot};
use tokio::task::JoinHandle;

use crate::acs::{AcsSimHandle, ReceivedCommand};

/// One `ALLOWPASS` for an object, as the simulator read it.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Arrival {
    /// The object id of the `ALLOWPASS`.
    pub object: u32,
    /// When the simulator read the line.
    pub at: SystemTime,
    /// The simulator connection it came on.
    pub conn: u64,
}

/// What the collector saw.
#[derive(Clone, Debug, Default)]
pub struct Arrivals {
    /// Every `ALLOWPASS` for an object id, in no particular order.
    pub passes: Vec<Arrival>,
    /// An upper bound on lines the live feed skipped (the collector fell behind) that were no
    /// longer in the simulator's kept history; their `ALLOWPASS`es, if any, are not counted.
    pub lost_lines: u64,
}

/// Watches the simulator's live feed from [`start`](Self::start) to [`finish`](Self::finish).
#[derive(Debug)]
pub struct ArrivalCollector {
    stop: oneshot::Sender<()>,
    task: JoinHandle<(HashSet<Arrival>, u64)>,
    since: SystemTime,
    live: Arc<AtomicU64>,
}

fn arrival(rec: &ReceivedCommand) -> Option<Arrival> {
    match &rec.command {
        Some(Command::AllowPass {
            object: ObjectRef::Id(id),
            ..
        }) => Some(Arrival {
            object: id.0,
            at: rec.at,
            conn: rec.conn.0,
        }),
        _ => None,
    }
}

impl ArrivalCollector {
    /// Subscribes to `sim`'s received lines; call before the first event is sent.
    pub fn start(sim: &AcsSimHandle) -> Self {
        let mut feed = sim.received_stream();
        let since = SystemTime::now();
        let (stop, mut stopped) = oneshot::channel::<()>();
        let live = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&live);
        let task = tokio::spawn(async move {
            let mut seen = HashSet::new();
            let mut lagged = 0u64;
            loop {
                let rec = tokio::select! {
                    biased;
                    rec = feed.recv() => rec,
                    _ = &mut stopped => break,
                };
                match rec {
                    Ok(rec) => {
                        if let Some(a) = arrival(&rec) {
                            seen.insert(a);
                            counter.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(n)) => {
                        lagged += n;
                        counter.fetch_add(n, Ordering::Relaxed);
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
            loop {
                match feed.try_recv() {
                    Ok(rec) => {
                        if let Some(a) = arrival(&rec) {
                            seen.insert(a);
                        }
                    }
                    Err(broadcast::error::TryRecvError::Lagged(n)) => lagged += n,
                    Err(_) => break,
                }
            }
            (seen, lagged)
        });
        Self {
            stop,
            task,
            since,
            live,
        }
    }

    /// `ALLOWPASS` lines seen so far, plus lines skipped by a lagging feed (which may have
    /// been `ALLOWPASS`es): enough to tell when every expected pass may have arrived.
    pub fn seen(&self) -> u64 {
        self.live.load(Ordering::Relaxed)
    }

    /// Stops watching and returns what arrived. When the live feed skipped lines, the
    /// simulator's kept history (its last 100 000 lines) fills the gap where it still can.
    pub async fn finish(self, sim: &AcsSimHandle) -> Arrivals {
        let _ = self.stop.send(());
        let (mut seen, lagged) = self.task.await.unwrap_or_default();
        let mut lost_lines = 0;
        if lagged > 0 {
            let kept = sim.received();
            let oldest_kept = kept.first().map(|r| r.at);
            let mut recovered = 0u64;
            for rec in kept.iter().filter(|r| r.at >= self.since) {
                if let Some(a) = arrival(rec) {
                    if seen.insert(a) {
                        recovered += 1;
                    }
                }
            }
            // If the kept window starts after we started, lines before it may be gone.
            if oldest_kept.is_some_and(|t| t > self.since) {
                lost_lines = lagged.saturating_sub(recovered);
            }
            tracing::warn!(lagged, recovered, lost_lines, "arrival feed lagged");
        }
        Arrivals {
            passes: seen.into_iter().collect(),
            lost_lines,
        }
    }
}
