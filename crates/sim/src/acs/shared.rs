//! State shared by the accept loop, every connection task and the handle.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::Duration;

use acs_proto::Event;
use tokio::sync::{broadcast, watch};

use super::config::AcsSimConfig;
use super::faults::Faults;
use super::record::ReceivedCommand;
use super::world::{Pass, World};

/// Most received lines kept for [`received`](super::AcsSimHandle::received); older ones are
/// dropped first (the count used by `wait_for_commands` keeps counting).
pub const RECEIVED_CAP: usize = 20_000;

/// Capacity of the event and received-line broadcast channels; a slower reader skips.
const CHANNEL_CAP: usize = 4096;

/// Something subscribers are told about.
#[derive(Clone, Debug)]
pub enum SimEvent {
    /// A pass granted by `ALLOWPASS`, rendered per subscription kind.
    Pass(Pass),
    /// An event pushed through the handle, sent to every subscriber as it is.
    Raw(Event),
}

/// The part of the simulator every task can see.
#[derive(Debug)]
pub struct Shared {
    world: Mutex<World>,
    faults: RwLock<Faults>,
    received: Mutex<VecDeque<ReceivedCommand>>,
    /// Total lines received so far (never decreases).
    pub received_count: watch::Sender<u64>,
    /// Every received line, live (for the CLI printer).
    pub received_tx: broadcast::Sender<ReceivedCommand>,
    /// Events for subscribers.
    pub events: broadcast::Sender<SimEvent>,
    /// Open connections.
    pub connections: AtomicUsize,
    next_conn: AtomicU64,
    /// Bumped to make every open connection close.
    pub kick: watch::Sender<u64>,
    /// Longest command line in bytes.
    pub max_line: usize,
    /// Most connections at once.
    pub max_connections: usize,
    /// TLS handshake bound.
    pub tls_handshake_timeout: Duration,
}

fn unpoison<T>(r: Result<T, PoisonError<T>>) -> T {
    r.unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    /// Shared state for `config`, with the world created at `now`.
    pub fn new(config: &AcsSimConfig, now: acs_proto::Timestamp) -> Self {
        Self {
            world: Mutex::new(World::new(config, now)),
            faults: RwLock::new(config.faults.clone()),
            received: Mutex::new(VecDeque::new()),
            received_count: watch::channel(0).0,
            received_tx: broadcast::channel(CHANNEL_CAP).0,
            events: broadcast::channel(CHANNEL_CAP).0,
            connections: AtomicUsize::new(0),
            next_conn: AtomicU64::new(1),
            kick: watch::channel(0).0,
            max_line: config.max_line,
            max_connections: config.max_connections,
            tls_handshake_timeout: config.tls_handshake_timeout,
        }
    }

    /// The world, locked (never held across an await).
    pub fn world(&self) -> MutexGuard<'_, World> {
        unpoison(self.world.lock())
    }

    /// A copy of the current faults.
    pub fn faults(&self) -> Faults {
        unpoison(self.faults.read()).clone()
    }

    /// Replaces the faults.
    pub fn set_faults(&self, faults: Faults) {
        *unpoison(self.faults.write()) = faults;
    }

    /// A fresh connection id.
    pub fn next_conn_id(&self) -> u64 {
        self.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    /// Remembers a received line and tells waiters and the live printer.
    pub fn record(&self, rec: ReceivedCommand) {
        {
            let mut received = unpoison(self.received.lock());
            if received.len() >= RECEIVED_CAP {
                received.pop_front();
            }
            received.push_back(rec.clone());
        }
        self.received_count.send_modify(|n| *n += 1);
        // No live reader is fine.
        let _ = self.received_tx.send(rec);
    }

    /// The kept received lines, oldest first.
    pub fn received(&self) -> Vec<ReceivedCommand> {
        unpoison(self.received.lock()).iter().cloned().collect()
    }

    /// Forgets the kept received lines (the total count is unchanged).
    pub fn clear_received(&self) {
        unpoison(self.received.lock()).clear();
    }
}

/// Counts one open connection for as long as it lives.
#[derive(Debug)]
pub struct ConnectionGuard(Arc<Shared>);

impl ConnectionGuard {
    /// Counts a connection unless `max_connections` are already open.
    pub fn try_new(shared: &Arc<Shared>) -> Option<Self> {
        let max = shared.max_connections;
        shared
            .connections
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()
            .map(|_| Self(Arc::clone(shared)))
    }
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::AcqRel);
    }
}
