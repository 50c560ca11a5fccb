//! The Flussonic Watcher simulator: a real HTTP peer speaking the parts of Watcher that facegate
//! consumes (`reference/watcher-api.md`), driven by a persons file (SPEC §4) and by
//! `POST /sim/recognize`.
//!
//! # What it serves
//! - **v2** (`/vsaas/api/v2`): `POST auth/login` (`{"login","password"}` → `{"session"}`), then
//!   `X-Vsaas-Session` or a static `X-Vsaas-Api-Key` (401 without); `my/subscriptions` (GET list,
//!   POST JSON or form, GET/DELETE `{id}`), `cameras`, `persons`, `person_lists`,
//!   `events?type=activity` (plain JSON arrays paged by `limit`/`offset`; shapes in `v2.rs`).
//! - **control**: `POST /sim/recognize` (no auth) delivers a recognition to every matching
//!   subscription — `push_person_list` by the person's list id, `push_person_single` by person
//!   id, `push_person_category` by list id too (the simulator has no other categories); a
//!   subscription without `notification_type` matches everyone — and answers the
//!   per-subscription delivery status. Deliveries are concurrent HTTP/1.1 POSTs with a 2 s
//!   deadline, no retries (as Watcher). Forms: [`DeliveryMode`].
//! - **v3** (`/watcher/client-api/v3`): Basic login → tokens; `episodes` with a real long-poll
//!   (`poll_timeout`), `updated_at_gt`, `limit`, cursors; `persons`, `person_lists`.
//!
//! Every recognition also records a v3 face episode. The same face on the same camera within
//! [`WatcherSimConfig::episode_merge_window`] (10 s) updates the open episode instead
//! (`updated_at` bumps, so pollers receive it again). `opened_at`/`started_at` are the detection
//! time (`at`); `updated_at` is the write time, strictly increasing across the store, which is
//! what makes `updated_at_gt` a lossless stream position.
//!
//! Unknown faces create a person on the fly (snowflake-sized id, no list, `external_id` null,
//! `originator: identification_service`). Such a person matches no list or single subscription,
//! so in push mode nothing is delivered; activity mode and v3 episodes carry it.
//!
//! Bounded: request bodies (1 MiB), connections (1024), the delivery log (ring), the episode
//! store (newest kept), sessions and tokens, `poll_timeout` (60 s), `limit` (1000).
//!
//! # Layout
//! `config` (persons file, knobs), `state` (the shared world: auth, subscriptions, log),
//! `recognize` (a sighting → episode + deliveries), `payload` (the delivered JSON), `deliver`
//! (hyper client), `episodes` (the store and cursors), `http` (accept loop and plumbing),
//! `v2`, `v3`, `control` (routes).
//!
//! # Example
//! ```no_run
//! use sim::watcher::{PersonsFile, Recognition, WatcherSim, WatcherSimConfig};
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let world = PersonsFile::from_json(r#"{
//!     "person_lists": [{"id": 1, "name": "Employees"}],
//!     "persons": [{"id": 135, "name": "Ivanov Ivan", "person_list_id": 1, "external_id": "6"}],
//!     "cameras": [{"id": "entrance", "name": "Entrance"}],
//!     "users": [{"login": "admin", "password": "secret"}]}"#)?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let sim = WatcherSim::start(WatcherSimConfig::new(world), listener)?;
//! println!("Watcher at {}", sim.base_url());
//! let done = sim.recognize(Recognition::new(135, "entrance")).await?;
//! println!("{} deliveries", done.deliveries.len());
//! sim.shutdown().await;
//! # Ok(()) }
//! ```

mod auth;
mod config;
mod control;
mod deliver;
mod episodes;
mod error;
mod http;
mod payload;
mod recognize;
mod state;
mod v2;
mod v3;

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::{Camera, DeliveryMode, Person, PersonList, PersonsFile, User, WatcherSimConfig};
pub use error::{DeliveryError, WatcherSimError};
pub use recognize::{Recognition, Recognized, DEFAULT_SCORE};
pub use state::{DeliveryRecord, DeliveryStatus, EventType, SimState, Subscription};

/// Starts Watcher simulators.
#[derive(Debug)]
pub struct WatcherSim;

impl WatcherSim {
    /// Serves a fresh simulator on an already-bound listener.
    pub fn start(
        config: WatcherSimConfig,
        listener: TcpListener,
    ) -> Result<WatcherSimHandle, WatcherSimError> {
        Self::start_with_state(SimState::new(config), listener)
    }

    /// Serves an existing state (e.g. from a simulator that was shut down) on a listener: a
    /// restart that keeps subscriptions, sessions, persons and episodes.
    pub fn start_with_state(
        state: SimState,
        listener: TcpListener,
    ) -> Result<WatcherSimHandle, WatcherSimError> {
        let addr = listener.local_addr()?;
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let task = tokio::spawn(http::serve(listener, state.clone(), shutdown_rx));
        tracing::info!(%addr, "watcher simulator listening");
        Ok(WatcherSimHandle {
            addr,
            state,
            shutdown_tx,
            task: Some(task),
        })
    }
}

/// A running simulator. Dropping it stops the server (without waiting); [`shutdown`] waits.
///
/// [`shutdown`]: WatcherSimHandle::shutdown
#[derive(Debug)]
pub struct WatcherSimHandle {
    addr: SocketAddr,
    state: SimState,
    shutdown_tx: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl WatcherSimHandle {
    /// The address served.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The state (clone it to restart with [`WatcherSim::start_with_state`]).
    pub fn state(&self) -> SimState {
        self.state.clone()
    }

    /// Same as `POST /sim/recognize` for a known person.
    pub async fn recognize(&self, r: Recognition) -> Result<Recognized, WatcherSimError> {
        self.state.recognize(r).await
    }

    /// Same as `POST /sim/recognize` with `"person_id": null`, now and with the default score.
    pub async fn recognize_unknown(&self, camera: &str) -> Result<Recognized, WatcherSimError> {
        self.state.recognize_unknown(camera, None, None).await
    }

    /// Registered subscriptions.
    pub fn subscriptions(&self) -> Vec<Subscription> {
        self.state.subscriptions()
    }

    /// The delivery log, oldest first.
    pub fn deliveries(&self) -> Vec<DeliveryRecord> {
        self.state.deliveries()
    }

    /// Adds a person to the world.
    pub fn add_person(&self, person: Person) -> Result<(), WatcherSimError> {
        self.state.add_person(person)
    }

    /// Replaces or removes the v2 API key.
    pub fn set_api_key(&self, key: Option<String>) {
        self.state.set_api_key(key);
    }

    /// Forgets every session and token (clients must log in again).
    pub fn invalidate_sessions(&self) {
        self.state.invalidate_sessions();
    }

    /// Stops accepting, ends open connections (held long-polls included) and waits until the
    /// listener is closed, so the same address can be bound again.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown_tx.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for WatcherSimHandle {
    fn drop(&mut self) {
        let _ = self.shutdown_tx.send(true);
    }
}
